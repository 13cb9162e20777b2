"""Conform: shot identity, the timeline diff and applying a new plan to an edited timeline.

The edited timelines here are made the way an editor's export would differ from ours: by editing the
serialized OTIO JSON (move, trim by frames, delete, duplicate, a foreign clip, a dissolve, a marker).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest

from exporters import read_timeline
from scriptkit.conform.apply import CHANGED_COLOR, conform_timeline
from scriptkit.conform.diff import Trim, diff_layouts, diff_timelines, media_url, report_lines
from scriptkit.conform.identity import FOREIGN, Identity, KnownIds, identify, known_ids_from_timeline, scriptkit_md
from scriptkit.conform.layout import Placed, layout
from scriptkit.errors import ScriptkitError
from scriptkit.models import Assets, ShotList
from scriptkit.scriptdiff import diff_shotlists
from scriptkit.timeline import HANDLE_SECONDS, build_timeline
from tests.fixtures import _asset, png_bytes, sample_media, wav_bytes

K1, K2, K3 = "sc01-kitchen-001", "sc01-kitchen-002", "sc01-kitchen-003"
P1, P2, C1 = "sc02-platform-001", "sc02-platform-002", "sc03-carriage-001"
RATE = 30.0
HANDLE = round(HANDLE_SECONDS * RATE)


# ---------------------------------------------------------------------------------------- helpers


def plan_and_media(tmp_path: Path, **kw: Any) -> tuple[ShotList, Assets, Path, otio.schema.Timeline]:
    shotlist, assets, media = sample_media(tmp_path, **kw)
    return shotlist, assets, media, build_timeline(shotlist, assets, media)


def to_json(timeline: otio.schema.Timeline) -> dict[str, Any]:
    return json.loads(otio.adapters.write_to_string(timeline, "otio_json"))


def from_json(data: dict[str, Any]) -> otio.schema.Timeline:
    return otio.adapters.read_from_string(json.dumps(data), "otio_json")


def track_json(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    for track in data["tracks"]["children"]:
        if track["name"] == name:
            return track["children"]
    raise KeyError(name)


def index_of(children: list[dict[str, Any]], name: str) -> int:
    return next(i for i, c in enumerate(children) if c["OTIO_SCHEMA"].startswith("Clip") and c["name"] == name)


def frames_of(value: dict[str, Any]) -> int:
    return round(value["value"] * RATE / value["rate"])


def shift(value: dict[str, Any], n: int) -> None:
    value["value"] = value["value"] + n * value["rate"] / RATE


def foreign_clip_json(name: str, frames: int) -> dict[str, Any]:
    clip = otio.schema.Clip(
        name=name,
        media_reference=otio.schema.ExternalReference(
            target_url="file:///Volumes/Footage/rain_0042.mov",
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, RATE), otio.opentime.RationalTime(500, RATE)
            ),
        ),
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(100, RATE), otio.opentime.RationalTime(frames, RATE)
        ),
    )
    return json.loads(otio.adapters.write_to_string(clip, "otio_json"))


def dissolve_json(frames_each: int) -> dict[str, Any]:
    transition = otio.schema.Transition(
        name="Cross Dissolve",
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=otio.opentime.RationalTime(frames_each, RATE),
        out_offset=otio.opentime.RationalTime(frames_each, RATE),
    )
    return json.loads(otio.adapters.write_to_string(transition, "otio_json"))


def shots_in(timeline: otio.schema.Timeline) -> list[tuple[str, int, int]]:
    """(owner or clip name, source in, duration) of every clip on V1, in order."""
    known = known_ids_from_timeline(timeline)
    lay = layout(timeline, known, RATE)
    return [
        (p.identity.owner or p.clip.name, p.source_in, p.duration)
        for p in lay.clips
        if p.track_kind == otio.schema.TrackKind.Video
    ]


def placed(timeline: otio.schema.Timeline, known: KnownIds) -> dict[str, Placed]:
    return {p.identity.owner or p.clip.name: p for p in layout(timeline, known, RATE).clips}


def refine_marker(marker: otio.schema.Marker) -> bool:
    return bool(marker.metadata.get("scriptkit", {}).get("refine"))


# --------------------------------------------------------------------------------------- identity


def test_identity_from_each_slot_in_trust_order(tmp_path: Path) -> None:
    _, _, _, plan = plan_and_media(tmp_path)
    known = known_ids_from_timeline(plan)
    assert K2 in known.shots and f"{K2}-d1" in known.lines and f"{K1}-c1" in known.cues

    def bare(name: str = "", url: str = "") -> otio.schema.Clip:
        ref = otio.schema.ExternalReference(target_url=url) if url else None
        return otio.schema.Clip(name=name, media_reference=ref)

    by_metadata = bare("A001_C002_0101")
    by_metadata.metadata["scriptkit"] = {"kind": "shot", "shot_id": K3}
    by_metadata.markers.append(otio.schema.Marker(name=K1))  # less trusted than the metadata
    assert identify(by_metadata, known) == Identity("shot", K3, K3, "metadata")

    by_adapter = bare("renamed by the editor")
    by_adapter.metadata["fcp_xml"] = {"comments": {"mastercomment1": f"scriptkit shot_id={P1}"}}
    assert identify(by_adapter, known) == Identity("shot", P1, P1, "adapter")

    by_marker = bare("Clip 7")
    by_marker.markers.append(otio.schema.Marker(name="note", comment=f"line 12: {C1} dolly"))
    assert identify(by_marker, known).owner == C1

    by_name = bare(f"{P2}.png")
    assert identify(by_name, known) == Identity("shot", P2, P2, "name")

    by_file = bare("Audio 3", url=f"file:///x/ep%2007/media/voices/{K2}-d1.wav")
    assert identify(by_file, known) == Identity("dialogue", f"{K2}-d1", K2, "file")

    cue = bare(f"{K1}-c1-RINGS.wav")
    assert identify(cue, known) == Identity("cue", f"{K1}-c1", K1, "name")

    stranger = bare("A001_C002_0101", url="file:///Volumes/Footage/sc01-kitchen-999.mov")
    assert identify(stranger, known) == FOREIGN


def test_plan_identifies_every_clip_by_metadata(tmp_path: Path) -> None:
    _, _, _, plan = plan_and_media(tmp_path)
    known = known_ids_from_timeline(plan)
    lay = layout(plan, known)
    assert all(p.identity.kind != "foreign" for p in lay.clips)
    assert [p.identity.owner for p in lay.shots()] == [K1, K2, K3, P1, P2, C1]
    diff = diff_layouts(lay, layout(copy.deepcopy(plan), known))
    assert diff.empty
    assert report_lines(diff)[-1] == "no editorial changes"


def test_timeline_from_another_project_is_refused(tmp_path: Path) -> None:
    _, _, _, plan = plan_and_media(tmp_path)
    other = otio.schema.Timeline(name="Somebody else's cut")
    track = otio.schema.Track(name="V1")
    for n in range(3):
        track.append(
            otio.schema.Clip(
                name=f"A00{n}_C001",
                media_reference=otio.schema.ExternalReference(target_url=f"file:///footage/A00{n}_C001.mov"),
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(48, 24)
                ),
            )
        )
    other.tracks.append(track)
    with pytest.raises(ScriptkitError, match="no clip in this timeline carries a shot id"):
        diff_timelines(plan, other)


# ------------------------------------------------------------------------------------------- diff


def editor_cut(plan: otio.schema.Timeline) -> dict[str, Any]:
    """The plan as serialized OTIO JSON with an editor's changes made to the JSON itself."""
    data = to_json(plan)
    v1 = track_json(data, "V1")
    # trim K2: head +6 frames, tail -4 frames
    k2 = v1[index_of(v1, K2)]
    shift(k2["source_range"]["start_time"], 6)
    shift(k2["source_range"]["duration"], -10)
    # move C1 between K1 and K2
    c1 = v1.pop(index_of(v1, C1))
    v1.insert(index_of(v1, K2), c1)
    # delete P2
    del v1[index_of(v1, P2)]
    # a foreign clip after P1, then a dissolve between K3 and P1
    v1.insert(index_of(v1, P1) + 1, foreign_clip_json("B-roll rain", 40))
    v1.insert(index_of(v1, P1), dissolve_json(6))
    # duplicate K1 at the end
    v1.append(copy.deepcopy(v1[index_of(v1, K1)]))
    # a marker on P1
    v1[index_of(v1, P1)]["markers"].append(
        json.loads(
            otio.adapters.write_to_string(otio.schema.Marker(name="fix colour", comment="too green"), "otio_json")
        )
    )
    # dialogue: slide Leo's line 10 frames later (take it from the gap after it); shorten Maya's PRE-LAP line by 8
    leo = track_json(data, "DIALOGUE LEO")
    i = index_of(leo, f"{K3}-d1")
    shift(leo[i - 1]["source_range"]["duration"], 10)
    shift(leo[i + 1]["source_range"]["duration"], -10)
    maya = track_json(data, "DIALOGUE MAYA")
    j = index_of(maya, f"{P1}-d1")
    shift(maya[j]["source_range"]["duration"], -8)
    maya.insert(
        j + 1,
        json.loads(
            otio.adapters.write_to_string(otio.schema.Gap(duration=otio.opentime.RationalTime(8, RATE)), "otio_json")
        ),
    )
    return data


