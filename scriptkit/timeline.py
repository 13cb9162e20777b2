"""Timeline assembly: ShotList + Assets -> the one OpenTimelineIO timeline whose shape `scriptkit.contract` describes.

Shot durations: a shot is max(planned frames, frames needed to hold its dialogue: the end of its last
line's real voice duration + a short tail), so a shot never ends before its dialogue.
A V.O. line (extension "V.O.") may run on under the next shot (an L-cut) and does not lengthen its own
shot; the last shot always holds every line to its end.

Transitions never exceed their neighbours: each side of a dissolve/wipe is at most half of its clip and at
most HANDLE_SECONDS; a fade is at most half of its clip. A longer transition is shortened, and the fix-up
is reported in plain words in `metadata["scriptkit"]["fixups"]` (and logged). A dissolve on an edge that
also fades through black is dropped (the fade wins) and reported the same way.


Bad input raises ScriptkitError before anything is built: an unsupported rate, drop-frame at a rate without
drop-frame timecode, no shots, a shot shorter than one frame, a missing keyframe / voice / cue asset.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote

import opentimelineio as otio

from scriptkit import __version__, mix
from scriptkit.contract import HANDLE_SECONDS, set_metadata
from scriptkit.errors import ScriptkitError
from scriptkit.io import file_url
from scriptkit.mix import duck_keyframes
from scriptkit.models import Asset, Assets, DialogueLine, MusicBed, Shot, ShotList, SoundCue, Transition
from scriptkit.rates import (
    DROP_FRAME_RATES,
    SUPPORTED_RATES,
    rate_string,
    seconds_to_frames,
    timecode_to_frames,
)

BLACK_SECONDS = 0.5
#: Silence held after a shot's last line of dialogue before the cut.
TAIL_SECONDS = 0.25
#: How early a line may come in over a cut-off (`--`) line before it.
CUT_IN_SECONDS = 0.2

log = logging.getLogger("scriptkit.timeline")

Frames = int


# ------------------------------------------------------------------------------------------ helpers


@functools.lru_cache(maxsize=4096)
def frames_of(seconds: float, rate: Fraction) -> Frames:
    """Round seconds to the nearest frame."""
    return seconds_to_frames(seconds, rate)


@functools.lru_cache(maxsize=4096)
def frames_ceil(seconds: float, rate: Fraction) -> Frames:
    """Whole frames that hold `seconds` of sound (rounded up; a hair over a frame boundary is not a frame)."""
    exact = Fraction(seconds).limit_denominator(1_000_000) * rate
    return max(1, math.ceil(exact - Fraction(1, 1000)))


def start_frames(rate: Fraction, drop_frame: bool) -> Frames:
    """01:00:00:00 at `rate` as a frame count."""
    return timecode_to_frames("01:00:00;00" if drop_frame else "01:00:00:00", rate, drop_frame)


def is_vo(line: DialogueLine) -> bool:
    return any(ext.replace(" ", "").upper().rstrip(".") in ("V.O", "VO") for ext in line.extensions)


# ------------------------------------------------------------------------------------------ validation


def check_rate(shotlist: ShotList) -> Fraction:
    """The shot list's exact rate, or ScriptkitError for a rate or drop-frame setting NLEs do not share."""
    where = shotlist.source or None
    rate = Fraction(shotlist.fps)
    if rate not in SUPPORTED_RATES.values():
        raise ScriptkitError(
            f"unsupported frame rate {shotlist.fps!r}",
            where,
            hint="use one of " + ", ".join(SUPPORTED_RATES),
        )
    if shotlist.drop_frame and rate not in DROP_FRAME_RATES:
        raise ScriptkitError(
            f"drop-frame timecode exists only at 29.97 and 59.94, not at {shotlist.fps}",
            where,
            hint="set drop_frame: false",
        )
    return rate


