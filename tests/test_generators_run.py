"""generate_assets end to end with the embedded backends: cache, resume after SIGKILL, takes, bad input, CLI."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from generators import IMAGE_BACKENDS, register
from generators.audio import wav_info
from generators.cache import sha256_file
from generators.cue import SynthCues
from generators.kokoro import KokoroVoices
from generators.piper import PiperVoices
from generators.run import ASSETS_FILE, generate_assets, music_length, with_cast_looks
from generators.storyboard import StoryboardImages
from scriptkit.errors import ScriptkitError
from scriptkit.models import Assets, CastMember
from tests.test_generators_support import ROOT, STYLE, png_header_only, tiny_shotlist

MEDIA_FILES = ("images", "voices", "cues", "music")


def snapshot(media: Path) -> dict[str, bytes]:
    """Every published file's bytes, assets.json included (it holds no absolute path, so it compares as is)."""
    files = {
        str(p.relative_to(media)): p.read_bytes() for folder in MEDIA_FILES for p in sorted((media / folder).rglob("*"))
    }
    files[ASSETS_FILE] = (media / ASSETS_FILE).read_bytes()
    return files


class Spy:
    """Counts the jobs each real backend is asked to generate."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: dict[str, list[str]] = {"image": [], "voice": [], "cue": []}
        for kind, cls in (("image", StoryboardImages), ("voice", KokoroVoices), ("cue", SynthCues)):
            original = cls.generate

            def wrapped(self_: object, jobs: list, _original=original, _kind=kind) -> Iterator:  # type: ignore[no-untyped-def]
                self.calls[_kind].extend(job.owner for job in jobs)
                return _original(self_, jobs)

            monkeypatch.setattr(cls, "generate", wrapped)


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Assets]:
    media = tmp_path_factory.mktemp("cold") / "media"
    assets = generate_assets(tiny_shotlist(), media, style=STYLE)
    return media, assets


def copy_media(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest)
    return dest


def test_cold_run_fills_the_media_folder(cold: tuple[Path, Assets]) -> None:
    media, assets = cold
    assert sorted(assets.images) == ["sc01-platform-001", "sc01-platform-002", "sc02-car-001"]
    for shot_id, asset in assets.images.items():
        assert asset.path == f"images/{shot_id}.png"
        with Image.open(media / asset.path) as image:
            assert image.size == (270, 480)
        assert asset.sha256 == sha256_file(media / asset.path)
        assert asset.backend == "storyboard" and asset.style_hash == sha256_file(STYLE) and asset.params["take"] == 0
    for line_id, asset in assets.voices.items():
        assert line_id in asset.path
        with wave.open(str(media / asset.path)) as handle:
            assert (handle.getframerate(), handle.getsampwidth(), handle.getnchannels()) == (48000, 2, 1)
            true = handle.getnframes() / 48000
        assert asset.duration == pytest.approx(true, abs=1e-6) and true > 0.3
        assert asset.backend == "kokoro" and asset.model.startswith("kokoro-82m") and asset.params["voice"]
    slam = assets.cues["sc02-car-001-c1"]
    assert slam.path == "cues/sc02-car-001-c1-slam.wav" and slam.duration == pytest.approx(0.8)
    assert wav_info((media / slam.path).read_bytes())["IKEY"] == "SLAM"
    assert assets.music is not None and assets.music.duration == pytest.approx(music_length(tiny_shotlist()))
    assert Assets.model_validate_json((media / ASSETS_FILE).read_text()) == assets.model_copy(update={"root": ""})
    assert not list(media.rglob("*.tmp"))


def test_second_run_generates_nothing(
    cold: tuple[Path, Assets], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = copy_media(cold[0], tmp_path / "media")
    before = snapshot(media)
    spy = Spy(monkeypatch)
    started = time.perf_counter()
    generate_assets(tiny_shotlist(), media, style=STYLE)
    assert spy.calls == {"image": [], "voice": [], "cue": []}
    assert time.perf_counter() - started < 2.0
    assert snapshot(media) == before


def test_changed_line_regenerates_exactly_that_voice(
    cold: tuple[Path, Assets], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = copy_media(cold[0], tmp_path / "media")
    before = snapshot(media)
    spy = Spy(monkeypatch)
    changed = tiny_shotlist(lines=("Hold the doors!", "You are very late."))
    assets = generate_assets(changed, media, style=STYLE)
    assert spy.calls == {"image": [], "voice": ["sc02-car-001-d1"], "cue": []}
    after = snapshot(media)
    assert after["voices/sc02-car-001-d1.wav"] != before["voices/sc02-car-001-d1.wav"]
    assert after["voices/sc01-platform-002-d1.wav"] == before["voices/sc01-platform-002-d1.wav"]
    assert assets.voices["sc02-car-001-d1"].prompt == "You are very late."


def test_changed_style_regenerates_images_only(
    cold: tuple[Path, Assets], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = copy_media(cold[0], tmp_path / "media")
    before = snapshot(media)
    other = tmp_path / "other.png"
    Image.new("RGB", (64, 96), (200, 120, 40)).save(other)
    spy = Spy(monkeypatch)
    generate_assets(tiny_shotlist(), media, style=other)
    assert sorted(spy.calls["image"]) == ["sc01-platform-001", "sc01-platform-002", "sc02-car-001"]
    assert spy.calls["voice"] == [] and spy.calls["cue"] == []
    after = snapshot(media)
    assert all(after[name] != before[name] for name in after if name.startswith("images/"))
    assert all(after[name] == before[name] for name in after if name.startswith(("voices/", "cues/", "music/")))


def test_regenerate_makes_a_new_take_that_sticks(cold: tuple[Path, Assets], tmp_path: Path) -> None:
    media = copy_media(cold[0], tmp_path / "media")
    before = snapshot(media)
    assets = generate_assets(tiny_shotlist(), media, style=STYLE, regenerate={"sc01-platform-002"})
    assert assets.images["sc01-platform-002"].params["take"] == 1
    after = snapshot(media)
    assert after["images/sc01-platform-002.png"] != before["images/sc01-platform-002.png"]
    assert after["images/sc01-platform-001.png"] == before["images/sc01-platform-001.png"]
    again = generate_assets(tiny_shotlist(), media, style=STYLE)
    assert again.images["sc01-platform-002"].params["take"] == 1
    with pytest.raises(ScriptkitError, match="no-such-shot"):
        generate_assets(tiny_shotlist(), media, style=STYLE, regenerate={"no-such-shot"})


def test_deleted_cache_adopts_published_files(
    cold: tuple[Path, Assets], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = copy_media(cold[0], tmp_path / "media")
    before = snapshot(media)
    shutil.rmtree(media / ".cache")
    (media / "images" / "sc02-car-001.png").write_bytes(b"edited by hand")
    spy = Spy(monkeypatch)
    generate_assets(tiny_shotlist(), media, style=STYLE)
    assert spy.calls == {"image": ["sc02-car-001"], "voice": [], "cue": []}
    assert snapshot(media) == before


def test_progress_bars_and_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    silent = tiny_shotlist()
    for shot in silent.shots:
        shot.dialogue = []
    generate_assets(silent, tmp_path / "loud", style=STYLE, quiet=False)
    err = capsys.readouterr().err
    assert "images" in err and "3/3" in err and "cues" in err and "eta" in err
    generate_assets(silent, tmp_path / "quiet", style=STYLE, quiet=True)
    assert capsys.readouterr().err == ""


def test_removed_shot_loses_its_files(cold: tuple[Path, Assets], tmp_path: Path) -> None:
    media = copy_media(cold[0], tmp_path / "media")
    shorter = tiny_shotlist()
    shorter.shots = shorter.shots[:2]
    assets = generate_assets(shorter, media, style=STYLE)
    assert "sc02-car-001" not in assets.images
    assert not (media / "images" / "sc02-car-001.png").exists()
    assert not (media / "voices" / "sc02-car-001-d1.wav").exists()


KILL_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from generators.run import generate_assets
from tests.test_generators_support import STYLE, tiny_shotlist
generate_assets(tiny_shotlist(), Path(sys.argv[1]), style=STYLE)
"""