def test_diff_reports_each_editorial_change(tmp_path: Path) -> None:
    _, _, _, plan = plan_and_media(tmp_path, transitions=False)
    edited = from_json(editor_cut(plan))
    diff = diff_timelines(plan, edited)

    assert diff.trims == [Trim(K2, 6, -4, (HANDLE, HANDLE + 75), (HANDLE + 6, HANDLE + 71))]
    assert [m.shot_id for m in diff.moves] == [C1]
    assert diff.deleted == [P2]
    assert [(d.owner, d.count) for d in diff.duplicates] == [(K1, 2)]
    assert [(f.name, f.duration, f.media) for f in diff.foreign] == [
        ("B-roll rain", 40, "file:///Volumes/Footage/rain_0042.mov")
    ]
    assert [(j.status, j.before, j.after, j.new_kind, j.new_frames) for j in diff.joins] == [
        ("added", K3, P1, "dissolve", 12)
    ]
    assert [(m.name, m.owner, m.comment) for m in diff.markers] == [("fix colour", P1, "too green")]
    audio = {(a.owner, a.status): a for a in diff.audio}
    # K3 now starts 80 frames later (C1's 90 frames inserted before it, K2 10 frames shorter); the line moved 10
    leo = audio[(f"{K3}-d1", "moved")]
    assert leo.edited_offset - leo.planned_offset == 10 - 80
    maya = audio[(f"{P1}-d1", "retimed")]
    assert maya.edited_frames == maya.planned_frames - 8
    assert (f"{P2}-d1", "deleted") not in audio  # deleting a shot in V1 does not delete its line

    text = "\n".join(report_lines(diff))
    assert f"trimmed {K2}: in +6 frames, out -4 frames (length -10 frames)" in text
    assert f"moved {C1}: position 6 -> 2" in text
    assert f"deleted {P2}" in text
    assert f"duplicated {K1}: 2 times" in text
    assert "new clip 'B-roll rain' on V1" in text
    assert f"added dissolve (12 frames) at {K3} -> {P1}" in text
    assert f"added marker 'fix colour' on {P1}" in text
    assert f"retimed line {P1}-d1" in text

    # the edit as the plan of the next version: the editor's clip it holds is not new; a second copy of it is
    assert diff_timelines(edited, edited).foreign == []
    again = editor_cut(plan)
    again_v1 = track_json(again, "V1")
    again_v1.insert(index_of(again_v1, K3), foreign_clip_json("B-roll rain", 20))
    assert [(f.name, f.duration) for f in diff_timelines(edited, from_json(again)).foreign] == [("B-roll rain", 20)]


