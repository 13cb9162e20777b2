"""Diff two shot lists by shot id: what the writer changed between two versions of the script.

Pure functions of two `ShotList`s. Shots are matched by their stable id (see `scriptkit.plan`), dialogue
lines by their line id ('<shot id>-d<n>') and sound cues by their cue id, so an edit in one scene never
shows up as a change in another.

`diff_shotlists(old, new)` gives a `ShotListDiff`; `report_lines(diff)` says it in plain words.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from scriptkit.models import DialogueLine, Shot, ShotList, SoundCue

#: Shot fields that change what the keyframe shows (a new image is due when one of them changes).
PICTURE_FIELDS: tuple[str, ...] = (
    "action",
    "prompt",
    "negative_prompt",
    "seed",
    "size",
    "move",
    "characters",
    "int_ext",
    "location",
    "time_of_day",
)
#: Shot fields that change timing or joins but not the picture.
TIMING_FIELDS: tuple[str, ...] = ("duration", "transition_in", "transition_out")


@dataclass(frozen=True)
class FieldChange:
    """One field of a shot (or of a dialogue line / cue) that differs: old and new value."""

    name: str
    old: object
    new: object


@dataclass(frozen=True)
class LineChange:
    """A dialogue line or sound cue that was added, removed or changed (matched by its id)."""

    id: str
    status: str  # "added" | "removed" | "changed" | "moved" (from another shot of the scene; `fields` if edited)
    fields: tuple[FieldChange, ...] = ()
    text: str = ""
    from_shot: str = ""


@dataclass(frozen=True)
class ShotChange:
    """Everything that differs about one shot present in both shot lists."""

    shot_id: str
    fields: tuple[FieldChange, ...] = ()
    dialogue: tuple[LineChange, ...] = ()
    cues: tuple[LineChange, ...] = ()

    @property
    def picture_changed(self) -> bool:
        return any(f.name in PICTURE_FIELDS for f in self.fields)

    @property
    def dialogue_changed(self) -> bool:
        return bool(self.dialogue)

    @property
    def timing_changed(self) -> bool:
        return any(f.name in TIMING_FIELDS for f in self.fields)

    def summary(self) -> str:
        """Short words for a marker or a list: 'dialogue, action, duration'."""
        parts: list[str] = []
        if self.dialogue:
            parts.append("dialogue")
        parts.extend(f.name for f in self.fields)
        if self.cues:
            parts.append("sound cues")
        return ", ".join(parts)


@dataclass(frozen=True)
class ShotListDiff:
    """Shots added, removed, changed and moved between two versions of a shot list."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[ShotChange, ...] = ()
    moved: tuple[str, ...] = ()
    other: tuple[FieldChange, ...] = ()
    changed_by_id: dict[str, ShotChange] = field(default_factory=dict, compare=False, repr=False)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.moved or self.other)


def _value(obj: object, name: str) -> object:
    value = getattr(obj, name)
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return value


def _field_changes(old: object, new: object, names: tuple[str, ...]) -> tuple[FieldChange, ...]:
    changes = []
    for name in names:
        a, b = _value(old, name), _value(new, name)
        if a != b:
            changes.append(FieldChange(name, a, b))
    return tuple(changes)


_LINE_FIELDS = ("character", "text", "parenthetical", "extensions")
_CUE_FIELDS = ("word", "description", "kind", "duration")


#: line or cue id -> (the shot holding it, the line or cue), over a whole shot list
_Index = dict[str, tuple[str, "DialogueLine | SoundCue"]]


def _index(shotlist: ShotList) -> tuple[_Index, _Index]:
    lines: _Index = {}
    cues: _Index = {}
    for shot in shotlist.shots:
        lines.update((line.id, (shot.id, line)) for line in shot.dialogue)
        cues.update((cue.id, (shot.id, cue)) for cue in shot.cues)
    return lines, cues


def _diff_items(
    old: list[DialogueLine] | list[SoundCue],
    new: list[DialogueLine] | list[SoundCue],
    names: tuple[str, ...],
    old_all: _Index | None = None,
    new_all: _Index | None = None,
) -> tuple[LineChange, ...]:
    """Lines (or cues) of one shot: removed, added, changed, or moved here from another shot (`old_all` and
    `new_all` index the whole lists; a line that moved is reported once, where it went)."""
    old_by_id = {item.id: item for item in old}
    new_by_id = {item.id: item for item in new}
    changes: list[LineChange] = []
    for item in old:
        if item.id not in new_by_id and (new_all is None or item.id not in new_all):
            changes.append(LineChange(item.id, "removed", text=_text(item)))
    for item in new:
        previous = old_by_id.get(item.id)
        if previous is None and old_all is not None and item.id in old_all:
            from_shot, moved = old_all[item.id]
            fields = _field_changes(moved, item, names)
            changes.append(LineChange(item.id, "moved", fields, text=_text(item), from_shot=from_shot))
            continue
        if previous is None:
            changes.append(LineChange(item.id, "added", text=_text(item)))
            continue
        fields = _field_changes(previous, item, names)
        if fields:
            changes.append(LineChange(item.id, "changed", fields, text=_text(item)))
    return tuple(changes)


def _text(item: DialogueLine | SoundCue) -> str:
    if isinstance(item, DialogueLine):
        return f"{item.character}: {item.text}"
    return item.word


