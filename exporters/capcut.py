"""CapCut (international) draft folder: see `exporters.capcut_common` for what is written and read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from exporters import Format, FormatOptions
from exporters.capcut_common import Profile, read_draft, sniff, write_draft
from exporters.capcut_schema import validate_draft

if TYPE_CHECKING:
    import opentimelineio as otio

    from scriptkit.models import ExportOptions


class CapcutOptions(FormatOptions):
    #: The editor's system: Windows drafts hold draft_content.json, macOS drafts draft_info.json.
    capcut_os: Literal["windows", "macos"] = "windows"
    #: Also write the Timelines/<id>/ layout of newer builds.
    capcut_timelines: bool = False
    #: An empty draft the editor's own app made: its version markers are copied into ours.
    capcut_draft_seed: str | None = None


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    opts = FORMAT.options_from(options)
    seed = Path(opts.capcut_draft_seed) if opts.capcut_draft_seed else None
    write_draft(timeline, path, Profile("capcut", opts.capcut_os, opts.capcut_timelines, seed))


def read(path: Path) -> otio.schema.Timeline:
    return read_draft(path, "capcut")


FORMAT = Format(
    name="capcut",
    description="CapCut draft folder (stills/movies with camera keyframes, audio tracks, subtitles, transitions)",
    suffixes=(".capcut", ".json"),
    output="{slug}.capcut",
    nles=("capcut",),
    primary_for=("capcut",),
    folder=True,
    write=write,
    read=read,
    sniff=lambda path: sniff(path, "cc"),
    validate=validate_draft,
    options=CapcutOptions,
    metadata_keys=("capcut",),
)