def test_transition_changes_removed_and_changed(tmp_path: Path) -> None:
    _, _, _, plan = plan_and_media(tmp_path)  # fade in, dissolve K3->P1, wipe P2->C1, fade out
    data = to_json(plan)
    v1 = track_json(data, "V1")
    wipe = next(i for i, c in enumerate(v1) if c["OTIO_SCHEMA"].startswith("Transition") and c["name"] == "Wipe")
    del v1[wipe]
    dissolve = next(c for c in v1 if c["OTIO_SCHEMA"].startswith("Transition") and c["name"] == "Cross Dissolve")
    shift(dissolve["in_offset"], 5)
    shift(dissolve["out_offset"], 5)
    diff = diff_timelines(plan, from_json(data))
    got = sorted((j.status, j.before, j.after, j.old_frames, j.new_frames) for j in diff.joins)
    assert got == [("changed", K3, P1, 30, 40), ("removed", P2, C1, 15, 0)]
    assert not diff.trims and not diff.moves


def test_media_outside_the_project_is_reported(tmp_path: Path) -> None:
    _, _, _, plan = plan_and_media(tmp_path)
    data = to_json(plan)
    v1 = track_json(data, "V1")
    v1[index_of(v1, K2)]["media_references"]["DEFAULT_MEDIA"]["target_url"] = "file:///etc/passwd"
    v1[index_of(v1, K3)]["media_references"]["DEFAULT_MEDIA"]["target_url"] = (
        tmp_path / "media" / ".." / ".." / "elsewhere" / "x.png"
    ).as_uri()
    diff = diff_timelines(plan, from_json(data), project_dir=tmp_path)
    assert [(n.clip, n.reason) for n in diff.media] == [
        (K2, "outside the project folder"),
        (K3, "outside the project folder"),
    ]
    assert any("never written" in line for line in report_lines(diff))


