"""A structural validator for CapCut / Jianying drafts (the apps' own drafts pass it, media aside).

`check_draft(path)` reads a draft folder (or one of its JSON files) and returns its problems, each with a kind:
"structure" (a field missing or of the wrong type), "reference" (a segment naming a material that is not
there), "overlap" (two segments of one track at the same time), and, with `rate` (the strict checks our own
drafts pass), "grid" (a time off the frame grid), "mirror" (a copy of the timeline JSON that differs from the
primary) and "registry" (a local file not registered in draft_meta_info.json); and "media" (a file a
material names is missing: expected for a draft read away from the editor's machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

from exporters.capcut_common import META_NAME, draft_rate, find_primary, load_json, to_frames, to_us

#: Material lists whose entries name a local file in "path".
_FILE_MATERIALS = ("videos", "audios")
_TIMED_TRACKS = ("video", "audio", "text", "effect", "filter", "sticker", "adjust")


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_content(data: dict[str, Any], rate: Fraction | None = None) -> list[Problem]:
    """Problems of one timeline JSON object (see the module docstring); `rate` adds the frame-grid checks."""
    problems: list[Problem] = []
    for key, kind in (("tracks", list), ("materials", dict), ("canvas_config", dict)):
        if not isinstance(data.get(key), kind):
            problems.append(Problem("structure", f"'{key}' is missing or not a {kind.__name__}"))
    if problems:
        return problems
    canvas = data["canvas_config"]
    if not (_is_int(canvas.get("width")) and _is_int(canvas.get("height"))):
        problems.append(Problem("structure", "canvas_config has no integer width and height"))
    ids: dict[str, str] = {}
    for kind, items in data["materials"].items():
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                if item["id"] in ids:
                    problems.append(Problem("reference", f"material id {item['id']} is used twice"))
                ids[item["id"]] = kind
    end_of_draft = 0
    for t, track in enumerate(data["tracks"]):
        label = f"track {t} ({track.get('type')!s} {track.get('name') or ''})".replace(" )", ")")
        if not isinstance(track.get("segments"), list) or not isinstance(track.get("type"), str):
            problems.append(Problem("structure", f"{label} has no type or segments list"))
            continue
        spans: list[tuple[int, int, str]] = []
        for seg in track["segments"]:
            sid = str(seg.get("id"))
            rng = seg.get("target_timerange")
            if not (isinstance(rng, dict) and _is_int(rng.get("start")) and _is_int(rng.get("duration"))):
                problems.append(
                    Problem("structure", f"{label} segment {sid}: target_timerange is not integer start/duration")
                )
                continue
            if rng["start"] < 0 or rng["duration"] <= 0:
                problems.append(Problem("structure", f"{label} segment {sid}: empty or negative target_timerange"))
            source = seg.get("source_timerange")
            if source is not None and not (_is_int(source.get("start")) and _is_int(source.get("duration"))):
                problems.append(Problem("structure", f"{label} segment {sid}: source_timerange is not integer"))
            mid = seg.get("material_id")
            if track["type"] in _TIMED_TRACKS[:3] and mid not in ids:
                problems.append(Problem("reference", f"{label} segment {sid}: material {mid} does not exist"))
            for ref in seg.get("extra_material_refs") or []:
                if ref not in ids:
                    problems.append(Problem("reference", f"{label} segment {sid}: extra material {ref} does not exist"))
            spans.append((rng["start"], rng["start"] + rng["duration"], sid))
            if rate is not None:
                for edge in (rng["start"], rng["start"] + rng["duration"]):
                    if to_us(to_frames(edge, rate), rate) != edge:
                        problems.append(Problem("grid", f"{label} segment {sid}: {edge} us is off the frame grid"))
        spans.sort()
        for (_, end, a), (start, _, b) in pairwise(spans):
            if start < end:
                problems.append(Problem("overlap", f"{label}: segments {a} and {b} overlap"))
        if spans:
            end_of_draft = max(end_of_draft, spans[-1][1])
    duration = data.get("duration")
    if not _is_int(duration) or duration < end_of_draft:
        problems.append(
            Problem("structure", f"duration {duration} is shorter than the last segment end {end_of_draft}")
        )
    for kind in _FILE_MATERIALS:
        for item in data["materials"].get(kind) or []:
            path = str(item.get("path") or "")
            if path and not path.startswith("##_") and not Path(path).exists():
                problems.append(Problem("media", f"{kind} material {item.get('id')}: {path} is missing"))
    return problems


def check_draft(path: Path, rate: Fraction | None = None) -> list[Problem]:
    """Problems of a draft folder or file: the primary timeline, its mirrors and its material registry."""
    primary = find_primary(Path(path))
    data = load_json(primary.path)
    problems = check_content(data, rate)
    if rate is None:  # the apps' own drafts: mirrors may lag behind the primary, files may be unregistered
        return problems
    problems += [Problem("mirror", f"{name} differs from {primary.path.name}") for name in primary.disagree]
    meta = primary.folder / META_NAME
    if Path(path).is_dir() and meta.is_file():
        registered = {
            str(item.get("file_Path"))
            for group in load_json(meta).get("draft_materials") or []
            for item in group.get("value") or []
        }
        for kind in _FILE_MATERIALS:
            for item in data.get("materials", {}).get(kind) or []:
                if item.get("path") and item["path"] not in registered:
                    problems.append(Problem("registry", f"{item['path']} is not registered in {META_NAME}"))
    return problems


def validate_draft(path: Path, nles: list[str]) -> list[str]:
    """The formats' preflight of a written draft: every strict structural problem, in plain words."""
    primary = find_primary(Path(path))
    rate = draft_rate(load_json(primary.path))
    return [str(problem) for problem in check_draft(path, rate)]
