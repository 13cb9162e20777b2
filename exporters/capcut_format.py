"""The registry entries of the CapCut and Jianying drafts (one per app; `exporters.capcut_common` writes and
reads them, `exporters.capcut_schema` validates them)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from exporters import Format, FormatOptions
from exporters.capcut_common import MARKERS, App, Profile, read_draft, sniff, write_draft
from exporters.capcut_schema import validate_draft

if TYPE_CHECKING:
    import opentimelineio as otio

    from scriptkit.models import ExportOptions


#: Per app: the description `scriptkit formats` lists.
_DESCRIPTIONS = {
    "capcut": "CapCut draft folder (stills/movies with camera keyframes, audio tracks, subtitles, transitions)",
    "jianying": "Jianying (剪映) draft folder (the same content as the CapCut draft, stamped as Jianying's)",
}


def draft_format(app: App, options: type[FormatOptions]) -> Format:
    """The registry entry of one app's drafts; `options` has the fields `<app>_os`, `<app>_timelines` and
    `<app>_draft_seed` (option names are unique across formats)."""

    def write(timeline: otio.schema.Timeline, path: Path, export: ExportOptions) -> None:
        opts = fmt.options_from(export)
        seed = getattr(opts, f"{app}_draft_seed")
        system, timelines = getattr(opts, f"{app}_os"), getattr(opts, f"{app}_timelines")
        profile = Profile(app, system, timelines, Path(seed) if seed else None, export.relative_media)
        write_draft(timeline, path, profile)

    fmt = Format(
        name=app,
        description=_DESCRIPTIONS[app],
        suffixes=(f".{app}", ".json"),
        output=f"{{slug}}.{app}",
        nles=(app,),
        primary_for=(app,),
        folder=True,
        write=write,
        read=lambda path: read_draft(path, app),
        sniff=lambda path: sniff(path, MARKERS[app].app_source),
        validate=validate_draft,
        options=options,
        metadata_keys=("capcut",),
    )
    return fmt
