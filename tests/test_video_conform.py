"""Conform with movie clips: the editor's slip inside a movie is kept on refine; a re-animated shot lands in the
same clip with the editor's in/out where it still fits, slid (same length) or flagged where it does not."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from scriptkit.conform.apply import conform_timeline
from scriptkit.contract import frames_at, shot_clips
from scriptkit.models import Asset
from scriptkit.timeline import build_timeline
from tests.fixtures import sample_media
from tests.test_movie_assets import HANDLE, RATE, write_movie


def _with_movies(tmp_path: Path, spare: dict[int, int], tag: str):
    """(shot list, timeline) with a movie of shot i holding its planned frames plus spare[i]."""
    shotlist, assets, media = sample_media(tmp_path, fps="30")
    frames = [
        frames_at(clip.source_range.duration, RATE) for clip in shot_clips(build_timeline(shotlist, assets, media))
    ]
    for index, extra in spare.items():
        shot = shotlist.shots[index]
        rel = f"movies/{shot.id}-{tag}.mp4"
        write_movie(media / rel, frames[index] + extra, 0)
        assets.movies[shot.id] = Asset(
            kind="movie", path=rel, key=f"{tag}-{index}", sha256=f"{tag}-{index}", owner=shot.id, backend="test",
            duration=(frames[index] + extra) / RATE,
        )  # fmt: skip
    return shotlist, build_timeline(shotlist, assets, media)


def _slip(timeline: otio.schema.Timeline, index: int, frames: int) -> None:
    clip = shot_clips(timeline)[index]
    start = clip.source_range.start_time + otio.opentime.RationalTime(frames, RATE)
    clip.source_range = otio.opentime.TimeRange(start, clip.source_range.duration)


def _source(timeline: otio.schema.Timeline, index: int) -> tuple[int, int]:
    clip = shot_clips(timeline)[index]
    return frames_at(clip.source_range.start_time, RATE), frames_at(clip.source_range.duration, RATE)


def test_a_slip_inside_a_movie_survives_a_re_animation(tmp_path: Path) -> None:
    _shotlist, old = _with_movies(tmp_path / "a", {2: 2 * HANDLE, 3: 2 * HANDLE, 4: 2 * HANDLE}, "v1")
    edited = old.deepcopy()
    for index in (2, 3, 4):
        _slip(edited, index, 20)  # the editor slips each movie 20 frames later
    slipped = {index: _source(edited, index) for index in (2, 3, 4)}
    # re-animated: shot 2 as long as before, shot 3 with room for the slip only on one side, shot 4 too short
    shotlist, new = _with_movies(tmp_path / "b", {2: 2 * HANDLE, 3: 10, 4: -5}, "v2")
    result = conform_timeline(edited, old, new)
    out = result.timeline
    clips = shot_clips(out)
    assert all(clips[i].media_reference.target_url.endswith("-v2.mp4") for i in (2, 3))  # the same clips, new takes
    assert _source(out, 2) == slipped[2]  # still fits: kept
    first, frames = _source(out, 3)
    assert frames == slipped[3][1] and first == 10 and not any(m.name == "MOVIE MOVED" for m in clips[2].markers)
    assert any(m.name == "MOVIE MOVED" for m in clips[3].markers)
    assert f"{shotlist.shots[3].id}: the new movie does not hold the editor's in/out there" in "\n".join(
        result.report.notes
    )
