"""Premiere Pro / Final Cut Pro 7 XML (xmeml version 4): writer and reader.

Premiere imports xmeml (and writes version 4 with a UTF-8 BOM); it does not import FCPXML. The writer is our
own, shaped after the files Premiere exports (see ../shared/corpus/nle/xmeml/premiere_v4_*.xml), because the
OTIO `fcp_xml` adapter loses the sequence frame size, still durations, track names, clip metadata, the
audio channel layout and the sequence timecode. What it writes:

- one `<sequence>` with the frame size (`<samplecharacteristics>` width/height, square pixels, no fields),
  `<timebase>` + `<ntsc>` (TRUE for 23.976/29.97/59.94) and a timecode start of 01:00:00:00 (`DF` when
  `ExportOptions.drop_frame`), 48 kHz audio;
- V1: one `<clipitem>` per shot; stills carry a frame-count `<duration>` and `<media><video>` sample
  characteristics on their `<file>`; dissolves are `<transitionitem>` Cross Dissolve aligned `center`, fades
  are aligned `start-black` / `end-black`; clip edges inside a transition get `-1` as Premiere writes them;
- audio: a mono track per dialogue track, for SFX and for our (mono) music bed (`premiereTrackType="Mono"`,
  `<channelcount>1`); stereo media (the clips' `channels`) as an exploded stereo pair (two linked clipitems,
  `<sourcetrack>` 1 and 2);
- shot identity in every slot xmeml has: clip `<name>`, `<comments>` (`mastercomment1` = shot id,
  `mastercomment2` = "scriptkit <kind>", `mastercomment3` = line/cue id, `mastercomment4` = asset hash),
  `<logginginfo>` (`description` = action or line, `scene` = scene id, `shottake` = shot id, `lognote`
  = "scriptkit"), and a clip `<marker>` named by the shot id;
- `<pathurl>` as percent-encoded `file://localhost/...` URLs, or relative URLs with `relative_media`.

The reader takes xmeml v1 to v5 (BOM, CRLF, `project`/`bin` wrappers, exploded stereo tracks, NTSC rates),
parses it safely (no entity expansion, no DTD or network access, size limit) and hands the sanitized tree to
the OTIO `fcp_xml` adapter, then fixes the result up into the `scriptkit.timeline` shape.
"""

from __future__ import annotations

import os
import re
import uuid
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse
from xml.sax.saxutils import escape as xml_escape

import opentimelineio as otio
from lxml import etree

from exporters import Format
from scriptkit import safexml
from scriptkit.contract import frames_at, scriptkit_view, shot_identity_from_names, timeline_rate, track_role
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_write_bytes
from scriptkit.mix import clip_gain
from scriptkit.models import ExportOptions
from scriptkit.rates import DROP_FRAME_RATES, frames_to_timecode, rate_string, rational, timebase

#: Larger xmeml files are refused unread (a feature-length Premiere export is a few MB).
BOM = b"\xef\xbb\xbf"
SAMPLE_RATE = 48000

Element = etree._Element


# ------------------------------------------------------------------------------------------- helpers


def media_url(url: str, options: ExportOptions) -> str:
    """`file://localhost/abs/path` (percent-encoded), or a relative percent-encoded URL with relative_media."""
    parsed = urlparse(url)
    if parsed.scheme not in ("file", ""):
        return url
    path = unquote(parsed.path) if parsed.scheme == "file" else url
    if not path:  # a clip an editor added without media (an EDL event with no source file)
        return url
    if options.relative_media:
        relative = os.path.relpath(path, options.project_dir)
        return quote(Path(relative).as_posix(), safe="/-_.~")
    return "file://localhost" + quote(Path(path).as_posix(), safe="/-_.~")


