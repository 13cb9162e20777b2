"""Premiere xmeml writer and reader: judged by the OTIO fcp_xml adapter, Premiere's own exports and our reader."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import opentimelineio as otio
import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from exporters import get_format, xmeml
from scriptkit.contract import shot_cuts
from scriptkit.errors import ScriptkitError
from scriptkit.models import ExportOptions
from scriptkit.timeline import build_timeline
from tests.fixtures import ODD_FOLDER, RATES, audio_cuts, picture_edits, sample_assets, sample_timeline

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "nle" / "xmeml"


def _options(root: Path, **kw: object) -> ExportOptions:
    return ExportOptions(project_dir=str(root / "project"), **kw)  # type: ignore[arg-type]


def transitions(tl: otio.schema.Timeline) -> list[tuple[int, int, int, str]]:
    """(index in V1, in frames, out frames, kind) of every picture transition."""
    track = tl.tracks[0]
    out = []
    for index, item in enumerate(track):
        if isinstance(item, otio.schema.Transition):
            kind = (item.metadata.get("scriptkit") or {}).get("kind") or item.name
            out.append((index, round(item.in_offset.value), round(item.out_offset.value), str(kind)))
    return out


def source_ranges(tl: otio.schema.Timeline) -> list[tuple[str, int, int]]:
    return [
        (c.name, round(c.source_range.start_time.value), round(c.source_range.duration.value))
        for c in tl.tracks[0]
        if isinstance(c, otio.schema.Clip)
    ]


def markers(tl: otio.schema.Timeline) -> list[tuple[str, int, str]]:
    return [
        (m.name, round(m.marked_range.start_time.value), m.comment or "")
        for c in tl.tracks[0].find_clips()
        for m in c.markers
    ]


def write_sample(tmp_path: Path, **kw: object) -> tuple[otio.schema.Timeline, Path]:
    tl = sample_timeline(tmp_path / ODD_FOLDER, **kw)
    target = tmp_path / "project" / "episode.xml"
    xmeml.write(tl, target, _options(tmp_path, drop_frame=bool(kw.get("drop_frame"))))
    return tl, target


@pytest.mark.parametrize(("fps", "drop_frame"), RATES)
def test_round_trip_every_rate(tmp_path: Path, fps: str, drop_frame: bool) -> None:
    tl, target = write_sample(tmp_path, fps=fps, drop_frame=drop_frame, width=1920, height=1080)
    by_otio = otio.adapters.read_from_file(str(target), adapter_name="fcp_xml")
    ours = xmeml.read(target)
    for back in (by_otio, ours):
        assert shot_cuts(back) == shot_cuts(tl)
        assert source_ranges(back) == source_ranges(tl)
        assert [t[1:3] for t in transitions(back)] == [t[1:3] for t in transitions(tl)]
        assert sorted(audio_cuts(back)) == sorted(audio_cuts(tl))
        assert [(n, s) for n, s, _ in markers(back)] == [(n, s) for n, s, _ in markers(tl)]
    assert transitions(ours) == [(i, a, b, {"wipe": "wipe"}.get(k, k)) for i, a, b, k in transitions(tl)]
    assert markers(ours) == markers(tl)
    assert round(ours.global_start_time.value) == round(tl.global_start_time.value)
    meta = ours.metadata["scriptkit"]
    assert (meta["fps"], meta["drop_frame"], meta["width"], meta["height"]) == (
        tl.metadata["scriptkit"]["fps"],
        drop_frame,
        1920,
        1080,
    )


def test_shot_identity_and_track_names_survive(tmp_path: Path) -> None:
    tl, target = write_sample(tmp_path)
    back = xmeml.read(target)
    assert [t.name for t in back.tracks] == [t.name for t in tl.tracks]
    assert [t.metadata["scriptkit"]["role"] for t in back.tracks] == [
        t.metadata["scriptkit"]["role"] for t in tl.tracks
    ]
    for ours, theirs in zip(tl.find_clips(), back.find_clips(), strict=True):
        want = ours.metadata["scriptkit"]
        got = theirs.metadata["scriptkit"]
        assert got["kind"] == want["kind"]
        assert got.get("shot_id") == want.get("shot_id")
        assert got.get("asset_hash") == want["asset_hash"]
        if want["kind"] == "dialogue":
            assert got["line_id"] == want["line_id"]
            assert got["text"] == want["text"]


def test_shot_id_falls_back_to_marker_and_file_name(tmp_path: Path) -> None:
    tl, target = write_sample(tmp_path)
    root = etree.fromstring(target.read_bytes()[3:])
    for comments in list(root.iter("comments")):
        comments.getparent().remove(comments)
    for logging in list(root.iter("logginginfo")):
        logging.getparent().remove(logging)
    stripped = tmp_path / "stripped.xml"
    stripped.write_bytes(etree.tostring(root))
    back = xmeml.read(stripped)
    shots = [c for c in back.tracks[0] if isinstance(c, otio.schema.Clip)]
    assert len(shots) == 6
    assert {c.metadata["scriptkit"]["id_source"] for c in shots} == {"marker"}
    for marker in list(root.iter("marker")):
        marker.getparent().remove(marker)
    for item in root.iter("clipitem"):
        item.find("name").text = "renamed by editor"
    stripped.write_bytes(etree.tostring(root))
    back = xmeml.read(stripped)
    shots = [c for c in back.tracks[0] if isinstance(c, otio.schema.Clip)]
    assert [c.metadata["scriptkit"]["shot_id"] for c in shots] == [name for name, _, _ in shot_cuts(tl)]
    assert {c.metadata["scriptkit"]["id_source"] for c in shots} == {"file_name"}


def test_premiere_details(tmp_path: Path) -> None:
    tl, target = write_sample(tmp_path, fps="29.97", drop_frame=True, width=1080, height=1920)
    data = target.read_bytes()
    assert data.startswith(b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>')
    root = etree.fromstring(data[3:])
    assert root.get("version") == "4"
    seq = root.find("sequence")
    chars = seq.find("media/video/format/samplecharacteristics")
    assert (chars.findtext("width"), chars.findtext("height")) == ("1080", "1920")
    assert chars.findtext("pixelaspectratio") == "square"
    assert chars.findtext("fielddominance") == "none"
    assert (seq.findtext("rate/timebase"), seq.findtext("rate/ntsc")) == ("30", "TRUE")
    assert seq.findtext("timecode/string") == "01:00:00;00"
    assert seq.findtext("timecode/displayformat") == "DF"
    video_items = seq.findall("media/video/track/clipitem")
    assert len(video_items) == len(shot_cuts(tl))
    for item in video_items:
        file_el = item.find("file")
        assert int(file_el.findtext("duration")) > int(item.findtext("out")) - int(item.findtext("in"))
        assert file_el.findtext("media/video/samplecharacteristics/width") == "1080"
        url = file_el.findtext("pathurl")
        assert url.startswith("file://localhost/")
        assert "my%20media%20%231%20100%25%20%C3%9C" in url
        assert item.findtext("comments/mastercomment1") == item.findtext("name")
        assert item.findtext("logginginfo/shottake") == item.findtext("name")
        assert item.find("marker/name").text == item.findtext("name")
    alignments = [t.findtext("alignment") for t in seq.iter("transitionitem")]
    assert alignments == ["start-black", "center", "center", "end-black"]
    tracks = seq.findall("media/audio/track")
    names = [t.get("MZ.TrackName") for t in tracks]
    assert names == ["DIALOGUE MAYA", "DIALOGUE LEO", "SFX", "MUSIC", "MUSIC"]
    channel_counts = {t.get("MZ.TrackName"): t.findtext("clipitem/file/media/audio/channelcount") for t in tracks[:4]}
    assert channel_counts == {"DIALOGUE MAYA": "1", "DIALOGUE LEO": "1", "SFX": "1", "MUSIC": "2"}
    assert [t.findtext("clipitem/sourcetrack/trackindex") for t in tracks[3:]] == ["1", "2"]
    assert [t.get("premiereTrackType") for t in tracks] == ["Mono", "Mono", "Mono", "Stereo", "Stereo"]


def test_a_mono_music_bed_is_one_mono_track(tmp_path: Path) -> None:
    """Our music bed is a mono file: Premiere gets one mono track for it, not a stereo pair of one channel."""
    tl = sample_timeline(tmp_path)
    for track in tl.tracks:
        for clip in track.find_clips():
            if clip.metadata["scriptkit"].get("kind") == "music":
                clip.metadata["scriptkit"]["channels"] = 1
    target = tmp_path / "mono.xml"
    xmeml.write(tl, target, ExportOptions(project_dir=str(tmp_path)))
    tracks = etree.fromstring(target.read_bytes()[3:]).findall("sequence/media/audio/track")
    assert [t.get("MZ.TrackName") for t in tracks] == ["DIALOGUE MAYA", "DIALOGUE LEO", "SFX", "MUSIC"]
    assert tracks[-1].get("premiereTrackType") == "Mono"
    assert tracks[-1].findtext("clipitem/file/media/audio/channelcount") == "1"


def test_structure_matches_corpus_exports(tmp_path: Path) -> None:
    """Every element path we write also occurs in real Premiere / FCP7 exports (corpus), bar FCP7 extras."""

    def paths(root: etree._Element) -> set[str]:
        found: set[str] = set()

        def walk(element: etree._Element, prefix: str) -> None:
            path = f"{prefix}/{element.tag}"
            found.add(re.sub(r"/(project/children|bin/children)", "", path))
            for child in element:
                if isinstance(child.tag, str):
                    walk(child, path)

        walk(root, "")
        return found

    corpus: set[str] = set()
    for file in sorted(CORPUS.glob("*.xml")):
        corpus |= paths(etree.fromstring(file.read_bytes().removeprefix(b"\xef\xbb\xbf")))
    _, target = write_sample(tmp_path)
    ours = paths(etree.fromstring(target.read_bytes()[3:]))
    # FCP7 documents these clipitem children; the corpus files just leave them out.
    allowed = {"clipcommenta", "clipcommentb", "marker", "comment", "in", "out", "name"}
    extra = {p for p in ours - corpus if p.rsplit("/", 1)[1] not in allowed}
    assert not extra, sorted(extra)
    assert len(ours & corpus) > 60


def test_relative_media_and_determinism(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path / ODD_FOLDER)
    options = ExportOptions(project_dir=str(tmp_path / ODD_FOLDER), relative_media=True)
    one = xmeml.to_bytes(tl, options)
    assert one == xmeml.to_bytes(tl, options)
    urls = [e.text for e in etree.fromstring(one[3:]).iter("pathurl")]
    assert urls and all(u.startswith("media/") for u in urls)


def test_registry_and_failed_write_leaves_nothing(tmp_path: Path) -> None:
    fmt = get_format("xmeml")
    assert fmt.write is xmeml.write and fmt.read is xmeml.read
    target = tmp_path / "out.xml"
    with pytest.raises(AttributeError):
        xmeml.write(None, target, _options(tmp_path))  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_reader_handles_crlf_bom_and_project_wrapper(tmp_path: Path) -> None:
    tl, target = write_sample(tmp_path)
    root = etree.fromstring(target.read_bytes()[3:])
    project = etree.Element("xmeml", version="5")
    children = etree.SubElement(etree.SubElement(project, "project"), "children")
    bin_children = etree.SubElement(etree.SubElement(children, "bin"), "children")
    bin_children.append(root.find("sequence"))
    text = etree.tostring(project, xml_declaration=True, encoding="UTF-8").replace(b"\n", b"\r\n")
    wrapped = tmp_path / "wrapped.xml"
    wrapped.write_bytes(b"\xef\xbb\xbf" + text)
    assert shot_cuts(xmeml.read(wrapped)) == shot_cuts(tl)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE xmeml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b"<xmeml><sequence><name>&b;</name></sequence></xmeml>",
            "entity",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE xmeml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<xmeml><sequence><name>&x;</name></sequence></xmeml>",
            "entity",
        ),
        (b'<?xml version="1.0"?><xmeml version="4"><sequence><name>cut', "malformed XML"),
        (b"<fcpxml version='1.10'/>", "not an xmeml"),
    ],
)
def test_reader_refuses_bad_xml(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(content)
    with pytest.raises(ScriptkitError, match=message) as info:
        xmeml.read(bad)
    assert str(bad) in str(info.value)


# --------------------------------------------------------------------------------------- property


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(picture_edits(rates=("23.976", "25", "29.97", "30", "60"), drop_frame=False))
def test_property_random_shot_lists_round_trip(shotlist) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        assets = sample_assets(shotlist, root / "media")
        tl = build_timeline(shotlist, assets, root / "media")
        target = root / "out.xml"
        xmeml.write(tl, target, _options(root))
        for back in (xmeml.read(target), otio.adapters.read_from_file(str(target), adapter_name="fcp_xml")):
            assert shot_cuts(back) == shot_cuts(tl)
            assert source_ranges(back) == source_ranges(tl)
            assert [t[1:3] for t in transitions(back)] == [t[1:3] for t in transitions(tl)]
