"""Final Draft (.fdx) reader: safe XML in, the same `Script` the Fountain reader gives out.

Safety. The XML is parsed by lxml with entity resolution, DTD loading and network access turned off and
the default size limits kept (`huge_tree=False`). A Final Draft file never declares entities, so any
`<!ENTITY` (billion laughs, `SYSTEM "file:///etc/passwd"`) is refused with a `ScriptkitError` before or
after parsing; nothing is expanded and nothing hangs. Malformed XML is reported with the line lxml gives.

Paragraph types (`<Content>/<Paragraph Type=...>`) and what they become (`Element.type`; the original
Type is always kept in `Element.fdx_type`):

    Scene Heading  -> scene_heading  (number from the Paragraph's Number attribute, else SceneProperties')
    Action         -> action, or centered when the paragraph has Alignment="Center"
    Character      -> character      ("MAYA (V.O.) (CONT'D)" -> name "MAYA", extensions ["V.O.", "CONT'D"])
    Parenthetical  -> parenthetical
    Dialogue       -> dialogue
    Transition     -> transition
    Lyrics         -> lyric
    Shot           -> action with fdx_type "Shot" (an explicit camera shot the planner uses as written)
    General        -> action (centered when Alignment="Center")
    Cast List      -> action with fdx_type "Cast List"
    New Act, End of Act -> section, level 1
    Outline 1..4   -> section, level 1..4 (Final Draft's outline elements are Fountain's sections)
    Outline Body   -> synopsis
    anything else  -> action with its Type in fdx_type

Text. All `<Text>` runs of a paragraph are joined (an `AllCaps` run in capitals, as Final Draft shows it); each
run's Style ("Bold+Italic", "Underline+AllCaps")
keeps Bold/Italic/Underline as `Element.runs` (adjacent runs of equal style merged; the runs add up to
`Element.text`). As in the Fountain reader, `runs` is empty when nothing in the paragraph is emphasised,
CR/CRLF become LF and a tab becomes four spaces. Line breaks inside runs are kept. Dialogue-like elements
are stripped at both ends; action keeps its leading indentation. Paragraphs without text or notes are
dropped.

`<DualDialogue>`: the second (and any later) Character of the block gets `dual=True`.

Notes. A `<ScriptNote>` inside a paragraph becomes one entry of that paragraph's `Element.notes`; a
ScriptNote standing alone in `<Content>`, or a paragraph that holds only notes, becomes a `note`
element. Document-level `<ScriptNotes>` (Final Draft 10+) with a `Range="start,end"` are attached to the
paragraph whose text contains `start` (paragraph offsets counted with one separator character between
paragraphs); those without a usable range become `note` elements at the end.

Scenes. `<SceneProperties Length="1 2/8">` is the scene length in pages (1.25) and its `<Summary>` text is
the scene summary; both reach `Scene.length_pages` / `Scene.summary` through `make_script`.

Title page (`<TitlePage>/<Content>/<Paragraph>`). Non-empty paragraphs are grouped into blocks: an empty
paragraph or a change of Alignment ends a block; a block's lines are joined with "\\n". Keys are lower-case,
as in Fountain:

    centered blocks, in order:
      a block whose first line ends in "by" ("Written by", "Screenplay by") -> credit;
        further lines of that block, or else the next centered block  -> author
      a block starting "Based on", "Story by", "Adapted from", "Source"  -> source
      the first other centered block                                      -> title
      any further centered block                                          -> notes (joined with "\\n")
    left/right aligned blocks:
      starting "Copyright", "©" or "(c)"                                  -> copyright
      mentioning draft/revision, or a date (1/27/2012, "January 2024")    -> draft date
      anything else (address, phone, e-mail, agent)                       -> contact (joined with "\\n")

`Element.line` is the 1-based line of the `.fdx` file where the element's `<Paragraph>` starts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from pydantic import TypeAdapter

from scriptkit.errors import ScriptkitError
from scriptkit.models import Element, ElementType, Script, Style
from scriptkit.parse.scenes import make_script
from scriptkit.safexml import parse_bytes
from scriptkit.sanitize import clean, report

_ELEMENTS = TypeAdapter(list[Element])
_TYPE_MAP: dict[str, ElementType] = {
    "Scene Heading": "scene_heading",
    "Action": "action",
    "Character": "character",
    "Parenthetical": "parenthetical",
    "Dialogue": "dialogue",
    "Transition": "transition",
    "Lyrics": "lyric",
    "Shot": "action",
    "General": "action",
    "Cast List": "action",
    "New Act": "section",
    "End of Act": "section",
    "Outline Body": "synopsis",
}
_OUTLINE = re.compile(r"^Outline ([1-9])$")
_CENTERABLE = {"Action", "General"}
_STRIP_BOTH: set[ElementType] = {
    "scene_heading",
    "character",
    "parenthetical",
    "dialogue",
    "transition",
    "lyric",
    "section",
    "synopsis",
    "centered",
    "note",
}
_STYLE_NAMES: dict[str, Style] = {"bold": "bold", "italic": "italic", "underline": "underline"}
_STYLE_ORDER: tuple[Style, ...] = ("bold", "italic", "underline")
_EXTENSION = re.compile(r"\(([^()]*)\)")
_LENGTH = re.compile(r"^\s*(?:(\d{1,6})(?:\.(\d{1,6}))?)?\s*(?:(\d{1,6})\s*/\s*(\d{1,6}))?\s*$")
_CREDIT = re.compile(r"\bby\s*:?\s*$", re.IGNORECASE)
_SOURCE = re.compile(r"^\s*(based on|story by|adapted from|source)\b", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^\s*(copyright|©|\(c\))", re.IGNORECASE)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DRAFT = re.compile(
    rf"\bdraft\b|\brevis|\b\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}\b|\b({_MONTHS})\b\s+\d",
    re.IGNORECASE,
)

#: A run of text with its styles, before it becomes a `StyledRun`.
_Run = tuple[str, tuple[Style, ...]]


@dataclass
class _Para:
    """One paragraph read from the XML, before it becomes an `Element`."""

    fdx_type: str
    line: int
    runs: list[_Run]
    notes: list[str] = field(default_factory=list)
    centered: bool = False
    number: str | None = None
    summary: str | None = None
    length: float | None = None
    dual: bool = False


# ----------------------------------------------------------------------------------------- entry point


def parse_fdx(data: bytes, source: str = "") -> Script:
    """Parse the bytes of a Final Draft .fdx file into a `Script`; any bad input raises `ScriptkitError`."""
    path = source or None
    root = _parse_xml(data, path)
    if not isinstance(root.tag, str) or root.tag != "FinalDraft":
        tag = root.tag if isinstance(root.tag, str) else "?"
        raise ScriptkitError(f"not a Final Draft file: the root element is <{tag}>, expected <FinalDraft>", path)
    content = root.find("Content")
    if content is None:
        raise ScriptkitError("not a Final Draft screenplay: <FinalDraft> has no <Content>", path, _line(root))
    paragraphs = list(_content_paragraphs(content))
    elements: list[dict[str, Any]] = []
    scene_info: dict[int, tuple[str | None, float | None]] = {}
    offsets: list[tuple[int, int]] = []  # (text offset where the paragraph starts, element index)
    offset = 0
    for para in paragraphs:
        element = _to_element(para)
        if element is None:
            offset += len(_joined(para.runs)) + 1
            continue
        offsets.append((offset, len(elements)))
        offset += len(_joined(para.runs)) + 1
        if element["type"] == "scene_heading" and (para.summary is not None or para.length is not None):
            scene_info[len(elements)] = (para.summary, para.length)
        elements.append(element)
    _attach_document_notes(root, elements, offsets)
    return make_script(_ELEMENTS.validate_python(elements), _title_page(root), source=source, scene_info=scene_info)


# ------------------------------------------------------------------------------------------------- XML


def _parse_xml(data: bytes, path: str | None) -> etree._Element:
    """Parse safely (`scriptkit.safexml`), then clean text no NLE format can carry (one warning for the file)."""
    root = parse_bytes(data, path)
    found: dict[int, int] = {}
    for node in root.iter():
        for attr in ("text", "tail"):
            value = getattr(node, attr)
            if value:
                cleaned, count = clean(value)
                if count:
                    setattr(node, attr, cleaned)
                    found[_line(node)] = found.get(_line(node), 0) + count
    report(path or "", found)
    return root


def _line(node: etree._Element) -> int:
    line = node.sourceline
    return line if isinstance(line, int) and line >= 1 else 1


def _children(node: etree._Element, tag: str) -> Iterator[etree._Element]:
    for child in node:
        if child.tag == tag:
            yield child


def _plain_text(node: etree._Element) -> str:
    """Text of a note or summary: its paragraphs' Text runs, paragraphs joined with a line break."""
    paragraphs = list(node.iter("Paragraph"))
    if not paragraphs:
        return _normalise("".join(t.text or "" for t in node.iter("Text"))).strip()
    lines = [_normalise("".join(t.text or "" for t in _children(p, "Text"))) for p in paragraphs]
    return "\n".join(line.strip() for line in lines if line.strip())