def start_frames(timeline: otio.schema.Timeline, rate: Fraction, drop_frame: bool) -> int:
    """Frame number of the timeline start (the contract puts it at 01:00:00:00)."""
    if timeline.global_start_time is None:
        fps = timebase(rate)
        return 3600 * fps - (fps // 15 * 54 if drop_frame else 0)
    return frames_at(timeline.global_start_time, float(rate))


# -------------------------------------------------------------------------------------------- writer
#
# The writer emits text directly (tab-indented like Premiere's exports): a feature-length timeline has
# ~170,000 elements, and building an element tree first costs several times more.


def _x(value: object) -> str:
    return xml_escape(str(value), {'"': "&quot;"})


class _Out:
    """Indented XML text, one element per line."""

    def __init__(self, rate: Fraction) -> None:
        self.lines: list[str] = []
        self.tabs = ["\t" * n for n in range(16)]
        self.tb = timebase(rate)
        self.ntsc = "TRUE" if rate.denominator == 1001 else "FALSE"
        self._rates: dict[int, list[str]] = {}

    def open(self, depth: int, tag: str, attrib: str = "") -> None:
        self.lines.append(f"{self.tabs[depth]}<{tag}{attrib}>")

    def close(self, depth: int, tag: str) -> None:
        self.lines.append(f"{self.tabs[depth]}</{tag}>")

    def leaf(self, depth: int, tag: str, text: object = "") -> None:
        value = _x(text) if isinstance(text, str) else text
        self.lines.append(f"{self.tabs[depth]}<{tag}>{value}</{tag}>")

    def empty(self, depth: int, tag: str, attrib: str = "") -> None:
        self.lines.append(f"{self.tabs[depth]}<{tag}{attrib}/>")

    def rate(self, depth: int) -> None:
        block = self._rates.get(depth)
        if block is None:
            tabs = self.tabs
            block = [
                f"{tabs[depth]}<rate>",
                f"{tabs[depth + 1]}<timebase>{self.tb}</timebase>",
                f"{tabs[depth + 1]}<ntsc>{self.ntsc}</ntsc>",
                f"{tabs[depth]}</rate>",
            ]
            self._rates[depth] = block
        self.lines.extend(block)


def _attrs(**attrib: str) -> str:
    return "".join(f' {key.replace("__", ".")}="{_x(value)}"' for key, value in attrib.items())


class _Ctx:
    def __init__(self, options: ExportOptions, rate: Fraction, width: int, height: int) -> None:
        self.options = options
        self.rate = rate
        self.fps = float(rate)
        self.width = width
        self.height = height
        self.out = _Out(rate)
        self.counts: dict[str, int] = {}
        self.files: dict[str, str] = {}

    def next_id(self, prefix: str) -> str:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}-{self.counts[prefix]}"


def _timecode(out: _Out, depth: int, frames: int, rate: Fraction, drop_frame: bool) -> None:
    out.open(depth, "timecode")
    out.rate(depth + 1)
    out.leaf(depth + 1, "string", frames_to_timecode(frames, rate, drop_frame))
    out.leaf(depth + 1, "frame", frames)
    out.leaf(depth + 1, "displayformat", "DF" if drop_frame else "NDF")
    out.close(depth, "timecode")


