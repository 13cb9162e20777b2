"""FCPXML (Final Cut Pro X and DaVinci Resolve): our own writer and reader.

Writer (versions 1.9-1.13, default 1.10; valid against the DTD of the version it declares):
- `<format>` with width, height and the exact rational `frameDuration` ("1001/30000s"); every time is a
  rational string on a frame boundary; the sequence starts at the timeline's 01:00:00:00 (`tcStart`),
  `tcFormat="DF"` when drop-frame is asked for at 29.97 / 59.94.
- One `<asset>` per media file with a `<media-rep>` and a percent-encoded `file://` URL (or a relative URL
  with `ExportOptions.relative_media`).
- V1 on the spine as `asset-clip`s (stills too: FCP itself writes `<video>` for stills, but only `asset-clip`
  can carry `<metadata>`), black gaps as `<gap>`, dissolves and wipes as `<transition name="Cross Dissolve">`
  (FCP's Cross Dissolve effect, or its Wipe effect for a wipe, whose SMPTE pattern rides in the transition's
  metadata), fades from/to black as
  a Cross Dissolve at the spine's edge or next to a gap (which is how FCP fades through black).
- Audio tracks as connected `asset-clip`s (lane -1, -2, ... in track order) anchored to the spine item under
  their start, with roles: `dialogue.<CHARACTER>`, `effects`, `music` (music level as `adjust-volume`).
- Dialogue also as connected captions (`<caption role="iTT?captionFormat=ITT.en">`, lane 1); a line in Han
  script as the one cue maker's cues (scriptkit/subtitle_cues.py), a caption each.
- Shot identity in every slot that survives an NLE: clip name, `<note>` ("scriptkit:<shot id> ..."), marker
  (value = shot id), keyword (scene id), `<metadata>` with `com.apple.proapps.studio.shot` / `.scene` (keys FCP
  shows and keeps) and `io.scriptkit.meta` (our full metadata as JSON). The sequence carries the timeline's
  metadata in `io.scriptkit.timeline` and its track layout in `io.scriptkit.tracks` (names, order, empty tracks).
- Disabled clips keep `enabled="0"`; OTIO marker colours map to FCP marker kinds: RED = to-do, BLUE = completed
  to-do, PURPLE = chapter marker, anything else a plain marker (read back as GREEN).

Reader (FCPXML 1.0-1.14 as written by Final Cut Pro and DaVinci Resolve; `.fcpxmld` bundles): the first
project's sequence becomes a timeline of the same shape `scriptkit.timeline` builds: spine -> "V1", connected
audio grouped by role (dialogue.<name> -> "DIALOGUE <NAME>", effects -> "SFX", music -> "MUSIC", others by
lane), connected video by lane -> "V2"...; gaps, transitions (fades where a transition meets a gap or an end),
markers, keywords, notes and metadata (in metadata["fcpxml"]), and metadata["scriptkit"] recovered from the
most specific slot that survived. Captions hang on the dialogue clip they start under as metadata["caption"]
(a Han line's several captions joined again, an English caption without its `NAME: `), so `diff` reports a
subtitle retyped in the editor and `refine` keeps it. XML is parsed safely (no DTD, no entities, no network,
size limit); a bomb, an external entity, a truncated or malformed file is a ScriptkitError naming the file and
line.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlparse

import opentimelineio as otio
from lxml import etree
from pydantic import Field, field_validator

from exporters import Format, FormatOptions, head
from exporters.subtitle_common import attach_captions
from scriptkit import safexml
from scriptkit.contract import (
    OWNER_ID,
    SHOT_ID,
    caption_of,
    clip_media,
    frames_at,
    owner_identity,
    scriptkit_meta,
    set_metadata,
    timeline_rate,
    video_track,
)
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_write_bytes, file_url
from scriptkit.mix import clip_gain
from scriptkit.models import ExportOptions
from scriptkit.rates import DROP_FRAME_RATES, rate_string, rational
from scriptkit.subtitle_cues import is_han, pieces

VERSIONS = ("1.9", "1.10", "1.11", "1.12", "1.13")
DEFAULT_VERSION = "1.10"
#: Files larger than this are refused before parsing (a real FCPXML of a feature is a few MB).

CROSS_DISSOLVE_UID = "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265"
#: FCP's Wipe transition (the uid Final Cut writes for it in its own XML exports).
WIPE_UID = "FxPlug:857E2FBA-98DB-411B-A88C-CE6ABC1F65D8"
CAPTION_ROLE = "iTT?captionFormat=ITT.en"
MD_META = "io.scriptkit.meta"
MD_TIMELINE = "io.scriptkit.timeline"
MD_TRACKS = "io.scriptkit.tracks"
MD_TRANSITION = "io.scriptkit.transition"
MD_SHOT = "com.apple.proapps.studio.shot"
MD_SCENE = "com.apple.proapps.studio.scene"
NOTE_PREFIX = "scriptkit:"

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".psd", ".exr", ".bmp", ".gif", ".webp", ".heic", ".dpx"}
AUDIO_EXTENSIONS = {".wav", ".aif", ".aiff", ".caf", ".mp3", ".m4a", ".aac", ".flac", ".ogg"}

_SIZE_NAMES = {(1920, 1080): "1080p", (1280, 720): "720p", (3840, 2160): "2160p", (4096, 2160): "4096x2160p"}
_RATE_NAMES = {
    Fraction(24000, 1001): "2398",
    Fraction(24): "24",
    Fraction(25): "25",
    Fraction(30000, 1001): "2997",
    Fraction(30): "30",
    Fraction(50): "50",
    Fraction(60000, 1001): "5994",
    Fraction(60): "60",
}
_ROLE_TRACKS = {"effects": "SFX", "music": "MUSIC"}
_MARKER_TODO = {otio.schema.MarkerColor.RED: "0", otio.schema.MarkerColor.BLUE: "1"}


# ============================================================================================ time


def fcp_time(frames: int, frame_duration: Fraction) -> str:
    """Frames -> FCPXML time: '3600s', '0s', or '1001/30000s'-style (numerator over the rate's denominator)."""
    numerator = frames * frame_duration.numerator
    whole, rest = divmod(numerator, frame_duration.denominator)
    return f"{whole}s" if rest == 0 else f"{numerator}/{frame_duration.denominator}s"


_TIME = re.compile(r"^\s*(-?\d+)(?:/(\d+))?s?\s*$")


def parse_time(text: str | None, where: tuple[Path, int | None] | None = None) -> Fraction:
    """'3600s', '1001/30000s', '0s', '3600/1s', '0' -> seconds as a Fraction ('' / None -> 0)."""
    if text is None or text.strip() == "":
        return Fraction(0)
    match = _TIME.match(text)
    if not match or match.group(2) == "0":
        path, line = where if where else (None, None)
        raise ScriptkitError(f"not an FCPXML time: {text!r}", path, line)
    return Fraction(int(match.group(1)), int(match.group(2) or 1))


# ============================================================================================ writer


_META_CACHE: dict[int, tuple[Any, dict[str, Any]]] = {}


def _meta(item: Any) -> dict[str, Any]:
    """metadata["scriptkit"] as a plain dict, converted once per object while a document is being written
    (reading OTIO metadata back into Python is the slowest part of writing)."""
    cached = _META_CACHE.get(id(item))
    if cached is not None and cached[0] is item:
        return cached[1]
    value = scriptkit_meta(item)
    _META_CACHE[id(item)] = (item, value)
    return value


def _read_all_meta(tl: otio.schema.Timeline) -> None:
    """Fill the metadata cache for the timeline, its tracks and their items in one pass: OTIO's C++ JSON
    serializer plus json.loads reads a feature's metadata several times faster than converting each
    AnyDictionary back through the bindings. Values that JSON would not give back as they are (OTIO
    objects inside our metadata) are left to `_meta`'s object-by-object path."""
    tree = json.loads(otio.core.serialize_json_to_string(tl, indent=-1))
    _remember(tl, tree)
    for track, track_tree in zip(tl.tracks, tree["tracks"]["children"], strict=True):
        _remember(track, track_tree)
        if isinstance(track, otio.schema.Track):
            for item, item_tree in zip(track, track_tree["children"], strict=True):
                _remember(item, item_tree)


def _remember(item: Any, tree: dict[str, Any]) -> None:
    value = (tree.get("metadata") or {}).get("scriptkit", {})
    if type(value) is not dict:
        value = {}
    if _plain_json(value.values()):
        _META_CACHE[id(item)] = (item, value)


def _plain_json(values: Any) -> bool:
    """True when no value (parsed JSON) holds a serialized OTIO object."""
    for value in values:
        kind = type(value)
        if kind is dict and ("OTIO_SCHEMA" in value or not _plain_json(value.values())):
            return False
        if kind is list and not _plain_json(value):
            return False
    return True


_ENCODED_FILE_URL = re.compile(r"^file:///[A-Za-z0-9/\-_.~%]*$")


def _json(value: Any) -> str:
    """Compact, sorted JSON; a value JSON has no type for (an OTIO object in foreign metadata) as its str()."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _url(target: str, out_dir: Path, relative: bool) -> str:
    """The media-rep src: absolute percent-encoded file URL, or relative to the FCPXML's folder."""
    if "://" in target and not target.startswith("file:"):
        return target
    if not relative and _ENCODED_FILE_URL.match(target):
        return target  # already absolute and percent-encoded
    from scriptkit.io import url_to_path

    path = url_to_path(target) if target.startswith("file:") else Path(target)
    if relative:
        rel = os.path.relpath(path.absolute(), out_dir.absolute())
        return quote(Path(rel).as_posix(), safe="/-_.~")
    return file_url(path)


@dataclass
class _Asset:
    id: str
    name: str
    src: str
    kind: str  # "image" | "audio" | "video"
    start: int
    end: int
    channels: int | None = None
    sample_rate: int | None = None
    seconds: float | None = None  # the media file's true length (audio), where the clip's metadata says it


@dataclass
class _Writer:
    rate: Fraction
    out_dir: Path
    relative: bool
    fd: Fraction = Fraction(1)
    assets: dict[str, _Asset] = field(default_factory=dict)
    by_url: dict[str, _Asset] = field(default_factory=dict)
    next_id: int = 3
    style_ids: int = 0
    tc_start: int = 0
    tc_format: str = "NDF"
    #: Taller than wide (9:16): a Han line's captions are one line each (scriptkit/subtitle_cues.py).
    vertical: bool = False

    def __post_init__(self) -> None:
        self.float_rate = float(self.rate)
        self.fd_num, self.fd_den = self.fd.numerator, self.fd.denominator

    def t(self, frames: int) -> str:
        """`fcp_time(frames, self.fd)` (inlined: it runs for every attribute of every clip)."""
        numerator = frames * self.fd_num
        whole, rest = divmod(numerator, self.fd_den)
        return f"{whole}s" if rest == 0 else f"{numerator}/{self.fd_den}s"

    def frames(self, rt: otio.opentime.RationalTime) -> int:
        """`frames_at(rt, self.rate)`."""
        return frames_at(rt, self.rate)

    def asset(self, clip: otio.schema.Clip, kind_hint: str) -> _Asset | None:
        ref = clip.media_reference
        if not isinstance(ref, otio.schema.ExternalReference) or not ref.target_url:
            return None
        target = ref.target_url
        available = ref.available_range
        found = self.by_url.get(target)
        if found is None:
            src = _url(target, self.out_dir, self.relative)
            found = self.assets.get(src)
            if found is not None:
                self.by_url[target] = found
        start = self.frames(available.start_time) if available else 0
        source = clip.source_range or clip.available_range()
        end = self.frames(source.end_time_exclusive())
        if available:
            end = max(end, self.frames(available.end_time_exclusive()))
        if found is None:
            url_path = urlparse(target).path
            media = Path(unquote(url_path or target))
            kind = {"still": "image", "movie": "video", "audio": "audio"}.get(clip_media(clip), kind_hint)
            if src == target and url_path:  # the common case: the URL as it is (parsed once)
                name = media.stem or clip.name
            else:
                name = Path(unquote(urlparse(src).path if "://" in src else src)).stem or clip.name
            found = self.assets[src] = _Asset(f"r{self.next_id}", name, src, kind, start, end)
            self.by_url[target] = found
            self.next_id += 1
        meta = _meta(clip)
        found.channels = found.channels or meta.get("channels")
        found.sample_rate = found.sample_rate or meta.get("sample_rate")
        found.seconds = found.seconds or meta.get("media_seconds")
        found.start = min(found.start, start)
        found.end = max(found.end, end)
        return found


def _sub(parent: etree._Element, tag: str, **attrs: str | None) -> etree._Element:
    return etree.SubElement(parent, tag, {key.rstrip("_"): value for key, value in attrs.items() if value is not None})


def _format_name(width: int, height: int, rate: Fraction) -> str | None:
    """FCP's name of a format: its HD names (FFVideoFormat1080p30), else the size spelled out as FCP does for
    other sizes (FFVideoFormat640x480p25, FFVideoFormat1080x1920p30 for a vertical project)."""
    size = _SIZE_NAMES.get((width, height)) or f"{width}x{height}p"
    code = _RATE_NAMES.get(rate)
    return f"FFVideoFormat{size}{code}" if code else None


@dataclass
class _SpineItem:
    element: etree._Element
    start: int  # absolute frame from the sequence start
    frames: int
    local_start: int  # the element's own `start` in frames


def _track_role(track: otio.schema.Track, clip: otio.schema.Clip | None) -> str:
    """The FCPXML audio role of a clip: dialogue.<CHARACTER>, effects, music."""
    tmeta = _meta(track)
    cmeta = _meta(clip) if clip is not None else {}
    role = tmeta.get("role") or {"dialogue": "dialogue", "cue": "effects", "music": "music"}.get(cmeta.get("kind"), "")
    if role == "dialogue":
        who = tmeta.get("character") if tmeta.get("role") == "dialogue" else cmeta.get("character")
        return f"dialogue.{_role_name(who)}" if who else "dialogue"
    if role in ("effects", "music"):
        return role
    name = (track.name or "").upper()
    if name.startswith("DIALOGUE "):
        return f"dialogue.{_role_name(track.name[9:])}"
    if name in ("SFX", "EFFECTS"):
        return "effects"
    if name == "MUSIC":
        return "music"
    return "dialogue"


def _role_name(name: str) -> str:
    """A subrole name FCP accepts (no dots, which separate role and subrole)."""
    return re.sub(r"[.\s]+", "_", str(name).strip().upper()) or "DIALOGUE"


def _clip_children(
    w: _Writer,
    el: etree._Element,
    clip: otio.schema.Clip,
    local_start: int,
    *,
    shot: bool,
    volume: str | None = None,
    keys: list[tuple[int, float]] | None = None,
) -> None:
    """note, adjust-volume, [anchored items are added later], markers, keyword, metadata - in DTD order."""
    meta = _meta(clip)
    shot_id = meta.get("shot_id") if shot else None
    note = _note_text(clip, meta, shot_id)
    if note:
        _sub(el, "note").text = note
    if volume is not None:
        _sub(el, "adjust-volume", amount=volume)
    elif keys:
        amount = _sub(_sub(el, "adjust-volume"), "param", name="amount")
        animation = _sub(amount, "keyframeAnimation")
        for frame, db in keys:
            _sub(animation, "keyframe", time=w.t(local_start + frame), value=f"{db:g}dB")
    el.set("_anchor_at", str(len(el)))  # where anchored items go (removed before writing)
    for marker in clip.markers:
        rng = marker.marked_range
        start = w.frames(rng.start_time)
        frames = max(1, w.frames(rng.duration))
        tag = "chapter-marker" if marker.color == otio.schema.MarkerColor.PURPLE else "marker"
        mk = _sub(el, tag, start=w.t(start), duration=w.t(frames), value=marker.name or "Marker")
        if tag == "marker" and marker.color in _MARKER_TODO:
            mk.set("completed", _MARKER_TODO[marker.color])
        if marker.comment and tag == "marker":
            mk.set("note", marker.comment)
    if shot and meta.get("scene_id"):
        src = clip.source_range
        _sub(el, "keyword", start=w.t(local_start), duration=w.t(w.frames(src.duration)), value=meta["scene_id"])
    md: list[tuple[str, str]] = []
    if shot_id:
        md.append((MD_SHOT, str(shot_id)))
        if meta.get("scene_id"):
            md.append((MD_SCENE, str(meta["scene_id"])))
    if meta:
        md.append((MD_META, _json(meta)))
    if md:
        box = _sub(el, "metadata")
        for key, value in md:
            _sub(box, "md", key=key, value=value)


def _note_text(clip: otio.schema.Clip, meta: dict[str, Any], shot_id: str | None) -> str:
    if shot_id:
        text = f"{NOTE_PREFIX}{shot_id}"
        if meta.get("line"):
            text += f" line {meta['line']}"
        if meta.get("action"):
            text += f": {meta['action']}"
        return text
    if meta.get("kind") == "dialogue" and meta.get("text"):
        return f"{NOTE_PREFIX}{clip.name} {meta.get('character', '')}: {meta['text']}"
    if meta.get("kind") in ("cue", "music"):
        return f"{NOTE_PREFIX}{clip.name}"
    return ""


def _write_spine(w: _Writer, spine: etree._Element, track: otio.schema.Track | None) -> list[_SpineItem]:
    items: list[_SpineItem] = []
    if track is None:
        return items
    pos = 0
    for item in track:
        if isinstance(item, otio.schema.Transition):
            _write_transition(w, spine, item, pos)
            continue
        frames = w.frames(item.duration())
        if frames <= 0:
            continue
        asset = w.asset(item, "video") if isinstance(item, otio.schema.Clip) else None
        if asset is None:
            name = item.name or ("black" if isinstance(item, otio.schema.Gap) else None)
            el = _sub(spine, "gap", name=name, offset=w.t(pos + w.tc_start), start="0s", duration=w.t(frames))
            local = 0
            if isinstance(item, otio.schema.Clip):
                _clip_children(w, el, item, 0, shot=False)
            else:
                el.set("_anchor_at", "0")
        else:
            local = w.frames(item.source_range.start_time) if item.source_range else asset.start
            el = _sub(
                spine,
                "asset-clip",
                ref=asset.id,
                offset=w.t(pos + w.tc_start),
                name=item.name or asset.name,
                start=w.t(local),
                duration=w.t(frames),
                enabled=None if item.enabled else "0",
                tcFormat=w.tc_format,
            )
            _clip_children(w, el, item, local, shot=True)
        items.append(_SpineItem(el, pos, frames, local))
        pos += frames
    return items


def _write_transition(w: _Writer, spine: etree._Element, tr: otio.schema.Transition, cut: int) -> None:
    in_off = w.frames(tr.in_offset)
    out_off = w.frames(tr.out_offset)
    if in_off + out_off <= 0:
        return
    meta = _meta(tr)
    kind = meta.get("kind", "dissolve")
    name = "Wipe" if kind == "wipe" else "Cross Dissolve"
    el = _sub(spine, "transition", name=name, offset=w.t(cut - in_off + w.tc_start), duration=w.t(in_off + out_off))
    _sub(el, "filter-video", ref="r3" if kind == "wipe" else "r2", name=name)
    value = kind + (f":{meta['wipe']}" if kind == "wipe" and meta.get("wipe") else "")
    box = _sub(el, "metadata")
    _sub(box, "md", key=MD_TRANSITION, value=value)


def _anchor(items: list[_SpineItem], starts: list[int], start: int) -> _SpineItem:
    """The spine item an item starting at `start` is connected to (the one under it, else the nearest)."""
    return items[max(0, bisect.bisect_right(starts, start) - 1)]


def _write_connected(w: _Writer, tl: otio.schema.Timeline, items: list[_SpineItem], video: Any) -> list[list[Any]]:
    """Every non-spine track as connected clips; returns the track layout [name, kind, meta, key the reader
    will group its clips under] that the sequence records."""
    audio_lane = 0
    video_lane = 1  # lane 1 is the captions' lane
    starts = [item.start for item in items]
    layout: list[list[Any]] = []
    for track in tl.tracks:
        if track is video:
            layout.insert(0, [track.name, track.kind, _meta(track), "V1"])
            continue
        is_audio = track.kind == otio.schema.TrackKind.Audio
        if is_audio:
            audio_lane -= 1
            lane = audio_lane
            first = next((c for c in track if isinstance(c, otio.schema.Clip)), None)
            key = _audio_key(_track_role(track, first), lane)
        else:
            video_lane += 1
            lane = video_lane
            key = f"V{lane + 1}"
        layout.append([track.name, track.kind, _meta(track), key])
        pos = 0
        for item in track:
            if isinstance(item, otio.schema.Transition):
                continue
            frames = w.frames(item.duration())
            if isinstance(item, otio.schema.Clip) and frames > 0:
                _write_connected_clip(w, track, item, items, starts, pos, frames, lane, is_audio)
            pos += frames
    return layout


def _write_connected_clip(
    w: _Writer,
    track: otio.schema.Track,
    clip: otio.schema.Clip,
    items: list[_SpineItem],
    starts: list[int],
    pos: int,
    frames: int,
    lane: int,
    is_audio: bool,
) -> None:
    asset = w.asset(clip, "audio" if is_audio else "video")
    if asset is None:
        return
    parent = _anchor(items, starts, pos)
    local = w.frames(clip.source_range.start_time) if clip.source_range else asset.start
    offset = parent.local_start + (pos - parent.start)
    el = etree.Element("asset-clip")
    for key, value in (
        ("ref", asset.id),
        ("lane", str(lane)),
        ("offset", w.t(offset)),
        ("name", clip.name or asset.name),
        ("start", w.t(local)),
        ("duration", w.t(frames)),
        ("tcFormat", w.tc_format),
    ):
        el.set(key, value)
    if not clip.enabled:
        el.set("enabled", "0")
    if is_audio:
        el.set("audioRole", _track_role(track, clip))
    meta = _meta(clip)
    level, keys = clip_gain(meta)  # the mix: a clip gain, or the music's ducking keyframes
    volume = f"{level:g}dB" if level and not keys else None
    _clip_children(w, el, clip, local, shot=False, volume=volume, keys=keys)
    el.attrib.pop("_anchor_at")
    _insert_anchored(parent.element, el)
    text = caption_of(meta) if meta.get("kind") == "dialogue" else ""
    if text:
        if not is_han(text):
            _insert_anchored(
                parent.element, _caption(w, f"{meta.get('character', '')}: {text}".strip(": "), offset, frames)
            )
            return
        # a Han line: the cue maker's cues, each a caption of its own (no speaker prefix: 16 units a line)
        for piece in pieces(text, offset, offset + frames, w.rate, vertical=w.vertical):
            _insert_anchored(parent.element, _caption(w, "\n".join(piece.lines), piece.start, piece.end - piece.start))


def _caption(w: _Writer, text: str, offset: int, frames: int) -> etree._Element:
    w.style_ids += 1
    style = f"ts{w.style_ids}"
    el = etree.Element("caption")
    for key, value in (
        ("lane", "1"),
        ("offset", w.t(offset)),
        ("name", text[:60]),
        ("start", "0s"),
        ("duration", w.t(frames)),
        ("role", CAPTION_ROLE),
    ):
        el.set(key, value)
    body = _sub(el, "text", placement="bottom")
    _sub(body, "text-style", ref=style).text = text
    sdef = _sub(el, "text-style-def", id=style)
    _sub(
        sdef,
        "text-style",
        font=".AppleSystemUIFont",
        fontSize="13",
        fontFace="Regular",
        fontColor="1 1 1 1",
        backgroundColor="0 0 0 1",
    )
    return el


def _insert_anchored(parent: etree._Element, child: etree._Element) -> None:
    """Anchored items go after note/adjust-* and before markers/keywords/metadata (DTD order)."""
    at = int(parent.get("_anchor_at", "0"))
    parent.insert(at, child)
    parent.set("_anchor_at", str(at + 1))


class FcpxmlOptions(FormatOptions):
    """`--fcpxml-version`: which FCPXML version the document declares (and is valid against)."""

    fcpxml_version: str = Field(DEFAULT_VERSION, description="--fcpxml-version: " + ", ".join(VERSIONS))

    @field_validator("fcpxml_version")
    @classmethod
    def _supported(cls, version: str) -> str:
        if version not in VERSIONS:
            raise ValueError(f"unsupported FCPXML version {version!r}; use one of {', '.join(VERSIONS)}")
        return version


def to_bytes(tl: otio.schema.Timeline, out_path: Path, options: ExportOptions) -> bytes:
    """The FCPXML document for `tl` as bytes (deterministic)."""
    _META_CACHE.clear()
    try:
        _read_all_meta(tl)
        return _to_bytes(tl, Path(out_path), options)
    finally:
        _META_CACHE.clear()


def _has_wipe(tl: otio.schema.Timeline) -> bool:
    return any(
        isinstance(item, otio.schema.Transition) and _meta(item).get("kind") == "wipe"
        for track in tl.tracks
        for item in track
    )


def _to_bytes(tl: otio.schema.Timeline, out_path: Path, options: ExportOptions) -> bytes:
    version = FORMAT.options_from(options).fcpxml_version
    rate = timeline_rate(tl)
    tmeta = _meta(tl)
    drop = bool(options.drop_frame or tmeta.get("drop_frame"))
    if drop and rate not in DROP_FRAME_RATES:
        raise ScriptkitError(
            f"drop-frame timecode exists only at 29.97 and 59.94, not at {float(rate):.3f} fps", out_path
        )
    width = int(tmeta.get("width") or 1920)
    height = int(tmeta.get("height") or 1080)
    tc_start = frames_at(tl.global_start_time, rate) if tl.global_start_time is not None else 0
    w = _Writer(
        rate=rate,
        out_dir=Path(out_path).parent,
        relative=options.relative_media,
        fd=1 / rate,
        tc_start=tc_start,
        tc_format="DF" if drop else "NDF",
        vertical=height > width,
    )

    root = etree.Element("fcpxml", version=version)
    resources = _sub(root, "resources")
    _sub(
        resources,
        "format",
        id="r1",
        name=_format_name(width, height, rate),
        frameDuration=fcp_time(1, w.fd),
        width=str(width),
        height=str(height),
        colorSpace="1-1-1 (Rec. 709)",
    )
    _sub(resources, "effect", id="r2", name="Cross Dissolve", uid=CROSS_DISSOLVE_UID)
    if _has_wipe(tl):  # declared only where used, so timelines without wipes keep their resource ids
        _sub(resources, "effect", id="r3", name="Wipe", uid=WIPE_UID)
        w.next_id = 4
    title = tl.name or options.title or "Untitled"
    library = _sub(root, "library")
    event = _sub(library, "event", name=title)
    project = _sub(event, "project", name=title)
    sequence = _sub(
        project,
        "sequence",
        format="r1",
        duration="0s",
        tcStart=w.t(w.tc_start),
        tcFormat="DF" if drop else "NDF",
        audioLayout="stereo",
        audioRate="48k",
    )
    spine = _sub(sequence, "spine")
    video = video_track(tl)
    items = _write_spine(w, spine, video)
    if not items:
        gap_frames = max(1, frames_at(tl.duration(), rate))
        el = _sub(spine, "gap", name="empty", offset=w.t(w.tc_start), start="0s", duration=w.t(gap_frames))
        el.set("_anchor_at", "0")
        items = [_SpineItem(el, 0, gap_frames, 0)]
    layout = _write_connected(w, tl, items, video)
    total = items[-1].start + items[-1].frames
    sequence.set("duration", w.t(total))
    box = _sub(sequence, "metadata")
    if tmeta:
        _sub(box, "md", key=MD_TIMELINE, value=_json(tmeta))
    _sub(box, "md", key=MD_TRACKS, value=_json(layout))

    for asset in sorted(w.assets.values(), key=lambda a: int(a.id[1:])):
        el = _sub(resources, "asset", id=asset.id, name=asset.name, start=w.t(asset.start))
        el.set("duration", w.t(max(1, asset.end - asset.start)))
        if asset.kind == "audio" and asset.sample_rate and asset.seconds and asset.start == 0:
            # as Final Cut writes an audio file: its length in samples, never rounded up past the file's end
            el.set("duration", fcp_time(round(asset.seconds * asset.sample_rate), Fraction(1, asset.sample_rate)))
        if asset.kind == "audio":
            el.set("hasAudio", "1")
            el.set("audioSources", "1")
            if asset.channels:
                el.set("audioChannels", str(asset.channels))
            if asset.sample_rate:
                el.set("audioRate", str(asset.sample_rate))
        else:
            el.set("hasVideo", "1")
            el.set("format", "r1")
            el.set("videoSources", "1")
        _sub(el, "media-rep", kind="original-media", src=asset.src)
    for el in root.iter():
        el.attrib.pop("_anchor_at", None)
    etree.indent(root, space="    ")
    body = etree.tostring(root, encoding="UTF-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n\n' + body + b"\n"


def write(tl: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    """Write `tl` as FCPXML to `path` (atomically)."""
    atomic_write_bytes(Path(path), to_bytes(tl, Path(path), options))


# ============================================================================================ reader


def _fail(path: Path, message: str, line: int | None = None) -> ScriptkitError:
    return ScriptkitError(message, path, line)


def _load(path: Path) -> tuple[etree._Element, Path]:
    """Parse an .fcpxml file or .fcpxmld bundle safely; returns (root, the file actually read)."""
    path = Path(path)
    if path.is_dir():
        inner = path / "Info.fcpxml"
        if not inner.is_file():
            raise _fail(path, "not an FCPXML bundle: no Info.fcpxml inside")
        path = inner
    return _fcpxml_root(safexml.parse_file(path), path), path


def _fcpxml_root(root: etree._Element, path: Path) -> etree._Element:
    if root.tag != "fcpxml":
        raise _fail(path, f"not an FCPXML file (root element <{root.tag}>)")
    return root


@dataclass
class _Ctx:
    path: Path
    rate: Fraction
    resources: dict[str, etree._Element]
    tc_start: Fraction
    connected: list[tuple[int, int, str, otio.schema.Clip, str]] = field(default_factory=list)
    #: every <caption> (start frame, end frame, text), hung on the lines they caption once the tracks are read
    captions: list[tuple[int, int, str]] = field(default_factory=list)
    #: parsed time attributes by text (a document repeats the same few durations and starts many times)
    times: dict[str | None, Fraction] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.float_rate = float(self.rate)
        self.rate_num, self.rate_den = self.rate.numerator, self.rate.denominator

    def time(self, el: etree._Element, attr: str, default: str | None = None) -> Fraction:
        text = el.get(attr, default)
        value = self.times.get(text)
        if value is None:
            value = self.times[text] = parse_time(text, (self.path, el.sourceline))
        return value

    def frames(self, seconds: Fraction) -> int:
        """round(seconds * rate) (half to even, as round() does for a Fraction), in integers."""
        numerator, denominator = seconds.numerator * self.rate_num, seconds.denominator * self.rate_den
        whole, rest = divmod(numerator, denominator)
        if 2 * rest > denominator or (2 * rest == denominator and whole % 2):
            whole += 1
        return whole

    def rt(self, frames: int) -> otio.opentime.RationalTime:
        return otio.opentime.RationalTime(frames, self.float_rate)

    def range(self, start: int, frames: int) -> otio.opentime.TimeRange:
        return otio.opentime.TimeRange(self.rt(start), self.rt(frames))


_CLIP_TAGS = {
    "asset-clip",
    "clip",
    "video",
    "audio",
    "ref-clip",
    "sync-clip",
    "mc-clip",
    "title",
    "audition",
    "live-drawing",
}
_NOTE_ID = re.compile(re.escape(NOTE_PREFIX) + r"([\w.-]+)")


def _find_sequence(root: etree._Element, path: Path) -> tuple[etree._Element, etree._Element | None]:
    for project in root.iter("project"):
        sequence = project.find("sequence")
        if sequence is not None:
            return sequence, project
    raise _fail(path, "no project (sequence) in this FCPXML: export a project/timeline, not event clips")


def _media_src(asset: etree._Element, base: Path) -> str | None:
    src = None
    for rep in asset.iter("media-rep"):
        if rep.get("kind", "original-media") == "original-media":
            src = rep.get("src")
            break
    if src is None:
        rep = asset.find("media-rep")
        src = rep.get("src") if rep is not None else asset.get("src")
    if not src:
        return None
    if src.startswith("file://localhost/"):
        src = "file:///" + src[len("file://localhost/") :]
    if "://" not in src:
        return urljoin(file_url(base.parent) + "/", src)
    return src


def _int(el: etree._Element, attr: str, path: Path) -> int:
    """An integer attribute (0 when absent), or a ScriptkitError naming the line."""
    text = el.get(attr)
    if text is None or text.strip() == "":
        return 0
    try:
        return int(text)
    except ValueError:
        raise _fail(path, f"<{el.tag} {attr}> must be a whole number, not {text!r}", el.sourceline) from None


def _rate_of(sequence: etree._Element, resources: dict[str, etree._Element], path: Path) -> tuple[Fraction, int, int]:
    fmt = resources.get(sequence.get("format", ""))
    candidates = [fmt] if fmt is not None else []
    candidates += [r for r in resources.values() if r.tag == "format"]
    for f in candidates:
        if f is not None and f.get("frameDuration"):
            fd = parse_time(f.get("frameDuration"), (path, f.sourceline))
            if fd <= 0:
                raise _fail(path, f"frameDuration must be positive: {f.get('frameDuration')!r}", f.sourceline)
            width = _int(f, "width", path) or (_int(fmt, "width", path) if fmt is not None else 0) or 1920
            height = _int(f, "height", path) or (_int(fmt, "height", path) if fmt is not None else 0) or 1080
            return rational(float(1 / fd)), width, height
    raise _fail(path, "no frame rate: the sequence's <format> has no frameDuration", sequence.sourceline)


def _texts(el: etree._Element) -> tuple[str, list[str], dict[str, str]]:
    note = el.findtext("note") or ""
    keywords = [k.get("value", "") for k in el.findall("keyword")]
    md: dict[str, str] = {}
    box = el.find("metadata")
    if box is not None:
        for m in box.findall("md"):
            if m.get("key") and m.get("value") is not None:
                md[m.get("key")] = m.get("value")  # type: ignore[index]
    return note, keywords, md


def _recover(clip: otio.schema.Clip, note: str, md: dict[str, str], src: str | None) -> dict[str, Any]:
    """metadata["scriptkit"] from the most specific slot that survived, with "id_source" saying which."""
    if MD_META in md:
        try:
            meta = json.loads(md[MD_META])
        except ValueError:
            meta = None
        if isinstance(meta, dict) and meta.get("kind"):
            meta["id_source"] = "metadata"
            return meta
    found: tuple[str, str] | None = None
    match = _NOTE_ID.search(note)
    if match:
        found = (match.group(1), "note")
    elif SHOT_ID.match(md.get(MD_SHOT, "")):
        found = (md[MD_SHOT], "metadata")
    else:
        for marker in clip.markers:
            if SHOT_ID.match(marker.name or ""):
                found = (marker.name, "marker")
                break
        else:
            stem = Path(unquote(urlparse(src).path)).stem if src else ""
            for value, where in ((clip.name or "", "name"), (stem, "file")):
                if SHOT_ID.match(value) or OWNER_ID.match(value):
                    found = (value, where)
                    break
    if found is None:
        return {}
    ident, where = found
    return {**(owner_identity(ident) or {"kind": "shot", "shot_id": ident}), "id_source": where}


def _markers(ctx: _Ctx, el: etree._Element) -> list[otio.schema.Marker]:
    out = []
    for m in el:
        if m.tag not in ("marker", "chapter-marker"):
            continue
        start = ctx.frames(ctx.time(m, "start"))
        frames = max(1, ctx.frames(ctx.time(m, "duration", "0s")))
        color = otio.schema.MarkerColor.GREEN
        if m.tag == "chapter-marker":
            color = otio.schema.MarkerColor.PURPLE
        elif m.get("completed") == "0":
            color = otio.schema.MarkerColor.RED
        elif m.get("completed") == "1":
            color = otio.schema.MarkerColor.BLUE
        out.append(
            otio.schema.Marker(
                name=m.get("value", ""), marked_range=ctx.range(start, frames), color=color, comment=m.get("note", "")
            )
        )
    return out


def _primary(el: etree._Element) -> etree._Element:
    """The element that holds the media of a story element: itself, an audition's active pick, or a clip's
    lane-0 child."""
    if el.tag == "audition":
        for child in el:
            if child.tag in _CLIP_TAGS:
                return _primary(child)
    return el


def _media_of(ctx: _Ctx, el: etree._Element) -> tuple[etree._Element | None, Fraction]:
    """(asset resource, offset of media time relative to the element's local time) for a story element."""
    if el.tag in ("asset-clip", "video", "audio"):
        res = ctx.resources.get(el.get("ref", ""))
        if res is not None and res.tag == "asset":
            return res, Fraction(0)
        return None, Fraction(0)
    if el.tag in ("clip", "sync-clip"):
        inner_parent = el.find("spine") if el.find("spine") is not None else el
        for child in inner_parent:
            if child.tag in _CLIP_TAGS and child.get("lane", "0") == "0":
                res, shift = _media_of(ctx, _primary(child))
                if res is not None:
                    # media time = local time - child.offset + child.start
                    return res, shift - ctx.time(child, "offset") + ctx.time(child, "start")
                return None, Fraction(0)
    return None, Fraction(0)


def _make_clip(ctx: _Ctx, el: etree._Element, frames: int) -> otio.schema.Clip:
    item = _primary(el)
    start = ctx.time(item, "start")
    asset, shift = _media_of(ctx, item)
    src = _media_src(asset, ctx.path) if asset is not None else None
    name = item.get("name") or (asset.get("name") if asset is not None else "") or item.tag
    media_start = start + shift
    if src:
        a_start = ctx.time(asset, "start") if asset is not None else Fraction(0)
        a_dur = ctx.time(asset, "duration") if asset is not None else Fraction(0)
        ref: otio.core.MediaReference = otio.schema.ExternalReference(target_url=src)
        if a_dur > 0:
            ref.available_range = ctx.range(ctx.frames(a_start), max(ctx.frames(a_dur), 1))
        ref.name = asset.get("name", "") if asset is not None else ""
    elif item.tag == "title" or (item.tag == "video" and ctx.resources.get(item.get("ref", ""), el).tag == "effect"):
        effect = ctx.resources.get(item.get("ref", ""))
        ref = otio.schema.GeneratorReference(
            name=name, generator_kind=effect.get("name", "effect") if effect is not None else item.tag
        )
    else:
        ref = otio.schema.MissingReference()
    clip = otio.schema.Clip(name=name, media_reference=ref, source_range=ctx.range(ctx.frames(media_start), frames))
    markers = _markers(ctx, item)
    shift_frames = ctx.frames(shift)
    for marker in markers:
        if shift_frames:
            marker.marked_range = ctx.range(
                round(marker.marked_range.start_time.value) + shift_frames, round(marker.marked_range.duration.value)
            )
        clip.markers.append(marker)
    note, keywords, md = _texts(item)
    info: dict[str, Any] = {"tag": item.tag, "line": item.sourceline}
    if note:
        info["note"] = note
    if keywords:
        info["keywords"] = keywords
    shown = {k: v for k, v in md.items() if k != MD_META}  # our JSON is parsed into metadata["scriptkit"]
    if shown:
        info["md"] = shown
    for key in ("audioRole", "videoRole", "role", "lane", "enabled"):
        if item.get(key) is not None:
            info[key] = item.get(key)
    set_metadata(clip, "fcpxml", info)
    if item.get("enabled") == "0":
        clip.enabled = False
    meta = _recover(clip, note, md, src)
    if meta:
        set_metadata(clip, "scriptkit", meta)
    return clip


def _duration(ctx: _Ctx, el: etree._Element) -> Fraction:
    """A story element's duration: its own, an audition's active pick's, or (asset-clip) what is left of the asset."""
    item = _primary(el)
    if item.get("duration") is not None:
        return ctx.time(item, "duration")
    if item.tag == "asset-clip":
        asset = ctx.resources.get(item.get("ref", ""))
        if asset is not None and asset.get("duration"):
            return max(Fraction(0), ctx.time(asset, "duration") + ctx.time(asset, "start") - ctx.time(item, "start"))
    return Fraction(0)


def _collect_anchored(ctx: _Ctx, el: etree._Element, parent_abs: int, parent_local: Fraction) -> None:
    """Anchored (lane != 0) story elements of `el`, at absolute frames, into ctx.connected."""
    for child in el:
        lane = child.get("lane")
        if lane in (None, "0"):
            continue
        if child.tag == "caption":
            start = parent_abs + ctx.frames(ctx.time(child, "offset") - parent_local)
            text = "".join(style.text or "" for style in child.findall("text/text-style"))
            ctx.captions.append((start, start + ctx.frames(_duration(ctx, child)), text))
            continue
        if child.tag == "spine":
            pos = parent_abs + ctx.frames(ctx.time(child, "offset") - parent_local)
            for inner in child:
                if inner.tag == "transition":
                    continue
                frames = ctx.frames(_duration(ctx, inner))
                if inner.tag in _CLIP_TAGS:
                    _add_connected(ctx, inner, pos, frames, _int(child, "lane", ctx.path))
                _collect_anchored(ctx, _primary(inner), pos, ctx.time(_primary(inner), "start"))
                pos += frames
            continue
        if child.tag not in _CLIP_TAGS:
            continue
        start = parent_abs + ctx.frames(ctx.time(child, "offset") - parent_local)
        frames = ctx.frames(_duration(ctx, child))
        _add_connected(ctx, child, start, frames, _int(child, "lane", ctx.path))
        _collect_anchored(ctx, _primary(child), start, ctx.time(_primary(child), "start"))


def _add_connected(ctx: _Ctx, el: etree._Element, start: int, frames: int, lane: int) -> None:
    if frames <= 0:
        return
    item = _primary(el)
    clip = _make_clip(ctx, el, frames)
    asset, _ = _media_of(ctx, item)
    audio_only = item.tag == "audio" or (
        asset is not None and asset.get("hasVideo", "0") != "1" and asset.get("hasAudio") == "1"
    )
    role = item.get("audioRole") or item.get("role") or ""
    if (lane < 0 and (audio_only or item.get("audioRole"))) or item.tag == "audio":
        key = _audio_key(role, lane)
        kind = "audio"
    else:
        key = f"V{lane + 1}" if lane > 0 else f"V{lane}"
        kind = "video"
    ctx.connected.append((start, frames, key, clip, kind))


def _audio_key(role: str, lane: int) -> str:
    base = role.split("?")[0]
    main, _, sub = base.partition(".")
    main = main.lower()
    if main == "dialogue":
        if sub and not re.match(r"^dialogue-\d+$", sub, re.IGNORECASE):
            return f"DIALOGUE {sub.replace('_', ' ').upper()}"
        return "DIALOGUE"
    if main in _ROLE_TRACKS:
        return _ROLE_TRACKS[main]
    if main:
        return base.upper()
    return f"A{-lane}"


def _read_spine(ctx: _Ctx, spine: etree._Element) -> otio.schema.Track:
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    set_metadata(track, "scriptkit", {"role": "video", "character": None})
    children = [c for c in spine if c.tag in _CLIP_TAGS or c.tag in ("gap", "transition")]
    positions: list[int] = []
    pos = 0
    for child in children:
        positions.append(pos)
        if child.tag != "transition":
            pos += ctx.frames(_duration(ctx, child))
    for index, child in enumerate(children):
        start = positions[index]
        if child.tag == "transition":
            track.append(_read_transition(ctx, child, children, index, start))
            continue
        frames = ctx.frames(_duration(ctx, child))
        if frames <= 0:
            continue
        if child.tag == "gap":
            gap = otio.schema.Gap(source_range=ctx.range(0, frames), name=child.get("name", ""))
            origin = ctx.frames(ctx.time(child, "start"))
            for marker in _markers(ctx, child):
                rng = marker.marked_range
                marker.marked_range = ctx.range(round(rng.start_time.value) - origin, round(rng.duration.value))
                gap.markers.append(marker)
            track.append(gap)
        else:
            track.append(_make_clip(ctx, child, frames))
        item = _primary(child)
        _collect_anchored(ctx, item, start, ctx.time(item, "start"))
    return track


def _read_transition(
    ctx: _Ctx, el: etree._Element, children: list[etree._Element], index: int, cut: int
) -> otio.schema.Transition:
    duration = ctx.frames(ctx.time(el, "duration"))
    if el.get("offset") is not None:
        begin = ctx.frames(ctx.time(el, "offset") - ctx.tc_start)
        in_off = min(max(cut - begin, 0), duration)
    else:
        in_off = duration // 2
    prev = children[index - 1] if index > 0 else None
    nxt = children[index + 1] if index + 1 < len(children) else None
    _, _, md = _texts(el)
    kind_text = md.get(MD_TRANSITION, "")
    meta: dict[str, Any] = {}
    if prev is None or prev.tag == "gap":
        meta["kind"] = "fade_in"
        in_off = 0
    elif nxt is None or nxt.tag == "gap":
        meta["kind"] = "fade_out"
        in_off = duration
    elif kind_text.startswith("wipe"):
        meta["kind"] = "wipe"
        meta["wipe"] = kind_text.partition(":")[2] or "wipe"
    else:
        meta["kind"] = "dissolve"
    if nxt is not None and meta["kind"] != "fade_out":
        note, _, nmd = _texts(_primary(nxt))
        match = _NOTE_ID.search(note)
        if match or nmd.get(MD_SHOT):
            meta["shot_id"] = match.group(1) if match else nmd[MD_SHOT]
    elif prev is not None:
        note, _, pmd = _texts(_primary(prev))
        match = _NOTE_ID.search(note)
        if match or pmd.get(MD_SHOT):
            meta["shot_id"] = match.group(1) if match else pmd[MD_SHOT]
    name = {"fade_in": "Fade In", "fade_out": "Fade Out"}.get(meta["kind"], el.get("name") or "Cross Dissolve")
    tr = otio.schema.Transition(
        name=name,
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=ctx.rt(in_off),
        out_offset=ctx.rt(duration - in_off),
    )
    set_metadata(tr, "scriptkit", meta)
    set_metadata(tr, "fcpxml", {"name": el.get("name", ""), "line": el.sourceline})
    return tr


def _lay_connected(ctx: _Ctx) -> list[otio.schema.Track]:
    """Connected clips -> tracks, grouped by key (role or lane); overlapping clips spill to a new track."""
    groups: dict[str, list[tuple[int, int, otio.schema.Clip, str]]] = {}
    for start, frames, key, clip, kind in ctx.connected:
        groups.setdefault(key, []).append((start, frames, clip, kind))
    tracks: list[otio.schema.Track] = []
    video_keys = sorted((k for k in groups if groups[k][0][3] == "video"), key=lambda k: int(k[1:]))
    audio_keys = [k for k in _ordered_audio(groups) if groups[k][0][3] == "audio"]
    for key in video_keys + audio_keys:
        lanes: list[tuple[otio.schema.Track, list[int]]] = []
        kind = groups[key][0][3]
        for start, frames, clip, _ in sorted(groups[key], key=lambda g: (g[0], g[2].name)):
            free = [n for n, (_, end) in enumerate(lanes) if end[0] <= start]
            if free:
                track, end = lanes[free[0]]
            else:
                name = key if not lanes else f"{key} {len(lanes) + 1}"
                track = otio.schema.Track(
                    name=name, kind=otio.schema.TrackKind.Audio if kind == "audio" else otio.schema.TrackKind.Video
                )
                set_metadata(track, "scriptkit", _track_meta(key, kind))
                end = [0]
                lanes.append((track, end))
            if start > end[0]:
                track.append(otio.schema.Gap(source_range=ctx.range(0, start - end[0])))
            track.append(clip)
            end[0] = start + frames
        tracks.extend(track for track, _ in lanes)
    return tracks


def _ordered_audio(groups: dict[str, list[Any]]) -> list[str]:
    """Dialogue tracks first (in order of first appearance), then SFX, MUSIC, then the rest."""

    def rank(key: str) -> tuple[int, int]:
        first = min(g[0] for g in groups[key])
        if key.startswith("DIALOGUE"):
            return (0, first)
        return ({"SFX": 1, "MUSIC": 2}.get(key, 3), first)

    return sorted(groups, key=rank)


def _track_meta(key: str, kind: str) -> dict[str, Any]:
    if kind == "video":
        return {"role": "video", "character": None}
    if key.startswith("DIALOGUE"):
        return {"role": "dialogue", "character": key[9:] or None}
    return {"role": {"SFX": "effects", "MUSIC": "music"}.get(key, "audio"), "character": None}


def _order_tracks(tracks: list[otio.schema.Track], layout_json: str | None) -> list[otio.schema.Track]:
    """Our own files record their track layout: restore its names, order and empty tracks (no lane holds those).
    Tracks the layout does not know (an editor's additions) follow in the reader's order."""
    try:
        layout = json.loads(layout_json) if layout_json else None
    except ValueError:
        layout = None
    valid = isinstance(layout, list) and all(
        isinstance(e, list) and len(e) == 4 and isinstance(e[0], str) and isinstance(e[3], str) for e in layout
    )
    if not valid:
        return tracks
    by_key = {t.name: t for t in tracks}
    ordered: list[otio.schema.Track] = []
    for name, kind, meta, key in layout[1:]:  # the first is the spine
        track = by_key.pop(key, None)
        if track is None:
            kind = otio.schema.TrackKind.Audio if kind == otio.schema.TrackKind.Audio else otio.schema.TrackKind.Video
            track = otio.schema.Track(name=name, kind=kind)
        track.name = name
        if isinstance(meta, dict) and meta:
            set_metadata(track, "scriptkit", meta)
        ordered.append(track)
    return ordered + [t for t in tracks if t.name in by_key]


def read(path: Path) -> otio.schema.Timeline:
    """Read an .fcpxml file or .fcpxmld bundle into a timeline of scriptkit's shape."""
    root, real = _load(Path(path))
    return _timeline(root, real)


def _read_bytes(data: bytes, path: Path) -> otio.schema.Timeline:
    """Read FCPXML from bytes; `path` names it in errors and anchors relative media URLs."""
    return _timeline(_fcpxml_root(safexml.parse_bytes(data, path), Path(path)), Path(path))


def _timeline(root: etree._Element, real: Path) -> otio.schema.Timeline:
    resources: dict[str, etree._Element] = {}
    for res in root.iter("resources"):
        for child in res:
            if child.get("id"):
                resources[child.get("id")] = child  # type: ignore[index]
    sequence, project = _find_sequence(root, real)
    rate, width, height = _rate_of(sequence, resources, real)
    tc_start = parse_time(sequence.get("tcStart"), (real, sequence.sourceline))
    ctx = _Ctx(path=real, rate=rate, resources=resources, tc_start=tc_start)
    spine = sequence.find("spine")
    if spine is None:
        raise _fail(real, "the sequence has no <spine>", sequence.sourceline)
    name = (project.get("name") if project is not None else None) or real.stem
    tl = otio.schema.Timeline(name=name)
    tl.global_start_time = ctx.rt(ctx.frames(tc_start))
    tl.tracks.append(_read_spine(ctx, spine))
    _, _, md = _texts(sequence)
    for track in _order_tracks(_lay_connected(ctx), md.get(MD_TRACKS)):
        tl.tracks.append(track)
    attach_captions(tl, ctx.captions, rate)  # a caption rewritten in the editor is the line's new subtitle
    meta: dict[str, Any] = {}
    if MD_TIMELINE in md:
        try:
            loaded = json.loads(md[MD_TIMELINE])
            meta = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            meta = {}
    meta.update(
        {
            "title": meta.get("title", name),
            "width": width,
            "height": height,
            "fps": rate_string(rate),
            "drop_frame": sequence.get("tcFormat") == "DF",
        }
    )
    set_metadata(tl, "scriptkit", meta)
    set_metadata(tl, "fcpxml", {"version": root.get("version", ""), "path": str(real)})
    return tl


# ------------------------------------------------------------------------------------------ preflight


#: The oldest NLE release of each family and the FCPXML versions it reads (DESIGN.md field facts).
FCPXML_READERS: dict[str, tuple[str, str]] = {
    "DaVinci Resolve 18.5": ("1.3", "1.10"),
    "DaVinci Resolve 19.1": ("1.3", "1.11"),
    "DaVinci Resolve 21": ("1.3", "1.12"),
    "Final Cut Pro 10.6.8": ("1.3", "1.11"),
    "Final Cut Pro 11": ("1.3", "1.13"),
}


#: `--nle` target -> the prefix of its releases in FCPXML_READERS.
NLE_FAMILIES: dict[str, str] = {"resolve": "DaVinci Resolve", "fcp": "Final Cut Pro"}


def fcpxml_readers(declared_nles: list[str]) -> dict[str, tuple[str, str]]:
    """The releases to judge an FCPXML against: those of the NLEs it was written for (all when none is named)."""
    families = [NLE_FAMILIES[n] for n in declared_nles if n in NLE_FAMILIES]
    if not families:
        return dict(FCPXML_READERS)
    return {nle: span for nle, span in FCPXML_READERS.items() if nle.startswith(tuple(families))}


def _version_tuple(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor or 0)


def corpus_dtd_dir() -> Path | None:
    """Apple's FCPXML DTDs: ../shared/corpus/dtd beside a source checkout (None when not there)."""
    here = Path(__file__).resolve().parents[1]
    candidate = here.parent / "shared" / "corpus" / "dtd"
    return candidate if candidate.is_dir() else None


def validate(path: Path, declared_nles: list[str]) -> list[str]:
    """Preflight of a written FCPXML: DTD validity and which NLE releases read the version it declares."""
    problems: list[str] = []
    try:
        root = safexml.parse_file(path)
    except ScriptkitError as exc:
        return [f"{path.name}: not readable XML ({exc.message}); Final Cut Pro and Resolve will refuse it"]
    version = root.get("version", "")
    dtd_dir = corpus_dtd_dir()
    dtd_file = dtd_dir / f"FCPXMLv{version.replace('.', '_')}.dtd" if dtd_dir else None
    if dtd_file and dtd_file.is_file():
        dtd = etree.DTD(str(dtd_file))
        if not dtd.validate(root):
            first = dtd.error_log.filter_from_errors()[0] if dtd.error_log.filter_from_errors() else None
            detail = f"line {first.line}: {first.message}" if first else "invalid"
            problems.append(f"{path.name}: not valid FCPXML {version} ({detail}); Final Cut Pro will refuse it")
    for nle, (low, high) in fcpxml_readers(declared_nles).items():
        if version and not (_version_tuple(low) <= _version_tuple(version) <= _version_tuple(high)):
            problems.append(f"{path.name}: FCPXML {version} will not open in {nle} (it reads {low} to {high})")
    if root.find(".//format") is None or root.find(".//format").get("width") is None:
        problems.append(f"{path.name}: no <format> with width/height; Resolve would show an empty timeline")
    return problems


FORMAT = Format(
    name="fcpxml",
    description="Final Cut Pro X / DaVinci Resolve XML (FCPXML 1.9-1.13)",
    suffixes=(".fcpxml", ".fcpxmld", ".xml"),
    output="{slug}.fcpxml",
    nles=("resolve", "fcp"),
    primary_for=("resolve", "fcp"),
    write=write,
    read=read,
    sniff=lambda path: Path(path).is_dir() or b"<fcpxml" in head(path),
    validate=validate,
    options=FcpxmlOptions,
    metadata_keys=("fcpx_xml", "fcpxml"),
)
