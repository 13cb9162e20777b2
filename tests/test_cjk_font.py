"""No tofu: Chinese on the storyboard cards, the preview burn-in and the storyboard page is drawn with a font that
has the glyphs (scriptkit.fonts), checked on the drawn pixels against the font's own missing-glyph box."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw

from exporters.mlt_common import layout
from exporters.preview import BurnIn, subtitle_sprite
from generators import ImageJob
from generators.storyboard import DEFAULT_PALETTE, Palette, render_panel, sheet_layout
from scriptkit.fonts import (
    CJK_CHAR,
    PAGE_FAMILY,
    cjk_font,
    cjk_font_path,
    font_for,
    has_cjk,
    latin_font,
    page_font_css,
    wrap,
)
from tests.test_generators_support import tiny_shotlist

ROOT = Path(__file__).resolve().parents[1]
EP1 = ROOT / "tests" / "data" / "zh_episode1.txt"
STYLE = ROOT / "examples" / "style.png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAN = "林晓推门而入"
#: A Private Use Area code point: no font has it, so it draws the font's missing-glyph box (.notdef).
MISSING = "\ue000"

Mask = np.ndarray


def tofu(text: str) -> str:
    """`text` with every CJK character replaced by one the font lacks: what a tofu rendering looks like."""
    return CJK_CHAR.sub(MISSING, text)


def ink(text: str, face, size: int) -> Mask:
    """The pixels `face` draws for `text` (white on black, thresholded), cropped to the ink."""
    img = Image.new("L", (size * (len(text) + 4), size * 3), 0)
    ImageDraw.Draw(img).text((size, size), text, font=face, fill=255)
    return crop(np.asarray(img) > 128)


def crop(mask: Mask) -> Mask:
    ys, xs = np.nonzero(mask)
    assert ys.size, "nothing drawn"
    return mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def mismatch(a: Mask, b: Mask, shift: int = 3) -> float:
    """Smallest share of differing ink pixels (XOR over union) over small shifts of `b` against `a`."""
    h, w = max(a.shape[0], b.shape[0]) + 2 * shift, max(a.shape[1], b.shape[1]) + 2 * shift
    big = np.zeros((h, w), bool)
    big[shift : shift + a.shape[0], shift : shift + a.shape[1]] = a
    best = 1.0
    for dy in range(-shift, shift + 1):
        for dx in range(-shift, shift + 1):
            other = np.zeros((h, w), bool)
            other[shift + dy : shift + dy + b.shape[0], shift + dx : shift + dx + b.shape[1]] = b
            best = min(best, float((big ^ other).sum() / max(1, (big | other).sum())))
    return best


def assert_not_tofu(drawn: Mask, text: str, size: int) -> None:
    """The drawn ink is the CJK face's rendering of `text`, and far from its missing-glyph rendering."""
    face = cjk_font(size)
    good, boxes = mismatch(drawn, ink(text, face, size)), mismatch(drawn, ink(tofu(text), face, size))
    assert good < 0.25 and boxes > 0.6, (text, good, boxes)


# ------------------------------------------------------------------------------------------- the font itself


def test_the_cjk_face_ships_with_the_package_and_draws_han() -> None:
    path = cjk_font_path()
    assert path.is_file() and "paperang_p2_fonts_cjk" in path.parts
    face = font_for(HAN, 32)
    assert face is cjk_font(32)
    drawn, boxes = ink(HAN, face, 32), ink(tofu(HAN), face, 32)
    assert drawn.sum() > 200, "an empty image"
    assert mismatch(drawn, boxes) > 0.6, "Han drawn as the missing-glyph box"
    # what the Latin faces do with Han: exactly their missing-glyph boxes (the tofu this module exists to avoid)
    for latin in ("card", "ui"):
        face = latin_font(32, latin=latin)
        assert np.array_equal(ink(HAN, face, 32), ink(tofu(HAN), face, 32)), latin


def test_latin_text_keeps_its_faces_and_cjk_text_gets_the_cjk_face() -> None:
    assert not has_cjk("MAYA (V.O.) 01:00:03:00 — café")
    for text in ("林晓", "マヤ", "한국", "OK，", "（冷笑）"):
        assert has_cjk(text), text
    assert font_for("MAYA", 20, bold=True) is latin_font(20, True, "card")
    assert font_for("MAYA", 20, latin="ui") is latin_font(20, False, "ui")
    assert font_for("陈默: OK", 20, latin="ui") is cjk_font(20)


