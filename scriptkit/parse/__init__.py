"""Screenplay readers: Fountain (`fountain.py`) and Final Draft (`fdx.py`).

Both readers produce a list of `Element`s and a title page; `make_script` derives the scenes and the
characters from them the same way for both, so the same screenplay gives the same `Script`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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
    # One pass over the elements (a 120-page script has ~4000): scene headings, synopses, character cues.
    heading_indices: list[int] = []
    synopses: list[list[str]] = []  # per scene: its synopsis texts
    counts: dict[str, list[int]] = {}  # character name -> cue lines, in order of first cue
    for index, element in enumerate(elements):
        kind = element.type
        if kind == "scene_heading":
            heading_indices.append(index)
            synopses.append([])
        elif kind == "synopsis":
            if synopses:
                synopses[-1].append(element.text)
        elif kind == "character" and element.name:
            lines = counts.get(element.name)
            if lines is None:
                counts[element.name] = [element.line]
            else:
                lines.append(element.line)
    scenes: list[Scene] = []
    for n, start in enumerate(heading_indices):
        end = heading_indices[n + 1] if n + 1 < len(heading_indices) else len(elements)
        heading = elements[start]
        int_ext, location, time_of_day = split_heading(heading.text)
        summary, length = scene_info.get(start, (None, None))
        if summary is None:
            summary = " ".join(synopses[n]) or None
        values = {
            "index": n,
            "heading": heading.text,
            "line": heading.line,
            "number": heading.number,
            "int_ext": int_ext,
            "location": location,
            "time_of_day": time_of_day,
            "start": start,
            "end": end,
            "summary": summary,
            "length_pages": length,
        }
        scenes.append(_scene(values))
    characters = [Character(name=name, lines=len(lines), first_line=lines[0]) for name, lines in counts.items()]
    return Script(
        source=source,
        title_page=dict(title_page or {}),
        elements=elements,
        scenes=scenes,
        characters=characters,
    )


def _scene(values: dict[str, Any]) -> Scene:
    """A `Scene` from values of the right types, without pydantic validation (it is most of make_script's time).

    Everything but the FDX summary and length comes from validated elements and `split_heading`; those two are
    checked here, and anything unexpected goes through validation as before.
    """
    summary, length = values["summary"], values["length_pages"]
    if not (summary is None or type(summary) is str) or not (length is None or type(length) is float):
        return Scene(**values)
    scene = Scene.__new__(Scene)
    object.__setattr__(scene, "__dict__", values)
    object.__setattr__(scene, "__pydantic_fields_set__", set(values))
    object.__setattr__(scene, "__pydantic_extra__", None)
    object.__setattr__(scene, "__pydantic_private__", None)
    return scene


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
