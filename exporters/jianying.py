"""Jianying (剪映) draft folder: see `exporters.capcut_common` for what is written and read."""

from __future__ import annotations

from typing import Literal

from exporters import FormatOptions
from exporters.capcut_format import draft_format


class JianyingOptions(FormatOptions):
    #: The editor's system: Windows drafts hold draft_content.json, macOS drafts draft_info.json.
    jianying_os: Literal["windows", "macos"] = "windows"
    #: Also write the Timelines/<id>/ layout of newer builds.
    jianying_timelines: bool = False
    #: An empty draft the editor's own app made: its version markers are copied into ours.
    jianying_draft_seed: str | None = None


FORMAT = draft_format("jianying", JianyingOptions)
