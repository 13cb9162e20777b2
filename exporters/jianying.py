"""Jianying (剪映) draft folder: see `exporters.capcut_common` for what is written and read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from exporters import Format, FormatOptions
from exporters.capcut_common import Profile, read_draft, sniff, write_draft
from exporters.capcut_schema import validate_draft

if TYPE_CHECKING:
    import opentimelineio as otio

    from scriptkit.models import ExportOptions


class JianyingOptions(FormatOptions):
    #: The editor's system: Windows drafts hold draft_content.json, macOS drafts draft_info.json.
    jianying_os: Literal["windows", "macos"] = "windows"
    #: Also write the Timelines/<id>/ layout of newer builds.
    jianying_timelines: bool = False
    #: An empty draft the editor's own app made: its version markers are copied into ours.
    jianying_draft_seed: str | None = None


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    opts = FORMAT.options_from(options)
    seed = Path(opts.jianying_draft_seed) if opts.jianying_draft_seed else None
    write_draft(timeline, path, Profile("jianying", opts.jianying_os, opts.jianying_timelines, seed))


def read(path: Path) -> otio.schema.Timeline:
    return read_draft(path, "jianying")


FORMAT = Format(
    name="jianying",
    description="Jianying draft folder (stills/movies with camera keyframes, audio tracks, subtitles, transitions)",
    suffixes=(".jianying", ".json"),
    output="{slug}.jianying",
    nles=("jianying",),
    primary_for=("jianying",),
    folder=True,
    write=write,
    read=read,
    sniff=lambda path: sniff(path, "lv"),
    validate=validate_draft,
    options=JianyingOptions,
    metadata_keys=("capcut",),
)
