"""The `storyboard` image backend: a storyboard panel per shot, drawn with Pillow, in the reference's colours.

What a board artist would pin on the wall, at the shot list's resolution:

- a paper sheet with the panel frame; the shot id top left, size and camera move top right, the take;
- inside the frame a marker-wash background made from the style reference itself (cropped, zoomed in for
  closer shots, softened, posterized to the reference's palette found by median cut), or a plain
  palette gradient without a reference; perspective guide lines (a room box inside, a horizon outside);
- figures as silhouettes with a rim light, sized by the shot size (extreme wide to extreme close-up,
  two-shot, over-the-shoulder), each character on a stable screen side (the first character in the cast
  stays screen left: the 180-degree rule), facing the other side, with the name by the figure;
  an insert draws the object named in capitals in the action (ENVELOPE, PHONE...);
- red pencil arrows for the camera move; the location and action as the caption under the frame.

Deterministic: the same job gives the same PNG bytes (no timestamps, fixed compression level).
Fast: the wash is computed at a quarter of the size and scaled up, everything else is vector drawing.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from pydantic import Field

from generators import BackendOptions, ImageGenerator, ImageJob, Params
from scriptkit.fonts import ellipsize, font_for, has_cjk, wrap

RGB = tuple[int, int, int]

#: Without a style reference: a graphite-and-blue board palette, dark to light.
DEFAULT_PALETTE: tuple[RGB, ...] = (
    (38, 40, 48),
    (72, 82, 99),
    (110, 128, 150),
    (150, 165, 180),
    (196, 202, 206),
    (228, 226, 218),
)
PAPER: RGB = (244, 240, 230)
RED_PENCIL: RGB = (206, 52, 44)


@dataclass(frozen=True)
class Palette:
    colors: tuple[RGB, ...]  # dark to light

    @property
    def ink(self) -> RGB:
        return self.colors[0]

    @property
    def light(self) -> RGB:
        return self.colors[-1]

    @property
    def accent(self) -> RGB:
        """The most saturated colour that is not too dark: the rim light."""

        def score(color: RGB) -> float:
            high, low = max(color), min(color)
            return (high - low) * (0.4 + high / 255)

        return max(self.colors, key=score)


# ------------------------------------------------------------------------------------------- style


@functools.lru_cache(maxsize=8)
def load_style(path: str, sha256: str) -> tuple[Palette, Image.Image]:
    """Palette (median cut, 6 colours, dark to light) and a small RGB copy of the reference."""
    with Image.open(path) as image:
        small = image.convert("RGB")
        small.thumbnail((256, 256), Image.Resampling.BILINEAR)
    quantized = small.quantize(colors=6, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    raw = quantized.getpalette() or []
    counts = sorted(quantized.getcolors() or [], reverse=True)
    colors = [tuple(raw[3 * index : 3 * index + 3]) for _count, index in counts][:6]
    while len(colors) < 6:
        colors.append(DEFAULT_PALETTE[len(colors)])
    ordered = tuple(sorted((tuple(int(v) for v in c) for c in colors), key=_luma))
    return Palette(ordered), small  # type: ignore[arg-type]


def _luma(color: tuple[int, ...]) -> float:
    return 0.2126 * color[0] + 0.7152 * color[1] + 0.0722 * color[2]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


# -------------------------------------------------------------------------------------------- shots

#: Shot size -> (head height as a fraction of the frame height, head top as a fraction of the frame height).
FRAMING: dict[str, tuple[float, float]] = {
    "extreme_wide": (0.035, 0.6),
    "wide": (0.075, 0.38),
    "medium_wide": (0.135, 0.2),
    "medium": (0.2, 0.22),
    "medium_close": (0.28, 0.2),
    "close_up": (0.42, 0.15),
    "extreme_close_up": (0.85, -0.2),
    "two_shot": (0.17, 0.25),
    "over_the_shoulder": (0.24, 0.24),
    "pov": (0.12, 0.3),
    "insert": (0.12, 0.2),
}
#: Shot size -> how far into the reference the background zooms, and how soft it is.
ZOOM: dict[str, tuple[float, float]] = {
    "extreme_wide": (1.0, 0.6),
    "wide": (1.0, 0.8),
    "medium_wide": (1.3, 1.2),
    "medium": (1.5, 1.6),
    "medium_close": (1.8, 2.2),
    "close_up": (2.2, 3.0),
    "extreme_close_up": (2.8, 4.0),
    "two_shot": (1.4, 1.4),
    "over_the_shoulder": (1.6, 2.0),
    "pov": (1.2, 1.0),
    "insert": (2.5, 3.5),
}
LABELS = {
    "extreme_wide": "EWS",
    "wide": "WIDE",
    "medium_wide": "MWS",
    "medium": "MED",
    "medium_close": "MCU",
    "close_up": "CU",
    "extreme_close_up": "ECU",
    "two_shot": "2-SHOT",
    "over_the_shoulder": "OTS",
    "insert": "INSERT",
    "pov": "POV",
}
OBJECTS = {
    "envelope": ("ENVELOPE", "LETTER", "NOTE", "PAPER", "FILE", "PACKAGE", "PHOTO", "NEWSPAPER"),
    "phone": ("PHONE", "SCREEN", "CELL", "TABLET"),
    "key": ("KEY", "CARD", "TICKET"),
    "gun": ("GUN", "PISTOL", "REVOLVER", "KNIFE"),
}


#: Capitalised words that never name the object of an insert ('INSERT - THE LETTER').
_NOT_OBJECTS = frozenset({"THE", "AND", "HER", "HIS", "ITS", "THEIR", "OUR", "ONE", "INSERT", "CLOSE", "ON", "OF"})


def _object_word(shot_description: str, action: str, characters: list[str]) -> str:
    """What an insert shows: the subject the planner named ('insert: ENVELOPE', 'as written: THE LETTER'),
    else the first capitalised word of the action that is not a name or an article."""
    names = {name.upper() for name in characters}
    _, sep, subject = shot_description.partition(": ")
    candidates = re.findall(r"[A-Za-z][A-Za-z'-]{1,}", subject) if sep else []
    candidates += re.findall(r"\b[A-Z][A-Z'-]{2,}\b", action)
    for word in candidates:
        upper = word.upper()
        if upper not in names and upper not in _NOT_OBJECTS and len(upper) > 2:
            return upper
    return ""


def _object_kind(word: str) -> str:
    for kind, stems in OBJECTS.items():
        if any(stem in word for stem in stems):
            return kind
    return "box"


# ------------------------------------------------------------------------------------------ drawing


@dataclass(frozen=True)
class Frame:
    """The panel rectangle on the sheet."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def w(self) -> int:
        return self.x1 - self.x0

    @property
    def h(self) -> int:
        return self.y1 - self.y0


