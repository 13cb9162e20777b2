"""The `scriptkit` command line. Each command is a thin shell over a pure function elsewhere in scriptkit.

Errors a user can fix (`ScriptkitError`) are printed as one line naming the file and line, exit code 2.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from scriptkit.errors import ScriptkitError

if TYPE_CHECKING:
    from scriptkit.build import BuildRequest

app = typer.Typer(
    name="scriptkit",
    help=(
        "Screenplay + style reference in, an editable NLE project out.\n\n"
        "Example:\n\n"
        "  scriptkit build examples/last-train.fountain --style examples/style.png -o ep07/"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
schema_app = typer.Typer(help="Print JSON Schemas of the public models.\n\nExample:\n\n  scriptkit schema shotlist")
app.add_typer(schema_app, name="schema")

#: `--nle` help (the targets come from the format registry: `scriptkit formats` lists them, without slowing --help).
VideoBackend = Annotated[
    str | None, typer.Option("--video-backend", help="none, wan, ltx: a movie per shot from its keyframe.")
]
Fit = Annotated[str | None, typer.Option("--fit", help="A movie shorter than its shot: hold (default), speed, loop.")]
ImageBackend = Annotated[str | None, typer.Option("--image-backend")]
VoiceBackend = Annotated[str | None, typer.Option("--voice-backend")]
PreviewSize = Annotated[str | None, typer.Option("--preview-size", help="WxH, e.g. 540x960.")]
Config = Annotated[Path | None, typer.Option("--config", help="scriptkit.toml with backend options.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q")]
Executor = Annotated[
    str, typer.Option("--executor", help="Where generation runs: local (this process) or ray (extra [ray]).")
]
RayAddress = Annotated[
    str | None,
    typer.Option("--ray-address", help="HOST:PORT of a Ray cluster to join; without it --executor ray starts one."),
]
Dialect = Annotated[
    str | None,
    typer.Option("--dialect", help="Screenplay format: fountain, fdx or zh (default: by extension, content)."),
]
DraftOs = Annotated[str, typer.Option("--draft-os", help="CapCut / Jianying draft for windows or macos.")]
DraftSeed = Annotated[
    Path | None, typer.Option("--draft-seed", help="An empty draft made by the editor's CapCut / Jianying.")
]
NLE_HELP = "NLE targets, comma-separated, or all (`scriptkit formats` lists the targets and what each gets)."

# soft_wrap: one finding is one line, whatever the terminal width (pipelines grep these lines)
# markup off: file names and screenplay text may hold [brackets]; only _fail's own prefix is markup
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = Console(highlight=False, soft_wrap=True, markup=False)


def _fail(exc: ScriptkitError) -> None:
    err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, soft_wrap=True)
    raise typer.Exit(code=2)


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A .fountain or .fdx screenplay.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the public JSON contract.")] = False,
    dialect: Dialect = None,
) -> None:
    """Parse a screenplay and print its elements.

    Example:

      scriptkit parse examples/last-train.fountain --json
    """
    from scriptkit.parse import load_script
    from scriptkit.parse.public import public_json

    try:
        script = load_script(file, dialect)
    except ScriptkitError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(public_json(script), ensure_ascii=False, indent=2) + "\n")
        return
    out.print(f"{script.title}: {len(script.scenes)} scenes, {len(script.characters)} characters")
    for element in script.elements:
        out.print(f"{element.line:5d} {element.type:14s} {element.text[:90]!r}")


@schema_app.command("shotlist")
def schema_shotlist() -> None:
    """Print the JSON Schema of the shot list (shots.yaml / shots.json).

    Example:

      scriptkit schema shotlist > shotlist.schema.json
    """
    from scriptkit.models import ShotList

    sys.stdout.write(json.dumps(ShotList.model_json_schema(), indent=2) + "\n")


@schema_app.command("script")
def schema_script() -> None:
    """Print the JSON Schema of a parsed screenplay.

    Example:

      scriptkit schema script
    """
    from scriptkit.models import Script

    sys.stdout.write(json.dumps(Script.model_json_schema(), indent=2) + "\n")


@app.command()
def plan(
    file: Annotated[Path, typer.Argument(help="A .fountain/.fdx screenplay (or a shot list to re-time).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="shots.yaml, shots.json or shots.csv.")] = Path(
        "shots.yaml"
    ),
    template: Annotated[str, typer.Option("--template", "-t", help="Template name or YAML path.")] = "vertical-drama",
    dialect: Dialect = None,
) -> None:
    """Plan shots for a screenplay and write the shot list.

    Example:

      scriptkit plan examples/last-train.fountain --template vertical-drama -o shots.yaml
    """
    from scriptkit.cast import cast_lines
    from scriptkit.plan import load_shotlist, summary_lines, target_line
    from scriptkit.shotlist_io import write_shotlist
    from scriptkit.templates import load_template

    try:
        preset = load_template(template)
        shotlist = load_shotlist(file, preset, dialect)
        write_shotlist(shotlist, output)
    except ScriptkitError as exc:
        _fail(exc)
    target = target_line(shotlist.duration, preset.target_seconds)
    for line in [*summary_lines(shotlist), *cast_lines(shotlist.cast), *([target] if target else [])]:
        err.print(line, markup=False)
    err.print(f"wrote {output}")


@app.command()
def generate(
    file: Annotated[Path, typer.Argument(help="shots.yaml or a screenplay.")],
    style: Annotated[Path | None, typer.Option("--style", help="Style reference image.")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Media folder.")] = Path("media"),
    template: Annotated[str, typer.Option("--template", "-t")] = "vertical-drama",
    image_backend: Annotated[str | None, typer.Option("--image-backend", help="storyboard, diffusers")] = None,
    voice_backend: Annotated[str | None, typer.Option("--voice-backend", help="piper, transformers")] = None,
    video_backend: VideoBackend = None,
    fit: Fit = None,
    config: Annotated[Path | None, typer.Option("--config", help="scriptkit.toml with backend options.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the asset record as JSON.")] = False,
) -> None:
    """Generate a keyframe per shot, a voice per dialogue line and audio per cue (cached, resumable).

    Example:

      scriptkit generate shots.yaml --style examples/style.png -o media/
    """
    from generators.run import run_generate

    try:
        run_generate(
            file,
            style=style,
            media_dir=output,
            template=template,
            image_backend=image_backend,
            voice_backend=voice_backend,
            config=config,
            quiet=quiet,
            as_json=as_json,
            movie_backend=video_backend,
            fit=fit,
        )
    except ScriptkitError as exc:
        _fail(exc)


@app.command()
def build(
    file: Annotated[Path, typer.Argument(help="A screenplay (.fountain/.fdx) or shots.yaml.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Project folder to write.")],
    style: Annotated[Path | None, typer.Option("--style", help="Style reference image.")] = None,
    template: Annotated[str, typer.Option("--template", "-t")] = "vertical-drama",
    nle: Annotated[str, typer.Option("--nle", help=NLE_HELP)] = "all",
    fcpxml_version: Annotated[
        str, typer.Option("--fcpxml-version", help="FCPXML version (`scriptkit formats`).")
    ] = "1.10",
    relative_media: Annotated[
        bool, typer.Option("--relative-media", help="Media paths relative to the project.")
    ] = False,
    drop_frame: Annotated[bool, typer.Option("--drop-frame", help="Drop-frame timecode (29.97/59.94 only).")] = False,
    preview: Annotated[bool, typer.Option("--preview/--no-preview", help="Render preview.mp4.")] = True,
    preview_size: PreviewSize = None,
    burn_in: Annotated[bool, typer.Option("--burn-in/--no-burn-in", help="Burn shot id, timecode, subtitles.")] = True,
    draft_os: DraftOs = "windows",
    draft_seed: DraftSeed = None,
    image_backend: ImageBackend = None,
    voice_backend: VoiceBackend = None,
    video_backend: VideoBackend = None,
    fit: Fit = None,
    config: Config = None,
    quiet: Quiet = False,
    executor: Executor = "local",
    ray_address: RayAddress = None,
    dialect: Dialect = None,
) -> None:
    """Parse, plan, generate and write a project folder every NLE can open.

    Example:

      scriptkit build examples/last-train.fountain --style examples/style.png -o ep07/ --nle all
    """
    from scriptkit.build import build_project

    request = _build_request(
        file=file,
        output=output,
        style=style,
        fcpxml_version=fcpxml_version,
        preview_size=preview_size,
        burn_in=burn_in,
        template=template,
        nle=nle,
        relative_media=relative_media,
        drop_frame=drop_frame,
        preview=preview,
        draft_os=draft_os,
        draft_seed=draft_seed,
        image_backend=image_backend,
        voice_backend=voice_backend,
        video_backend=video_backend,
        fit=fit,
        config=config,
        quiet=quiet,
        executor=executor,
        ray_address=ray_address,
        dialect=dialect,
    )
    try:
        build_project(request)
    except ScriptkitError as exc:
        _fail(exc)


def _build_request(
    *, file: Path, output: Path, style: Path | None, fcpxml_version: str, preview_size: str | None, burn_in: bool,
    draft_os: str, draft_seed: Path | None, config: Path | None, **values: object,
) -> BuildRequest:  # fmt: skip
    """The build options as data (`build` and `build-season` share them)."""
    from scriptkit.build import BuildRequest

    return BuildRequest(
        source=str(file),
        output=str(output),
        style=str(style) if style else None,
        # the flags are the CLI's spelling of the formats' own options
        format_options={
            "fcpxml": {"fcpxml_version": fcpxml_version},
            "preview": {"preview_size": preview_size, "burn_in": burn_in},
            **{
                app: {f"{app}_os": draft_os, f"{app}_draft_seed": str(draft_seed) if draft_seed else None}
                for app in ("capcut", "jianying")
            },
        },
        config=str(config) if config else None,
        **values,  # type: ignore[arg-type]
    )


@app.command("build-season")
def build_season(
    folder: Annotated[
        Path, typer.Argument(help="A folder of episodes (screenplays or shot lists), built in name order.")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Season folder to write (a project per episode).")],
    style: Annotated[
        Path | None, typer.Option("--style", help="Style reference (default: the folder's style.png).")
    ] = None,
    template: Annotated[str, typer.Option("--template", "-t")] = "vertical-drama",
    nle: Annotated[str, typer.Option("--nle", help=NLE_HELP)] = "all",
    fcpxml_version: Annotated[str, typer.Option("--fcpxml-version")] = "1.10",
    relative_media: Annotated[bool, typer.Option("--relative-media")] = False,
    preview: Annotated[bool, typer.Option("--preview/--no-preview", help="Render each preview.mp4.")] = True,
    preview_size: PreviewSize = None,
    burn_in: Annotated[bool, typer.Option("--burn-in/--no-burn-in")] = True,
    draft_os: DraftOs = "windows",
    draft_seed: DraftSeed = None,
    image_backend: ImageBackend = None,
    voice_backend: VoiceBackend = None,
    video_backend: VideoBackend = None,
    fit: Fit = None,
    config: Config = None,
    quiet: Quiet = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the season's report as JSON.")] = False,
    executor: Executor = "local",
    ray_address: RayAddress = None,
    dialect: Dialect = None,
) -> None:
    """Build every episode of a season: one cast, one style, one shared cache, a project folder per episode,
    season.json and an index.html contact sheet. A failed episode is reported at the end (exit code 1).

    Example:

      scriptkit build-season season/ -o out/ --executor ray
    """
    from scriptkit.season import build_season as run_season

    request = _build_request(
        file=folder, output=output, style=style, fcpxml_version=fcpxml_version, preview_size=preview_size,
        burn_in=burn_in, config=config, template=template, nle=nle, relative_media=relative_media, preview=preview,
        image_backend=image_backend, voice_backend=voice_backend, video_backend=video_backend, fit=fit,
        quiet=quiet or as_json, executor=executor, ray_address=ray_address, draft_os=draft_os, draft_seed=draft_seed,
        dialect=dialect,
    )  # fmt: skip
    try:
        # with --json stdout carries the report only (Ray prints its workers' failures to stdout)
        with contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext():
            report = run_season(request, say=None if quiet else lambda line: err.print(line))
    except ScriptkitError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    elif not quiet:
        built = sum(1 for entry in report["episodes"] if entry["ok"])
        err.print(f"season written to {output}/ ({built} of {len(report['episodes'])} episodes built; "
                  f"the shared cache saved {report['cache']['saved']:.0%} of generation)")  # fmt: skip
    if not as_json:
        for failure in report["failed"]:
            err.print(f"failed: {failure['folder']}: {failure['reason']}")
    if report["failed"]:
        raise typer.Exit(code=1)


@app.command()
def formats() -> None:
    """List the registered formats: output name, NLEs, suffixes read, and each format's own options.

    Example:

      scriptkit formats
    """
    import exporters

    out.print(f"--nle targets: {', '.join(exporters.nle_targets())} or all")
    when = {"all": "--nle all", "always": "every build", "preview": "unless --no-preview"}
    for fmt in exporters.formats():
        does = "/".join(x for x, f in (("write", fmt.write), ("read", fmt.read)) if f)
        nles = ", ".join(fmt.nles) or when.get(fmt.when, "-")
        kind = "folder" if fmt.folder else "file"
        out.print(f"{fmt.name:<11} {fmt.output:<22} {kind:<6} {does:<10} {nles:<24} {fmt.description}")
        for option, spec in fmt.options.model_json_schema().get("properties", {}).items():
            out.print(f"{'':<11} option {option} (default {spec.get('default')!r}): {spec.get('description', '')}")


@app.command()
def check(
    project: Annotated[Path, typer.Argument(help="A project folder written by `scriptkit build`.")],
) -> None:
    """Preflight a project folder: say in plain words what would fail in which NLE.

    Example:

      scriptkit check ep07/
    """
    from scriptkit.check import check_project

    try:
        problems = check_project(project)
    except ScriptkitError as exc:
        _fail(exc)
    for problem in problems:
        out.print(problem)
    if problems:
        raise typer.Exit(code=1)
    out.print("ok: every output would open")


@app.command()
def diff(
    plan_file: Annotated[Path, typer.Argument(help="The project folder or its timeline as written.")],
    edited: Annotated[
        Path, typer.Argument(help="The timeline the editor exported (FCPXML, xmeml, EDL, OTIO, AAF, a CapCut draft).")
    ],
) -> None:
    """Say in plain words what the editor changed.

    Example:

      scriptkit diff ep07/ ep07-edit.fcpxml
    """
    from scriptkit.project import diff_command

    try:
        for line in diff_command(plan_file, edited):
            out.print(line)
    except ScriptkitError as exc:
        _fail(exc)


@app.command()
def refine(
    project: Annotated[Path, typer.Argument(help="A project folder written by `scriptkit build`.")],
    edited: Annotated[Path, typer.Option("--edited", help="The timeline the editor exported.")],
    script: Annotated[Path | None, typer.Option("--script", help="The new screenplay.")] = None,
    shots: Annotated[Path | None, typer.Option("--shots", help="The edited shot list.")] = None,
    regenerate: Annotated[list[str] | None, typer.Option("--regenerate", help="Shot id to re-take.")] = None,
    lock: Annotated[list[str] | None, typer.Option("--lock", help="Shot id to keep as it is.")] = None,
    length: Annotated[str, typer.Option("--length", help="hold or ripple")] = "hold",
    removed: Annotated[
        str, typer.Option("--removed", help="Shots cut from the script: drop them, or flag them with a marker.")
    ] = "drop",
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Write the next version of a project, keeping the editor's cuts and regenerating only what changed.

    Example:

      scriptkit refine ep07/ --edited ep07-edit.fcpxml --script ep07-v2.fountain --regenerate sc-subway-car-003
    """
    from scriptkit.refine import refine_project

    try:
        refine_project(
            project,
            edited=edited,
            script=script,
            shots=shots,
            regenerate=regenerate or [],
            lock=lock or [],
            length=length,
            removed=removed,
            quiet=quiet,
        )
    except ScriptkitError as exc:
        _fail(exc)


@app.command()
def install(
    draft: Annotated[Path, typer.Argument(help="A CapCut / Jianying draft folder written by `scriptkit build`.")],
    drafts_dir: Annotated[
        Path | None, typer.Option("--drafts-dir", help="The app's draft folder (default: where the app keeps it).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The draft's name in the app.")] = None,
) -> None:
    """Place a draft in CapCut's or Jianying's draft folder (paths rewritten, what it replaces backed up).

    Example:

      scriptkit install ep07/last-train.capcut
    """
    from exporters.capcut_common import install_command

    try:
        out.print(f"installed {install_command(draft, drafts_dir, name)}")
    except ScriptkitError as exc:
        _fail(exc)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
