"""`scriptkit refine`: the next version of a project, with the editor's cut kept and only changed material new.

    scriptkit refine ep07/ --edited ep07-edit.fcpxml --script ep07-v2.fountain --regenerate sc02-subway-car-003

1. The base is the project's latest version (`PROJECT/versions/vNNN/`, else the project folder itself): its
   shot list (shots.yaml), assets (media/assets.json) and plan timeline (its .otio, as written).
2. The edited timeline is read through the format registry and every clip identified by shot id
   (`scriptkit.conform`); a timeline with no id of this project is refused.
3. The new shot list (`--script` planned with the project's template, `--shots`, else the base's) is diffed
   against the base's by shot id (`scriptkit.scriptdiff`). `--lock` shots keep their base definition. A subtitle
   the editor rewrote becomes its line's caption (`scriptkit.captions`: shown by every subtitle, no new voice;
   dropped with a notice when the script changes what the line says).
4. Assets are generated through the same content-addressed cache (`generators.run.generate_assets`) into the
   new version's media folder, seeded with hard links of the base's cache: unchanged shots are not
   regenerated; `--regenerate` shots get a new take.
5. `conform.conform_timeline` applies the new plan to the edited timeline; `scriptkit.build.write_outputs`
   writes every format the base had, plus shots.yaml, CHANGES.md and manifest.json.

Everything is written into `PROJECT/versions/.vNNN.tmp-PID/` and renamed to `vNNN` at the end; while the outputs
are written, `vNNN` is a symbolic link to the temp folder so that every path written into the files already
names the final folder. Any failure removes both: no partial version folder is left behind (a link left by a
killed process is cleaned up by the next run). The editor's files and earlier versions are never written.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scriptkit.captions import CaptionNote, settle_captions, settled_lines
from scriptkit.conform.apply import ConformReport, conform_lines, conform_timeline
from scriptkit.conform.diff import TimelineDiff, report_lines
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_write_text
from scriptkit.models import Assets, ExportOptions, ShotList
from scriptkit.project import TEMP_NAME, VERSION_NAME, VERSIONS_DIR, load_plan, next_version, read_edit, version_dirs
from scriptkit.scriptdiff import ShotListDiff, diff_shotlists
from scriptkit.scriptdiff import report_lines as script_report_lines

#: Formats written when the base has no manifest to say which it had.
DEFAULT_FORMATS = ("fcpxml", "xmeml", "edl", "otio", "srt", "vtt", "csv")


@dataclass
class RefineResult:
    version_dir: Path
    base_dir: Path
    regenerated: list[str] = field(default_factory=list)  # asset owners whose bytes are new
    script_diff: ShotListDiff | None = None
    timeline_diff: TimelineDiff | None = None
    report: ConformReport | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: read, generate, conform, write
    captions: list[CaptionNote] = field(default_factory=list)  # subtitles kept, cleared or dropped (scriptkit.captions)


# --------------------------------------------------------------------------------------- versions


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(project: Path) -> list[str]:
    """Remove what a killed refine left: vNNN links to temp folders, temp folders of dead processes."""
    root = Path(project) / VERSIONS_DIR
    removed: list[str] = []
    if not root.is_dir():
        return removed
    for entry in sorted(root.iterdir()):
        if VERSION_NAME.match(entry.name) and entry.is_symlink():
            target = os.readlink(entry)
            if TEMP_NAME.match(Path(target).name):
                entry.unlink()
                removed.append(entry.name)
    for entry in sorted(root.iterdir()):
        match = TEMP_NAME.match(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not _pid_alive(int(match.group(2))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def _link_tree(source: Path, dest: Path) -> int:
    """Hard-link every file under `source` into `dest` (copy where links are impossible). Returns files linked."""
    count = 0
    if not source.is_dir():
        return 0
    for folder, _dirs, files in os.walk(source):
        rel = Path(folder).relative_to(source)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            src, dst = Path(folder) / name, dest / rel / name
            if name.endswith(".tmp") or dst.exists():
                continue
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)
            count += 1
    return count


# ------------------------------------------------------------------------------------------- base


@dataclass
class Base:
    folder: Path
    manifest: dict[str, Any]
    shotlist: ShotList
    assets: Assets


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ScriptkitError(f"cannot read: {exc}", path) from None
    if not isinstance(value, dict):
        raise ScriptkitError("not a JSON object", path)
    return value


def load_base(project: Path) -> Base:
    """The version refine builds on: the latest complete version, else the project folder."""
    from scriptkit.shotlist_io import read_shotlist

    project = Path(project)
    if not project.is_dir():
        raise ScriptkitError("no such project folder", project)
    versions = version_dirs(project)
    folder = versions[-1][1] if versions else project
    manifest = _read_json(folder / "manifest.json")
    shots_path = folder / str(manifest.get("shot_list") or "shots.yaml")
    if not shots_path.is_file():
        raise ScriptkitError("not a scriptkit project: shots.yaml is missing", folder)
    media = folder / str(manifest.get("media_dir") or "media")
    assets_path = media / "assets.json"
    if not assets_path.is_file():
        raise ScriptkitError("not a scriptkit project: media/assets.json is missing", folder)
    try:
        assets = Assets.model_validate_json(assets_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ScriptkitError(f"cannot read the asset record: {exc}", assets_path) from None
    return Base(folder, manifest, read_shotlist(shots_path), assets)


def new_shotlist(base: Base, script: Path | None, shots: Path | None) -> ShotList:
    """The writer's new shot list: planned from `script`, read from `shots`, else the base's."""
    if script is not None and shots is not None:
        raise ScriptkitError("give --script or --shots, not both")
    source = script if script is not None else shots
    if source is None:
        return base.shotlist
    from scriptkit.plan import load_shotlist
    from scriptkit.templates import load_template

    shotlist = load_shotlist(Path(source), load_template(base.shotlist.template or "vertical-drama"))
    if shotlist.rate != base.shotlist.rate:
        raise ScriptkitError(
            f"the new shot list runs at {shotlist.fps} fps, the project at {base.shotlist.fps}: "
            "a different frame rate is a new build, not a refine",
            source,
        )
    if script is not None:  # a re-planned script: every shot, line and cue that is still there keeps its id
        from scriptkit.carry_ids import carry_ids

        shotlist = carry_ids(base.shotlist, shotlist)
    return shotlist


def apply_locks(old: ShotList, new: ShotList, lock: set[str]) -> ShotList:
    """`new` with every locked shot replaced by its old definition (so nothing about it changes)."""
    if not lock:
        return new
    old_by_id = {shot.id: shot for shot in old.shots}
    unknown = lock - set(old_by_id) - {shot.id for shot in new.shots}
    if unknown:
        raise ScriptkitError(f"--lock names no shot of this project: {', '.join(sorted(unknown))}")
    shots = [old_by_id[s.id] if s.id in lock and s.id in old_by_id else s for s in new.shots]
    return new.model_copy(update={"shots": shots})


def regenerated_owners(old: Assets, new: Assets) -> list[str]:
    """Owners whose asset bytes are new (or that had no asset before)."""
    owners: list[str] = []
    for asset in new.all():
        previous = old.get(asset.kind, asset.owner)
        if previous is None or previous.sha256 != asset.sha256:
            owners.append(asset.owner)
    return owners


def _recorded_config(base: Base) -> Path | None:
    """The scriptkit.toml the base was built with (backends and their options), when one was used."""
    recorded = base.manifest.get("options", {}).get("config")
    return Path(recorded) if recorded else None


def _style(base: Base, style: Path | None) -> Path | None:
    if style is not None:
        return Path(style)
    options = base.manifest.get("options", {})
    value = options.get("style") or base.manifest.get("style")
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else (base.folder / path)


def export_options_for(base: Base, shotlist: ShotList, version_dir: Path) -> ExportOptions:
    """The base build's options (its manifest records every format's), for the new version's folder."""
    from scriptkit.build import options_from_record

    options = base.manifest.get("options", {})
    return ExportOptions(
        project_dir=str(version_dir.absolute()),
        media_dir=str((version_dir / "media").absolute()),
        relative_media=bool(options.get("relative_media", False)),
        drop_frame=bool(base.manifest.get("drop_frame", shotlist.drop_frame)),
        title=shotlist.title,
        formats=options_from_record(options),
    )


