"""OTIOZ: an OTIO timeline with its media bundled in one zip (Resolve 18.5+ and Premiere 25.6+ import it).

Laid out as OTIO's `otioz` adapter does (and read back with it): every media file the timeline references
is copied into the bundle's `media/` folder and the timeline inside points at it by relative URL, so the
bundle opens anywhere. A missing media file is an error before anything is written; the bundle is written
through a temp file, with fixed timestamps (same timeline and media -> same bytes).
The reader reads `content.otio` from the bundle (refusing zip bombs and paths outside it) and returns the
scriptkit-shaped timeline with media URLs pointing into the bundle's `media/` folder.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import opentimelineio as otio

from exporters import Format
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_path, url_to_path
from scriptkit.models import ExportOptions

BUNDLE_VERSION = "1.0.0"
VERSION_FILE = "version.txt"
CONTENT = "content.otio"
BUNDLE_DIR = "media"
#: Biggest content.otio we accept, and the largest compression ratio (zip bomb guard).
MAX_CONTENT_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200


def missing_media(timeline: otio.schema.Timeline) -> list[str]:
    """Media files the timeline references that do not exist."""
    missing: list[str] = []
    for clip in timeline.find_clips():
        ref = clip.media_reference
        if isinstance(ref, otio.schema.ExternalReference) and ref.target_url:
            try:
                path = url_to_path(ref.target_url)
            except ValueError:
                missing.append(ref.target_url)
                continue
            if not path.is_file():
                missing.append(str(path))
    return sorted(set(missing))


def _bundle_names(timeline: otio.schema.Timeline) -> dict[str, str]:
    """Absolute media path -> its name inside the bundle (`media/<file name>`, made unique when needed)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for clip in timeline.find_clips():
        ref = clip.media_reference
        if not isinstance(ref, otio.schema.ExternalReference) or not ref.target_url:
            continue
        path = str(url_to_path(ref.target_url))
        if path in names:
            continue
        name = Path(path).name
        stem, suffix, n = Path(name).stem, Path(name).suffix, 1
        while f"{BUNDLE_DIR}/{name}" in taken:
            n += 1
            name = f"{stem}-{n}{suffix}"
        names[path] = f"{BUNDLE_DIR}/{name}"
        taken.add(names[path])
    return names


def _entry(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    """Write an `.otioz` bundle with every referenced media file inside (atomically, deterministic bytes).

    The layout is the OTIO `otioz` adapter's (version.txt and content.otio deflated, media stored under
    `media/`), written in one pass with fixed timestamps instead of through the adapter, which would copy
    every media file twice for a deterministic result.
    """
    del options
    path = Path(path)
    missing = missing_media(timeline)
    if missing:
        raise ScriptkitError(
            f"cannot bundle {len(missing)} missing media file(s), first: {missing[0]}", path, hint="regenerate"
        )
    names = _bundle_names(timeline)
    bundled = timeline.clone()
    for clip in bundled.find_clips():
        ref = clip.media_reference
        if isinstance(ref, otio.schema.ExternalReference) and ref.target_url:
            ref.target_url = names[str(url_to_path(ref.target_url))]
    content = otio.adapters.write_to_string(bundled, "otio_json")
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w") as bundle:
        bundle.writestr(_entry(VERSION_FILE, zipfile.ZIP_DEFLATED), BUNDLE_VERSION)
        bundle.writestr(_entry(CONTENT, zipfile.ZIP_DEFLATED), content)
        for source, name in names.items():
            with open(source, "rb") as data, bundle.open(_entry(name, zipfile.ZIP_STORED), "w") as out:
                shutil.copyfileobj(data, out, 1024 * 1024)


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as bundle:
            names = bundle.namelist()
            if "content.otio" not in names:
                raise ScriptkitError("not an OTIOZ bundle (no content.otio inside)", path)
            for info in bundle.infolist():
                if info.filename.startswith("/") or ".." in Path(info.filename).parts:
                    raise ScriptkitError(f"bundle entry points outside the bundle: {info.filename}", path)
            info = bundle.getinfo("content.otio")
            if info.file_size > MAX_CONTENT_BYTES or info.file_size > MAX_RATIO * max(1, info.compress_size):
                raise ScriptkitError("content.otio is too large or compressed suspiciously (zip bomb?)", path)
    except zipfile.BadZipFile:
        raise ScriptkitError("not a zip file (truncated or not an OTIOZ bundle)", path) from None
    except OSError as exc:
        raise ScriptkitError(f"cannot read file: {exc.strerror}", path) from None


def read(path: Path) -> otio.schema.Timeline:
    """Read an `.otioz` bundle into a scriptkit-shaped timeline (media URLs relative to the bundle)."""
    from exporters.otio_json import as_timeline, fix_up

    path = Path(path)
    _check_zip(path)
    module = otio.adapters.from_name("otioz").module()
    try:
        obj = module.read_from_file(str(path))
    except (otio.exceptions.OTIOError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ScriptkitError(f"not a readable OTIOZ bundle: {exc}", path) from None
    return fix_up(as_timeline(obj, path), path, "otioz")


FORMAT = Format(
    name="otioz",
    description="OpenTimelineIO bundle with media (.otioz)",
    suffixes=(".otioz",),
    output="{slug}.otioz",
    when="all",
    lossless=True,
    write=write,
    read=read,
)
