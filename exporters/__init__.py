"""The format registry: the one home of every fact about an interchange format.

Each format is one module under `exporters` (or an out-of-tree package) that defines `FORMAT`, a `Format`
declaring its name, the NLEs it is written for, its suffixes, how to recognise its files by content (`sniff`),
whether its output is a file or a folder, its output name, its own options model, whether it carries the frame
rate, its `validate` (preflight problems in plain words), and `write(timeline, path, options)` and/or
`read(path) -> otio.schema.Timeline`. build, check, conform, refine, the CLI help and the format contract test
(tests/test_format_contract.py) all read this registry, so adding a format is one new module, one line in
`MODULES` (or an entry point in the `scriptkit.formats` group, the way OpenTimelineIO finds its adapters) and
the format's own tests. Modules are imported only when used.

Exporters read the OTIO timeline whose shape `scriptkit.contract` describes; they import the models and the
contract, never generators, the assembler or each other (shared helpers live in `*_common` modules).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from scriptkit.errors import ScriptkitError
from scriptkit.io import library_noise_caught, sha256_file

if TYPE_CHECKING:
    import opentimelineio as otio

    from scriptkit.models import ExportOptions

#: The entry-point group out-of-tree formats register in: `name = "package.module"` (a module defining FORMAT).
ENTRY_POINT_GROUP = "scriptkit.formats"

#: When a build writes a format: for the NLEs it serves ("nle"), only for `--nle all` ("all"), for every target
#: ("always"), or for every target unless `--no-preview` ("preview").
When = Literal["nle", "all", "always", "preview"]


class FormatOptions(BaseModel):
    """A format's own options (none by default). Subclass it; field names are unique across formats, since
    manifest.json records every format's options side by side under "options"."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Format:
    """One interchange format (see the module docstring)."""

    name: str
    description: str
    #: File name suffixes it is read from, the written one first (".fcpxml"; a folder format's too: ".fcpxmld").
    suffixes: tuple[str, ...]
    #: Output name in the project folder; "{slug}" is the title's slug.
    output: str
    #: The `--nle` targets it is written for, in the order of `NLE_ORDER`.
    nles: tuple[str, ...] = ()
    #: The targets whose main import it is (written first for them: Premiere's xmeml, Avid's AAF).
    primary_for: tuple[str, ...] = ()
    when: When = "nle"
    #: The output is a folder (a CapCut draft, an FCPXML bundle) rather than one file.
    folder: bool = False
    #: An editor's timeline can come back in it (conform reads it); False for subtitles, sheets, pages, movies.
    timeline: bool = True
    #: The file states its frame rate (an EDL does not: its reader is told or guesses).
    carries_rate: bool = True
    #: It reads back everything the timeline holds (our metadata included): a project's plan can be read from it.
    lossless: bool = False
    write: Callable[[otio.schema.Timeline, Path, ExportOptions], None] | None = None
    read: Callable[[Path], otio.schema.Timeline] | None = None
    #: Content recognition: does this file or folder hold this format? (Used when a suffix is shared.)
    sniff: Callable[[Path], bool] | None = None
    #: Preflight: problems with a written output, one plain sentence each, for the NLEs it was written for.
    validate: Callable[[Path, list[str]], list[str]] | None = None
    #: Further files written beside the main output (an EDL per audio track), from the timeline and the path.
    extra_paths: Callable[[otio.schema.Timeline, Path], list[Path]] | None = None
    options: type[FormatOptions] = FormatOptions
    #: Metadata keys its reader (or OTIO's adapter) keeps the format's own fields under: conform's adapter slots.
    metadata_keys: tuple[str, ...] = ()

    @property
    def extension(self) -> str:
        """The suffix written (".fcpxml")."""
        return self.suffixes[0]

    def output_path(self, out_dir: Path, slug: str) -> Path:
        return Path(out_dir) / self.output.format(slug=slug)

    def options_from(self, options: ExportOptions) -> Any:
        """This format's options out of `options.formats`, validated (one clear line when they are wrong)."""
        values = options.formats.get(self.name, {})
        try:
            return self.options.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
            raise ScriptkitError(f"{self.name} option{' ' + where if where else ''}: {message}") from None

    def written_paths(self, timeline: otio.schema.Timeline, path: Path) -> list[Path]:
        """Every file or folder a write of `path` produces, the main output first."""
        return [path, *(self.extra_paths(timeline, path) if self.extra_paths else [])]


#: format name -> module under `exporters`, in the order a build writes them.
MODULES: dict[str, str] = {
    "fcpxml": "exporters.fcpxml",
    "otio": "exporters.otio_json",
    "edl": "exporters.edl",
    "xmeml": "exporters.xmeml",
    "aaf": "exporters.aaf",
    "kdenlive": "exporters.kdenlive",
    "mlt": "exporters.mlt",
    "capcut": "exporters.capcut",
    "jianying": "exporters.jianying",
    "otioz": "exporters.otioz",
    "srt": "exporters.subtitles",
    "vtt": "exporters.webvtt",
    "csv": "exporters.shotlist_csv",
    "storyboard": "exporters.storyboard",
    "preview": "exporters.preview",
}

#: The `--nle` targets in the order they are listed (each format names those it serves in `Format.nles`).
NLE_ORDER: tuple[str, ...] = ("resolve", "premiere", "fcp", "avid", "kdenlive", "shotcut")


@functools.cache
def _modules() -> dict[str, str]:
    """MODULES plus the formats registered by installed packages (entry points), in-tree ones first."""
    from importlib.metadata import entry_points  # only when formats are looked up (keeps `--help` quick)

    found = dict(MODULES)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.value.split(":")[0])
    return found


