"""The timeline contract: the shape of the one in-memory timeline, and the accessors that read it.

`scriptkit.timeline.build_timeline` assembles this timeline; every exporter reads it and every reader
produces one of the same shape. Exporters, readers and conform import this module (and the models), never the
assembler. The shape:

Timeline
- `name`: the shot list's title. `global_start_time`: timecode 01:00:00:00 at the timeline rate, as a
  whole number of frames (`RationalTime(timecode_to_frames("01:00:00:00", rate, drop_frame), rate)`): 3600 s
  at integer rates, 108000 frames at 29.97 NDF, 107892 frames at 29.97 DF - as Resolve, Premiere and Avid expect.
- `metadata["scriptkit"]`: {"title", "width", "height", "fps" (exact rational string, e.g. "30000/1001"),
  "drop_frame", "template", "tool_version", "fixups" (list of plain-words fix-ups made while assembling, e.g. a
  dissolve shortened because its neighbours were too short)}.
- Rate: every RationalTime in the timeline uses `float(Fraction(shotlist.fps))`; exporters turn it back into
  an exact rational with `scriptkit.rates.rational()`.

Tracks (in this order), each with `metadata["scriptkit"] = {"role": ..., "character": name or None}`:
1. "V1" (Video, role "video"): one Clip per shot, in shot-list order, no gaps.
   - Clip.name = shot id. media_reference = ExternalReference(target_url = absolute percent-encoded
     `file://` URL of the keyframe PNG (`scriptkit.io.file_url`), available_range = (0, shot frames +
     2 * handle)), source_range = (handle, shot frames). `handle` = HANDLE_SECONDS at the rate, so that a
     dissolve always has media on both sides.
   - A shot whose asset is a movie (`Asset.media == "movie"`, e.g. made from its keyframe) references the
     movie instead: available_range = (0, the whole frames the movie holds), source_range = (head, shot
     frames), where the frames beyond the shot are split into a head (at most `handle`) and a tail; metadata
     "media" = "movie". A movie shorter than its shot is not used (the keyframe is, with a fix-up). Read a
     clip's media with `clip_media(clip)`: writers decide from it, never from a file suffix.
   - A dissolve/wipe between two shots is an `otio.schema.Transition` between their clips
     (transition_type SMPTE_Dissolve; a wipe has metadata["scriptkit"]["wipe"] = pattern) with
     in_offset = out_offset = half the duration (frames; an odd duration gives the extra frame to out_offset).
     The transition is centred on the cut: it does not change the track duration.
   - Fade from black at a shot start: a Transition named "Fade In" with metadata["scriptkit"]["kind"] =
     "fade_in", in_offset 0 and out_offset = fade frames, placed directly before the clip (at track start,
     or after a Gap). Fade to black at a shot end: a Transition named "Fade Out", kind "fade_out",
     in_offset = fade frames, out_offset 0, directly after the clip. Between a fade out and a fade in
     there is a Gap of BLACK_SECONDS (black), so the two transitions are never adjacent.
   - One Marker per clip: name = shot id, marked_range = (clip source start, 1 frame), color GREEN,
     comment = "line <source line>: <action, first 120 chars>", metadata["scriptkit"] = {"shot_id", "line"}.
2. "DIALOGUE <NAME>" per character (or one "DIALOGUE" track with `dialogue_tracks="shared"`),
   (Audio, role "dialogue", character name): Gaps and Clips at absolute timeline positions.
   - Clip.name = dialogue line id; source_range = (0, voice frames) where voice frames = the asset's true
     duration rounded up to whole frames; ExternalReference to the 48 kHz WAV.
   - Lines are laid out from the real voice lengths: a shot's first line starts at its shot's start + its
     offset (a negative offset is a PRE-LAP / J-cut: it starts under the previous shot), each later line after
     the real end of the one before plus the pause the plan left between them. No line overlaps another line
     on any track, except dual dialogue and a line cutting in on a cut-off (`--`) line (CUT_IN_SECONDS early);
     such a clip has metadata["scriptkit"]["overlap"] = True. An alias of a cast member shares its track.
3. "SFX" (Audio, role "effects"): one Clip per sound cue at shot start + cue offset; a Marker on each cue
   clip (name = cue word, color ORANGE).
4. "MUSIC" (Audio, role "music"): one Clip of the music bed under the whole timeline (when there is one),
   metadata["scriptkit"]["level_db"] and ["duck"]: volume keyframes [[frame from the clip's start, dB], ...]
   dipping it under every line of dialogue (`scriptkit.mix`).
Every audio clip carries its clip gain in metadata["scriptkit"]["level_db"] (dialogue, effects: `scriptkit.mix`).

Every Clip carries metadata["scriptkit"] with at least {"kind": "shot"|"dialogue"|"cue"|"music",
"shot_id", "asset_hash" (Asset.sha256), "asset_path" (relative to the media folder)}; shot clips add
{"scene_id", "line", "prompt", "seed", "size", "move", "characters", "action", "duration_planned"};
dialogue clips add {"line_id", "character", "text", "line"}, and "caption" where the line's subtitle is not
its text (`DialogueLine.caption`; read a subtitle with `caption_of(meta)`); cue clips {"cue_id", "word", "line"};
audio clips add "sample_rate" and "channels" when the asset records them.

Accessors: `timeline_rate(tl)` (THE frame-rate helper: exact Fraction from metadata fps, else the first clip,
else the global start, else 24), `frames_at(time, rate)` (THE frames helper: a RationalTime as whole frames),
`video_track(tl)`, `shot_clips(tl)`, `caption_of(meta)` (THE subtitle text of a dialogue clip),
`scriptkit_meta(item)` / `plain(value)` (metadata as plain dicts), `scriptkit_view(item)` (the stored metadata,
uncopied), `set_metadata(item, key, value)` (a fast `item.metadata[key] = value`), `media_path(clip, options)`; for
readers `SHOT_ID` / `OWNER_ID` (the one id pattern, hand-added ids such as `sc-kitchen-004a` included),
`owner_identity(text)`, `shot_identity_from_names(clip)` and `track_role(name, kind)`; the flat layout
`flatten(track, rate)` (every clip and gap at its frame, every transition with its neighbours), `item_frames(track)`
and `shot_cuts(tl)` ((name, start, frames) per picture clip: what round-trip tests compare).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from scriptkit.otio_metadata import set_metadata
from scriptkit.rates import rational

if TYPE_CHECKING:
    from scriptkit.models import ExportOptions

__all__ = [
    "HANDLE_SECONDS",
    "OWNER_ID",
    "SHOT_ID",
    "Joint",
    "Slot",
    "caption_of",
    "clip_media",
    "flatten",
    "frames_at",
    "item_frames",
    "media_path",
    "owner_identity",
    "plain",
    "scriptkit_meta",
    "scriptkit_view",
    "set_metadata",
    "shot_clips",
    "shot_cuts",
    "shot_identity_from_names",
    "timeline_rate",
    "track_role",
    "video_track",
]

Frames = int

#: Media beyond each end of a shot's source range (a keyframe has any length; a movie is made this much longer),
#: so that a dissolve always has frames on both sides.
HANDLE_SECONDS = 2.0

# ------------------------------------------------------------------------------------------ metadata


def plain(value: Any) -> Any:
    """OTIO AnyDictionary / AnyVector -> plain dict / list, recursively."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    return value


