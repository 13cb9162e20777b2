"""End to end: `scriptkit build` on the example episode writes a project every NLE can open."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import opentimelineio as otio
import pytest

from exporters import get_format, output_digest
from scriptkit.build import BuildRequest, build_project, formats_for
from scriptkit.check import check_project
from scriptkit.errors import ScriptkitError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "last-train.fountain"
STYLE = ROOT / "examples" / "style.png"


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "ep 07 #1"
    build_project(BuildRequest(source=str(EXAMPLE), output=str(out), style=str(STYLE), quiet=True))
    return out


def test_build_writes_every_output_the_manifest_names(project: Path) -> None:
    manifest = json.loads((project / "manifest.json").read_text())
    formats = {o["format"] for o in manifest["outputs"]}
    assert formats == set(formats_for("all", preview=True))
    for output in manifest["outputs"]:
        path = project / output["path"]
        if get_format(output["format"]).folder:  # a draft folder: its files hashed in order
            assert path.is_dir() and any(path.iterdir()), output
        else:
            assert path.is_file() and path.stat().st_size > 0, output
        assert output_digest(path) == output["sha256"]
    assert manifest["fps"] == "30" and (manifest["width"], manifest["height"]) == (1080, 1920)
    assert manifest["shots"], "no shots in the manifest"
    for shot in manifest["shots"]:
        assert (project / shot["image"]).is_file()
        assert shot["id"] in shot["image"]
    assert (project / "shots.yaml").is_file()
    assert str(project) not in (project / "media" / "assets.json").read_text(), "assets.json must be relocatable"
    assert manifest["options"]["style"] == "style.png"
    assert (project / "style.png").read_bytes() == STYLE.read_bytes()


def test_example_is_a_60_second_episode(project: Path) -> None:
    manifest = json.loads((project / "manifest.json").read_text())
    assert 40 <= manifest["duration"] <= 80
    timeline = otio.adapters.read_from_file(
        str(project / next(o["path"] for o in manifest["outputs"] if o["format"] == "otio"))
    )
    assert manifest["duration"] == round(timeline.duration().to_seconds(), 3)
    assert manifest["planned_duration"] > 0


def test_check_finds_nothing_wrong_with_a_fresh_build(project: Path) -> None:
    assert check_project(project) == []


def test_check_reports_missing_media_and_outputs(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    (copy / manifest["shots"][0]["image"]).unlink()
    (copy / next(o["path"] for o in manifest["outputs"] if o["format"] == "edl")).unlink()
    problems = check_project(copy)
    assert any("missing media" in p and manifest["shots"][0]["id"] in p for p in problems)
    assert any(".edl is missing" in p and "avid" in p for p in problems)


def test_rebuild_is_byte_identical(project: Path, tmp_path: Path) -> None:
    before = _hashes(project)
    build_project(BuildRequest(source=str(EXAMPLE), output=str(project), style=str(STYLE), quiet=True))
    assert _hashes(project) == before


def test_a_warm_rebuild_keeps_unchanged_outputs_and_rewrites_a_tampered_one(project: Path) -> None:
    manifest = json.loads((project / "manifest.json").read_text())
    edl = project / next(o["path"] for o in manifest["outputs"] if o["format"] == "edl")
    preview = project / "preview.mp4"
    good_edl, preview_mtime = edl.read_bytes(), preview.stat().st_mtime_ns
    edl.write_bytes(good_edl + b"* an editor's scribble\n")
    messages: list[str] = []
    build_project(BuildRequest(source=str(EXAMPLE), output=str(project), style=str(STYLE)), log=messages.append)
    assert edl.read_bytes() == good_edl
    assert f"wrote {edl.name}" in messages
    assert "kept preview.mp4 (its timeline and options are unchanged)" in messages
    assert preview.stat().st_mtime_ns == preview_mtime


def test_drop_frame_on_a_30fps_template_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "df"
    with pytest.raises(ScriptkitError, match=r"29\.97 or 59\.94"):
        build_project(BuildRequest(source=str(EXAMPLE), output=str(out), drop_frame=True, quiet=True))
    assert not out.exists()


def test_unknown_nle_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScriptkitError, match="unknown --nle 'vegas'"):
        build_project(BuildRequest(source=str(EXAMPLE), output=str(tmp_path / "x"), nle="vegas", quiet=True))
    assert not (tmp_path / "x").exists()