def diff_shot(
    old: Shot, new: Shot, lines: tuple[_Index, _Index] | None = None, cues_index: tuple[_Index, _Index] | None = None
) -> ShotChange | None:
    """What differs between two versions of one shot; None when nothing that matters does. `lines` and
    `cues_index` ((old, new) indexes of whole lists) let a line that moved between shots be told from a new one."""
    fields = _field_changes(old, new, PICTURE_FIELDS + TIMING_FIELDS)
    dialogue = _diff_items(old.dialogue, new.dialogue, _LINE_FIELDS, *(lines or (None, None)))
    cues = _diff_items(old.cues, new.cues, _CUE_FIELDS, *(cues_index or (None, None)))
    if not (fields or dialogue or cues):
        return None
    return ShotChange(new.id, fields, dialogue, cues)


def _moved(old_order: list[str], new_order: list[str]) -> tuple[str, ...]:
    """Shots present in both whose relative order changed: those outside a longest common subsequence."""
    common = set(old_order) & set(new_order)
    a = [s for s in old_order if s in common]
    b = [s for s in new_order if s in common]
    keep = set(longest_common_subsequence(a, b))
    return tuple(s for s in b if s not in keep)


def longest_common_subsequence(a: list[str], b: list[str]) -> list[str]:
    """LCS of two sequences of distinct ids, in O(n log n) (patience: LIS of b's positions in a)."""
    index = {value: i for i, value in enumerate(a)}
    seq = [(index[v], v) for v in b if v in index]
    tails: list[int] = []  # tails[k] = position in seq of the smallest tail of an increasing run of length k+1
    prev: list[int] = [-1] * len(seq)
    tail_values: list[int] = []
    for pos, (value, _) in enumerate(seq):
        k = bisect.bisect_left(tail_values, value)
        if k > 0:
            prev[pos] = tails[k - 1]
        if k == len(tails):
            tails.append(pos)
            tail_values.append(value)
        else:
            tails[k] = pos
            tail_values[k] = value
    result: list[str] = []
    pos = tails[-1] if tails else -1
    while pos >= 0:
        result.append(seq[pos][1])
        pos = prev[pos]
    return result[::-1]


def diff_shotlists(old: ShotList, new: ShotList) -> ShotListDiff:
    """Compare two shot lists shot by shot (by id)."""
    old_by_id = {shot.id: shot for shot in old.shots}
    new_by_id = {shot.id: shot for shot in new.shots}
    added = tuple(s.id for s in new.shots if s.id not in old_by_id)
    removed = tuple(s.id for s in old.shots if s.id not in new_by_id)
    (old_lines, old_cues), (new_lines, new_cues) = _index(old), _index(new)
    changed = []
    for shot in new.shots:
        previous = old_by_id.get(shot.id)
        if previous is None:  # a new shot: only lines that moved into it are changes of their own
            previous = shot.model_copy(update={"dialogue": [], "cues": []})
        change = diff_shot(previous, shot, (old_lines, new_lines), (old_cues, new_cues))
        if change is not None and shot.id in added:
            change = ShotChange(
                shot.id,
                (),
                *(tuple(c for c in items if c.status == "moved") for items in (change.dialogue, change.cues)),
            )
            change = change if change.dialogue or change.cues else None
        if change is not None:
            changed.append(change)
    moved = _moved([s.id for s in old.shots], [s.id for s in new.shots])
    other = _field_changes(old, new, ("title", "fps", "width", "height", "style_prompt"))
    return ShotListDiff(
        added=added,
        removed=removed,
        changed=tuple(changed),
        moved=moved,
        other=other,
        changed_by_id={c.shot_id: c for c in changed},
    )


def _short(value: object, limit: int = 70) -> str:
    text = str(value).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_field(change: FieldChange) -> str:
    if change.name == "duration":
        return f"duration {float(change.old):g}s -> {float(change.new):g}s"  # type: ignore[arg-type]
    if change.name in ("transition_in", "transition_out"):
        old = change.old["kind"] if isinstance(change.old, dict) else "cut"
        new = change.new["kind"] if isinstance(change.new, dict) else "cut"
        edge = "in" if change.name == "transition_in" else "out"
        return f"transition {edge} {old} -> {new}"
    return f"{change.name} {_short(change.old, 40)!r} -> {_short(change.new, 40)!r}"


def report_lines(diff: ShotListDiff) -> list[str]:
    """The shot-list diff in plain words, one line per fact."""
    lines: list[str] = []
    for change in diff.other:
        lines.append(f"project: {_describe_field(change)}")
    for shot_id in diff.added:
        lines.append(f"new shot {shot_id}")
    for shot_id in diff.removed:
        lines.append(f"removed shot {shot_id}")
    for change in diff.changed:
        for line in change.dialogue:
            if line.status == "changed":
                lines.append(f"{change.shot_id}: dialogue {line.id} changed: {_short(line.text)!r}")
            elif line.status == "moved":
                edited = " and changed" if line.fields else ""
                lines.append(
                    f"{change.shot_id}: dialogue {line.id} moved from {line.from_shot}{edited}: {_short(line.text)!r}"
                )
            else:
                lines.append(f"{change.shot_id}: dialogue {line.id} {line.status}: {_short(line.text)!r}")
        for f in change.fields:
            lines.append(f"{change.shot_id}: {_describe_field(f)}")
        for cue in change.cues:
            where = f" from {cue.from_shot}" if cue.status == "moved" else ""
            lines.append(f"{change.shot_id}: sound cue {cue.id} {cue.status}{where}: {cue.text}")
    for shot_id in diff.moved:
        lines.append(f"shot {shot_id} moved in script order")
    if not lines:
        lines.append("shot list unchanged")
    return lines
