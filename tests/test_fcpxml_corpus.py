"""The FCPXML reader against real exports from Final Cut Pro and DaVinci Resolve (../shared/corpus/nle/fcpxml)."""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from exporters import fcpxml
from scriptkit.contract import item_frames, scriptkit_meta, shot_clips, shot_cuts, timeline_rate
from scriptkit.errors import ScriptkitError

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "nle" / "fcpxml"
FILES = sorted(CORPUS.glob("*.fcpxml"))
#: Files that must fail, and why: a clear ScriptkitError, never a traceback.
EXPECTED_ERRORS = {
    "fcp_v1.2_Selvika_1_juni_2013.fcpxml": "malformed XML",  # broken on purpose
    "fcp_v1.2_New_Event_2.06.13.fcpxml": "no project",  # event clips only
    "fcp_v1.11_StandaloneRefClip.fcpxml": "no project",
    "otio_fcp_v1.8_fcpx_clips.fcpxml": "no project",
}


def test_corpus_is_there() -> None:
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_file_reads_or_fails_clearly(path: Path) -> None:
    if path.name in EXPECTED_ERRORS:
        with pytest.raises(ScriptkitError, match=EXPECTED_ERRORS[path.name]) as err:
            fcpxml.read(path)
        assert err.value.path == str(path)
        return
    tl = fcpxml.read(path)
    assert isinstance(tl, otio.schema.Timeline)
    assert tl.tracks[0].name == "V1"
    rate = timeline_rate(tl)
    assert rate > 0
    for clip in tl.find_clips():
        rng = clip.source_range
        assert rng.duration.value > 0 and rng.duration.value == int(rng.duration.value)
        assert rng.duration.rate == float(rate)
    otio.adapters.write_to_string(tl, "otio_json")  # serialisable


def test_malformed_file_names_its_line() -> None:
    with pytest.raises(ScriptkitError) as err:
        fcpxml.read(CORPUS / "fcp_v1.2_Selvika_1_juni_2013.fcpxml")
    assert err.value.line == 38


def test_structure_file_with_empty_spines() -> None:
    tl = fcpxml.read(CORPUS / "fcp_v1.9_Structure.fcpxml")
    assert tl.name == "Test Project" and len(tl.tracks[0]) == 0
    assert timeline_rate(tl) == Fraction(30000, 1001)
    assert scriptkit_meta(tl)["width"] == 1920 and scriptkit_meta(tl)["height"] == 1080


def test_resolve_export_with_r0_ids_and_denominators() -> None:
    tl = fcpxml.read(CORPUS / "resolve_v1.9_rolla_doc_example.fcpxml")
    assert timeline_rate(tl) == 30 and tl.global_start_time.value == 3600 * 30
    (clip,) = shot_clips(tl)
    assert clip.name == "Demo.mp4" and clip.source_range.duration.value == 3853
    assert clip.media_reference.target_url == "file:///Users/MyUsername/Downloads/Demo.mp4"
    assert clip.media_reference.available_range.duration.value == 3853


def test_resolve_clip_wrappers_and_transitions() -> None:
    tl = fcpxml.read(CORPUS / "resolve_v1.11_fcpcafe_immersive.fcpxml")
    assert timeline_rate(tl) == 90
    assert shot_cuts(tl) == [
        ("A002_02091448_C046.braw", 0, 990),
        ("A002_02091554_C053.braw", 990, 928),
        ("A002_02091625_C065.braw", 1918, 1221),
    ]
    transitions = [t for t in tl.tracks[0] if isinstance(t, otio.schema.Transition)]
    # "Dip To Color Dissolve" at 19/2 s for 3 s around the cut at 11 s: 1.5 s each side
    assert [(t.name, t.in_offset.value, t.out_offset.value) for t in transitions] == [
        ("Dip To Color Dissolve", 135, 135),
        ("Cross Dissolve", 135, 135),
    ]
    second = shot_clips(tl)[1]
    # <clip start="206/45s"> around <video offset="0" start="0">: media in point 206/45 s = 412 frames
    assert second.source_range.start_time.value == 412
    assert second.media_reference.target_url.endswith("A002_02091554_C053.braw")


def test_fcp_transition_at_the_start_is_a_fade_in() -> None:
    tl = fcpxml.read(CORPUS / "fcp_v1.13_TransitionMarkers2.fcpxml")
    first = tl.tracks[0][0]
    assert isinstance(first, otio.schema.Transition)
    assert scriptkit_meta(first)["kind"] == "fade_in" and (first.in_offset.value, first.out_offset.value) == (0, 48)
    band = next(t for t in tl.tracks[0] if isinstance(t, otio.schema.Transition) and t.name == "Band")
    assert (band.in_offset.value, band.out_offset.value) == (12, 12)