def _need(table: dict[str, Asset], key: str, what: str, media_dir: Path) -> Asset:
    asset = table.get(key)
    if asset is None:
        raise ScriptkitError(f"no {what} for {key!r}", media_dir / "assets.json", hint="run `scriptkit generate`")
    return asset


# ------------------------------------------------------------------------------------------ layout


@dataclass
class _Placed:
    """An audio clip at an absolute timeline frame."""

    start: Frames
    frames: Frames
    clip: otio.schema.Clip


@dataclass
class _Layout:
    starts: list[Frames] = field(default_factory=list)
    frames: list[Frames] = field(default_factory=list)
    black_before: list[bool] = field(default_factory=list)
    dialogue: dict[str, list[_Placed]] = field(default_factory=dict)
    cues: list[_Placed] = field(default_factory=list)
    end: Frames = 0


def _edge_kind(prev: Shot | None, shot: Shot) -> Transition | None:
    """The dissolve/wipe joining `prev` to `shot` (the incoming shot's transition_in wins)."""
    for tr in (shot.transition_in, prev.transition_out if prev else None):
        if tr is not None and tr.kind in ("dissolve", "wipe") and tr.duration > 0:
            return tr
    return None


def _fades_in(shot: Shot) -> bool:
    return shot.transition_in is not None and shot.transition_in.kind == "fade" and shot.transition_in.duration > 0


def _fades_out(shot: Shot) -> bool:
    return shot.transition_out is not None and shot.transition_out.kind == "fade" and shot.transition_out.duration > 0


def _cuts_to_black(shot: Shot) -> bool:
    """`CUT TO BLACK.` after the shot: a hard cut to black (no transition frames), black before what follows."""
    return shot.transition_out is not None and shot.transition_out.tag == "cut_to_black"


def _place(track: list[_Placed], start: Frames, frames: Frames, clip: otio.schema.Clip) -> _Placed:
    """Append a clip to an audio lane at `start`, pushed later so it never overlaps the lane's last clip."""
    if track:
        start = max(start, track[-1].start + track[-1].frames)
    placed = _Placed(max(0, start), frames, clip)
    track.append(placed)
    return placed


def _track_key(shotlist: ShotList, character: str, shared: bool) -> str:
    """The dialogue track of a character: its cast name, so an alias (`GULLIVER THE GULL`) shares its track."""
    member = shotlist.member(character)
    return "DIALOGUE" if shared else f"DIALOGUE {member.name if member else character.upper()}"


@functools.lru_cache(maxsize=64)
def _float_rate(rate: Fraction) -> float:
    return float(rate)


def _rt(frames: int, rate: Fraction) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, _float_rate(rate))


def _range(start: int, frames: int, rate: Fraction) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start, rate), _rt(frames, rate))


@functools.lru_cache(maxsize=256)
def _folder_url(media_dir: Path, folder: str) -> str:
    return file_url(media_dir / folder)


def _media_url(media_dir: Path, rel: str) -> tuple[str, str]:
    """(file URL, file name) of `rel` under `media_dir`: `file_url(media_dir / rel)`, with the folder's URL
    computed once per folder (thousands of assets share a few folders)."""
    folder, _, name = rel.rpartition("/")
    if name in ("", ".", ".."):
        return file_url(media_dir / rel), Path(rel).name
    base = _folder_url(media_dir, folder)
    return base + ("" if base.endswith("/") else "/") + quote(name, safe="/-_.~"), name


def _reference(asset: Asset, media_dir: Path, frames: int, rate: Fraction) -> otio.schema.ExternalReference:
    url, name = _media_url(Path(media_dir), asset.path)
    ref = otio.schema.ExternalReference(target_url=url, available_range=_range(0, frames, rate))
    ref.name = name
    return ref


def _common(kind: str, shot_id: str | None, asset: Asset) -> dict[str, Any]:
    meta: dict[str, Any] = {"kind": kind, "shot_id": shot_id, "asset_hash": asset.sha256, "asset_path": asset.path}
    if asset.sample_rate:
        meta["sample_rate"] = asset.sample_rate
    if asset.channels:
        meta["channels"] = asset.channels
    if asset.media == "audio" and asset.duration:
        meta["media_seconds"] = asset.duration  # the file's true length (an NLE's audio asset is not frame-rounded)
    return meta


