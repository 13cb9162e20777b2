"""The timeline laid out in frames, and the MLT XML pieces the Shotcut and Kdenlive writers share.

`layout(timeline)` reads the OTIO timeline built by `scriptkit.timeline` (the contract in its docstring)
into plain frame numbers: where each shot sits, which media frames it shows, where dissolves, wipes and
fades run, where every audio clip plays and at what level, and the markers. The preview renderer, the
storyboard page and both MLT writers read this one layout, so they agree with each other frame for frame.

MLT notes (melt 7.12, Kdenlive 22.12, Shotcut):
- Times are written as integer frames (MLT accepts frames or clock strings; frames stay exact at 29.97).
- Keyframe images use the `pixbuf` producer: `qimage` needs an X11 display in a headless melt.
- A dissolve is the `luma` transition with no luma file; a wipe is `luma` with a gradient PGM that we write
  next to the project (`lumas/<pattern>.pgm`), since Debian's MLT ships no luma files.
- Fades are the `brightness` filter with a `level` keyframe ramp (what Kdenlive's fade_from_black /
  fade_to_black effects and Shotcut's fadeInBrightness / fadeOutBrightness filters are).
- Audio tracks are summed by `mix` transitions (`always_active=1`, `sum=1`) from the background track.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import opentimelineio as otio

from scriptkit.contract import (
    Joint,
    caption_of,
    clip_media,
    flatten,
    frames_at,
    plain,
    scriptkit_meta,
    timeline_rate,
    video_track,
)
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_write_bytes, url_to_path
from scriptkit.mix import clip_gain, shifted
from scriptkit.subtitle_cues import is_han, pieces

#: Sizes that get a slow pan (the rest get a push-in).
#: The MLT XML version written in `<mlt version=...>` (Shotcut and Kdenlive documents alike).
MLT_VERSION = "7.12.0"
WIDE_SIZES = frozenset({"extreme_wide", "wide", "medium_wide", "two_shot"})
#: How far a move goes: a push-in ends on this fraction of the frame; a pan slides a window this size.
MOVE_ZOOM = 0.9
#: Moves the preview animates; anything else is chosen from the shot size.
ANIMATED_MOVES = frozenset({"push_in", "pull_out", "pan_left", "pan_right", "tilt_up", "tilt_down"})


@dataclass(frozen=True)
class ShotPlace:
    """A picture clip: timeline frames [start, start + duration) show media frames from `source_start`."""

    index: int
    name: str
    start: int
    duration: int
    source_start: int
    available: int
    path: Path
    meta: dict[str, Any]
    #: "still" (a keyframe: any length) or "movie" (`available` frames of moving picture).
    media: str = "still"

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True)
class Blend:
    """A dissolve or wipe: frames [start, end) blend shot `outgoing` into shot `incoming`; `cut` is the edit."""

    kind: str
    start: int
    cut: int
    end: int
    outgoing: int
    incoming: int
    wipe: str | None = None

    @property
    def duration(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Fade:
    """A fade from black (`kind` "in") or to black ("out") over frames [start, end) of shot `shot`."""

    kind: str
    shot: int
    start: int
    end: int

    @property
    def duration(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class AudioPlace:
    """An audio clip at timeline frames [start, start + duration), reading its file from `source_start`."""

    name: str
    start: int
    duration: int
    source_start: int
    path: Path
    level_db: float
    meta: dict[str, Any]


def volume_level(clip: AudioPlace, length: int) -> str | None:
    """The `level` of a clip's MLT volume filter: its gain in dB, or its ducking keyframes as an animation
    ("0=-6;21=-6;30=-15", frames from the entry's start, linear) when it has them; None for 0 dB."""
    level, keys = clip_gain(clip.meta)
    keys = shifted(keys, clip.duration - length)
    if keys:
        return ";".join(f"{frame}={db:g}" for frame, db in keys)
    return f"{level:g}" if level else None


@dataclass(frozen=True)
class AudioTrack:
    name: str
    role: str
    character: str | None
    clips: tuple[AudioPlace, ...]


@dataclass(frozen=True)
class MarkerPlace:
    frame: int
    name: str
    comment: str
    color: str
    meta: dict[str, Any]


@dataclass(frozen=True)
class Subtitle:
    """One subtitle cue in frames, as the one cue maker (scriptkit/subtitle_cues.py) cuts a dialogue clip."""

    start: int
    end: int
    character: str
    text: str
    #: The displayed lines of a Han cue (the cue maker's), or None: the text as written, wrapped by the format.
    lines: tuple[str, ...] | None = None
    #: The dialogue clip's name (its line id): the cues of a split line share it.
    line: str = ""


@dataclass
class Layout:
    """The whole timeline in frames of `rate`, positions from the timeline start (frame 0)."""

    name: str
    rate: Fraction
    width: int
    height: int
    duration: int
    start_frame: int
    drop_frame: bool
    shots: list[ShotPlace] = field(default_factory=list)
    blends: list[Blend] = field(default_factory=list)
    fades: list[Fade] = field(default_factory=list)
    audio: list[AudioTrack] = field(default_factory=list)
    markers: list[MarkerPlace] = field(default_factory=list)
    subtitles: list[Subtitle] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def seconds(self, frames: int) -> float:
        return float(Fraction(frames) / self.rate)


def _media_path(clip: otio.schema.Clip) -> Path:
    ref = clip.media_reference
    url = getattr(ref, "target_url", None)
    if not url:
        raise ScriptkitError(f"clip {clip.name!r} has no media file", hint="rebuild the timeline after `generate`")
    try:
        return url_to_path(url)
    except ValueError as exc:
        raise ScriptkitError(f"clip {clip.name!r}: {exc}") from None


def _available(clip: otio.schema.Clip, rate: Fraction, fallback: int) -> int:
    ref = clip.media_reference
    rng = getattr(ref, "available_range", None)
    if rng is None:
        return fallback
    return max(fallback, frames_at(rng.duration, rate))


def _dims(tl: otio.schema.Timeline) -> tuple[int, int]:
    meta = scriptkit_meta(tl)
    try:
        width, height = int(meta.get("width") or 0), int(meta.get("height") or 0)
    except (TypeError, ValueError):
        width, height = 0, 0
    if width <= 0 or height <= 0:
        return 1920, 1080
    return width, height


def layout(tl: otio.schema.Timeline) -> Layout:
    """Read the timeline into frame numbers (see the module docstring)."""
    rate = timeline_rate(tl)
    width, height = _dims(tl)
    meta = scriptkit_meta(tl)
    start_frame = frames_at(tl.global_start_time, rate) if tl.global_start_time is not None else 0
    lay = Layout(
        name=tl.name or "Untitled",
        rate=rate,
        width=width,
        height=height,
        duration=0,
        start_frame=start_frame,
        drop_frame=bool(meta.get("drop_frame", False)),
        meta=meta,
    )
    track = video_track(tl)
    if track is not None:
        _read_video(track, rate, lay)
    for audio in tl.tracks:
        if audio.kind == otio.schema.TrackKind.Audio:
            lay.audio.append(_read_audio(audio, rate, lay))
    ends = [s.end for s in lay.shots] + [c.start + c.duration for t in lay.audio for c in t.clips]
    lay.duration = max([frames_at(tl.duration(), rate), *ends]) if ends else frames_at(tl.duration(), rate)
    return lay


def shot_layout(tl: otio.schema.Timeline) -> Layout:
    """`layout(tl)`, or ScriptkitError when the timeline has no shots (nothing to write)."""
    lay = layout(tl)
    if not lay.shots:
        raise ScriptkitError(f"timeline {lay.name!r} has no shots")
    return lay


def _read_video(track: otio.schema.Track, rate: Fraction, lay: Layout) -> None:
    slots, joints = flatten(track, rate)
    shot_of: dict[int, int] = {}  # track index of a clip -> its shot index
    for slot in slots:
        item = slot.item
        if not isinstance(item, otio.schema.Clip):
            continue
        shot_of[slot.index] = len(lay.shots)
        lay.shots.append(
            ShotPlace(
                index=len(lay.shots),
                name=item.name,
                start=slot.start,
                duration=slot.frames,
                source_start=slot.source_in,
                available=_available(item, rate, slot.source_in + slot.frames),
                path=_media_path(item),
                meta=scriptkit_meta(item),
                media=clip_media(item),
            )
        )
        for marker in item.markers:
            offset = frames_at(marker.marked_range.start_time, rate) - slot.source_in
            lay.markers.append(
                MarkerPlace(
                    slot.start + offset, marker.name, marker.comment or "", str(marker.color), scriptkit_meta(marker)
                )
            )
    for joint in joints:
        outgoing = shot_of.get(joint.before.index) if joint.before is not None else None
        incoming = shot_of.get(joint.after.index) if joint.after is not None else None
        _attach(joint, lay, outgoing, incoming)


def _transition_kind(transition: otio.schema.Transition) -> str:
    kind = str(scriptkit_meta(transition).get("kind") or "")
    if kind:
        return kind
    name = (transition.name or "").lower()
    if "fade in" in name:
        return "fade_in"
    if "fade out" in name:
        return "fade_out"
    return "wipe" if "wipe" in name else "dissolve"


def _attach(joint: Joint, lay: Layout, outgoing: int | None, incoming: int | None) -> None:
    """Record a transition at its cut between two picture clips (None: no clip on that side)."""
    transition, at, before, after = joint.transition, joint.at, joint.in_frames, joint.out_frames
    kind = _transition_kind(transition)
    if kind == "fade_in" and incoming is not None:
        lay.fades.append(Fade("in", incoming, at, at + after))
    elif kind == "fade_out" and outgoing is not None:
        lay.fades.append(Fade("out", outgoing, at - before, at))
    elif kind in ("dissolve", "wipe") and incoming is not None and outgoing is not None:
        wipe = scriptkit_meta(transition).get("wipe") if kind == "wipe" else None
        lay.blends.append(Blend(kind, at - before, at, at + after, outgoing, incoming, str(wipe) if wipe else None))


def _read_audio(track: otio.schema.Track, rate: Fraction, lay: Layout) -> AudioTrack:
    tmeta = scriptkit_meta(track)
    clips: list[AudioPlace] = []
    for slot in flatten(track, rate)[0]:
        item = slot.item
        if not isinstance(item, otio.schema.Clip) or not item.enabled:  # a disabled (muted) clip is not heard
            continue
        meta = scriptkit_meta(item)
        level = meta.get("level_db", tmeta.get("level_db", 0.0))
        pos, duration = slot.start, slot.frames
        clips.append(AudioPlace(item.name, pos, duration, slot.source_in, _media_path(item), float(level or 0.0), meta))
        text = caption_of(meta) if meta.get("kind") == "dialogue" else ""
        if text:
            who = str(meta.get("character") or "")
            if not is_han(text):
                lay.subtitles.append(Subtitle(pos, pos + duration, who, text, None, item.name))
                continue
            vertical = lay.height > lay.width
            for piece in pieces(text, pos, pos + duration, rate, vertical=vertical):
                shown = "\n".join(piece.lines)
                lay.subtitles.append(Subtitle(piece.start, piece.end, who, shown, piece.lines, item.name))
    lay.subtitles.sort(key=lambda s: (s.start, s.end))
    return AudioTrack(track.name, str(tmeta.get("role") or "audio"), tmeta.get("character"), tuple(clips))


def check_media(lay: Layout) -> None:
    """ScriptkitError naming the first missing keyframe or sound file."""
    for shot in lay.shots:
        if not shot.path.is_file():
            raise ScriptkitError(f"keyframe of shot {shot.name} is missing", shot.path, hint="run `scriptkit generate`")
    for track in lay.audio:
        for clip in track.clips:
            if not clip.path.is_file():
                raise ScriptkitError(
                    f"audio of {clip.name} ({track.name}) is missing", clip.path, hint="run `scriptkit generate`"
                )


# ----------------------------------------------------------------------------------- camera moves


def camera_move(shot: ShotPlace) -> str:
    """The preview's camera move: the shot's own move when it is one we animate, else one by shot size.

    A still keyframe held on screen reads as frozen, so "static" (and moves a still cannot show, such as
    handheld) get the gentle default: a push-in on close sizes, a slow pan on wide sizes, its direction
    alternating by shot index (deterministic).
    """
    move = str(shot.meta.get("move") or "")
    if move in ANIMATED_MOVES:
        return move
    size = str(shot.meta.get("size") or "medium")
    if size in WIDE_SIZES:
        return "pan_right" if shot.index % 2 == 0 else "pan_left"
    return "push_in"


def crop_box(move: str, u: float, width: float, height: float) -> tuple[float, float, float, float]:
    """The (x0, y0, x1, y1) crop of a `width` x `height` frame at move progress u in [0, 1].

    Push-in: 100% -> 90% of the frame, centred. Pan/tilt: an 90% window sliding across. Gentle on purpose.
    """
    u = min(1.0, max(0.0, u))
    zoom = MOVE_ZOOM
    if move in ("push_in", "pull_out"):
        scale = 1.0 - (1.0 - zoom) * (u if move == "push_in" else 1.0 - u)
        w, h = width * scale, height * scale
        x0, y0 = (width - w) / 2, (height - h) / 2
        return x0, y0, x0 + w, y0 + h
    w, h = width * zoom, height * zoom
    span_x, span_y = width - w, height - h
    if move in ("pan_right", "pan_left"):
        x0 = span_x * (u if move == "pan_right" else 1.0 - u)
        y0 = span_y / 2
    else:
        x0 = span_x / 2
        y0 = span_y * (1.0 - u if move == "tilt_up" else u)
    return x0, y0, x0 + w, y0 + h


# ----------------------------------------------------------------------------------- wipes


def wipe_shape(pattern: str | None) -> str:
    """SMPTE wipe code or name -> "horizontal" (left to right), "vertical" (top down) or "radial" (iris)."""
    text = (pattern or "").lower()
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits == "2" or any(word in text for word in ("vertical", "top", "down", "bottom")):
        return "vertical"
    if digits in ("101", "102", "103", "119") or any(word in text for word in ("iris", "box", "circle", "radial")):
        return "radial"
    return "horizontal"


def wipe_ramp(shape: str, width: int, height: int) -> Any:
    """A float32 array in [0, 1): the blend progress at which each pixel switches to the incoming shot."""
    import numpy as np

    xs = (np.arange(width, dtype=np.float32) + 0.5) / width
    ys = (np.arange(height, dtype=np.float32) + 0.5) / height
    if shape == "vertical":
        ramp = np.repeat(ys[:, None], width, axis=1)
    elif shape == "radial":
        dx, dy = xs[None, :] - 0.5, ys[:, None] - 0.5
        ramp = np.sqrt(dx * dx + dy * dy) / math.sqrt(0.5)
    else:
        ramp = np.repeat(xs[None, :], height, axis=0)
    return np.clip(ramp, 0.0, 0.999).astype(np.float32)


def write_luma_pgm(path: Path, shape: str, width: int = 256, height: int = 256, invert: bool = False) -> None:
    """A 16-bit binary PGM luma map for MLT's `luma` transition (dark pixels switch first).

    `invert` gives the map for a transition with `reverse` set (which runs the map backwards), so the
    wipe still travels the same way on screen.
    """
    ramp = wipe_ramp(shape, width, height)
    if invert:
        ramp = 0.999 - ramp
    data = (ramp * 65535).astype(">u2").tobytes()
    atomic_write_bytes(path, f"P5\n{width} {height}\n65535\n".encode() + data)


# ----------------------------------------------------------------------------------- XML


def mlt_profile(width: int, height: int, rate: Fraction, description: str = "") -> dict[str, str]:
    """Attributes of an MLT <profile> element for a square-pixel progressive frame."""
    g = math.gcd(width, height)
    return {
        "description": description or f"{width}x{height} {float(rate):.3f} fps".replace(".000", ""),
        "width": str(width),
        "height": str(height),
        "progressive": "1",
        "sample_aspect_num": "1",
        "sample_aspect_den": "1",
        "display_aspect_num": str(width // g),
        "display_aspect_den": str(height // g),
        "frame_rate_num": str(rate.numerator),
        "frame_rate_den": str(rate.denominator),
        "colorspace": "709",
    }


def level_ramp(fade: Fade) -> str:
    """The brightness `level` keyframes of a fade, relative to the filter's in point."""
    last = max(1, fade.duration - 1)
    return f"0=0;{last}=1" if fade.kind == "in" else f"0=1;{last}=0"


class XmlWriter:
    """A tiny, deterministic XML writer: attributes in the order given, one-space indent like melt's own."""

    def __init__(self) -> None:
        self.lines: list[str] = ['<?xml version="1.0" encoding="utf-8"?>']
        self.depth = 0

    @staticmethod
    def _attrs(attrs: dict[str, Any] | None) -> str:
        if not attrs:
            return ""
        return "".join(f" {key}={quoteattr(str(value))}" for key, value in attrs.items())

    def open(self, tag: str, attrs: dict[str, Any] | None = None) -> None:
        self.lines.append(f"{' ' * self.depth}<{tag}{self._attrs(attrs)}>")
        self.depth += 1

    def close(self, tag: str) -> None:
        self.depth -= 1
        self.lines.append(f"{' ' * self.depth}</{tag}>")

    def empty(self, tag: str, attrs: dict[str, Any] | None = None) -> None:
        self.lines.append(f"{' ' * self.depth}<{tag}{self._attrs(attrs)}/>")

    def prop(self, name: str, value: Any) -> None:
        text = "" if value is None else str(value)
        if text == "":
            self.lines.append(f"{' ' * self.depth}<property name={quoteattr(name)}/>")
        else:
            self.lines.append(f"{' ' * self.depth}<property name={quoteattr(name)}>{escape(text)}</property>")

    def props(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            self.prop(name, value)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def still_producer_props(length: int, resource: str) -> dict[str, Any]:
    """The properties an MLT `pixbuf` producer of a still keyframe starts with (Shotcut and Kdenlive alike)."""
    return {
        "length": length,
        "eof": "pause",
        "resource": resource,
        "ttl": 1,
        "aspect_ratio": 1,
        "progressive": 1,
        "seekable": 1,
        "mlt_service": "pixbuf",
    }


def picture_producer_props(shot: ShotPlace, resource: str) -> dict[str, Any]:
    """The MLT producer properties of a shot's picture: a `pixbuf` still, or an `avformat` movie (no audio)."""
    if shot.media != "movie":
        return still_producer_props(shot.available, resource)
    return {
        "length": shot.available,
        "eof": "pause",
        "resource": resource,
        "audio_index": -1,
        "video_index": 0,
        "seekable": 1,
        "mlt_service": "avformat-novalidate",
    }


def picture_image(shot: ShotPlace) -> Any:
    """A shot's picture as a PIL RGB image: the keyframe, or a movie's frame at the shot's first source frame."""
    from PIL import Image, UnidentifiedImageError

    if shot.media == "movie":
        import av

        try:
            with av.open(str(shot.path)) as container:
                for index, frame in enumerate(container.decode(video=0)):
                    if index >= shot.source_start:
                        return frame.to_image().convert("RGB")
        except av.error.FFmpegError as exc:
            raise ScriptkitError(f"cannot read the movie: {exc}", shot.path) from None
        raise ScriptkitError(f"the movie holds fewer than {shot.source_start + 1} frames", shot.path)
    try:
        with Image.open(shot.path) as img:
            img.load()
            return img.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise ScriptkitError(f"cannot read keyframe image: {exc}", shot.path) from None


def media_ref(path: Path, project_dir: Path, relative: bool) -> str:
    """A resource path for MLT: absolute, or relative to the project folder (MLT resolves it from `root`)."""
    path = Path(path).absolute()
    if relative:
        try:
            import os

            return Path(os.path.relpath(path, Path(project_dir).absolute())).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def used_wipes(lay: Layout) -> list[str]:
    return sorted({wipe_shape(b.wipe) for b in lay.blends if b.kind == "wipe"})


def meta_text(value: Any) -> str:
    """Metadata value -> one line of text."""
    value = plain(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


# ----------------------------------------------------------------------------------- picture segments


@dataclass(frozen=True)
class Segment:
    """A stretch of the picture track: black ("blank"), one shot ("clip") or a dissolve/wipe ("blend").

    `source` is the first media frame of `shot` shown (for a blend: of the outgoing shot, and
    `incoming_source` of the incoming one).
    """

    kind: str
    start: int
    length: int
    shot: int | None = None
    source: int = 0
    blend: Blend | None = None
    incoming_source: int = 0

    @property
    def end(self) -> int:
        return self.start + self.length


def segments(lay: Layout) -> list[Segment]:
    """The picture track cut into blanks, plain shot stretches and transition stretches, in order."""
    heads = {b.incoming: b for b in lay.blends}
    tails = {b.outgoing: b for b in lay.blends}
    out: list[Segment] = []
    pos = 0
    for shot in lay.shots:
        head = heads.get(shot.index)
        start = head.end if head else shot.start
        end = tails[shot.index].start if shot.index in tails else shot.end
        if head is not None:
            outgoing = lay.shots[head.outgoing]
            out.append(
                Segment(
                    "blend",
                    head.start,
                    head.duration,
                    outgoing.index,
                    outgoing.source_start + head.start - outgoing.start,
                    head,
                    shot.source_start + head.start - shot.start,
                )
            )
            pos = head.end
        if start > pos:
            out.append(Segment("blank", pos, start - pos))
        if end > start:
            out.append(Segment("clip", start, end - start, shot.index, shot.source_start + start - shot.start))
        pos = max(pos, end)
    if lay.duration > pos:
        out.append(Segment("blank", pos, lay.duration - pos))
    return out


def audio_segments(clips: tuple[AudioPlace, ...]) -> list[tuple[int, AudioPlace | None]]:
    """(frames, clip) in order for an audio playlist; clip None is a blank."""
    out: list[tuple[int, AudioPlace | None]] = []
    pos = 0
    for clip in sorted(clips, key=lambda c: c.start):
        if clip.start > pos:
            out.append((clip.start - pos, None))
        start = max(pos, clip.start)
        length = clip.start + clip.duration - start
        if length > 0:
            out.append((length, clip))
            pos = start + length
    return out
