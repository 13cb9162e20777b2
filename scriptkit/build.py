"""`scriptkit build`: screenplay -> shot list -> media -> timeline -> a project folder every NLE can open.

The project folder holds:

- `shots.yaml`: the shot list the build used (editable; `scriptkit build shots.yaml` accepts it back);
- `media/`: generated keyframes, voices and cues plus `media/assets.json` (content-addressed cache);
- one file (or folder) per interchange format chosen by `--nle` (the format registry says which and its name);
- `storyboard.html`, `preview.mp4`, the subtitles and the shot list CSV;
- `manifest.json`, written last: every output (format, path, NLE), the shots with their asset paths and hashes,
  the frame rate and the tool version. It is the machine-readable face of a build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

import exporters
from generators.executor import Executor
from generators.executors import open_executor
from scriptkit import __version__
from scriptkit.errors import ScriptkitError
from scriptkit.io import LOCK_NAME, atomic_write_bytes, atomic_write_text, folder_lock, remove_stale_temps
from scriptkit.models import Assets, ExportOptions, ShotList
from scriptkit.rates import DROP_FRAME_RATES
from scriptkit.shot_ids import romanize

if TYPE_CHECKING:
    import opentimelineio as otio


class BuildRequest(BaseModel):
    """Everything `scriptkit build` was asked for (the CLI's options, as data)."""

    source: str
    output: str
    style: str | None = None
    template: str = "vertical-drama"
    nle: str = "all"
    relative_media: bool = False
    drop_frame: bool = False
    preview: bool = True
    #: Format name -> that format's options (e.g. {"fcpxml": {"fcpxml_version": "1.11"}}), checked by its model.
    format_options: dict[str, dict[str, Any]] = {}
    image_backend: str | None = None
    voice_backend: str | None = None
    #: none | wan | ltx (overrides `[generators] movie`), and how a short movie fits its shot (hold | speed | loop).
    video_backend: str | None = None
    fit: str | None = None
    config: str | None = None
    quiet: bool = False
    #: Where generation jobs run: "local" (this process) or "ray" (a local instance, or the cluster at ray_address).
    executor: str = "local"
    ray_address: str | None = None
    #: A folder whose content-addressed cache is shared with other builds (a season's); default: the project's media.
    cache: str | None = None
    #: fountain | fdx | zh: the screenplay's format when its extension and content would not say.
    dialect: str | None = None


def slugify(text: str) -> str:
    """'The Last Train!' -> 'the-last-train', '逆袭 第1集' -> 'ni-xi-di-1-ji' (ASCII letters, digits and dashes;
    Chinese as pinyin; never empty; at most 80 characters, so that every output name stays within the 255 bytes a
    file system allows)."""
    slug = re.sub(r"[^a-z0-9]+", "-", romanize(text[:400]).lower()).strip("-")[:80].strip("-")
    return slug or "untitled"


def _targets(nle: str) -> list[str]:
    targets = [t.strip().lower() for t in nle.split(",") if t.strip()]
    known = exporters.nle_targets()
    if not targets:
        raise ScriptkitError("--nle is empty; choose from " + ", ".join([*known, "all"]))
    for target in targets:
        if target != "all" and target not in known:
            raise ScriptkitError(f"unknown --nle {target!r}; choose from " + ", ".join([*known, "all"]))
    return targets


def formats_for(nle: str, preview: bool) -> list[str]:
    """The formats to write for an `--nle` value (comma-separated targets allowed: 'resolve,premiere'): target
    by target its primary format, then the others serving it (registry order); with 'all', the formats only
    'all' gets; then those written `always`; then the preview unless not wanted."""
    targets = _targets(nle)
    every = "all" in targets
    registry = list(exporters.formats())
    chosen: list[str] = []
    for target in exporters.nle_targets() if every else targets:
        serving = [fmt for fmt in registry if fmt.when == "nle" and target in fmt.nles]
        serving.sort(key=lambda fmt: target not in fmt.primary_for)
        chosen.extend(fmt.name for fmt in serving if fmt.name not in chosen)
    wanted = {"nle": False, "all": every, "always": True, "preview": preview}
    chosen.extend(fmt.name for fmt in registry if wanted[fmt.when] and fmt.name not in chosen)
    return chosen


def targets_for(nle: str) -> list[str]:
    """The NLE targets an `--nle` value names ('all' is every target), in registry order."""
    targets = set(_targets(nle))
    return [name for name in exporters.nle_targets() if "all" in targets or name in targets]


def nles_for_format(fmt: str, targets: list[str] | None = None) -> list[str]:
    """The NLEs a format is written for: every NLE it serves, or only those among `targets`."""
    return [nle for nle in exporters.get_format(fmt).nles if targets is None or nle in targets]


def validate_request(request: BuildRequest, shotlist: ShotList, options: ExportOptions, formats: list[str]) -> None:
    """Refuse what no NLE would accept before anything is written (each format checks its own options)."""
    for name in formats:
        exporters.get_format(name).options_from(options)
    if request.drop_frame and shotlist.rate not in DROP_FRAME_RATES:
        raise ScriptkitError(
            f"--drop-frame needs a 29.97 or 59.94 fps template; {request.template} runs at {shotlist.fps} fps"
        )
    if not shotlist.shots:
        raise ScriptkitError("the screenplay has no shots to build", request.source)


def export_options(request: BuildRequest, shotlist: ShotList, project_dir: Path, media_dir: Path) -> ExportOptions:
    return ExportOptions(
        project_dir=str(project_dir.resolve()),
        media_dir=str(media_dir.resolve()),
        relative_media=request.relative_media,
        drop_frame=request.drop_frame or shotlist.drop_frame,
        title=shotlist.title,
        formats=request.format_options,
    )


def write_outputs(
    timeline: Any,
    shotlist: ShotList,
    assets: Assets,
    out_dir: Path,
    options: ExportOptions,
    formats: list[str],
    *,
    source: str = "",
    log: Any = None,
    style: Path | None = None,
    backends: dict[str, str | None] | None = None,
    targets: list[str] | None = None,
    step: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write every format in `formats` for `timeline` into `out_dir`, then `manifest.json` (last). Returns it.

    `step(name)` is called as each output is started (a progress bar), and once more with "" when all are done.

    `targets` (the NLEs asked for with `--nle`) narrows each output's `nles` in the manifest, so that
    `scriptkit check` judges a file only against the NLEs it was written for.

    The style reference is copied into the folder (`style.png`) so that a later `refine` regenerates with the
    same style from the project alone; `backends` (image/voice backend names) are recorded for the same reason.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    generation: dict[str, Any] = {"style": None, **(backends or {})}
    if style is not None:
        copy = out_dir / f"style{Path(style).suffix.lower()}"
        if not copy.exists() or not copy.samefile(style):
            atomic_write_bytes(copy, Path(style).read_bytes())
        generation["style"] = copy.name
    slug = slugify(shotlist.title)
    outputs: list[dict[str, Any]] = []
    previous = _previous_outputs(out_dir)
    inputs = _inputs_digest(timeline, options)
    for name in formats:
        fmt = exporters.get_format(name)
        if fmt.write is None:
            continue
        path = fmt.output_path(out_dir, slug)
        if step is not None:
            step(path.name)
        key = hashlib.sha256(f"{name}\n{path.name}\n{inputs}".encode()).hexdigest()
        entry = previous.get(name)
        if entry is not None and _still_valid(entry, key, out_dir, path):
            entry = {**entry, "nles": nles_for_format(name, targets)}
            if log:
                log(f"kept {path.name} (its timeline and options are unchanged)")
        else:
            fmt.write(timeline, path, options)
            entry = {"format": name, "path": path.name, "nles": nles_for_format(name, targets)}
            entry["sha256"] = exporters.output_digest(path)
            entry["key"] = key
            extra = fmt.written_paths(timeline, path)[1:]  # e.g. an EDL per audio track, beside the picture EDL
            if extra:
                entry["extra_paths"] = [p.name for p in extra]
            if log:
                log(f"wrote {path.name}")
        outputs.append(entry)
    if step is not None:
        step("")
    manifest = make_manifest(
        shotlist, assets, outputs, options, source=source, generation=generation, timeline=timeline
    )
    atomic_write_text(out_dir / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def _exporters_digest() -> str:
    """Hash of the writers' and the timeline's source (every registered format's module, the contract and the
    assembler): a changed writer never reuses an old output."""
    import sys

    digest = hashlib.sha256(__version__.encode())
    sources = set(Path(exporters.__file__).parent.glob("*.py"))
    sources |= {Path(sys.modules[fmt.write.__module__].__file__ or "") for fmt in exporters.formats() if fmt.write}
    here = Path(__file__).parent
    for path in [*sorted(sources), here / "contract.py", here / "timeline.py"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _inputs_digest(timeline: Any, options: ExportOptions) -> str:
    """Everything an output is a function of: the timeline (media hashes ride in its metadata), the export
    options and the writers' code."""
    digest = hashlib.sha256(_exporters_digest().encode())
    digest.update(options.model_dump_json().encode())
    digest.update(timeline.to_json_string(indent=-1).encode())
    return digest.hexdigest()


def _previous_outputs(out_dir: Path) -> dict[str, dict[str, Any]]:
    """format -> manifest entry of the last build in `out_dir` ({} when there is none or it is unreadable)."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        return {entry["format"]: entry for entry in manifest.get("outputs", []) if "key" in entry}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _still_valid(entry: dict[str, Any], key: str, out_dir: Path, path: Path) -> bool:
    """The last build wrote this output from the same inputs, and nobody has changed or removed it since."""
    if entry.get("key") != key or entry.get("path") != path.name or not path.exists():
        return False
    if any(not (out_dir / extra).exists() for extra in entry.get("extra_paths", [])):
        return False
    return exporters.output_digest(path) == entry.get("sha256")


def format_options_record(options: ExportOptions) -> dict[str, Any]:
    """Every registered format's options (defaults filled in), side by side, as manifest.json records them."""
    record: dict[str, Any] = {}
    for fmt in exporters.formats():
        record.update(fmt.options_from(options).model_dump())
    return record


def options_from_record(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`ExportOptions.formats` back from a manifest's "options" (what `format_options_record` wrote)."""
    found: dict[str, dict[str, Any]] = {}
    for fmt in exporters.formats():
        values = {key: record[key] for key in fmt.options.model_fields if key in record}
        if values:
            found[fmt.name] = values
    return found


def make_manifest(
    shotlist: ShotList,
    assets: Assets,
    outputs: list[dict[str, Any]],
    options: ExportOptions,
    *,
    source: str = "",
    generation: dict[str, Any] | None = None,
    timeline: otio.schema.Timeline | None = None,
) -> dict[str, Any]:
    """The manifest: deterministic (no timestamps), relative paths only. `duration` is the timeline's length in
    seconds (what an editor sees), `planned_duration` the shot list's sum of shot lengths."""
    media = Path(options.media_dir)
    project = Path(options.project_dir)
    media_rel = _relative(media, project)
    shots = []
    for shot in shotlist.shots:
        image = assets.images.get(shot.id)
        shots.append(
            {
                "id": shot.id,
                "scene_id": shot.scene_id,
                "duration": shot.duration,
                "image": f"{media_rel}/{image.path}" if image else None,
                "sha256": image.sha256 if image else None,
                "voices": {
                    line.id: {
                        "path": f"{media_rel}/{assets.voices[line.id].path}",
                        "sha256": assets.voices[line.id].sha256,
                    }
                    for line in shot.dialogue
                    if line.id in assets.voices
                },
                "cues": {
                    cue.id: {"path": f"{media_rel}/{assets.cues[cue.id].path}", "sha256": assets.cues[cue.id].sha256}
                    for cue in shot.cues
                    if cue.id in assets.cues
                },
            }
        )
        movie = assets.movies.get(shot.id)
        if movie is not None:  # only when there is one: a build without movies keeps its manifest as it was
            shots[-1]["movie"] = {"path": f"{media_rel}/{movie.path}", "sha256": movie.sha256}
    return {
        "tool": "scriptkit",
        "tool_version": __version__,
        "title": shotlist.title,
        "source": source,
        "template": shotlist.template,
        "fps": shotlist.fps,
        "drop_frame": options.drop_frame,
        "width": shotlist.width,
        "height": shotlist.height,
        "duration": round(timeline.duration().to_seconds(), 3) if timeline is not None else round(shotlist.duration, 3),
        "planned_duration": round(shotlist.duration, 3),
        "media_dir": media_rel,
        "shot_list": "shots.yaml",
        "options": {
            "relative_media": options.relative_media,
            **format_options_record(options),
            **(generation or {}),
        },
        "outputs": outputs,
        "shots": shots,
    }


def build_project(
    request: BuildRequest, log: Any = None, *, shotlist: ShotList | None = None, executor: Executor | None = None
) -> dict[str, Any]:
    """Run the whole pipeline for `request`; returns the manifest.

    `shotlist` replaces what the source would give (a season passes each episode with the season's cast);
    `executor` runs the generation jobs (default: the one `request.executor` names, opened for this build)."""

    say = log or (lambda message: None)
    if not request.quiet and log is None:
        from rich.console import Console

        console = Console(stderr=True, highlight=False)
        say = console.print

    source = Path(request.source)
    project_dir = Path(request.output)
    if project_dir.exists() and not project_dir.is_dir():
        raise ScriptkitError("output exists and is not a folder", project_dir)
    created = not project_dir.exists()
    try:
        with folder_lock(project_dir):
            remove_stale_temps(project_dir)
            progress = not request.quiet and log is None
            if executor is not None:
                return _build_locked(request, source, project_dir, say, progress, shotlist, executor)
            with open_executor(request.executor, request.ray_address) as opened:
                return _build_locked(request, source, project_dir, say, progress, shotlist, opened)
    except ScriptkitError:
        if created:  # a refused build leaves no folder behind, only what it had finished (nothing, here)
            with contextlib.suppress(OSError):
                (project_dir / LOCK_NAME).unlink()
                project_dir.rmdir()
        raise


def _build_locked(
    request: BuildRequest,
    source: Path,
    project_dir: Path,
    say: Any,
    progress: bool,
    planned: ShotList | None,
    executor: Executor,
) -> dict[str, Any]:
    from generators.config import find_config
    from generators.run import generate_assets
    from scriptkit.plan import load_shotlist, target_line
    from scriptkit.shotlist_io import write_shotlist
    from scriptkit.templates import load_template
    from scriptkit.timeline import build_timeline
    from scriptkit.voice_timing import record_timing

    template = load_template(request.template)
    shotlist = planned if planned is not None else load_shotlist(source, template, request.dialect)
    formats = formats_for(request.nle, request.preview)
    media_dir = project_dir / "media"
    options = export_options(request, shotlist, project_dir, media_dir)
    validate_request(request, shotlist, options, formats)
    if request.drop_frame and not shotlist.drop_frame:
        # the timeline's start (01:00:00;00) and every later reader of shots.yaml must count drop-frame too
        shotlist = shotlist.model_copy(update={"drop_frame": True})

    style = Path(request.style) if request.style else None
    assets = generate_assets(
        shotlist,
        media_dir,
        style=style,
        image_backend=request.image_backend,
        voice_backend=request.voice_backend,
        config=Path(request.config) if request.config else None,
        config_near=source,
        quiet=request.quiet,
        movie_backend=request.video_backend,
        fit=request.fit,
        executor=executor,
        cache_dir=Path(request.cache) if request.cache else None,
    )
    timeline = build_timeline(shotlist, assets, media_dir)
    shotlist = record_timing(shotlist, timeline)
    write_shotlist(shotlist, project_dir / "shots.yaml")
    backends = {"image_backend": request.image_backend, "voice_backend": request.voice_backend}
    config = find_config(Path(request.config) if request.config else None, source)
    # recorded only when given, so a build without them writes the same manifest as before; refine reads them
    for key, value in (
        ("video_backend", request.video_backend),
        ("fit", request.fit),
        ("config", str(config.absolute()) if config else None),
    ):
        if value:
            backends[key] = value
    with _outputs_progress(not progress, len(formats)) as step:
        manifest = write_outputs(
            timeline,
            shotlist,
            assets,
            project_dir,
            options,
            formats,
            source=source.name,
            log=say,
            style=style,
            backends=backends,
            targets=targets_for(request.nle),
            step=step,
        )
    length = timeline.duration().to_seconds()
    say(target_line(length, template.target_seconds, "length") or f"length {length:.1f} s")
    say(f"project written to {project_dir}/ ({len(manifest['outputs'])} outputs, {len(shotlist.shots)} shots)")
    return manifest


@contextlib.contextmanager
def _outputs_progress(quiet: bool, total: int) -> Iterator[Callable[[str], None] | None]:
    """A progress bar over the outputs (the preview alone takes seconds), naming the one being written."""
    if quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        SpinnerColumn(),
        TextColumn("{task.fields[current]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bars:
        task = bars.add_task("outputs", total=total, current="")
        started = False

        def step(name: str) -> None:
            nonlocal started
            if started:
                bars.advance(task)
            started = bool(name)
            bars.update(task, current=name)

        yield step


def _relative(path: Path, start: Path) -> str:
    try:
        return path.resolve().relative_to(start.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()
