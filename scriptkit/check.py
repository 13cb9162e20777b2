"""`scriptkit check DIR`: preflight a project folder and say in plain words what would fail in which NLE.

It reruns the build's proofs on the files as they are now: every output named in manifest.json (a file or a
folder) exists; every media file the timelines point at exists; each output passes its format's own `validate`
(the FCPXML: valid against the DTD of the version it declares, a version the target NLEs read); every output
that has a reader reads back with the same cuts as the
timeline rebuilt from shots.yaml + media/assets.json. A version written by `refine` holds the editor's cut, which
shots.yaml does not describe: there the reference is the version's own OTIO timeline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scriptkit.errors import ScriptkitError
from scriptkit.models import Assets


def load_manifest(project: Path) -> dict[str, Any]:
    path = project / "manifest.json"
    if not project.is_dir():
        raise ScriptkitError("not a project folder", project)
    if not path.is_file():
        raise ScriptkitError("no manifest.json: not a folder written by `scriptkit build`", project)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ScriptkitError(f"manifest.json is unreadable: {exc}", path) from None


def cut_list(timeline: Any) -> list[tuple[str, int]] | None:
    """(shot id or clip name, duration in frames) of the picture track's clips; None without a picture track."""
    import opentimelineio as otio

    video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    if not video:
        return None
    cuts = []
    for clip in video[0].find_clips(shallow_search=True):
        meta = clip.metadata.get("scriptkit", {}) if hasattr(clip.metadata, "get") else {}
        shot_id = meta.get("shot_id") or clip.name
        cuts.append((str(shot_id), round(clip.duration().value)))
    return cuts


def check_media(project: Path, manifest: dict[str, Any]) -> list[str]:
    problems = []
    for shot in manifest.get("shots", []):
        paths = [shot.get("image"), (shot.get("movie") or {}).get("path")]
        paths += [v["path"] for v in shot.get("voices", {}).values()]
        paths += [c["path"] for c in shot.get("cues", {}).values()]
        for rel in filter(None, paths):
            media = Path(rel) if Path(rel).is_absolute() else project / rel
            if not media.is_file():
                problems.append(f"missing media {rel} (shot {shot['id']}): every NLE will show it offline")
    return problems


def reference_timeline(project: Path, manifest: dict[str, Any]) -> Any:
    """The timeline as the build made it, rebuilt from shots.yaml + media/assets.json."""
    from scriptkit.shotlist_io import read_shotlist
    from scriptkit.timeline import build_timeline

    media_dir = project / manifest.get("media_dir", "media")
    shotlist = read_shotlist(project / manifest.get("shot_list", "shots.yaml"))
    assets_path = media_dir / "assets.json"
    try:
        assets = Assets.model_validate_json(assets_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScriptkitError(f"cannot read the asset record: {exc}", assets_path) from None
    return build_timeline(shotlist, assets, media_dir)


def refined_reference(project: Path, manifest: dict[str, Any]) -> Any:
    """A refined version's timeline: its own OTIO file (the timeline refine wrote every other format from), else
    the first other timeline output that reads back (the registry's `reference_formats`, lossless first).

    shots.yaml cannot stand in for it: the editor's trims, deletions and reorders live only in the timeline.
    """
    from exporters import reference_formats

    outputs = {o.get("format"): o for o in manifest.get("outputs", []) if isinstance(o, dict)}
    for fmt in reference_formats():
        output = outputs.get(fmt.name)
        if output is None or not (project / output["path"]).exists():
            continue
        try:
            return fmt.read(project / output["path"])  # type: ignore[misc]
        except ScriptkitError as exc:
            path = project / output["path"]
            raise ScriptkitError(f"the reference timeline does not read back: {exc}", path) from None
    raise ScriptkitError("this refined version holds no timeline file to compare against", project)


def check_project(project: Path) -> list[str]:
    """Every problem found, as one plain sentence each (empty: all good)."""
    from exporters import get_format

    project = Path(project)
    manifest = load_manifest(project)
    problems: list[str] = []
    for output in manifest.get("outputs", []):
        nles = ", ".join(output.get("nles") or []) or "any NLE"
        for name in [output["path"], *output.get("extra_paths", [])]:
            if not (project / name).exists():
                problems.append(f"{name} is missing: {nles} has nothing to import")
    problems += check_media(project, manifest)
    try:
        rebuilt = refined_reference(project, manifest) if manifest.get("refine") else None
        reference = cut_list(rebuilt if rebuilt is not None else reference_timeline(project, manifest)) or []
    except ScriptkitError as exc:
        problems.append(f"cannot rebuild the timeline to compare against: {exc}")
        reference = []
    for output in manifest.get("outputs", []):
        path = project / output["path"]
        if not path.exists():
            continue
        fmt = get_format(output["format"])
        if fmt.validate is not None:
            problems += fmt.validate(path, output.get("nles", []))
        if fmt.read is None or not reference:
            continue
        try:
            cuts = cut_list(fmt.read(path))
        except ScriptkitError as exc:
            problems.append(f"{output['path']} does not read back: {exc}")
            continue
        if cuts is None:  # subtitles: no picture to compare
            continue
        if [d for _, d in cuts] != [d for _, d in reference]:
            nles = ", ".join(output.get("nles") or []) or "NLEs"
            problems.append(
                f"{output['path']}: cuts differ from the shot list ({len(cuts)} clips read back, "
                f"{len(reference)} planned); {nles} would show a different edit"
            )
    return problems
