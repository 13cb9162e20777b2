"""Shot and line identity survives edits of other lines: re-planning an edited script and carrying the ids of the
project's shot list changes the ids and image inputs of the edited lines' shots only."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scriptkit.carry_ids import carry_ids
from scriptkit.models import ShotList
from scriptkit.parse.fountain import parse_fountain
from scriptkit.plan import plan_script
from scriptkit.templates import load_template

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = (ROOT / "examples" / "last-train.fountain").read_text(encoding="utf-8")
LINES = EXAMPLE.splitlines()


def plan(text: str) -> ShotList:
    return plan_script(parse_fountain(text, "ep.fountain"), load_template("vertical-drama"))


BASE = plan(EXAMPLE)


def text_row(cue_line: int) -> int:
    """1-based row of a dialogue block's text, from the 1-based row of its cue (skipping a parenthetical)."""
    row = cue_line
    while row < len(LINES) and (not LINES[row].strip() or LINES[row].lstrip().startswith("(")):
        row += 1
    return row + 1


def _dialogue_rows() -> list[int]:
    """0-based rows of the example that are dialogue text."""
    return sorted({text_row(line.line) - 1 for shot in BASE.shots for line in shot.dialogue})


DIALOGUE_ROWS = _dialogue_rows()
ACTION_ROWS = [
    i
    for i, text in enumerate(LINES)
    if text.strip() and text[:1].isalpha() and not text.isupper() and i not in DIALOGUE_ROWS and ":" not in text
]

edit = st.tuples(
    st.sampled_from(["longer", "reworded", "action"]),
    st.integers(min_value=0, max_value=10_000),
)


def apply(edits: list[tuple[str, int]]) -> tuple[str, set[int]]:
    lines = list(LINES)
    touched: set[int] = set()
    for kind, pick in edits:
        if kind == "action":
            row = ACTION_ROWS[pick % len(ACTION_ROWS)]
            lines[row] = lines[row] + " The light flickers."
        else:
            row = DIALOGUE_ROWS[pick % len(DIALOGUE_ROWS)]
            if kind == "longer":
                lines[row] = lines[row] + " And I mean it, every word, every single time I say it to you."
            else:
                lines[row] = "Something else entirely."
        touched.add(row + 1)  # 1-based source line
    return "\n".join(lines) + "\n", touched


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edit, min_size=1, max_size=3))
def test_only_edited_lines_change_their_ids(edits: list[tuple[str, int]]) -> None:
    text, touched = apply(edits)
    new = carry_ids(BASE, plan(text))
    new_lines = {line.id: (line.character, line.text) for shot in new.shots for line in shot.dialogue}
    assert len(new_lines) == sum(len(shot.dialogue) for shot in new.shots), "a line id is used twice"
    assert len({shot.id for shot in new.shots}) == len(new.shots), "a shot id is used twice"
    for shot in BASE.shots:
        for line in shot.dialogue:
            if text_row(line.line) in touched:
                continue
            assert new_lines.get(line.id) == (line.character, line.text), (line.id, line.text)
    # a shot none of whose lines nor action was edited keeps its id and everything its keyframe is made from
    new_shots = {shot.id: shot for shot in new.shots}
    for shot in BASE.shots:
        own = {shot.source_line, *(line.line for line in shot.dialogue)}
        text_rows = {text_row(line.line) for line in shot.dialogue}
        action_rows = {i + 1 for i, t in enumerate(LINES) if t.strip() and t.strip() in shot.action}
        if touched & (own | text_rows | action_rows):
            continue
        if not shot.action and not shot.dialogue:
            continue
        match = new_shots.get(shot.id)
        assert match is not None, f"{shot.id} lost its id"
        assert (match.prompt, match.seed, match.size) == (shot.prompt, shot.seed, shot.size), shot.id


def test_an_unchanged_script_keeps_every_id() -> None:
    again = carry_ids(BASE, plan(EXAMPLE))
    assert again == BASE


def test_a_new_shot_takes_a_letter_and_never_an_old_id() -> None:
    lines = list(LINES)
    row = DIALOGUE_ROWS[0]
    lines[row] = lines[row] + " " + " ".join(["This goes on and on, and it will not stop."] * 6)
    new = carry_ids(BASE, plan("\n".join(lines) + "\n"))
    old_ids = {shot.id for shot in BASE.shots}
    fresh = [shot.id for shot in new.shots if shot.id not in old_ids]
    assert fresh, "the long line should need a shot of its own"
    assert all(shot_id[-1].isalpha() for shot_id in fresh), fresh
