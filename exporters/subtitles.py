"""SRT subtitles from the dialogue clips, with their real timeline timings.

Times run from 00:00:00,000 at the timeline start (not from the 01:00:00:00 timecode): that is how SRT
files are used beside a movie and how NLEs import them onto a sequence. Each dialogue clip is one cue:
start and end are its frames on the timeline converted exactly (rational) to milliseconds; cues are sorted
by start, then by track order, and numbered from 1; text is wrapped at 42 characters. A line in Han script
follows the Chinese subtitle rules of the one cue maker (scriptkit/subtitle_cues.py): its displayed lines as
cut there, and a long line as several cues over its clip. Output is UTF-8 with
CRLF line endings (what most players and NLEs expect) and deterministic. `read()` turns an SRT back into a
timeline with one shared "DIALOGUE" track (a clip per cue, text in metadata), for checks and conform; the
lines of a cue are joined as the cue maker joins them (no space between two Han characters). SRT has no cue
ids, so the cues of a split Chinese line read back as those cues, exactly as written (WebVTT's `#N`
identifiers let its reader join them into the line).
"""

from __future__ import annotations

import re
import textwrap
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from exporters import Format
from exporters.subtitle_common import dialogue_cues, parse_time, read_bytes, time_range
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_write_text
from scriptkit.models import ExportOptions
from scriptkit.rates import rate_string
from scriptkit.subtitle_cues import join_lines

WRAP = 42


def srt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d},{millis:03d}"


def wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WRAP) or [""]


def srt_text(timeline: otio.schema.Timeline) -> str:
    blocks: list[str] = []
    for number, cue in enumerate(dialogue_cues(timeline), start=1):
        text = list(cue.lines) if cue.lines is not None else wrap(cue.text)
        lines = [str(number), f"{srt_time(cue.start_ms)} --> {srt_time(cue.end_ms)}", *text]
        blocks.append("\r\n".join(lines))
    return "\r\n\r\n".join(blocks) + ("\r\n" if blocks else "")


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    """Write the dialogue as SRT at `path` (atomically)."""
    del options
    atomic_write_text(Path(path), srt_text(timeline))


# -------------------------------------------------------------------------------------------- reader

_TIMING = re.compile(
    r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{3})\s*-->\s*(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{3})(?:\s.*)?$"
)


def parse_cues(text: str, path: Path | str) -> list[tuple[int, int, str, int]]:
    """(start ms, end ms, text, line number) for every cue block of an SRT or WebVTT text."""
    cues: list[tuple[int, int, str, int]] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    while index < len(lines):
        match = _TIMING.match(lines[index])
        if not match:
            index += 1
            continue
        groups = match.groups()
        start = parse_time(*groups[:4])
        end = parse_time(*groups[4:])
        if end < start:
            raise ScriptkitError("cue ends before it starts", path, index + 1)
        body: list[str] = []
        number = index + 1
        index += 1
        while index < len(lines) and lines[index].strip():
            body.append(lines[index].strip())
            index += 1
        cues.append((start, end, join_lines(body), number))
    return cues


def cues_to_timeline(
    cues: list[tuple[int, int, str, int]], path: Path | str, fmt: str, rate: Fraction = Fraction(25)
) -> otio.schema.Timeline:
    """A timeline of DIALOGUE tracks at `rate`: cues in time order, an overlapping cue on the next track."""
    fps = float(rate)
    timeline = otio.schema.Timeline(name=Path(path).stem)
    lanes: list[tuple[otio.schema.Track, list[int]]] = []
    for number, (start_ms, end_ms, text, _line) in enumerate(sorted(cues), start=1):
        start = round(Fraction(start_ms, 1000) * rate)
        end = max(start + 1, round(Fraction(end_ms, 1000) * rate))
        lane = next((entry for entry in lanes if entry[1][0] <= start), None)
        if lane is None:
            name = "DIALOGUE" if not lanes else f"DIALOGUE {len(lanes) + 1}"
            track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
            track.metadata["scriptkit"] = {"role": "dialogue", "character": None}
            lane = (track, [0])
            lanes.append(lane)
        track, cursor = lane
        if start > cursor[0]:
            track.append(otio.schema.Gap(source_range=time_range(0, start - cursor[0], fps)))
        clip = otio.schema.Clip(name=f"cue-{number}", source_range=time_range(0, end - start, fps))
        clip.metadata["scriptkit"] = {"kind": "dialogue", "text": text}
        track.append(clip)
        cursor[0] = end
    for track, _ in lanes:
        timeline.tracks.append(track)
    timeline.metadata["scriptkit"] = {
        "title": timeline.name,
        "fps": rate_string(rate),
        "source": str(path),
        "format": fmt,
    }
    return timeline


def read_text(path: Path) -> str:
    data = read_bytes(Path(path))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read(path: Path) -> otio.schema.Timeline:
    """Read an SRT file into a timeline with one DIALOGUE track (25 fps; cue text in clip metadata)."""
    cues = parse_cues(read_text(path), path)
    if not cues:
        raise ScriptkitError("no subtitle cues found", path)
    return cues_to_timeline(cues, path, "srt")


FORMAT = Format(
    name="srt",
    description="SubRip subtitles of the dialogue",
    suffixes=(".srt",),
    output="{slug}.srt",
    when="always",
    timeline=False,
    write=write,
    read=read,
)
