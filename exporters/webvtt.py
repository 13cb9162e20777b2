"""WebVTT subtitles from the dialogue clips (`<v CHARACTER>` voice spans), with real timeline timings.

Like the SRT writer (exporters/subtitles.py) times run from 00:00:00.000 at the timeline start, each
dialogue clip is one cue (its exact timeline frames converted to milliseconds), cues are sorted by start
then track order, text wraps at 42 characters; UTF-8, LF line endings, deterministic. Each cue carries an
identifier (the dialogue line id) so a cue can be traced back to the shot list. A Chinese line follows the one
cue maker (scriptkit/subtitle_cues.py): its displayed lines as cut there, and a long line as several cues, the
further ones identified `<line id>#2`, `#3`... `read()` gives a timeline with a DIALOGUE track per speaker (the
cues of a split line joined again into the one line).

The cue extraction and the bounded file read are shared with the SRT writer through
exporters/subtitle_common.py (neither format module imports the other).
"""

from __future__ import annotations

import re
import textwrap
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from exporters import Format
from exporters.subtitle_common import Cue, dialogue_cues, parse_time, read_bytes, time_range
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_write_text
from scriptkit.models import ExportOptions
from scriptkit.rates import rate_string
from scriptkit.subtitle_cues import join_lines

WRAP = 42


#: How the further cues of a split line are identified: `<line id>#2`, `#3` ... (the reader joins them again).
PART = re.compile(r"^(.*)#(\d+)$")


def identifier(cue: Cue) -> str:
    """A cue's WebVTT identifier: its dialogue line id, `<line id>#N` for the N-th cue of a split line."""
    return (cue.line_id + (f"#{cue.part}" if cue.part > 1 else "")).replace("-->", "--")


def vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_text(timeline: otio.schema.Timeline) -> str:
    blocks = ["WEBVTT"]
    for cue in dialogue_cues(timeline):
        start, end, who = cue.start_ms, cue.end_ms, cue.character
        if cue.lines is not None:
            lines = [_escape(line) for line in cue.lines] or [""]
        else:
            lines = textwrap.wrap(_escape(cue.text), WRAP) or [""]
        if who:
            lines[0] = f"<v {_escape(who)}>{lines[0]}"
        blocks.append("\n".join([identifier(cue), f"{vtt_time(start)} --> {vtt_time(end)}", *lines]))
    return "\n\n".join(blocks) + "\n"


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    """Write the dialogue as WebVTT at `path` (atomically)."""
    del options
    atomic_write_text(Path(path), vtt_text(timeline))


# -------------------------------------------------------------------------------------------- reader

_TIMING = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2})\.(\d{3})\s*-->\s*(?:(\d+):)?(\d{1,2}):(\d{2})\.(\d{3})")
_VOICE = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]*)>")


def read(path: Path) -> otio.schema.Timeline:
    """Read a WebVTT file into DIALOGUE <VOICE> tracks at 25 fps (text, speaker and line id in clip metadata)."""
    path = Path(path)
    text = read_bytes(path).decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines[0].startswith("WEBVTT"):
        raise ScriptkitError("not a WebVTT file (no WEBVTT header)", path, 1)
    entries: list[tuple[int, int, str, str, str]] = []
    for index, line in enumerate(lines):
        match = _TIMING.match(line)
        if not match:
            continue
        start, end = parse_time(*match.groups()[:4]), parse_time(*match.groups()[4:])
        if end < start:
            raise ScriptkitError("cue ends before it starts", path, index + 1)
        identifier = lines[index - 1].strip() if index > 0 else ""
        body: list[str] = []
        cursor = index + 1
        while cursor < len(lines) and lines[cursor].strip():
            body.append(lines[cursor].strip())
            cursor += 1
        joined = join_lines(body)
        voice = _VOICE.match(joined)
        who = voice.group(1).strip() if voice else ""
        plain = re.sub(r"<[^>]*>", "", joined).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        entries.append((start, end, plain, who, identifier))
    if not entries:
        raise ScriptkitError("no subtitle cues found", path)
    return _timeline(_join_parts(entries), path)


def _join_parts(entries: list[tuple[int, int, str, str, str]]) -> list[tuple[int, int, str, str, str]]:
    """The cues of a split line (`<line id>#N` after `<line id>`) as the one line they show: from its first cue's
    start to its last cue's end, the texts joined."""
    out: list[tuple[int, int, str, str, str]] = []
    for start, end, plain, who, identifier in entries:
        part = PART.match(identifier)
        if part and out and out[-1][4] == part.group(1) and out[-1][3] == who:
            first = out[-1]
            out[-1] = (first[0], max(first[1], end), join_lines([first[2], plain]), who, first[4])
            continue
        out.append((start, end, plain, who, identifier))
    return out


def _timeline(entries: list[tuple[int, int, str, str, str]], path: Path) -> otio.schema.Timeline:
    """One DIALOGUE <VOICE> track per speaker (cues in time order; an overlapping cue on an extra track)."""
    rate = Fraction(25)
    fps = float(rate)
    tracks: dict[str, tuple[otio.schema.Track, list[int]]] = {}
    for start_ms, end_ms, plain, who, identifier in sorted(entries):
        start = round(Fraction(start_ms, 1000) * rate)
        end = max(start + 1, round(Fraction(end_ms, 1000) * rate))
        base = f"DIALOGUE {who}".strip()
        name, n = base, 1
        while name in tracks and tracks[name][1][0] > start:
            n += 1
            name = f"{base} {n}"
        if name not in tracks:
            track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
            track.metadata["scriptkit"] = {"role": "dialogue", "character": who or None}
            tracks[name] = (track, [0])
        track, cursor = tracks[name]
        if start > cursor[0]:
            track.append(otio.schema.Gap(source_range=time_range(0, start - cursor[0], fps)))
        clip = otio.schema.Clip(name=identifier or f"cue-{len(track)}", source_range=time_range(0, end - start, fps))
        clip.metadata["scriptkit"] = {"kind": "dialogue", "text": plain, "character": who or None}
        if identifier:
            clip.metadata["scriptkit"]["line_id"] = identifier
        track.append(clip)
        cursor[0] = end
    timeline = otio.schema.Timeline(name=path.stem)
    for track, _ in tracks.values():
        timeline.tracks.append(track)
    timeline.metadata["scriptkit"] = {
        "title": path.stem,
        "fps": rate_string(rate),
        "source": str(path),
        "format": "vtt",
    }
    return timeline


FORMAT = Format(
    name="vtt",
    description="WebVTT subtitles of the dialogue",
    suffixes=(".vtt",),
    output="{slug}.vtt",
    when="always",
    timeline=False,
    write=write,
    read=read,
)