def test_wrap_breaks_cjk_between_characters_and_never_overflows() -> None:
    face = cjk_font(24)
    text = "林晓推门而入，浑身湿透。陈默把一份合同摔在桌上，冷冷地看着她：签了它，你就可以走了。Deal 3 次"
    for width in (60, 100, 160, 333):
        lines = wrap(text, face, width)
        assert len(lines) > 1
        assert "".join(lines).replace(" ", "") == text.replace(" ", ""), "no character lost or added"
        assert all(face.getlength(line) <= width for line in lines), (width, lines)
        assert not any(line[0] in "，。：" for line in lines), lines
    assert wrap("林晓", face, 1) == ["林", "晓"], "a line narrower than a glyph still takes one glyph"


def test_wrap_of_latin_text_is_the_plain_word_wrap() -> None:
    face = latin_font(20, latin="ui")
    text = "Who calls at this hour? Nobody calls at this hour, Maya."
    for width in (80, 150, 400):
        expected: list[str] = []
        for word in text.split():
            trial = f"{expected[-1]} {word}" if expected else word
            if expected and face.getlength(trial) <= width:
                expected[-1] = trial
            else:
                expected.append(word)
        assert wrap(text, face, width) == expected


def test_page_font_is_a_subset_of_the_characters_shown_and_deterministic() -> None:
    assert page_font_css("The Last Train · 6 shots") == ""
    css = page_font_css("逆袭 第1集 林晓：你还敢回来？")
    assert css == page_font_css("？回来敢还你：晓林集1第 袭逆"), "same characters, same bytes"
    data = re.search(r'url\("data:font/ttf;base64,([A-Za-z0-9+/=]+)"\)', css)
    assert data and f'font-family: "{PAGE_FAMILY}"' in css
    font = TTFont(io.BytesIO(base64.b64decode(data.group(1))))
    cmap = font.getBestCmap()
    assert {chr(c) for c in cmap if c > 0x2E80} == set("逆袭第集林晓你还敢回来？：")
    assert len(data.group(1)) < 20_000, "a subset, not the 5 MB collection"


# ------------------------------------------------------------------------- a Chinese episode built end to end


@pytest.fixture(scope="module")
def episode(zh_episodes: list[Path]) -> Path:
    """Episode 1 built once for the run with the default backends and its preview (tests/conftest.py)."""
    return zh_episodes[0]


@pytest.mark.parametrize("n", range(4), ids=["episode1", "episode2", "episode3", "episode4-fountain"])
def test_storyboard_cards_draw_the_action_in_chinese(zh_episodes: list[Path], n: int) -> None:
    """The first three cards with a Chinese action line, of each of the four episodes, draw Han, not boxes."""
    timeline = otio.adapters.read_from_file(str(next(zh_episodes[n].glob("*.otio"))))
    shots = [shot for shot in layout(timeline).shots if has_cjk(str(shot.meta.get("action") or ""))][:3]
    assert shots
    for shot in shots:
        action = str(shot.meta["action"])
        with Image.open(shot.path) as card:
            gray = np.asarray(card.convert("L"))
        height, width = gray.shape
        frame, top = sheet_layout(width, height)
        big, small = max(20, round(width * 0.042)), max(16, round(width * 0.033))
        y = top + round(big * 1.45)  # the caption's first action line, under the heading
        first = wrap(action, cjk_font(small), frame.w)[0]
        drawn = crop(gray[y : y + round(small * 1.3), frame.x0 : frame.x1] < 128)
        assert_not_tofu(drawn, first, small)


def test_preview_subtitle_is_drawn_in_chinese(episode: Path) -> None:
    timeline = otio.adapters.read_from_file(str(next(episode.glob("*.otio"))))
    lay = layout(timeline)
    sub = lay.subtitles[0]
    # a Han cue is drawn as the cue maker's lines, without the speaker's name (one line a cue on 9:16)
    line = f"{sub.character}: {sub.text}" if sub.lines is None else sub.lines[0]
    assert has_cjk(line)
    middle = (sub.start + sub.end) // 2
    with av.open(str(episode / "preview.mp4")) as movie:
        picture = next(f for i, f in enumerate(movie.decode(video=0)) if i == middle).to_image()
    width, height = picture.size
    burn = BurnIn(lay, (width, height))
    sprite = burn.subtitles[0][2]
    x, y = (width - sprite.width) // 2 // 2 * 2, (height - burn.margin * 3 - sprite.height) // 2 * 2
    box = np.asarray(picture.convert("L"))[y + 4 : y + sprite.height - 4, x + 4 : x + sprite.width - 4]
    assert_not_tofu(crop(box > 150), line, max(10, round(min(width, height) * 0.045)))