def _normalise(text: str) -> str:
    """CRLF and CR become LF and a tab four spaces, as the Fountain reader does."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")


# ------------------------------------------------------------------------------------------ paragraphs


def _content_paragraphs(content: etree._Element) -> Iterator[_Para]:
    for child in content:
        if child.tag == "Paragraph":
            yield from _read_paragraph(child)
        elif child.tag == "DualDialogue":
            yield from _dual_block(child)
        elif child.tag == "ScriptNote":
            note = _plain_text(child)
            if note:
                yield _Para(fdx_type="ScriptNote", line=_line(child), runs=[], notes=[note])


def _read_paragraph(node: etree._Element) -> Iterator[_Para]:
    """One <Paragraph>; a paragraph wrapping a <DualDialogue> yields the block's paragraphs."""
    fdx_type = node.get("Type") or ""
    texts: list[etree._Element] = []
    notes: list[str] = []
    props: etree._Element | None = None
    blocks: list[etree._Element] = []
    for child in node:
        tag = child.tag
        if tag == "Text":
            texts.append(child)
        elif tag == "ScriptNote":
            note = _plain_text(child)
            if note:
                notes.append(note)
        elif tag == "SceneProperties" and props is None:
            props = child
        elif tag == "DualDialogue":
            blocks.append(child)
    runs = _runs(texts)
    if fdx_type or _joined(runs).strip() or notes:
        para = _Para(
            fdx_type=fdx_type or "General",
            line=_line(node),
            runs=runs,
            notes=notes,
            centered=(node.get("Alignment") or "").lower() == "center",
            number=(node.get("Number") or "").strip() or None,
        )
        if props is not None:
            _read_scene_properties(props, para)
        yield para
    for block in blocks:
        yield from _dual_block(block)


