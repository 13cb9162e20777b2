"""CMX 3600 EDL: writer (picture track, plus one EDL per audio track) and reader (CMX 3600, Avid, Resolve).

Writer decisions:
- The EDL at `path` holds the picture track (channel `V`). CMX 3600 has only two audio channels (A, A2/AA)
  and our timelines have a dialogue track per character plus SFX and music, so each audio track goes to
  its own sibling file `<stem>.<TRACK>.edl` (e.g. `ep.DIALOGUE_MAYA.edl`), channel `A` for a mono
  track and `AA` for the stereo music bed. `audio_paths()` names them; `write()` writes all of them.
- Record timecode starts at the timeline start (01:00:00:00), `FCM: DROP FRAME` with `;` timecodes when
  `ExportOptions.drop_frame` (29.97 / 59.94 only), otherwise `FCM: NON-DROP FRAME`.
- Reel names are limited to 8 characters, so the reel is a short unique name derived from the shot id
  (`sc03-kitchen-004` -> `SC03K004`); the full identity rides in comment lines NLEs keep:
  `* FROM CLIP NAME:` (Avid/Resolve/Premiere), `* SOURCE FILE:`, `* SCRIPTKIT SHOT:` and a `* LOC:`
  marker named by the shot id.
- Dissolves and wipes are the usual two-line events (`C` of the outgoing clip at the transition start,
  then `D nnn` / `W001 nnn` of the incoming clip, its source in moved back by the transition's first half);
  fades are dissolves from/to the black reel `BL`.

The reader takes the rate from our `* SCRIPTKIT RATE:` comment line, else guesses it from `FCM` and the
largest frame field (an EDL does not carry its rate; pass `rate=` to `read_edl` to force one), normalises
CRLF, and uses the OTIO `cmx_3600` adapter (retrying leniently for EDLs whose source and record durations
differ, e.g. speed changes), then reshapes its result: OTIO puts a dissolve after the incoming event's
record in, we centre it on the cut; dissolves from/to the black reel become Fade In / Fade Out; a leading
fade from black (which the adapter refuses) is read as a cut plus a Fade In.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from exporters import Format
from scriptkit.contract import (
    SHOT_ID,
    frames_at,
    media_path,
    scriptkit_view,
    shot_identity_from_names,
    timeline_rate,
)
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_write_text, file_url
from scriptkit.models import ExportOptions
from scriptkit.rates import DROP_FRAME_RATES, frames_to_timecode, rate_string

#: Larger EDLs are refused unread (the longest real EDLs are a few hundred KB).
MAX_EDL_BYTES = 20 * 1024 * 1024
BLACK_REEL = "BL"


# ------------------------------------------------------------------------------------------- helpers


def reel_name(shot_id: str, used: set[str]) -> str:
    """A unique reel name of at most 8 characters (A-Z, 0-9, _) derived from a shot id."""
    match = re.match(r"^sc([a-z0-9]*)-(.+)-(\d+)$", shot_id or "", re.IGNORECASE)
    if match:
        scene, place, number = match.groups()
        prefix = f"SC{scene}".upper()
        room = 8 - len(prefix) - len(number)
        letters = re.sub(r"[^A-Z0-9]", "", place.upper())
        base = prefix + letters[: max(room, 0)] + number if room >= 1 else prefix[: 8 - len(number)] + number
    else:
        base = re.sub(r"[^A-Z0-9_]", "", (shot_id or "AX").upper()) or "AX"
    base = base[:8]
    name, n = base, 1
    while name in used:
        tail = str(n)
        name = base[: 8 - len(tail)] + tail
        n += 1
    used.add(name)
    return name


def _clean(text: str) -> str:
    return " ".join(str(text).split())


class _Writer:
    def __init__(self, rate: Fraction, drop_frame: bool, start: int, options: ExportOptions) -> None:
        self.rate = rate
        self.drop_frame = drop_frame
        self.start = start
        self.options = options
        self.lines: list[str] = []
        self.event = 0
        self.reels: dict[str, str] = {}
        self.used: set[str] = {BLACK_REEL, "AX"}
        self.tcs: dict[int, str] = {}

    def tc(self, frames: int) -> str:
        cached = self.tcs.get(frames)
        if cached is None:
            cached = self.tcs[frames] = frames_to_timecode(frames, self.rate, self.drop_frame)
        return cached

    def reel(self, clip: otio.schema.Clip) -> str:
        meta = scriptkit_view(clip)
        key = (meta.get("shot_id") if meta.get("kind") == "shot" else None) or clip.name
        if key not in self.reels:
            self.reels[key] = reel_name(key, self.used)
        return self.reels[key]

    def line(self, reel: str, channel: str, trans: str, src_in: int, src_out: int, rec_in: int, rec_out: int) -> None:
        self.lines.append(
            f"{self.event:03d}  {reel:<8} {channel:<5} {trans:<8} "
            f"{self.tc(src_in)} {self.tc(src_out)} {self.tc(self.start + rec_in)} {self.tc(self.start + rec_out)}"
        )

    def comments(self, clip: otio.schema.Clip, key: str = "FROM", position: int | None = None) -> None:
        meta = scriptkit_view(clip)
        self.lines.append(f"* {key} CLIP NAME:  {_clean(clip.name)}")
        path = media_path(clip, self.options)
        if path:
            self.lines.append(f"* SOURCE FILE: {path}")
        if meta.get("shot_id") and meta.get("kind") == "shot":
            self.lines.append(f"* SCRIPTKIT SHOT: {meta['shot_id']}")
        elif meta.get("kind"):
            owner = meta.get("line_id") or meta.get("cue_id") or clip.name
            self.lines.append(f"* SCRIPTKIT {str(meta['kind']).upper()}: {owner} SHOT {meta.get('shot_id') or '-'}")
        if position is not None:
            for marker in clip.markers:
                offset = frames_at(marker.marked_range.start_time, self.rate) - frames_at(
                    clip.source_range.start_time, self.rate
                )
                color = str(marker.color or "GREEN").upper()
                text = _clean(marker.name + (f" {marker.comment}" if marker.comment else ""))
                self.lines.append(f"* LOC: {self.tc(self.start + position + offset)} {color:<7} {text}"[:200])


def _kind(transition: otio.schema.Transition, rate: Fraction) -> str:
    kind = scriptkit_view(transition).get("kind")
    if kind in ("fade_in", "fade_out", "dissolve", "wipe"):
        return str(kind)
    if frames_at(transition.in_offset, rate) == 0:
        return "fade_in"
    if frames_at(transition.out_offset, rate) == 0:
        return "fade_out"
    return "dissolve"


def _trans_field(kind: str, frames: int) -> str:
    code = "W001" if kind == "wipe" else "D"
    return f"{code:<4} {frames:03d}"  # the columns every EDL in the corpus uses: `D    030`, `W001 030`


def _track_lines(track: otio.schema.Track, writer: _Writer, channel: str) -> None:
    rate = writer.rate
    children = list(track)
    position = 0
    for index, item in enumerate(children):
        if isinstance(item, otio.schema.Transition):
            continue
        duration = frames_at(item.source_range.duration if item.source_range else item.duration(), rate)
        if not isinstance(item, otio.schema.Clip):
            position += duration
            continue
        head = children[index - 1] if index > 0 else None
        tail = children[index + 1] if index + 1 < len(children) else None
        head = head if isinstance(head, otio.schema.Transition) else None
        tail = tail if isinstance(tail, otio.schema.Transition) else None
        src = frames_at(item.source_range.start_time, rate)
        head_in = frames_at(head.in_offset, rate) if head is not None else 0
        head_out = frames_at(head.out_offset, rate) if head is not None else 0
        tail_in = frames_at(tail.in_offset, rate) if tail is not None else 0
        rec_in = position - head_in
        rec_out = position + duration - tail_in
        src_in = src - head_in
        src_out = src + duration - tail_in
        reel = writer.reel(item)
        writer.event += 1
        if head is not None and head_in + head_out > 0:
            kind = _kind(head, rate)
            prev = children[index - 2] if index >= 2 else None
            if kind == "fade_in" or not isinstance(prev, otio.schema.Clip):
                writer.line(BLACK_REEL, channel, "C", 0, 0, rec_in, rec_in)
            else:
                prev_src_end = frames_at(prev.source_range.end_time_exclusive(), rate) - head_in
                writer.line(writer.reel(prev), channel, "C", prev_src_end, prev_src_end, rec_in, rec_in)
            writer.line(reel, channel, _trans_field(kind, head_in + head_out), src_in, src_out, rec_in, rec_out)
            if kind != "fade_in" and isinstance(prev, otio.schema.Clip):
                writer.comments(prev, "FROM")
                writer.comments(item, "TO", position)
            else:
                writer.comments(item, "TO", position)
        else:
            writer.line(reel, channel, "C", src_in, src_out, rec_in, rec_out)
            writer.comments(item, "FROM", position)
        if tail is not None and _kind(tail, rate) == "fade_out" and tail_in > 0:
            writer.event += 1
            writer.line(reel, channel, "C", src_out, src_out, rec_out, rec_out)
            writer.line(BLACK_REEL, channel, _trans_field("dissolve", tail_in), 0, tail_in, rec_out, rec_out + tail_in)
            writer.comments(item, "FROM")
        position += duration


def _drop_frame(timeline: otio.schema.Timeline, options: ExportOptions, rate: Fraction) -> bool:
    return bool(options.drop_frame or scriptkit_view(timeline).get("drop_frame")) and rate in DROP_FRAME_RATES


def _start(timeline: otio.schema.Timeline, rate: Fraction) -> int:
    if timeline.global_start_time is None:
        return 0
    return frames_at(timeline.global_start_time, rate)


def edl_text(timeline: otio.schema.Timeline, track: otio.schema.Track, options: ExportOptions) -> str:
    """The CMX 3600 text of one track of `timeline` (pure)."""
    rate = timeline_rate(timeline)
    drop_frame = _drop_frame(timeline, options, rate)
    writer = _Writer(rate, drop_frame, _start(timeline, rate), options)
    title = _clean(timeline.name or options.title)
    if track.kind == otio.schema.TrackKind.Audio:
        title = f"{title} {track.name}".strip()
        stereo = scriptkit_view(track).get("role") == "music" or int(scriptkit_view(track).get("channels") or 1) == 2
        channel = "AA" if stereo else "A"
    else:
        channel = "V"
    header = [f"TITLE: {title[:70]}", f"FCM: {'DROP FRAME' if drop_frame else 'NON-DROP FRAME'}", ""]
    _track_lines(track, writer, channel)
    lines = writer.lines
    # An EDL does not state its rate; tell our reader in a comment of the first event (readers choke on
    # comments before the first event).
    first_comment = next((i for i, line in enumerate(lines) if line.startswith("*")), len(lines))
    lines.insert(first_comment, f"* SCRIPTKIT RATE: {rate_string(rate)}")
    return "\n".join(header + lines) + "\n"


def _slug(name: str) -> str:
    """A track name as part of a file name: letters of any script kept ('DIALOGUE 林晓' -> 'DIALOGUE_林晓')."""
    return re.sub(r"[^\w-]+", "_", name.strip()).strip("_")[:80] or "AUDIO"


def audio_paths(timeline: otio.schema.Timeline, path: Path) -> list[tuple[otio.schema.Track, Path]]:
    """(audio track, sibling EDL path) for every audio track with at least one clip."""
    path = Path(path)
    out: list[tuple[otio.schema.Track, Path]] = []
    seen: set[str] = set()
    for track in timeline.audio_tracks():
        if not any(isinstance(item, otio.schema.Clip) for item in track):
            continue
        slug = _slug(track.name)
        while slug in seen:
            slug += "_"
        seen.add(slug)
        out.append((track, path.with_name(f"{path.stem}.{slug}{path.suffix or '.edl'}")))
    return out


def _picture_track(timeline: otio.schema.Timeline) -> otio.schema.Track:
    videos = list(timeline.video_tracks())
    if not videos:
        raise ScriptkitError("the timeline has no picture track to write as an EDL")
    return next((t for t in videos if t.name == "V1"), videos[0])


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    """Write the picture EDL at `path` and one EDL per audio track beside it (every file atomic)."""
    written = write_all(timeline, path, options)
    del written


def write_all(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> list[Path]:
    """Like `write`; returns every path written (picture first). Texts are built before any file is written."""
    path = Path(path)
    texts = [(path, edl_text(timeline, _picture_track(timeline), options))]
    texts += [(p, edl_text(timeline, track, options)) for track, p in audio_paths(timeline, path)]
    for target, text in texts:
        atomic_write_text(target, text)
    return [target for target, _ in texts]


# -------------------------------------------------------------------------------------------- reader

_TC = re.compile(r"\b(\d{1,2})[:;.](\d{2})[:;.](\d{2})[:;.](\d{2})\b")
_EVENT = re.compile(r"^\s*\d{1,6}\s+\S+\s+\S+\s+")


def detect_rate(text: str) -> tuple[Fraction, bool]:
    """(rate, drop frame) guessed from the FCM line and the largest frame field of the event timecodes."""
    drop_frame = bool(re.search(r"^\s*FCM:\s*DROP\s+FRAME", text, re.IGNORECASE | re.MULTILINE))
    ours = re.search(r"^\*\s*SCRIPTKIT RATE:\s*(\d+(?:/\d+)?)\s*$", text, re.MULTILINE)
    if ours:
        return Fraction(ours.group(1)), drop_frame
    max_frame = 0
    for line in text.splitlines():
        if not _EVENT.match(line) and not line.lstrip().startswith("*"):
            continue
        for match in _TC.finditer(line):
            max_frame = max(max_frame, int(match.group(4)))
        if ";" in line and _EVENT.match(line):
            drop_frame = True
    if drop_frame:
        return (Fraction(60000, 1001) if max_frame >= 30 else Fraction(30000, 1001)), True
    if max_frame >= 30:
        return Fraction(60), False
    if max_frame >= 25:
        return Fraction(30), False
    if max_frame >= 24:
        return Fraction(25), False
    return Fraction(24), False


_LEADING_FADE = re.compile(
    r"^(?P<num>\d{1,6})\s+BL\s+(?P<chan>\S+)\s+C\s+(?P<tc>\S+)\s+(?P=tc)\s+(?P<rec>\S+)\s+(?P=rec)\s*\n"
    r"(?P<d>(?P=num)\s+\S+\s+\S+\s+)D\s+(?P<frames>\d+)\s+",
    re.MULTILINE,
)


def _strip_leading_fade(text: str) -> tuple[str, int]:
    """OTIO cannot read a dissolve from black as the first event: make it a cut and return the fade frames."""
    first = next((m for m in re.finditer(r"^\d{1,6}\s+\S+", text, re.MULTILINE)), None)
    match = _LEADING_FADE.search(text)
    if first is None or match is None or match.start() != first.start():
        return text, 0
    frames = int(match.group("frames"))
    replaced = match.group("d") + "C        "
    return text[: match.start()] + replaced + text[match.end() :], frames


def _comments(item: Any) -> list[str]:
    meta = item.metadata.get("cmx_3600", {}) or {}
    return [str(c) for c in (meta.get("comments") or [])]


def _identity(clip: otio.schema.Clip, is_video: bool) -> dict[str, Any]:
    for entry in reversed(_comments(clip)):
        if not entry.upper().startswith("SCRIPTKIT"):
            continue
        key, _, value = entry[len("SCRIPTKIT") :].partition(":")
        key = key.strip().lower()
        value = value.strip()
        if key == "shot" and value:
            return {"kind": "shot", "shot_id": value, "id_source": "comment"}
        if key in ("dialogue", "cue", "music"):
            owner, _, shot = value.partition(" SHOT ")
            found: dict[str, Any] = {"kind": key, "id_source": "comment"}
            if shot.strip() and shot.strip() != "-":
                found["shot_id"] = shot.strip()
            if key == "dialogue":
                found["line_id"] = owner.strip()
            elif key == "cue":
                found["cue_id"] = owner.strip()
            return found
    return shot_identity_from_names(clip) if is_video else {}


def _is_black(item: Any) -> bool:
    if not isinstance(item, otio.schema.Clip):
        return False
    reel = str((item.metadata.get("cmx_3600", {}) or {}).get("reel") or "")
    ref = item.media_reference
    return reel.upper() in ("BL", "BLK", "BLACK") or isinstance(ref, otio.schema.GeneratorReference)


def _shift(clip: otio.schema.Clip, start_delta: int, duration_delta: int) -> None:
    rng = clip.source_range
    rate = rng.duration.rate
    clip.source_range = otio.opentime.TimeRange(
        otio.opentime.RationalTime(rng.start_time.value + start_delta, rate),
        otio.opentime.RationalTime(rng.duration.value + duration_delta, rate),
    )


def _rt(frames: float, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, rate)


def normalise_track(track: otio.schema.Track, lead_fade: int) -> None:
    """OTIO's CMX reading (a dissolve starts at the incoming event) -> the scriptkit shape (centred dissolves,
    fades as Fade In / Fade Out transitions, no black clips)."""
    for index in range(len(track) - 1, -1, -1):
        item = track[index]
        if isinstance(item, otio.schema.Clip) and item.source_range.duration.value <= 0:
            del track[index]
    index = 0
    while index < len(track):
        item = track[index]
        if not isinstance(item, otio.schema.Transition):
            index += 1
            continue
        prev = track[index - 1] if index > 0 else None
        nxt = track[index + 1] if index + 1 < len(track) else None
        total = round(item.in_offset.value + item.out_offset.value)
        rate = item.in_offset.rate or item.out_offset.rate
        if isinstance(nxt, otio.schema.Clip) and _is_black(nxt) and isinstance(prev, otio.schema.Clip):
            black = round(nxt.source_range.duration.value)
            used = min(black, total)
            _shift(prev, 0, used)
            if black > used:
                _shift(nxt, 0, used - black)
                nxt.name = "black"
            else:
                del track[index + 1]
            item.name = "Fade Out"
            item.in_offset, item.out_offset = _rt(used, rate), _rt(0, rate)
            item.metadata["scriptkit"] = {"kind": "fade_out"}
        elif not isinstance(prev, otio.schema.Clip) or _is_black(prev):
            item.name = "Fade In"
            item.in_offset, item.out_offset = _rt(0, rate), _rt(total, rate)
            item.metadata["scriptkit"] = {"kind": "fade_in"}
        elif isinstance(nxt, otio.schema.Clip):
            first = total // 2
            if round(item.in_offset.value) == 0 and first:
                _shift(prev, 0, first)
                _shift(nxt, first, -first)
            item.in_offset, item.out_offset = _rt(first, rate), _rt(total - first, rate)
            wipe = "wipe" in (item.transition_type or "").lower()
            item.name = "Wipe" if wipe else "Cross Dissolve"
            item.transition_type = otio.schema.TransitionTypes.SMPTE_Dissolve
            item.metadata["scriptkit"] = {"kind": "wipe", "wipe": "SMPTE_1"} if wipe else {"kind": "dissolve"}
        index += 1
    if lead_fade and len(track) and isinstance(track[0], otio.schema.Clip):
        rate = track[0].source_range.duration.rate
        fade = otio.schema.Transition(
            name="Fade In",
            transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
            in_offset=_rt(0, rate),
            out_offset=_rt(lead_fade, rate),
            metadata={"scriptkit": {"kind": "fade_in"}},
        )
        track.insert(0, fade)
    for index, item in enumerate(track):
        if isinstance(item, otio.schema.Clip) and _is_black(item):
            track[index] = otio.schema.Gap(source_range=item.source_range, name="black")


def read_edl(path: Path, rate: Fraction | None = None) -> otio.schema.Timeline:
    """Read a CMX 3600 EDL into a scriptkit-shaped timeline; `rate` forces the frame rate."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScriptkitError(f"cannot read file: {exc.strerror}", path) from None
    if len(data) > MAX_EDL_BYTES:
        raise ScriptkitError(f"file is larger than {MAX_EDL_BYTES // 2**20} MB; refusing to read it", path)
    if b"\x00" in data[:4096]:
        raise ScriptkitError("not a text EDL (binary data)", path)
    text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    if not any(_EVENT.match(line) and _TC.search(line) for line in text.splitlines()):
        raise ScriptkitError("no EDL events found (expected CMX 3600 event lines)", path)
    detected, drop_frame = detect_rate(text)
    rate = rate or detected
    text, lead_fade = _strip_leading_fade(text)
    module = otio.adapters.from_name("cmx_3600").module()
    timeline = None
    last_error: Exception | None = None
    for lenient in (False, True):
        try:
            timeline = module.read_from_string(text, rate=float(rate), ignore_timecode_mismatch=lenient)
            break
        except (module.EDLParseError, ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
            last_error = exc
    if timeline is None:
        raise ScriptkitError(f"cannot read this EDL: {last_error}", path)
    return fix_up(timeline, rate, drop_frame, path, lead_fade)


#: Black before the first event of an EDL that still counts as part of the timeline (see `_align_tracks`).
LEAD_BLACK_SECONDS = 10


def _align_tracks(timeline: otio.schema.Timeline, rate: Fraction) -> None:
    """OTIO starts each track at its own first record in; put the earliest at the timeline start and pad the
    others with a leading gap, so all tracks share one clock."""
    starts = []
    for track in timeline.tracks:
        if track.source_range is not None:
            starts.append(-track.source_range.start_time.value)
    if not starts:
        return
    first = min(starts)
    fps = float(rate)
    # an edit that starts a few seconds after a whole hour (01:00:00:00 + black) starts at that hour: the black
    # before the first event is part of the cut (an EDL says nothing else about where its timeline starts)
    hour = round(fps) * 3600
    if first % hour and first % hour <= LEAD_BLACK_SECONDS * fps:
        first -= first % hour
    for track in timeline.tracks:
        if track.source_range is None:
            continue
        lead = round(-track.source_range.start_time.value - first)
        track.source_range = None
        if lead > 0:
            track.insert(0, otio.schema.Gap(source_range=_range(0, lead, fps)))
    timeline.global_start_time = otio.opentime.RationalTime(round(first), fps)


def _signature(track: otio.schema.Track) -> list[tuple[str, str, str]]:
    return [(type(i).__name__, i.name, str(getattr(i, "source_range", None))) for i in track]


def _merge_stereo_pairs(timeline: otio.schema.Timeline) -> None:
    """An `AA` event puts the same clip on A1 and A2: keep one track (the stereo pair)."""
    tracks = list(timeline.tracks)
    for index in range(len(tracks) - 1, 0, -1):
        one, two = tracks[index - 1], tracks[index]
        if one.kind == two.kind == otio.schema.TrackKind.Audio and len(two) and _signature(one) == _signature(two):
            del timeline.tracks[index]
            one.metadata["scriptkit_channels"] = 2


def _range(start: int, frames: int, fps: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, fps), otio.opentime.RationalTime(frames, fps))


