"""Screenplay readers: Fountain (`fountain.py`) and Final Draft (`fdx.py`).

Both readers produce a list of `Element`s and a title page; `scriptkit.parse.scenes.make_script` derives the
scenes and the characters from them the same way for both, so the same screenplay gives the same `Script`.
"""

from __future__ import annotations

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
ACCEPTED = "Fountain (.fountain, .spmd, .txt), Final Draft (.fdx) or a shot list (.yaml, .json, .csv)"

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
            if magic == b"PK\x03\x04" and path.suffix.lower() == ".docx":
                hint = "Word .docx is not read: save it as plain text (.txt) or Fountain"
            raise ScriptkitError(
                f"not a screenplay: a binary file ({what}); scriptkit reads {ACCEPTED}", path, hint=hint
            )
    head = data[:8192]
    # a stray control character in a text file is for the reader to clean; one byte in twenty is binary data
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text
        return
    if len(head.translate(None, _TEXT_BYTES)) * 20 > len(head):
        raise ScriptkitError(f"not a screenplay: binary data, not text; scriptkit reads {ACCEPTED}", path)


def load_script(path: str | Path) -> Script:
    """Read a .fountain/.spmd/.txt or .fdx file into a `Script` (format chosen by extension, then content)."""
    path = Path(path)
    data = read_source_bytes(path)
    refuse_binary(data, path)
    if path.suffix.lower() == ".fdx" or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
        from scriptkit.parse.fdx import parse_fdx

        return parse_fdx(data, source=str(path))
    from scriptkit.parse.fountain import parse_fountain_bytes

    return parse_fountain_bytes(data, source=str(path))
