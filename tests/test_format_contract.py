"""The contract every registered format keeps: one test suite, parametrised over the registry.

A format is tested here the moment it registers (in `exporters.MODULES` or through an entry point):
- every timeline format that writes and reads: write -> read back (the format recognised from the file by the
  registry's suffixes and `sniff`) -> the same picture cuts, every shot and dialogue line found by its id,
  and no editorial change in the conform diff;
- every format: its facts are consistent (output name, suffixes, options model, file or folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import exporters
from exporters import Format, FormatOptions, get_format, guess_format, read_timeline
from scriptkit.conform.diff import diff_layouts
from scriptkit.conform.identity import known_ids_from_timeline
from scriptkit.conform.layout import layout
from scriptkit.contract import shot_cuts
from scriptkit.models import ExportOptions
from scriptkit.timeline import build_timeline
from tests.fixtures import sample_media

ROUND_TRIP = [f.name for f in exporters.formats() if f.timeline and f.read and f.write]


def test_the_registry_holds_every_format_with_its_facts() -> None:
    names = exporters.available()
    assert len(names) == len(set(names)) and ROUND_TRIP
    for fmt in exporters.formats():
        assert isinstance(fmt, Format) and fmt.name in names
        assert fmt.suffixes and all(s.startswith(".") and s == s.lower() for s in fmt.suffixes), fmt.name
        assert fmt.write is not None or fmt.read is not None, fmt.name
        assert issubclass(fmt.options, FormatOptions), fmt.name
        assert set(fmt.primary_for) <= set(fmt.nles) <= set(exporters.nle_targets()), fmt.name
        if fmt.write is not None:
            assert fmt.output_path(Path("/p"), "ep").name == fmt.output.format(slug="ep"), fmt.name
    # option field names are unique across formats (manifest.json records them side by side)
    fields = [f for fmt in exporters.formats() for f in fmt.options.model_fields]
    assert len(fields) == len(set(fields))


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_write_read_gives_the_same_cuts(tmp_path: Path, name: str) -> None:
    shotlist, assets, media = sample_media(tmp_path)
    plan = build_timeline(shotlist, assets, media)
    fmt = get_format(name)
    path = fmt.output_path(tmp_path / "project", "last-train")
    path.parent.mkdir()
    fmt.write(plan, path, ExportOptions(project_dir=str(path.parent), media_dir=str(media), title=shotlist.title))
    assert path.is_dir() if fmt.folder else path.is_file()
    assert guess_format(path) == name
    back = read_timeline(path)
    rate = float(shotlist.rate)
    known = known_ids_from_timeline(plan)
    lay, planned = layout(back, known, rate), layout(plan, known, rate)
    # the same cuts: every shot found by its id, at the same place, the same length, the same media frames
    assert [(p.identity.owner, p.start, p.duration) for p in lay.shots()] == shot_cuts(plan)
    assert [p.source_in for p in lay.shots()] == [p.source_in for p in planned.shots()]
    if fmt.carries_rate:  # an EDL carries the picture only
        lines = {p.identity.owner for p in lay.clips if p.identity.kind == "dialogue"}
        assert lines == set(known.lines)
    diff = diff_layouts(planned, lay)
    assert not (diff.trims or diff.moves or diff.deleted or diff.duplicates or diff.foreign)


def test_a_shared_suffix_is_told_apart_by_content(tmp_path: Path) -> None:
    fcpxml, xmeml = tmp_path / "a.xml", tmp_path / "b.xml"
    fcpxml.write_bytes(b'<?xml version="1.0"?>\n<fcpxml version="1.10"/>')
    xmeml.write_bytes(b'<?xml version="1.0"?>\n<xmeml version="4"/>')
    assert (guess_format(fcpxml), guess_format(xmeml)) == ("fcpxml", "xmeml")


def test_an_out_of_tree_format_registers_through_an_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package that declares `[project.entry-points."scriptkit.formats"] otiofolder = "its.module"`."""
    dist = tmp_path / "scriptkit_otiofolder-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: scriptkit-otiofolder\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[scriptkit.formats]\notiofolder = tests.formats.otio_folder\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    exporters.refresh()
    try:
        assert exporters.available()[-1] == "otiofolder"
        assert get_format("otiofolder").folder and "resolve" in exporters.nle_targets()
        test_write_read_gives_the_same_cuts(tmp_path / "contract", "otiofolder")
    finally:
        monkeypatch.undo()
        exporters.refresh()
    assert "otiofolder" not in exporters.available()


def test_a_broken_registration_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from scriptkit.errors import ScriptkitError

    monkeypatch.setitem(exporters.MODULES, "gone", "exporters.no_such_module")
    monkeypatch.setitem(exporters.MODULES, "misnamed", "tests.formats.otio_folder")
    exporters.refresh()
    try:
        with pytest.raises(ScriptkitError, match=r"format 'gone' \(exporters.no_such_module\) cannot be loaded"):
            get_format("gone")
        with pytest.raises(ScriptkitError, match="registers 'otiofolder' as FORMAT, not a Format 'misnamed'"):
            get_format("misnamed")
    finally:
        monkeypatch.undo()
        exporters.refresh()
