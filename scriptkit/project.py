"""A project folder as the later commands see it: its versions, its plan timeline, and `scriptkit diff`.

A project folder is what `scriptkit build` writes (manifest.json, the timeline files, shots.yaml, media/);
`scriptkit refine` adds `versions/vNNN/`, each a complete project folder of its own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from exporters import read_timeline, reference_formats
from scriptkit.conform.diff import TimelineDiff, diff_layouts, report_lines, require_ids, require_project, require_rate
from scriptkit.conform.identity import KnownIds, known_ids_from_timeline
from scriptkit.conform.layout import layout
from scriptkit.contract import timeline_rate
from scriptkit.errors import ScriptkitError
from scriptkit.sanitize import clean_timeline

VERSIONS_DIR = "versions"
VERSION_NAME = re.compile(r"^v(\d{3,})$")
TEMP_NAME = re.compile(r"^\.v(\d{3,})\.tmp-(\d+)$")


def version_dirs(project: Path) -> list[tuple[int, Path]]:
    """Complete versions (real folders with a manifest), oldest first."""
    root = Path(project) / VERSIONS_DIR
    if not root.is_dir():
        return []
    found = []
    for entry in root.iterdir():
        match = VERSION_NAME.match(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and (entry / "manifest.json").is_file():
            found.append((int(match.group(1)), entry))
    return sorted(found)


def next_version(project: Path) -> int:
    """The next free version number (after every vNNN entry, complete or not)."""
    root = Path(project) / VERSIONS_DIR
    numbers = [0]
    if root.is_dir():
        for entry in root.iterdir():
            match = VERSION_NAME.match(entry.name) or TEMP_NAME.match(entry.name)
            if match:
                numbers.append(int(match.group(1)))
    return max(numbers) + 1


@dataclass
class Plan:
    """A project's plan: its folder, the timeline as written and the ids it knows."""

    project_dir: Path
    timeline: otio.schema.Timeline
    known: KnownIds
    rate: float


def load_plan(plan: Path) -> Plan:
    """The plan timeline from a project folder (its .otio, else rebuilt from shots.yaml + assets) or a timeline file."""
    plan = Path(plan)
    if plan.is_dir() and plan.suffix.lower() != ".fcpxmld":
        project_dir = plan
        timeline = _project_timeline(plan)
    elif plan.exists():
        project_dir = plan.parent
        timeline = read_timeline(plan)
    else:
        raise ScriptkitError("no such project folder or timeline file", plan)
    known = known_ids_from_timeline(timeline)
    if not known.shots:
        raise ScriptkitError("the plan timeline carries no scriptkit shot ids", plan, hint="pass a project folder")
    return Plan(project_dir, timeline, known, float(timeline_rate(timeline)))


def _project_timeline(project: Path) -> otio.schema.Timeline:
    """The project's timeline as written: from a lossless output (OTIO) named in its manifest or lying there,
    else rebuilt from shots.yaml + media/assets.json."""
    lossless = [fmt for fmt in reference_formats() if fmt.lossless]
    manifest_path = project / "manifest.json"
    candidates: list[Path] = []
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ScriptkitError(f"cannot read manifest: {exc}", manifest_path) from None
        outputs = {output.get("format"): output.get("path") for output in manifest.get("outputs", [])}
        candidates += [project / outputs[fmt.name] for fmt in lossless if outputs.get(fmt.name)]
    for fmt in lossless:
        candidates += sorted(project.glob(f"*{fmt.extension}"))
    for candidate in candidates:
        if candidate.is_file():
            return read_timeline(candidate)
    shots, assets = project / "shots.yaml", project / "media" / "assets.json"
    if shots.exists() and assets.exists():
        from scriptkit.models import Assets
        from scriptkit.shotlist_io import read_shotlist
        from scriptkit.timeline import build_timeline

        shotlist = read_shotlist(shots)
        record = Assets.model_validate_json(assets.read_text(encoding="utf-8"))
        return build_timeline(shotlist, record, project / "media")
    raise ScriptkitError("not a scriptkit project: no .otio timeline, no shots.yaml + media/assets.json", project)


def diff_command(plan_file: Path, edited: Path) -> list[str]:
    """`scriptkit diff PLAN EDITED`: the editor's changes in plain words.

    PLAN is a project folder (its latest version, as `refine` would build on it) or a timeline file we wrote.
    """
    plan_file = Path(plan_file)
    header: list[str] = []
    root = plan_file if plan_file.is_dir() else plan_file.parent
    if root.parent.name == "versions":  # a timeline of a version: its media live in the project's media folder
        root = root.parent.parent
    if plan_file.is_dir():
        versions = version_dirs(plan_file)
        if versions:
            plan_file = versions[-1][1]
            header.append(f"against {plan_file.parent.name}/{plan_file.name} (the project's latest version)")
    _timeline, diff = read_edit(load_plan(plan_file), edited, root)
    return header + report_lines(diff)


def read_edit(plan: Plan, edited: Path, project_dir: Path) -> tuple[otio.schema.Timeline, TimelineDiff]:
    """The editor's timeline, refused when it carries none of the plan's ids or runs at another rate, and what
    it changed against the plan."""
    timeline = read_timeline(edited)
    clean_timeline(timeline, str(edited))
    edited_layout = layout(timeline, plan.known, plan.rate)
    require_ids(edited_layout, edited)
    require_project(plan.timeline, timeline, edited_layout, project_dir, edited)
    require_rate(timeline, plan.rate, edited)
    return timeline, diff_layouts(layout(plan.timeline, plan.known, plan.rate), edited_layout, project_dir)