def scriptkit_meta(item: Any) -> dict[str, Any]:
    """`item.metadata["scriptkit"]` as a plain dict ({} when absent)."""
    metadata = getattr(item, "metadata", None)
    if metadata is None or "scriptkit" not in metadata:
        return {}
    value = plain(metadata["scriptkit"])
    return value if isinstance(value, dict) else {}


def scriptkit_view(item: Any) -> Any:
    """`item.metadata["scriptkit"]` as stored (not copied, not converted: read it with .get), or {} when absent.

    The fast read for exporters that only look values up; `scriptkit_meta` gives a plain-dict copy."""
    return item.metadata.get("scriptkit") or {}


def caption_of(meta: Mapping[str, Any]) -> str:
    """The subtitle of a dialogue clip, from its scriptkit metadata: the caption an editor gave the line where it
    has one (`DialogueLine.caption`), else the spoken text. Every writer of subtitles reads the text through it."""
    caption = meta.get("caption")
    return str(caption if caption else meta.get("text") or "")


# ------------------------------------------------------------------------------------------ time


def timeline_rate(tl: otio.schema.Timeline) -> Fraction:
    """The timeline's exact rate: metadata["scriptkit"]["fps"], else the first clip's rate, else the global
    start's, else 24 (OTIO's float rates snapped to their rational with `scriptkit.rates.rational`)."""
    fps = scriptkit_view(tl).get("fps")
    if fps:
        try:
            return Fraction(str(fps))
        except (ValueError, ZeroDivisionError):
            pass
    for clip in tl.find_clips():
        if clip.source_range is not None and clip.source_range.duration.rate > 0:
            return rational(clip.source_range.duration.rate)
    if tl.global_start_time is not None and tl.global_start_time.rate > 0:
        return rational(tl.global_start_time.rate)
    return Fraction(24)