# ---------------------------------------------------------------------------------------- conform


def retake(
    shotlist: ShotList,
    assets: Assets,
    media: Path,
    *,
    images: tuple[str, ...] = (),
    voices: dict[str, float] | None = None,
) -> Assets:
    """New assets: a new image for each shot in `images`, a new voice of the given seconds per line id."""
    new = assets.model_copy(deep=True)
    for n, shot_id in enumerate(images):
        new.images[shot_id] = _asset(
            "image", f"images/{shot_id}-take2.png", png_bytes((250, 10 + n, 10), 64, 114), media, shot_id
        )
    for line_id, seconds in (voices or {}).items():
        new.voices[line_id] = _asset(
            "voice", f"voices/{line_id}-take2.wav", wav_bytes(seconds, 300.0), media, line_id,
            duration=round(seconds * 48000) / 48000, sample_rate=48000, channels=1,
        )  # fmt: skip
    return new


def changed_line(shotlist: ShotList, line_id: str, text: str, seconds: float) -> ShotList:
    shots = []
    for shot in shotlist.shots:
        lines = [
            line.model_copy(update={"text": text, "duration": seconds}) if line.id == line_id else line
            for line in shot.dialogue
        ]
        shots.append(shot.model_copy(update={"dialogue": lines}))
    return shotlist.model_copy(update={"shots": shots})