def _file(ctx: _Ctx, depth: int, clip: otio.schema.Clip, url: str, channels: int) -> None:
    out = ctx.out
    key = f"{url}|{channels}"
    known = ctx.files.get(key)
    if known is not None:
        out.empty(depth, "file", f' id="{known}"')
        return
    file_id = ctx.next_id("file")
    ctx.files[key] = file_id
    ref = clip.media_reference
    available = getattr(ref, "available_range", None) or clip.source_range
    d1, d2, d3 = depth + 1, depth + 2, depth + 3
    out.open(depth, "file", f' id="{file_id}"')
    out.leaf(d1, "name", Path(unquote(urlparse(url).path)).name or clip.name)
    out.leaf(d1, "pathurl", media_url(url, ctx.options))
    out.rate(d1)
    out.leaf(d1, "duration", frames_at(available.duration, ctx.fps))
    _timecode(out, d1, frames_at(available.start_time, ctx.fps), ctx.rate, False)
    out.open(d1, "media")
    if channels == 0:
        out.open(d2, "video")
        out.open(d3, "samplecharacteristics")
        out.rate(d3 + 1)
        out.leaf(d3 + 1, "width", ctx.width)
        out.leaf(d3 + 1, "height", ctx.height)
        out.leaf(d3 + 1, "anamorphic", "FALSE")
        out.leaf(d3 + 1, "pixelaspectratio", "square")
        out.leaf(d3 + 1, "fielddominance", "none")
        out.close(d3, "samplecharacteristics")
        out.close(d2, "video")
    else:
        out.open(d2, "audio")
        out.open(d3, "samplecharacteristics")
        out.leaf(d3 + 1, "depth", 16)
        out.leaf(d3 + 1, "samplerate", SAMPLE_RATE)
        out.close(d3, "samplecharacteristics")
        out.leaf(d3, "channelcount", channels)
        out.close(d2, "audio")
    out.close(d1, "media")
    out.close(depth, "file")


def _comments(out: _Out, depth: int, meta: Any) -> None:
    kind = str(meta.get("kind") or "")
    owner = meta.get("line_id") or meta.get("cue_id") or ""
    text = str(meta.get("text") or meta.get("action") or meta.get("word") or "")[:250]
    shot_id = meta.get("shot_id") or ""
    line = meta.get("line")
    d1 = depth + 1
    out.open(depth, "comments")
    out.leaf(d1, "mastercomment1", str(shot_id))
    out.leaf(d1, "mastercomment2", f"scriptkit {kind}".strip())
    out.leaf(d1, "mastercomment3", str(owner))
    out.leaf(d1, "mastercomment4", str(meta.get("asset_hash") or ""))
    out.leaf(d1, "clipcommenta", text)
    out.leaf(d1, "clipcommentb", f"line {line}" if line else "")
    out.close(depth, "comments")
    out.open(depth, "logginginfo")
    out.leaf(d1, "description", text)
    out.leaf(d1, "scene", str(meta.get("scene_id") or ""))
    out.leaf(d1, "shottake", str(shot_id))
    out.leaf(d1, "lognote", "scriptkit")
    out.close(depth, "logginginfo")


def _marker(out: _Out, depth: int, marker: otio.schema.Marker, fps: float) -> None:
    start = frames_at(marker.marked_range.start_time, fps)
    duration = frames_at(marker.marked_range.duration, fps)
    out.open(depth, "marker")
    out.leaf(depth + 1, "comment", marker.comment or "")
    out.leaf(depth + 1, "name", marker.name)
    out.leaf(depth + 1, "in", start)
    out.leaf(depth + 1, "out", start + duration if duration > 0 else -1)
    out.close(depth, "marker")