def test_sigkill_midway_then_rerun_is_byte_identical(cold: tuple[Path, Assets], tmp_path: Path) -> None:
    expected = snapshot(cold[0])
    media = tmp_path / "killed"
    script = tmp_path / "gen.py"
    script.write_text(KILL_SCRIPT.format(root=str(ROOT)))
    process = subprocess.Popen([sys.executable, str(script), str(media)], start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((media / ".cache").rglob("*.json")):
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    records = list((media / ".cache").rglob("*.json"))
    assert records, "the run made no progress before the kill"
    assert len(records) < 10 and not (media / ASSETS_FILE).exists(), "the kill came too late to test resuming"
    generate_assets(tiny_shotlist(), media, style=STYLE)
    assert snapshot(media) == expected
    assert not list(media.rglob("*.tmp"))


# ------------------------------------------------------------------------------------------- bad input


def assert_nothing_written(media: Path) -> None:
    assert not media.exists() or not any(media.iterdir())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "style reference not found"),
        (b"not an image at all", "not an image Pillow can read"),
        ("truncated", "not a readable image"),
        (png_header_only(12_000, 12_000), "decompression-bomb"),
        (png_header_only(9_000, 9_000), "decompression-bomb"),
    ],
)
def test_bad_style_reference_fails_cleanly(tmp_path: Path, content: bytes | str | None, message: str) -> None:
    style = tmp_path / "ref.png"
    if content == "truncated":
        style.write_bytes(STYLE.read_bytes()[:3000])
    elif isinstance(content, bytes):
        style.write_bytes(content)
    media = tmp_path / "media"
    with pytest.raises(ScriptkitError, match=message) as info:
        generate_assets(tiny_shotlist(), media, style=style)
    assert str(style) in str(info.value)
    assert_nothing_written(media)


