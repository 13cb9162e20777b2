"""Which font draws which text: the one home of that fact for every picture and page scriptkit writes.

- Text without CJK characters keeps the Latin faces it always had: DejaVu Sans Condensed (bold) on the
  storyboard cards (`latin="card"`), Pillow's built-in face on the preview burn-in (`latin="ui"`).
- Text with any Han, kana, hangul, bopomofo or full-width punctuation is drawn, whole, with WenQuanYi Micro Hei
  (Simplified Chinese forms; Apache-2.0 / GPLv3 with font exception), which the PyPI package
  `paperang-p2-fonts-cjk` ships and which is found with `importlib.resources`. The whole string in one face
  keeps a mixed line ("林晓: OK 3 次") on one baseline; WenQuanYi has Latin letters and digits too. It has
  no bold: a bold CJK run uses the regular weight.
- `wrap` breaks CJK text between characters (no spaces to break at), never before closing punctuation, and
  Latin text at spaces, to a width in pixels; no line is wider than the width.
- Pages (storyboard.html, the season's index.html) use `FONT_STACK`, and `page_font_css` embeds the font as a
  subset of exactly the CJK characters the page shows (a TrueType `data:` URI, same text -> same bytes), so
  Chinese renders on a machine without a CJK font and the page stays one self-contained file.
"""

from __future__ import annotations

import base64
import functools
import importlib.resources
import io
import re
from pathlib import Path
from typing import Literal

from PIL import ImageFont

Face = ImageFont.FreeTypeFont | ImageFont.ImageFont
Latin = Literal["card", "ui"]

#: Where the Latin card face (DejaVu) is looked for, in order.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"), Path("/Library/Fonts"))
CJK_PACKAGE = "paperang_p2_fonts_cjk"
CJK_FILE = "fonts/wqy-microhei.ttc"
CJK_INDEX = 0  # the proportional face of the collection (1 is WenQuanYi Micro Hei Mono)
#: The family name the pages give the embedded subset.
PAGE_FAMILY = "scriptkit CJK"
#: The pages' font stack. The embedded subset comes first: it has only the page's CJK characters, so Latin text
#: falls through to the system's faces; after `system-ui` Chromium on Linux never reaches a later family (Han would
#: be tofu there). The CJK system faces stand after the Latin ones so they never restyle Latin text.
FONT_STACK = (
    f'"{PAGE_FAMILY}", system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Microsoft YaHei", '
    '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
)
MONO_STACK = (
    f'"{PAGE_FAMILY}", ui-monospace, "SFMono-Regular", Menlo, Consolas, "PingFang SC", "Microsoft YaHei", '
    '"Noto Sans CJK SC", "WenQuanYi Micro Hei", monospace'
)

_CJK = (
    "\u1100-\u11ff"  # hangul jamo
    "\u2e80-\u2fdf"  # radicals, Kangxi
    "\u3000-\u303f"  # CJK symbols and punctuation (、。「」【】)
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3100-\u31ff"  # bopomofo, kanbun, strokes, katakana extension
    "\u3200-\u33ff"  # enclosed, compatibility
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # compatibility ideographs
    "\ufe30-\ufe4f"  # compatibility forms
    "\uff00-\uffef"  # full-width and half-width forms (，：（）！？)
    "\U00020000-\U0003134f"  # extensions B and later
)
CJK_CHAR = re.compile(f"[{_CJK}]")
#: Pieces a line is built from: a run of spaces, one CJK character, or a run of anything else (a Latin word).
_PIECES = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")
#: Never at the start of a line (closing punctuation), as Chinese typesetting requires.
NO_LINE_START = frozenset("，。、；：！？）》」』】〕〉”’…—·,.;:!?)]}%")


def has_cjk(text: str) -> bool:
    return CJK_CHAR.search(text) is not None


def cjk_font_path() -> Path:
    """The WenQuanYi Micro Hei collection inside the installed `paperang-p2-fonts-cjk` package."""
    resource = importlib.resources.files(CJK_PACKAGE).joinpath(CJK_FILE)
    return Path(str(resource))


@functools.lru_cache(maxsize=64)
def latin_font(size: int, bold: bool = False, latin: Latin = "card") -> Face:
    """The face Latin text has always used: DejaVu Sans Condensed on cards, Pillow's own on the burn-in."""
    if latin == "card":
        names = (
            ("DejaVuSansCondensed-Bold.ttf", "DejaVuSans-Bold.ttf")
            if bold
            else ("DejaVuSansCondensed.ttf", "DejaVuSans.ttf")
        )
        for folder in FONT_DIRS:
            for name in names:
                if (folder / name).is_file():
                    return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


@functools.lru_cache(maxsize=64)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(cjk_font_path()), size, index=CJK_INDEX)


def font_for(text: str, size: int, bold: bool = False, latin: Latin = "card") -> Face:
    """The face that draws `text` at `size` pixels: the CJK face for text with CJK characters, else the Latin one."""
    return cjk_font(size) if has_cjk(text) else latin_font(size, bold, latin)


def _width(face: Face, text: str) -> float:
    return face.getlength(text)


def _split_long(face: Face, piece: str, max_width: float) -> list[str]:
    """A word wider than the line, cut between characters."""
    parts: list[str] = []
    current = ""
    for ch in piece:
        if current and _width(face, current + ch) > max_width:
            parts.append(current)
            current = ch
        else:
            current += ch
    return [*parts, current] if current else parts


def wrap(text: str, face: Face, max_width: float) -> list[str]:
    """Greedy wrap to `max_width` pixels: Latin words at spaces, CJK text between any two characters (never
    before closing punctuation). Text without CJK wraps exactly as a plain word wrap does."""
    lines: list[str] = []
    current = ""
    space = False
    for piece in _PIECES.findall(text):
        if piece.isspace():
            space = True
            continue
        joined = current + (" " if space and current else "") + piece
        space = False
        if not current or _width(face, joined) <= max_width:
            current = joined
        elif piece[0] in NO_LINE_START and len(current) > 1 and CJK_CHAR.fullmatch(current[-1]):
            lines.append(current[:-1])  # carry the last character over, so the punctuation does not open a line
            current = current[-1] + piece
        else:
            lines.append(current)
            current = piece
        if _width(face, current) > max_width:
            *done, current = _split_long(face, current, max_width) or [""]
            lines.extend(done)
    if current:
        lines.append(current)
    return lines or [""]


def ellipsize(text: str, face: Face, max_width: float) -> str:
    """`text` cut to fit `max_width` pixels, with an ellipsis where it was cut."""
    if _width(face, text) <= max_width:
        return text
    while text and _width(face, text + "…") > max_width:
        text = text[:-1]
    return text.rstrip() + "…"


@functools.lru_cache(maxsize=8)
def _subset(chars: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(cjk_font_path()), fontNumber=CJK_INDEX, recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = [1, 2]  # family and style: the rest (vendor URLs, long licence text) is not needed
    options.notdef_outline = True
    options.layout_features = ["*"]
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge's timestamps: nothing a browser reads
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=True)
    return buffer.getvalue()


def page_font_css(text: str) -> str:
    """An @font-face rule embedding the CJK face, cut to the CJK characters of `text`; "" when it has none."""
    chars = "".join(sorted({ch for ch in text if CJK_CHAR.fullmatch(ch)}))
    if not chars:
        return ""
    data = base64.b64encode(_subset(chars)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{PAGE_FAMILY}"; font-style: normal; font-weight: 100 900; '
        f'src: url("data:font/ttf;base64,{data}") format("truetype"); }}\n'
    )
