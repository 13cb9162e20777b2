"""Shot list files: YAML/JSON/CSV round trips, hand edits, and errors that name the file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from scriptkit.errors import ScriptkitError
from scriptkit.models import ShotList
from scriptkit.plan import load_shotlist
from scriptkit.shot_ids import seed_for
from scriptkit.shotlist_io import dump_yaml, read_shotlist, write_shotlist
from scriptkit.templates import load_template

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "last-train.fountain"
VERTICAL = load_template("vertical-drama")


@pytest.fixture(scope="module")
def plan() -> ShotList:
    return load_shotlist(EXAMPLE, VERTICAL)


def test_yaml_and_json_round_trip_exactly(plan: ShotList, tmp_path: Path) -> None:
    for name in ("shots.yaml", "shots.yml", "shots.json"):
        path = tmp_path / name
        write_shotlist(plan, path)
        assert read_shotlist(path) == plan
    assert json.loads((tmp_path / "shots.json").read_text(encoding="utf-8"))["shots"][0]["id"] == plan.shots[0].id
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shots.json", "shots.yaml", "shots.yml"]  # no temp files


def test_yaml_is_block_style_in_model_order_without_python_tags(plan: ShotList, tmp_path: Path) -> None:
    path = tmp_path / "shots.yaml"
    write_shotlist(plan, path)
    text = path.read_text(encoding="utf-8")
    assert "!!python" not in text and "&id" not in text and "{" not in text.split("shots:")[0]
    top_keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith((" ", "-"))]
    assert top_keys == list(ShotList.model_fields)
    shot_keys = [line[2:].split(":")[0] for line in text.split("shots:\n", 1)[1].splitlines()[:8]]
    assert shot_keys[:4] == ["id", "scene_index", "scene_id", "size"]
    assert text.splitlines()[text.splitlines().index("shots:") + 1] == f"- id: {plan.shots[0].id}"
    assert dump_yaml(plan) == text  # deterministic bytes


def test_multiline_text_is_a_literal_block(plan: ShotList, tmp_path: Path) -> None:
    shot = plan.shots[0].model_copy(update={"action": "Line one.\nLine two."})
    edited = plan.model_copy(update={"shots": [shot, *plan.shots[1:]]})
    path = tmp_path / "shots.yaml"
    write_shotlist(edited, path)
    assert "action: |-\n    Line one.\n    Line two." in path.read_text(encoding="utf-8")
    assert read_shotlist(path).shots[0].action == "Line one.\nLine two."


def test_hand_edits_load_back(plan: ShotList, tmp_path: Path) -> None:
    path = tmp_path / "shots.yaml"
    write_shotlist(plan, path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    shots = data["shots"]
    shots[1]["size"] = "extreme_close_up"
    shots[1]["prompt"] = "my own prompt"
    shots[2]["duration"] = 4.5
    removed = shots.pop(3)["id"]
    scene = shots[0]["scene_id"]
    shots.insert(2, {"size": "wide", "action": "A new shot, no id.", "duration": 2})
    shots.insert(3, {"id": "my-own-shot", "size": "pov", "dialogue": [{"character": "MAYA", "text": "Hi", "line": 1}]})
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    back = read_shotlist(path)
    ids = [s.id for s in back.shots]
    assert removed not in ids and len(ids) == len(plan.shots) + 1
    assert back.shots[1].size == "extreme_close_up" and back.shots[1].prompt == "my own prompt"
    added = back.shots[2]
    assert added.id == back.shots[1].id + "a"  # an inserted shot: the id before it plus a letter, like scene 12A
    assert added.scene_id == scene and added.location == plan.shots[0].location and added.seed == seed_for(added.id)
    own = back.shots[3]
    assert own.id == "my-own-shot" and own.dialogue[0].id == "my-own-shot-d1" and own.duration == 2.0
    assert back.shots[4].duration == 4.5
    assert back.scene_durations[scene] == pytest.approx(sum(s.duration for s in back.shots if s.scene_id == scene))
    # the same file gives the same ids every time
    assert [s.id for s in read_shotlist(path).shots] == ids
    data["shots"].insert(3, {"size": "insert", "duration": 1})
    data["shots"].insert(0, {"size": "insert", "duration": 1})
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    again = [s.id for s in read_shotlist(path).shots]
    assert again[0] == f"{scene}-000a" and again[3] == added.id and again[4] == added.id + "a"
    # an added shot without a prompt gets one from the template when loaded for a command
    loaded = {s.id: s for s in load_shotlist(path, VERTICAL).shots}
    assert loaded[added.id].prompt.startswith(VERTICAL.style_prompt) and "wide shot" in loaded[added.id].prompt
    assert loaded[back.shots[1].id].prompt == "my own prompt"  # an edited prompt is kept


def test_duplicate_ids_name_both_lines(plan: ShotList, tmp_path: Path) -> None:
    path = tmp_path / "shots.yaml"
    write_shotlist(plan, path)
    text = path.read_text(encoding="utf-8")
    second = plan.shots[1].id
    text = text.replace(f"- id: {second}\n", f"- id: {plan.shots[0].id}\n")
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    first_line = lines.index(f"- id: {plan.shots[0].id}") + 1
    second_line = lines.index(f"- id: {plan.shots[0].id}", first_line) + 1
    with pytest.raises(ScriptkitError) as info:
        read_shotlist(path)
    message = str(info.value)
    assert str(path) in message and f"lines {first_line} and {second_line}" in message
    assert info.value.line == second_line


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "shots.yaml"
    path.write_text("title: x\nshots:\n- id: a\n  size: [unclosed\n  move: static\n", encoding="utf-8")
    with pytest.raises(ScriptkitError) as info:
        read_shotlist(path)
    assert info.value.path == str(path) and info.value.line in (4, 5, 6) and "bad YAML" in str(info.value)


def test_bad_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "shots.json"
    path.write_text('{\n  "title": "x",\n  "shots": [\n    {"id": "a",}\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(ScriptkitError) as info:
        read_shotlist(path)
    assert info.value.line == 4 and "bad JSON" in str(info.value) and str(path) in str(info.value)


def test_invalid_field_names_the_line_of_the_offending_shot(plan: ShotList, tmp_path: Path) -> None:
    for suffix in (".yaml", ".json"):
        path = tmp_path / f"shots{suffix}"
        write_shotlist(plan, path)
        text = path.read_text(encoding="utf-8")
        target = plan.shots[5]
        if suffix == ".yaml":
            marker = f"- id: {target.id}\n  scene_index: {target.scene_index}\n  scene_id: {target.scene_id}\n  size: "
            text = text.replace(marker + target.size, marker + "huge")
            expected = text.splitlines().index("  size: huge") + 1
        else:
            data = json.loads(text)
            data["shots"][5]["size"] = "huge"
            text = json.dumps(data, indent=2)
            lines = text.splitlines()
            expected = next(n for n, line in enumerate(lines, 1) if '"size": "huge"' in line)
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ScriptkitError) as info:
            read_shotlist(path)
        assert info.value.line == expected, (suffix, str(info.value))
        assert target.id in str(info.value) and "size" in str(info.value)


def test_not_a_shot_list(tmp_path: Path) -> None:
    cases = {
        "empty.yaml": b"  \n",
        "binary.yaml": b"\x00\x01\x02",
        "latin1.yaml": b"title: caf\xe9\n",
        "list.yaml": b"- 1\n- 2\n",
        "shots.txt": b"title: x\n",
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ScriptkitError) as info:
            read_shotlist(path)
        assert str(path) in str(info.value), name
    with pytest.raises(ScriptkitError, match="not found"):
        read_shotlist(tmp_path / "missing.yaml")
    with pytest.raises(ScriptkitError, match="format"):
        write_shotlist(ShotList(width=1, height=1, fps="30"), tmp_path / "shots.xml")


def test_csv_has_one_row_per_shot_and_reads_back_on_a_template(plan: ShotList, tmp_path: Path) -> None:
    import csv

    path = tmp_path / "shots.csv"
    write_shotlist(plan, path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(plan.shots)
    master = next(s for s in plan.shots if "master" in s.tags)
    row = next(r for r in rows if r["id"] == master.id)
    assert row["dialogue"] == "\n".join(f"{d.character}: {d.text}" for d in master.dialogue)
    assert row["size"] == master.size and float(row["duration"]) == master.duration
    back = read_shotlist(path, VERTICAL)
    assert [s.id for s in back.shots] == [s.id for s in plan.shots]
    assert [s.size for s in back.shots] == [s.size for s in plan.shots]
    assert [s.duration for s in back.shots] == [s.duration for s in plan.shots]
    assert [s.prompt for s in back.shots] == [s.prompt for s in plan.shots]
    assert [[d.text for d in s.dialogue] for s in back.shots] == [[d.text for d in s.dialogue] for s in plan.shots]
    assert [[c.word for c in s.cues] for s in back.shots] == [[c.word for c in s.cues] for s in plan.shots]
    fade = back.shots[0].transition_in
    assert fade is not None and (fade.kind, fade.duration) == ("fade", VERTICAL.fade)
    assert (back.width, back.height, back.fps) == (VERTICAL.width, VERTICAL.height, VERTICAL.fps)
    # a spreadsheet edit: a broken duration names the row's line
    text = path.read_text(encoding="utf-8")
    assert ",push_in,5," in text
    path.write_text(text.replace(",push_in,5,", ",push_in,five,", 1), encoding="utf-8")
    with pytest.raises(ScriptkitError) as info:
        read_shotlist(path, VERTICAL)
    assert info.value.line == 2 and "duration" in str(info.value)
