"""AAF writer and reader: read back by the OTIO AAF adapter, by pyaaf2 directly and by our reader."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import aaf2
import opentimelineio as otio
import pytest

from exporters import aaf, get_format
from scriptkit.contract import shot_cuts
from scriptkit.errors import ScriptkitError
from scriptkit.mix import DUCK_DB, clip_gain
from scriptkit.models import ExportOptions
from tests.fixtures import ODD_FOLDER, RATES, sample_timeline

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "nle" / "aaf"


def transitions(tl: otio.schema.Timeline) -> list[tuple[int, int]]:
    return [
        (round(t.in_offset.value), round(t.out_offset.value))
        for t in tl.tracks[0]
        if isinstance(t, otio.schema.Transition)
    ]


def pyaaf2_cuts(path: Path) -> tuple[list[tuple[str, int, int]], list[tuple[int, int]], bool, str]:
    """(clip name, start, frames), (transition length, cut point), drop frame, edit rate of the picture slot,
    computed from the AAF components as Avid lays them out (a transition overlaps both neighbours)."""
    with aaf2.open(str(path), "r") as handle:
        mob = next(iter(handle.content.toplevel()))
        picture = next(s for s in mob.slots if str(s.media_kind) == "Picture")
        drop = any(isinstance(s.segment, aaf2.components.Timecode) and s.segment.drop for s in mob.slots)
        components = list(picture.segment.components)
        cuts: list[tuple[str, int, int]] = []
        fades: list[tuple[int, int]] = []
        position = 0
        for index, comp in enumerate(components):
            if isinstance(comp, aaf2.components.Transition):
                position -= comp.length
                fades.append((comp.length, comp["CutPoint"].value))
                continue
            length = comp.length
            start = position
            if index > 0 and isinstance(components[index - 1], aaf2.components.Transition):
                head = components[index - 1]
                start += head["CutPoint"].value
                length -= head["CutPoint"].value
            if index + 1 < len(components) and isinstance(components[index + 1], aaf2.components.Transition):
                tail = components[index + 1]
                length -= tail.length - tail["CutPoint"].value
            if isinstance(comp, aaf2.components.SourceClip):
                cuts.append((comp.mob.name, start, length))
            position += comp.length
        return cuts, fades, drop, str(picture.edit_rate)


@pytest.mark.parametrize(("fps", "drop_frame"), RATES)
def test_round_trip_every_rate(tmp_path: Path, fps: str, drop_frame: bool) -> None:
    """Picture only, to keep pyaaf2 (about 1 s per file) affordable; the audio tracks are checked below."""
    tl = sample_timeline(tmp_path / ODD_FOLDER, fps=fps, drop_frame=drop_frame)
    while len(tl.tracks) > 1:
        del tl.tracks[-1]
    target = tmp_path / "project" / "episode.aaf"
    aaf.write(tl, target, ExportOptions(project_dir=str(tmp_path / "project"), drop_frame=drop_frame))
    ours = aaf.read(target)  # the OTIO AAF adapter, plus our fix-ups
    assert shot_cuts(ours) == shot_cuts(tl)
    assert transitions(ours) == transitions(tl)
    assert [c.metadata["scriptkit"]["shot_id"] for c in ours.tracks[0].find_clips()] == [n for n, _, _ in shot_cuts(tl)]
    assert [t.name for t in ours.tracks] == [t.name for t in tl.tracks]
    assert ours.metadata["scriptkit"]["drop_frame"] is drop_frame
    assert ours.metadata["scriptkit"]["fps"] == tl.metadata["scriptkit"]["fps"]
    cuts, fades, drop, edit_rate = pyaaf2_cuts(target)
    assert cuts == shot_cuts(tl)
    assert [(a + b, a) for a, b in transitions(tl)] == fades
    assert drop is drop_frame
    rate = tl.metadata["scriptkit"]["fps"]
    assert Fraction(edit_rate) == Fraction(rate)


def audio_cuts(tl: otio.schema.Timeline) -> list[tuple[str, int, int]]:
    out = []
    for track in tl.audio_tracks():
        position = 0
        for item in track:
            frames = round(item.duration().value)
            if isinstance(item, otio.schema.Clip):
                out.append((item.name, position, frames))
            position += frames
    return sorted(out)


def test_full_timeline_with_audio(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path / ODD_FOLDER, fps="29.97")
    target = tmp_path / "episode.aaf"
    aaf.write(tl, target, ExportOptions(project_dir=str(tmp_path)))
    by_otio = otio.adapters.read_from_file(str(target), adapter_name="AAF")
    assert [(n, s, f) for n, s, f in shot_cuts(by_otio) if n] == shot_cuts(tl)
    assert transitions(by_otio) == transitions(tl)
    assert audio_cuts(by_otio) == audio_cuts(tl)
    back = aaf.read(target)
    assert [t.name for t in back.tracks] == [t.name for t in tl.tracks]
    assert audio_cuts(back) == audio_cuts(tl)
    first = target.read_bytes()
    aaf.write(tl, target, ExportOptions(project_dir=str(tmp_path)))
    assert target.read_bytes() == first  # deterministic: no random Mob IDs or timestamps
    want = {c.name: c.metadata["scriptkit"] for c in tl.find_clips()}
    got = {c.name: c.metadata["scriptkit"] for c in back.find_clips()}
    assert set(got) == set(want)
    for name, meta in want.items():
        assert got[name]["kind"] == meta["kind"]
        assert got[name].get("shot_id") == meta.get("shot_id")
        assert got[name]["asset_hash"] == meta["asset_hash"]
    with aaf2.open(str(target), "r") as handle:
        comments = {m.name: dict(m.comments.items()) for m in handle.content.mastermobs()}
    assert comments["sc01-kitchen-001"]["ScriptkitShot"] == "sc01-kitchen-001"
    # the mix: the music's ducking keyframes as an Audio Gain operation around its clip, as Avid stores them
    with aaf2.open(str(target), "r") as handle:
        (mob,) = list(handle.content.compositionmobs())
        gains = {}
        for slot in mob.slots:
            if isinstance(slot.segment, aaf2.components.OperationGroup):
                for item in slot.segment.segments[0].components:
                    if isinstance(item, aaf2.components.OperationGroup) and item.operation.name == "Audio Gain":
                        (value,) = list(item.parameters)
                        points = [float(point.value) for point in value["PointList"]]
                        gains[item.segments[0].mob.name] = points
    music = next(c for c in tl.find_clips() if c.metadata["scriptkit"]["kind"] == "music")
    _, keys = clip_gain(music.metadata["scriptkit"])
    assert gains["music-bed"] == pytest.approx([10 ** (db / 20) for _, db in keys], rel=1e-5)
    assert min(gains["music-bed"]) == pytest.approx(10 ** ((-18 + DUCK_DB) / 20), rel=1e-5)


def test_failed_write_leaves_no_file(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, fps="25")
    clip = tl.find_clips()[0]
    clip.source_range = otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, 30), otio.opentime.RationalTime(10, 30)
    )  # a clip at another rate: the adapter refuses it after it has opened the file
    folder = tmp_path / "out"
    with pytest.raises(ScriptkitError, match="cannot write AAF") as info:
        aaf.write(tl, folder / "episode.aaf", ExportOptions(project_dir=str(tmp_path)))
    assert "episode.aaf" in str(info.value)
    assert list(folder.iterdir()) == []


def test_registry_and_bad_files(tmp_path: Path) -> None:
    fmt = get_format("aaf")
    assert fmt.write is aaf.write and fmt.read is aaf.read
    not_aaf = tmp_path / "text.aaf"
    not_aaf.write_text("hello")
    with pytest.raises(ScriptkitError, match="not an AAF"):
        aaf.read(not_aaf)
    truncated = tmp_path / "truncated.aaf"
    truncated.write_bytes((CORPUS / "avid_mc18.9_one_clip.aaf").read_bytes()[:5000])
    with pytest.raises(ScriptkitError) as info:
        aaf.read(truncated)
    assert str(truncated) in str(info.value)


def test_reads_media_composer_exports() -> None:
    tl = aaf.read(CORPUS / "avid_2997fps-DFTC.aaf")
    assert tl.metadata["scriptkit"]["fps"] == "30000/1001"
    assert tl.metadata["scriptkit"]["drop_frame"] is True
    assert len(list(tl.find_clips())) >= 1
    one = aaf.read(CORPUS / "avid_mc18.9_one_clip.aaf")
    assert one.metadata["scriptkit"]["fps"] == "24"
    assert round(one.tracks[0].duration().value) == 10


@pytest.mark.parametrize(("fps", "drop_frame", "shots"), [("29.97", True, 6), ("24", False, 40)])
def test_fast_writer_writes_the_reference_bytes(tmp_path: Path, fps: str, drop_frame: bool, shots: int) -> None:
    """The speed-ups patched into pyaaf2 for a write change how fast, never what: the file is byte for byte the
    one the OTIO adapter writes on pyaaf2 as shipped (`fast=False`), audio tracks, dissolves and fades included."""
    assert aaf2.__version__ in aaf.FAST_PYAAF2_VERSIONS, "pyaaf2 changed: check _fast_pyaaf2 against it"
    tl = sample_timeline(tmp_path / ODD_FOLDER, fps=fps, drop_frame=drop_frame, shots=shots)
    options = ExportOptions(project_dir=str(tmp_path), drop_frame=drop_frame)
    fast, reference = tmp_path / "fast.aaf", tmp_path / "reference.aaf"
    aaf.write(tl, fast, options)
    aaf._write(tl, reference, options, fast=False)
    assert fast.read_bytes() == reference.read_bytes()
    cuts, fades, drop, _ = pyaaf2_cuts(fast)
    assert cuts == shot_cuts(tl)
    assert len(fades) == len(transitions(tl)) > 0
    assert drop is drop_frame
    back = aaf.read(fast)
    assert shot_cuts(back) == shot_cuts(tl)
    assert audio_cuts(back) == audio_cuts(tl)


def test_speedups_are_undone_after_a_write(tmp_path: Path) -> None:
    """pyaaf2 is patched only for the duration of one write, also when the write fails."""
    import aaf2.cfb
    import aaf2.core
    import aaf2.dictionary
    import aaf2.metadict
    import aaf2.properties
    import aaf2.types

    def patched_names() -> list[object]:
        return [
            aaf2.properties.StrongRefVectorProperty.extend,
            aaf2.properties.Property.__dict__["propertydef"],
            aaf2.core.AAFObject.get,
            aaf2.core.AAFObject.validate,
            aaf2.dictionary.lookup_def,
            aaf2.cfb.DirEntry.makedir,
            aaf2.cfb.DirEntry.touch,
            aaf2.types.TypeDefWeakRef.__dict__["pid_path"],
            aaf2.metadict.ClassDef.__dict__["unique_key_pid"],
            aaf2.metadict.ClassDef.__dict__["unique_key_size"],
            aaf2.metadict.PropertyDef.__dict__["typedef"],
        ]

    before = patched_names()
    tl = sample_timeline(tmp_path, fps="25")
    aaf.write(tl, tmp_path / "ok.aaf", ExportOptions(project_dir=str(tmp_path)))
    assert patched_names() == before
    clip = tl.find_clips()[0]
    clip.source_range = otio.opentime.TimeRange(otio.opentime.RationalTime(0, 30), otio.opentime.RationalTime(10, 30))
    with pytest.raises(ScriptkitError):
        aaf.write(tl, tmp_path / "bad.aaf", ExportOptions(project_dir=str(tmp_path)))
    assert patched_names() == before
    with aaf2.open(str(tmp_path / "ok.aaf"), "r") as handle:  # unpatched pyaaf2 reads what the patched one wrote
        assert len(list(handle.content.mastermobs())) == len(tl.find_clips())
        found = [mob.mob_id for mob in aaf._composition_mobs(handle)]
        assert found == [mob.mob_id for mob in handle.content.compositionmobs()]
        assert len(found) == 1
