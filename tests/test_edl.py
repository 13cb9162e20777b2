"""CMX 3600 EDL writer and reader: judged by the OTIO cmx_3600 adapter and our reader, at every rate."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import opentimelineio as otio
import pytest
from hypothesis import HealthCheck, given, settings

from exporters import edl, get_format
from scriptkit.contract import shot_cuts
from scriptkit.errors import ScriptkitError
from scriptkit.models import ExportOptions
from scriptkit.rates import parse_rate
from scriptkit.timeline import build_timeline
from tests.fixtures import ODD_FOLDER, RATES, audio_cuts, picture_edits, sample_assets, sample_timeline

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "nle" / "edl"
#: An event line in the columns every EDL of the corpus uses (`D    030`, `W001 030`, `C` then 8 blanks).
EVENT = re.compile(r"^(\d{3})  (\S+)\s+(V|A|AA)\s+(C {8}|D {4}\d{3} |W001 \d{3} )(\S+) (\S+) (\S+) (\S+)$")


def transitions(tl: otio.schema.Timeline) -> list[tuple[int, int, str]]:
    return [
        (round(t.in_offset.value), round(t.out_offset.value), str((t.metadata.get("scriptkit") or {}).get("kind")))
        for t in tl.tracks[0]
        if isinstance(t, otio.schema.Transition)
    ]


def write_sample(tmp_path: Path, **kw: object) -> tuple[otio.schema.Timeline, list[Path]]:
    tl = sample_timeline(tmp_path / ODD_FOLDER, **kw)
    options = ExportOptions(project_dir=str(tmp_path / "project"), drop_frame=bool(kw.get("drop_frame")))
    return tl, edl.write_all(tl, tmp_path / "project" / "episode.edl", options)


@pytest.mark.parametrize(("fps", "drop_frame"), RATES)
def test_round_trip_every_rate(tmp_path: Path, fps: str, drop_frame: bool) -> None:
    tl, paths = write_sample(tmp_path, fps=fps, drop_frame=drop_frame)
    back = edl.read(paths[0])
    assert shot_cuts(back) == shot_cuts(tl)
    assert transitions(back) == transitions(tl)
    assert back.metadata["scriptkit"]["fps"] == tl.metadata["scriptkit"]["fps"]
    assert back.metadata["scriptkit"]["drop_frame"] is drop_frame
    assert round(back.global_start_time.value) == round(tl.global_start_time.value)
    ids = [c.metadata["scriptkit"]["shot_id"] for c in back.tracks[0].find_clips()]
    assert ids == [name for name, _, _ in shot_cuts(tl)]
    # each audio EDL holds one audio track at the same frames
    audio = []
    for path in paths[1:]:
        part = edl.read(path)
        offset = round(part.global_start_time.value - tl.global_start_time.value)
        audio += [(name, start + offset, frames) for name, start, frames in audio_cuts(part)]
    assert sorted(audio) == sorted(audio_cuts(tl))


@pytest.mark.parametrize(("fps", "drop_frame"), [("23.976", False), ("25", False), ("29.97", True), ("60", False)])
def test_otio_adapter_reads_the_same_cuts(tmp_path: Path, fps: str, drop_frame: bool) -> None:
    """Without transitions the OTIO reader sees exactly our cuts; with them, the same clips and dissolve spans."""
    plain, paths = write_sample(tmp_path / "plain", fps=fps, drop_frame=drop_frame, transitions=False)
    rate = float(parse_rate(fps))
    by_otio = otio.adapters.read_from_file(str(paths[0]), adapter_name="cmx_3600", rate=rate)
    assert shot_cuts(by_otio) == shot_cuts(plain)
    tl, paths = write_sample(tmp_path / "full", fps=fps, drop_frame=drop_frame)
    text, lead = edl._strip_leading_fade(paths[0].read_text())  # the adapter refuses a leading fade from black
    assert lead == transitions(tl)[0][1]
    by_otio = otio.adapters.read_from_file(str(_write(tmp_path / "x.edl", text)), adapter_name="cmx_3600", rate=rate)
    ours = [name for name, _, _ in shot_cuts(tl)]
    theirs = [c.name for c in by_otio.tracks[0].find_clips() if c.metadata["cmx_3600"]["reel"] != "BL"]
    assert theirs == ours
    # OTIO starts each dissolve at the incoming event: our cut minus the transition's first half
    spans = []
    for index, item in enumerate(by_otio.tracks[0]):
        if isinstance(item, otio.schema.Transition) and index + 1 < len(by_otio.tracks[0]):
            start = by_otio.tracks[0].range_of_child_at_index(index + 1).start_time.value
            spans.append((round(start), round(item.out_offset.value)))
    expected = []
    cuts = {name: start for name, start, _ in shot_cuts(tl)}
    track = tl.tracks[0]
    for index, item in enumerate(track):
        if isinstance(item, otio.schema.Transition) and item.metadata["scriptkit"]["kind"] in ("dissolve", "wipe"):
            cut = cuts[track[index + 1].name]
            expected.append((cut - round(item.in_offset.value), round(item.in_offset.value + item.out_offset.value)))
        elif isinstance(item, otio.schema.Transition) and item.metadata["scriptkit"]["kind"] == "fade_out":
            end = cuts[track[index - 1].name] + round(track[index - 1].source_range.duration.value)
            expected.append((end - round(item.in_offset.value), round(item.in_offset.value)))
    assert spans == expected


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_event_lines_reels_and_comments(tmp_path: Path) -> None:
    tl, paths = write_sample(tmp_path, fps="29.97", drop_frame=True)
    text = paths[0].read_text()
    lines = text.splitlines()
    assert lines[0] == "TITLE: Last Train"
    assert lines[1] == "FCM: DROP FRAME"
    events = [EVENT.match(line) for line in lines if line[:3].isdigit()]
    assert all(events), [line for line in lines if line[:3].isdigit()]
    assert events[0].group(7) == "01:00:00;00"
    reels = {m.group(2) for m in events}
    assert all(len(reel) <= 8 for reel in reels)
    shot_reels = {m.group(2) for m in events if m.group(2) != "BL"}
    assert len(shot_reels) == len(shot_cuts(tl))
    assert [m.group(4).strip() for m in events if m.group(4).strip() != "C"] == [
        "D    015",
        "D    030",
        "W001 015",
        "D    030",
    ]
    for name, _, _ in shot_cuts(tl):
        assert f"* SCRIPTKIT SHOT: {name}" in text
        assert f"* FROM CLIP NAME:  {name}" in text or f"* TO CLIP NAME:  {name}" in text
    assert "my media #1 100% Ü" in text
    assert [p.name for p in paths[1:]] == [
        "episode.DIALOGUE_MAYA.edl",
        "episode.DIALOGUE_LEO.edl",
        "episode.SFX.edl",
        "episode.MUSIC.edl",
    ]
    assert " AA    C " in paths[-1].read_text()
    assert " A     C " in paths[1].read_text()


def test_reel_names_are_unique_and_short() -> None:
    used: set[str] = set()
    names = [edl.reel_name(f"sc{n % 3:02d}-a-very-long-location-{n:03d}", used) for n in range(40)]
    names += [edl.reel_name("sc01-x-001", used) for _ in range(12)]
    assert len(set(names)) == len(names)
    assert all(len(n) <= 8 and re.fullmatch(r"[A-Z0-9_]+", n) for n in names)


def test_crlf_and_relative_media(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path / ODD_FOLDER, fps="25")
    options = ExportOptions(project_dir=str(tmp_path / ODD_FOLDER), relative_media=True)
    text = edl.edl_text(tl, tl.tracks[0], options)
    assert "* SOURCE FILE: media/images/sc01-kitchen-001.png" in text
    assert text == edl.edl_text(tl, tl.tracks[0], options)
    crlf = _write(tmp_path / "crlf.edl", "")
    crlf.write_bytes(text.replace("\n", "\r\n").encode())
    assert shot_cuts(edl.read(crlf)) == shot_cuts(tl)


def test_rate_detection_without_our_comment(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, fps="25")
    text = edl.edl_text(tl, tl.tracks[0], ExportOptions(project_dir=str(tmp_path)))
    foreign = _write(tmp_path / "foreign.edl", "\n".join(x for x in text.splitlines() if "SCRIPTKIT RATE" not in x))
    assert edl.detect_rate(foreign.read_text())[0] in (24, 25)
    assert shot_cuts(edl.read_edl(foreign, rate=parse_rate("25"))) == shot_cuts(tl)


def test_registry_and_bad_input(tmp_path: Path) -> None:
    fmt = get_format("edl")
    assert fmt.write is edl.write and fmt.read is edl.read
    for content in ("", "TITLE: nothing\nFCM: NON-DROP FRAME\n", "\x00\x01binary"):
        bad = _write(tmp_path / "bad.edl", content)
        with pytest.raises(ScriptkitError) as info:
            edl.read(bad)
        assert str(bad) in str(info.value)
    with pytest.raises(ScriptkitError, match="no picture track"):
        edl.write(otio.schema.Timeline(), tmp_path / "none.edl", ExportOptions(project_dir=str(tmp_path)))
    assert not (tmp_path / "none.edl").exists()


@pytest.mark.parametrize("name", ["otio_avid_example.edl", "edltools_resolve_simple.edl", "otio_premiere_example.edl"])
def test_reads_nle_dialects(name: str) -> None:
    tl = edl.read(CORPUS / name)
    clips = list(tl.find_clips())
    assert clips and all(c.source_range.duration.value > 0 for c in clips)


# --------------------------------------------------------------------------------------- property


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(picture_edits())
def test_property_random_shot_lists_round_trip(shotlist) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        assets = sample_assets(shotlist, root / "media")
        tl = build_timeline(shotlist, assets, root / "media")
        paths = edl.write_all(tl, root / "out.edl", ExportOptions(project_dir=folder))
        back = edl.read(paths[0])
        assert shot_cuts(back) == shot_cuts(tl)
        assert transitions(back) == transitions(tl)


def test_pycmx_reads_our_dissolves_wipes_and_fades_with_their_length(tmp_path: Path) -> None:
    """pycmx, an independent CMX 3600 parser, sees each transition's kind and length where we wrote them."""
    import pycmx

    timeline = sample_timeline(tmp_path)
    path = tmp_path / "cut.edl"
    get_format("edl").write(timeline, path, ExportOptions(project_dir=str(tmp_path)))
    with path.open() as handle:
        edl = pycmx.parse_cmx3600(handle)
    found = [
        (edit.transition.kind, edit.transition.effect_duration)
        for event in edl.events
        for edit in event.edits
        if edit.transition.kind != "C"
    ]
    written = [
        (m.group(4).strip()[0], int(m.group(4).split()[-1]))
        for m in (EVENT.match(line) for line in path.read_text().splitlines() if line[:3].isdigit())
        if m and m.group(4).strip() != "C"
    ]
    assert found and found == written
