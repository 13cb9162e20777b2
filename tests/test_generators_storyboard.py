"""The storyboard backend: real PNG panels measured pixel by pixel."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from generators import ImageJob, StyleRef
from generators.cache import sha256_file
from generators.storyboard import DEFAULT_PALETTE, Palette, StoryboardImages, figure_fill, load_style, sheet_layout
from tests.test_generators_support import STYLE, tiny_shotlist

SIZE = (270, 480)


def job(
    size: str = "medium", characters: tuple[str, ...] = ("MAYA",), take: int = 0, style: bool = True, seed: int = 7
) -> ImageJob:
    shot = tiny_shotlist().shots[2].model_copy(update={"size": size, "characters": list(characters)})
    ref = StyleRef(STYLE, sha256_file(STYLE)) if style else None
    return ImageJob(
        shot=shot,
        prompt="p",
        negative_prompt="",
        seed=seed,
        width=SIZE[0],
        height=SIZE[1],
        take=take,
        style=ref,
        cast=("MAYA", "THEO"),
    )


def render(j: ImageJob) -> tuple[bytes, np.ndarray]:
    data = StoryboardImages().render(j)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == SIZE
        return data, np.asarray(image.convert("RGB")).astype(np.int32)


def png_chunks(data: bytes) -> list[bytes]:
    pos, tags = 8, []
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        tags.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return tags


def frame_pixels(pixels: np.ndarray) -> np.ndarray:
    frame, _caption = sheet_layout(*SIZE)
    return pixels[frame.y0 + 4 : frame.y1 - 4, frame.x0 + 4 : frame.x1 - 4]


def figure_mask(pixels: np.ndarray, palette: Palette) -> np.ndarray:
    fill = np.array(figure_fill(palette))
    return np.abs(frame_pixels(pixels) - fill).sum(axis=2) <= 6


def test_panel_is_deterministic_png_without_timestamps() -> None:
    first, _ = render(job())
    second, _ = render(job())
    assert first == second
    assert not {b"tIME", b"tEXt", b"iTXt", b"zTXt"} & set(png_chunks(first))


def test_full_size_vertical_frame() -> None:
    big = job().__class__(**{**job().__dict__, "width": 1080, "height": 1920})
    with Image.open(io.BytesIO(StoryboardImages().render(big))) as image:
        assert image.size == (1080, 1920)


def test_palette_comes_from_the_style_reference() -> None:
    palette, _small = load_style(str(STYLE), sha256_file(STYLE))
    assert palette.colors != DEFAULT_PALETTE
    _, styled = render(job(style=True))
    _, plain = render(job(style=False))
    styled_mean, plain_mean = frame_pixels(styled).mean(axis=(0, 1)), frame_pixels(plain).mean(axis=(0, 1))
    ref_mean = np.asarray(Image.open(STYLE).convert("RGB")).reshape(-1, 3).mean(axis=0)
    assert np.linalg.norm(styled_mean - ref_mean) < np.linalg.norm(plain_mean - ref_mean)
    assert figure_mask(styled, palette).any()
    assert figure_mask(plain, Palette(DEFAULT_PALETTE)).any()


def test_shot_size_sets_the_figure_scale() -> None:
    palette, _small = load_style(str(STYLE), sha256_file(STYLE))
    coverage = {size: figure_mask(render(job(size=size))[1], palette).mean() for size in ("wide", "medium", "close_up")}
    assert coverage["wide"] < coverage["medium"] < coverage["close_up"]


def test_characters_keep_their_screen_side() -> None:
    palette, _small = load_style(str(STYLE), sha256_file(STYLE))
    centre = {}
    for name in ("MAYA", "THEO"):
        mask = figure_mask(render(job(characters=(name,)))[1], palette)
        centre[name] = np.nonzero(mask)[1].mean() / mask.shape[1]
    assert centre["MAYA"] < 0.5 < centre["THEO"]


def test_new_take_and_new_style_change_the_image() -> None:
    base, _ = render(job())
    assert render(job(take=1, seed=8))[0] != base
    assert render(job(style=False))[0] != base
