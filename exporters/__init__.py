"""Interchange formats, one module each, following OpenTimelineIO's adapter shape.

Each module defines `FORMAT`, a `Format` with a `write(timeline, path, options)` and/or a
`read(path) -> otio.schema.Timeline`. The registry maps a format name to its module; modules are
imported only when used. Exporters read the OTIO timeline built by `scriptkit.timeline`; they never
import generators or each other.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scriptkit.errors import ScriptkitError

if TYPE_CHECKING:
    import opentimelineio as otio

    from scriptkit.models import ExportOptions


@dataclass(frozen=True)
class Format:
    """One interchange format."""

    name: str
    extension: str
    description: str
    nles: tuple[str, ...] = ()
    write: Callable[[otio.schema.Timeline, Path, ExportOptions], None] | None = None
    read: Callable[[Path], otio.schema.Timeline] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


#: format name -> module under `exporters`. Adding a format is one new module and one line here.
MODULES: dict[str, str] = {
    "fcpxml": "exporters.fcpxml",
    "xmeml": "exporters.xmeml",
    "edl": "exporters.edl",
    "aaf": "exporters.aaf",
    "otio": "exporters.otio_json",
    "otioz": "exporters.otioz",
    "srt": "exporters.subtitles",
    "vtt": "exporters.webvtt",
    "csv": "exporters.shotlist_csv",
    "mlt": "exporters.mlt",
    "kdenlive": "exporters.kdenlive",
    "preview": "exporters.preview",
    "storyboard": "exporters.storyboard",
}


def get_format(name: str) -> Format:
    """The `Format` registered under `name` (its module is imported now)."""
    try:
        module = MODULES[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r}; known: {', '.join(sorted(MODULES))}") from None
    return importlib.import_module(module).FORMAT


def available() -> list[str]:
    return sorted(MODULES)


#: file suffix -> registry format name
SUFFIX_FORMATS: dict[str, str] = {
    ".fcpxml": "fcpxml",
    ".fcpxmld": "fcpxml",
    ".edl": "edl",
    ".aaf": "aaf",
    ".otio": "otio",
    ".otioz": "otioz",
    ".json": "otio",
}


def guess_format(path: Path) -> str:
    """The registry format of an edited timeline file, from its suffix (and for .xml, its root element)."""
    suffix = path.suffix.lower()
    if suffix in SUFFIX_FORMATS:
        return SUFFIX_FORMATS[suffix]
    if suffix == ".xml":
        try:
            with open(path, "rb") as handle:
                head = handle.read(4096)
        except OSError as exc:
            raise ScriptkitError(f"cannot read file: {exc.strerror}", path) from None
        return "fcpxml" if b"<fcpxml" in head else "xmeml"
    raise ScriptkitError(
        f"unknown timeline format {suffix or '(no suffix)'!r}",
        path,
        hint="expected .fcpxml, .fcpxmld, .xml (Premiere/FCP7), .edl, .aaf, .otio or .otioz",
    )


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
