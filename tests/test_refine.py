"""`scriptkit refine` end to end: a real project (real generators, real writers and readers), an editor's cut
made by editing the exported files themselves, a new shot list, and a frame-exact check of the new version.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest
from lxml import etree

from exporters import get_format
from scriptkit.conform.apply import CHANGED_COLOR
from scriptkit.conform.diff import media_url
from scriptkit.conform.identity import KnownIds, known_ids_from_timeline, scriptkit_md
from scriptkit.conform.layout import Placed, layout
from scriptkit.errors import ScriptkitError
from scriptkit.models import Assets, ShotList
from scriptkit.project import diff_command
from scriptkit.refine import _link_tree, refine_project
from scriptkit.shotlist_io import read_shotlist, write_shotlist
from tests.fixtures import sample_shotlist

K1, K2, K3 = "sc01-kitchen-001", "sc01-kitchen-002", "sc01-kitchen-003"
P1, P2, C1 = "sc02-platform-001", "sc02-platform-002", "sc03-carriage-001"
RATE = 30.0
HANDLE = 60
#: What the test project is written as (and so what every version must have).
FORMATS = ["fcpxml", "otio", "xmeml", "srt"]


# ---------------------------------------------------------------------------------------- project


def make_project(folder: Path, shotlist: ShotList, formats: list[str], cache_from: Path | None = None) -> Path:
    """A project folder as `scriptkit build` writes it: shots.yaml, media/ (real generators), outputs, manifest."""
    from generators.run import generate_assets
    from scriptkit.build import write_outputs
    from scriptkit.models import ExportOptions
    from scriptkit.timeline import build_timeline

    media = folder / "media"
    if cache_from is not None:
        _link_tree(cache_from / ".cache", media / ".cache")
    shotlist = shotlist.model_copy(update={"media_dir": str(media.absolute())})
    assets = generate_assets(shotlist, media, style=None)
    timeline = build_timeline(shotlist, assets, media)
    write_shotlist(shotlist, folder / "shots.yaml")
    options = ExportOptions(project_dir=str(folder.absolute()), media_dir=str(media.absolute()), title=shotlist.title)
    write_outputs(timeline, shotlist, assets, folder, options, formats, source="sample.fountain")
    return folder


#: Lines the tests rewrite, and their new text.
NEW_LINES = {
    f"{K3}-d1": "Don't. Let it ring.",
    f"{K2}-d1": "Who calls at this hour of the night, and what do they want?",
}


def episode_shotlist() -> ShotList:
    """The sample episode without transitions, every line spoken by one voice (one piper process)."""
    shotlist = sample_shotlist(transitions=False)
    for shot in shotlist.shots:
        for line in shot.dialogue:
            line.character = "MAYA"
    return shotlist


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A media cache for the test episode, generated once: starting piper is the slow part, so the new takes
    of the lines the tests rewrite (a voice's cache key is its text, voice and settings) are spoken in the
    same run. A refine still finds, generates or reuses every asset through `generate_assets`."""
    from generators.run import generate_assets

    media = tmp_path_factory.mktemp("generated") / "media"
    shotlist = episode_shotlist()
    extra = shotlist.model_copy(deep=True)
    for shot in extra.shots:
        for line in list(shot.dialogue):
            if line.id in NEW_LINES:
                shot.dialogue.append(line.model_copy(update={"id": f"{shot.id}-d9", "text": NEW_LINES[line.id]}))
    generate_assets(extra, media, style=None)
    generate_assets(shotlist, media, style=None)
    return media


@pytest.fixture
def project(tmp_path: Path, generated: Path) -> Path:
    return make_project(tmp_path / "ep", episode_shotlist(), FORMATS, cache_from=generated)


def files_digest(folder: Path, skip: str = "versions") -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and skip not in p.relative_to(folder).parts
    }


def timeline_file(project: Path, fmt: str) -> Path:
    manifest = json.loads((project / "manifest.json").read_text())
    return project / next(o["path"] for o in manifest["outputs"] if o["format"] == fmt)


def with_line(project: Path, line_id: str, text: str, out: Path) -> Path:
    shotlist = read_shotlist(project / "shots.yaml")
    for shot in shotlist.shots:
        for line in shot.dialogue:
            if line.id == line_id:
                line.text = text
    write_shotlist(shotlist, out)
    return out


