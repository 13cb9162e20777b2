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