@functools.cache
def get_format(name: str) -> Format:
    """The `Format` registered under `name` (its module is imported now)."""
    modules = _modules()
    if name not in modules:
        raise ScriptkitError(f"unknown format {name!r}; known: {', '.join(sorted(modules))}")
    try:
        fmt = importlib.import_module(modules[name]).FORMAT
    except (ImportError, AttributeError) as exc:  # e.g. a broken out-of-tree format: one line, not a traceback
        raise ScriptkitError(f"format {name!r} ({modules[name]}) cannot be loaded: {exc}") from None
    if not isinstance(fmt, Format) or fmt.name != name:
        found = fmt.name if isinstance(fmt, Format) else type(fmt).__name__
        raise ScriptkitError(f"format module {modules[name]} registers {found!r} as FORMAT, not a Format {name!r}")
    return fmt


def refresh() -> None:
    """Forget what was looked up (after `MODULES` changed or a package registering formats was installed)."""
    for cached in (_modules, get_format, metadata_keys):
        cached.cache_clear()


def available() -> list[str]:
    """Every registered format name, in the order a build writes them."""
    return list(_modules())


def formats() -> Iterator[Format]:
    """Every registered format, in the order a build writes them."""
    return (get_format(name) for name in available())


def reference_formats() -> list[Format]:
    """The timeline formats that read back, lossless ones first: where a project's timeline is read from."""
    readable = [fmt for fmt in formats() if fmt.timeline and fmt.read is not None]
    return sorted(readable, key=lambda fmt: not fmt.lossless)


def nle_targets() -> list[str]:
    """Every `--nle` target: NLE_ORDER, then targets only out-of-tree formats name."""
    extra = [nle for fmt in formats() for nle in fmt.nles if nle not in NLE_ORDER]
    return [*NLE_ORDER, *dict.fromkeys(extra)]


@functools.cache
def metadata_keys() -> tuple[str, ...]:
    """Every format's reader metadata keys (conform's adapter slots), in registry order."""
    return tuple(dict.fromkeys(key for fmt in formats() for key in fmt.metadata_keys))


# ------------------------------------------------------------------------------------------ reading


def guess_format(path: Path) -> str:
    """The registry format of an edited timeline file or folder: by suffix, and by content (`sniff`) where
    formats share a suffix (or for a folder without one); a format without a `sniff` takes what the others
    do not recognise."""
    path = Path(path)
    timelines = [fmt for fmt in formats() if fmt.timeline and fmt.read is not None]
    suffix = path.suffix.lower()
    candidates = [fmt for fmt in timelines if suffix in fmt.suffixes] if suffix else []
    if not candidates and path.is_dir():
        candidates = [fmt for fmt in timelines if fmt.folder]
    if not candidates:
        expected = ", ".join(dict.fromkeys(s for fmt in timelines for s in fmt.suffixes))
        raise ScriptkitError(
            f"unknown timeline format {suffix or '(no suffix)'!r}", path, hint=f"expected one of {expected}"
        )
    if len(candidates) == 1 and (candidates[0].sniff is None or not path.is_dir() or candidates[0].folder):
        return candidates[0].name
    for fmt in candidates:
        if fmt.sniff is not None and _sniffs(fmt, path):
            return fmt.name
    for fmt in candidates:
        if fmt.sniff is None:
            return fmt.name
    names = " or ".join(fmt.name for fmt in candidates)
    raise ScriptkitError(f"not a {names} file: its content is not recognised", path)


def _sniffs(fmt: Format, path: Path) -> bool:
    try:
        return bool(fmt.sniff(path))  # type: ignore[misc]
    except OSError as exc:
        raise ScriptkitError(f"cannot read file: {exc.strerror}", path) from None


def head(path: Path, size: int = 4096) -> bytes:
    """The first bytes of a file, for `sniff` functions (b"" for a folder)."""
    if Path(path).is_dir():
        return b""
    with open(path, "rb") as handle:
        return handle.read(size)


def read_timeline(path: Path) -> otio.schema.Timeline:
    """Read an edited timeline through the format registry; every failure becomes one clear ScriptkitError."""
    import opentimelineio as otio

    path = Path(path)
    if not path.exists():
        raise ScriptkitError("file not found", path)
    name = guess_format(path)
    fmt = get_format(name)
    if fmt.read is None:
        raise ScriptkitError(f"scriptkit cannot read {name} files yet", path)
    try:
        with library_noise_caught():
            timeline = fmt.read(path)
    except ScriptkitError:
        raise
    except RecursionError:
        raise ScriptkitError(f"cannot read {name} file: nested too deeply", path) from None
    except Exception as exc:  # a reader's bug or a library error: still one clear line, never a traceback
        raise ScriptkitError(f"cannot read {name} file: {type(exc).__name__}: {exc}", path) from None
    if not isinstance(timeline, otio.schema.Timeline):
        raise ScriptkitError(f"the {name} file holds no timeline", path)
    return timeline


# ------------------------------------------------------------------------------------------ outputs


def output_digest(path: Path) -> str:
    """SHA-256 of an output: a file's bytes, or a folder's files (relative POSIX paths and bytes, in order)."""
    path = Path(path)
    if not path.is_dir():
        return sha256_file(path)
    digest = hashlib.sha256(b"folder\0")
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(item.relative_to(path).as_posix().encode() + b"\0" + sha256_file(item).encode() + b"\0")
    return digest.hexdigest()
