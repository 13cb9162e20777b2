"""Every real NLE export in the corpus (xmeml, EDL, AAF, OTIO) reads into a timeline or fails clearly."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from exporters import aaf, edl, otio_json, xmeml
from scriptkit.errors import ScriptkitError

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "nle"
READERS = {"xmeml": xmeml.read, "edl": edl.read, "aaf": aaf.read, "otio": otio_json.read}
#: Files that cannot become a timeline, and the words the error must use.
EXPECTED_FAILURES = {
    "unknown_v4_empty_sequence.xml": "no <sequence>",  # a bin with one master clip, no sequence
    "pycmx_TEST.edl": "cannot read this EDL",  # audio-only events with a transition before any clip
}


def corpus_files() -> list[Path]:
    files = [f for folder in READERS for f in sorted((CORPUS / folder).iterdir()) if f.is_file()]
    assert len(files) >= 50, "the NLE corpus is missing"
    return files


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reads_or_fails_clearly(path: Path) -> None:
    reader = READERS[path.parent.name]
    if path.name in EXPECTED_FAILURES:
        with pytest.raises(ScriptkitError, match=EXPECTED_FAILURES[path.name]) as info:
            reader(path)
        assert str(path) in str(info.value)
        return
    tl = reader(path)
    assert isinstance(tl, otio.schema.Timeline)
    meta = tl.metadata["scriptkit"]
    assert meta["fps"] in ("24", "25", "30", "50", "60", "24000/1001", "30000/1001", "60000/1001")
    for clip in tl.find_clips():
        assert clip.source_range is not None
        assert clip.source_range.duration.value >= 0
    for track in tl.tracks:
        assert "role" in track.metadata["scriptkit"]


@pytest.mark.parametrize(
    ("name", "fps", "clips"),
    [
        ("xmeml/premiere_v4_otio_premiere_example.xml", "30", 13),
        ("xmeml/fcp6_v4_mark_p.xml", "30000/1001", 3),
        ("xmeml/premiere_v4_otio_generators.xml", "24000/1001", 8),
        ("xmeml/unknown_v3_fcpversion1.0.9.7_Susanne-Varming.xml", "25", 9),
        ("edl/otio_25fps.edl", "25", 4),
        ("edl/resolve_markers_edl2chapters.edl", "30", 20),
        ("edl/pycmx_INS4_R1_010417.edl", "24", 287),
        ("aaf/avid_2997fps-DFTC.aaf", "30000/1001", 7),
    ],
)
def test_known_files_read_with_the_right_rate(name: str, fps: str, clips: int) -> None:
    path = CORPUS / name
    tl = READERS[path.parent.name](path)
    assert tl.metadata["scriptkit"]["fps"] == fps
    assert len(tl.find_clips()) == clips


def test_premiere_exploded_stereo_reads_as_one_track() -> None:
    tl = xmeml.read(CORPUS / "xmeml" / "premiere_v4_nrk_fade_in_out.xml")
    audio = [t for t in tl.audio_tracks() if t.find_clips()]
    assert len(audio) == 1
    assert audio[0].name == "Audio 1"
