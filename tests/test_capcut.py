"""CapCut / Jianying drafts: the apps' own drafts read and validated, our drafts written for every profile and
checked by our validator, by pyJianYingDraft and by `capcut-cli lint`, round trips at four rates, the editor loop
on a draft edited the way the app edits, and `scriptkit install`."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import tempfile
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporters import get_format, guess_format, output_digest, read_timeline
from exporters.capcut_common import META_NAME, find_primary, install_draft, load_json, to_us
from exporters.capcut_schema import check_draft
from scriptkit.conform.diff import diff_timelines, report_lines
from scriptkit.contract import shot_cuts
from scriptkit.errors import ScriptkitError
from scriptkit.models import ExportOptions
from scriptkit.timeline import build_timeline
from tests.fixtures import picture_edits, png_bytes, sample_assets, sample_media

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "capcut"
CAPCUT_CLI = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "capcut-cli"
#: Every draft of the corpus: (path, format its app makes it, video segments, text segments).
DRAFTS = [
    ("IslomTV__quran-subtitle-generator/data/CapCut/Mishari/32. Sajda", "capcut", 1, 68),
    ("IslomTV__quran-subtitle-generator/data/CapCut/Mishari/62. Juma", "capcut", 1, 24),
    ("IslomTV__quran-subtitle-generator/data/CapCut/Mishari/108. Kavsar", "capcut", 1, 8),
    ("IslomTV__quran-subtitle-generator/data/BASE_TEMPLATE", "capcut", 1, 2),
    ("anhtran1989__catcuttool/draft_content.json", "capcut", 1, 0),
    ("anhtran1989__catcuttool/draft_content_default.json", "capcut", 2, 0),
    ("anhtran1989__catcuttool/draft_content_effect.json", "capcut", 2, 0),
    ("anhtran1989__catcuttool/draft_content_transition.json", "capcut", 7, 0),
    ("namejee__MaterialSearch/draft_content.json", "capcut", 37, 0),
    ("mssamly01__ComeCut/draft_content.json", "capcut", 1, 12),
    ("dreyedits10-netizen__capcut-to-premiere/draft_content.json", "capcut", 146, 0),
    ("moyu3390__jianying_srt/examples/draft_content2.json", "jianying", 1, 1386),
    ("sun-guannan__VectCutAPI/template", "capcut", 0, 0),
    ("sun-guannan__VectCutAPI/template_jianying", "jianying", 0, 0),
    ("sun-guannan__VectCutAPI/template_jianying_10_2", "jianying", 0, 0),
    ("GuanYixuan__pyJianYingDraft/pyJianYingDraft/assets/draft_content_template.json", "jianying", 0, 0),
    ("renezander030__capcut-cli/test/draft_content.json", "capcut", 2, 3),
]


def _video_segments(tl: otio.schema.Timeline) -> int:
    return sum(1 for t in tl.video_tracks() for item in t if isinstance(item, otio.schema.Clip))


@pytest.mark.parametrize(("rel", "fmt", "videos", "texts"), DRAFTS, ids=[d[0].rsplit("/", 1)[-1] for d in DRAFTS])
def test_every_app_draft_is_read_and_passes_the_validator(rel: str, fmt: str, videos: int, texts: int) -> None:
    path = CORPUS / rel
    assert guess_format(path) == fmt
    tl = read_timeline(path)
    assert _video_segments(tl) == videos
    assert len(tl.metadata["capcut_subtitles"]) == texts
    for clip in tl.find_clips():
        assert clip.metadata["capcut"]["segment"]["material_id"]  # the raw segment JSON is kept
    assert [p for p in check_draft(path) if p.kind != "media"] == []


def test_the_apps_order_finds_the_primary_and_reports_copies_that_disagree() -> None:
    kavsar = find_primary(CORPUS / "IslomTV__quran-subtitle-generator/data/CapCut/Mishari/108. Kavsar")
    assert kavsar.path.relative_to(kavsar.folder).as_posix().startswith("Timelines/4E96246F")
    assert kavsar.disagree == ()
    mac = find_primary(CORPUS / "sun-guannan__VectCutAPI/template")
    assert (mac.path.name, mac.disagree) == ("draft_info.json", ("template-2.tmp",))
    tl = read_timeline(CORPUS / "sun-guannan__VectCutAPI/template")
    assert list(tl.metadata["capcut"]["copies_disagree"]) == ["template-2.tmp"]


def test_an_encrypted_draft_gets_one_clear_message() -> None:
    with pytest.raises(ScriptkitError) as err:
        read_timeline(CORPUS / "wangwangla__algorithm/draft_content.json")
    text = str(err.value)
    assert "encrypted" in text and "never decrypts" in text and "CapCut (international)" in text and "XML" in text


def test_the_reader_maps_speed_transitions_and_text() -> None:
    tl = read_timeline(CORPUS / "anhtran1989__catcuttool/draft_content_transition.json")
    transitions = [item for item in tl.tracks[0] if isinstance(item, otio.schema.Transition)]
    assert len(transitions) == 6 and all(t.metadata["capcut"]["type"] == "transition" for t in transitions)
    srt = read_timeline(CORPUS / "moyu3390__jianying_srt/examples/draft_content2.json")
    subs = srt.metadata["capcut_subtitles"]
    assert all(s["text"] for s in subs[:20]) and subs[0]["start"] < subs[1]["start"]
    # a speed change is a LinearTimeWarp with the segment's speed
    clips = list(read_timeline(CORPUS / "renezander030__capcut-cli/test/draft_content.json").find_clips())
    speeds = [clip.metadata["capcut"]["segment"].get("speed", 1.0) for clip in clips]
    assert any(speed != 1.0 for speed in speeds)
    for clip, speed in zip(clips, speeds, strict=True):
        assert [e.time_scalar for e in clip.effects] == ([] if speed == 1.0 else [speed])


# ------------------------------------------------------------------------------------------ writing


def _write(tmp: Path, name: str, relative: bool = False, **formats: Any) -> tuple[otio.schema.Timeline, Path]:
    shotlist, assets, media = sample_media(tmp)
    tl = build_timeline(shotlist, assets, media)
    fmt = get_format(name)
    path = fmt.output_path(tmp / "project", "last-train")
    options = ExportOptions(
        project_dir=str(tmp / "project"), media_dir=str(media), relative_media=relative, formats={name: formats}
    )
    fmt.write(tl, path, options)
    return tl, path


@pytest.mark.parametrize(
    ("name", "system", "timelines"),
    [
        ("capcut", "windows", False),
        ("capcut", "macos", True),
        ("jianying", "windows", True),
        ("jianying", "macos", False),
    ],
)
def test_a_draft_for_each_profile(tmp_path: Path, name: str, system: str, timelines: bool) -> None:
    tl, path = _write(tmp_path, name, **{f"{name}_os": system, f"{name}_timelines": timelines})
    primary = "draft_content.json" if system == "windows" else "draft_info.json"
    body = (path / primary).read_bytes()
    copies = [path / f"{primary}.bak", path / "template-2.tmp"]
    data = json.loads(body)
    if timelines:
        project = json.loads((path / "Timelines" / "project.json").read_bytes())
        assert project["main_timeline_id"] == data["id"]
        copies += [path / "Timelines" / data["id"] / n for n in (primary, f"{primary}.bak", "template-2.tmp")]
    assert all(c.read_bytes() == body for c in copies)
    assert find_primary(path).path.name == primary
    assert data["platform"]["app_source"] == ("cc" if name == "capcut" else "lv")
    assert data["platform"]["os"] == ("windows" if system == "windows" else "mac")
    # every local file is in the draft folder and registered in draft_meta_info.json
    registered = {v["file_Path"] for g in load_json(path / META_NAME)["draft_materials"] for v in g["value"]}
    paths = {m["path"] for kind in ("videos", "audios") for m in data["materials"][kind]}
    assert paths == registered and all(Path(p).is_file() and Path(p).is_relative_to(path) for p in paths)
    assert get_format(name).validate(path, [name]) == []
    # the same cuts back, every line and shot with it
    back = read_timeline(path)
    assert shot_cuts(back) == shot_cuts(tl)
    assert diff_timelines(tl, back).empty
    # same timeline, same bytes
    digest = output_digest(path)
    _write(tmp_path, name, **{f"{name}_os": system, f"{name}_timelines": timelines})
    assert output_digest(path) == digest


def test_the_content_a_vertical_episode_needs(tmp_path: Path) -> None:
    tl, path = _write(tmp_path, "jianying")
    data = json.loads((path / "draft_content.json").read_bytes())
    rate = Fraction(30)
    tracks = {t["name"]: t for t in data["tracks"]}
    assert [t["type"] for t in data["tracks"]] == ["video", "audio", "audio", "audio", "audio", "text"]
    video = tracks["V1"]["segments"]
    # contiguous cuts on the frame grid
    for a, b in pairwise(video):
        assert a["target_timerange"]["start"] + a["target_timerange"]["duration"] == b["target_timerange"]["start"]
    assert all(
        to_us(round(s["target_timerange"]["start"] * rate / 10**6), rate) == s["target_timerange"]["start"]
        for s in video
    )
    # the camera move as keyframes, the last shot's fade to black as alpha
    props = {k["property_type"] for s in video for k in s["common_keyframes"]}
    assert {"KFTypeScaleX", "KFTypeScaleY", "KFTypeAlpha"} <= props
    # dissolves are Jianying's own 叠化
    transitions = data["materials"]["transitions"]
    assert transitions and {t["name"] for t in transitions} <= {"叠化", "向右擦除", "向下擦除"}
    assert {t["resource_id"] for t in transitions if t["name"] == "叠化"} == {"6724845717472416269"}
    # music under the whole episode, with its level and fades
    music = tracks["MUSIC"]["segments"][0]
    assert music["volume"] == pytest.approx(10 ** (-18 / 20), abs=1e-6)
    fades = {m["id"]: m for m in data["materials"]["audio_fades"]}
    assert any(
        ref in fades and fades[ref]["fade_in_duration"] == to_us(30, rate) for ref in music["extra_material_refs"]
    )
    # editable subtitles: type subtitle, UTF-16 ranges, lower part of the 9:16 frame
    texts = {m["id"]: m for m in data["materials"]["texts"]}
    for seg in tracks["SUBTITLES"]["segments"]:
        material = texts[seg["material_id"]]
        content = json.loads(material["content"])
        assert material["type"] == "subtitle"
        assert content["styles"][0]["range"] == [0, len(content["text"].encode("utf-16-le")) // 2]
        assert seg["clip"]["transform"]["y"] < -0.5
    # shot ids are the picture materials' names
    names = [m["material_name"] for m in data["materials"]["videos"]]
    assert names == [c.name for c in tl.tracks[0].find_clips()]


def test_pyjianyingdraft_sees_our_tracks_ranges_and_paths(tmp_path: Path) -> None:
    import pyJianYingDraft

    _, path = _write(tmp_path, "jianying")
    data = json.loads((path / "draft_content.json").read_bytes())
    script = pyJianYingDraft.DraftFolder(str(path.parent)).load_template(path.name)
    assert (script.width, script.height, script.duration) == (1080, 1920, data["duration"])
    theirs = [
        (t.name, [(s.target_timerange.start, s.target_timerange.duration, s.material_id) for s in t.segments])
        for t in script.imported_tracks
    ]
    ours = [
        (
            t["name"],
            [
                (s["target_timerange"]["start"], s["target_timerange"]["duration"], s["material_id"])
                for s in t["segments"]
            ],
        )
        for t in data["tracks"]
    ]
    assert theirs == ours
    assert [m["path"] for m in script.imported_materials["videos"]] == [m["path"] for m in data["materials"]["videos"]]


@pytest.mark.parametrize("name", ["capcut", "jianying"])
def test_capcut_cli_lint_finds_no_error(tmp_path: Path, name: str) -> None:
    _, path = _write(tmp_path, name)
    run = subprocess.run([str(CAPCUT_CLI), "lint", str(path), "--json"], capture_output=True, text=True, timeout=60)
    report = json.loads(run.stdout)
    assert report["summary"]["errors"] == 0, report["issues"]


def test_a_draft_seed_lends_its_app_markers(tmp_path: Path) -> None:
    seed = CORPUS / "sun-guannan__VectCutAPI/template_jianying"
    _, path = _write(tmp_path, "jianying", jianying_draft_seed=str(seed))
    ours = json.loads((path / "draft_content.json").read_bytes())
    theirs = load_json(seed / "draft_info.json")
    for key in ("platform", "last_modified_platform", "new_version", "version"):
        assert ours[key] == theirs[key]


def _ranges(tl: otio.schema.Timeline) -> list[tuple[str, otio.opentime.TimeRange]]:
    return [(c.name, c.source_range) for c in tl.tracks[0].find_clips()]


def _joins(tl: otio.schema.Timeline) -> list[tuple[int, int, int]]:
    """(index, in frames, out frames) of every picture transition: dissolves, wipes and fades."""
    return [
        (n, round(i.in_offset.value), round(i.out_offset.value))
        for n, i in enumerate(tl.tracks[0])
        if isinstance(i, otio.schema.Transition)
    ]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(picture_edits(rates=("30", "25", "24", "29.97"), drop_frame=False), st.sampled_from(["capcut", "jianying"]))
def test_property_random_episodes_round_trip(shotlist, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        assets = sample_assets(shotlist, root / "media")
        tl = build_timeline(shotlist, assets, root / "media")
        fmt = get_format(name)
        path = fmt.output_path(root / "project", "ep")
        fmt.write(tl, path, ExportOptions(project_dir=str(root / "project")))
        assert fmt.validate(path, [name]) == []
        back = read_timeline(path)
        assert shot_cuts(back) == shot_cuts(tl)
        assert _ranges(back) == _ranges(tl)
        assert _joins(back) == _joins(tl)
        stems = [Path(c.media_reference.target_url).stem for c in back.tracks[0].find_clips()]
        assert stems == [c.name for c in tl.tracks[0].find_clips()]
        assert diff_timelines(tl, back).empty


# ------------------------------------------------------------------------------------------ editor loop


def edit_like_the_app(path: Path, own_media: Path) -> None:
    """Edit a draft as CapCut does: reorder, trim, delete, a segment of the editor's own media, a new subtitle."""
    file = path / "draft_content.json"
    data = json.loads(file.read_bytes())
    rate = Fraction(30)
    video = next(t for t in data["tracks"] if t["type"] == "video")
    segs = video["segments"]
    for seg in segs:  # the editor drops our transitions first
        seg["extra_material_refs"] = [
            r for r in seg["extra_material_refs"] if not any(r == m["id"] for m in data["materials"]["transitions"])
        ]
    segs[1]["source_timerange"]["start"] += to_us(6, rate) - to_us(0, rate)  # trim K2's head by 6 frames
    segs[1]["source_timerange"]["duration"] -= to_us(6, rate)
    segs[1]["target_timerange"]["duration"] -= to_us(6, rate)
    del segs[4]  # delete P2
    segs[0], segs[2] = segs[2], segs[0]  # K3 first, K1 third
    own = copy.deepcopy(segs[-1])
    material = copy.deepcopy(next(m for m in data["materials"]["videos"] if m["id"] == own["material_id"]))
    material.update({"id": "EDITOR-OWN-MATERIAL", "path": own_media.as_posix(), "material_name": own_media.name})
    data["materials"]["videos"].append(material)
    own.update({"id": "EDITOR-OWN-SEGMENT", "material_id": material["id"], "common_keyframes": []})
    own["source_timerange"] = {"start": 0, "duration": to_us(45, rate)}
    segs.append(own)
    pos = 0
    for seg in segs:  # the app keeps the main track contiguous
        seg["target_timerange"]["start"] = pos
        seg["target_timerange"]["duration"] = seg["source_timerange"]["duration"]
        pos += seg["source_timerange"]["duration"]
    retext(data, 0, "Let it ring.")
    data["duration"] = max(pos, data["duration"])
    file.write_text(json.dumps(data))


