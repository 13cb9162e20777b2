"""OpenTimelineIO JSON (`.otio`): writer and reader.

Resolve 18.5+ and Premiere 25.6+ import OTIO. The file is our timeline as is (every `metadata["scriptkit"]`
survives); with `ExportOptions.relative_media` the media URLs are written relative to the project folder.
The reader accepts a Timeline, a SerializableCollection (its first timeline), or a bare Stack, Track or
Clip (as Resolve exports single clips) wrapped into a timeline, and recovers shot ids from metadata, marker,
clip name or file name.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

import opentimelineio as otio

from exporters import Format
from scriptkit.contract import shot_identity_from_names, track_role
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_write_text
from scriptkit.models import ExportOptions
from scriptkit.rates import rate_string, rational

#: Larger OTIO files are refused unread.
MAX_OTIO_BYTES = 200 * 1024 * 1024


def relative_url(url: str, project_dir: str) -> str:
    """file:// URL -> a percent-encoded path relative to `project_dir` (other URLs unchanged)."""
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return url
    relative = os.path.relpath(unquote(parsed.path), project_dir)
    return quote(Path(relative).as_posix(), safe="/-_.~")


def prepared(timeline: otio.schema.Timeline, options: ExportOptions) -> otio.schema.Timeline:
    """The timeline to serialise: a copy with relative media URLs when asked, else the timeline itself."""
    if not options.relative_media:
        return timeline
    copy = timeline.clone()
    for clip in copy.find_clips():
        ref = clip.media_reference
        if isinstance(ref, otio.schema.ExternalReference) and ref.target_url:
            ref.target_url = relative_url(ref.target_url, options.project_dir)
    return copy


def to_string(timeline: otio.schema.Timeline, options: ExportOptions) -> str:
    return otio.adapters.write_to_string(prepared(timeline, options), "otio_json") + "\n"


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    """Write `timeline` as OTIO JSON at `path` (atomically)."""
    atomic_write_text(Path(path), to_string(timeline, options))


# -------------------------------------------------------------------------------------------- reader


def _rate_of(timeline: otio.schema.Timeline) -> Fraction | None:
    for clip in timeline.find_clips():
        if clip.source_range is not None:
            return rational(clip.source_range.duration.rate)
    if timeline.global_start_time is not None:
        return rational(timeline.global_start_time.rate)
    return None


def as_timeline(obj: Any, path: Path | str) -> otio.schema.Timeline:
    """Whatever an OTIO file holds -> one Timeline (ScriptkitError when it holds none)."""
    if isinstance(obj, otio.schema.Timeline):
        return obj
    if isinstance(obj, otio.schema.SerializableCollection):
        for child in obj:
            if isinstance(child, otio.schema.Timeline):
                return child
        raise ScriptkitError("the OTIO collection holds no timeline", path)
    if isinstance(obj, otio.schema.Stack):
        timeline = otio.schema.Timeline(name=obj.name)
        timeline.tracks = obj
        return timeline
    if isinstance(obj, otio.schema.Track):
        timeline = otio.schema.Timeline(name=obj.name)
        timeline.tracks.append(obj)
        return timeline
    if isinstance(obj, otio.schema.Clip):
        timeline = otio.schema.Timeline(name=obj.name)
        track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
        clip = obj.clone()
        track.append(clip)
        timeline.tracks.append(track)
        return timeline
    raise ScriptkitError(f"the OTIO file holds a {type(obj).__name__}, not a timeline", path)


def _identity(clip: otio.schema.Clip, is_video: bool) -> dict[str, Any]:
    meta = dict(clip.metadata.get("scriptkit", {}) or {})
    if meta.get("shot_id") or meta.get("kind"):
        return meta
    return shot_identity_from_names(clip) if is_video else {}


def fix_up(timeline: otio.schema.Timeline, path: Path | str, fmt: str) -> otio.schema.Timeline:
    """Fill in the scriptkit metadata a foreign OTIO file lacks (ours already carries it)."""
    meta = dict(timeline.metadata.get("scriptkit", {}) or {})
    rate = Fraction(str(meta["fps"])) if meta.get("fps") else _rate_of(timeline)
    meta.setdefault("title", timeline.name)
    meta.setdefault("width", None)
    meta.setdefault("height", None)
    meta["fps"] = rate_string(rate) if rate else None
    meta.setdefault("drop_frame", False)
    meta["source"] = str(path)
    meta["format"] = fmt
    timeline.metadata["scriptkit"] = meta
    for index, track in enumerate(timeline.tracks):
        if not isinstance(track, otio.schema.Track):
            continue
        if not track.metadata.get("scriptkit"):
            role, character = track_role(track.name, track.kind)
            track.metadata["scriptkit"] = {"role": role, "character": character}
            if not track.name:
                track.name = f"{'V' if track.kind == otio.schema.TrackKind.Video else 'A'}{index + 1}"
        is_video = track.kind == otio.schema.TrackKind.Video
        for clip in track.find_clips(shallow_search=True):
            found = _identity(clip, is_video)
            if found:
                clip.metadata["scriptkit"] = found
    return timeline


def read(path: Path) -> otio.schema.Timeline:
    """Read an `.otio` file into a scriptkit-shaped timeline."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScriptkitError(f"cannot read file: {exc.strerror}", path) from None
    if size > MAX_OTIO_BYTES:
        raise ScriptkitError(f"file is larger than {MAX_OTIO_BYTES // 2**20} MB; refusing to read it", path)
    try:
        obj = otio.adapters.read_from_file(str(path), adapter_name="otio_json")
    except (otio.exceptions.OTIOError, ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise ScriptkitError(f"not a readable OTIO file: {exc}", path) from None
    return fix_up(as_timeline(obj, path), path, "otio")


FORMAT = Format(
    name="otio",
    description="OpenTimelineIO JSON",
    suffixes=(".otio", ".json"),
    output="{slug}.otio",
    nles=("resolve", "premiere"),
    lossless=True,
    write=write,
    read=read,
    metadata_keys=("otio",),
)