def _clipitem(
    ctx: _Ctx,
    depth: int,
    clip: otio.schema.Clip,
    position: int,
    head: otio.schema.Transition | None,
    tail: otio.schema.Transition | None,
    channels: int,
    source_track: int = 1,
    item_id: str | None = None,
    links: list[str] | None = None,
) -> None:
    out = ctx.out
    fps = ctx.fps
    source = clip.source_range
    src_in = frames_at(source.start_time, fps)
    duration = frames_at(source.duration, fps)
    ref = clip.media_reference
    url = getattr(ref, "target_url", "") or ""
    available = getattr(ref, "available_range", None) or source
    head_in = frames_at(head.in_offset, fps) if head is not None else 0
    tail_out = frames_at(tail.out_offset, fps) if tail is not None else 0
    d1 = depth + 1
    out.open(depth, "clipitem", f' id="{item_id or ctx.next_id("clipitem")}" frameBlend="FALSE"')
    out.leaf(d1, "masterclipid", f"masterclip-{Path(urlparse(url).path).stem or clip.name}")
    out.leaf(d1, "name", clip.name)
    out.leaf(d1, "enabled", "TRUE" if clip.enabled else "FALSE")
    out.leaf(d1, "duration", frames_at(available.duration, fps))
    out.rate(d1)
    out.leaf(d1, "start", -1 if head is not None else position)
    out.leaf(d1, "end", -1 if tail is not None else position + duration)
    out.leaf(d1, "in", src_in - head_in)
    out.leaf(d1, "out", src_in + duration + tail_out)
    if channels == 0:
        out.leaf(d1, "alphatype", "none")
        out.leaf(d1, "pixelaspectratio", "square")
        out.leaf(d1, "anamorphic", "FALSE")
    _file(ctx, d1, clip, url, channels)
    if channels:
        out.open(d1, "sourcetrack")
        out.leaf(d1 + 1, "mediatype", "audio")
        out.leaf(d1 + 1, "trackindex", source_track)
        out.close(d1, "sourcetrack")
        _audio_levels(out, d1, scriptkit_view(clip), src_in)
    for marker in clip.markers:
        _marker(out, d1, marker, fps)
    _comments(out, d1, scriptkit_view(clip))
    for lane, other in enumerate(links or []):
        out.open(d1, "link")
        out.leaf(d1 + 1, "linkclipref", other)
        out.leaf(d1 + 1, "mediatype", "audio")
        out.leaf(d1 + 1, "trackindex", lane + 1)
        out.leaf(d1 + 1, "clipindex", 1)
        out.leaf(d1 + 1, "groupindex", 1)
        out.close(d1, "link")
    out.close(depth, "clipitem")


def _audio_levels(out: _Out, depth: int, meta: Any, src_in: int) -> None:
    """The mix as an Audio Levels filter: the clip gain, or the ducking keyframes (source frames, linear gain)."""
    level, keys = clip_gain(meta)
    if not level and not keys:
        return
    d = depth + 2
    out.open(depth, "filter")
    out.open(depth + 1, "effect")
    for tag, text in (("name", "Audio Levels"), ("effectid", "audiolevels"), ("effectcategory", "audiolevels")):
        out.leaf(d, tag, text)
    out.leaf(d, "effecttype", "audiolevels")
    out.leaf(d, "mediatype", "audio")
    out.open(d, "parameter", ' authoringApp="PremierePro"')
    for tag, text in (("parameterid", "level"), ("name", "Level"), ("valuemin", 0), ("valuemax", "3.98109")):
        out.leaf(d + 1, tag, text)
    out.leaf(d + 1, "value", f"{10 ** ((keys[0][1] if keys else level) / 20):.6g}")
    for frame, db in keys:
        out.open(d + 1, "keyframe")
        out.leaf(d + 2, "when", src_in + frame)
        out.leaf(d + 2, "value", f"{10 ** (db / 20):.6g}")
        out.close(d + 1, "keyframe")
    out.close(d, "parameter")
    out.close(depth + 1, "effect")
    out.close(depth, "filter")


def _transition_kind(transition: otio.schema.Transition, fps: float) -> str:
    meta = scriptkit_view(transition)
    kind = meta.get("kind")
    if kind in ("fade_in", "fade_out", "dissolve", "wipe"):
        return str(kind)
    if meta.get("wipe"):
        return "wipe"
    name = (transition.name or "").lower()
    if "fade in" in name or (frames_at(transition.in_offset, fps) == 0 and "dissolve" not in name):
        return "fade_in"
    if "fade out" in name or (frames_at(transition.out_offset, fps) == 0 and "dissolve" not in name):
        return "fade_out"
    return "dissolve"


