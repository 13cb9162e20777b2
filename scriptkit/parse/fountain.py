"""Fountain 1.1 reader (own code): text in, `Script` out, every element with its source line.

How the text is read, in order:

1. Decoding (`parse_fountain_bytes`): UTF-8 with or without BOM (UTF-16 with a BOM too); binary files and
   undecodable bytes are refused with a `ScriptkitError` naming the file and the line.
2. Normalising: CRLF and CR become LF, a tab becomes four spaces (the Fountain rule).
3. Boneyard `/* */` and notes `[[ ]]` are cut out in one linear scan. Line numbers stay those of the
   original file. A line left empty by the cut disappears, as if the writer had deleted it, except that a
   cut that swallowed a blank line leaves a blank line (so a boneyarded scene still separates paragraphs).
   A note may not contain a blank line (spec): `[[` with no `]]` before the next blank line is plain text.
   An unclosed `/*`, or a `[[` with no `]]` anywhere after it, is a `ScriptkitError` naming its line.
4. The title page is the first paragraph when it starts with a known key (`Title:`, `Author:`, ...) or
   consists only of `Key: value` lines (at least two); a first action line with a colon is not one.
5. The body is split at blank lines into paragraphs; the first line of a paragraph decides its type
   (forced sigils first, then scene heading, transition, character), and the rest of the paragraph follows.

Deliberate choices where the references disagree: `3CPO` is a character (the spec: any all-caps line with a
letter); every `(...)` or full-width `（...）` line inside dialogue is a parenthetical (and `@林晓（OS）` a cue with
the extension OS); an all-caps line ending in `:` is never a
character cue; emphasis does not span lines; title-page values are plain text (markers removed).
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Iterator

from scriptkit.errors import ScriptkitError
from scriptkit.models import Element, Script, StyledRun
from scriptkit.sanitize import clean_lines, report

__all__ = ["decode_fountain", "parse_fountain", "parse_fountain_bytes"]

_BASE_FIELDS = frozenset({"type", "text", "line"})
_FORCED = {"forced": True}
# Every field of an element with its default; the list fields and type/text/line are set per element. The key
# order is the order `model_dump_json` writes, so it is part of the output: the plain defaults, the list fields,
# then type, text and line (what this reader has always written).
_DEFAULTS = {
    "name": None, "dual": False, "number": None, "level": None, "forced": False, "fdx_type": None,
    "runs": None, "extensions": None, "notes": None, "type": None, "text": None, "line": None,
}  # fmt: skip
_PER_ELEMENT = ("runs", "extensions", "notes", "type", "text", "line")
if set(_DEFAULTS) != set(Element.model_fields) or any(
    Element.model_fields[name].default != value for name, value in _DEFAULTS.items() if name not in _PER_ELEMENT
):
    raise RuntimeError("Element's fields changed: update the Fountain reader's emit")  # pragma: no cover

#: Placeholder for a line that held only a note: keeps the note's place in the paragraph structure.
_NOTE_LINE = "\x00"

_SEPARATOR = re.compile(r"(\n(?:[ ]?\n)+)")  # one or more blank lines ('' or a single space), kept by split
_BLANK_INSIDE = re.compile(r"\n[ ]?\n")  # a blank line inside cut-out content
_MARKER = re.compile(r"/\*|\[\[")
_HEADING = re.compile(
    r"(?:INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E|E/I|ИНТ\.?/НАТ|НАТ\.?/ИНТ|ИНТ|НАТ)[.\s。]", re.IGNORECASE
)  # Fountain 1.1 plus the Russian ИНТ/НАТ and the ideographic full stop that afterwriting accepts
_SCENE_NUMBER = re.compile(r"[\w.\-]+")
_EXTENSION = re.compile(r"[(（]([^()（）]*)[)）]")  # full-width brackets too: 林晓（OS）
_EMPHASIS = re.compile(r"\\[*_]|\*+|_+")
_TITLE_KEY = re.compile(r"([^\W\d_][\w .'&/()-]{0,40}?)[ ]*[:：](.*)")  # also the full-width colon
_SIGILS = frozenset("!@~>.#=" + _NOTE_LINE)
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]")

_KNOWN_KEYS = frozenset(
    {
        "title", "credit", "author", "authors", "source", "draft date", "date", "contact", "contact info",
        "notes", "copyright", "revision", "watermark", "font", "tl", "tc", "tr", "cc", "bl", "br", "header",
        "footer", "format", "episode", "series", "based on", "written by", "draft", "language", "logline",
    }
)  # fmt: skip

_STYLES: dict[str, tuple[str, ...]] = {
    "*": ("italic",),
    "**": ("bold",),
    "***": ("bold", "italic"),
    "_": ("underline",),
}


# ------------------------------------------------------------------------------------------ decoding


def decode_fountain(data: bytes, source: str = "") -> str:
    """Bytes of a Fountain file -> text. Refuses binary data and undecodable bytes (naming the line)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ScriptkitError(f"not valid UTF-16 text ({exc.reason})", source) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ScriptkitError("binary file, not a screenplay (it contains NUL bytes)", source, _byte_line(data, nul))
    sample = data[:65536]
    if len(_CONTROL_BYTES.findall(sample)) > max(8, len(sample) // 20):
        raise ScriptkitError("binary file, not a screenplay (mostly control bytes)", source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        replaced = sample.decode("utf-8", "replace")
        if replaced.count("\ufffd") > max(8, len(replaced) // 10):
            raise ScriptkitError("binary file, not a screenplay (mostly non-text bytes)", source) from None
        raise ScriptkitError(
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
            source,
            _byte_line(data, exc.start),
            hint="save the screenplay as UTF-8",
        ) from None


def _byte_line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def parse_fountain_bytes(data: bytes, source: str = "") -> Script:
    """Decode and parse a Fountain file's bytes."""
    return parse_fountain(decode_fountain(data, source), source)


# ------------------------------------------------------------------------------------------- parsing


def parse_fountain(text: str, source: str = "") -> Script:
    """Parse Fountain text into a `Script` (see the module docstring for the rules)."""
    from scriptkit.parse.scenes import make_script

    text, found = clean_lines(_normalise(text))
    report(source, found)
    lines, linemap, notes = _cut_markup(text, source)
    body = "\n".join(lines) if linemap is not None else text
    parser = _Parser(linemap, notes)
    with _gc_paused():
        title_page = parser.run(body)
    return make_script(parser.out, title_page, source)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while thousands of acyclic objects are made (halves the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _element(values: dict, given: set[str]) -> Element:
    """An `Element` from a complete field dict, without pydantic validation.

    The values are built by this module only, with the right types (the tests re-validate every element of
    the corpus and of a 120-page script), so validation is skipped: it would take more time than the whole
    parse. `given` is the set of fields the reader set (pydantic's `model_fields_set`).
    """
    element = _new(Element)
    _set(element, "__dict__", values)
    _set(element, "__pydantic_fields_set__", given)
    _set(element, "__pydantic_extra__", None)
    _set(element, "__pydantic_private__", None)
    return element


_new = Element.__new__
_set = object.__setattr__


def _normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text:
        text = text.replace("\t", "    ")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    if text.isascii():  # the usual case, and one fast check: no lone surrogates in ASCII text
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a str caller
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _cut_markup(text: str, source: str) -> tuple[list[str], list[int] | None, dict[int, list[str]]]:
    """Remove boneyard and notes in one linear scan.

    Returns the remaining lines, the original 1-based line number of each (None: unchanged text, the
    identity) and the notes by original line number.
    """
    if "/*" not in text and "[[" not in text:
        return [], None, {}
    pieces: list[str] = []
    linemap: list[int] = [1]
    cuts: dict[int, tuple[bool, list[str]]] = {}  # cleaned line index -> (swallowed a blank line, notes)
    pos = scan = 0
    orig_line = 1  # original line number at `pos`
    last_close = text.rfind("]]")
    blank_from, blank_at = -1, -1  # cache of the next blank line at or after `blank_from`
    dead_until = -1  # a `[[` before this offset cannot close before a blank line
    while True:
        match = _MARKER.search(text, scan)
        if match is None:
            break
        start = match.start()
        if text[start] == "/":
            close = text.find("*/", start + 2)
            if close < 0:
                raise ScriptkitError(
                    "unclosed boneyard: '/*' has no matching '*/'", source, text.count("\n", 0, start) + 1
                )
            end, note = close + 2, None
        else:
            if start < dead_until:
                scan = start + 2
                continue
            if last_close < start + 2:
                raise ScriptkitError("unclosed note: '[[' has no matching ']]'", source, text.count("\n", 0, start) + 1)
            if not blank_from <= start + 2 <= blank_at:
                found = _BLANK_INSIDE.search(text, start + 2)
                blank_from, blank_at = start + 2, found.start() if found else len(text)
            close = text.find("]]", start + 2, blank_at)
            if close < 0:  # a note cannot hold a blank line: this `[[` is text
                dead_until = blank_at
                scan = start + 2
                continue
            end, note = close + 2, text[start + 2 : close]
        kept = text[pos:start]
        newlines = kept.count("\n")
        linemap.extend(range(orig_line + 1, orig_line + newlines + 1))
        orig_line += newlines
        pieces.append(kept)
        removed = text[start:end]
        orig_line += removed.count("\n")
        swallowed, notes = cuts.setdefault(len(linemap) - 1, (False, []))
        if note is not None and note.strip():
            notes.append("\n".join(part.strip() for part in note.strip().split("\n")))
        if not swallowed and note is None and _BLANK_INSIDE.search(removed):
            cuts[len(linemap) - 1] = (True, notes)
        if start > 0 and text[start - 1] == " " and end < len(text) and text[end] == " ":
            end += 1  # 'a [[note]] b' -> 'a b'
        pos = scan = end
    kept = text[pos:]
    linemap.extend(range(orig_line + 1, orig_line + kept.count("\n") + 1))
    pieces.append(kept)
    raw_lines = "".join(pieces).split("\n")
    lines: list[str] = []
    numbers: list[int] = []
    notes_by_line: dict[int, list[str]] = {}
    for index, line in enumerate(raw_lines):
        cut = cuts.get(index)
        if cut is not None:
            swallowed, notes = cut
            if notes:
                notes_by_line[linemap[index]] = notes
            if not line.strip():
                if notes:
                    line = _NOTE_LINE
                elif swallowed:
                    line = ""
                else:
                    continue  # the line held only cut-out text: it is gone
        lines.append(line)
        numbers.append(linemap[index])
    return lines, numbers, notes_by_line


class _Parser:
    """Turns the cleaned text into element dicts (validated into `Element`s in one go at the end).

    Rows are addressed by their index in the current paragraph; `base` is the paragraph's first line
    (0-based, in the cleaned text) and `linemap` maps cleaned lines to original line numbers.
    """

    def __init__(self, linemap: list[int] | None, notes: dict[int, list[str]]) -> None:
        self.linemap = linemap
        self.notes = notes
        self.out: list[Element] = []
        self.base = 0

    # -------------------------------------------------------------------------------------- driver

    def run(self, text: str) -> dict[str, str]:
        title_page: dict[str, str] = {}
        line = 0
        first = True
        parts = _SEPARATOR.split(text)  # paragraph, separator, paragraph, ..., paragraph
        for at in range(0, len(parts), 2):
            chunk = parts[at]
            if chunk:
                rows = chunk.split("\n")
                newlines = len(rows) - 1
                if not chunk.isspace():
                    self.base = line
                    while not rows[-1].strip():  # trailing whitespace-only rows end the paragraph
                        rows.pop()
                    start = 0
                    if first:
                        first = False
                        start = _title_page(rows, title_page)
                    if start < len(rows):
                        self.block(rows, start)
                line += newlines
            if at + 1 < len(parts):
                line += parts[at + 1].count("\n")  # the blank lines of the separator
        return title_page

    def number(self, index: int) -> int:
        """Original 1-based line number of row `index` of the current paragraph."""
        if self.linemap is None:
            return self.base + index + 1
        return self.linemap[self.base + index]

    def emit(self, kind: str, text: str, first: int, last: int = -1, fields: dict | None = None) -> None:
        """Append an element for rows first..last (notes on those rows go with it); `fields`: more values."""
        index = self.base + first
        # Every field, with fresh lists: what pydantic would build, without validation. Copying a prototype is
        # faster than a 12-key dict literal; the key order (the order model_dump_json writes) is _DEFAULTS' order.
        values = _DEFAULTS.copy()
        values["runs"] = []
        values["extensions"] = []
        values["notes"] = []
        values["type"] = kind
        values["text"] = text
        values["line"] = index + 1 if self.linemap is None else self.linemap[index]
        given = {"type", "text", "line"}  # pydantic's fields_set: the fields the reader gave
        if "*" in text or "_" in text or "\\" in text:
            values["text"], runs = _inline(text)
            if runs is not None:
                values["runs"] = runs
                given.add("runs")
        if self.notes:
            found = [
                note for row in range(first, max(first, last) + 1) for note in self.notes.get(self.number(row), ())
            ]
            if found:
                values["notes"] = found
                given.add("notes")
        if fields:
            values.update(fields)
            given.update(fields)
        # _element(values, given), inlined: this runs once per element
        element = _new(Element)
        _set(element, "__dict__", values)
        _set(element, "__pydantic_fields_set__", given)
        _set(element, "__pydantic_extra__", None)
        _set(element, "__pydantic_private__", None)
        self.out.append(element)

    def note_line(self, index: int) -> None:
        """A row that held only notes and no open element to take them: standalone note elements."""
        for note in self.notes.get(self.number(index), ()):
            line = self.number(index)
            values = _DEFAULTS.copy()
            values.update(runs=[], extensions=[], notes=[], type="note", text=note, line=line)
            self.out.append(_element(values, set(_BASE_FIELDS)))

    def attach(self, index: int) -> None:
        """Attach the notes of row `index` to the last element."""
        element = self.out[-1]
        element.notes.extend(self.notes.get(self.number(index), ()))
        element.__pydantic_fields_set__.add("notes")

    # ------------------------------------------------------------------------------------- blocks

    def block(self, rows: list[str], k: int) -> None:
        """Rows[k:] of a paragraph, where rows[k] follows a blank line (or a one-line element)."""
        n = len(rows)
        while k < n:
            raw = rows[k]
            s = raw.strip()
            if not s:
                k += 1
                continue
            c = s[0]
            if c in _SIGILS:
                if s == _NOTE_LINE:
                    self.note_line(k)
                elif c == "!" or c == "~" or (c == ">" and s[-1] == "<" and len(s) > 1):
                    self.action(rows, k)
                    return
                elif c == "@":
                    self.character(s[1:].strip(), k, forced=True)
                    self.dialogue(rows, k + 1)
                    return
                elif c == ">":
                    self.emit("transition", s[1:].strip(), k, fields=_FORCED)
                elif c == ".":
                    if len(s) > 1 and s[1].isalnum():
                        self.heading(s[1:], k, forced=True)
                    else:
                        self.action(rows, k)
                        return
                elif c == "#":
                    body = s.lstrip("#")
                    self.emit("section", body.strip(), k, fields={"level": len(s) - len(body)})
                elif len(s) >= 3 and not s.strip("="):
                    self.emit("page_break", "", k)
                else:
                    self.emit("synopsis", s[1:].strip(), k)
            elif c in "IiEeИиНн" and (_HEADING.match(s) or s.upper() in ("INT", "EXT", "INT.", "EXT.")):
                self.heading(s, k)
            elif k == n - 1:
                if raw[-3:] == "TO:" and s.isupper():  # slices: str.endswith is slow to call
                    self.emit("transition", s, k)
                else:
                    self.action(rows, k)
                return
            elif self.character(s, k):
                self.dialogue(rows, k + 1)
                return
            else:
                self.action(rows, k)
                return
            k += 1

    def heading(self, s: str, k: int, forced: bool = False) -> None:
        number = None
        if len(s) > 1 and s[-1] == "#":
            hash_at = s.rfind("#", 0, len(s) - 1)
            if hash_at >= 0 and _SCENE_NUMBER.fullmatch(s, hash_at + 1, len(s) - 1):
                number = s[hash_at + 1 : -1]
                s = s[:hash_at].rstrip()
        fields: dict = {}
        if forced:
            fields["forced"] = True
        if number is not None:
            fields["number"] = number
        self.emit("scene_heading", s.strip(), k, fields=fields)

    def character(self, s: str, k: int, forced: bool = False) -> bool:
        """Emit a character cue if `s` is one (always when forced with @); report whether it was."""
        dual = s[-1:] == "^"  # (slices rather than str.endswith, which is slow to call)
        if dual:
            s = s[:-1].rstrip()
        paren = s.find("(")
        if paren < 0:
            paren = s.find("（")
        name = s if paren < 0 else s[:paren].rstrip()
        if not forced and (not name.isupper() or "^" in name or name[-1:] == ":"):
            return False
        extensions: list[str] = []
        if paren >= 0:
            rest = s[paren:]
            if _EXTENSION.sub("", rest).strip():
                if not forced:
                    return False
                name = s
            else:
                extensions = [extension.strip() for extension in _EXTENSION.findall(rest)]
        if not name:
            return False
        fields = {"name": _inline(name)[0] if forced else name, "extensions": extensions, "dual": dual}
        if forced:
            fields["forced"] = True
        self.emit("character", s, k, fields=fields)
        return True

    def dialogue(self, rows: list[str], k: int) -> None:
        """Dialogue, parentheticals and lyrics after a cue, to the end of the paragraph."""
        buffer: list[str] = []
        first = last = k
        for j in range(k, len(rows)):
            s = rows[j].strip()
            if not s:
                if buffer:
                    buffer.append("")
                continue
            c = s[0]
            if (c == "(" and s[-1] == ")") or (c == "（" and s[-1] == "）") or c == "~" or c == _NOTE_LINE:
                if c == _NOTE_LINE and s == _NOTE_LINE:
                    if buffer:
                        last = j
                    else:
                        self.attach(j)
                    continue
                if buffer:
                    self.emit("dialogue", "\n".join(buffer).strip("\n"), first, last)
                    buffer = []
                if c == "~":
                    self.emit("lyric", s[1:].strip(), j, fields=_FORCED)
                else:
                    self.emit("parenthetical", s, j)
                continue
            if not buffer:
                first = j
            buffer.append(s)
            last = j
        if buffer:
            self.emit("dialogue", "\n".join(buffer).strip("\n"), first, last)

    def action(self, rows: list[str], k: int) -> None:
        """Action to the end of the paragraph, with lyric, centered and page-break rows cut out of it."""
        n = len(rows)
        if k == n - 1 and rows[k].lstrip()[0] not in _SIGILS:  # the common case: one plain line
            self.emit("action", rows[k].rstrip(), k)
            return
        buffer: list[str] = []
        first = last = k
        forced = False
        kind = "action"
        j = k
        while j < n:
            raw = rows[j]
            s = raw.strip()
            if s == _NOTE_LINE:
                if buffer:
                    last = j
                elif j > k and self.out:
                    self.attach(j)
                else:
                    self.note_line(j)
                j += 1
                continue
            line_kind = "action"
            if s:
                c = s[0]
                if c == "~":
                    line_kind = "lyric"
                elif c == ">" and s[-1] == "<" and len(s) > 1:
                    line_kind = "centered"
                elif c == "=" and len(s) >= 3 and not s.strip("="):
                    line_kind = "page_break"
            if line_kind != kind or line_kind == "lyric":
                if buffer:
                    self.flush(kind, buffer, first, last, forced)
                    buffer, forced = [], False
                if line_kind == "page_break":
                    self.emit("page_break", "", j)
                    self.block(rows, j + 1)
                    return
                if line_kind == "lyric":
                    self.emit("lyric", s[1:].strip(), j, fields=_FORCED)
                    kind = "lyric"
                    j += 1
                    continue
                kind = line_kind
            if not buffer:
                first = j
            if kind == "centered":
                buffer.append(s[1:-1].strip())
            else:
                if s[:1] == "!":
                    bang = raw.index("!")
                    raw = raw[:bang] + raw[bang + 1 :]
                    forced = forced or not buffer
                buffer.append(raw.rstrip())
            last = j
            j += 1
        if buffer:
            self.flush(kind, buffer, first, last, forced)

    def flush(self, kind: str, buffer: list[str], first: int, last: int, forced: bool) -> None:
        text = "\n".join(buffer).strip("\n")
        if kind == "action" and not text.strip():
            return
        self.emit(kind, text, first, last, fields=_FORCED if forced else None)


# ----------------------------------------------------------------------------------------- title page


def _title_page(rows: list[str], title_page: dict[str, str]) -> int:
    """Read a title page from the first paragraph into `title_page`; return the index of the first body row."""
    match = _TITLE_KEY.fullmatch(rows[0])
    if match is None:
        return 0
    if match.group(1).strip().lower() not in _KNOWN_KEYS:
        keys = 0
        for row in rows:
            if _TITLE_KEY.fullmatch(row):
                keys += 1
            elif not row.startswith(" ") and row.strip() != _NOTE_LINE:
                return 0
        if keys < 2:
            return 0
    entries: list[tuple[str, list[str]]] = []
    for index, row in enumerate(rows):
        if row.strip() == _NOTE_LINE:
            continue
        match = None if row.startswith(" ") else _TITLE_KEY.fullmatch(row)
        if match is not None:
            value = match.group(2).strip()
            entries.append((match.group(1).strip().lower(), [value] if value else []))
        elif row.startswith(" ") and entries:
            entries[-1][1].append(row.strip())
        else:
            _finish_title(entries, title_page)
            return index
    _finish_title(entries, title_page)
    return len(rows)


def _finish_title(entries: list[tuple[str, list[str]]], title_page: dict[str, str]) -> None:
    for key, values in entries:
        value = _inline("\n".join(values))[0] if values else ""
        title_page[key] = f"{title_page[key]}\n{value}" if title_page.get(key) else value


# ------------------------------------------------------------------------------------------- emphasis


def _inline(text: str) -> tuple[str, list[StyledRun] | None]:
    """Resolve emphasis and escapes: (plain text, runs or None when nothing is emphasised)."""
    segments: list[tuple[str, tuple[str, ...]]] = []
    styled = False
    for number, line in enumerate(text.split("\n")):
        if number:
            segments.append(("\n", ()))
        if "*" in line or "_" in line or "\\" in line:
            line_segments, line_styled = _emphasis(line)
            styled = styled or line_styled
            segments.extend(line_segments)
        elif line:
            segments.append((line, ()))
    plain = "".join(part for part, _ in segments)
    if not styled:
        return plain, None
    merged: list[tuple[list[str], tuple[str, ...]]] = []
    for part, styles in segments:
        if merged and merged[-1][1] == styles:
            merged[-1][0].append(part)
        elif part:
            merged.append(([part], styles))
    return plain, [StyledRun(text="".join(parts), styles=list(styles)) for parts, styles in merged]


def _emphasis(line: str) -> tuple[list[tuple[str, tuple[str, ...]]], bool]:
    """One line's emphasis, linear time: a delimiter stack with per-kind counts (no backtracking)."""
    tokens: list[list] = []  # [kind or None, text, can_close, can_open, role]
    pos = 0
    size = len(line)
    for match in _EMPHASIS.finditer(line):
        start, end = match.span()
        if start > pos:
            tokens.append([None, line[pos:start]])
        token = match.group()
        if token[0] == "\\":
            tokens.append([None, token[1]])
        elif token not in _STYLES:
            tokens.append([None, token])
        else:
            can_close = start > 0 and not line[start - 1].isspace()
            can_open = end < size and not line[end].isspace()
            tokens.append([token, token, can_close, can_open, None])
        pos = end
    if pos < size:
        tokens.append([None, line[pos:]])
    stack: list[int] = []
    open_counts: dict[str, int] = {}
    matched = False
    for index, token in enumerate(tokens):
        kind = token[0]
        if kind is None:
            continue
        if token[2] and open_counts.get(kind):
            while True:
                opener = stack.pop()
                open_kind = tokens[opener][0]
                open_counts[open_kind] -= 1
                if open_kind == kind:
                    break
            tokens[opener][4] = "open"
            token[4] = "close"
            matched = True
        elif token[3]:
            stack.append(index)
            open_counts[kind] = open_counts.get(kind, 0) + 1
    if not matched:
        return [(_plain_text(tokens), ())], False
    active = {"bold": 0, "italic": 0, "underline": 0}
    segments: list[tuple[str, tuple[str, ...]]] = []
    for token in tokens:
        role = token[4] if token[0] is not None else None
        if role is None:
            styles = tuple(style for style in ("bold", "italic", "underline") if active[style])
            segments.append((token[1], styles))
            continue
        step = 1 if role == "open" else -1
        for style in _STYLES[token[0]]:
            active[style] += step
    return segments, True


def _plain_text(tokens: list[list]) -> str:
    return "".join(token[1] for token in tokens)
