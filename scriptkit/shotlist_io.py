"""Read and write shot lists: shots.yaml (the hand-editable form), shots.json and shots.csv.

YAML is block style with the keys in the order of the `ShotList` model, multi-line text as `|` blocks and no
Python tags, so a person can edit it: change a size, a prompt or a duration, delete a shot, or add one. When it
is read back:

- a shot without an `id` gets the id of the shot before it plus a letter, as inserted scenes get `12A`
  (`sc-kitchen-004` -> `sc-kitchen-004a`, then `sc-kitchen-004b`; the first shot of a scene:
  `sc-kitchen-000a`), so it never takes the id of a shot that was deleted (which may still live in an editor's
  timeline) and never moves another shot's id; deterministic (file order). Its dialogue lines and cues without
  ids get `<shot id>-d<n>` / `<shot id>-c<n>`;
- a shot without `scene_id`, `scene_index`, `location`, `int_ext`, `time_of_day` or `source_line` takes them
  from the shot before it (or after it, for the first shot); without `duration` it lasts DEFAULT_DURATION;
  without `seed` it gets the seed of its id;
- two shots with the same id are an error naming both lines; so are bad YAML/JSON and anything the model
  refuses (the message names the file and the line of the offending shot or field);
- `scene_durations` is recomputed from the shots.

CSV is a flat view for spreadsheets: one row per shot with the columns of CSV_COLUMNS. `dialogue` holds one
`NAME: text` per line of the cell, `cues` the cue words separated by spaces, `characters` and `tags` are
separated by `; `, `transition_in`/`transition_out` are `kind` or `kind:seconds[:tag]`. Reading a CSV back
builds the shot list on top of a template (episode fields such as size and rate come from it; dialogue offsets
are re-estimated with its speaking rate) and keeps only what the columns carry: cue offsets, dialogue
parentheticals and extensions, wipe patterns and the music bed are not in the CSV.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_write_text, read_bounded
from scriptkit.models import CastMember, ShotList, Template
from scriptkit.sanitize import clean_data, clean_lines, report
from scriptkit.shot_ids import seed_for
from scriptkit.timing import GAP, LEAD, speaking_seconds

DEFAULT_DURATION = 2.0
#: libyaml's parser where PyYAML was built with it (about ten times faster), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Far beyond any real shot list (a feature's is about 1 MB); larger files are refused before they are parsed.
MAX_SHOTLIST_BYTES = 32 * 1024 * 1024
CSV_COLUMNS = (
    "id",
    "scene_id",
    "scene_index",
    "size",
    "move",
    "duration",
    "characters",
    "int_ext",
    "location",
    "time_of_day",
    "action",
    "description",
    "dialogue",
    "cues",
    "transition_in",
    "transition_out",
    "tags",
    "prompt",
    "negative_prompt",
    "seed",
    "source_line",
)
_INHERITED = ("scene_id", "scene_index", "int_ext", "location", "time_of_day", "source_line")


# ------------------------------------------------------------------------------------------- write


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line strings as `|` literal blocks."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def _ignore_aliases(self: yaml.SafeDumper, data: Any) -> bool:
    return True


_Dumper.ignore_aliases = _ignore_aliases  # type: ignore[method-assign]


def _plain(shotlist: ShotList) -> dict[str, Any]:
    """The shot list as data; a shot without a take of its own leaves `video` out."""
    data = shotlist.model_dump(mode="json")
    for shot in data["shots"]:
        if not shot.get("video"):
            shot.pop("video", None)
        for line in shot["dialogue"]:  # a line shows its own text unless an editor rewrote its subtitle
            if line.get("caption") is None:
                line.pop("caption", None)
    return data


def dump_yaml(shotlist: ShotList) -> str:
    data = _plain(shotlist)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096)


def dump_json(shotlist: ShotList) -> str:
    return json.dumps(_plain(shotlist), ensure_ascii=False, indent=2) + "\n"


def _transition_cell(transition: Any) -> str:
    if transition is None:
        return ""
    parts = [transition.kind, f"{transition.duration:g}"]
    if transition.tag:
        parts.append(transition.tag)
    return ":".join(parts)


def dump_csv(shotlist: ShotList) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for shot in shotlist.shots:
        writer.writerow(
            [
                shot.id,
                shot.scene_id,
                shot.scene_index,
                shot.size,
                shot.move,
                f"{shot.duration:g}",
                "; ".join(shot.characters),
                shot.int_ext,
                shot.location,
                shot.time_of_day,
                shot.action,
                shot.description,
                "\n".join(f"{line.character}: {line.text}" for line in shot.dialogue),
                " ".join(cue.word for cue in shot.cues),
                _transition_cell(shot.transition_in),
                _transition_cell(shot.transition_out),
                "; ".join(shot.tags),
                shot.prompt,
                shot.negative_prompt,
                shot.seed,
                shot.source_line,
            ]
        )
    return buffer.getvalue()


def write_shotlist(shotlist: ShotList, path: Path) -> None:
    """Write YAML (.yaml/.yml), JSON (.json) or CSV (.csv), chosen by extension; atomic."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        text = dump_yaml(shotlist)
    elif suffix == ".json":
        text = dump_json(shotlist)
    elif suffix == ".csv":
        text = dump_csv(shotlist)
    else:
        raise ScriptkitError("unknown shot list format; use .yaml, .json or .csv", path)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise ScriptkitError(f"cannot write shot list: {exc.strerror}", path) from None