def _transitionitem(ctx: _Ctx, depth: int, transition: otio.schema.Transition, cut: int) -> None:
    out = ctx.out
    kind = _transition_kind(transition, ctx.fps)
    wipe = kind == "wipe"
    d1, d2 = depth + 1, depth + 2
    out.open(depth, "transitionitem")
    out.leaf(d1, "start", cut - frames_at(transition.in_offset, ctx.fps))
    out.leaf(d1, "end", cut + frames_at(transition.out_offset, ctx.fps))
    out.leaf(d1, "alignment", {"fade_in": "start-black", "fade_out": "end-black"}.get(kind, "center"))
    out.rate(d1)
    out.open(d1, "effect")
    out.leaf(d2, "name", "Edge Wipe" if wipe else "Cross Dissolve")
    out.leaf(d2, "effectid", "Edge Wipe" if wipe else "Cross Dissolve")
    out.leaf(d2, "effectcategory", "Wipe" if wipe else "Dissolve")
    out.leaf(d2, "effecttype", "transition")
    out.leaf(d2, "mediatype", "video")
    out.leaf(d2, "wipecode", 0)
    out.leaf(d2, "wipeaccuracy", 100)
    out.leaf(d2, "startratio", 0)
    out.leaf(d2, "endratio", 1)
    out.leaf(d2, "reverse", "FALSE")
    out.close(d1, "effect")
    out.close(depth, "transitionitem")


def _track_items(track: otio.schema.Track, fps: float) -> list[tuple[Any, int]]:
    """(item, timeline start frame) for every child; transitions get the cut point."""
    out: list[tuple[Any, int]] = []
    position = 0
    for child in track:
        out.append((child, position))
        if not isinstance(child, otio.schema.Transition):
            position += frames_at(child.source_range.duration if child.source_range else child.duration(), fps)
    return out


def _video_track(ctx: _Ctx, depth: int, track: otio.schema.Track) -> None:
    out = ctx.out
    out.open(depth, "track", _attrs(MZ__TrackName=track.name or "V1", MZ__TrackTargeted="1"))
    items = _track_items(track, ctx.fps)
    for index, (item, position) in enumerate(items):
        if isinstance(item, otio.schema.Transition):
            _transitionitem(ctx, depth + 1, item, position)
        elif isinstance(item, otio.schema.Clip):
            head = items[index - 1][0] if index > 0 else None
            tail = items[index + 1][0] if index + 1 < len(items) else None
            _clipitem(
                ctx,
                depth + 1,
                item,
                position,
                head if isinstance(head, otio.schema.Transition) else None,
                tail if isinstance(tail, otio.schema.Transition) else None,
                channels=0,
            )
    out.leaf(depth + 1, "enabled", "TRUE" if track.enabled else "FALSE")
    out.leaf(depth + 1, "locked", "FALSE")
    out.close(depth, "track")


def _channels_for(track: otio.schema.Track) -> int:
    meta = scriptkit_view(track)
    if meta.get("channels"):
        return int(meta["channels"])
    # the media's own channel count where the clips know it (our music bed is mono), else music as stereo
    known = {int(scriptkit_view(clip).get("channels") or 0) for clip in track.find_clips(shallow_search=True)} - {0}
    if known:
        return max(known)
    return 2 if meta.get("role") == "music" or track.name.upper().startswith("MUSIC") else 1


def _audio_tracks(ctx: _Ctx, depth: int, track: otio.schema.Track) -> None:
    """One mono track, or an exploded stereo pair (two linked clipitems per clip, as Premiere writes)."""
    out = ctx.out
    channels = _channels_for(track)
    explode = 2 if channels == 2 else 1
    items = [(item, pos) for item, pos in _track_items(track, ctx.fps) if isinstance(item, otio.schema.Clip)]
    ids = [[ctx.next_id("clipitem") for _ in range(explode)] for _ in items]
    for lane in range(explode):
        attrib = _attrs(
            MZ__TrackName=track.name or "Audio",
            MZ__TrackTargeted="1",
            currentExplodedTrackIndex=str(lane),
            totalExplodedTrackCount=str(explode),
            premiereTrackType="Stereo" if explode == 2 else "Mono",
        )
        out.open(depth, "track", attrib)
        for (clip, position), clip_ids in zip(items, ids, strict=True):
            links = clip_ids if explode == 2 else None
            _clipitem(ctx, depth + 1, clip, position, None, None, channels, lane + 1, clip_ids[lane], links)
        out.leaf(depth + 1, "enabled", "TRUE" if track.enabled else "FALSE")
        out.leaf(depth + 1, "locked", "FALSE")
        out.leaf(depth + 1, "outputchannelindex", lane + 1)
        out.close(depth, "track")


