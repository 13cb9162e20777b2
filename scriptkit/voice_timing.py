"""The timing a build ends with, written back into the shot list (shots.yaml records the timed lengths).

`record_timing` reads the assembled timeline: each shot's `timed` is its clip's length on V1, each line's
`timed` the length of its voice and `timed_offset` where it starts from its shot's start. The planned fields
(`duration`, `offset`) are left as planned, so a refine still compares plan with plan.
"""

from __future__ import annotations

import opentimelineio as otio

from scriptkit.contract import item_frames, scriptkit_meta, timeline_rate, video_track
from scriptkit.models import ShotList


def _seconds(frames: int, rate: float) -> float:
    return round(frames / rate, 3)


def record_timing(shotlist: ShotList, tl: otio.schema.Timeline) -> ShotList:
    """A copy of `shotlist` with the built timeline's lengths in `timed` / `timed_offset`."""
    rate = float(timeline_rate(tl))
    shot_start: dict[str, int] = {}
    shot_frames: dict[str, int] = {}
    track = video_track(tl)
    for item, start, frames in item_frames(track) if track is not None else []:
        if isinstance(item, otio.schema.Clip):
            shot_start[item.name], shot_frames[item.name] = start, frames
    lines: dict[str, tuple[int, int]] = {}
    for audio in tl.tracks:
        if scriptkit_meta(audio).get("role") == "dialogue":
            for item, start, frames in item_frames(audio):
                if isinstance(item, otio.schema.Clip):
                    lines[item.name] = (start, frames)
    out = shotlist.model_copy(deep=True)
    for shot in out.shots:
        if shot.id in shot_frames:
            shot.timed = _seconds(shot_frames[shot.id], rate)
        for line in shot.dialogue:
            if line.id in lines and shot.id in shot_start:
                start, frames = lines[line.id]
                line.timed = _seconds(frames, rate)
                line.timed_offset = _seconds(start - shot_start[shot.id], rate)
    return out


def dialogue_overlaps(tl: otio.schema.Timeline) -> list[tuple[str, str]]:
    """Pairs of dialogue clips heard at once that the script did not ask for (dual dialogue, a cut-in)."""
    spans: list[tuple[int, int, str, bool]] = []
    for audio in tl.tracks:
        if scriptkit_meta(audio).get("role") == "dialogue":
            for item, start, frames in item_frames(audio):
                if isinstance(item, otio.schema.Clip):
                    spans.append((start, start + frames, item.name, bool(scriptkit_meta(item).get("overlap"))))
    spans.sort()
    found = []
    latest_end, latest = -1, ""
    for start, end, name, allowed in spans:
        if start < latest_end and not allowed:
            found.append((latest, name))
        if end > latest_end:
            latest_end, latest = end, name
    return found
