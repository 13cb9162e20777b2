"""Scenes and characters derived from a reader's elements, the same way for every screenplay format."""

from __future__ import annotations

import re
from typing import Any

from scriptkit.models import Character, Element, Scene, Script
from scriptkit.parse.zh_heading import TIMES as ZH_TIMES
from scriptkit.parse.zh_heading import split_zh_heading
from scriptkit.shot_phrases import shot_line

_HEADING = re.compile(
    r"^(?P<ie>INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E|E/I)[.\s]+(?P<rest>.*)$",
    re.IGNORECASE,
)
_TIMES = (" - ", " – ", " — ", " -- ")


def split_heading(heading: str) -> tuple[str, str, str]:
    """'INT. KITCHEN - NIGHT' -> ('INT', 'KITCHEN', 'NIGHT'); '3-1 场 老宅客厅 夜 内' -> ('INT', '老宅客厅', 'NIGHT').

    Unknown forms give ('', heading, '')."""
    text = heading.strip().lstrip(".").strip()
    match = _HEADING.match(text)
    if not match:
        zh = split_zh_heading(text)
        return zh[1:] if zh is not None else ("", text.upper(), "")
    int_ext = match.group("ie").upper().replace(".", "")
    if int_ext in ("I/E", "E/I", "EXT/INT"):
        int_ext = "INT/EXT"
    rest = match.group("rest").strip()
    location, time_of_day = rest, ""
    for sep in _TIMES:
        if sep in rest:
            location, time_of_day = rest.rsplit(sep, 1)
            break
    time_of_day = time_of_day.strip()
    return int_ext, location.strip().upper(), ZH_TIMES.get(time_of_day, time_of_day.upper())


def is_shot_heading(element: Element) -> bool:
    """A heading that is a camera direction (Fountain's forced `.CLOSE ON THE BASKET`, an FDX Scene Heading
    'ON THE TV'): no INT./EXT. slug, a shot phrase. It is a shot inside the scene, not a new scene."""
    return (
        element.type == "scene_heading"
        and not _HEADING.match(element.text.strip().lstrip("."))
        and shot_line(element.text) is not None
    )


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
        if kind == "scene_heading" and not is_shot_heading(element):
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