def test_unknown_backend_and_bad_config_fail_cleanly(tmp_path: Path) -> None:
    media = tmp_path / "media"
    with pytest.raises(ScriptkitError, match="unknown image backend 'nope'; available: diffusers, storyboard"):
        generate_assets(tiny_shotlist(), media, style=None, image_backend="nope")
    config = tmp_path / "scriptkit.toml"
    config.write_text("[generators\nimage = 1")
    with pytest.raises(ScriptkitError, match="invalid TOML") as info:
        generate_assets(tiny_shotlist(), media, style=None, config=config)
    assert str(config) in str(info.value)
    config.write_text('[generators]\nvoice = "nope"\n')
    with pytest.raises(ScriptkitError, match="unknown voice backend 'nope'"):
        generate_assets(tiny_shotlist(), media, style=None, config=config)
    with pytest.raises(ScriptkitError, match="config file not found"):
        generate_assets(tiny_shotlist(), media, style=None, config=tmp_path / "missing.toml")
    assert_nothing_written(media)


def test_config_picks_backend_and_cli_overrides(tmp_path: Path) -> None:
    register(IMAGE_BACKENDS, "plain", "generators.storyboard:StoryboardImages")
    config = tmp_path / "scriptkit.toml"
    config.write_text('[generators]\nimage = "diffusers"\n[generators.piper.characters.MAYA]\npitch = 0.8\n')
    from generators.config import load_config

    settings = load_config(config, None, image_backend="plain")
    assert settings.image == "plain" and settings.voice == "kokoro"
    assert settings.for_backend("piper") == {"characters": {"MAYA": {"pitch": 0.8}}}
    voices = PiperVoices(options=settings.for_backend("piper"))
    assert voices.settings("MAYA").pitch == 0.8


def test_cli_generate_json(tmp_path: Path) -> None:
    from scriptkit.cli import app
    from scriptkit.shotlist_io import write_shotlist

    shots = tmp_path / "shots.yaml"
    silent = tiny_shotlist()
    for shot in silent.shots:
        shot.dialogue = []  # keep this test to the CLI plumbing: no piper run
    write_shotlist(silent, shots)
    media = tmp_path / "media"
    result = CliRunner().invoke(app, ["generate", str(shots), "--style", str(STYLE), "-o", str(media), "--json"])
    assert result.exit_code == 0, result.output
    record = Assets.model_validate_json(result.stdout)
    assert sorted(record.images) == ["sc01-platform-001", "sc01-platform-002", "sc02-car-001"]
    assert (media / ASSETS_FILE).is_file()
    bad = CliRunner().invoke(
        app, ["generate", str(shots), "--style", str(tmp_path / "nope.png"), "-o", str(media), "-q"]
    )
    assert bad.exit_code == 2 and "style reference not found" in bad.output


def test_a_recast_character_revoices_its_own_lines_only(
    cold: tuple[Path, Assets], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = copy_media(cold[0], tmp_path / "media")
    before = snapshot(media)
    first = tiny_shotlist()
    generate_assets(first, media, style=STYLE)  # cached: fills in the cast it was voiced with
    assert {m.name for m in first.cast} == {"MAYA", "THEO"} and all(m.voice.backend == "kokoro" for m in first.cast)
    spy = Spy(monkeypatch)
    recast = tiny_shotlist()
    recast.cast = [
        m.model_copy(update={"voice": m.voice.model_copy(update={"name": "af_nova"})}) if m.name == "MAYA" else m
        for m in first.cast
    ]
    assets = generate_assets(recast, media, style=STYLE)
    assert spy.calls["voice"] == ["sc01-platform-002-d1"] and spy.calls["image"] == []
    after = snapshot(media)
    assert after["voices/sc02-car-001-d1.wav"] == before["voices/sc02-car-001-d1.wav"]  # THEO untouched
    assert assets.voices["sc01-platform-002-d1"].params["voice"] == "af_nova"


def test_the_cast_gives_the_image_backend_its_looks() -> None:
    shotlist = tiny_shotlist()
    shotlist.cast = [CastMember(name="MAYA", seed=7, image="refs/maya.png"), CastMember(name="THEO")]
    options = with_cast_looks({"characters": {"maya": {"seed": 99}}}, shotlist)
    assert options["characters"] == {"MAYA": {"seed": 99, "reference": "refs/maya.png"}}
    assert with_cast_looks({}, tiny_shotlist()) == {}
