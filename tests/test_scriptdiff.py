"""Shot-list diff by shot id: what the writer changed between two versions."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scriptkit.models import ShotList, SoundCue
from scriptkit.scriptdiff import diff_shotlists, longest_common_subsequence, report_lines
from tests.fixtures import sample_shotlist

ROOT = Path(__file__).resolve().parents[1]


def edit(shotlist: ShotList, shot_id: str, **update: object) -> ShotList:
    shots = [s.model_copy(update=update) if s.id == shot_id else s for s in shotlist.shots]
    return shotlist.model_copy(update={"shots": shots})


def test_identical_shot_lists_have_no_changes() -> None:
    old = sample_shotlist(shots=9)
    diff = diff_shotlists(old, old.model_copy(deep=True))
    assert diff.empty
    assert report_lines(diff) == ["shot list unchanged"]


def test_changed_dialogue_action_prompt_duration_size() -> None:
    old = sample_shotlist()
    shot = old.shots[1]
    line = shot.dialogue[0].model_copy(update={"text": "Who is it?"})
    new = edit(old, shot.id, dialogue=[line])
    new = edit(new, old.shots[2].id, action="Leo leans in the doorway.", prompt="close up, leo, doorway")
    new = edit(new, old.shots[3].id, duration=4.0, size="medium")
    diff = diff_shotlists(old, new)

    assert [c.shot_id for c in diff.changed] == [old.shots[1].id, old.shots[2].id, old.shots[3].id]
    dialogue = diff.changed_by_id[shot.id]
    assert dialogue.dialogue_changed and not dialogue.picture_changed and not dialogue.fields
    assert [(d.id, d.status) for d in dialogue.dialogue] == [(line.id, "changed")]
    assert [(f.name, f.old, f.new) for f in dialogue.dialogue[0].fields] == [
        ("text", "Who calls at this hour?", "Who is it?")
    ]
    picture = diff.changed_by_id[old.shots[2].id]
    assert picture.picture_changed and {f.name for f in picture.fields} == {"action", "prompt"}
    timing = diff.changed_by_id[old.shots[3].id]
    assert {f.name for f in timing.fields} == {"duration", "size"} and timing.timing_changed
    assert timing.summary() == "size, duration"

    text = report_lines(diff)
    assert f"{shot.id}: dialogue {line.id} changed: 'MAYA: Who is it?'" in text
    assert f"{old.shots[3].id}: duration 3s -> 4s" in text
    assert f"{old.shots[3].id}: size 'wide' -> 'medium'" in text


def test_added_removed_moved_shots_and_lines() -> None:
    old = sample_shotlist(shots=8)
    extra = old.shots[4].model_copy(update={"id": "sc02-platform-002a", "dialogue": [], "cues": []})
    shots = [s for s in old.shots if s.id != old.shots[5].id]
    shots.insert(5, extra)
    shots.insert(0, shots.pop(2))  # move the third shot first
    new = old.model_copy(update={"shots": shots})
    # a line added to one shot, a cue removed from another
    first = old.shots[1]
    added = first.dialogue[0].model_copy(update={"id": f"{first.id}-d2", "text": "Hello?"})
    new = edit(new, first.id, dialogue=[*first.dialogue, added])
    new = edit(new, old.shots[0].id, cues=[])
    diff = diff_shotlists(old, new)

    assert diff.added == ("sc02-platform-002a",)
    assert diff.removed == (old.shots[5].id,)
    assert diff.moved == (old.shots[2].id,)
    assert [(d.id, d.status) for d in diff.changed_by_id[first.id].dialogue] == [(f"{first.id}-d2", "added")]
    assert [(c.id, c.status) for c in diff.changed_by_id[old.shots[0].id].cues] == [
        (f"{old.shots[0].id}-c1", "removed")
    ]
    text = report_lines(diff)
    assert "new shot sc02-platform-002a" in text
    assert f"removed shot {old.shots[5].id}" in text
    assert f"shot {old.shots[2].id} moved in script order" in text


def test_cue_change_and_project_change() -> None:
    old = sample_shotlist()
    cue = old.shots[0].cues[0]
    new = edit(old, old.shots[0].id, cues=[SoundCue(**{**cue.model_dump(), "word": "BUZZES"})])
    new = new.model_copy(update={"title": "Last Train (v2)"})
    diff = diff_shotlists(old, new)
    assert [(c.id, c.status) for c in diff.changed[0].cues] == [(cue.id, "changed")]
    assert any(line.startswith("project: title") for line in report_lines(diff))


def test_screenplay_edit_changes_only_the_edited_shot(tmp_path: Path) -> None:
    """Plan the example episode, change one line of dialogue in the script, plan again: one shot changed."""
    from scriptkit.plan import load_shotlist
    from scriptkit.templates import load_template

    source = ROOT / "examples" / "last-train.fountain"
    template = load_template("vertical-drama")
    old = load_shotlist(source, template)
    text = source.read_text(encoding="utf-8")
    assert "I said before midnight." in text
    edited = tmp_path / "last-train-v2.fountain"
    edited.write_text(text.replace("I said before midnight.", "I said before eleven."), encoding="utf-8")
    new = load_shotlist(edited, template)
    diff = diff_shotlists(old, new)
    assert not diff.added and not diff.removed and not diff.moved
    assert len(diff.changed) == 1
    change = diff.changed[0]
    assert [d.status for d in change.dialogue] == ["changed"]
    assert "I said before eleven." in change.dialogue[0].text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), unique=True, max_size=25), st.randoms(use_true_random=False))
def test_lcs_is_a_common_increasing_subsequence(values: list[int], rnd) -> None:  # type: ignore[no-untyped-def]
    a = [str(v) for v in values]
    b = a[:]
    rnd.shuffle(b)
    lcs = longest_common_subsequence(a, b)
    pos_a = [a.index(x) for x in lcs]
    pos_b = [b.index(x) for x in lcs]
    assert pos_a == sorted(pos_a) and pos_b == sorted(pos_b)
    # no longer common subsequence exists (quadratic DP as the oracle)
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n):
        for j in range(m):
            table[i + 1][j + 1] = table[i][j] + 1 if a[i] == b[j] else max(table[i][j + 1], table[i + 1][j])
    assert len(lcs) == table[n][m]
