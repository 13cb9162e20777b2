"""The models' limits applied to a screenplay as it is planned (the planner builds its models unchecked).

A shot list breaking a limit is refused by `ShotList` validation itself (file, line and field); a screenplay is
refused here, naming the file and the line, rather than planned into a shot list that could not be read back.
A long speech is split at its sentences by the planner; one that cannot be split below `MAX_LINE` (2 MB of
words without a full stop) is refused, so a speech model is never fed more than `MAX_LINE` characters.
"""

from __future__ import annotations

from typing import Any

from scriptkit.errors import ScriptkitError
from scriptkit.models import MAX_LINE, MAX_NAME, MAX_TEXT, MAX_TITLE, Script


def check_script(script: Script) -> None:
    """Refuse a screenplay whose title, a scene heading or a character name is longer than the models allow."""
    if len(script.title) > MAX_TITLE:
        message = f"the title is {len(script.title):,} characters; the limit is {MAX_TITLE:,}"
        raise ScriptkitError(message, script.source)
    for element in script.elements:
        if element.type == "scene_heading" and len(element.text) > MAX_TEXT:
            message = f"a scene heading of {len(element.text):,} characters; the limit is {MAX_TEXT:,}"
            raise ScriptkitError(message, script.source, element.line)
        if element.type == "character" and len(element.name or "") > MAX_NAME:
            message = f"a character name of {len(element.name or ''):,} characters; the limit is {MAX_NAME:,}"
            raise ScriptkitError(message, script.source, element.line)


def check_speech(shots: list[dict[str, Any]], source: str) -> None:
    """Refuse a planned line of dialogue (or its parenthetical) over `MAX_LINE` characters, naming its line."""
    for shot in shots:
        for line in shot["dialogue"]:
            size = max(len(line["text"]), len(line["parenthetical"] or ""))
            if size > MAX_LINE:
                raise ScriptkitError(
                    f"a line of dialogue of {size:,} characters with no sentence end to split it at; "
                    f"the limit is {MAX_LINE:,}",
                    source,
                    line["line"],
                )