def fix_up(
    timeline: otio.schema.Timeline, rate: Fraction, drop_frame: bool, path: Path | str, lead_fade: int = 0
) -> otio.schema.Timeline:
    timeline.metadata["scriptkit"] = {
        "title": timeline.name,
        "width": None,
        "height": None,
        "fps": rate_string(rate),
        "drop_frame": drop_frame,
        "source": str(path),
        "format": "edl",
    }
    _align_tracks(timeline, rate)
    _merge_stereo_pairs(timeline)
    for index, track in enumerate(timeline.tracks):
        is_video = track.kind == otio.schema.TrackKind.Video
        if is_video and index == 0:
            track.name = "V1"
        stereo = "scriptkit_channels" in track.metadata
        if stereo:
            del track.metadata["scriptkit_channels"]
        track.metadata["scriptkit"] = {"role": "video" if is_video else None, "character": None}
        if stereo:
            track.metadata["scriptkit"]["channels"] = 2
        normalise_track(track, lead_fade if index == 0 else 0)
        for item in track:
            if not isinstance(item, otio.schema.Clip):
                continue
            _link_source_file(item)
            found = _identity(item, is_video)
            if found:
                item.metadata["scriptkit"] = {**scriptkit_view(item), **found}
            for marker in item.markers:
                first, _, rest = (marker.name or "").partition(" ")
                first = first.lower() if SHOT_ID.match(first.lower()) else first  # a writer may upper-case LOCs
                if found.get("shot_id") and first == found["shot_id"]:
                    marker.name = first
                    marker.comment = marker.comment or rest
                    marker.metadata["scriptkit"] = {"shot_id": first}
                    line = re.match(r"line (\d+):", rest)
                    if line:
                        marker.metadata["scriptkit"]["line"] = int(line.group(1))
    return timeline


def _link_source_file(clip: otio.schema.Clip) -> None:
    """Point a clip at the file its `* SOURCE FILE:` comment names (Resolve, Premiere and we write it; the OTIO
    reader keeps it as a comment only). Its available range stays unknown: an EDL does not say."""
    if not isinstance(clip.media_reference, otio.schema.MissingReference):
        return
    for comment in (clip.metadata.get("cmx_3600", {}) or {}).get("comments", []) or []:
        key, _, value = str(comment).partition(":")
        if key.strip().upper() == "SOURCE FILE" and value.strip():
            clip.media_reference = otio.schema.ExternalReference(target_url=file_url(Path(value.strip())))
            return


def read(path: Path) -> otio.schema.Timeline:
    return read_edl(path)


FORMAT = Format(
    name="edl",
    description="CMX 3600 EDL (picture; one EDL per audio track beside it)",
    suffixes=(".edl",),
    output="{slug}.edl",
    nles=("resolve", "premiere", "avid"),
    carries_rate=False,
    write=write,
    read=read,
    extra_paths=lambda timeline, path: [p for _, p in audio_paths(timeline, path)],
    metadata_keys=("cmx_3600", "edl"),
)
