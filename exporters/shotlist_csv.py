"""The shot list as CSV, one row per shot clip of the picture track, in timeline order.

Columns: shot_id, scene_id, start_timecode (record timecode from the timeline start, 01:00:00:00; `;` when
drop-frame), duration_frames, duration_seconds, size, move, characters (`;`-separated), dialogue
(`CHARACTER: text` joined with ` | `, from the dialogue clips of that shot), prompt, file (absolute path, or
relative to the project folder with `relative_media`). UTF-8 with a header row, RFC 4180 quoting,
deterministic. Reading it back is the shot list parser's job (shots.csv), not this module's.
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from exporters import Format
from scriptkit.contract import frames_at, media_path, scriptkit_view, timeline_rate
from scriptkit.io import atomic_write_text
from scriptkit.models import ExportOptions
from scriptkit.rates import DROP_FRAME_RATES, frames_to_timecode

COLUMNS = (
    "shot_id",
    "scene_id",
    "start_timecode",
    "duration_frames",
    "duration_seconds",
    "size",
    "move",
    "characters",
    "dialogue",
    "prompt",
    "file",
)


def _dialogue_by_shot(timeline: otio.schema.Timeline) -> dict[str, list[str]]:
    lines: dict[str, list[tuple[int, str]]] = {}
    rate = timeline_rate(timeline)
    for track in timeline.audio_tracks():
        position = 0
        for item in track:
            if isinstance(item, otio.schema.Transition):
                continue
            meta = scriptkit_view(item)
            if isinstance(item, otio.schema.Clip) and meta.get("kind") == "dialogue" and meta.get("shot_id"):
                text = " ".join(str(meta.get("text") or "").split())
                lines.setdefault(str(meta["shot_id"]), []).append((position, f"{meta.get('character') or ''}: {text}"))
            position += frames_at(item.source_range.duration if item.source_range else item.duration(), rate)
    return {key: [text for _, text in sorted(value)] for key, value in lines.items()}


def rows(timeline: otio.schema.Timeline, options: ExportOptions) -> list[dict[str, str]]:
    rate = timeline_rate(timeline)
    drop_frame = bool(options.drop_frame or scriptkit_view(timeline).get("drop_frame")) and rate in DROP_FRAME_RATES
    start = frames_at(timeline.global_start_time, rate) if timeline.global_start_time is not None else 0
    dialogue = _dialogue_by_shot(timeline)
    out: list[dict[str, str]] = []
    for track in timeline.video_tracks():
        position = 0
        for item in track:
            if isinstance(item, otio.schema.Transition):
                continue
            frames = frames_at(item.source_range.duration if item.source_range else item.duration(), rate)
            if isinstance(item, otio.schema.Clip):
                meta = scriptkit_view(item)
                shot_id = str(meta.get("shot_id") or item.name)
                out.append(
                    {
                        "shot_id": shot_id,
                        "scene_id": str(meta.get("scene_id") or ""),
                        "start_timecode": frames_to_timecode(start + position, rate, drop_frame),
                        "duration_frames": str(frames),
                        "duration_seconds": f"{float(Fraction(frames) / rate):.3f}",
                        "size": str(meta.get("size") or ""),
                        "move": str(meta.get("move") or ""),
                        "characters": ";".join(str(c) for c in meta.get("characters") or []),
                        "dialogue": " | ".join(dialogue.get(shot_id, [])),
                        "prompt": " ".join(str(meta.get("prompt") or "").split()),
                        "file": media_path(item, options),
                    }
                )
            position += frames
        break
    return out


def csv_text(timeline: otio.schema.Timeline, options: ExportOptions) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(timeline, options))
    return buffer.getvalue()


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    """Write the shot list CSV at `path` (atomically)."""
    atomic_write_text(Path(path), csv_text(timeline, options))


FORMAT = Format(
    name="csv",
    description="Shot list (CSV), one row per shot",
    suffixes=(".csv",),
    output="shots.csv",
    when="always",
    timeline=False,
    write=write,
)
