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


#: What a screenplay argument may be; named in every refusal of another kind of file.
ACCEPTED_KINDS = "Fountain (.fountain, .spmd, .txt), Final Draft (.fdx) or a shot list (.yaml, .json, .csv)"

#: Leading bytes of document formats that are not screenplay text -> what they are.
_DOCUMENT_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"),
    (b"{\\rtf", "an RTF document"),
    (b"\xd0\xcf\x11\xe0", "an old Word/Office document"),
    (b"PK\x03\x04", "a zip archive"),
)


def refuse_non_script(path: Path, data: bytes) -> None:
    """One clear line for a document that is not screenplay text (a PDF, a Word file, an archive, binary data)."""
    if path.suffix.lower() == ".docx":
        if data.startswith(b"PK\x03\x04"):
            raise ScriptkitError("Word .docx screenplays are not supported yet", path, hint=f"use {ACCEPTED_KINDS}")
        raise ScriptkitError("named .docx but is not a Word document", path, hint=f"use {ACCEPTED_KINDS}")
    for magic, kind in _DOCUMENT_MAGIC:
        if data.startswith(magic):
            raise ScriptkitError(f"{kind}, not a screenplay", path, hint=f"use {ACCEPTED_KINDS}")


def load_script(path: str | Path) -> Script:
    """Read a .fountain/.spmd/.txt or .fdx file into a `Script` (format chosen by extension, then content)."""
    path = Path(path)
    data = read_source_bytes(path)
    refuse_non_script(path, data)
    if path.suffix.lower() == ".fdx" or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
        from scriptkit.parse.fdx import parse_fdx

        return parse_fdx(data, source=str(path))
    from scriptkit.parse.fountain import parse_fountain_bytes

    return parse_fountain_bytes(data, source=str(path))