def to_text(timeline: otio.schema.Timeline, options: ExportOptions) -> str:
    """The xmeml document for `timeline`, without the BOM (pure)."""
    meta = scriptkit_view(timeline)
    rate = timeline_rate(timeline)
    drop_frame = bool(options.drop_frame or meta.get("drop_frame")) and rate in DROP_FRAME_RATES
    width = int(meta.get("width") or 1920)
    height = int(meta.get("height") or 1080)
    ctx = _Ctx(options, rate, width, height)
    out = ctx.out
    title = timeline.name or options.title
    out.lines.extend(['<?xml version="1.0" encoding="UTF-8"?>', "<!DOCTYPE xmeml>", '<xmeml version="4">'])
    out.open(1, "sequence", ' id="sequence-1" explodedTracks="true"')
    out.leaf(2, "uuid", str(uuid.uuid5(uuid.NAMESPACE_URL, f"scriptkit:{title}:{rate_string(rate)}")))
    out.leaf(2, "duration", frames_at(timeline.duration(), ctx.fps))
    out.rate(2)
    out.leaf(2, "name", title)
    out.open(2, "media")
    out.open(3, "video")
    out.open(4, "format")
    out.open(5, "samplecharacteristics")
    out.rate(6)
    out.leaf(6, "width", width)
    out.leaf(6, "height", height)
    out.leaf(6, "anamorphic", "FALSE")
    out.leaf(6, "pixelaspectratio", "square")
    out.leaf(6, "fielddominance", "none")
    out.leaf(6, "colordepth", 24)
    out.close(5, "samplecharacteristics")
    out.close(4, "format")
    for track in timeline.video_tracks():
        _video_track(ctx, 4, track)
    out.close(3, "video")
    out.open(3, "audio")
    out.leaf(4, "numOutputChannels", 2)
    out.open(4, "format")
    out.open(5, "samplecharacteristics")
    out.leaf(6, "depth", 16)
    out.leaf(6, "samplerate", SAMPLE_RATE)
    out.close(5, "samplecharacteristics")
    out.close(4, "format")
    out.open(4, "outputs")
    for index in (1, 2):
        out.open(5, "group")
        out.leaf(6, "index", index)
        out.leaf(6, "numchannels", 1)
        out.leaf(6, "downmix", 0)
        out.open(6, "channel")
        out.leaf(7, "index", index)
        out.close(6, "channel")
        out.close(5, "group")
    out.close(4, "outputs")
    for track in timeline.audio_tracks():
        _audio_tracks(ctx, 4, track)
    out.close(3, "audio")
    out.close(2, "media")
    _timecode(out, 2, start_frames(timeline, rate, drop_frame), rate, drop_frame)
    for marker in timeline.tracks.markers:
        _marker(out, 2, marker, ctx.fps)
    out.close(1, "sequence")
    out.lines.append("</xmeml>")
    return "\n".join(out.lines) + "\n"


def to_bytes(timeline: otio.schema.Timeline, options: ExportOptions) -> bytes:
    """The file's bytes: UTF-8 with a BOM, as Premiere writes."""
    return BOM + to_text(timeline, options).encode("utf-8")


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    """Write `timeline` as Premiere xmeml v4 to `path` (atomically)."""
    atomic_write_bytes(Path(path), to_bytes(timeline, options))