def test_conform_swaps_exactly_the_changed_assets_and_keeps_the_cut(tmp_path: Path) -> None:
    shotlist, assets, media, plan = plan_and_media(tmp_path, transitions=False)
    edited = from_json(editor_cut(plan))
    new_list = changed_line(shotlist, f"{K2}-d1", "Who calls so late?", 1.8)
    new_assets = retake(new_list, assets, media, images=(P1,), voices={f"{K2}-d1": 1.8})
    new_plan = build_timeline(new_list, new_assets, media)
    result = conform_timeline(edited, plan, new_plan, changes=diff_shotlists(shotlist, new_list))

    assert sorted(result.report.swapped) == sorted([(P1, "shot"), (f"{K2}-d1", "dialogue")])
    # the editor's cut is intact frame for frame: order, trims, duplicates, the foreign clip
    assert shots_in(result.timeline) == shots_in(edited)
    known = known_ids_from_timeline(plan)
    before, after = placed(edited, known), placed(result.timeline, known)
    for owner, p in after.items():
        new_url = media_url(p.clip)
        old_url = media_url(before[owner].clip)
        if owner in (P1, f"{K2}-d1"):
            assert new_url != old_url and "take2" in new_url
            assert scriptkit_md(p.clip)["asset_hash"] == (
                new_assets.images[P1].sha256 if owner == P1 else new_assets.voices[owner].sha256
            )
        else:
            assert new_url == old_url, owner
        assert p.start == before[owner].start, owner
    # the editor's dissolve and marker survive; red markers on the changed shots
    diff = diff_timelines(plan, result.timeline)
    assert [(j.status, j.new_kind) for j in diff.joins] == [("added", "dissolve")]
    red = {m.name: m for clip in result.timeline.find_clips() for m in clip.markers if refine_marker(m)}
    assert all(m.color == CHANGED_COLOR for m in red.values())
    assert set(red) == {f"CHANGED {K2}", f"CHANGED {P1}"}
    assert red[f"CHANGED {K2}"].comment == "dialogue"
    assert red[f"CHANGED {P1}"].comment == "new take"
    assert "fix colour" in {m.name for m in after[P1].clip.markers}


def test_conform_hold_and_ripple_when_a_line_gets_longer(tmp_path: Path) -> None:
    shotlist, assets, media, plan = plan_and_media(tmp_path, transitions=False)
    new_list = changed_line(shotlist, f"{K2}-d1", "Who calls at this hour of the night, and why?", 2.6)
    new_assets = retake(new_list, assets, media, voices={f"{K2}-d1": 2.6})
    new_plan = build_timeline(new_list, new_assets, media)
    known = known_ids_from_timeline(plan)
    old_k2 = placed(plan, known)[K2].duration
    new_k2 = placed(new_plan, known)[K2].duration
    grow = new_k2 - old_k2
    assert grow > 0
    changes = diff_shotlists(shotlist, new_list)

    held = conform_timeline(plan, plan, new_plan, changes=changes, length="hold")
    hold = held.timeline
    assert shots_in(hold) == shots_in(plan)
    line = placed(hold, known)[f"{K2}-d1"]
    assert line.start == placed(plan, known)[f"{K2}-d1"].start
    assert line.duration == 78  # 2.6 s at 30 fps
    # the new voice overruns the shot as cut: the cut is kept, and flagged
    assert line.start + line.duration > placed(hold, known)[K2].start + placed(hold, known)[K2].duration
    assert any(f"{K2}-d1 runs" in note and "cut is kept" in note for note in held.report.notes)
    assert "VOICE LONGER" in {m.name for m in placed(hold, known)[K2].clip.markers}

    ripple = conform_timeline(plan, plan, new_plan, changes=changes, length="ripple").timeline
    before, after = placed(plan, known), placed(ripple, known)
    assert after[K2].duration == old_k2 + grow
    for owner in (K3, P1, P2, C1, f"{K3}-d1", f"{P2}-d1"):
        assert after[owner].start == before[owner].start + grow, owner
    for owner in (K1, K2, f"{K1}-c1"):
        assert after[owner].start == before[owner].start, owner


