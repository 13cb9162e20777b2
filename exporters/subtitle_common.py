"""What the SRT (exporters/subtitles.py) and WebVTT (exporters/webvtt.py) formats share: the dialogue cues of
a timeline with their exact timings, and the bounded read of a subtitle file; and what every reader of a timeline
with subtitles on it (CapCut / Jianying text segments, FCPXML captions) shares: `attach_captions`, which hangs each
subtitle on the line it captions so that `diff` sees an edited one. Not a format itself.

The text and timing rules of a cue are scriptkit.subtitle_cues' (the one cue maker, shared with the CapCut /
Jianying text track and the preview burn-in): a line with Han script may become several cues, cut on the
timeline's frames, each with its displayed lines; any other line is one cue over its clip, as written."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from scriptkit.contract import caption_of, flatten, frames_at, scriptkit_view, set_metadata, timeline_rate
from scriptkit.errors import ScriptkitError
from scriptkit.subtitle_cues import is_han, join_lines, pieces

MAX_SUBTITLE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str
    character: str
    line_id: str
    shot_id: str
    #: The displayed lines the cue maker chose (Han script), or None: the format wraps `text` its own way.
    lines: tuple[str, ...] | None = None
    #: 1 for a line's first cue, 2, 3 ... for the further cues of a line the cue maker split.
    part: int = 1


def is_vertical(timeline: otio.schema.Timeline) -> bool:
    """Whether the timeline's canvas is taller than wide (no size recorded: 1920x1080, as the layouts assume)."""
    meta = scriptkit_view(timeline)
    try:
        width, height = int(meta.get("width") or 0), int(meta.get("height") or 0)
    except (TypeError, ValueError):
        return False
    return width > 0 and height > width


def _ms(frames: int, rate: Fraction) -> int:
    return round(Fraction(frames) / rate * 1000)


def dialogue_cues(timeline: otio.schema.Timeline) -> list[Cue]:
    """The cues of every dialogue clip (tracks with role "dialogue", or named DIALOGUE...), sorted by time: one
    per clip, or the cue maker's pieces of a Han line (cut on the timeline's frames)."""
    rate = timeline_rate(timeline)
    vertical = is_vertical(timeline)
    found: list[tuple[int, int, Cue]] = []
    for order, track in enumerate(timeline.audio_tracks()):
        role = scriptkit_view(track).get("role")
        if role != "dialogue" and not (role is None and track.name.upper().startswith("DIALOGUE")):
            continue
        position = 0
        for item in track:
            if isinstance(item, otio.schema.Transition):
                continue
            frames = frames_at(item.source_range.duration if item.source_range else item.duration(), rate)
            if isinstance(item, otio.schema.Clip):
                meta = scriptkit_view(item)
                text = " ".join((caption_of(meta) or item.name).split())  # an editor's caption, else the line
                who = str(meta.get("character") or scriptkit_view(track).get("character") or "")
                line_id = str(meta.get("line_id") or item.name)
                shot_id = str(meta.get("shot_id") or "")
                han = is_han(text)
                parts = pieces(text, position, position + frames, rate, vertical=vertical)
                for part, piece in enumerate(parts, start=1):
                    lines = piece.lines if han else None
                    cue = Cue(
                        _ms(piece.start, rate),
                        _ms(piece.end, rate),
                        piece.text if lines else text,
                        who,
                        line_id,
                        shot_id,
                        lines,
                        part,
                    )
                    found.append((piece.start, order, cue))
            position += frames
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [cue for _, _, cue in found]


def parse_time(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    """Milliseconds of a cue time's fields (hours optional)."""
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def read_bytes(path: Path) -> bytes:
    """The bytes of a subtitle file, or ScriptkitError when it cannot be read or is too large."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ScriptkitError(f"cannot read file: {exc.strerror}", path) from None
    if len(data) > MAX_SUBTITLE_BYTES:
        raise ScriptkitError("subtitle file is too large", path)
    return data


def time_range(start: int, frames: int, fps: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, fps), otio.opentime.RationalTime(frames, fps))


def attach_captions(tl: otio.schema.Timeline, subtitles: list[tuple[int, int, str]], rate: Fraction) -> None:
    """Hang each subtitle (start frame, end frame, text) a reader found on `tl` on the audio clip it starts under,
    as metadata["caption"] (the line it captions: `diff` reports a caption that differs from the line's text).

    The cues that follow it without a gap inside the same clip are the further cues of a line the cue maker split:
    the caption is all of them. A caption that opens with the clip's speaker (`MAYA: Who calls?`, as FCPXML
    captions of a line not in Han script are written) is the text after the name."""
    if not subtitles:
        return
    subtitles = sorted(subtitles)
    for track in tl.tracks:
        if track.kind != "Audio":
            continue
        for slot in flatten(track, rate)[0]:
            if not hasattr(slot.item, "media_reference"):
                continue
            shown: list[str] = []
            at = -1
            for start, end, text in subtitles[bisect_left(subtitles, (slot.start,)) :]:
                if start >= slot.end:
                    break
                if not shown and (start == slot.start or (slot.start <= start and end <= slot.end)):
                    shown, at = [text], end
                elif shown and start == at and end <= slot.end:  # the next cue of a split line
                    shown.append(text)
                    at = end
                elif shown:
                    break
            if not shown:
                continue
            caption = join_lines([line for text in shown for line in text.split("\n")])
            who = str(scriptkit_view(slot.item).get("character") or "")
            if who and caption.startswith(f"{who}:"):
                caption = caption[len(who) + 1 :].strip()
            set_metadata(slot.item, "caption", caption)