# -------------------------------------------------------------------------------------------- read


def _read_text(path: Path) -> str:
    data = read_bounded(path, MAX_SHOTLIST_BYTES, "a shot list")
    if b"\x00" in data:
        raise ScriptkitError("binary file, not a shot list", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScriptkitError("not UTF-8 text", path, line) from None
    if not text.strip():
        raise ScriptkitError("file is empty", path)
    return text


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return None


def _node_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest node along `loc` (keys and list indices) in a composed YAML tree."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = None
            for key_node, value_node in node.value:
                if key_node.value == key:
                    found = value_node
                    line = key_node.start_mark.line + 1
                    break
            if found is None:
                return line
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _load_tree(path: Path, text: str) -> tuple[Any, yaml.Node | None]:
    """Parsed data and a YAML node tree (for line numbers); JSON is read with `json` for exact errors."""
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScriptkitError(f"bad JSON: {exc.msg} (column {exc.colno})", path, exc.lineno) from None
        return data, _compose(text)
    try:
        root = yaml.compose(text, Loader=_LOADER)
        _refuse_aliases(path, root, set())
        data = _LOADER("").construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        raise ScriptkitError(f"bad YAML: {problem}", path, line) from None
    return data, root


def _refuse_aliases(path: Path, node: yaml.Node | None, seen: set[int]) -> None:
    """YAML aliases can multiply a small file into billions of values ("billion laughs"); a shot list never needs
    one (scriptkit writes none), so any alias (a node met twice in the composed tree) is refused."""
    if node is None:
        return
    if id(node) in seen:
        raise ScriptkitError("YAML aliases (*name) are not allowed in a shot list", path, node.start_mark.line + 1)
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _refuse_aliases(path, key, seen)
            _refuse_aliases(path, value, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_aliases(path, item, seen)


def _shot_lines(root: yaml.Node | None, count: int) -> list[int | None]:
    return [_node_line(root, ("shots", n)) for n in range(count)]


def _fill_missing(shots: list[dict[str, Any]]) -> None:
    """Inherit scene fields from neighbours, assign missing ids deterministically (see the module docstring)."""
    for n, shot in enumerate(shots):
        neighbour = shots[n - 1] if n > 0 else (shots[n + 1] if len(shots) > 1 else None)
        for key in _INHERITED:
            if key not in shot and neighbour is not None and key in neighbour:
                shot[key] = neighbour[key]
        shot.setdefault("scene_id", "sc-added")
        shot.setdefault("scene_index", 0)
        shot.setdefault("source_line", 1)
        shot.setdefault("duration", DEFAULT_DURATION)
    used = {str(s["id"]) for s in shots if s.get("id")}
    previous_id = ""
    for shot in shots:
        if not shot.get("id"):
            scene = str(shot["scene_id"])
            base = previous_id if previous_id.startswith(scene + "-") else f"{scene}-000"
            letter = 0
            while True:
                candidate = base + _letters(letter)
                if candidate not in used:
                    break
                letter += 1
            shot["id"] = candidate
            used.add(candidate)
        previous_id = str(shot["id"])
        shot_id = str(shot["id"])
        shot.setdefault("seed", seed_for(shot_id))
        for key, letter in (("dialogue", "d"), ("cues", "c")):
            items = shot.get(key)
            if not isinstance(items, list):
                continue
            taken = {str(item["id"]) for item in items if isinstance(item, dict) and item.get("id")}
            counter = 0
            for item in items:
                if isinstance(item, dict) and not item.get("id"):
                    counter += 1
                    while f"{shot_id}-{letter}{counter}" in taken:
                        counter += 1
                    item["id"] = f"{shot_id}-{letter}{counter}"
                    taken.add(item["id"])


def _letters(n: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa': the suffix of an inserted shot ('sc-kitchen-004a')."""
    text = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def _check_duplicates(path: Path, shots: list[dict[str, Any]], lines: list[int | None]) -> None:
    first: dict[str, int] = {}
    for n, shot in enumerate(shots):
        shot_id = str(shot["id"])
        if shot_id in first:
            a, b = lines[first[shot_id]], lines[n]
            where = f"lines {a} and {b}" if a and b else f"shots {first[shot_id] + 1} and {n + 1}"
            raise ScriptkitError(f"duplicate shot id {shot_id!r} at {where}", path, b)
        first[shot_id] = n


def shotlist_from_data(path: Path, data: Any, root: yaml.Node | None = None) -> ShotList:
    """Validate parsed YAML/JSON data into a `ShotList`, with errors naming the file and line."""
    if not isinstance(data, dict):
        raise ScriptkitError("not a shot list: expected a mapping with 'shots'", path, 1)
    data, found = clean_data(data, lambda loc: _node_line(root, loc))
    report(str(path), found)
    shots = data.get("shots")
    if shots is None:
        shots = data["shots"] = []
    if not isinstance(shots, list):
        raise ScriptkitError("'shots' must be a list", path, _node_line(root, ("shots",)))
    lines = _shot_lines(root, len(shots))
    for n, shot in enumerate(shots):
        if not isinstance(shot, dict):
            raise ScriptkitError(f"shot {n + 1} must be a mapping of fields", path, lines[n])
    _fill_missing(shots)
    _check_duplicates(path, shots, lines)
    data.pop("scene_durations", None)
    try:
        shotlist = ShotList.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        line = _node_line(root, loc)
        where = ".".join(str(part) for part in loc)
        if len(loc) >= 2 and loc[0] == "shots" and isinstance(loc[1], int) and loc[1] < len(shots):
            where = f"shot {shots[loc[1]].get('id')!s}: " + ".".join(str(part) for part in loc[2:])
        raise ScriptkitError(f"invalid shot list: {where}: {error['msg']}", path, line) from None
    return with_scene_durations(shotlist)


def with_scene_durations(shotlist: ShotList) -> ShotList:
    totals: dict[str, float] = {}
    for shot in shotlist.shots:
        totals[shot.scene_id] = totals.get(shot.scene_id, 0.0) + shot.duration
    shotlist.scene_durations = {key: round(value + 1e-9, 2) for key, value in totals.items()}
    return shotlist


def _parse_transition(cell: str, path: Path, line: int) -> dict[str, Any] | None:
    cell = cell.strip()
    if not cell:
        return None
    parts = cell.split(":")
    result: dict[str, Any] = {"kind": parts[0].strip()}
    try:
        if len(parts) > 1 and parts[1].strip():
            result["duration"] = float(parts[1])
    except ValueError:
        raise ScriptkitError(f"bad transition {cell!r}: expected kind:seconds[:tag]", path, line) from None
    if len(parts) > 2 and parts[2].strip():
        result["tag"] = parts[2].strip()
    return result


def _read_csv(path: Path, text: str, template: Template | None) -> ShotList:
    if template is None:
        from scriptkit.templates import load_template

        template = load_template("vertical-drama")
    reader = csv.DictReader(io.StringIO(text))
    missing = {"id", "duration"} - set(reader.fieldnames or [])
    if missing:
        raise ScriptkitError(f"CSV shot list lacks the column(s) {', '.join(sorted(missing))}", path, 1)
    shots: list[dict[str, Any]] = []
    lines: list[int | None] = []
    try:
        for row in reader:
            line = reader.line_num
            shot: dict[str, Any] = {}
            for key in ("id", "scene_id", "size", "move", "int_ext", "location", "time_of_day", "action"):
                if row.get(key):
                    shot[key] = row[key]
            for key in ("description", "prompt", "negative_prompt"):
                if row.get(key) is not None:
                    shot[key] = row[key]
            for key in ("scene_index", "seed", "source_line", "duration"):
                value = (row.get(key) or "").strip()
                if value:
                    try:
                        shot[key] = float(value) if key == "duration" else int(value)
                    except ValueError:
                        raise ScriptkitError(f"column {key}: not a number: {value!r}", path, line) from None
            for key in ("characters", "tags"):
                shot[key] = [x.strip() for x in (row.get(key) or "").split(";") if x.strip()]
            dialogue = []
            start = LEAD
            for text_line in (row.get("dialogue") or "").splitlines():
                name, sep, spoken = text_line.partition(":")
                if not sep or not spoken.strip():
                    raise ScriptkitError(f"dialogue {text_line!r}: expected 'NAME: text'", path, line)
                seconds = round(speaking_seconds(spoken, template.words_per_second), 2)
                dialogue.append(
                    {
                        "character": name.strip(),
                        "text": spoken.strip(),
                        "line": shot.get("source_line", 1),
                        "offset": round(start, 2),
                        "duration": seconds,
                    }
                )
                start += seconds + GAP
            shot["dialogue"] = dialogue
            shot["cues"] = [
                {"word": word, "line": shot.get("source_line", 1)} for word in (row.get("cues") or "").split()
            ]
            for key in ("transition_in", "transition_out"):
                shot[key] = _parse_transition(row.get(key) or "", path, line)
            shots.append(shot)
            lines.append(line)
    except csv.Error as exc:
        raise ScriptkitError(f"bad CSV: {exc}", path, reader.line_num) from None
    _fill_missing(shots)
    _check_duplicates(path, shots, lines)
    data = {
        "title": path.stem,
        "source": str(path),
        "template": template.name,
        "width": template.width,
        "height": template.height,
        "fps": template.fps,
        "drop_frame": template.drop_frame,
        "style_prompt": template.style_prompt,
        "shots": shots,
    }
    try:
        shotlist = ShotList.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        line = lines[loc[1]] if len(loc) >= 2 and loc[0] == "shots" and isinstance(loc[1], int) else None
        where = ".".join(str(part) for part in loc[2:]) if line else ".".join(str(part) for part in loc)
        raise ScriptkitError(f"invalid shot list: {where}: {error['msg']}", path, line) from None
    names: list[str] = []
    for shot in shotlist.shots:
        for name in shot.characters + [d.character for d in shot.dialogue]:
            if name not in names:
                names.append(name)
    shotlist.characters = names
    return with_scene_durations(shotlist)


def read_shotlist(path: Path, template: Template | None = None) -> ShotList:
    """Read shots.yaml / shots.json / shots.csv. `template` is used for CSV only (default: vertical-drama)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json", ".csv"):
        raise ScriptkitError("unknown shot list format; use .yaml, .json or .csv", path)
    text = _read_text(path)
    try:
        if suffix == ".csv":
            text, found = clean_lines(text)
            report(str(path), found)
            return _with_takes_at(_read_csv(path, text, template), path.parent)
        data, root = _load_tree(path, text)
        return _with_takes_at(shotlist_from_data(path, data, root), path.parent)
    except RecursionError:
        raise ScriptkitError("nested too deeply to be a shot list", path) from None


def read_cast(path: Path) -> list[CastMember]:
    """A cast file (a season's `cast.yaml`: `cast:` and a list of members, as in shots.yaml), checked as a shot
    list is: bounded, no aliases, an error naming the file and line. A member's `image` is made absolute
    (relative to the file's folder)."""
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise ScriptkitError("unknown cast file format; use .yaml or .json", path)
    try:
        data, root = _load_tree(path, _read_text(path))
    except RecursionError:
        raise ScriptkitError("nested too deeply to be a cast file", path) from None
    if not isinstance(data, dict) or not isinstance(data.get("cast"), list):
        raise ScriptkitError("not a cast file: expected a mapping with a 'cast' list", path, 1)
    members = []
    for n, value in enumerate(data["cast"]):
        try:
            member = CastMember.model_validate(value)
        except ValidationError as exc:
            error = exc.errors()[0]
            loc = ("cast", n, *error["loc"])
            where = ".".join(str(part) for part in error["loc"]) or "member"
            message = f"invalid cast member {n + 1}: {where}: {error['msg']}"
            raise ScriptkitError(message, path, _node_line(root, loc)) from None
        if member.image and not Path(member.image).expanduser().is_absolute():
            member = member.model_copy(update={"image": str((path.parent / member.image).absolute())})
        members.append(member)
    return members


def _with_takes_at(shotlist: ShotList, folder: Path) -> ShotList:
    """A shot's `video` take made absolute (a relative one is relative to the shot list's folder)."""
    for shot in shotlist.shots:
        if shot.video and not Path(shot.video).expanduser().is_absolute():
            shot.video = str((folder / shot.video).absolute())
    return shotlist
