"""A shot's asset may be a movie (made from its keyframe): the timeline contract and every writer place it.

The movies are short clips this test writes with PyAV: the first half of each red, the second half blue, so
the preview and the storyboard can be checked for the right frames.
"""

from __future__ import annotations

import base64
import io
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

import exporters
from exporters import get_format, read_timeline
from scriptkit.conform.identity import known_ids_from_timeline
from scriptkit.conform.layout import layout
from scriptkit.contract import HANDLE_SECONDS, clip_media, flatten, frames_at, shot_clips
from scriptkit.models import Asset, ExportOptions
from scriptkit.timeline import build_timeline
from tests import fixtures
from tests.fixtures import sample_media

RATE = 30
HANDLE = round(HANDLE_SECONDS * RATE)
RED, BLUE = (220, 30, 30), (30, 30, 220)


def write_movie(path: Path, frames: int, switch: int) -> None:
    """An H.264 movie at RATE fps, 96x160: red frames before `switch`, blue from it."""
    fixtures.write_movie(path, [RED if n < switch else BLUE for n in range(frames)], RATE, 96, 160)


@pytest.fixture(scope="module")
def episode(tmp_path_factory: pytest.TempPathFactory):
    """(shot list, assets, media, timeline, planned frames of each shot): shots 2 and 3 have movies (2 with a
    2-frame tail only, 3 with the handles less 5 frames), shot 4 a movie shorter than the shot (not used)."""
    tmp = tmp_path_factory.mktemp("movies")
    shotlist, assets, media = sample_media(tmp, fps="30")
    plain = build_timeline(shotlist, assets, media)
    frames = [frames_at(clip.source_range.duration, RATE) for clip in shot_clips(plain)]
    for index, spare in ((2, 4), (3, 2 * HANDLE - 10), (4, -5)):
        shot = shotlist.shots[index]
        length = frames[index] + spare
        rel = f"movies/{shot.id}.mp4"
        head = min(HANDLE, max(0, spare) // 2)
        write_movie(media / rel, length, head + frames[index] // 2)
        assets.movies[shot.id] = Asset(
            kind="movie", path=rel, key=f"movie-{index}", sha256=f"movie-{index}", owner=shot.id, backend="test",
            duration=length / RATE,
        )  # fmt: skip
    return shotlist, assets, media, build_timeline(shotlist, assets, media), frames


def test_the_timeline_places_a_movie_within_its_media_with_handles(episode) -> None:
    shotlist, _assets, _media, tl, frames = episode
    clips = shot_clips(tl)
    assert [clip_media(c) for c in clips] == ["still", "still", "movie", "movie", "still", "still"]
    for clip in clips:  # every source range lies inside its media
        available, source = clip.media_reference.available_range, clip.source_range
        assert frames_at(source.start_time, RATE) >= 0 and source.end_time_exclusive() <= available.end_time_exclusive()
    movie3 = clips[3]
    assert frames_at(movie3.source_range.start_time, RATE) == HANDLE - 5
    assert frames_at(movie3.media_reference.available_range.duration, RATE) == frames[3] + 2 * HANDLE - 10
    assert movie3.media_reference.target_url.endswith(f"/movies/{shotlist.shots[3].id}.mp4")
    # every transition has media under it on both sides (the movie of shot 2 has only 2 frames of tail)
    _slots, joints = flatten(tl.video_tracks()[0], RATE)
    assert any(j.after is not None and j.after.item is movie3 for j in joints)
    for joint in joints:
        before, after = joint.before, joint.after
        if before is not None and isinstance(before.item, otio.schema.Clip):
            tail = frames_at(before.item.media_reference.available_range.duration, RATE) - before.source_in
            assert tail - before.frames >= joint.out_frames
        if after is not None and isinstance(after.item, otio.schema.Clip):
            assert after.source_in >= joint.in_frames
    fixups = tl.metadata["scriptkit"]["fixups"]
    assert any(shotlist.shots[4].id in f and "the keyframe is used" in f for f in fixups)
    assert any(shotlist.shots[3].id in f and "shortened" in f for f in fixups)


@pytest.mark.parametrize("name", [f.name for f in exporters.formats() if f.write and f.name != "preview"])
def test_every_writer_places_the_movie(tmp_path: Path, episode, name: str) -> None:
    shotlist, _assets, media, tl, frames = episode
    fmt = get_format(name)
    path = fmt.output_path(tmp_path, "ep")
    options = ExportOptions(project_dir=str(tmp_path), media_dir=str(media), title=shotlist.title)
    fmt.write(tl, path, options)
    if fmt.validate is not None:
        assert fmt.validate(path, list(fmt.nles)) == []
    if fmt.timeline and fmt.read is not None:
        known = known_ids_from_timeline(tl)
        back, planned = layout(read_timeline(path), known, RATE), layout(tl, known, RATE)
        assert [(p.identity.owner, p.start, p.duration, p.source_in) for p in back.shots()] == [
            (p.identity.owner, p.start, p.duration, p.source_in) for p in planned.shots()
        ]
    text = path.read_bytes().decode("utf-8", "replace") if path.suffix in (".mlt", ".kdenlive", ".fcpxml") else ""
    movie = f"movies/{shotlist.shots[3].id}.mp4"
    if name in ("mlt", "kdenlive"):  # a movie producer, as long as the movie, not a still's
        producer = text[: text.index(movie)].rsplit("<producer", 1)[1]
        assert 'name="mlt_service">avformat' in text[text.index(movie) :].split("</producer>")[0] + producer
    if name == "fcpxml":
        asset = text[: text.index(movie)].rsplit("<asset ", 1)[1]
        assert 'hasVideo="1"' in asset and f'duration="{frames[3] + 2 * HANDLE - 10}/30s"' in asset


def _colour(planes: np.ndarray) -> str:
    r, _g, b = planes.reshape(-1, 3).mean(axis=0)
    return "red" if r > 150 > b else "blue" if b > 150 > r else "other"


def test_the_preview_plays_the_movie_frames(tmp_path: Path, episode) -> None:
    import av

    shotlist, _assets, media, tl, frames = episode
    out = tmp_path / "preview.mp4"
    options = ExportOptions(project_dir=str(tmp_path), media_dir=str(media), formats={"preview": {"burn_in": False}})
    options.formats["preview"].update(preview_width=54, preview_height=96)
    get_format("preview").write(tl, out, options)
    start = next(s for s, (c, _, _) in _starts(tl) if c == shotlist.shots[3].id)
    with av.open(str(out)) as container:
        pictures = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    # the movie's red half, then its blue half, where the shot plays (clear of the transitions at its ends)
    assert _colour(pictures[start + 20]) == "red"
    assert _colour(pictures[start + frames[3] - 10]) == "blue"


def _starts(tl: otio.schema.Timeline) -> list[tuple[int, tuple[str, int, int]]]:
    slots, _ = flatten(tl.video_tracks()[0], RATE)
    return [(s.start, (s.item.name, s.start, s.frames)) for s in slots if isinstance(s.item, otio.schema.Clip)]


def test_the_storyboard_shows_the_movies_first_shown_frame(tmp_path: Path, episode) -> None:
    from PIL import Image

    shotlist, _assets, media, tl, _frames = episode
    out = tmp_path / "storyboard.html"
    get_format("storyboard").write(tl, out, ExportOptions(project_dir=str(tmp_path), media_dir=str(media)))
    html = out.read_text()
    card = html[html.index(f'data-shot="{shotlist.shots[3].id}"') :]
    data = card[card.index("data:image/jpeg;base64,") + 23 :].split('"', 1)[0]
    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
    assert _colour(np.asarray(image)) == "red"
    assert Fraction(image.width, image.height) == Fraction(96, 160)
