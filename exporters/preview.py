"""preview.mp4: the timeline rendered to a small H.264 + AAC movie with PyAV (FFmpeg).

Every frame comes from the timeline itself (`exporters.mlt_common.layout`): each shot's keyframe held for
its frames with a gentle deterministic camera move (push-in on close sizes, slow pan on wide sizes, or the
shot's own push/pull/pan/tilt), cuts, dissolves and wipes where the timeline has Transitions, fades from and
to black, black where the picture track has a gap. Every audio clip is mixed at its clip gain and volume
keyframes (the music bed ducked under the dialogue), and the mix mastered to -14 LUFS integrated with the true
peak under -1 dBTP (`scriptkit.mix.master`). Burned in (unless `burn_in` is off): the shot id top left, the
timeline timecode top right, the dialogue as subtitles at the bottom.

The movie has exactly the timeline's frames at the timeline's exact rate (time base 1/rate, so 29.97 is
30000/1001, never a rounded float); audio is 48 kHz stereo.

Speed: each keyframe is decoded and fitted to the preview size once, converted once to Y'CbCr 4:2:0 planes
(BT.601, limited range, tagged as such); a frame is then a bilinear crop-and-enlarge (at most 1/MOVE_ZOOM,
so two taps per axis) of three small planes, blended in numpy where a transition runs, and handed to x264
(preset ultrafast) without any further colour conversion. Pictures are composed in a worker thread while
the main thread encodes.

Documented clamps and refusals:
- The preview size must be even for H.264 4:2:0: an odd width or height is rounded down to even; sizes
  under 16 or over 7680 pixels are refused.
- A timeline longer than `MAX_SECONDS` (one hour) is refused: a preview of a feature is not a preview
  (build with --no-preview).
- A missing or unreadable keyframe or sound file is a ScriptkitError naming it, raised before any frame
  is encoded. The movie is written to a temp file beside the target and renamed when complete, so a
  failed or killed render never leaves a corrupt preview.mp4 behind.
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, model_validator

from exporters import Format, FormatOptions
from exporters.mlt_common import (
    AudioPlace,
    Layout,
    ShotPlace,
    camera_move,
    check_media,
    crop_box,
    layout,
    picture_image,
    wipe_ramp,
    wipe_shape,
)
from scriptkit.errors import ScriptkitError
from scriptkit.fonts import font_for, wrap
from scriptkit.io import atomic_path
from scriptkit.mix import clip_gain, master
from scriptkit.rates import frames_to_timecode

if TYPE_CHECKING:
    import numpy as np
    import opentimelineio as otio

    from scriptkit.models import ExportOptions

#: Longest timeline the preview renders, in seconds.
MAX_SECONDS = 3600
#: Smallest and largest preview side, in pixels.
MIN_SIDE, MAX_SIDE = 16, 7680
#: Long side of the default preview (540x960 vertical, 960x540 widescreen).
DEFAULT_LONG_SIDE = 960
SAMPLE_RATE = 48_000
AUDIO_FRAME = 1024
#: x264 speed preset: fast enough for better than 4x real time at 540x960 on two cores.
PRESET = "ultrafast"
CRF = "26"
#: Opacity of the burned-in shot id box (0-255).
SHOT_ID_ALPHA = 225


# ------------------------------------------------------------------------------------------ size


def _even(value: int) -> int:
    return value - value % 2


class PreviewOptions(FormatOptions):
    """`--preview-size WxH` (None: from the timeline's aspect) and `--burn-in/--no-burn-in`."""

    burn_in: bool = Field(True, description="--burn-in/--no-burn-in: shot id, timecode and subtitles on the picture")
    preview_width: int | None = Field(None, description="--preview-size WxH (None: from the timeline's aspect)")
    preview_height: int | None = Field(None, description="--preview-size WxH (None: from the timeline's aspect)")

    @model_validator(mode="before")
    @classmethod
    def _size(cls, values: Any) -> Any:
        """Accept `preview_size` as the CLI spells it: "540x960"."""
        if not isinstance(values, dict) or "preview_size" not in values:
            return values
        values = dict(values)
        text = values.pop("preview_size")
        if text:
            match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", str(text))
            if not match:
                raise ValueError(f"--preview-size must be WIDTHxHEIGHT such as 540x960, got {text!r}")
            width, height = int(match.group(1)), int(match.group(2))
            if not (16 <= width <= 7680 and 16 <= height <= 7680):
                raise ValueError(f"--preview-size {width}x{height} is outside 16..7680 pixels per side")
            values["preview_width"], values["preview_height"] = width, height
        return values


def preview_size(lay: Layout, width: int | None, height: int | None) -> tuple[int, int]:
    """The movie's size: the options' (odd sides rounded down to even), else derived from the timeline's aspect."""
    aspect = Fraction(lay.width, lay.height)
    if width is None and height is None:
        if lay.height > lay.width:
            height = DEFAULT_LONG_SIDE
        else:
            width = DEFAULT_LONG_SIDE
    if width is None:
        height = _even(int(height))  # type: ignore[arg-type]
        width = round(height * aspect)
    if height is None:
        width = _even(int(width))
        height = round(width / aspect)
    w, h = _even(int(width)), _even(int(height))
    if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
        raise ScriptkitError(
            f"preview size {width}x{height} is out of range",
            hint=f"each side must be {MIN_SIDE} to {MAX_SIDE} pixels, e.g. --preview-size 540x960",
        )
    return w, h


# ------------------------------------------------------------------------------------------ colour


def rgb_to_yuv(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """uint8 RGB (h, w, 3) -> BT.601 limited-range Y (h, w) and full-resolution Cb, Cr (float32)."""
    import numpy as np

    f = rgb.astype(np.float32) / 255.0
    r, g, b = f[..., 0], f[..., 1], f[..., 2]
    y = 16.0 + 65.481 * r + 128.553 * g + 24.966 * b
    u = 128.0 - 37.797 * r - 74.203 * g + 112.0 * b
    v = 128.0 + 112.0 * r - 93.786 * g - 18.214 * b
    return y, u, v


def _half(plane: np.ndarray) -> np.ndarray:
    """2x2 average (both sides even)."""
    return 0.25 * (plane[0::2, 0::2] + plane[1::2, 0::2] + plane[0::2, 1::2] + plane[1::2, 1::2])


def _u8(plane: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.clip(np.rint(plane), 0, 255).astype(np.uint8)


# ------------------------------------------------------------------------------------------ pictures


@dataclass
class Plate:
    """One keyframe, fitted (cover) to the preview's aspect with room for the camera move, as Y'CbCr planes."""

    y: Any  # PIL.Image "L", (pw, ph)
    u: Any  # PIL.Image "L", (pw / 2, ph / 2)
    v: Any
    move: str
    start: int
    duration: int
    chroma_frame: int | None = None
    chroma: tuple[Any, Any] | None = None


def _fit(rgb: Any, size: tuple[int, int]) -> Any:
    """A PIL RGB image scaled to cover `size` and centre-cropped to exactly `size`."""
    from PIL import Image, ImageOps

    return ImageOps.fit(rgb, size, method=Image.Resampling.BICUBIC)


def make_plate(shot: ShotPlace, size: tuple[int, int]) -> Plate:
    import numpy as np
    from PIL import Image

    rgb = np.asarray(_fit(picture_image(shot), size))
    y, u, v = rgb_to_yuv(rgb)
    return Plate(
        y=Image.fromarray(_u8(y), "L"),
        u=Image.fromarray(_u8(_half(u)), "L"),
        v=Image.fromarray(_u8(_half(v)), "L"),
        move=camera_move(shot),
        start=shot.start,
        duration=shot.duration,
    )


def picture(plate: Plate, frame: int, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The plate's Y, U, V planes at timeline `frame`.

    The move runs from the clip's first to its last frame; in the handles (under a dissolve) it holds.
    Chroma (half resolution, and moving a fraction of a chroma pixel a frame) is taken at the even frame
    at or before `frame`, so each chroma pair is resampled once per two frames (a pure function of
    `frame`: the cache only saves the work).
    """
    import numpy as np
    from PIL import Image

    width, height = size
    pw, ph = plate.y.size
    bilinear = Image.Resampling.BILINEAR
    box = crop_box(plate.move, (frame - plate.start) / max(1, plate.duration - 1), pw, ph)
    y = np.asarray(plate.y.resize((width, height), bilinear, box=box))
    even = frame - frame % 2
    if plate.chroma_frame != even or plate.chroma is None:
        x0, y0, x1, y1 = crop_box(plate.move, (even - plate.start) / max(1, plate.duration - 1), pw, ph)
        half = (x0 / 2, y0 / 2, x1 / 2, y1 / 2)
        cb = plate.u.resize((width // 2, height // 2), bilinear, box=half)
        cr = plate.v.resize((width // 2, height // 2), bilinear, box=half)
        plate.chroma_frame, plate.chroma = even, (np.asarray(cb), np.asarray(cr))
    return y, plate.chroma[0], plate.chroma[1]


class MoviePlate:
    """A shot's movie, decoded in order as its frames are asked for (timeline frame -> the media frame its
    source range puts there; before the first or past the last frame it holds that frame)."""

    def __init__(self, shot: ShotPlace, size: tuple[int, int]) -> None:
        self.shot, self.size = shot, size
        self.container: Any = None
        self.frames: Iterator[Any] = iter(())
        self.next = 0
        self.planes: tuple[Any, Any, Any] | None = None

    def _open(self) -> None:
        import av

        self.close()
        try:
            self.container = av.open(str(self.shot.path))
        except av.error.FFmpegError as exc:
            raise ScriptkitError(f"cannot read the movie: {exc}", self.shot.path) from None
        self.frames, self.next, self.planes = self.container.decode(video=0), 0, None

    def picture(self, frame: int) -> tuple[Any, Any, Any]:
        import numpy as np

        shot = self.shot
        index = max(0, min(shot.available - 1, shot.source_start + frame - shot.start))
        if self.container is None or index < self.next - 1:
            self._open()
        while self.next <= index:
            decoded = next(self.frames, None)
            if decoded is None:  # shorter than it said: hold its last frame
                break
            rgb = np.asarray(_fit(decoded.to_image().convert("RGB"), self.size))
            y, u, v = rgb_to_yuv(rgb)
            self.planes = (_u8(y), _u8(_half(u)), _u8(_half(v)))
            self.next += 1
        if self.planes is None:
            raise ScriptkitError("the movie holds no picture", shot.path)
        return self.planes

    def close(self) -> None:
        if self.container is not None:
            self.container.close()
            self.container = None


def black(size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import numpy as np

    width, height = size
    return (
        np.full((height, width), 16, np.uint8),
        np.full((height // 2, width // 2), 128, np.uint8),
        np.full((height // 2, width // 2), 128, np.uint8),
    )


def dissolve(a: tuple, b: tuple, p: float) -> tuple:
    """Linear mix: p = 0 is all `a`, 1 all `b` (Y'CbCr is linear in R'G'B', so this is the RGB mix)."""
    import numpy as np

    w = min(256, max(0, round(p * 256)))
    return tuple(
        ((x.astype(np.uint16) * (256 - w) + y.astype(np.uint16) * w) >> 8).astype(np.uint8)
        for x, y in zip(a, b, strict=True)
    )


def wipe(a: tuple, b: tuple, p: float, ramps: tuple) -> tuple:
    """Pixels whose ramp value is below p show `b`."""
    import numpy as np

    return tuple(np.where(ramp < p, y, x) for x, y, ramp in zip(a, b, ramps, strict=True))


def fade(planes: tuple, level: float) -> tuple:
    """Towards black: level 1 leaves the picture, 0 is black."""
    import numpy as np

    w = min(256, max(0, round(level * 256)))
    y, u, v = (p.astype(np.int32) for p in planes)
    return (
        (16 + (((y - 16) * w) >> 8)).astype(np.uint8),
        (128 + (((u - 128) * w) >> 8)).astype(np.uint8),
        (128 + (((v - 128) * w) >> 8)).astype(np.uint8),
    )


# ------------------------------------------------------------------------------------------ text


@dataclass
class Sprite:
    """A pre-rendered RGBA label as Y'CbCr planes with alpha (0..256), ready to blend onto a frame."""

    y: Any
    u: Any
    v: Any
    a: Any
    ac: Any

    @property
    def width(self) -> int:
        return self.y.shape[1]

    @property
    def height(self) -> int:
        return self.y.shape[0]


def sprite_from_rgba(img: Any) -> Sprite:
    import numpy as np

    w, h = img.size
    if w % 2 or h % 2:
        from PIL import Image

        padded = Image.new("RGBA", (w + w % 2, h + h % 2), (0, 0, 0, 0))
        padded.paste(img, (0, 0))
        img = padded
    rgba = np.asarray(img)
    y, u, v = rgb_to_yuv(rgba[..., :3])
    alpha = rgba[..., 3].astype(np.float32) / 255.0
    ca = _half(alpha)
    safe = np.where(ca > 0, ca, 1.0)
    return Sprite(
        y=_u8(y).astype(np.uint16),
        u=_u8(_half(u * alpha) / safe).astype(np.uint16),
        v=_u8(_half(v * alpha) / safe).astype(np.uint16),
        a=np.rint(alpha * 256).astype(np.uint16),
        ac=np.rint(ca * 256).astype(np.uint16),
    )


def hstack(sprites: list[Sprite]) -> Sprite:
    import numpy as np

    return Sprite(*(np.concatenate([getattr(s, k) for s in sprites], axis=1) for k in ("y", "u", "v", "a", "ac")))


def blit(planes: list[np.ndarray], sprite: Sprite, x: int, y: int) -> None:
    """Alpha-blend `sprite` onto writable planes with its top-left corner at (x, y) (rounded to even)."""
    import numpy as np

    x, y = _even(max(0, x)), _even(max(0, y))
    height, width = planes[0].shape
    w, h = min(sprite.width, width - x), min(sprite.height, height - y)
    if w <= 0 or h <= 0:
        return
    w, h = _even(w), _even(h)
    region = planes[0][y : y + h, x : x + w]
    a = sprite.a[:h, :w]
    region[...] = ((region.astype(np.uint16) * (256 - a) + sprite.y[:h, :w] * a) >> 8).astype(np.uint8)
    cx, cy, cw, ch = x // 2, y // 2, w // 2, h // 2
    ac = sprite.ac[:ch, :cw]
    for plane, value in ((planes[1], sprite.u), (planes[2], sprite.v)):
        region = plane[cy : cy + ch, cx : cx + cw]
        region[...] = ((region.astype(np.uint16) * (256 - ac) + value[:ch, :cw] * ac) >> 8).astype(np.uint8)


def label(text: str, size: int, box: bool = True, pad: int | None = None, alpha: int = 150) -> Sprite:
    """White text with a dark outline, on a dark box of opacity `alpha` (0-255) when `box`."""
    from PIL import Image, ImageDraw

    font = font_for(text, size, latin="ui")
    pad = max(2, size // 4) if pad is None else pad
    left, top, right, bottom = font.getbbox(text, stroke_width=2)
    w, h = right - left + 2 * pad, bottom - top + 2 * pad
    img = Image.new("RGBA", (max(2, w), max(2, h)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    if box:
        draw.rectangle((0, 0, w - 1, h - 1), fill=(0, 0, 0, alpha))
    draw.text(
        (pad - left, pad - top), text, font=font, fill=(255, 255, 255, 255), stroke_width=2, stroke_fill=(0, 0, 0, 255)
    )
    return sprite_from_rgba(img)


def subtitle_sprite(character: str, text: str, size: int, max_width: int) -> Sprite:
    """The line on a dark box, centred, wrapped to `max_width` pixels (CJK between characters)."""
    from PIL import Image, ImageDraw

    line = f"{character}: {text}" if character else text
    font = font_for(line, size, latin="ui")
    pad = max(2, size // 4)
    lines = wrap(line, font, max_width)
    line_h = int(size * 1.25)
    widths = [int(font.getlength(line)) + 4 for line in lines]
    w, h = max(widths) + 2 * pad, line_h * len(lines) + 2 * pad
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, w - 1, h - 1), fill=(0, 0, 0, 140))
    for k, line in enumerate(lines):
        x = (w - widths[k]) // 2 + 2
        draw.text(
            (x, pad + k * line_h),
            line,
            font=font,
            fill=(255, 255, 255, 255),
            stroke_width=2,
            stroke_fill=(0, 0, 0, 255),
        )
    return sprite_from_rgba(img)


class BurnIn:
    """Shot id, timecode and subtitles, rendered once and blended per frame."""

    def __init__(self, lay: Layout, size: tuple[int, int]) -> None:
        width, height = size
        self.size = size
        self.lay = lay
        self.text_size = max(10, round(min(width, height) * 0.04))
        self.margin = _even(max(4, round(min(width, height) * 0.03)))
        # near-opaque, flush with the top edge: it hides the id a storyboard keyframe draws in the same corner
        # (which the camera move shifts) instead of printing a second, offset id through a see-through box
        self.shots = {shot.index: label(shot.name, self.text_size, alpha=SHOT_ID_ALPHA) for shot in lay.shots}
        glyphs = {ch: label(ch, self.text_size, box=False, pad=1) for ch in "0123456789:;-"}
        cell_w = max(g.width for g in glyphs.values())
        cell_h = self.shots[0].height if self.shots else max(g.height for g in glyphs.values())
        self.glyphs = {ch: _pad_sprite(g, cell_w, cell_h) for ch, g in glyphs.items()}
        sample = self.timecode_glyphs(0)
        self.tc_width = sum(g.width for g in sample)
        self.tc_box = _box_sprite(self.tc_width + self.margin, cell_h)
        widest = max((s.width for s in self.shots.values()), default=0)
        self.tc_y = self.margin
        if self.margin + widest + self.margin + self.tc_box.width + self.margin > width:
            self.tc_y = self.margin + max((s.height for s in self.shots.values()), default=0) + self.margin // 2
        sub_size = max(10, round(min(width, height) * 0.045))
        # a Han cue shows the cue maker's lines as they are (no speaker prefix: 16 units a line), one under another
        self.subtitles = [
            (sub.start, sub.end, subtitle_sprite(sub.character, sub.text, sub_size, int(width * 0.88)))
            if sub.lines is None
            else (sub.start, sub.end, subtitle_sprite("", line, sub_size, int(width * 0.88)))
            for sub in lay.subtitles
            for line in (sub.lines or (sub.text,))
        ]

    def timecode_glyphs(self, frame: int) -> list[Sprite]:
        text = frames_to_timecode(self.lay.start_frame + frame, self.lay.rate, self.lay.drop_frame)
        return [self.glyphs[ch] for ch in text]

    def draw(self, planes: list[np.ndarray], frame: int, shot: int | None) -> None:
        width, height = self.size
        if shot is not None:
            blit(planes, self.shots[shot], self.margin, 0)
        x = width - self.margin - self.tc_box.width
        blit(planes, self.tc_box, x, self.tc_y)
        blit(planes, hstack(self.timecode_glyphs(frame)), x + self.margin // 2, self.tc_y)
        active = [sprite for start, end, sprite in self.subtitles if start <= frame < end]
        y = height - self.margin * 3
        for sprite in reversed(active):
            y -= sprite.height
            blit(planes, sprite, (width - sprite.width) // 2, y)
            y -= self.margin // 2


def _box_sprite(width: int, height: int) -> Sprite:
    from PIL import Image

    return sprite_from_rgba(Image.new("RGBA", (width + width % 2, height + height % 2), (0, 0, 0, 150)))


def _pad_sprite(sprite: Sprite, width: int, height: int) -> Sprite:
    """Centre a glyph in a fixed cell (transparent padding)."""
    import numpy as np

    width, height = width + width % 2, height + height % 2
    out = Sprite(
        y=np.full((height, width), 16, np.uint16),
        u=np.full((height // 2, width // 2), 128, np.uint16),
        v=np.full((height // 2, width // 2), 128, np.uint16),
        a=np.zeros((height, width), np.uint16),
        ac=np.zeros((height // 2, width // 2), np.uint16),
    )
    x, y = _even((width - sprite.width) // 2), _even((height - sprite.height) // 2)
    out.y[y : y + sprite.height, x : x + sprite.width] = sprite.y
    out.a[y : y + sprite.height, x : x + sprite.width] = sprite.a
    cx, cy = x // 2, y // 2
    out.u[cy : cy + sprite.height // 2, cx : cx + sprite.width // 2] = sprite.u
    out.v[cy : cy + sprite.height // 2, cx : cx + sprite.width // 2] = sprite.v
    out.ac[cy : cy + sprite.height // 2, cx : cx + sprite.width // 2] = sprite.ac
    return out


# ------------------------------------------------------------------------------------------ audio


def samples_at(frame: int, rate: Fraction) -> int:
    """The first audio sample of timeline `frame` (exact for NTSC rates)."""
    return round(Fraction(frame) * SAMPLE_RATE / rate)


def read_audio(path: Path) -> np.ndarray:
    """A sound file as float32 stereo at 48 kHz, shape (2, samples)."""
    import av
    import numpy as np

    chunks: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise ScriptkitError("no audio stream in sound file", path)
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
            for frame in container.decode(container.streams.audio[0]):
                chunks.extend(out.to_ndarray() for out in resampler.resample(frame))
            chunks.extend(out.to_ndarray() for out in resampler.resample(None))
    except av.FFmpegError as exc:
        raise ScriptkitError(f"cannot read sound file: {exc}", path) from None
    if not chunks:
        return np.zeros((2, 0), np.float32)
    return np.concatenate(chunks, axis=1).astype(np.float32)


def mix_audio(lay: Layout) -> np.ndarray:
    """Every audio clip of every track summed at its gain, mastered: float32 (2, samples of the whole timeline)."""
    import numpy as np

    total = samples_at(lay.duration, lay.rate)
    mix = np.zeros((2, total), np.float32)
    cache: dict[Path, np.ndarray] = {}
    for track in lay.audio:
        for clip in track.clips:
            if clip.path not in cache:
                cache[clip.path] = read_audio(clip.path)
            data = cache[clip.path]
            start = samples_at(clip.start, lay.rate)
            end = min(total, samples_at(clip.start + clip.duration, lay.rate))
            offset = samples_at(clip.source_start, lay.rate)
            piece = data[:, offset : offset + max(0, end - start)]
            mix[:, start : start + piece.shape[1]] += piece * _clip_envelope(clip, piece.shape[1], lay.rate)
    return master(mix, SAMPLE_RATE)


def _clip_envelope(clip: AudioPlace, samples: int, rate: Fraction) -> Any:
    """The clip's gain per sample: its level, or its volume keyframes (frames from the clip's start)."""
    import numpy as np

    level, keys = clip_gain(clip.meta)
    if not keys:
        return np.float32(10.0 ** ((level or clip.level_db) / 20.0))
    frames = np.arange(samples) * (float(rate) / SAMPLE_RATE)
    db = np.interp(frames, [f for f, _ in keys], [d for _, d in keys])
    return (10.0 ** (db / 20.0)).astype(np.float32)


# ------------------------------------------------------------------------------------------ render


@dataclass
class RenderStats:
    frames: int
    size: tuple[int, int]
    rate: Fraction
    seconds: float


class _Cursor:
    """Walks a list of (start, end, value) intervals sorted by start as the frame number grows."""

    def __init__(self, items: list[tuple[int, int, Any]]) -> None:
        self.items = sorted(items, key=lambda item: (item[0], item[1]))
        self.index = 0

    def at(self, frame: int) -> Any:
        while self.index < len(self.items) and self.items[self.index][1] <= frame:
            self.index += 1
        if self.index < len(self.items) and self.items[self.index][0] <= frame:
            return self.items[self.index][2]
        return None


def _level(fades: list[Any], frame: int) -> float:
    level = 1.0
    for item in fades:
        if item.start <= frame < item.end:
            span = max(1, item.duration - 1)
            p = (frame - item.start) / span
            level *= p if item.kind == "in" else 1.0 - p
    return max(0.0, min(1.0, level))


class _Composer:
    """Builds the picture of each timeline frame (runs in a worker thread: PIL and numpy release the GIL)."""

    def __init__(self, lay: Layout, size: tuple[int, int], burn_in: bool) -> None:
        width, height = size
        self.lay, self.size = lay, size
        self.plates = {shot.index: make_plate(shot, size) for shot in lay.shots if shot.media != "movie"}
        self.movies = {shot.index: MoviePlate(shot, size) for shot in lay.shots if shot.media == "movie"}
        self.ramps: dict[str, tuple] = {}
        for blend in lay.blends:
            shape = wipe_shape(blend.wipe)
            if blend.kind == "wipe" and shape not in self.ramps:
                half = wipe_ramp(shape, width // 2, height // 2)
                self.ramps[shape] = (wipe_ramp(shape, width, height), half, half)
        self.overlay = BurnIn(lay, size) if burn_in else None
        self.shots = _Cursor([(s.start, s.end, s.index) for s in lay.shots])
        self.blends = _Cursor([(b.start, b.end, b) for b in lay.blends])

    def picture(self, shot: int, frame_no: int) -> tuple[Any, Any, Any]:
        movie = self.movies.get(shot)
        return movie.picture(frame_no) if movie is not None else picture(self.plates[shot], frame_no, self.size)

    def close(self) -> None:
        for movie in self.movies.values():
            movie.close()

    def frame(self, frame_no: int) -> Any:
        """The finished av.VideoFrame for timeline frame `frame_no` (frames must be asked for in order)."""
        size = self.size
        blend = self.blends.at(frame_no)
        current = self.shots.at(frame_no)
        if blend is not None:
            a = self.picture(blend.outgoing, frame_no)
            b = self.picture(blend.incoming, frame_no)
            p = (frame_no - blend.start) / max(1, blend.duration)
            planes = wipe(a, b, p, self.ramps[wipe_shape(blend.wipe)]) if blend.kind == "wipe" else dissolve(a, b, p)
        elif current is not None:
            planes = self.picture(current, frame_no)
        else:
            planes = black(size)
        level = _level(self.lay.fades, frame_no)
        if level < 1.0:
            planes = fade(planes, level)
        frame, views = _video_frame(planes, *size)
        if self.overlay is not None:
            self.overlay.draw(views, frame_no, current)
        frame.pts = frame_no
        return frame


def _produce(composer: _Composer, count: int, out: queue.Queue, stop: threading.Event) -> None:
    try:
        for frame_no in range(count):
            if stop.is_set():
                return
            out.put(composer.frame(frame_no))
    except BaseException as exc:  # handed to the encoding thread, which raises it
        out.put(exc)


def render(lay: Layout, path: Path, size: tuple[int, int], burn_in: bool = True) -> RenderStats:
    """Render the layout to `path` (an .mp4). The caller makes the write atomic.

    Pictures are composed in a worker thread while this thread encodes (x264 runs its own threads).
    """
    import av

    width, height = size
    composer = _Composer(lay, size, burn_in)
    audio = mix_audio(lay)
    frames: queue.Queue = queue.Queue(maxsize=8)
    stop = threading.Event()
    worker = threading.Thread(target=_produce, args=(composer, lay.duration, frames, stop), daemon=True)
    try:
        with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as container:
            container.metadata["title"] = lay.name
            video = container.add_stream("libx264", rate=lay.rate)
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            video.codec_context.time_base = Fraction(1) / lay.rate
            video.codec_context.color_range = 1  # MPEG (limited)
            video.codec_context.colorspace = 6  # SMPTE 170M (BT.601)
            video.codec_context.color_primaries = 6
            video.codec_context.color_trc = 6
            video.options = {"preset": PRESET, "crf": CRF}
            sound = container.add_stream("aac", rate=SAMPLE_RATE, layout="stereo")
            sound.codec_context.time_base = Fraction(1, SAMPLE_RATE)
            sound.bit_rate = 128_000
            sound.options = {"aac_coder": "fast"}
            worker.start()
            sent = 0
            for frame_no in range(lay.duration):
                item = frames.get()
                if isinstance(item, BaseException):
                    raise item
                container.mux(video.encode(item))
                sent = _send_audio(container, sound, audio, sent, samples_at(frame_no + 1, lay.rate))
            _send_audio(container, sound, audio, sent, audio.shape[1], final=True)
            container.mux(video.encode(None))
            container.mux(sound.encode(None))
    finally:
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(queue.Empty):
                frames.get(timeout=0.05)
        composer.close()
    return RenderStats(lay.duration, size, lay.rate, lay.seconds(lay.duration))


def _video_frame(planes: tuple | list, width: int, height: int) -> tuple[Any, list[np.ndarray]]:
    """A yuv420p av.VideoFrame holding the planes, and writable views of its planes (for the burn-in)."""
    import av
    import numpy as np

    frame = av.VideoFrame(width, height, "yuv420p")
    frame.color_range = 1
    frame.colorspace = 6
    views = []
    for plane, data in zip(frame.planes, planes, strict=True):
        view = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
        view[...] = data
        views.append(view)
    return frame, views


def _send_audio(container: Any, stream: Any, audio: np.ndarray, sent: int, until: int, final: bool = False) -> int:
    import av
    import numpy as np

    while sent + AUDIO_FRAME <= until or (final and sent < until):
        chunk = np.ascontiguousarray(audio[:, sent : min(until, sent + AUDIO_FRAME)])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = sent
        frame.time_base = Fraction(1, SAMPLE_RATE)
        container.mux(stream.encode(frame))
        sent += chunk.shape[1]
    return sent


# ------------------------------------------------------------------------------------------ format


def check(lay: Layout) -> None:
    """Refuse what the preview cannot render (see the module docstring)."""
    if not lay.shots:
        raise ScriptkitError(f"timeline {lay.name!r} has no shots to preview")
    if lay.seconds(lay.duration) > MAX_SECONDS:
        raise ScriptkitError(
            f"timeline {lay.name!r} runs {lay.seconds(lay.duration) / 60:.1f} minutes; "
            f"the preview renders at most {MAX_SECONDS // 60} minutes",
            hint="build with --no-preview",
        )
    check_media(lay)


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    """Render preview.mp4 for `timeline` (atomically: a temp file renamed when complete)."""
    lay = layout(timeline)
    check(lay)
    opts = FORMAT.options_from(options)
    size = preview_size(lay, opts.preview_width, opts.preview_height)
    with atomic_path(Path(path)) as tmp:
        render(lay, tmp, size, burn_in=opts.burn_in)


FORMAT = Format(
    name="preview",
    description="Preview movie (H.264 + AAC) rendered from the timeline: moves, transitions, burned-in ids",
    suffixes=(".mp4",),
    output="preview.mp4",
    when="preview",
    timeline=False,
    write=write,
    options=PreviewOptions,
)