_FLOATS: dict[Any, float] = {}


def frames_at(time: otio.opentime.RationalTime, rate: Fraction | float) -> Frames:
    """Whole frames of `time` at `rate`; a time already at `rate` (or at rate 0) is its own value."""
    fps = _FLOATS.get(rate)
    if fps is None:
        fps = _FLOATS[rate] = float(rate)
    own = time.rate
    if own == fps or not own:
        return round(time.value)
    return round(time.value * fps / own)


def media_path(clip: otio.schema.Clip, options: ExportOptions) -> str:
    """The clip's media as a POSIX path: absolute, or relative to `options.project_dir` with
    `options.relative_media`. A non-file URL is returned unchanged (made relative the same way); "" when none."""
    url = getattr(clip.media_reference, "target_url", "") or ""
    parsed = urlparse(url)
    path = unquote(parsed.path) if parsed.scheme == "file" else url
    if options.relative_media and path:
        return Path(os.path.relpath(path, options.project_dir)).as_posix()
    return path


# ------------------------------------------------------------------------------------------ tracks


def video_track(tl: otio.schema.Timeline) -> otio.schema.Track | None:
    """The picture track: the one named V1, else the first video track."""
    videos = [t for t in tl.tracks if t.kind == otio.schema.TrackKind.Video]
    for track in videos:
        if track.name == "V1":
            return track
    return videos[0] if videos else None


def clip_media(clip: otio.schema.Clip) -> str:
    """ "still", "movie" or "audio": what a clip's media is (metadata "media"; else a shot's keyframe is a still,
    our dialogue, cues and music are audio; a clip of our own metadata-less readers or an editor's own clip is
    judged by its track: audio, else a movie)."""
    meta = scriptkit_view(clip)
    media = meta.get("media")
    if media:
        return str(media)
    kind = meta.get("kind")
    if kind == "shot":
        return "still"
    if kind in ("dialogue", "cue", "music"):
        return "audio"
    parent = clip.parent()
    return "audio" if parent is not None and parent.kind == otio.schema.TrackKind.Audio else "movie"


def shot_clips(tl: otio.schema.Timeline) -> list[otio.schema.Clip]:
    """The clips of the picture track in order (gaps and transitions left out)."""
    track = video_track(tl)
    if track is None:
        return []
    return [item for item in track if isinstance(item, otio.schema.Clip)]


def track_role(name: str, kind: str) -> tuple[str | None, str | None]:
    """(role, character) of a track read from a file without our metadata, from its kind and name."""
    if kind == otio.schema.TrackKind.Video:
        return "video", None
    upper = (name or "").upper()
    if upper.startswith("DIALOGUE"):
        return "dialogue", (name[len("DIALOGUE") :].strip() or None)
    if upper.startswith("SFX"):
        return "effects", None
    if upper.startswith("MUSIC"):
        return "music", None
    return None, None


# ------------------------------------------------------------------------------------------ ids

_SHOT = r"sc[a-z0-9]*-[a-z0-9][a-z0-9-]*-[0-9]{3,}[a-z]*"
#: A scriptkit shot id as readers recognise it in marker, clip and file names: `sc03-kitchen-004`, and a
#: hand-added one with a letter suffix (`sc-kitchen-004a`).
SHOT_ID = re.compile(rf"^{_SHOT}$")
#: A dialogue line id (`<shot id>-d2`) or a sound cue id (`<shot id>-c1`): groups shot id, kind letter.
OWNER_ID = re.compile(rf"^({_SHOT})-([dc])[0-9]+$")