def _dialogue_clip(shot: Shot, line: DialogueLine, asset: Asset, frames: int, media_dir: Path, rate: Fraction):
    split = "vo" if is_vo(line) else ("pre_lap" if line.offset < 0 else None)
    clip = otio.schema.Clip(
        name=line.id,
        media_reference=_reference(asset, media_dir, frames, rate),
        source_range=_range(0, frames, rate),
    )
    meta = _common("dialogue", shot.id, asset)
    meta.update(
        {
            "line_id": line.id,
            "character": line.character,
            "text": line.text,
            "line": line.line,
            "parenthetical": line.parenthetical,
            "extensions": list(line.extensions),
            "split": split,
            "level_db": mix.DIALOGUE_DB,
        }
    )
    if line.caption is not None:  # the subtitle an editor rewrote (the voice speaks `text`)
        meta["caption"] = line.caption
    set_metadata(clip, "scriptkit", meta)
    return clip


def _cue_clip(shot: Shot, cue: SoundCue, asset: Asset, frames: int, media_dir: Path, rate: Fraction):
    clip = otio.schema.Clip(
        name=cue.id,
        media_reference=_reference(asset, media_dir, frames, rate),
        source_range=_range(0, frames, rate),
    )
    meta = _common("cue", shot.id, asset)
    meta.update(
        {"cue_id": cue.id, "word": cue.word, "line": cue.line, "cue_kind": cue.kind, "level_db": mix.EFFECTS_DB}
    )
    set_metadata(clip, "scriptkit", meta)
    marker = otio.schema.Marker(name=cue.word, marked_range=_range(0, 1, rate), color=otio.schema.MarkerColor.ORANGE)
    set_metadata(marker, "scriptkit", {"cue_id": cue.id, "line": cue.line})
    clip.markers.append(marker)
    return clip


def _cut_off(line: DialogueLine) -> bool:
    """A line that ends in a dash is interrupted: the next speaker may come in over its last moment."""
    return line.text.rstrip().endswith(("--", "—", "–"))


def _dialogue_starts(
    shot: Shot, lengths: list[Frames], start: Frames, heard: Frames, rate: Fraction
) -> list[tuple[Frames, bool]]:
    """(start frame, may overlap) of each line of `shot`, laid out from the real voice lengths.

    The first line starts at its planned offset, each later one after the real end of the line before it plus
    the pause the plan left between them (a dual-dialogue partner starts with its line). No line starts before
    the last line heard ends (`heard`, across every speaker), except dual dialogue and a line that interrupts
    a cut-off (`--`) line, which may come in `CUT_IN_SECONDS` early.
    """
    out: list[tuple[Frames, bool]] = []
    dual = "dual" in shot.tags
    prev_end = heard
    for n, (line, frames) in enumerate(zip(shot.dialogue, lengths, strict=True)):
        if n == 0:
            at = start + frames_of(line.offset, rate)
        else:
            before = shot.dialogue[n - 1]
            pause = line.offset - (before.offset + before.duration)
            at = out[-1][0] + lengths[n - 1] + frames_of(pause, rate)
        together = dual and n > 0 and line.offset <= shot.dialogue[n - 1].offset
        cut_in = n > 0 and _cut_off(shot.dialogue[n - 1])
        early = frames_of(CUT_IN_SECONDS, rate) if cut_in else 0
        if cut_in:  # the next speaker does not wait for the interrupted line to end
            at = out[-1][0] + lengths[n - 1] - early
        if not together:
            at = max(at, prev_end - early)
        out.append((max(0, at), together or cut_in))
        prev_end = max(prev_end, out[-1][0] + frames)
    return out