def retext(data: dict[str, Any], index: int, text: str) -> str:
    """Rewrite the text of the `index`th subtitle as the app does (its material's content JSON, the style range
    over the new text); returns the text it had."""
    texts = data["materials"]["texts"]
    content = json.loads(texts[index]["content"])
    before = str(content["text"])
    content["text"] = text
    content["styles"][0]["range"] = [0, len(text.encode("utf-16-le")) // 2]
    texts[index]["content"] = json.dumps(content, ensure_ascii=False)
    return before


def draft_texts(path: Path) -> list[str]:
    """The subtitle texts of a draft, in the order of its text track."""
    data = json.loads((path / "draft_content.json").read_bytes())
    by_id = {m["id"]: json.loads(m["content"])["text"] for m in data["materials"]["texts"]}
    track = next(t for t in data["tracks"] if t["type"] == "text")
    return [by_id[seg["material_id"]] for seg in track["segments"]]


def test_diff_reports_each_edit_made_in_the_app(tmp_path: Path) -> None:
    tl, path = _write(tmp_path, "capcut")
    own = tmp_path / "broll rain.png"
    own.write_bytes(png_bytes((10, 20, 30), 54, 96))
    edited = tmp_path / "copied-from-the-app"
    shutil.copytree(path, edited)
    edit_like_the_app(edited, own)
    back = read_timeline(edited / "draft_content.json")
    lines = report_lines(diff_timelines(tl, back))
    shots = [c.name for c in tl.tracks[0].find_clips()]
    assert f"deleted {shots[4]}" in lines
    assert any(line.startswith(f"trimmed {shots[1]}: in +6 frames") for line in lines)
    assert any(line.startswith("moved ") for line in lines)
    assert any(line.startswith("new clip 'broll rain.png' on V1") for line in lines)
    assert any(line.startswith("changed subtitle of ") and "'Let it ring.'" in line for line in lines)


# ------------------------------------------------------------------------------------------ install


@pytest.mark.parametrize("relative", [False, True])
def test_install_places_the_draft_rewrites_paths_and_backs_up(tmp_path: Path, relative: bool) -> None:
    tl, path = _write(tmp_path, "capcut", relative)
    if relative:  # the apps' draft-relative paths: the same bytes wherever the draft is, read back the same
        assert load_json(path / META_NAME)["draft_fold_path"] == ""
        assert shot_cuts(read_timeline(path)) == shot_cuts(tl) and check_draft(path, Fraction(30)) == []
    store = tmp_path / "User Data" / "Projects" / "com.lveditor.draft"
    first = install_draft(path, "capcut", store, "Last Train")
    data = json.loads((first / "draft_content.json").read_bytes())
    paths = [m["path"] for kind in ("videos", "audios") for m in data["materials"][kind]]
    assert paths and all(p.startswith(first.as_posix() + "/") and Path(p).is_file() for p in paths)
    meta = load_json(first / META_NAME)
    assert meta["draft_fold_path"] == first.as_posix() and meta["draft_name"] == "Last Train"
    assert check_draft(first, Fraction(30)) == []
    (first / "draft_content.json").write_text(json.dumps({**data, "name": "edited in the app"}))
    install_draft(path, "capcut", store, "Last Train")
    backup = store / "Last Train.backup-1"
    assert json.loads((backup / "draft_content.json").read_bytes())["name"] == "edited in the app"


def test_refine_keeps_the_edits_made_in_the_app(tmp_path: Path) -> None:
    from scriptkit.conform.identity import known_ids_from_timeline
    from scriptkit.conform.layout import layout
    from scriptkit.project import diff_command
    from scriptkit.refine import refine_project
    from tests.test_refine import episode_shotlist, make_project, timeline_file

    project = make_project(tmp_path / "ep", episode_shotlist(), ["capcut", "otio", "srt"])
    own = tmp_path / "broll rain.png"
    own.write_bytes(png_bytes((10, 20, 30), 54, 96))
    edited = tmp_path / "User Data" / "0707"  # as the editor copied it out of the app's draft store
    shutil.copytree(timeline_file(project, "capcut"), edited)
    edit_like_the_app(edited, own)
    lines = diff_command(project, edited)
    assert any(line.startswith("deleted ") for line in lines) and any("changed subtitle" in line for line in lines)
    result = refine_project(project, edited=edited)
    plan = read_timeline(timeline_file(project, "capcut"))
    known = known_ids_from_timeline(plan)

    def cut(tl: otio.schema.Timeline) -> list[tuple[str, int, int, int]]:
        return [
            (p.identity.owner or p.clip.name, p.start, p.source_in, p.duration) for p in layout(tl, known, 30.0).shots()
        ]

    new = read_timeline(timeline_file(result.version_dir, "capcut"))
    assert cut(new) == cut(read_timeline(edited)) != cut(plan)
    assert [c.name for c in new.tracks[0].find_clips()][-1] == "broll rain.png"
    assert get_format("capcut").validate(timeline_file(result.version_dir, "capcut"), ["capcut"]) == []
    # the changed subtitle too, in the draft and the SRT; the editor's own clip is not new to the new version
    assert draft_texts(timeline_file(result.version_dir, "capcut"))[0] == "Let it ring."
    assert "\nLet it ring.\n" in timeline_file(result.version_dir, "srt").read_text(encoding="utf-8")
    assert diff_command(project, timeline_file(result.version_dir, "capcut"))[-1] == "no editorial changes"


def test_refine_keeps_a_subtitle_changed_in_the_app(tmp_path: Path) -> None:
    """The editor fixes a subtitle in the app: the new version shows it everywhere, the voice is the same file."""
    from scriptkit.project import diff_command
    from scriptkit.refine import refine_project
    from scriptkit.shotlist_io import read_shotlist
    from tests.test_refine import assets_of, episode_shotlist, make_project, timeline_file, with_line

    project = make_project(tmp_path / "ep", episode_shotlist(), ["capcut", "otio", "srt"])
    edited = tmp_path / "User Data" / "0707"
    shutil.copytree(timeline_file(project, "capcut"), edited)
    data = json.loads((edited / "draft_content.json").read_bytes())
    spoken = retext(data, 1, "今晚别接电话。")  # the fix can be any script: the range counts UTF-16 units
    (edited / "draft_content.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    reported = [line for line in diff_command(project, edited) if line.startswith("changed subtitle of ")]
    assert len(reported) == 1 and reported[0].endswith(f": {spoken!r} -> '今晚别接电话。'")
    result = refine_project(project, edited=edited)
    assert result.timeline_diff is not None and len(result.timeline_diff.captions) == 1
    line_id = result.timeline_diff.captions[0].line_id
    assert [note.status for note in result.captions] == ["kept"]

    # shots.yaml: the spoken line is the same, its caption is the editor's
    line = next(
        d for s in read_shotlist(result.version_dir / "shots.yaml").shots for d in s.dialogue if d.id == line_id
    )
    assert (line.text, line.caption) == (spoken, "今晚别接电话。")
    # the subtitles of the new version: the SRT and the draft's text segments
    srt = timeline_file(result.version_dir, "srt").read_text(encoding="utf-8")
    assert "今晚别接电话\n" in srt and spoken not in srt  # shown by the Chinese rules: the final 。 dropped
    texts, planned = (
        draft_texts(timeline_file(result.version_dir, "capcut")),
        draft_texts(timeline_file(project, "capcut")),
    )
    assert texts == [*planned[:1], "今晚别接电话", *planned[2:]] and spoken not in texts
    # the voice was not spoken again: the same bytes
    base, new = assets_of(project), assets_of(result.version_dir)
    assert line_id not in result.regenerated and result.regenerated == []
    old_voice, new_voice = base.get("voice", line_id), new.get("voice", line_id)
    assert old_voice is not None and new_voice is not None
    assert (result.version_dir / "media" / new_voice.path).read_bytes() == (
        project / "media" / old_voice.path
    ).read_bytes()
    assert "## Subtitles" in (result.version_dir / "CHANGES.md").read_text(encoding="utf-8")
    # the new version against its own draft: nothing changed
    assert diff_command(project, timeline_file(result.version_dir, "capcut"))[-1] == "no editorial changes"

    # a later refine of that version (its own draft back, unedited) keeps the caption, and reports nothing new
    again = refine_project(project, edited=timeline_file(result.version_dir, "capcut"))
    assert again.captions == [] and again.regenerated == []
    line = next(d for s in read_shotlist(again.version_dir / "shots.yaml").shots for d in s.dialogue if d.id == line_id)
    assert line.caption == "今晚别接电话。"
    assert draft_texts(timeline_file(again.version_dir, "capcut")) == texts

    # the script then changes what the line says: the caption, written for the old words, is dropped for good
    shots = with_line(again.version_dir, line_id, "Hang up.", tmp_path / "shots-v3.yaml")
    third = refine_project(project, edited=timeline_file(again.version_dir, "capcut"), shots=shots)
    assert [(n.status, n.caption) for n in third.captions] == [("dropped", "今晚别接电话。")]
    assert draft_texts(timeline_file(third.version_dir, "capcut"))[1] == "Hang up."
    for name in ("capcut", "otio"):  # neither the draft nor the timeline of the new version brings it back
        assert diff_command(project, timeline_file(third.version_dir, name))[-1] == "no editorial changes", name


def test_install_refuses_while_the_app_runs(tmp_path: Path) -> None:
    _, path = _write(tmp_path, "capcut")
    app = tmp_path / "bin" / "CapCut"  # a real process under the app's name
    app.parent.mkdir()
    shutil.copyfile(shutil.which("sleep") or "/bin/sleep", app)
    app.chmod(0o755)
    running = subprocess.Popen([str(app), "30"])
    try:
        with pytest.raises(ScriptkitError, match="capcut is running: quit it first"):
            install_draft(path, "capcut", tmp_path / "store")
    finally:
        running.kill()
        running.wait()
    assert not (tmp_path / "store").exists()


def test_the_install_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from scriptkit.cli import app

    _, path = _write(tmp_path, "jianying")
    store = tmp_path / "JianyingPro" / "User Data" / "Projects" / "com.lveditor.draft"
    result = CliRunner().invoke(app, ["install", str(path), "--drafts-dir", str(store)])
    assert result.exit_code == 0 and (store / "last-train" / "draft_content.json").is_file()
    bad = CliRunner().invoke(app, ["install", str(tmp_path / "nothing"), "--drafts-dir", str(store)])
    assert bad.exit_code == 2 and "not a draft folder" in bad.output