def sheet_layout(width: int, height: int) -> tuple[Frame, int]:
    """Panel frame and caption top for a sheet: a margin all round, the caption under the frame."""
    margin = round(min(width, height) * 0.045)
    top = margin + round(height * 0.04)
    caption = round(height * (0.2 if height > width else 0.22))
    frame = Frame(margin, top, width - margin, height - caption)
    return frame, frame.y1 + round(margin * 0.6)


def wash(
    job: ImageJob, frame: Frame, palette: Palette, reference: Image.Image | None, rng: np.random.Generator
) -> Image.Image:
    """The background: the reference cropped to the frame (zoomed by shot size), softened and posterized."""
    small = (max(8, frame.w // 2), max(8, frame.h // 2))
    zoom, blur = ZOOM.get(job.shot.size, (1.4, 1.5))
    if reference is not None:
        ref = reference
        aspect = small[0] / small[1]
        crop_h = ref.height / zoom
        crop_w = crop_h * aspect
        if crop_w > ref.width:
            crop_w = ref.width
            crop_h = crop_w / aspect
        cx = ref.width / 2 + (rng.random() - 0.5) * (ref.width - crop_w)
        cy = ref.height * 0.45 + (rng.random() - 0.5) * max(0.0, ref.height - crop_h) * 0.6
        box = (cx - crop_w / 2, cy - crop_h / 2, cx + crop_w / 2, cy + crop_h / 2)
        box = _clamp_box(box, ref.width, ref.height)
        base = ref.resize(small, Image.Resampling.BILINEAR, box=box)
        if rng.random() < 0.5:
            base = base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    else:
        base = _gradient(small, palette, job.shot.int_ext)
    base = base.filter(ImageFilter.GaussianBlur(blur))
    flat = Image.new("P", (1, 1))
    flat.putpalette([v for color in palette.colors for v in color] + [0] * (768 - 3 * len(palette.colors)))
    posterized = base.quantize(palette=flat, dither=Image.Dither.NONE).convert("RGB")
    soft = Image.blend(base, posterized, 0.65)
    # lift towards the paper so figures and ink lines read, as a marker wash on paper does
    soft = Image.blend(soft, Image.new("RGB", small, palette.colors[4]), 0.22)
    return soft.resize((frame.w, frame.h), Image.Resampling.BICUBIC)


def _clamp_box(box: tuple[float, float, float, float], width: int, height: int) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    w, h = min(x1 - x0, width), min(y1 - y0, height)
    x0 = min(max(0.0, x0), width - w)
    y0 = min(max(0.0, y0), height - h)
    return (x0, y0, x0 + w, y0 + h)


def _gradient(size: tuple[int, int], palette: Palette, int_ext: str) -> Image.Image:
    w, h = size
    y = np.linspace(0, 1, h)[:, None, None]
    top = np.array(palette.colors[1 if "EXT" in int_ext.upper() else 2], dtype=np.float64)
    mid = np.array(palette.colors[3], dtype=np.float64)
    low = np.array(palette.colors[1], dtype=np.float64)
    upper = top + (mid - top) * np.clip(y / 0.55, 0, 1)
    lower = mid + (low - mid) * np.clip((y - 0.55) / 0.45, 0, 1)
    arr = np.where(y < 0.55, upper, lower) * np.ones((1, w, 1))
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def sketch_line(
    draw: ImageDraw.ImageDraw,
    a: tuple[float, float],
    b: tuple[float, float],
    fill: tuple[int, ...],
    width: int,
    rng: np.random.Generator,
    passes: int = 2,
) -> None:
    """A pencil line: drawn twice with a small wobble and overshoot, as by hand."""
    length = math.hypot(b[0] - a[0], b[1] - a[1]) or 1.0
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    for _ in range(passes):
        jitter = rng.normal(0, width * 0.8, 4)
        over = rng.uniform(-0.01, 0.03, 2) * length
        start = (a[0] - ux * over[0] + jitter[0], a[1] - uy * over[0] + jitter[1])
        end = (b[0] + ux * over[1] + jitter[2], b[1] + uy * over[1] + jitter[3])
        draw.line([start, end], fill=fill, width=width)


def perspective(draw: ImageDraw.ImageDraw, frame: Frame, job: ImageJob, pencil: RGB, rng: np.random.Generator) -> float:
    """Guide lines: a one-point room box inside, a horizon and ground lines outside. Returns the horizon y."""
    size = job.shot.size
    ink = (*pencil, 105)
    horizon = frame.y0 + frame.h * (0.42 if size in ("extreme_wide", "wide", "pov") else 0.36)
    vp = (frame.x0 + frame.w * (0.5 + rng.uniform(-0.08, 0.08)), horizon)
    if size in ("close_up", "extreme_close_up", "insert"):
        return horizon
    if "INT" in job.shot.int_ext.upper() and "EXT" not in job.shot.int_ext.upper().replace("INT/EXT", ""):
        depth = 0.38 if size in ("extreme_wide", "wide") else 0.55
        bw, bh = frame.w * depth, frame.h * depth * 0.75
        back = (vp[0] - bw / 2, vp[1] - bh * 0.55, vp[0] + bw / 2, vp[1] + bh * 0.45)
        corners = [(back[0], back[1]), (back[2], back[1]), (back[2], back[3]), (back[0], back[3])]
        for a, b in zip(corners, corners[1:] + corners[:1], strict=True):
            sketch_line(draw, a, b, ink, 2, rng)
        for corner, target in zip(
            corners,
            [(frame.x0, frame.y0), (frame.x1, frame.y0), (frame.x1, frame.y1), (frame.x0, frame.y1)],
            strict=True,
        ):
            sketch_line(draw, corner, target, ink, 2, rng)
        for i in range(1, 4):
            t = i / 4
            x = back[0] + (back[2] - back[0]) * t
            sketch_line(draw, (x, back[1]), (frame.x0 + frame.w * t, frame.y0), (*pencil, 60), 1, rng, 1)
    else:
        sketch_line(draw, (frame.x0, horizon), (frame.x1, horizon), ink, 2, rng)
        for i in range(-3, 4):
            target = (frame.x0 + frame.w * (0.5 + i * 0.35), frame.y1)
            sketch_line(draw, vp, target, (*pencil, 70), 1, rng, 1)
    return horizon


Polygon = list[tuple[float, float]]


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, stop: float, count: int = 16) -> Polygon:
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in np.linspace(start, stop, count)]