def owner_identity(text: str) -> dict[str, Any]:
    """{"kind", "shot_id"[, "line_id" | "cue_id"]} of a shot, dialogue line or cue id; {} for anything else."""
    if SHOT_ID.match(text):
        return {"kind": "shot", "shot_id": text}
    sub = OWNER_ID.match(text)
    if sub is None:
        return {}
    if sub.group(2) == "d":
        return {"kind": "dialogue", "shot_id": sub.group(1), "line_id": text}
    return {"kind": "cue", "shot_id": sub.group(1), "cue_id": text}


def shot_identity_from_names(clip: otio.schema.Clip) -> dict[str, Any]:
    """A picture clip's shot id recovered from its names, for readers of files that lost our metadata: the
    first marker named like a shot id, else the clip name, else the media file's stem ({} when none is)."""
    for marker in clip.markers:
        if SHOT_ID.match(marker.name or ""):
            return {"kind": "shot", "shot_id": marker.name, "id_source": "marker"}
    if SHOT_ID.match(clip.name or ""):
        return {"kind": "shot", "shot_id": clip.name, "id_source": "clip_name"}
    url = getattr(clip.media_reference, "target_url", "") or ""
    stem = Path(unquote(urlparse(url).path)).stem
    if SHOT_ID.match(stem):
        return {"kind": "shot", "shot_id": stem, "id_source": "file_name"}
    return {}


# ------------------------------------------------------------------------------------------ flat layout


@dataclass(frozen=True, slots=True)
class Slot:
    """A clip or gap (anything but a transition) of a track: track frames [start, end) show media from
    `source_in`."""

    item: Any
    index: int
    start: Frames
    frames: Frames
    source_in: Frames

    @property
    def end(self) -> Frames:
        return self.start + self.frames


@dataclass(frozen=True, slots=True)
class Joint:
    """A transition of a track at the cut `at`, with the items directly before and after it (None at an edge)."""

    transition: otio.schema.Transition
    index: int
    at: Frames
    in_frames: Frames
    out_frames: Frames
    before: Slot | None
    after: Slot | None


def _duration(item: Any, rate: Fraction | float) -> Frames:
    try:
        return frames_at(item.duration(), rate)
    except Exception:  # a clip with no range at all: no time on the track
        return 0


def _source_in(item: Any, rate: Fraction | float) -> Frames:
    try:
        return frames_at(item.trimmed_range().start_time, rate)
    except Exception:
        return 0


def flatten(track: otio.schema.Track, rate: Fraction | float) -> tuple[list[Slot], list[Joint]]:
    """The one flat layout of a track: every clip and gap at its frame (transitions take no track time), and
    every transition with its in/out frames and its neighbours."""
    slots: list[Slot] = []
    pending: list[tuple[otio.schema.Transition, int, Frames]] = []
    joints: list[Joint] = []
    pos = 0
    for index, item in enumerate(track):
        if isinstance(item, otio.schema.Transition):
            pending.append((item, index, pos))
            continue
        n = _duration(item, rate)
        slot = Slot(item, index, pos, n, _source_in(item, rate) if isinstance(item, otio.schema.Clip) else 0)
        for transition, t_index, at in pending:
            joints.append(_joint(transition, t_index, at, rate, slots[-1] if slots else None, slot))
        pending = []
        slots.append(slot)
        pos += n
    for transition, t_index, at in pending:
        joints.append(_joint(transition, t_index, at, rate, slots[-1] if slots else None, None))
    return slots, joints


def _joint(transition: Any, index: int, at: Frames, rate: Any, before: Slot | None, after: Slot | None) -> Joint:
    return Joint(
        transition,
        index,
        at,
        frames_at(transition.in_offset, rate),
        frames_at(transition.out_offset, rate),
        before,
        after,
    )


def item_frames(track: otio.schema.Track) -> list[tuple[Any, Frames, Frames]]:
    """(item, start frame, frames) for every Clip and Gap of a track at the track's own rate."""
    rate = next((item.duration().rate for item in track if not isinstance(item, otio.schema.Transition)), 24.0)
    return [(slot.item, slot.start, slot.frames) for slot in flatten(track, rate)[0]]


def shot_cuts(tl: otio.schema.Timeline) -> list[tuple[str, Frames, Frames]]:
    """(clip name, start frame, frames) of each picture clip: what round-trip tests compare."""
    track = video_track(tl)
    if track is None:
        return []
    return [(item.name, start, n) for item, start, n in item_frames(track) if isinstance(item, otio.schema.Clip)]