# ------------------------------------------------------------------------------------------ refine

GenerateFn = Callable[..., Assets]


def refine_project(
    project: Path,
    *,
    edited: Path,
    script: Path | None = None,
    shots: Path | None = None,
    regenerate: list[str] | None = None,
    lock: list[str] | None = None,
    length: str = "hold",
    removed: str = "drop",
    quiet: bool = True,
    style: Path | None = None,
    image_backend: str | None = None,
    voice_backend: str | None = None,
    config: Path | None = None,
    formats: list[str] | None = None,
    log: Callable[[str], None] | None = None,
) -> RefineResult:
    """Write PROJECT/versions/vNNN/ (see the module docstring). Returns what was done."""
    from generators.run import generate_assets
    from scriptkit.build import write_outputs
    from scriptkit.shotlist_io import write_shotlist
    from scriptkit.timeline import build_timeline

    say = log or ((lambda message: None) if quiet else _stderr)
    if length not in ("hold", "ripple"):
        raise ScriptkitError(f"--length must be hold or ripple, not {length!r}")
    if removed not in ("drop", "flag"):
        raise ScriptkitError(f"--removed must be drop or flag, not {removed!r}")
    project = Path(project)
    regenerate_ids, lock_ids = set(regenerate or []), set(lock or [])
    both = regenerate_ids & lock_ids
    if both:
        raise ScriptkitError(f"a shot cannot be both locked and regenerated: {', '.join(sorted(both))}")
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 4)
        clock = now

    clean_stale(project)
    base = load_base(project)
    plan = load_plan(base.folder)

    # the editor's timeline, identified against the base's plan
    edited = Path(edited)
    edited_timeline, timeline_diff = read_edit(plan, edited, project)

    shotlist = apply_locks(base.shotlist, new_shotlist(base, script, shots), lock_ids)
    # the subtitles the editor rewrote become the lines' captions (the voices stay: the spoken text is the same)
    shotlist, captions = settle_captions(base.shotlist, shotlist, timeline_diff.captions, carry=script is not None)
    for note in captions:
        if note.status == "dropped":
            say(f"note: {note.sentence()}")
    changes = diff_shotlists(base.shotlist, shotlist)
    wanted = list(formats) if formats is not None else _formats(base)
    lap("read")

    versions = project / VERSIONS_DIR
    versions.mkdir(exist_ok=True)
    number = next_version(project)
    final = versions / f"v{number:03d}"
    temp = versions / f".v{number:03d}.tmp-{os.getpid()}"
    linked = False
    try:
        temp.mkdir()
        media = temp / "media"
        media.mkdir()
        base_media = base.folder / str(base.manifest.get("media_dir") or "media")
        _link_tree(base_media / ".cache", media / ".cache")
        shutil.copyfile(base_media / "assets.json", media / "assets.json")
        say(f"refining {base.folder} into {final}")
        assets = generate_assets(
            shotlist,
            media,
            style=_style(base, style),
            image_backend=image_backend or base.manifest.get("options", {}).get("image_backend"),
            voice_backend=voice_backend or base.manifest.get("options", {}).get("voice_backend"),
            config=config or _recorded_config(base),
            quiet=quiet,
            regenerate=regenerate_ids,
            movie_backend=base.manifest.get("options", {}).get("video_backend"),
            fit=base.manifest.get("options", {}).get("fit"),
        )
        regenerated = regenerated_owners(base.assets, assets)
        lap("generate")
        new_plan = build_timeline(shotlist, assets, final / "media")
        result = conform_timeline(
            edited_timeline,
            plan.timeline,
            new_plan,
            changes=changes,
            length=length,  # type: ignore[arg-type]
            lock=lock_ids,
            removed=removed,  # type: ignore[arg-type]
            copy_edited=False,
            captions=settled_lines(base.shotlist, shotlist, timeline_diff.captions),
        )
        lap("conform")
        os.symlink(temp.name, final)
        linked = True
        options = export_options_for(base, shotlist, final)
        # written through the link, so that a writer naming its own folder names the final one
        write_shotlist(shotlist, final / "shots.yaml")
        previous = base.manifest.get("options", {})
        manifest = write_outputs(
            result.timeline,
            shotlist,
            assets,
            final,
            options,
            wanted,
            source=str(edited.name),
            style=_style(base, style),
            backends={
                "image_backend": image_backend or previous.get("image_backend"),
                "voice_backend": voice_backend or previous.get("voice_backend"),
                **{key: previous[key] for key in ("video_backend", "fit", "config") if previous.get(key)},
            },
        )
        manifest["refine"] = {
            "version": number,
            "base": _relative(base.folder, project),
            "edited": edited.name,
            "length": length,
            "regenerate": sorted(regenerate_ids),
            "lock": sorted(lock_ids),
            "regenerated": regenerated,
            "changed_shots": [c.shot_id for c in changes.changed],
            "added_shots": list(changes.added),
            "removed_shots": list(changes.removed),
        }
        manifest["shot_list"] = "shots.yaml"
        changes_md = changes_markdown(
            shotlist.title,
            number,
            base,
            edited,
            length,
            changes,
            timeline_diff,
            result.report,
            regenerated,
            lock_ids,
            captions,
        )
        atomic_write_text(final / "CHANGES.md", changes_md)
        atomic_write_text(final / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        final.unlink()
        linked = False
        os.rename(temp, final)
        lap("write")
    except BaseException:
        if linked or final.is_symlink():
            with contextlib.suppress(OSError):
                final.unlink()
        shutil.rmtree(temp, ignore_errors=True)
        raise
    say(f"wrote {final} ({len(regenerated)} assets regenerated, {len(changes.changed)} shots changed)")
    return RefineResult(
        final, base.folder, regenerated, changes, timeline_diff, result.report, manifest, timings, captions
    )


def _formats(base: Base) -> list[str]:
    outputs = base.manifest.get("outputs") or []
    names = [str(o["format"]) for o in outputs if isinstance(o, dict) and o.get("format")]
    return names or list(DEFAULT_FORMATS)


def _relative(path: Path, start: Path) -> str:
    try:
        return path.resolve().relative_to(start.resolve()).as_posix() or "."
    except ValueError:
        return path.as_posix()


def _stderr(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(message)


def changes_markdown(
    title: str,
    number: int,
    base: Base,
    edited: Path,
    length: str,
    changes: ShotListDiff,
    timeline_diff: TimelineDiff,
    report: ConformReport,
    regenerated: list[str],
    lock: set[str],
    captions: list[CaptionNote] | None = None,
) -> str:
    """CHANGES.md: what the writer changed, what was regenerated, what the editor's cut kept."""
    lines = [
        f"# {title}: version v{number:03d}",
        "",
        f"Built from `{base.folder.name}` and the editor's timeline `{edited.name}` (length policy: {length}).",
        "",
        "## Changed shots (red markers in the timeline)",
        "",
    ]
    if changes.changed or changes.added:
        lines += ["| shot | what changed |", "| --- | --- |"]
        lines += [f"| {c.shot_id} | {c.summary()} |" for c in changes.changed]
        lines += [f"| {shot_id} | new shot |" for shot_id in changes.added]
    else:
        lines.append("None.")
    lines += ["", "## Script changes", ""]
    lines += [f"- {line}" for line in script_report_lines(changes)]
    lines += ["", f"## Regenerated assets ({len(regenerated)})", ""]
    lines += [f"- {owner}" for owner in regenerated] or ["None."]
    lines += ["", "## In the timeline", ""]
    lines += [f"- {line}" for line in conform_lines(report)] or ["- nothing to swap"]
    if captions:
        lines += ["", "## Subtitles", ""] + [f"- {note.sentence()}" for note in captions]
    if lock:
        lines += ["", "## Locked", ""] + [f"- {shot_id}" for shot_id in sorted(lock)]
    lines += ["", "## The editor's cut (kept)", ""]
    lines += [f"- {line}" for line in report_lines(timeline_diff)]
    return "\n".join(lines) + "\n"


__all__ = ["RefineResult", "clean_stale", "refine_project"]
