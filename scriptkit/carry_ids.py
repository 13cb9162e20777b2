"""Carry shot, line and cue ids from the project's shot list to a re-planned one, by content.

The planner numbers shots inside a scene (`sc-kitchen-004`), so a change that adds or removes a shot in a
scene (a line grown too long for its shot, a new action paragraph) would renumber every shot after it. When a
project is refined from a new script, `carry_ids(old, new)` gives every shot of `new` the id of the shot of
`old` it is, matched inside its scene:

1. shots whose content is identical (size, move, characters, action, every line's speaker and text, cue words)
   are anchors, found as the longest common subsequence of the two scenes' shots;
2. between two anchors, old and new shots are paired in order where they are most alike (same size or action,
   lines by the same speakers, the same cue words);
3. a new shot left unpaired gets the id of the shot before it plus a letter (`sc-kitchen-004a`), the same form a
   hand-added shot takes, so no id of the old list is ever reused for another shot.

Inside a paired shot, lines keep their ids: the same speaker and text first, then the same speaker in order
(an edited line keeps its id, so its new take lands in the same clip); a new line gets the next free number.
Cues likewise by their word. A carried shot keeps its seed, and where what it shows is the same (action, people,
speakers) its framing and prompt too, so its keyframe does not change.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable, Sequence
from typing import TypeVar

from scriptkit.models import DialogueLine, Shot, ShotList, SoundCue
from scriptkit.scriptdiff import longest_common_subsequence
from scriptkit.shot_ids import seed_for

_T = TypeVar("_T")
_Item = TypeVar("_Item", DialogueLine, SoundCue)


#: What a carried shot keeps of the old one when what it shows is the same (its action, who is in it and who
#: speaks): the planner's coverage pattern (a scene's shots get closer as it goes on) would otherwise re-frame,
#: and so re-render, every shot after one that was added or removed.
KEPT_PICTURE: tuple[str, ...] = ("size", "move", "description", "prompt", "negative_prompt", "tags")


def _same_picture(old: Shot, new: Shot) -> bool:
    return (old.action, old.characters, [line.character for line in old.dialogue]) == (
        new.action,
        new.characters,
        [line.character for line in new.dialogue],
    )


def _signature(shot: Shot) -> str:
    lines = "\x1e".join(f"{line.character}\x1f{line.text}" for line in shot.dialogue)
    cues = "\x1e".join(cue.word for cue in shot.cues)
    return "\x1d".join((shot.size, shot.move, ",".join(shot.characters), shot.action, lines, cues))


def _likeness(old: Shot, new: Shot) -> int:
    """How alike two shots of one scene are (0: not the same shot)."""
    score = 0
    if old.action and old.action == new.action:
        score += 4
    old_lines = {(line.character, line.text) for line in old.dialogue}
    score += 3 * sum((line.character, line.text) in old_lines for line in new.dialogue)
    old_speakers = [line.character for line in old.dialogue]
    new_speakers = [line.character for line in new.dialogue]
    score += sum(a == b for a, b in zip(old_speakers, new_speakers, strict=False))
    score += sum(cue.word in {c.word for c in old.cues} for cue in new.cues)
    if score == 0:
        return 0
    return score + 2 * (old.size == new.size) + (old.move == new.move)


def _pair_in_order(old: Sequence[_T], new: Sequence[_T], score: Callable[[_T, _T], int]) -> list[tuple[int, int]]:
    """Order-keeping pairs (old index, new index) with the greatest total score (scores of 0 never pair)."""
    rows, cols = len(old), len(new)
    best = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            here = score(old[i], new[j])
            take = best[i + 1][j + 1] + here if here > 0 else -1
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < rows and j < cols:
        here = score(old[i], new[j])
        if here > 0 and best[i][j] == best[i + 1][j + 1] + here:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _match_scene(old: list[Shot], new: list[Shot]) -> dict[int, int]:
    """new shot index -> old shot index, for the shots of one scene."""
    old_sigs = [_signature(s) for s in old]
    new_sigs = [_signature(s) for s in new]
    common = longest_common_subsequence(old_sigs, new_sigs)
    anchors: list[tuple[int, int]] = []
    i = j = 0
    for sig in common:
        while old_sigs[i] != sig:
            i += 1
        while new_sigs[j] != sig:
            j += 1
        anchors.append((i, j))
        i, j = i + 1, j + 1
    matched: dict[int, int] = {}
    start_old = start_new = 0
    for end_old, end_new in [*anchors, (len(old), len(new))]:
        gap_old, gap_new = old[start_old:end_old], new[start_new:end_new]
        for a, b in _pair_in_order(gap_old, gap_new, _likeness):
            matched[start_new + b] = start_old + a
        if end_old < len(old):
            matched[end_new] = end_old
        start_old, start_new = end_old + 1, end_new + 1
    return matched


def _numbered(prefix: str, letter: str, used: set[str]) -> str:
    n = 1
    while f"{prefix}-{letter}{n}" in used:
        n += 1
    return f"{prefix}-{letter}{n}"


def _carry_items(
    shot_id: str,
    old: list[_Item],
    new: list[_Item],
    key: Callable[[_Item], str],
    who: Callable[[_Item], str],
    letter: str,
) -> list[_Item]:
    """`new` lines (or cues) of a shot with the ids of the `old` ones they are; the rest numbered after them."""
    pairs = dict((b, a) for a, b in _pair_in_order(old, new, lambda o, n: 2 if key(o) == key(n) else 0))
    taken = set(pairs.values())
    rest_old = [i for i in range(len(old)) if i not in taken]
    rest_new = [j for j in range(len(new)) if j not in pairs]
    for a, b in _pair_in_order(
        [old[i] for i in rest_old], [new[j] for j in rest_new], lambda o, n: 1 if who(o) == who(n) else 0
    ):
        pairs[rest_new[b]] = rest_old[a]
    used = {item.id for item in old}
    result: list[_Item] = []
    for j, item in enumerate(new):
        new_id = old[pairs[j]].id if j in pairs else _numbered(shot_id, letter, used)
        used.add(new_id)
        result.append(item.model_copy(update={"id": new_id}))
    return result


def _line_key(line: DialogueLine) -> str:
    return f"{line.character}\x1f{line.text}"


def _cue_key(cue: SoundCue) -> str:
    return cue.word


def carry_ids(old: ShotList, new: ShotList) -> ShotList:
    """`new` with the ids (and seeds) of `old` for every shot, line and cue that is the same one (module doc)."""
    old_by_scene: dict[str, list[Shot]] = {}
    for shot in old.shots:
        old_by_scene.setdefault(shot.scene_id, []).append(shot)
    new_by_scene: dict[str, list[int]] = {}
    for index, shot in enumerate(new.shots):
        new_by_scene.setdefault(shot.scene_id, []).append(index)
    used_ids = {shot.id for shot in old.shots}
    assigned: dict[int, Shot] = {}
    for scene_id, indices in new_by_scene.items():
        old_shots = old_by_scene.get(scene_id, [])
        new_shots = [new.shots[i] for i in indices]
        matched = _match_scene(old_shots, new_shots)
        for j in sorted(matched):
            source = old_shots[matched[j]]
            shot = new_shots[j]
            picture = {name: getattr(source, name) for name in KEPT_PICTURE} if _same_picture(source, shot) else {}
            assigned[indices[j]] = shot.model_copy(
                update={
                    **picture,
                    "id": source.id,
                    "seed": source.seed if shot.seed == seed_for(shot.id) else shot.seed,
                    "dialogue": _carry_items(source.id, source.dialogue, shot.dialogue, _line_key, _who, "d"),
                    "cues": _carry_items(source.id, source.cues, shot.cues, _cue_key, _cue_key, "c"),
                }
            )
        if not old_shots:
            continue
        previous = f"{scene_id}-000"
        for j, index in enumerate(indices):
            if index in assigned:
                previous = assigned[index].id
                continue
            shot = new_shots[j]
            new_id = _after(previous, used_ids)
            used_ids.add(new_id)
            assigned[index] = shot.model_copy(
                update={
                    "id": new_id,
                    "seed": seed_for(new_id) if shot.seed == seed_for(shot.id) else shot.seed,
                    "dialogue": _carry_items(new_id, [], shot.dialogue, _line_key, _who, "d"),
                    "cues": _carry_items(new_id, [], shot.cues, _cue_key, _cue_key, "c"),
                }
            )
            previous = new_id
        _adopt_moved(old_shots, [assigned[i] for i in indices], assigned, indices)
    shots = [assigned.get(i, shot) for i, shot in enumerate(new.shots)]
    return new.model_copy(update={"shots": shots})


def _adopt_moved(old_shots: list[Shot], new_shots: list[Shot], assigned: dict[int, Shot], indices: list[int]) -> None:
    """A line (or cue) that moved to another shot of its scene, unchanged, keeps its id: a line grown too long for
    its shot pushes the next one into a new shot, and that next line is still the same line."""
    old_lines = [line for shot in old_shots for line in shot.dialogue]
    old_cues = [cue for shot in old_shots for cue in shot.cues]
    kept = {item.id for shot in new_shots for item in (*shot.dialogue, *shot.cues)}
    old_ids = {item.id for item in (*old_lines, *old_cues)}
    free_lines = [line for line in old_lines if line.id not in kept]
    free_cues = [cue for cue in old_cues if cue.id not in kept]
    for same in (_same_line, _edited_line):  # unchanged lines first, then lines edited as they moved
        for index, shot in zip(indices, new_shots, strict=True):
            shot = assigned[index]
            dialogue = [_adopt(line, free_lines, old_ids, same) for line in shot.dialogue]
            cues = [_adopt(cue, free_cues, old_ids, _same_cue) for cue in shot.cues]
            if dialogue != shot.dialogue or cues != shot.cues:
                assigned[index] = shot.model_copy(update={"dialogue": dialogue, "cues": cues})


def _same_line(old: DialogueLine, new: DialogueLine) -> bool:
    return _line_key(old) == _line_key(new)


def _edited_line(old: DialogueLine, new: DialogueLine) -> bool:
    """The same speaker saying mostly the same words (a line rewritten or lengthened, not a new one)."""
    if old.character != new.character:
        return False
    a, b = _tokens(old.text), _tokens(new.text)
    shared = sum(block.size for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks())
    return bool(a and b) and shared >= 0.6 * min(len(a), len(b))


def _tokens(text: str) -> list[str]:
    """Words of a Latin-script line; the letters themselves of a line in a script without spaces (Chinese)."""
    return re.findall(r"\w+", text.lower()) if text.isascii() else [c for c in text.lower() if c.isalnum()]


def _same_cue(old: SoundCue, new: SoundCue) -> bool:
    return old.word == new.word


def _adopt(item: _Item, free: list[_Item], old_ids: set[str], same: Callable[[_Item, _Item], bool]) -> _Item:
    if item.id in old_ids:
        return item
    for k, candidate in enumerate(free):
        if same(candidate, item):
            del free[k]
            return item.model_copy(update={"id": candidate.id})
    return item


def _who(line: DialogueLine) -> str:
    return line.character


def _after(previous: str, used: set[str]) -> str:
    """A free id after `previous`: `sc-kitchen-004` -> `sc-kitchen-004a`, then `...004b`; `...004a` -> `...004aa`."""
    for letter in string.ascii_lowercase:
        candidate = previous + letter
        if candidate not in used:
            return candidate
    return _after(previous + "z", used)