def v1(timeline: otio.schema.Timeline, known: KnownIds) -> list[Placed]:
    return [p for p in layout(timeline, known, RATE).clips if p.track_kind == otio.schema.TrackKind.Video]


def cut(timeline: otio.schema.Timeline, known: KnownIds) -> list[tuple[str, int, int, int]]:
    """(owner or clip name, record start, source in, duration) of every picture clip."""
    return [(p.identity.owner or p.clip.name, p.start, p.source_in, p.duration) for p in v1(timeline, known)]


def joins(timeline: otio.schema.Timeline, known: KnownIds) -> list[tuple[str, str, str, int]]:
    lay = layout(timeline, known, RATE)
    return [(j.before, j.after, j.kind, j.frames) for j in lay.joins if j.track_kind == otio.schema.TrackKind.Video]


def assets_of(folder: Path) -> Assets:
    return Assets.model_validate_json((folder / "media" / "assets.json").read_text())


def key_changes(old: Assets, new: Assets) -> set[str]:
    changed = set()
    for table in ("images", "voices", "cues"):
        for owner, asset in getattr(new, table).items():
            if getattr(old, table).get(owner) is None or getattr(old, table)[owner].key != asset.key:
                changed.add(owner)
    return changed


def no_partial_version(project: Path) -> None:
    versions = project / "versions"
    leftovers = [p.name for p in versions.iterdir()] if versions.exists() else []
    assert leftovers == [], leftovers


# ----------------------------------------------------------------------------------- editor: OTIO


def edit_otio(source: Path, out: Path) -> Path:
    """Move C1 after K1, trim K2 (in +6, out -4), delete P2, duplicate K1 at the end, add a foreign clip after P1
    and a 12-frame dissolve between K3 and P1: by editing the OTIO JSON file."""
    data = json.loads(source.read_text())
    track = next(t for t in data["tracks"]["children"] if t["name"] == "V1")
    items = track["children"]

    def at(name: str) -> int:
        return next(i for i, c in enumerate(items) if c["OTIO_SCHEMA"].startswith("Clip") and c["name"] == name)

    def shift(value: dict[str, Any], n: int) -> None:
        value["value"] += n * value["rate"] / RATE

    shift(items[at(K2)]["source_range"]["start_time"], 6)
    shift(items[at(K2)]["source_range"]["duration"], -10)
    items.insert(at(K2), items.pop(at(C1)))
    del items[at(P2)]
    foreign = otio.schema.Clip(
        name="B-roll rain",
        media_reference=otio.schema.ExternalReference(target_url="file:///Volumes/Footage/rain_0042.mov"),
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(100, RATE), otio.opentime.RationalTime(40, RATE)
        ),
    )
    items.insert(at(P1) + 1, json.loads(otio.adapters.write_to_string(foreign, "otio_json")))
    dissolve = otio.schema.Transition(
        name="Cross Dissolve",
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=otio.opentime.RationalTime(6, RATE),
        out_offset=otio.opentime.RationalTime(6, RATE),
    )
    items.insert(at(P1), json.loads(otio.adapters.write_to_string(dissolve, "otio_json")))
    items.append(copy.deepcopy(items[at(K1)]))
    out.write_text(json.dumps(data, indent=2))
    return out