def _layout(shotlist: ShotList, assets: Assets, media_dir: Path, rate: Fraction, shared: bool) -> _Layout:
    """Frame positions of every shot and every audio clip (a pure function of the inputs)."""
    lay = _Layout()
    black = frames_of(BLACK_SECONDS, rate)
    tail = frames_of(TAIL_SECONDS, rate)
    cursor = 0
    heard = 0  # where the last line of dialogue heard so far ends, on any track
    last = len(shotlist.shots) - 1
    for i, shot in enumerate(shotlist.shots):
        planned = frames_of(shot.duration, rate)
        if planned < 1:
            raise ScriptkitError(
                f"shot {shot.id} lasts {shot.duration} s, less than one frame at {shotlist.fps} fps",
                shotlist.source or None,
                shot.source_line,
            )
        _need(assets.images, shot.id, "keyframe image", media_dir)
        prev = shotlist.shots[i - 1] if i else None
        gap = prev is not None and (_fades_out(prev) or _fades_in(shot) or _cuts_to_black(prev))
        lay.black_before.append(gap)
        if gap:
            cursor += black
        early = -frames_of(shot.dialogue[0].offset, rate) if shot.dialogue and shot.dialogue[0].offset < 0 else 0
        if i and early and cursor - early < heard:  # a PRE-LAP waits for the last line: the previous shot holds
            lay.frames[-1] += heard - (cursor - early)
            cursor = heard + early
        start = cursor
        need = planned
        voices = [_need(assets.voices, line.id, "voice", media_dir) for line in shot.dialogue]
        lengths = [
            frames_ceil(asset.duration if asset.duration else line.duration or 1.0, rate)
            for line, asset in zip(shot.dialogue, voices, strict=True)
        ]
        starts = _dialogue_starts(shot, lengths, start, heard, rate)
        for line, asset, n, (at, overlaps) in zip(shot.dialogue, voices, lengths, starts, strict=True):
            clip = _dialogue_clip(shot, line, asset, n, media_dir, rate)
            if overlaps:
                clip.metadata["scriptkit"]["overlap"] = True
            lane = lay.dialogue.setdefault(_track_key(shotlist, line.character, shared), [])
            placed = _place(lane, at, n, clip)
            heard = max(heard, placed.start + placed.frames)
            if not (is_vo(line) and i < last):
                need = max(need, placed.start + placed.frames - start + tail)
        for cue in shot.cues:
            asset = _need(assets.cues, cue.id, "sound cue", media_dir)
            n = frames_ceil(asset.duration if asset.duration else cue.duration, rate)
            _place(lay.cues, start + frames_of(cue.offset, rate), n, _cue_clip(shot, cue, asset, n, media_dir, rate))
        lay.starts.append(start)
        lay.frames.append(need)
        cursor = start + need
    # the last shot holds every line still playing (a V.O. from an earlier shot may run on that far)
    if heard + tail > cursor:
        lay.frames[-1] += heard + tail - cursor
        cursor = heard + tail
    if shotlist.shots and _cuts_to_black(shotlist.shots[-1]):
        cursor += black  # the episode ends on black
    lay.end = cursor
    return lay


# ------------------------------------------------------------------------------------------ transitions


@dataclass(frozen=True)
class _Picture:
    """What a shot's clip shows: its keyframe (a still: any length, a handle each side) or its movie (the frames
    it holds: the source range sits inside them, what is left over split into a head and a tail handle)."""

    asset: Asset
    head: int
    tail: int
    available: int


