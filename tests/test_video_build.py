"""A build with a video backend end to end: a tiny random Wan pipeline animates every keyframe, one shot uses a
take made elsewhere (`video:` in shots.yaml), every format places the movies, readers agree on every cut, melt
renders the MLT to the timeline's length; the movie follows its keyframe, not the voices."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

import exporters
from generators.movie_file import mp4_bytes, probe_movie
from generators.run import generate_assets
from scriptkit.build import BuildRequest, build_project
from scriptkit.conform.identity import known_ids_from_timeline
from scriptkit.conform.layout import layout
from scriptkit.contract import HANDLE_SECONDS, clip_media, frames_at, shot_clips
from scriptkit.errors import ScriptkitError
from scriptkit.shotlist_io import write_shotlist
from tests.test_generators_support import tiny_shotlist
from tests.test_mlt import melt_render
from tests.video_models import save_tiny

RATE = 30
HANDLE = round(HANDLE_SECONDS * RATE)


def _config(folder: Path, model: Path, **extra: object) -> Path:
    options = {"model": str(model), "steps": 1, "resolution": 32, "max_frames": 9, "max_sequence_length": 8}
    options.update(extra)
    lines = ["[generators]", 'movie = "wan"', "[generators.wan]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in options.items()]
    path = folder / "scriptkit.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _take(path: Path, frames: int) -> None:
    pictures = [np.full((160, 96, 3), (20, 200, 20), np.uint8) for _ in range(frames)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(mp4_bytes(pictures, Fraction(25), 96, 160))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("video-build")
    model = save_tiny("wan", root / "models")
    shotlist = tiny_shotlist(96, 160)
    shotlist.shots[2].video = "takes/sc-take.mp4"  # relative to the shot list; 1 s at 25 fps: shorter than the shot
    _take(root / "takes" / "sc-take.mp4", 25)
    write_shotlist(shotlist, root / "shots.yaml")
    _config(root, model)
    out = root / "ep"
    request = BuildRequest(
        source=str(root / "shots.yaml"), output=str(out), quiet=True,
        format_options={"preview": {"preview_size": "48x80", "burn_in": False}},
    )  # fmt: skip
    build_project(request)
    return root, out


def test_every_shot_is_a_movie_at_the_timelines_rate(project: tuple[Path, Path]) -> None:
    _root, out = project
    assets = json.loads((out / "media" / "assets.json").read_text())
    movies = assets["movies"]
    assert len(movies) == 3 and movies["sc02-car-001"]["backend"] == "take"
    for owner, movie in movies.items():
        info = probe_movie(out / "media" / movie["path"])
        assert info.rate == RATE and (info.width, info.height) == (96, 160), owner
        assert info.frames >= HANDLE + 2 * RATE + HANDLE  # fitted (hold) to the 2 s shot and its handles
    timeline = otio.adapters.read_from_file(str(next(out.glob("*.otio"))))
    assert [clip_media(clip) for clip in shot_clips(timeline)] == ["movie"] * 3


def test_readers_agree_on_every_cut_and_melt_renders_the_length(project: tuple[Path, Path], tmp_path: Path) -> None:
    _root, out = project
    slug = next(out.glob("*.otio")).stem
    planned = otio.adapters.read_from_file(str(out / f"{slug}.otio"))
    known = known_ids_from_timeline(planned)
    expected = [(p.identity.owner, p.start, p.duration, p.source_in) for p in layout(planned, known, RATE).shots()]
    read = 0
    for fmt in exporters.formats():
        if not (fmt.timeline and fmt.read and fmt.write):
            continue
        path = fmt.output_path(out, slug)
        back = layout(exporters.read_timeline(path), known, RATE)
        got = [(p.identity.owner, p.start, p.duration, p.source_in) for p in back.shots()]
        assert got == expected, path.name
        read += 1
    assert read >= 5
    length = frames_at(planned.duration(), RATE)
    melt_render(next(out.glob("*.mlt")), tmp_path / "melt.mp4", 48, 80, Fraction(RATE))
    assert probe_movie(tmp_path / "melt.mp4").frames == length
    assert probe_movie(out / "preview.mp4").frames == length


def test_a_movie_follows_its_keyframe_not_the_voices(project: tuple[Path, Path], tmp_path: Path) -> None:
    root, _out = project
    config = root / "scriptkit.toml"
    shotlist = tiny_shotlist(96, 160)
    first = generate_assets(shotlist, tmp_path / "m", style=None, config=config, voice_backend="piper")
    keys = {owner: movie.key for owner, movie in first.movies.items()}
    revoiced = tiny_shotlist(96, 160, lines=("Hold it!", "Late again."))
    again = generate_assets(revoiced, tmp_path / "m", style=None, config=config)
    assert {o: m.key for o, m in again.movies.items()} == keys and again.voices != first.voices
    retaken = generate_assets(revoiced, tmp_path / "m", style=None, config=config, regenerate={"sc01-platform-002"})
    assert [o for o, m in retaken.movies.items() if m.key != keys[o]] == ["sc01-platform-002"]


def test_a_bad_take_is_one_line_naming_the_shot_and_the_file(tmp_path: Path) -> None:
    shotlist = tiny_shotlist(96, 160)
    shotlist.shots[1].video = str(tmp_path / "missing.mp4")
    with pytest.raises(ScriptkitError, match="shot sc01-platform-002: movie not found") as info:
        generate_assets(shotlist, tmp_path / "m", style=None)
    assert "missing.mp4" in str(info.value) and not (tmp_path / "m" / "assets.json").exists()
    (tmp_path / "bad.mp4").write_bytes(b"not a movie")
    shotlist.shots[1].video = str(tmp_path / "bad.mp4")
    with pytest.raises(ScriptkitError, match="shot sc01-platform-002: not a readable movie"):
        generate_assets(shotlist, tmp_path / "m", style=None)


def test_the_storyboard_plays_each_movie_from_its_poster(project: tuple[Path, Path]) -> None:
    _root, out = project
    html = (out / "storyboard.html").read_text()
    card = html[html.index('data-shot="sc01-platform-002"') :].split("</article>", 1)[0]
    video = card[card.index("<video ") :].split(">", 1)[0]
    assert 'src="media/movies/sc01-platform-002.mp4#t=2.000,' in video and 'poster="data:image/jpeg;base64,' in video


def test_refine_keeps_the_slip_and_the_take_and_re_animates_only_the_regenerated_shot(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    from scriptkit.refine import refine_project

    _root, out = project
    slug = next(out.glob("*.otio")).stem
    edited = otio.adapters.read_from_file(str(out / f"{slug}.otio"))
    clip = shot_clips(edited)[0]
    slipped = clip.source_range.start_time + otio.opentime.RationalTime(10, RATE)
    clip.source_range = otio.opentime.TimeRange(slipped, clip.source_range.duration)
    otio.adapters.write_to_file(edited, str(tmp_path / "edit.otio"))
    before = json.loads((out / "media" / "assets.json").read_text())["movies"]
    refine_project(out, edited=tmp_path / "edit.otio", regenerate=["sc01-platform-002"], formats=["otio"])
    version = out / "versions" / "v001"
    after = json.loads((version / "media" / "assets.json").read_text())["movies"]
    assert [owner for owner in before if after[owner]["key"] != before[owner]["key"]] == ["sc01-platform-002"]
    assert after["sc02-car-001"]["backend"] == "take"
    refined = otio.adapters.read_from_file(str(version / f"{slug}.otio"))
    assert shot_clips(refined)[0].source_range.start_time == slipped
    assert [clip_media(c) for c in shot_clips(refined)] == ["movie"] * 3


def test_a_take_at_another_rate_is_placed_at_the_timelines_rate(tmp_path: Path) -> None:
    shotlist = tiny_shotlist(96, 160)
    take = tmp_path / "long.mp4"
    _take(take, 200)  # 8 s at 25 fps: longer than the shot and its handles
    shotlist.shots[0].video = str(take)
    assets = generate_assets(shotlist, tmp_path / "m", style=None, voice_backend="piper")
    info = probe_movie(tmp_path / "m" / assets.movies["sc01-platform-001"].path)
    assert info.rate == RATE and info.frames == 8 * RATE and len(assets.movies) == 1