def test_refine_keeps_an_otio_edit_and_swaps_only_the_changed_line(project: Path, tmp_path: Path) -> None:
    before = files_digest(project)
    edited = edit_otio(timeline_file(project, "otio"), tmp_path / "edit.otio")
    shots = with_line(project, f"{K3}-d1", NEW_LINES[f"{K3}-d1"], tmp_path / "shots-v2.yaml")
    result = refine_project(project, edited=edited, shots=shots)

    version = project / "versions" / "v001"
    assert result.version_dir == version and version.is_dir() and not version.is_symlink()
    assert files_digest(project) == before  # the project and the editor's files are untouched
    old_assets, new_assets = assets_of(project), assets_of(version)
    regenerated = set(result.regenerated)
    assert regenerated == key_changes(old_assets, new_assets)
    assert f"{K3}-d1" in regenerated and regenerated <= {K3, f"{K3}-d1"}

    # every format the project had, plus the shot list, CHANGES.md and manifest
    manifest = json.loads((version / "manifest.json").read_text())
    assert [o["format"] for o in manifest["outputs"]] == FORMATS
    assert manifest["refine"]["regenerated"] == result.regenerated
    for name in ("shots.yaml", "CHANGES.md", "manifest.json"):
        assert (version / name).is_file()
    for path in version.iterdir():  # every path written names the final folder, never the temp one
        assert path.is_dir() or b".tmp-" not in path.read_bytes(), path.name

    # frame-exact: the new version's cut is the editor's cut
    edit_tl = get_format("otio").read(edited)
    new_tl = get_format("otio").read(timeline_file(version, "otio"))
    known = known_ids_from_timeline(get_format("otio").read(timeline_file(project, "otio")))
    assert cut(new_tl, known) == cut(edit_tl, known)
    expected_order = [K1, C1, K2, K3, P1, "B-roll rain", K1]
    assert [c[0] for c in cut(new_tl, known)] == expected_order
    k2 = next(c for c in cut(new_tl, known) if c[0] == K2)
    assert (k2[2], k2[3]) == (HANDLE + 6, 75 - 10)
    assert joins(new_tl, known) == [(K3, P1, "dissolve", 12)]

    # exactly the regenerated assets were swapped in, at the same place
    pairs = zip(layout(new_tl, known, RATE).clips, layout(edit_tl, known, RATE).clips, strict=True)
    for p, q in pairs:
        owner = p.identity.owner or p.clip.name
        assert (owner, p.track_name, p.start) == (q.identity.owner or q.clip.name, q.track_name, q.start)
        url, old_url = media_url(p.clip), media_url(q.clip)
        if owner in regenerated:
            assert url != old_url and "/versions/v001/media/" in url, owner
            table = new_assets.images if owner == K3 else new_assets.voices
            assert scriptkit_md(p.clip)["asset_hash"] == table[owner].sha256
        else:
            assert url == old_url, owner
    # the changed shot carries a red marker and is listed in CHANGES.md
    k3 = next(p for p in v1(new_tl, known) if p.identity.owner == K3)
    assert [m.color for m in k3.clip.markers if m.name == f"CHANGED {K3}"] == [CHANGED_COLOR]
    changes = (version / "CHANGES.md").read_text()
    assert f"| {K3} | dialogue" in changes and "Don't. Let it ring." in changes
    assert f"deleted {P2}" in changes and f"duplicated {K1}" in changes


# ---------------------------------------------------------------------------------- editor: xmeml


def _clipitems(track: etree._Element) -> list[etree._Element]:
    return [el for el in track if el.tag in ("clipitem", "transitionitem")]


def _named(track: etree._Element, name: str) -> etree._Element:
    return next(el for el in track.findall("clipitem") if el.findtext("name") == name)


def _set(el: etree._Element, tag: str, value: int) -> None:
    el.find(tag).text = str(value)


def _relayout(track: etree._Element, order: list[etree._Element]) -> None:
    """Put `order` on the track back to back (record start/end recomputed from in/out), as an NLE exports it."""
    for el in _clipitems(track):
        track.remove(el)
    cursor = 0
    insert_at = len([el for el in track if el.tag not in ("clipitem", "transitionitem")])
    pending: etree._Element | None = None
    for el in order:
        if el.tag == "transitionitem":
            pending = el
            continue
        length = int(el.findtext("out")) - int(el.findtext("in"))
        _set(el, "start", cursor)
        _set(el, "end", cursor + length)
        if pending is not None:  # a centred dissolve on the cut at `cursor`
            half = (int(pending.findtext("end")) - int(pending.findtext("start"))) // 2
            _set(pending, "start", cursor - half)
            _set(pending, "end", cursor + half)
            track.insert(insert_at, pending)
            insert_at += 1
            pending = None
        track.insert(insert_at, el)
        insert_at += 1
        cursor += length


def _dissolve(frames: int) -> etree._Element:
    return etree.fromstring(
        f"""<transitionitem><start>0</start><end>{frames}</end><alignment>center</alignment>
        <rate><timebase>30</timebase><ntsc>FALSE</ntsc></rate>
        <effect><name>Cross Dissolve</name><effectid>Cross Dissolve</effectid><effectcategory>Dissolve</effectcategory>
        <effecttype>transition</effecttype><mediatype>video</mediatype></effect></transitionitem>"""
    )


