"""A format whose output is a folder (as a CapCut draft is) is first-class: build, manifest, check, warm
rebuild, format recognition and conform handle it like a file. The folder format is a toy one in tests/formats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import exporters
from exporters import guess_format, output_digest, read_timeline
from scriptkit.build import BuildRequest, build_project
from scriptkit.check import check_project
from scriptkit.project import diff_command
from tests import test_format_contract

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE, STYLE = ROOT / "examples" / "last-train.fountain", ROOT / "examples" / "style.png"


@pytest.fixture
def folder_format(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setitem(exporters.MODULES, "otiofolder", "tests.formats.otio_folder")
    exporters.refresh()
    yield "otiofolder"
    monkeypatch.delitem(exporters.MODULES, "otiofolder")
    exporters.refresh()


def build(out: Path, log: list[str]) -> dict:
    request = BuildRequest(source=str(EXAMPLE), output=str(out), style=str(STYLE), nle="resolve", preview=False)
    return build_project(request, log=log.append)


def test_the_contract_holds_for_a_folder_format(tmp_path: Path, folder_format: str) -> None:
    test_format_contract.test_write_read_gives_the_same_cuts(tmp_path, folder_format)


def test_build_check_rebuild_and_diff_a_folder_output(tmp_path: Path, folder_format: str) -> None:
    project = tmp_path / "ep07"
    log: list[str] = []
    manifest = build(project, log)
    entry = next(o for o in manifest["outputs"] if o["format"] == folder_format)
    folder = project / entry["path"]
    assert folder.is_dir() and (folder / "timeline.otio").is_file()
    assert entry["sha256"] == output_digest(folder) and entry["nles"] == ["resolve"]
    assert not [p for p in project.iterdir() if p.name.endswith((".tmp", ".old"))]  # no temp folder left behind
    assert check_project(project) == []

    log.clear()
    build(project, log)  # warm: the folder is kept
    assert f"kept {folder.name} (its timeline and options are unchanged)" in log
    (folder / "README.txt").write_text("changed by hand\n")
    log.clear()
    build(project, log)  # a folder changed by hand is rewritten whole
    assert f"wrote {folder.name}" in log and (folder / "README.txt").read_text() != "changed by hand\n"

    # the editor's timeline may come back as such a folder, with or without its suffix
    assert guess_format(folder) == folder_format
    plain = tmp_path / "from-the-editor"
    folder.rename(plain)
    assert guess_format(plain) == folder_format
    assert read_timeline(plain).name == manifest["title"]
    assert diff_command(project, plain)[-1] == "no editorial changes"
    problems = check_project(project)
    assert problems == [f"{folder.name} is missing: resolve has nothing to import"]
    assert json.loads((project / "manifest.json").read_text())["outputs"]