def hair_style(name: str, cast: tuple[str, ...] = ()) -> int:
    """0 short crop, 1 long hair, 2 brimmed hat: stable per character, so a board reads who is who.

    Characters of the cast take the looks in order of appearance (no two of the first three alike).
    """
    upper = [c.upper() for c in cast]
    if name.upper() in upper:
        return (1, 0, 2)[upper.index(name.upper()) % 3]
    return int(hashlib.sha256(f"hair:{name.upper()}".encode()).digest()[0]) % 3 if name else 0


def figure_polygons(
    cx: float, top: float, h: float, facing: int, style: int = 0, back: bool = False
) -> dict[str, list[Polygon]]:
    """A standing figure of head height `h` (7.5 heads tall) as polygons by material: skin, cloth, hair."""
    pi = math.pi
    head_cy = top + 0.52 * h
    head = [
        (cx + 0.4 * h * math.cos(a) * (1 - 0.16 * max(0.0, math.sin(a))), head_cy + 0.52 * h * math.sin(a))
        for a in np.linspace(0, 2 * pi, 40)
    ]
    nose = [
        (cx + facing * 0.34 * h, top + 0.4 * h),
        (cx + facing * 0.5 * h, top + 0.62 * h),
        (cx + facing * 0.33 * h, top + 0.68 * h),
    ]
    neck = [
        (cx - 0.17 * h, top + 0.85 * h),
        (cx + 0.17 * h, top + 0.85 * h),
        (cx + 0.2 * h, top + 1.35 * h),
        (cx - 0.2 * h, top + 1.35 * h),
    ]
    shoulder_y = top + 1.35 * h
    torso: Polygon = [(cx - 0.25 * h, shoulder_y - 0.05 * h), (cx + 0.25 * h, shoulder_y - 0.05 * h)]
    torso += _arc(cx + 0.7 * h, shoulder_y + 0.35 * h, 0.38 * h, 0.38 * h, -pi / 2, 0, 8)
    torso += [
        (cx + 1.02 * h, top + 2.6 * h),
        (cx + 0.82 * h, top + 4.1 * h),
        (cx - 0.82 * h, top + 4.1 * h),
        (cx - 1.02 * h, top + 2.6 * h),
    ]
    torso += _arc(cx - 0.7 * h, shoulder_y + 0.35 * h, 0.38 * h, 0.38 * h, pi, 1.5 * pi, 8)
    arms = [
        [
            (cx + s * 1.06 * h, top + 1.75 * h),
            (cx + s * 1.22 * h, top + 2.8 * h),
            (cx + s * 1.12 * h, top + 4.15 * h),
            (cx + s * 0.88 * h, top + 4.15 * h),
            (cx + s * 0.84 * h, top + 2.7 * h),
        ]
        for s in (-1, 1)
    ]
    legs = [
        [
            (cx + s * 0.06 * h, top + 4.0 * h),
            (cx + s * 0.8 * h, top + 4.0 * h),
            (cx + s * 0.62 * h, top + 7.4 * h),
            (cx + s * 0.2 * h, top + 7.4 * h),
        ]
        for s in (-1, 1)
    ]
    if style == 2:  # hat: a crown and a brim
        hair = _arc(cx, head_cy - 0.12 * h, 0.42 * h, 0.45 * h, pi, 2 * pi, 14)
        hair += [(cx + 0.66 * h, top + 0.32 * h), (cx - 0.66 * h, top + 0.32 * h)]
    else:  # drawn facing right, mirrored for facing left: over the crown from the forehead, down the back
        rx, ry = 0.45 * h, 0.57 * h
        if style == 1:  # long hair falling to the shoulders
            hair = _arc(0, 0, rx, ry, -pi / 6, -pi - pi / 3, 20)
            hair += [(-0.62 * h, 1.0 * h), (-0.22 * h, 0.95 * h), (-0.12 * h, 0.1 * h)]
        else:  # short crop
            hair = _arc(0, 0, rx, ry, -pi / 5, -pi - pi / 7, 18)
            hair += [(-0.18 * h, 0.05 * h)]
        hair = [(cx + facing * x, head_cy + y) for x, y in hair]
    skin = [head, neck] if back else [head, nose, neck]
    if back:
        hair = [
            *_arc(cx, head_cy, 0.44 * h, 0.56 * h, pi, 2 * pi, 16),
            *_arc(cx, head_cy, 0.44 * h, 0.5 * h, 0, pi / 2, 6),
        ]
    return {"cloth": [*legs, torso, *arms], "skin": skin, "hair": [hair]}


