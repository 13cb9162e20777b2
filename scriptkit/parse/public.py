"""The public JSON of `scriptkit parse --json` (a documented contract; see README "Parse JSON").

    {"title_page": {key: value}, "elements": [{"type", "text", "line", ...}]}

Extra keys: character -> name, extensions, dual; scene_heading -> number (when given);
section -> level; any element with inline notes -> notes.
"""

from __future__ import annotations

from typing import Any

from scriptkit.models import Script


def public_json(script: Script) -> dict[str, Any]:
    elements: list[dict[str, Any]] = []
    for element in script.elements:
        item: dict[str, Any] = {"type": element.type, "text": element.text, "line": element.line}
        if element.type == "character":
            item["name"] = element.name
            item["extensions"] = list(element.extensions)
            item["dual"] = element.dual
        if element.type == "scene_heading" and element.number is not None:
            item["number"] = element.number
        if element.type == "section":
            item["level"] = element.level
        if element.notes:
            item["notes"] = list(element.notes)
        elements.append(item)
    return {"title_page": dict(script.title_page), "elements": elements}
