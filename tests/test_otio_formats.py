"""OTIO JSON and OTIOZ writers and readers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import opentimelineio as otio
import pytest

from exporters import get_format, otio_json, otioz
from scriptkit.contract import shot_cuts
from scriptkit.errors import ScriptkitError
from scriptkit.io import url_to_path
from scriptkit.models import ExportOptions
from tests.fixtures import sample_timeline

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "nle" / "otio"
ODD_FOLDER = "my media #1 100% Ü"
RATES = ["23.976", "24", "25", "29.97", "30", "50", "59.94", "60"]


def _plain(value: object) -> object:
    if hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple) or type(value).__name__ == "AnyVector":
        return [_plain(v) for v in value]
    return value


def everything(tl: otio.schema.Timeline) -> list[tuple[str, str, str, object]]:
    """Every item of every track with its range and scriptkit metadata."""
    out = []
    for track in tl.tracks:
        for item in track:
            rng = (
                str(item.source_range)
                if not isinstance(item, otio.schema.Transition)
                else str((item.in_offset, item.out_offset))
            )
            out.append((track.name, item.name, rng, _plain(item.metadata.get("scriptkit"))))
    return out


@pytest.mark.parametrize("fps", RATES)
def test_otio_json_round_trip_is_identity(tmp_path: Path, fps: str) -> None:
    tl = sample_timeline(tmp_path / ODD_FOLDER, fps=fps, drop_frame=fps in ("29.97", "59.94"))
    target = tmp_path / "project" / "episode.otio"
    otio_json.write(tl, target, ExportOptions(project_dir=str(tmp_path / "project")))
    by_otio = otio.adapters.read_from_file(str(target))
    ours = otio_json.read(target)
    for back in (by_otio, ours):
        assert shot_cuts(back) == shot_cuts(tl)
        assert everything(back) == everything(tl)
    assert ours.metadata["scriptkit"]["fps"] == tl.metadata["scriptkit"]["fps"]
    for clip in ours.find_clips():
        assert url_to_path(clip.media_reference.target_url).is_file()


def test_otio_json_relative_media_and_determinism(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path / ODD_FOLDER)
    options = ExportOptions(project_dir=str(tmp_path / ODD_FOLDER), relative_media=True)
    text = otio_json.to_string(tl, options)
    assert text == otio_json.to_string(tl, options)
    back = otio_json.read(_write(tmp_path / ODD_FOLDER / "a.otio", text))
    urls = [c.media_reference.target_url for c in back.find_clips()]
    assert urls and all(u.startswith("media/") for u in urls)
    assert all((tmp_path / ODD_FOLDER / u.replace("%20", " ")).parent.is_dir() for u in urls[:1])
    # the original timeline is untouched
    assert all(c.media_reference.target_url.startswith("file:///") for c in tl.find_clips())


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_otioz_bundles_media_and_reads_back(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path / ODD_FOLDER, fps="29.97")
    target = tmp_path / "project" / "episode.otioz"
    options = ExportOptions(project_dir=str(tmp_path / "project"))
    otioz.write(tl, target, options)
    with zipfile.ZipFile(target) as bundle:
        names = bundle.namelist()
        assert "content.otio" in names
        media = [n for n in names if n.startswith("media/")]
        assert len(media) == len(tl.find_clips())
        assert bundle.read("media/sc01-kitchen-001.png")[:8] == b"\x89PNG\r\n\x1a\n"
    back = otioz.read(target)
    assert shot_cuts(back) == shot_cuts(tl)
    assert all(c.media_reference.target_url.startswith("media/") for c in back.find_clips())
    assert [c.metadata["scriptkit"]["shot_id"] for c in back.tracks[0].find_clips()] == [n for n, _, _ in shot_cuts(tl)]
    first = target.read_bytes()
    otioz.write(tl, target, options)
    assert target.read_bytes() == first  # deterministic bytes
    assert [p.name for p in target.parent.iterdir()] == ["episode.otioz"]


def test_otioz_missing_media_writes_nothing(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, fps="25")
    url_to_path(tl.find_clips()[2].media_reference.target_url).unlink()
    folder = tmp_path / "out"
    with pytest.raises(ScriptkitError, match="missing media"):
        otioz.write(tl, folder / "episode.otioz", ExportOptions(project_dir=str(folder)))
    assert not folder.exists() or list(folder.iterdir()) == []


def test_otioz_reader_refuses_bad_bundles(tmp_path: Path) -> None:
    not_zip = _write(tmp_path / "a.otioz", "plain text")
    with pytest.raises(ScriptkitError, match="not a zip"):
        otioz.read(not_zip)
    empty = tmp_path / "b.otioz"
    with zipfile.ZipFile(empty, "w") as bundle:
        bundle.writestr("readme.txt", "hi")
    with pytest.raises(ScriptkitError, match=r"no content\.otio"):
        otioz.read(empty)
    bomb = tmp_path / "c.otioz"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("content.otio", " " * 5_000_000)
    with pytest.raises(ScriptkitError, match="zip bomb"):
        otioz.read(bomb)


def test_otio_reader_bad_input(tmp_path: Path) -> None:
    for content in ("{not json", '{"OTIO_SCHEMA": "Nonsense.1"}', ""):
        bad = _write(tmp_path / "bad.otio", content)
        with pytest.raises(ScriptkitError) as info:
            otio_json.read(bad)
        assert str(bad) in str(info.value)


def test_resolve_clip_exports_become_timelines() -> None:
    for file in sorted(CORPUS.glob("*.otio*")):
        tl = otio_json.read(file)
        assert isinstance(tl, otio.schema.Timeline)
        assert tl.tracks[0].name == "V1"
        assert len(tl.find_clips()) == 1
        assert tl.metadata["scriptkit"]["fps"] in ("24", "25")


def test_registry() -> None:
    assert get_format("otio").write is otio_json.write
    assert get_format("otioz").read is otioz.read