def test_markers_todo_and_completed() -> None:
    tl = fcpxml.read(CORPUS / "fcp_v1.9_BasicMarkers.fcpxml")
    (clip,) = shot_clips(tl)
    colours = {m.name: m.color for m in clip.markers}
    assert colours["Standard Marker"] == otio.schema.MarkerColor.GREEN
    assert colours["To Do Marker, Incomplete"] == otio.schema.MarkerColor.RED
    assert colours["To Do Marker, Completed"] == otio.schema.MarkerColor.BLUE


def test_notes_keywords_and_metadata() -> None:
    tl = fcpxml.read(CORPUS / "fcp_v1.11_ClipMetadata.fcpxml")
    clip = next(c for c in shot_clips(tl) if c.name == "TestVideo")
    info = clip.metadata["fcpxml"]
    assert info["note"] == "asset notes in browser"
    assert list(info["keywords"]) == ["keyword1", "keyword2"]
    assert info["md"]["com.apple.proapps.studio.reel"] == "TestVideo Reel"
    # "TestVideo Take" in the shot slot is not one of our ids: the clip stays the editor's own
    assert scriptkit_meta(clip) == {}
    assert [c.name for c in shot_clips(tl)] == ["Clouds", "Basic Title", "TestVideo"]
    assert isinstance(shot_clips(tl)[0].media_reference, otio.schema.GeneratorReference)


def test_audio_roles_become_tracks() -> None:
    tl = fcpxml.read(CORPUS / "fcp_v1.11_AudioOnly.fcpxml")
    names = [t.name for t in tl.tracks]
    assert names[0] == "V1" and "SFX" in names
    sfx = next(t for t in tl.tracks if t.name == "SFX")
    assert sfx.kind == otio.schema.TrackKind.Audio and scriptkit_meta(sfx)["role"] == "effects"
    assert next(c.name for c, _, _ in item_frames(sfx) if isinstance(c, otio.schema.Clip)) == "Water Lake 3"


def test_bundle_from_corpus(tmp_path: Path) -> None:
    bundle = tmp_path / "2997fps rubric.fcpxmld"
    bundle.mkdir()
    shutil.copy(CORPUS / "fcp_v1.13_fcpxmld_2997fps-rubric-clips_Info.fcpxml", bundle / "Info.fcpxml")
    tl = fcpxml.read(bundle)
    assert timeline_rate(tl) == Fraction(30000, 1001) and len(shot_clips(tl)) > 0


@pytest.mark.parametrize(
    "name",
    [
        "otio_fcp_v1.8_fcpx_example.fcpxml",
        "fcp_v1.11_Keywords.fcpxml",
        "resolve_v1.11_fcpcafe_immersive.fcpxml",
        "fcp_v1.13_fcpxmld_60fps-rubric-compound-clips_Info.fcpxml",
    ],
)
def test_same_spine_as_the_otio_adapter(name: str) -> None:
    """OTIO's fcpx_xml adapter as an independent judge of the primary storyline (integer-rate files)."""
    ours = fcpxml.read(CORPUS / name)
    result = otio.adapters.read_from_file(str(CORPUS / name), "fcpx_xml")
    theirs = result if isinstance(result, otio.schema.Timeline) else result[0]
    spine = next(t for t in theirs.tracks if t.name == "0")
    their_items = [
        (item.name, start, frames)
        for item, start, frames in item_frames(spine)
        if not isinstance(item, otio.schema.Gap)
    ]
    our_items = [
        (item.name, start, frames)
        for item, start, frames in item_frames(ours.tracks[0])
        if not isinstance(item, otio.schema.Gap)
    ]
    assert our_items == their_items


def test_auditions_take_the_active_pick() -> None:
    # the audition has no duration of its own: its first (active) clip gives it
    assert shot_cuts(fcpxml.read(CORPUS / "fcp_v1.13_AuditionSample.fcpxml")) == [("chocolate for senses", 0, 237)]
    cuts = shot_cuts(fcpxml.read(CORPUS / "fcp_v1.11_23.98.fcpxml"))
    assert cuts[:4] == [
        ("TestVideo", 0, 760),
        ("TestVideo2", 760, 646),
        ("TestVideo", 1406, 624),
        ("TestVideo", 2030, 694),
    ]
