"""A toy folder format for tests: the OTIO timeline as `timeline.otio` inside a `<slug>.otiodir/` folder.

It stands in for any format whose output is a folder (a CapCut draft is one), so build, check, the manifest,
warm rebuilds and conform are tested on a folder output before a real one lands.
"""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from exporters import Format
from scriptkit.io import atomic_folder
from scriptkit.models import ExportOptions

INNER = "timeline.otio"


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    with atomic_folder(path) as folder:
        (folder / INNER).write_text(otio.adapters.write_to_string(timeline, "otio_json"), encoding="utf-8")
        (folder / "README.txt").write_text(f"{options.title}\n", encoding="utf-8")


def read(path: Path) -> otio.schema.Timeline:
    return otio.adapters.read_from_file(str(Path(path) / INNER), "otio_json")


FORMAT = Format(
    name="otiofolder",
    description="OTIO JSON inside a folder (test format)",
    suffixes=(".otiodir",),
    output="{slug}.otiodir",
    nles=("resolve",),
    folder=True,
    write=write,
    read=read,
    sniff=lambda path: (Path(path) / INNER).is_file(),
)
