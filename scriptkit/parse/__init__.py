"""Screenplay readers: Fountain (`fountain.py`) and Final Draft (`fdx.py`).

Both readers produce a list of `Element`s and a title page; `make_script` derives the scenes and the
characters from them the same way for both, so the same screenplay gives the same `Script`.
"""

from __future__ import annotations

import re
from pathlib import Path

from scriptkit.errors import ScriptkitError
from scriptkit.models import Character, Element, Scene, Script

#: Bigger than any real screenplay (a 120-page script is ~200 KB); larger input is refused, not parsed.
MAX_SCRIPT_BYTES = 20 * 1024 * 1024

_HEADING = re.compile(
    r"^(?P<ie>INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E|E/I)[.\s]+(?P<rest>.*)$",
    re.IGNORECASE,
)
_TIMES = (" - ", " – ", " — ", " -- ")


def split_heading(heading: str) -> tuple[str, str, str]:
    """'INT. KITCHEN - NIGHT' -> ('INT', 'KITCHEN', 'NIGHT'). Unknown forms give ('', heading, '')."""
    text = heading.strip().lstrip(".").strip()
    match = _HEADING.match(text)
    if not match:
        return "", text.upper(), ""
    int_ext = match.group("ie").upper().replace(".", "")
    if int_ext in ("I/E", "E/I", "EXT/INT"):
        int_ext = "INT/EXT"
    rest = match.group("rest").strip()
    location, time_of_day = rest, ""
    for sep in _TIMES:
        if sep in rest:
            location, time_of_day = rest.rsplit(sep, 1)
            break
    return int_ext, location.strip().upper(), time_of_day.strip().upper()


def make_script(
    elements: list[Element],
    title_page: dict[str, str] | None = None,
    source: str = "",
    scene_info: dict[int, tuple[str | None, float | None]] | None = None,
) -> Script:
    """Assemble a `Script`: scenes from scene headings (with the synopsis or FDX summary), characters from cues.

    `scene_info` maps an element index of a scene heading to (summary, length in pages) where the source
    format carries them (FDX SceneProperties).
    """
    scene_info = scene_info or {}
    scenes: list[Scene] = []
    heading_indices = [i for i, e in enumerate(elements) if e.type == "scene_heading"]
    for n, start in enumerate(heading_indices):
        end = heading_indices[n + 1] if n + 1 < len(heading_indices) else len(elements)
        heading = elements[start]
        int_ext, location, time_of_day = split_heading(heading.text)
        summary, length = scene_info.get(start, (None, None))
        if summary is None:
            synopses = [e.text for e in elements[start + 1 : end] if e.type == "synopsis"]
            summary = " ".join(synopses) or None
        scenes.append(
            Scene(
                index=n,
                heading=heading.text,
                line=heading.line,
                number=heading.number,
                int_ext=int_ext,
                location=location,
                time_of_day=time_of_day,
                start=start,
                end=end,
                summary=summary,
                length_pages=length,
            )
        )
    counts: dict[str, list[int]] = {}
    for element in elements:
        if element.type == "character" and element.name:
            counts.setdefault(element.name, []).append(element.line)
    characters = [Character(name=name, lines=len(lines), first_line=lines[0]) for name, lines in counts.items()]
    return Script(
        source=source,
        title_page=dict(title_page or {}),
        elements=elements,
        scenes=scenes,
        characters=characters,
    )


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


def load_script(path: str | Path) -> Script:
    """Read a .fountain/.spmd/.txt or .fdx file into a `Script` (format chosen by extension, then content)."""
    path = Path(path)
    data = read_source_bytes(path)
    if path.suffix.lower() == ".fdx" or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
        from scriptkit.parse.fdx import parse_fdx

        return parse_fdx(data, source=str(path))
    from scriptkit.parse.fountain import parse_fountain_bytes

    return parse_fountain_bytes(data, source=str(path))