# -------------------------------------------------------------------------------------------- reader


def _text(element: Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _rate_of(element: Element | None) -> Fraction | None:
    if element is None:
        return None
    tb = _text(element, "rate/timebase")
    if not tb:
        return None
    try:
        base = Fraction(tb)
    except ValueError:
        return None
    ntsc = _text(element, "rate/ntsc").upper() == "TRUE"
    return rational(float(base * 1000 / 1001)) if ntsc else base


def _as_dict(value: Any) -> dict[str, Any]:
    """OTIO metadata (AnyDictionary) or None -> a plain dict."""
    return {k: v for k, v in value.items()} if hasattr(value, "items") else {}


def _identity(clip: otio.schema.Clip, is_video: bool) -> dict[str, Any]:
    """scriptkit metadata recovered from the xmeml slots (most specific slot first)."""
    fcp = _as_dict(clip.metadata.get("fcp_xml"))
    comments = _as_dict(fcp.get("comments"))
    logging = _as_dict(fcp.get("logginginfo"))
    found: dict[str, Any] = {}
    tag = str(comments.get("mastercomment2") or "")
    if tag.startswith("scriptkit"):
        kind = tag.split(" ", 1)[1] if " " in tag else ""
        found["kind"] = kind or ("shot" if is_video else "")
        if comments.get("mastercomment1"):
            found["shot_id"] = comments["mastercomment1"]
        owner = comments.get("mastercomment3") or ""
        if owner and kind == "dialogue":
            found["line_id"] = owner
        elif owner and kind == "cue":
            found["cue_id"] = owner
        if comments.get("mastercomment4"):
            found["asset_hash"] = comments["mastercomment4"]
        text = comments.get("clipcommenta") or ""
        if text and kind == "dialogue":
            found["text"] = text
        elif text and kind == "shot":
            found["action"] = text
        line = str(comments.get("clipcommentb") or "")
        if line.startswith("line ") and line[5:].isdigit():
            found["line"] = int(line[5:])
        if found.get("shot_id") or kind:
            found["id_source"] = "comments"
            return found
    if logging.get("lognote") == "scriptkit" and logging.get("shottake"):
        return {"kind": "shot" if is_video else "", "shot_id": logging["shottake"], "id_source": "logginginfo"}
    return shot_identity_from_names(clip) if is_video else {}


def _track_names(sequence: Element) -> list[str]:
    """Track names in the order the OTIO adapter builds tracks (video, then primary audio channels)."""
    names: list[str] = []
    media = sequence.find("media")
    if media is None:
        return names
    for kind in ("video", "audio"):
        block = media.find(kind)
        if block is None:
            continue
        for index, track in enumerate(block.findall("track")):
            exploded = track.get("currentExplodedTrackIndex", "0")
            count = track.get("totalExplodedTrackCount", "1")
            if kind == "audio" and not (exploded == "0" or count == "1"):
                continue
            default = f"{'V' if kind == 'video' else 'A'}{index + 1}"
            names.append(track.get("MZ.TrackName") or _text(track, "name") or default)
    return names


def _fix_markers(clip: otio.schema.Clip, shot_id: str | None) -> None:
    for marker in clip.markers:
        fcp = _as_dict(marker.metadata.get("fcp_xml"))
        comment = fcp.get("comment")
        if isinstance(comment, str) and not marker.comment:
            marker.comment = comment
        if shot_id and marker.name == shot_id:
            marker.color = otio.schema.MarkerColor.GREEN
            meta: dict[str, Any] = {"shot_id": shot_id}
            match = re.match(r"line (\d+):", marker.comment or "")
            if match:
                meta["line"] = int(match.group(1))
            marker.metadata["scriptkit"] = meta


def _fix_transition(transition: otio.schema.Transition) -> None:
    fcp = _as_dict(transition.metadata.get("fcp_xml"))
    alignment = str(fcp.get("alignment") or "")
    if alignment == "start-black":
        transition.name = "Fade In"
        transition.metadata["scriptkit"] = {"kind": "fade_in"}
    elif alignment == "end-black":
        transition.name = "Fade Out"
        transition.metadata["scriptkit"] = {"kind": "fade_out"}
    elif "wipe" in (transition.name or "").lower():
        transition.metadata["scriptkit"] = {"kind": "wipe", "wipe": transition.name or "wipe"}
    else:
        transition.metadata["scriptkit"] = {"kind": "dissolve"}


def fix_up(timeline: otio.schema.Timeline, sequence: Element, path: Path | str) -> otio.schema.Timeline:
    """Turn the OTIO adapter's result into the scriptkit shape (names, roles, ids, rate metadata)."""
    rate = _rate_of(sequence) or Fraction(25)
    chars = sequence.find("media/video/format/samplecharacteristics")
    width = int(_text(chars, "width") or 0) if chars is not None else 0
    height = int(_text(chars, "height") or 0) if chars is not None else 0
    drop_frame = _text(sequence, "timecode/displayformat").upper() == "DF"
    previous = dict(timeline.metadata.get("scriptkit", {}) or {})
    timeline.metadata["scriptkit"] = {
        **previous,
        "title": timeline.name,
        "width": width or None,
        "height": height or None,
        "fps": rate_string(rate),
        "drop_frame": drop_frame,
        "source": str(path),
        "format": "xmeml",
    }
    for track, name in zip(timeline.tracks, _track_names(sequence), strict=False):
        track.name = name
        role, character = track_role(name, track.kind)
        track.metadata["scriptkit"] = {"role": role, "character": character}
        is_video = track.kind == otio.schema.TrackKind.Video
        for item in track:
            if isinstance(item, otio.schema.Transition):
                _fix_transition(item)
            elif isinstance(item, otio.schema.Clip):
                if str(_as_dict(item.metadata.get("fcp_xml")).get("enabled", "")).upper() == "FALSE":
                    item.enabled = False  # the editor disabled (muted) it; the adapter keeps only the text
                found = _identity(item, is_video)
                if found:
                    item.metadata["scriptkit"] = {**scriptkit_view(item), **found}
                _fix_markers(item, found.get("shot_id"))
    return timeline


def _sequences(root: Element) -> list[Element]:
    top = root.findall("sequence")
    nested = root.findall(".//children/sequence")
    return top + [s for s in nested if s not in top]


def read(path: Path) -> otio.schema.Timeline:
    """Read an xmeml file (v1-v5) into a scriptkit-shaped OTIO timeline (the first sequence)."""
    path = Path(path)
    root = safexml.parse_file(path)
    if root.tag != "xmeml":
        raise ScriptkitError(f"not an xmeml file (root element <{root.tag}>)", path)
    sequences = _sequences(root)
    if not sequences:
        raise ScriptkitError("no <sequence> in this xmeml file (only clips or bins); export a sequence", path)
    sequence = sequences[0]
    from xml.etree import ElementTree

    clean = ElementTree.fromstring(etree.tostring(root))
    try:
        parser = otio.adapters.from_name("fcp_xml").module().FCP7XMLParser(clean)
        timelines = parser.top_level_sequences()
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        raise ScriptkitError(f"unsupported xmeml structure: {exc}", path) from None
    if not timelines:
        raise ScriptkitError("no <sequence> in this xmeml file", path)
    return fix_up(timelines[0], sequence, path)


FORMAT = Format(
    name="xmeml",
    description="Premiere Pro / Final Cut Pro 7 XML (xmeml v4)",
    suffixes=(".xml",),
    output="{slug}.premiere.xml",
    nles=("premiere",),
    primary_for=("premiere",),
    write=write,
    read=read,
    metadata_keys=("fcp_xml", "xmeml"),
)