def test_a_long_chinese_caption_wraps_between_characters_inside_the_card() -> None:
    action = "林晓推门而入，浑身湿透，雨水顺着发梢滴在地板上。" * 8
    update = {"action": action, "location": "老宅客厅", "characters": ["林晓"]}
    shot = tiny_shotlist().shots[2].model_copy(update=update)
    job = ImageJob(shot=shot, prompt="p", negative_prompt="", seed=7, width=540, height=960, cast=("林晓",))
    gray = np.asarray(render_panel(job, Palette(DEFAULT_PALETTE), None).convert("L"))
    frame, top = sheet_layout(540, 960)
    caption = gray[top:] < 128
    rows = np.nonzero(caption.any(axis=1))[0]
    assert rows.size and not caption[:, frame.x1 + 2 :].any(), "caption ink right of the frame: overflow"
    lines = np.count_nonzero(np.diff(np.concatenate([[False], caption.any(axis=1)]).astype(int)) == 1)
    assert lines >= 4, "the action wrapped onto several lines"
    small = max(16, round(540 * 0.033))
    assert not caption[-round(small * 0.5) :].any(), "the last line stays on the sheet"


def test_subtitle_sprites_wrap_chinese_inside_the_width() -> None:
    text = "这是我家，我为什么不敢回来？三年了，他一点都没变，我也不会再走了。"
    sprite = subtitle_sprite("林晓", text, 24, 240)
    assert sprite.height > 2 * 24, "wrapped to several lines"
    assert sprite.width <= 240 + 2 * (24 // 4) + 4 + 1


def test_storyboard_page_embeds_the_font_for_its_chinese(episode: Path) -> None:
    page = (episode / "storyboard.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in page
    css = re.search(r"<style>(.*?)</style>", page, re.S)
    assert css and f'font: 15px/1.45 "{PAGE_FAMILY}", system-ui' in css.group(1), "the embedded face leads the stack"
    data = re.search(r'url\("data:font/ttf;base64,([A-Za-z0-9+/=]+)"\)', css.group(1))
    assert data, "no embedded font"
    cmap = TTFont(io.BytesIO(base64.b64decode(data.group(1)))).getBestCmap()
    shown = {ch for ch in re.sub(r"<[^>]+>|data:[^\"]+", "", page) if CJK_CHAR.fullmatch(ch)}
    assert shown and shown <= {chr(c) for c in cmap}, "a character on the page the font lacks"
    assert len(page.encode()) < 2_000_000


def _screenshot(tmp: Path, page: Path, name: str) -> np.ndarray:
    shot = tmp / f"{name}.png"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp / ('profile-' + name)}",
        "--window-size=390,300", "--hide-scrollbars", f"--screenshot={shot}", page.as_uri(),
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    with Image.open(shot) as img:
        return np.asarray(img.convert("L"))


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is installed by .ci/install")
def test_chromium_draws_the_title_with_the_embedded_font(episode: Path, tmp_path: Path) -> None:
    page = (episode / "storyboard.html").read_text(encoding="utf-8")
    bare = tmp_path / "bare.html"  # the same page without its @font-face: what a machine without CJK fonts shows
    bare.write_text(re.sub(r"@font-face \{[^}]*\}\n", "", page, count=1), encoding="utf-8")
    assert "@font-face" not in bare.read_text(encoding="utf-8")
    shown = _screenshot(tmp_path, episode / "storyboard.html", "page")
    without = _screenshot(tmp_path, bare, "bare")
    title = (slice(8, 52), slice(0, 390))  # the page header's h1: the episode's Chinese title
    ours, theirs = crop(shown[title] < 128), crop(without[title] < 128)
    assert ours.sum() > 100, "the title is not drawn"
    assert mismatch(ours, theirs) > 0.3, "the page shows the same glyphs without its font: tofu"


def test_season_contact_sheet_embeds_the_font_for_chinese_titles() -> None:
    from scriptkit.season import contact_sheet

    def season(title: str, names: list[str]) -> dict:
        episode = {"ok": True, "folder": "01", "title": title, "storyboard": "01/storyboard.html", "keyframes": []}
        episode |= {"shots": 3, "duration": 58.0, "preview": "01/preview.mp4", "manifest": "01/manifest.json"}
        return {"season": title, "episodes": [episode], "failed": [], "characters": names, "cache": {"saved": 0.5}}

    page = contact_sheet(season("逆袭", ["林晓", "陈默"]))
    assert '<html lang="zh-Hans">' in page and f'font-family:"{PAGE_FAMILY}", system-ui' in page
    data = re.search(r'url\("data:font/ttf;base64,([A-Za-z0-9+/=]+)"\)', page)
    assert data
    assert set("逆袭林晓陈默") <= {chr(c) for c in TTFont(io.BytesIO(base64.b64decode(data.group(1)))).getBestCmap()}
    english = contact_sheet(season("The Last Train", ["MAYA"]))
    assert "@font-face" not in english and '<html lang="en">' in english