def _dual_block(block: etree._Element) -> Iterator[_Para]:
    characters = 0
    for child in block:
        if child.tag != "Paragraph":
            continue
        for para in _read_paragraph(child):
            if para.fdx_type == "Character":
                para.dual = characters >= 1
                characters += 1
            yield para


def _read_scene_properties(props: etree._Element, para: _Para) -> None:
    if para.number is None:
        para.number = (props.get("Number") or "").strip() or None
    para.length = parse_length(props.get("Length") or "")
    summary = props.find("Summary")
    if summary is not None:
        para.summary = _plain_text(summary) or None


def parse_length(value: str) -> float | None:
    """Final Draft page length: '1 2/8' -> 1.25, '3/8' -> 0.375, '2' -> 2.0; anything else -> None."""
    match = _LENGTH.match(value)
    if not match or not value.strip():
        return None
    whole, decimals, numerator, denominator = match.groups()
    pages = float(f"{whole or 0}.{decimals or 0}")
    if numerator is not None:
        if int(denominator) == 0:
            return None
        pages += int(numerator) / int(denominator)
    return pages


# ---------------------------------------------------------------------------------------------- runs


@functools.lru_cache(maxsize=256)
def _styles(value: str) -> tuple[Style, ...]:
    names = {_STYLE_NAMES[part] for part in (p.strip().lower() for p in value.split("+")) if part in _STYLE_NAMES}
    return tuple(style for style in _STYLE_ORDER if style in names)


@functools.lru_cache(maxsize=256)
def _all_caps(value: str) -> bool:
    return "allcaps" in (part.strip().lower() for part in value.split("+"))


def _runs(text_nodes: Iterable[etree._Element]) -> list[_Run]:
    """<Text> runs as (text, styles), adjacent runs of equal style merged."""
    runs: list[_Run] = []
    for text_node in text_nodes:
        text = _normalise("".join(text_node.itertext()))
        if not text:
            continue
        style = text_node.get("Style") or ""
        styles = _styles(style)
        if _all_caps(style):  # Final Draft shows the run in capitals: the text is what the writer sees
            text = text.upper()
        if runs and runs[-1][1] == styles:
            runs[-1] = (runs[-1][0] + text, styles)
        else:
            runs.append((text, styles))
    return runs


def _joined(runs: list[_Run]) -> str:
    return "".join(text for text, _ in runs)


def _trim(runs: list[_Run], strip_start: str, strip_end: str) -> list[_Run]:
    """Cut `strip_start` characters off the front and `strip_end` off the back, keeping each run's style."""
    text = _joined(runs)
    start = len(text) - len(text.lstrip(strip_start))
    end = len(text.rstrip(strip_end))
    if start >= end:
        return []
    trimmed: list[_Run] = []
    position = 0
    for run_text, styles in runs:
        run_start, run_end = position, position + len(run_text)
        position = run_end
        lo, hi = max(run_start, start), min(run_end, end)
        if lo < hi:
            trimmed.append((run_text[lo - run_start : hi - run_start], styles))
    return trimmed


# ------------------------------------------------------------------------------------------ elements


def _element_type(para: _Para) -> tuple[ElementType, int | None]:
    outline = _OUTLINE.match(para.fdx_type)
    if outline:
        return "section", int(outline.group(1))
    if para.fdx_type == "ScriptNote":
        return "note", None
    kind = _TYPE_MAP.get(para.fdx_type, "action")
    if kind == "section":
        return kind, 1
    if para.centered and para.fdx_type in _CENTERABLE:
        return "centered", None
    return kind, None