def test_conform_places_new_shots_and_drops_or_flags_removed(tmp_path: Path) -> None:
    shotlist, assets, media, plan = plan_and_media(tmp_path, transitions=False)
    line = (
        shotlist.shots[2]
        .dialogue[0]
        .model_copy(update={"id": "sc01-kitchen-003a-d1", "text": "It's her.", "offset": 0.5, "duration": 1.0})
    )
    new_shot = shotlist.shots[2].model_copy(
        update={"id": "sc01-kitchen-003a", "action": "Insert: the phone screen.", "dialogue": [line], "cues": []}
    )
    shots = [s for s in shotlist.shots if s.id != P2]
    shots.insert(3, new_shot)
    new_list = shotlist.model_copy(update={"shots": shots})
    new_assets = assets.model_copy(deep=True)
    new_assets.images[new_shot.id] = _asset(
        "image", f"images/{new_shot.id}.png", png_bytes((1, 2, 3), 64, 114), media, new_shot.id
    )
    new_assets.voices[line.id] = _asset(
        "voice", f"voices/{line.id}.wav", wav_bytes(1.0, 660.0), media, line.id,
        duration=1.0, sample_rate=48000, channels=1,
    )  # fmt: skip
    new_plan = build_timeline(new_list, new_assets, media)
    changes = diff_shotlists(shotlist, new_list)
    assert changes.added == ("sc01-kitchen-003a",) and changes.removed == (P2,)
    known = known_ids_from_timeline(plan).union(known_ids_from_timeline(new_plan))
    before = placed(plan, known)

    result = conform_timeline(plan, plan, new_plan, changes=changes, length="hold")
    order = [owner for owner, _, _ in shots_in(result.timeline)]
    assert order == [K1, K2, K3, "sc01-kitchen-003a", P1, C1]
    after = placed(result.timeline, known)
    inserted = after["sc01-kitchen-003a"].duration
    assert after[P1].start == before[P1].start + inserted
    assert after[f"{P1}-d1"].start == before[f"{P1}-d1"].start + inserted  # audio rippled with the insert
    assert f"{P2}-d1" not in after  # the removed shot's line went with it
    v1 = result.timeline.tracks[0]
    assert any(isinstance(item, otio.schema.Gap) for item in v1)  # hold: P2's time kept as black
    assert result.timeline.tracks[0].duration() == plan.tracks[0].duration() + otio.opentime.RationalTime(
        inserted, RATE
    )
    assert result.report.inserted == ["sc01-kitchen-003a", "sc01-kitchen-003a-d1"]
    # the new line sits on LEO's track, 0.5 s into its new shot, 1 s long
    new_line = after["sc01-kitchen-003a-d1"]
    assert (new_line.track_name, new_line.start, new_line.duration) == (
        "DIALOGUE LEO",
        after["sc01-kitchen-003a"].start + 15,
        30,
    )
    assert sorted(result.report.removed) == [P2, f"{P2}-d1"]

    flagged = conform_timeline(plan, plan, new_plan, changes=changes, removed="flag").timeline
    p2 = placed(flagged, known)[P2]
    assert [(m.name, m.color) for m in p2.clip.markers if refine_marker(m)] == [("REMOVED", CHANGED_COLOR)]


def test_conform_never_touches_locked_shots(tmp_path: Path) -> None:
    shotlist, assets, media, plan = plan_and_media(tmp_path, transitions=False)
    new_list = changed_line(shotlist, f"{K2}-d1", "Something else entirely.", 2.0)
    new_assets = retake(new_list, assets, media, images=(K2, P1), voices={f"{K2}-d1": 2.0})
    new_plan = build_timeline(new_list, new_assets, media)
    result = conform_timeline(
        plan, plan, new_plan, changes=diff_shotlists(shotlist, new_list), lock=[K2], length="ripple"
    )
    assert result.report.swapped == [(P1, "shot")]
    known = known_ids_from_timeline(plan)
    before, after = placed(plan, known), placed(result.timeline, known)
    for owner in (K2, f"{K2}-d1"):
        assert media_url(after[owner].clip) == media_url(before[owner].clip)
        assert after[owner].duration == before[owner].duration
    assert not [m for m in after[K2].clip.markers if refine_marker(m)]


def test_bad_length_policy_is_a_clear_error(tmp_path: Path) -> None:
    _, _, _, plan = plan_and_media(tmp_path)
    with pytest.raises(ScriptkitError, match="hold or ripple"):
        conform_timeline(plan, plan, plan, length="stretch")  # type: ignore[arg-type]


def test_unknown_timeline_suffix_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.prproj"
    path.write_bytes(b"\x1f\x8b")
    with pytest.raises(ScriptkitError, match=r"unknown timeline format '\.prproj'"):
        read_timeline(path)
    with pytest.raises(ScriptkitError, match="file not found"):
        read_timeline(tmp_path / "missing.fcpxml")
