"""What every backend promises: typed options that refuse a misspelt one, and a cache key made of what its output
depends on (renaming the script re-renders no diffusion keyframe; the storyboard, which draws the title, does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generators import IMAGE_KEY_INPUTS, ROLES, BackendOptions, ImageGenerator, make_backend
from generators.cache import Cache
from generators.diffusers_image import DiffusersImages
from generators.run import PlanContext, generate_assets, plan_images
from generators.storyboard import StoryboardImages
from scriptkit.errors import ScriptkitError
from tests.test_generators_support import tiny_shotlist


def test_every_registered_backend_has_a_typed_options_model() -> None:
    import importlib

    for role in ROLES.values():
        for target in role.registry.values():
            module, _, name = target.partition(":")
            backend = getattr(importlib.import_module(module), name)
            assert issubclass(backend.Options, BackendOptions), target
            assert backend.Options.model_config.get("extra") == "forbid", target
            if issubclass(backend, ImageGenerator):
                assert set(backend.key_inputs) <= set(IMAGE_KEY_INPUTS), target


def test_a_misspelt_option_is_one_clear_line_naming_the_file(tmp_path: Path) -> None:
    config = tmp_path / "scriptkit.toml"
    config.write_text("[generators.storyboard]\ncompres_level = 2\n")
    with pytest.raises(ScriptkitError) as info:
        generate_assets(tiny_shotlist(), tmp_path / "media", style=None, config=config)
    message = str(info.value)
    assert "[generators.storyboard] has no option 'compres_level' (its options: compress_level)" in message
    assert str(config) in message and "\n" not in message
    piper = '[generators]\nvoice = "piper"\n[generators.piper]\ntimeout = "soon"\n'
    config.write_text(piper + "[generators.piper.characters.MAYA]\npich = 1.1\n")
    with pytest.raises(ScriptkitError, match=r"\[generators.piper\] timeout: Input should be a valid number"):
        generate_assets(tiny_shotlist(), tmp_path / "media", style=None, config=config)
    with pytest.raises(ScriptkitError, match=r"\[generators.piper\] has no option 'characters.MAYA.pich'"):
        make_backend("voice", "piper", {"characters": {"MAYA": {"pich": 1.1}}})
    assert not (tmp_path / "media").exists()  # refused before anything was written


class DeclaredLikeDiffusers(StoryboardImages):
    """The storyboard's drawing with the diffusers backend's declared key inputs (no model needed)."""

    key_inputs = DiffusersImages.key_inputs


@pytest.mark.parametrize(("backend", "follows_title"), [(StoryboardImages(), True), (DeclaredLikeDiffusers(), False)])
def test_the_image_key_holds_only_what_the_backend_declares(tmp_path: Path, backend, follows_title: bool) -> None:
    shotlist = tiny_shotlist()
    renamed = shotlist.model_copy(update={"title": "Another Title", "characters": ["THEO", "MAYA", "ZOE"]})
    context = PlanContext(None, {}, None, Cache(tmp_path))
    keys = [item.key for item in plan_images(shotlist, backend, context)]
    again = [item.key for item in plan_images(renamed, backend, context)]
    assert (keys != again) is follows_title
    reseeded = shotlist.model_copy(deep=True)
    reseeded.shots[0].seed = 7
    assert plan_images(reseeded, backend, context)[0].key != keys[0]  # the seed always counts


def test_a_movie_backend_is_one_module_and_one_registration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generators import MOVIE_BACKENDS
    from scriptkit.contract import clip_media, shot_clips
    from scriptkit.timeline import build_timeline

    monkeypatch.setitem(MOVIE_BACKENDS, "still-movie", "tests.backends.still_movie:StillMovies")
    config = tmp_path / "scriptkit.toml"
    config.write_text('[generators]\nmovie = "still-movie"\n[generators.still-movie]\nwidth = 32\n')
    shotlist, media = tiny_shotlist(), tmp_path / "media"
    assets = generate_assets(shotlist, media, style=None, config=config)
    assert sorted(assets.movies) == sorted(shot.id for shot in shotlist.shots)
    for shot in shotlist.shots:
        movie = assets.movies[shot.id]
        assert movie.media == "movie" and (media / movie.path).is_file()
        assert movie.length is not None and movie.length >= shot.duration + 4.0
    keys = {owner: asset.key for owner, asset in assets.movies.items()}
    again = generate_assets(shotlist, media, style=None, config=config, regenerate={shotlist.shots[0].id})
    # a new take of the keyframe makes a new movie of that shot only (the movie is made from the keyframe)
    assert [o for o, a in again.movies.items() if a.key != keys[o]] == [shotlist.shots[0].id]
    timeline = build_timeline(shotlist, again, media)
    assert {clip_media(clip) for clip in shot_clips(timeline)} == {"movie"}