def split_character(text: str) -> tuple[str, list[str]]:
    """'MAYA (V.O.) (CONT'D)' -> ('MAYA', ['V.O.', "CONT'D"]): split as the Fountain reader splits a cue."""
    text = text.strip()
    paren = text.find("(")
    name, rest = (text, "") if paren < 0 else (text[:paren].rstrip(), text[paren:])
    extensions = [ext.strip() for ext in _EXTENSION.findall(rest)]
    return name or text, extensions


def _to_element(para: _Para) -> dict[str, Any] | None:
    """The fields of the paragraph's `Element` (validated for the whole script at once), or None to drop it."""
    kind, level = _element_type(para)
    whitespace = " \t\n"
    runs = _trim(para.runs, whitespace, whitespace) if kind in _STRIP_BOTH else _trim(para.runs, "\n", whitespace)
    text = _joined(runs)
    notes = list(para.notes)
    if not text:
        if not notes:
            return None
        # A paragraph holding only notes (or a bare ScriptNote) becomes a note element.
        note_text = "\n".join(notes)
        return {"type": "note", "text": note_text, "line": para.line, "fdx_type": para.fdx_type}
    element: dict[str, Any] = {"type": kind, "text": text, "line": para.line, "notes": notes, "fdx_type": para.fdx_type}
    if any(styles for _, styles in runs):  # like the Fountain reader: runs only when something is emphasised
        element["runs"] = [{"text": run_text, "styles": list(styles)} for run_text, styles in runs]
    if kind == "character":
        element["name"], element["extensions"] = split_character(text)
        element["dual"] = para.dual
    elif kind == "scene_heading":
        element["number"] = para.number
    elif kind == "section":
        element["level"] = level
    return element


# -------------------------------------------------------------------------------------- script notes


def _attach_document_notes(
    root: etree._Element, elements: list[dict[str, Any]], offsets: list[tuple[int, int]]
) -> None:
    """Final Draft 10+ keeps notes in <ScriptNotes> with a character Range into the script text."""
    holder = root.find("ScriptNotes")
    if holder is None:
        return
    for note in _children(holder, "ScriptNote"):
        text = _plain_text(note)
        if not text:
            continue
        target = _note_target(note.get("Range") or "", offsets)
        if target is None:
            elements.append({"type": "note", "text": text, "line": _line(note), "fdx_type": "ScriptNote"})
        else:
            elements[target].setdefault("notes", []).append(text)


def _note_target(value: str, offsets: list[tuple[int, int]]) -> int | None:
    match = re.match(r"^\s*(\d{1,9})\s*,", value)
    if not match or not offsets:
        return None
    start = int(match.group(1))
    target = None
    for paragraph_start, index in offsets:
        if paragraph_start > start:
            break
        target = index
    return target


# ---------------------------------------------------------------------------------------- title page


def _title_blocks(root: etree._Element) -> list[tuple[str, str]]:
    """(alignment, text) of each block of consecutive non-empty title-page paragraphs."""
    content = root.find("TitlePage/Content")
    if content is None:
        return []
    blocks: list[tuple[str, list[str]]] = []
    open_block = False
    for para in _children(content, "Paragraph"):
        text = _joined(_runs(_children(para, "Text"))).strip()
        alignment = (para.get("Alignment") or "Left").strip().lower()
        if not text:
            open_block = False
            continue
        if open_block and blocks[-1][0] == alignment:
            blocks[-1][1].append(text)
        else:
            blocks.append((alignment, [text]))
        open_block = True
    return [(alignment, "\n".join(lines)) for alignment, lines in blocks]


def _title_page(root: etree._Element) -> dict[str, str]:
    page: dict[str, str] = {}
    want_author = False
    for alignment, text in _title_blocks(root):
        first, _, rest = text.partition("\n")
        if alignment == "center":
            if want_author and "author" not in page:
                page["author"] = text
                want_author = False
            elif _CREDIT.search(first) and "credit" not in page:
                page["credit"] = first.strip()
                if rest.strip():
                    page["author"] = rest.strip()
                else:
                    want_author = True
            elif _SOURCE.match(first) and "source" not in page:
                page["source"] = text
            elif "title" not in page:
                page["title"] = text
            else:
                page["notes"] = f"{page['notes']}\n{text}" if "notes" in page else text
            continue
        want_author = False
        if _COPYRIGHT.match(first) and "copyright" not in page:
            page["copyright"] = text
        elif _DRAFT.search(text) and "draft date" not in page:
            page["draft date"] = text
        else:
            page["contact"] = f"{page['contact']}\n{text}" if "contact" in page else text
    return page