def _foreign(frames: int) -> etree._Element:
    return etree.fromstring(
        f"""<clipitem id="clipitem-broll"><name>B-roll rain</name><enabled>TRUE</enabled><duration>900</duration>
        <rate><timebase>30</timebase><ntsc>FALSE</ntsc></rate><start>0</start><end>{frames}</end>
        <in>100</in><out>{100 + frames}</out>
        <file id="file-broll"><name>rain_0042.mov</name><pathurl>file://localhost/Volumes/Footage/rain_0042.mov</pathurl>
        <rate><timebase>30</timebase><ntsc>FALSE</ntsc></rate><duration>900</duration>
        <media><video><samplecharacteristics><width>1920</width><height>1080</height></samplecharacteristics></video>
        </media></file></clipitem>"""
    )


def edit_xmeml(source: Path, out: Path) -> Path:
    """The same editor's cut as `edit_otio`, made on the Premiere XML itself."""
    tree = etree.parse(str(source), etree.XMLParser(resolve_entities=False, no_network=True))
    track = tree.find(".//sequence/media/video/track")
    k1, k2, k3, p1, c1 = (_named(track, n) for n in (K1, K2, K3, P1, C1))
    _set(k2, "in", int(k2.findtext("in")) + 6)
    _set(k2, "out", int(k2.findtext("out")) - 4)
    duplicate = copy.deepcopy(k1)
    duplicate.set("id", "clipitem-dup")
    order = [k1, c1, k2, k3, _dissolve(12), p1, _foreign(40), duplicate]
    _relayout(track, order)
    out.write_bytes(b"\xef\xbb\xbf" + etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    return out


def test_refine_keeps_an_xmeml_edit_and_swaps_only_the_new_take(project: Path, tmp_path: Path) -> None:
    edited = edit_xmeml(timeline_file(project, "xmeml"), tmp_path / "edit.xml")
    result = refine_project(project, edited=edited, regenerate=[P1])
    assert result.regenerated == [P1]
    version = result.version_dir
    known = known_ids_from_timeline(get_format("otio").read(timeline_file(project, "otio")))
    edit_tl = get_format("xmeml").read(edited)
    new_tl = get_format("xmeml").read(timeline_file(version, "xmeml"))
    assert [c[0] for c in cut(edit_tl, known)] == [K1, C1, K2, K3, P1, "B-roll rain", K1]
    assert cut(new_tl, known) == cut(edit_tl, known)
    k2 = next(c for c in cut(new_tl, known) if c[0] == K2)
    assert (k2[2], k2[3]) == (HANDLE + 6, 75 - 10)
    assert joins(new_tl, known) == joins(edit_tl, known) == [(K3, P1, "dissolve", 12)]
    swapped = {
        p.identity.owner
        for p, q in zip(v1(new_tl, known), v1(edit_tl, known), strict=True)
        if media_url(p.clip) != media_url(q.clip)
    }
    assert swapped == {P1}
    p1 = next(p for p in v1(new_tl, known) if p.identity.owner == P1)
    assert scriptkit_md(p1.clip)["asset_hash"] == assets_of(version).images[P1].sha256
    assert assets_of(version).images[P1].params["take"] == 1


# --------------------------------------------------------------------------------- editor: FCPXML


def _seconds(text: str) -> Fraction:
    return Fraction(text.rstrip("s") or "0")


def _fcp_time(value: Fraction) -> str:
    value = Fraction(value)
    return f"{value.numerator}s" if value.denominator == 1 else f"{value.numerator}/{value.denominator}s"


def edit_fcpxml(source: Path, out: Path) -> Path:
    """The same editor's cut as `edit_otio`, made on the FCPXML itself (as Final Cut exports it: connected
    clips ride with their spine clip; the duplicate is a copy of the primary clip only)."""
    tree = etree.parse(str(source), etree.XMLParser(resolve_entities=False, no_network=True))
    spine = tree.find(".//sequence/spine")
    clips = {el.get("name"): el for el in spine if el.tag == "asset-clip"}
    k1, k2, k3, p1, c1 = (clips[n] for n in (K1, K2, K3, P1, C1))
    frame = Fraction(1, 30)
    k2.set("start", _fcp_time(_seconds(k2.get("start")) + 6 * frame))
    k2.set("duration", _fcp_time(_seconds(k2.get("duration")) - 10 * frame))
    duplicate = copy.deepcopy(k1)
    for child in duplicate.findall("asset-clip"):
        duplicate.remove(child)
    resources = tree.find("resources")
    fmt = resources.find("format").get("id")
    dissolve_ref = next((e.get("id") for e in resources.findall("effect") if "Dissolve" in e.get("name", "")), None)
    resources.append(
        etree.fromstring(
            f'<asset id="r900" name="rain_0042" start="0s" duration="30s" hasVideo="1" format="{fmt}" '
            'videoSources="1"><media-rep kind="original-media" src="file:///Volumes/Footage/rain_0042.mov"/></asset>'
        )
    )
    foreign = etree.fromstring(
        '<asset-clip ref="r900" offset="0s" name="B-roll rain" start="100/30s" duration="40/30s" format="r1"/>'
    )
    foreign.set("format", fmt)
    dissolve = etree.fromstring('<transition name="Cross Dissolve" offset="0s" duration="12/30s"/>')
    if dissolve_ref:
        dissolve.append(etree.fromstring(f'<filter-video ref="{dissolve_ref}" name="Cross Dissolve"/>'))
    order = [k1, c1, k2, k3, dissolve, p1, foreign, duplicate]
    for el in list(spine):
        spine.remove(el)
    cursor = _seconds(tree.find(".//sequence").get("tcStart") or "0s")
    pending = None
    for el in order:
        if el.tag == "transition":
            pending = el
            continue
        if pending is not None:
            pending.set("offset", _fcp_time(cursor - _seconds(pending.get("duration")) / 2))
            spine.append(pending)
            pending = None
        el.set("offset", _fcp_time(cursor))
        spine.append(el)
        cursor += _seconds(el.get("duration"))
    tree.find(".//sequence").set("duration", _fcp_time(cursor - _seconds(tree.find(".//sequence").get("tcStart"))))
    out.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8", doctype="<!DOCTYPE fcpxml>"))
    return out


def test_refine_keeps_an_fcpxml_edit_and_swaps_only_the_new_take(project: Path, tmp_path: Path) -> None:
    edited = edit_fcpxml(timeline_file(project, "fcpxml"), tmp_path / "edit.fcpxml")
    diff = diff_command(project, edited)
    assert f"deleted {P2}" in diff and any(line.startswith(f"trimmed {K2}: in +6 frames, out -4") for line in diff)
    outside = [line for line in diff if "outside the project" in line]
    assert outside == [
        "warning: clip 'B-roll rain' names media outside the project folder: "
        "file:///Volumes/Footage/rain_0042.mov (kept as is, never written)"
    ]
    result = refine_project(project, edited=edited, regenerate=[C1])
    assert result.regenerated == [C1]
    known = known_ids_from_timeline(get_format("otio").read(timeline_file(project, "otio")))
    edit_tl = get_format("fcpxml").read(edited)
    new_tl = get_format("fcpxml").read(timeline_file(result.version_dir, "fcpxml"))
    assert [c[0] for c in cut(edit_tl, known)] == [K1, C1, K2, K3, P1, "B-roll rain", K1]
    assert cut(new_tl, known) == cut(edit_tl, known)
    k2 = next(c for c in cut(new_tl, known) if c[0] == K2)
    assert (k2[2], k2[3]) == (HANDLE + 6, 75 - 10)
    assert joins(new_tl, known) == joins(edit_tl, known) == [(K3, P1, "dissolve", 12)]
    swapped = {
        p.identity.owner or p.clip.name
        for p, q in zip(v1(new_tl, known), v1(edit_tl, known), strict=True)
        if media_url(p.clip) != media_url(q.clip)
    }
    assert swapped == {C1}
    assert diff_command(project, edited)[0] == "against versions/v001 (the project's latest version)"


# -------------------------------------------------------------------------- policies and versions


def test_refine_places_a_new_shot_and_drops_a_removed_one(project: Path, tmp_path: Path) -> None:
    shotlist = read_shotlist(project / "shots.yaml")
    k3 = next(s for s in shotlist.shots if s.id == K3)
    insert = k3.model_copy(update={"id": f"{K3}a", "action": "Insert: the phone screen lights up.", "dialogue": []})
    shots = [s for s in shotlist.shots if s.id != P2]
    shots.insert(shots.index(k3) + 1, insert)
    new_shots = tmp_path / "shots-v2.yaml"
    write_shotlist(shotlist.model_copy(update={"shots": shots}), new_shots)
    edited = edit_otio(timeline_file(project, "otio"), tmp_path / "edit.otio")  # P2 is already cut there

    result = refine_project(project, edited=edited, shots=new_shots)
    assert result.regenerated == [f"{K3}a"]
    known = known_ids_from_timeline(get_format("otio").read(timeline_file(result.version_dir, "otio")))
    edit_cut = cut(get_format("otio").read(edited), known)
    new_cut = cut(get_format("otio").read(timeline_file(result.version_dir, "otio")), known)
    assert [c[0] for c in new_cut] == [K1, C1, K2, K3, f"{K3}a", P1, "B-roll rain", K1]
    length = new_cut[4][3]
    assert new_cut[:4] == edit_cut[:4]  # before the insert: untouched
    assert [(o, s - length, i, d) for o, s, i, d in new_cut[5:]] == edit_cut[4:]  # after it: moved by its length
    changes = (result.version_dir / "CHANGES.md").read_text()
    assert f"| {K3}a | new shot |" in changes and f"removed shot {P2}" in changes
    manifest = json.loads((result.version_dir / "manifest.json").read_text())
    assert manifest["refine"]["added_shots"] == [f"{K3}a"] and manifest["refine"]["removed_shots"] == [P2]


# -------------------------------------------------------------------------- policies and versions


def test_refine_ripple_lock_and_a_second_version(project: Path, tmp_path: Path) -> None:
    edited = timeline_file(project, "otio")  # the editor changed nothing
    known = known_ids_from_timeline(get_format("otio").read(edited))
    shots = with_line(project, f"{K2}-d1", NEW_LINES[f"{K2}-d1"], tmp_path / "a.yaml")
    held = refine_project(project, edited=edited, shots=shots, length="hold")
    rippled = refine_project(project, edited=edited, shots=shots, length="ripple")
    assert (held.version_dir.name, rippled.version_dir.name) == ("v001", "v002")
    # v002 builds on v001 (its base); hold kept every cut, ripple grew K2 and moved what follows
    plan_cut = cut(get_format("otio").read(edited), known)
    hold_cut = cut(get_format("otio").read(timeline_file(held.version_dir, "otio")), known)
    assert hold_cut == plan_cut
    assert rippled.regenerated == []  # v001 already holds the new line: the cache answers
    ripple_cut = cut(get_format("otio").read(timeline_file(rippled.version_dir, "otio")), known)
    grow = ripple_cut[1][3] - plan_cut[1][3]
    assert grow > 0
    assert [c[1] for c in ripple_cut[2:]] == [c[1] + grow for c in plan_cut[2:]]

    v001 = files_digest(held.version_dir)
    locked = refine_project(
        project,
        edited=edited,
        shots=with_line(rippled.version_dir, f"{K3}-d1", "Changed again.", tmp_path / "b.yaml"),
        lock=[K3],
    )
    assert locked.regenerated == [] and locked.version_dir.name == "v003"
    assert files_digest(held.version_dir) == v001  # earlier versions are never written
    with pytest.raises(ScriptkitError, match="both locked and regenerated"):
        refine_project(project, edited=edited, regenerate=[K1], lock=[K1])


# ------------------------------------------------------------------------------------- bad input


def test_a_timeline_from_another_project_is_refused(project: Path, tmp_path: Path) -> None:
    other = otio.schema.Timeline(name="another film")
    track = otio.schema.Track(name="V1")
    track.append(
        otio.schema.Clip(
            name="A001_C001",
            media_reference=otio.schema.ExternalReference(target_url="file:///footage/A001_C001.mov"),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(48, 24)),
        )
    )
    other.tracks.append(track)
    path = tmp_path / "other.otio"
    otio.adapters.write_to_file(other, str(path))
    with pytest.raises(ScriptkitError, match="no clip in this timeline carries a shot id") as info:
        refine_project(project, edited=path)
    assert str(path) in str(info.value)
    no_partial_version(project)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE xmeml [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<xmeml version="4"><sequence><name>&d;</name></sequence></xmeml>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE xmeml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xmeml version="4"><sequence><name>&secret;</name></sequence></xmeml>"""


@pytest.mark.parametrize(
    "name",
    [
        "bomb.xml",
        "external.xml",
        "bomb.fcpxml",
        "external.fcpxml",
        "truncated.xml",
        "truncated.otio",
        "notes.txt",
        "gone.xml",
    ],
)
def test_bad_files_give_a_clear_error_and_no_version(project: Path, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name == "bomb.xml":
        path.write_bytes(BOMB)
    elif name == "external.xml":
        path.write_bytes(EXTERNAL)
    elif name == "bomb.fcpxml":
        path.write_bytes(BOMB.replace(b"xmeml", b"fcpxml"))
    elif name == "external.fcpxml":
        path.write_bytes(EXTERNAL.replace(b"xmeml", b"fcpxml"))
    elif name == "truncated.xml":
        path.write_bytes(timeline_file(project, "xmeml").read_bytes()[:5000])
    elif name == "truncated.otio":
        path.write_bytes(timeline_file(project, "otio").read_bytes()[:3000])
    elif name == "notes.txt":
        path.write_text("not a timeline")
    with pytest.raises(ScriptkitError) as info:
        refine_project(project, edited=path)
    assert str(path) in str(info.value)
    assert "root:" not in str(info.value)  # the external entity was never read
    no_partial_version(project)


def test_failure_while_writing_leaves_no_partial_version(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scriptkit.build

    real = scriptkit.build.write_outputs

    def broken(timeline: Any, shotlist: Any, assets: Any, out_dir: Path, *args: Any, **kw: Any) -> Any:
        (out_dir / "half-written.otio").write_text("{")
        assert out_dir.name == "v001" and out_dir.is_symlink()  # paths written name the final folder
        raise ScriptkitError("disk full", out_dir / "half-written.otio")

    monkeypatch.setattr(scriptkit.build, "write_outputs", broken)
    with pytest.raises(ScriptkitError, match="disk full"):
        refine_project(project, edited=timeline_file(project, "otio"), regenerate=[K1])
    no_partial_version(project)
    monkeypatch.setattr(scriptkit.build, "write_outputs", real)
    assert refine_project(project, edited=timeline_file(project, "otio")).version_dir.name == "v001"


def test_media_outside_the_project_is_reported_never_written(project: Path, tmp_path: Path) -> None:
    data = json.loads(timeline_file(project, "otio").read_text())
    track = next(t for t in data["tracks"]["children"] if t["name"] == "V1")
    clip = next(c for c in track["children"] if c.get("name") == K2)
    clip["media_references"]["DEFAULT_MEDIA"]["target_url"] = "file:///etc/hostname"
    edited = tmp_path / "edit.otio"
    edited.write_text(json.dumps(data))
    result = refine_project(project, edited=edited, regenerate=[K2])
    changes = (result.version_dir / "CHANGES.md").read_text()
    assert "names media outside the project folder: file:///etc/hostname" in changes
    new_tl = get_format("otio").read(timeline_file(result.version_dir, "otio"))
    k2 = next(c for c in new_tl.find_clips() if c.name == K2)
    assert "/versions/v001/media/images/" in media_url(k2)  # the new take replaces the outside reference


# ------------------------------------------------------------------------------------------- CLI


def test_cli_diff_and_refine(project: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from scriptkit.cli import app

    edited = edit_otio(timeline_file(project, "otio"), tmp_path / "edit.otio")
    runner = CliRunner()
    diff = runner.invoke(app, ["diff", str(project), str(edited)])
    assert diff.exit_code == 0, diff.output
    assert f"trimmed {K2}: in +6 frames, out -4 frames" in diff.output
    assert f"deleted {P2}" in diff.output

    refine = runner.invoke(app, ["refine", str(project), "--edited", str(edited), "--regenerate", C1, "-q"])
    assert refine.exit_code == 0, refine.output
    assert (project / "versions" / "v001" / "CHANGES.md").is_file()

    against_file = runner.invoke(app, ["diff", str(timeline_file(project, "otio")), str(edited)])
    assert against_file.exit_code == 0 and f"deleted {P2}" in against_file.output
    after = runner.invoke(app, ["diff", str(project), str(edited)])
    assert after.output.startswith("against versions/v001")

    bad = runner.invoke(app, ["refine", str(project), "--edited", str(tmp_path / "missing.fcpxml")])
    assert bad.exit_code == 2 and "file not found" in bad.output and "Traceback" not in bad.output
    assert sorted(p.name for p in (project / "versions").iterdir()) == ["v001"]


def test_shots_and_script_are_exclusive(project: Path) -> None:
    with pytest.raises(ScriptkitError, match="not both"):
        refine_project(
            project, edited=timeline_file(project, "otio"), script=project / "x.fountain", shots=project / "shots.yaml"
        )
    no_partial_version(project)


def test_copying_a_project_keeps_it_refinable(project: Path, tmp_path: Path) -> None:
    """A moved project: the editor's file names media under the old place; it is reported, not followed."""
    moved = tmp_path / "moved"
    shutil.copytree(project, moved)
    result = refine_project(moved, edited=timeline_file(moved, "otio"))
    assert result.regenerated == []
    assert "outside the project folder" in (result.version_dir / "CHANGES.md").read_text()


def test_leftovers_of_a_killed_refine_are_cleaned_up(project: Path) -> None:
    versions = project / "versions"
    versions.mkdir()
    temp = versions / ".v001.tmp-999999999"  # no such process
    (temp / "media").mkdir(parents=True)
    (versions / "v001").symlink_to(temp.name)
    result = refine_project(project, edited=timeline_file(project, "otio"))
    assert result.version_dir.name == "v001" and not result.version_dir.is_symlink()
    assert sorted(p.name for p in versions.iterdir()) == ["v001"]


def test_a_timeline_of_another_scriptkit_project_is_refused_in_one_line(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "other.otio"  # the same episode as another project would name its shots, lines and cues
    path.write_text(timeline_file(project, "otio").read_text().replace("sc0", "sc9"))
    with pytest.raises(ScriptkitError, match="belongs to another project") as info:
        diff_command(project, path)  # the music bed's id is shared by every project: not enough to accept it
    assert "\n" not in str(info.value) and "sc9" in str(info.value)
    with pytest.raises(ScriptkitError, match="belongs to another project"):
        refine_project(project, edited=path)
    no_partial_version(project)


# ---------------------------------------------------------------------------------- captions


def test_a_caption_is_kept_until_the_script_changes_the_line(project: Path, tmp_path: Path) -> None:
    """A caption in the version's shots.yaml is shown by the next version without a new voice; when the line's
    spoken text changes it is dropped with a notice (scriptkit/captions.py)."""
    line_id, fix = f"{K3}-d1", "Leave it."
    shotlist = read_shotlist(project / "shots.yaml")
    spoken = next(d for s in shotlist.shots for d in s.dialogue if d.id == line_id).text
    for shot in shotlist.shots:
        for line in shot.dialogue:
            if line.id == line_id:
                line.caption = fix
    write_shotlist(shotlist, tmp_path / "shots-captioned.yaml")
    first = refine_project(project, edited=timeline_file(project, "otio"), shots=tmp_path / "shots-captioned.yaml")
    assert first.regenerated == [] and first.captions == []
    srt = timeline_file(first.version_dir, "srt").read_text(encoding="utf-8")
    assert fix in srt and spoken.split()[-1] not in srt  # the caption, not the spoken words
    clip = next(
        c for c in get_format("otio").read(timeline_file(first.version_dir, "otio")).find_clips() if c.name == line_id
    )
    assert (scriptkit_md(clip)["text"], scriptkit_md(clip)["caption"]) == (spoken, fix)

    said: list[str] = []
    shots = with_line(first.version_dir, line_id, NEW_LINES[line_id], tmp_path / "shots-v3.yaml")
    second = refine_project(project, edited=timeline_file(first.version_dir, "otio"), shots=shots, log=said.append)
    assert [(n.status, n.caption, n.old_text) for n in second.captions] == [("dropped", fix, spoken)]
    assert any(m.startswith(f"note: dropped the subtitle {fix!r} of {line_id}") for m in said)
    assert f"dropped the subtitle {fix!r} of {line_id}" in (second.version_dir / "CHANGES.md").read_text()
    line = next(
        d for s in read_shotlist(second.version_dir / "shots.yaml").shots for d in s.dialogue if d.id == line_id
    )
    assert (line.text, line.caption) == (NEW_LINES[line_id], None)
    srt = timeline_file(second.version_dir, "srt").read_text(encoding="utf-8")
    assert NEW_LINES[line_id] in srt and fix not in srt and line_id in second.regenerated
