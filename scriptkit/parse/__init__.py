"""Screenplay readers: Fountain (`fountain.py`), Final Draft (`fdx.py`) and Chinese short-drama scripts (`zh.py`,
from .txt or Word .docx; chosen by content or `dialect`).

All readers produce a list of `Element`s and a title page; `scriptkit.parse.scenes.make_script` derives the
scenes and the characters from them the same way for both, so the same screenplay gives the same `Script`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scriptkit.errors import ScriptkitError
from scriptkit.models import Script

#: Bigger than any real screenplay (a 120-page script is ~200 KB); larger input is refused, not parsed.
MAX_SCRIPT_BYTES = 20 * 1024 * 1024


def read_source_bytes(path: Path) -> bytes:
    """Read a screenplay file with the size guard and a clear error for what cannot be read."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScriptkitError("file not found", path) from None
    except OSError as exc:
        raise ScriptkitError(f"cannot read file: {exc.strerror}", path) from None
    if path.is_dir():
        raise ScriptkitError("is a folder, not a screenplay file", path)
    if size > MAX_SCRIPT_BYTES:
        raise ScriptkitError(
            f"file is {size / 1e6:.1f} MB; scriptkit reads screenplays up to {MAX_SCRIPT_BYTES // (1024 * 1024)} MB",
            path,
        )
    data = path.read_bytes()
    if not data.strip():
        raise ScriptkitError("file is empty", path)
    return data


#: What `load_script` and the shot-list readers take, for the message that refuses anything else.
ACCEPTED = (
    "Fountain (.fountain, .spmd, .txt), Final Draft (.fdx), a Chinese script (.txt, .docx) "
    "or a shot list (.yaml, .json, .csv)"
)

#: The screenplay formats `load_script` can be told to use (`--dialect`).
DIALECTS = ("fountain", "fdx", "zh")

#: Leading bytes of files that are not screenplay text -> what they are.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"{\\rtf", "an RTF document"),
    (b"PK\x03\x04", "a zip archive (a Word .docx, an .odt or a .zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE compound file (a Word .doc or an older Final Draft file)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)


#: Bytes that occur in text: tab, newlines, form feed, escape and everything from space up (bar DEL).
_TEXT_BYTES = bytes([9, 10, 11, 12, 13, 27, *range(32, 127), *range(128, 256)])


def refuse_binary(data: bytes, path: Path) -> None:
    """Refuse a file that is not text (a PDF, a Word file, an image...) before any reader guesses at it."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            hint = "export the script as Fountain or plain text (.txt) from the writing app"
            if magic == b"PK\x03\x04":
                hint = "a Word document must be named .docx to be read; otherwise save it as plain text (.txt)"
            raise ScriptkitError(
                f"not a screenplay: a binary file ({what}); scriptkit reads {ACCEPTED}", path, hint=hint
            )
    head = data[:8192]
    # a stray control character in a text file is for the reader to clean; one byte in twenty is binary data
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text
        return
    if len(head.translate(None, _TEXT_BYTES)) * 20 > len(head):
        raise ScriptkitError(f"not a screenplay: binary data, not text; scriptkit reads {ACCEPTED}", path)


def load_script(path: str | Path, dialect: str | None = None) -> Script:
    """Read a .fountain/.spmd/.txt, .fdx or .docx file into a `Script`.

    The format is `dialect` when given (fountain, fdx, zh), else chosen by extension, then content: a Chinese
    script in the studios' format (`scriptkit.parse.zh.looks_zh`) goes to the zh reader. A script that yields no
    dialogue gets a one-line warning on stderr.
    """
    path = Path(path)
    if dialect is not None and dialect not in DIALECTS:
        raise ScriptkitError(f"unknown dialect {dialect!r}; use one of {', '.join(DIALECTS)}", path)
    data = read_source_bytes(path)
    if path.suffix.lower() == ".docx" and data.startswith(b"PK\x03\x04"):
        text = docx_text(data, path)
    else:
        refuse_binary(data, path)
        if dialect == "fdx" or (
            dialect is None
            and (path.suffix.lower() == ".fdx" or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"))
        ):
            from scriptkit.parse.fdx import parse_fdx

            return _checked(parse_fdx(data, source=str(path)))
        from scriptkit.parse.fountain import decode_fountain

        text = decode_fountain(data, str(path))
    from scriptkit.parse.zh import looks_zh, parse_zh

    if dialect == "zh" or (dialect is None and looks_zh(text)):
        return _checked(parse_zh(text, source=str(path)))
    from scriptkit.parse.fountain import parse_fountain

    return _checked(parse_fountain(text, source=str(path)))


def docx_text(data: bytes, path: Path) -> str:
    """The paragraphs of a Word .docx, one a line (so a line number is a paragraph number), via python-docx."""
    import io

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile, KeyError, its own PackageNotFoundError and lxml errors
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise ScriptkitError(
            f"cannot read as a Word .docx (a zip archive without a readable document: {reason}); "
            f"scriptkit reads {ACCEPTED}",
            path,
        ) from None
    return "\n".join(paragraph.text.replace("\n", " ") for paragraph in document.paragraphs)


def _checked(script: Script) -> Script:
    """Warn (one line on stderr) when a script has no dialogue: no speaker cue was recognised."""
    if not any(element.type == "dialogue" for element in script.elements):
        sys.stderr.write(
            f"warning: {script.source}: no dialogue found (no speaker cue recognised); "
            "Fountain cues are a NAME line above the speech, Chinese ones `角色：台词`; "
            "try --dialect fountain|fdx|zh\n"
        )
    return script