def _translate(shapes: list[Polygon], dx: float, dy: float) -> list[Polygon]:
    return [[(x + dx, y + dy) for x, y in shape] for shape in shapes]


def _mask(size: tuple[int, int], shapes: list[Polygon]) -> Image.Image:
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    for shape in shapes:
        draw.polygon(shape, fill=255)
    return mask


def figure_fill(palette: Palette) -> RGB:
    """The lit skin colour of a figure facing the camera."""
    return _mix(_mix(palette.colors[4], palette.accent, 0.3), PAPER, 0.4)


def cloth_fill(palette: Palette) -> RGB:
    return _mix(_mix(palette.colors[2], palette.accent, 0.25), PAPER, 0.25)


def draw_figure(
    layer: Image.Image,
    cx: float,
    top: float,
    h: float,
    facing: int,
    palette: Palette,
    rng: np.random.Generator,
    back: bool = False,
    name: str = "",
    cast: tuple[str, ...] = (),
) -> None:
    """A marker-rendered figure: flat fills by material, a shadow on the side turned away, a rim light, ink lines."""
    from PIL import ImageChops

    parts = figure_polygons(cx, top, h, facing, hair_style(name, cast), back)
    every = [shape for shapes in parts.values() for shape in shapes]
    xs = [x for shape in every for x, _ in shape]
    ys = [y for shape in every for _, y in shape]
    pad = round(h * 0.2) + 8
    x0, y0 = max(0, int(min(xs)) - pad), max(0, int(min(ys)) - pad)
    x1, y1 = min(layer.width, int(max(xs)) + pad), min(layer.height, int(max(ys)) + pad)
    if x1 <= x0 or y1 <= y0:
        return
    size = (x1 - x0, y1 - y0)
    local = {role: _translate(shapes, -x0, -y0) for role, shapes in parts.items()}
    silhouette = _mask(size, [shape for shapes in local.values() for shape in shapes])
    lit_side = _mask(size, _translate([s for shapes in local.values() for s in shapes], facing * h * 0.3, 0))
    shadow = ImageChops.subtract(silhouette, lit_side)
    rim = ImageChops.subtract(
        silhouette, _mask(size, _translate([s for v in local.values() for s in v], -facing * max(2.0, h * 0.05), 0))
    )
    fills = {
        "cloth": cloth_fill(palette) if not back else _mix(palette.colors[1], palette.ink, 0.4),
        "skin": figure_fill(palette) if not back else _mix(palette.colors[1], palette.ink, 0.2),
        "hair": _mix(palette.ink, palette.colors[1], 0.35),
    }
    piece = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(piece)
    for role in ("cloth", "skin", "hair"):
        for shape in local[role]:
            draw.polygon(shape, fill=(*fills[role], 255))
    shade = Image.new("RGBA", size, (*palette.ink, 0))
    shade.putalpha(shadow.point(lambda v: v * 110 // 255))
    piece.alpha_composite(shade)
    piece.paste((*_mix(palette.accent, (255, 255, 255), 0.4), 255), (0, 0), rim)
    outline = (*palette.ink, 255)
    width = max(2, round(h * 0.022))
    for role in ("cloth", "skin", "hair"):
        for shape in local[role]:
            if role == "skin" and shape is local["skin"][-1]:
                continue  # the neck joins the collar without a line
            draw.line([*shape, shape[0]], fill=outline, width=width, joint="curve")
    if not back and h > 40:
        eye_y = top - y0 + 0.48 * h
        eye_x = cx - x0 + facing * 0.2 * h
        draw.line([(eye_x - 0.07 * h, eye_y), (eye_x + 0.07 * h, eye_y)], fill=outline, width=max(2, round(h * 0.035)))
        brow = eye_y - 0.11 * h
        draw.line(
            [(eye_x - 0.1 * h, brow), (eye_x + 0.1 * h, brow - facing * 0.025 * h)],
            fill=outline,
            width=max(1, round(h * 0.02)),
        )
        mouth_y = top - y0 + 0.8 * h
        draw.line(
            [(eye_x - 0.02 * h, mouth_y), (eye_x + facing * 0.1 * h, mouth_y - 0.01 * h)],
            fill=outline,
            width=max(1, round(h * 0.015)),
        )
    layer.alpha_composite(piece, (x0, y0))


#: A label to draw at full resolution: (text, x, y, font size) in the frame's drawing coordinates.
Tag = tuple[str, float, float, float]


def name_tag(
    draw: ImageDraw.ImageDraw, text: str, x: float, y: float, size: int, frame: Frame, palette: Palette
) -> None:
    """A label on a paper chip, kept inside the frame (drawn at full resolution, after the upscale)."""
    face = font_for(text, size, bold=True)
    left, top_, right, bottom = draw.textbbox((0, 0), text, font=face)
    w, h = right - left, bottom - top_
    pad = size * 0.35
    x = min(max(frame.x0 + pad + 6, x - w / 2), frame.x1 - w - pad - 6)
    y = min(max(frame.y0 + pad + 6, y), frame.y1 - h - pad - 6)
    draw.rounded_rectangle(
        [x - pad, y - pad, x + w + pad, y + h + pad],
        radius=size * 0.3,
        fill=(*PAPER, 235),
        outline=(*palette.ink, 255),
        width=3,
    )
    draw.text((x - left, y - top_), text, font=face, fill=(*palette.ink, 255))


def cast_side(name: str, cast: tuple[str, ...]) -> float:
    """Screen position of a character alone in frame: the first in the cast left, the second right..."""
    upper = [c.upper() for c in cast]
    index = upper.index(name.upper()) if name.upper() in upper else int(hashlib.sha256(name.encode()).digest()[0]) % 2
    return (0.34, 0.66, 0.42, 0.58)[index % 4]


def draw_people(
    layer: Image.Image, frame: Frame, job: ImageJob, palette: Palette, rng: np.random.Generator, tags: list[Tag]
) -> None:
    shot = job.shot
    size = shot.size
    people = list(shot.characters)
    h_frac, top_frac = FRAMING.get(size, FRAMING["medium"])
    h = frame.h * h_frac
    tag_size = max(11.0, frame.w * 0.04)
    if size == "insert":
        return
    if not people:
        if size in ("extreme_wide", "wide"):
            for x in (0.3, 0.7):
                draw_figure(
                    layer,
                    frame.x0 + frame.w * x,
                    frame.y0 + frame.h * top_frac,
                    h * 0.8,
                    1 if x < 0.5 else -1,
                    palette,
                    rng,
                )
        return
    if size == "over_the_shoulder" and len(people) >= 2:
        speaker, listener = people[0], people[1]
        speaker_x = cast_side(speaker, job.cast)
        listener_x = 1.0 - speaker_x
        sx = frame.x0 + frame.w * speaker_x
        draw_figure(
            layer,
            sx,
            frame.y0 + frame.h * 0.24,
            h,
            1 if speaker_x < 0.5 else -1,
            palette,
            rng,
            name=speaker,
            cast=job.cast,
        )
        tags.append((speaker, sx, frame.y0 + frame.h * 0.24 - tag_size * 2, tag_size))
        lx = frame.x0 + frame.w * (listener_x + (0.12 if listener_x > 0.5 else -0.12))
        draw_figure(
            layer,
            lx,
            frame.y0 + frame.h * 0.45,
            frame.h * 0.32,
            1 if listener_x < 0.5 else -1,
            palette,
            rng,
            True,
            listener,
            job.cast,
        )
        tags.append((f"{listener} (BACK)", lx, frame.y1 - tag_size * 3, tag_size))
        return
    if len(people) == 1 and size != "two_shot":
        side = cast_side(people[0], job.cast)
        if size in ("medium_close", "close_up", "extreme_close_up"):
            side = 0.5 + (side - 0.5) * 0.45
        positions = [side]
    else:
        span = 0.6 if len(people) == 2 else 0.72
        positions = [0.5 - span / 2 + span * i / max(1, len(people) - 1) for i in range(len(people))]
        h = min(h, span * frame.w / max(1, len(people) - 1) / 2.3)
    for name, x in zip(people, positions, strict=True):
        cx = frame.x0 + frame.w * x
        top = frame.y0 + frame.h * top_frac + rng.uniform(-0.01, 0.01) * frame.h
        facing = 1 if x < 0.5 else -1
        draw_figure(layer, cx, top, h, facing, palette, rng, name=name, cast=job.cast)
        label_y = (
            top + 4.4 * h if size in ("extreme_wide", "wide") else max(frame.y0 + frame.h * 0.05, top - tag_size * 2.2)
        )
        if size == "extreme_close_up":
            label_y = frame.y1 - tag_size * 3
        tags.append((name, cx, label_y, tag_size))


def draw_insert(
    layer: Image.Image, frame: Frame, job: ImageJob, palette: Palette, rng: np.random.Generator, tags: list[Tag]
) -> None:
    word = _object_word(job.shot.description, job.shot.action, job.cast) or "OBJECT"
    kind = _object_kind(word)
    draw = ImageDraw.Draw(layer)
    cx, cy = frame.x0 + frame.w * 0.5, frame.y0 + frame.h * 0.5
    w = frame.w * (0.42 if kind == "phone" else 0.7)
    h = w * (1.9 if kind == "phone" else 0.62)
    angle = rng.uniform(-12, 12)
    card = Image.new("RGBA", (round(w) + 40, round(h) + 40), (0, 0, 0, 0))
    cd = ImageDraw.Draw(card)
    body = [20, 20, 20 + w, 20 + h]
    light = _mix(palette.light, PAPER, 0.4)
    cd.rounded_rectangle(
        body,
        radius=w * (0.08 if kind == "phone" else 0.02),
        fill=(*(palette.ink if kind == "phone" else light), 255),
        outline=(*palette.ink, 255),
        width=6,
    )
    if kind == "envelope":
        cd.line([(20, 20), (20 + w / 2, 20 + h * 0.55), (20 + w, 20)], fill=(*palette.ink, 255), width=5)
        cd.rectangle([20 + w * 0.44, 20 + h * 0.48, 20 + w * 0.56, 20 + h * 0.62], fill=(*RED_PENCIL, 255))
    elif kind == "phone":
        cd.rounded_rectangle(
            [20 + w * 0.07, 20 + h * 0.06, 20 + w * 0.93, 20 + h * 0.9], radius=10, fill=(*palette.accent, 255)
        )
        cd.ellipse([20 + w * 0.44, 20 + h * 0.92, 20 + w * 0.56, 20 + h * 0.98], fill=(*palette.light, 255))
    else:
        cd.line([(20, 20 + h * 0.3), (20 + w, 20 + h * 0.3)], fill=(*palette.ink, 255), width=4)
    rotated = card.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    layer.alpha_composite(rotated, (round(cx - rotated.width / 2), round(cy - rotated.height / 2)))
    # a hand coming in from the bottom edge
    hand_x = cx + w * 0.25
    draw.polygon(
        [
            (hand_x - w * 0.12, frame.y1),
            (hand_x - w * 0.1, cy + h * 0.35),
            (hand_x + w * 0.1, cy + h * 0.3),
            (hand_x + w * 0.16, frame.y1),
        ],
        fill=(*palette.ink, 240),
    )
    tag = max(11.0, frame.w * 0.045)
    tags.append((word, cx, frame.y0 + frame.h * 0.08, tag))


def draw_move(draw: ImageDraw.ImageDraw, frame: Frame, move: str, rng: np.random.Generator) -> None:
    """Red pencil arrows for the camera move, as boards mark them."""
    color = (*RED_PENCIL, 255)
    width = max(5, round(frame.w * 0.008))
    inset = frame.w * 0.08
    corners = [
        (frame.x0 + inset, frame.y0 + inset),
        (frame.x1 - inset, frame.y0 + inset),
        (frame.x1 - inset, frame.y1 - inset),
        (frame.x0 + inset, frame.y1 - inset),
    ]
    centre = ((frame.x0 + frame.x1) / 2, (frame.y0 + frame.y1) / 2)
    arrows: list[tuple[tuple[float, float], tuple[float, float]]] = []
    if move in ("push_in", "pull_out"):
        for corner in corners:
            inner = (corner[0] + (centre[0] - corner[0]) * 0.22, corner[1] + (centre[1] - corner[1]) * 0.22)
            arrows.append((corner, inner) if move == "push_in" else (inner, corner))
    elif move in ("pan_left", "pan_right", "tracking"):
        y = frame.y0 + frame.h * (0.1 if move != "tracking" else 0.93)
        a, b = (frame.x0 + frame.w * 0.2, y), (frame.x1 - frame.w * 0.2, y)
        arrows.append((b, a) if move == "pan_left" else (a, b))
    elif move in ("tilt_up", "tilt_down"):
        x = frame.x1 - frame.w * 0.08
        a, b = (x, frame.y0 + frame.h * 0.25), (x, frame.y1 - frame.h * 0.25)
        arrows.append((b, a) if move == "tilt_up" else (a, b))
    elif move == "handheld":
        points = [
            (frame.x0 + frame.w * (0.3 + 0.05 * i), frame.y0 + frame.h * (0.08 + (0.015 if i % 2 else -0.015)))
            for i in range(9)
        ]
        draw.line(points, fill=color, width=width, joint="curve")
    for a, b in arrows:
        sketch_line(draw, a, b, color, width, rng, 1)
        angle = math.atan2(b[1] - a[1], b[0] - a[0])
        size = width * 5
        head = [
            b,
            (b[0] - size * math.cos(angle - 0.45), b[1] - size * math.sin(angle - 0.45)),
            (b[0] - size * math.cos(angle + 0.45), b[1] - size * math.sin(angle + 0.45)),
        ]
        draw.polygon(head, fill=color)


def hatch(draw: ImageDraw.ImageDraw, frame: Frame, pencil: RGB, rng: np.random.Generator, strength: int) -> None:
    """Diagonal pencil hatching in two opposite corners: shading, and the paper's hand-drawn texture."""
    color = (*pencil, 55)
    step = max(6, frame.w // 45)
    for i in range(1, strength + 1):
        d = i * step + rng.uniform(-3, 3)
        draw.line([(frame.x0, frame.y0 + d), (frame.x0 + d, frame.y0)], fill=color, width=1)
        draw.line([(frame.x1, frame.y1 - d), (frame.x1 - d, frame.y1)], fill=color, width=1)


def caption(
    draw: ImageDraw.ImageDraw, job: ImageJob, frame: Frame, top: int, width: int, height: int, palette: Palette
) -> None:
    shot = job.shot
    ink = (*palette.ink, 255)
    heading = " ".join(
        part
        for part in (
            shot.int_ext + ("." if shot.int_ext and not shot.int_ext.endswith(".") else ""),
            shot.location,
            "-" if shot.time_of_day else "",
            shot.time_of_day,
        )
        if part
    )
    big = max(20, round(width * 0.042))
    small = max(16, round(width * 0.033))
    x = frame.x0
    title = heading.upper() or job.title.upper()
    face = font_for(title, big, bold=True)
    draw.text((x, top), ellipsize(title, face, frame.w), font=face, fill=ink)
    y = top + round(big * 1.45)
    text = shot.action or shot.description
    face = font_for(text, small)
    limit = max(1, (height - y - round(small * 0.8)) // round(small * 1.3))
    if has_cjk(text):  # no spaces to break at: wrap between characters, by the drawn width
        lines = wrap(text, face, frame.w)
        if len(lines) > limit:
            lines = [*lines[: limit - 1], ellipsize(lines[limit - 1] + "…", face, frame.w)]
    else:
        chars_per_line = max(20, int(frame.w / (small * 0.5)))
        lines = textwrap.wrap(text, chars_per_line)
        if len(lines) > limit:
            lines = [*lines[: limit - 1], lines[limit - 1][: chars_per_line - 1] + "…"]
    for line in lines:
        draw.text((x, y), line, font=face, fill=ink)
        y += round(small * 1.3)


def header(draw: ImageDraw.ImageDraw, job: ImageJob, frame: Frame, width: int, palette: Palette) -> None:
    shot = job.shot
    size = max(20, round(width * 0.038))
    face = font_for(shot.id, size, bold=True)
    y = (frame.y0 - size) // 2 - 2
    left, top_, right, bottom = draw.textbbox((0, 0), shot.id, font=face)
    pad = round(size * 0.3)
    draw.rectangle(
        [frame.x0, y - pad, frame.x0 + right - left + 2 * pad, y + bottom - top_ + pad], fill=(*palette.ink, 255)
    )
    draw.text((frame.x0 + pad - left, y - top_), shot.id, font=face, fill=(*PAPER, 255))
    label = LABELS.get(shot.size, shot.size.upper())
    if shot.move != "static":
        label += " · " + shot.move.replace("_", " ").upper()
    if job.take:
        label += f" · TAKE {job.take + 1}"
    face = font_for(label, size, bold=True)
    left, top_, right, _bottom = draw.textbbox((0, 0), label, font=face)
    draw.text((frame.x1 - (right - left) - left, y - top_), label, font=face, fill=(*RED_PENCIL, 255))


#: The frame's content is drawn at this fraction of the output size and scaled up (a soft marker look, 4x faster).
DETAIL = 0.5


def render_panel(job: ImageJob, palette: Palette, reference: Image.Image | None) -> Image.Image:
    width, height = job.width, job.height
    rng = np.random.default_rng(job.seed)
    sheet = Image.new("RGB", (width, height), _mix(PAPER, palette.light, 0.12))
    frame, caption_top = sheet_layout(width, height)
    inner = Frame(0, 0, max(16, round(frame.w * DETAIL)), max(16, round(frame.h * DETAIL)))
    background = wash(job, inner, palette, reference, rng)
    dark = _luma(tuple(background.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)))) < 120
    pencil = _mix(palette.light, PAPER, 0.6) if dark else palette.ink
    layer = background.convert("RGBA")
    draw = ImageDraw.Draw(layer)
    hatch(draw, inner, pencil, rng, 8 if job.shot.size in ("close_up", "extreme_close_up") else 14)
    perspective(draw, inner, job, pencil, rng)
    tags: list[Tag] = []
    if job.shot.size == "insert":
        draw_insert(layer, inner, job, palette, rng, tags)
    else:
        draw_people(layer, inner, job, palette, rng, tags)
    if job.shot.size == "pov":
        _vignette(layer, inner)
    draw_move(draw, inner, job.shot.move, rng)
    sheet.paste(layer.convert("RGB").resize((frame.w, frame.h), Image.Resampling.BICUBIC), (frame.x0, frame.y0))
    draw = ImageDraw.Draw(sheet, "RGBA")
    scale = 1 / DETAIL
    for text, x, y, size in tags:
        name_tag(draw, text, frame.x0 + x * scale, frame.y0 + y * scale, round(size * scale), frame, palette)
    for offset, alpha in ((0, 255), (3, 110)):
        draw.rectangle(
            [frame.x0 - offset, frame.y0 - offset, frame.x1 + offset, frame.y1 + offset],
            outline=(*palette.ink, alpha),
            width=4,
        )
    header(draw, job, frame, width, palette)
    caption(draw, job, frame, caption_top, width, height, palette)
    return sheet


def _vignette(layer: Image.Image, frame: Frame) -> None:
    mask = Image.new("L", (frame.w // 8, frame.h // 8), 0)
    ImageDraw.Draw(mask).ellipse(
        [-frame.w // 40, frame.h // 40, frame.w // 8 + frame.w // 40, frame.h // 8 - frame.h // 40], fill=255
    )
    mask = mask.filter(ImageFilter.GaussianBlur(4)).resize((frame.w, frame.h), Image.Resampling.BILINEAR)
    dark = Image.new("RGBA", (frame.w, frame.h), (0, 0, 0, 230))
    dark.putalpha(Image.eval(mask, lambda v: round((255 - v) * 0.85)))
    layer.alpha_composite(dark, (frame.x0, frame.y0))


def png_bytes(image: Image.Image, compress_level: int = 6) -> bytes:
    """PNG without timestamps or text chunks: the same pixels always give the same bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=compress_level, optimize=False)
    return buffer.getvalue()


class StoryboardOptions(BackendOptions):
    compress_level: int = Field(3, ge=0, le=9, description="PNG compression (0-9): smaller files, same pixels")


class StoryboardImages(ImageGenerator):
    """Draws every facet of the job (framing, figures, the title on a title card), so all enter its key."""

    name = "storyboard"
    version = "3"  # 2: an insert shows the object the planner named, never "THE"; 3: CJK text drawn (was tofu)
    Options = StoryboardOptions

    def __post_init__(self) -> None:
        self.compress_level = int(self.options.get("compress_level", 3))

    def params(self, job: ImageJob) -> Params:
        return {"compress_level": self.compress_level}

    def render(self, job: ImageJob) -> bytes:
        if job.style is not None:
            palette, reference = load_style(str(job.style.path), job.style.sha256)
        else:
            palette, reference = Palette(DEFAULT_PALETTE), None
        return png_bytes(render_panel(job, palette, reference), self.compress_level)

    def generate(self, jobs: list[ImageJob]) -> Iterator[tuple[ImageJob, bytes]]:
        for job in jobs:
            yield job, self.render(job)