def _picture(shot: Shot, assets: Assets, frames: int, handle: int, rate: Fraction, fixups: list[str]) -> _Picture:
    movie = assets.movies.get(shot.id)
    if movie is not None and movie.length:
        length = math.floor(Fraction(movie.length).limit_denominator(1_000_000) * rate + Fraction(1, 1000))
        spare = length - frames
        if spare >= 0:
            head = min(handle, spare // 2)
            return _Picture(movie, head, spare - head, length)
        fixups.append(
            f"shot {shot.id}: its movie holds {length} frames, fewer than the shot's {frames}; the keyframe is used"
        )
    return _Picture(assets.images[shot.id], handle, handle, frames + 2 * handle)


def _split_dissolve(total: int, lim_a: int, lim_b: int) -> tuple[int, int, int]:
    """(total, in_offset, out_offset) for a centred dissolve, shortened until both sides fit."""
    total = min(total, lim_a + lim_b)
    while total > 0 and (total // 2 > lim_a or total - total // 2 > lim_b):
        total -= 1
    return total, total // 2, total - total // 2


def _transition(name: str, kind: str, shot_id: str, in_off: int, out_off: int, rate: Fraction, **extra: Any):
    meta: dict[str, Any] = {"kind": kind, "shot_id": shot_id}
    meta.update(extra)
    tr = otio.schema.Transition(
        name=name,
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=_rt(in_off, rate),
        out_offset=_rt(out_off, rate),
    )
    set_metadata(tr, "scriptkit", meta)
    return tr


def _shot_clip(shot: Shot, picture: _Picture, frames: int, media_dir: Path, rate: Fraction):
    asset, handle = picture.asset, picture.head
    clip = otio.schema.Clip(
        name=shot.id,
        media_reference=_reference(asset, media_dir, picture.available, rate),
        source_range=_range(handle, frames, rate),
    )
    meta = _common("shot", shot.id, asset)
    if asset.media != "still":
        meta["media"] = asset.media
    meta.update(
        {
            "scene_id": shot.scene_id,
            "line": shot.source_line,
            "prompt": shot.prompt,
            "seed": shot.seed,
            "size": shot.size,
            "move": shot.move,
            "characters": list(shot.characters),
            "action": shot.action,
            "description": shot.description,
            "tags": list(shot.tags),
            "duration_planned": shot.duration,
        }
    )
    set_metadata(clip, "scriptkit", meta)
    marker = otio.schema.Marker(
        name=shot.id,
        marked_range=_range(handle, 1, rate),
        color=otio.schema.MarkerColor.GREEN,
        comment=f"line {shot.source_line}: {shot.action[:120]}".rstrip(": ").rstrip(),
    )
    set_metadata(marker, "scriptkit", {"shot_id": shot.id, "line": shot.source_line})
    clip.markers.append(marker)
    return clip


def _video_track(shotlist: ShotList, assets: Assets, media_dir: Path, rate: Fraction, lay: _Layout, fixups: list[str]):
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    set_metadata(track, "scriptkit", {"role": "video", "character": None})
    handle = frames_of(HANDLE_SECONDS, rate)
    black = frames_of(BLACK_SECONDS, rate)
    pictures = [_picture(shot, assets, lay.frames[i], handle, rate, fixups) for i, shot in enumerate(shotlist.shots)]
    used_head = 0  # frames of the current clip already taken by the transition at its start
    for i, shot in enumerate(shotlist.shots):
        frames = lay.frames[i]
        prev = shotlist.shots[i - 1] if i else None
        if prev is not None and _fades_out(prev):
            n = frames_of(prev.transition_out.duration, rate)  # type: ignore[union-attr]
            lim = min(lay.frames[i - 1] // 2, lay.frames[i - 1] - used_head)
            n = _fade_fit(n, lim, prev.id, "fade out", fixups)
            if n:
                track.append(_transition("Fade Out", "fade_out", prev.id, n, 0, rate))
        if lay.black_before[i]:
            edge = _edge_kind(prev, shot)
            if edge is not None:
                fixups.append(f"shot {shot.id}: {edge.kind} dropped, the edge already fades through black")
            track.append(otio.schema.Gap(source_range=_range(0, black, rate), name="black"))
        used_head = 0
        if _fades_in(shot) and (i == 0 or lay.black_before[i]):
            n = _fade_fit(frames_of(shot.transition_in.duration, rate), frames // 2, shot.id, "fade in", fixups)  # type: ignore[union-attr]
            if n:
                track.append(_transition("Fade In", "fade_in", shot.id, 0, n, rate))
                used_head = n
        elif prev is not None and not lay.black_before[i]:
            edge = _edge_kind(prev, shot)
            if edge is not None:
                a, b = lay.frames[i - 1], frames
                limits = min(a // 2, pictures[i].head), min(b // 2, pictures[i - 1].tail)
                used_head = _dissolve(track, edge, shot, limits, rate, fixups)
        track.append(_shot_clip(shot, pictures[i], frames, media_dir, rate))
    last = shotlist.shots[-1]
    if _fades_out(last):
        lim = min(lay.frames[-1] // 2, lay.frames[-1] - used_head)
        n = _fade_fit(frames_of(last.transition_out.duration, rate), lim, last.id, "fade out", fixups)  # type: ignore[union-attr]
        if n:
            track.append(_transition("Fade Out", "fade_out", last.id, n, 0, rate))
    if _cuts_to_black(last):
        track.append(otio.schema.Gap(source_range=_range(0, black, rate), name="black"))
    return track


def _fade_fit(n: int, limit: int, shot_id: str, what: str, fixups: list[str]) -> int:
    if n > limit:
        fixups.append(f"shot {shot_id}: {what} of {n} frames shortened to {limit} frames (the shot is too short)")
        return limit
    return n


def _dissolve(track, edge: Transition, shot: Shot, limits: tuple[int, int], rate, fixups) -> int:
    """Append the dissolve/wipe into `shot`; returns the frames it takes from the incoming clip.

    `limits`: the most it may run before the cut (half the outgoing clip, and the incoming media's head
    handle) and after it (half the incoming clip, and the outgoing media's tail handle)."""
    wanted = frames_of(edge.duration, rate)
    total, in_off, out_off = _split_dissolve(wanted, *limits)
    if total < wanted:
        fixups.append(
            f"shot {shot.id}: {edge.kind} of {wanted} frames shortened to {total} frames "
            f"(a transition may take at most half of each neighbour and {HANDLE_SECONDS:g} s of handle)"
        )
    if total == 0:
        return 0
    extra: dict[str, Any] = {"frames_planned": wanted, "tag": edge.tag}
    name = "Cross Dissolve"
    if edge.kind == "wipe":
        extra["wipe"] = edge.wipe or "wipe"
        name = "Wipe"
    track.append(_transition(name, edge.kind, shot.id, in_off, out_off, rate, **extra))
    return out_off


# ------------------------------------------------------------------------------------------ assembly


def _audio_track(name: str, role: str, character: str | None, placed: list[_Placed], rate: Fraction):
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
    set_metadata(track, "scriptkit", {"role": role, "character": character})
    cursor = 0
    for item in placed:
        if item.start > cursor:
            track.append(otio.schema.Gap(source_range=_range(0, item.start - cursor, rate)))
        track.append(item.clip)
        cursor = item.start + item.frames
    return track


def _fit_cues(cues: list[_Placed], end: int, rate: Fraction, fixups: list[str]) -> list[_Placed]:
    """Trim sound cues that would run past the picture's end (a cue with no room left is dropped)."""
    kept: list[_Placed] = []
    for item in cues:
        if item.start >= end:
            fixups.append(f"cue {item.clip.name}: dropped, it would start after the last shot")
            continue
        if item.start + item.frames > end:
            item.frames = end - item.start
            item.clip.source_range = _range(0, item.frames, rate)
        kept.append(item)
    return kept


def build_timeline(
    shotlist: ShotList, assets: Assets, media_dir: Path, *, dialogue_tracks: str | None = None
) -> otio.schema.Timeline:
    """Assemble the timeline described in this module's docstring. Pure: reads no files."""
    rate = check_rate(shotlist)
    if not shotlist.shots:
        raise ScriptkitError("the shot list has no shots", shotlist.source or None)
    if dialogue_tracks not in (None, "per_character", "shared"):
        raise ScriptkitError(f"dialogue_tracks must be 'per_character' or 'shared', not {dialogue_tracks!r}")
    shared = dialogue_tracks == "shared"
    media_dir = Path(media_dir)
    fixups: list[str] = []

    lay = _layout(shotlist, assets, media_dir, rate, shared)
    tl = otio.schema.Timeline(name=shotlist.title)
    tl.global_start_time = _rt(start_frames(rate, shotlist.drop_frame), rate)
    tl.tracks.append(_video_track(shotlist, assets, media_dir, rate, lay, fixups))

    order = _dialogue_order(shotlist)
    for key in sorted(lay.dialogue, key=lambda k: order.get(k, len(order))):
        character = None if shared else lay.dialogue[key][0].clip.metadata["scriptkit"]["character"]
        tl.tracks.append(_audio_track(key, "dialogue", character, lay.dialogue[key], rate))
    tl.tracks.append(_audio_track("SFX", "effects", None, _fit_cues(lay.cues, lay.end, rate, fixups), rate))
    if shotlist.music is not None and assets.music is not None:
        spans = [(p.start, p.start + p.frames) for lane in lay.dialogue.values() for p in lane]
        tl.tracks.append(_music_track(shotlist, assets.music, media_dir, lay.end, rate, spans))

    for text in summarise(fixups):
        log.warning("%s", text)
    set_metadata(
        tl,
        "scriptkit",
        {
            "title": shotlist.title,
            "width": shotlist.width,
            "height": shotlist.height,
            "fps": rate_string(rate),
            "drop_frame": shotlist.drop_frame,
            "template": shotlist.template,
            "tool_version": __version__,
            "fixups": fixups,
        },
    )
    return tl


def summarise(fixups: list[str], listed: int = 5) -> list[str]:
    """The fix-ups as the user reads them: one line per kind of fix-up ("shot X: wipe dropped, ..." on 16 shots
    is one line naming the first few shots), a kind met once as it is."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for text in fixups:
        subject, _, what = text.partition(": ")
        groups.setdefault(re.sub(r"[0-9]+", "#", what), []).append((subject, what))
    lines = []
    for items in groups.values():
        if len(items) == 1:
            lines.append(f"{items[0][0]}: {items[0][1]}")
            continue
        names = ", ".join(subject for subject, _ in items[:listed])
        more = f" and {len(items) - listed} more" if len(items) > listed else ""
        lines.append(f"{items[0][1]}: {len(items)} times ({names}{more})")
    return lines


def _dialogue_order(shotlist: ShotList) -> dict[str, int]:
    """Track key -> position: the shot list's characters first, then others as they first speak."""
    names = [c.upper() for c in shotlist.characters]
    for shot in shotlist.shots:
        for line in shot.dialogue:
            if line.character.upper() not in names:
                names.append(line.character.upper())
    order = {f"DIALOGUE {name}": n for n, name in enumerate(names)}
    order["DIALOGUE"] = 0
    return order


def _music_track(
    shotlist: ShotList, asset: Asset, media_dir: Path, end: int, rate: Fraction, spans: list[tuple[int, int]]
):
    available = frames_ceil(asset.duration, rate) if asset.duration else end
    frames = min(available, end)
    level = shotlist.music.level_db if shotlist.music else MusicBed().level_db
    duck = duck_keyframes(spans, 0, frames, level, frames_of(mix.DUCK_ATTACK, rate), frames_of(mix.DUCK_RELEASE, rate))
    clip = otio.schema.Clip(
        name=shotlist.music.id if shotlist.music else "music-bed",
        media_reference=_reference(asset, media_dir, available, rate),
        source_range=_range(0, frames, rate),
    )
    meta = _common("music", None, asset)
    meta.update(
        {
            "level_db": level,
            "duck": [[frame, db] for frame, db in duck],
            "description": shotlist.music.description if shotlist.music else "",
        }
    )
    set_metadata(clip, "scriptkit", meta)
    track = _audio_track("MUSIC", "music", None, [], rate)
    track.append(clip)
    return track
