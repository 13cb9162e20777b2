"""The Wan and LTX image-to-video backends on tiny random pipelines built here (`save_pretrained`), loaded through
the real loading code (`from_pretrained(folder, local_files_only=True)`), writing H.264 movies with PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generators import MovieJob, make_backend
from generators.movie_file import fit_frames, probe_movie
from generators.video_diffusers import shot_prompt
from scriptkit.contract import HANDLE_SECONDS
from scriptkit.errors import ScriptkitError
from tests.test_generators_support import tiny_shotlist
from tests.video_models import save_tiny

FAST = {"steps": 2, "resolution": 32, "max_sequence_length": 16, "threads": 1}


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("video-models")
    return {family: save_tiny(family, root) for family in ("wan", "ltx")}


def _job(tmp_path: Path, seconds: float, fps: str = "30", fit: str = "hold") -> MovieJob:
    keyframe = tmp_path / "keyframe.png"
    Image.new("RGB", (96, 160), (200, 40, 40)).save(keyframe)
    shot = tiny_shotlist().shots[1]
    return MovieJob(shot, keyframe, "k", seconds, fps, 96, 160, seed=7, fit=fit)


@pytest.mark.parametrize(("family", "fps", "frames"), [("wan", 16, 17), ("ltx", 24, 25)])
def test_a_backend_animates_the_keyframe_at_the_shots_rate(
    tmp_path: Path, models: dict[str, Path], family: str, fps: int, frames: int
) -> None:
    backend = make_backend("movie", family, {"model": str(models[family]), **FAST})
    job = _job(tmp_path, seconds=(frames - 1) / fps, fps="24000/1001")
    assert backend.frame_count(job, backend.geometry(backend.load())[1]) == frames
    ((done, data),) = list(backend.generate([job]))
    (tmp_path / "out.mp4").write_bytes(data)
    info = probe_movie(tmp_path / "out.mp4")
    # the model's frames span (frames / fps) s; written at the shot list's rate and size
    assert info.rate == Fraction(24000, 1001) and (info.width, info.height) == (96, 160)
    assert info.frames == int(Fraction(frames, fps) * Fraction(24000, 1001))
    assert done is job and not info.has_audio
    assert backend.pipe is not None  # one pipeline kept loaded for the next shots
    again = next(iter(backend.generate([job])))[1]
    assert again == data  # the same job gives the same bytes


def test_a_capped_movie_is_fitted_to_its_shot(tmp_path: Path, models: dict[str, Path]) -> None:
    backend = make_backend("movie", "wan", {"model": str(models["wan"]), "max_frames": 5, **FAST})
    job = _job(tmp_path, seconds=1.0 + 2 * HANDLE_SECONDS)
    (tmp_path / "out.mp4").write_bytes(next(iter(backend.generate([job])))[1])
    handle = round(HANDLE_SECONDS * 30)
    assert probe_movie(tmp_path / "out.mp4").frames == handle + 30 + handle


def test_fit_modes() -> None:
    frames = [np.full((2, 2, 3), n, np.uint8) for n in range(4)]
    values = {mode: [int(f[0, 0, 0]) for f in fit_frames(frames, 8, 1, mode)] for mode in ("hold", "speed", "loop")}
    assert values == {
        "hold": [0, 0, 1, 2, 3, 3, 3, 3, 3, 3],
        "speed": [0, 0, 0, 1, 1, 2, 2, 3, 3, 3],
        "loop": [0, 0, 1, 2, 3, 0, 1, 2, 3, 3],
    }
    assert fit_frames(frames, 3, 1, "hold") is frames  # long enough: left as it is


def test_the_prompt_reads_the_shot() -> None:
    shot = tiny_shotlist().shots[1]
    job = MovieJob(shot, Path("k.png"), "k", 2.0, "30", 96, 160, 1)
    assert shot_prompt(job, "ink wash") == "the camera slowly pushes in, close up shot of Maya, ink wash"


def test_a_missing_model_or_option_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ScriptkitError, match="needs a model"):
        make_backend("movie", "ltx", {})
    with pytest.raises(ScriptkitError, match=r"video model folder has no readable model_index\.json"):
        make_backend("movie", "wan", {"model": str(tmp_path)})
    with pytest.raises(ScriptkitError, match=r"\[generators.wan\] has no option 'frame'"):
        make_backend("movie", "wan", {"model": str(tmp_path), "frame": 3})


def test_the_video_backend_and_fit_come_from_the_file_or_the_command_line(tmp_path: Path) -> None:
    from generators.config import load_config

    config = tmp_path / "scriptkit.toml"
    config.write_text('[generators]\nmovie = "ltx"\nfit = "loop"\n')
    assert (load_config(config).movie, load_config(config).fit) == ("ltx", "loop")
    assert load_config(config, movie_backend="none", fit="speed").movie == ""
    assert (load_config().movie, load_config().fit) == ("", "hold")  # no movies by default
    config.write_text('[generators]\nfit = "stretch"\n')
    with pytest.raises(ScriptkitError, match="fit must be one of hold, speed, loop, not 'stretch'"):
        load_config(config)
