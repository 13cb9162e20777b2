"""Camera directions written as a line of the script ('CLOSE ON MAYA', 'INSERT - THE LETTER', 'MAYA'S POV').

Read by the planner (a line of action that starts one is a shot of its own) and by the scene builder (a forced
Fountain heading such as `.CLOSE ON THE BASKET` is such a shot, not a new scene). The phrases are in
`scriptkit.lexicon.SHOT_PHRASES`.
"""

from __future__ import annotations

import re

from scriptkit import lexicon

_SHOT_FIRST_WORDS = frozenset(phrase.split()[0].split("-")[0] for phrase, *_ in lexicon.SHOT_PHRASES)
_SHOT_PHRASES = tuple(
    (phrase, re.compile(r"^" + re.escape(phrase) + r"(?:$|[\s:\-–—.,]+)"), size, move, tag)
    for phrase, size, move, tag in lexicon.SHOT_PHRASES
)
_POV_OF = re.compile(r"^([A-Z][A-Z0-9 .'\-]*?)'S\s+POV\b[\s:\-–—.,]*")


def shot_line(text: str) -> tuple[str, str | None, str, str] | None:
    """(size, move, tag, subject) when a line of action starts with a CAPS shot phrase ('CLOSE ON MAYA')."""
    line = text.strip()
    if not line or not line[0].isupper():
        return None
    first = line.split(None, 1)[0].rstrip(":.,-").split("-")[0]
    if first not in _SHOT_FIRST_WORDS and "POV" not in line:
        return None
    match = _POV_OF.match(line)
    if match:
        return ("pov", None, "pov", match.group(1) + ": " + line[match.end() :].strip())
    for phrase, pattern, size, move, tag in _SHOT_PHRASES:
        if line.startswith(phrase):
            found = pattern.match(line)
            if not found:
                continue
            rest = line[found.end() :].strip()
            if phrase == "ON" and (not rest or not rest.split()[0].strip(",.").isupper()):
                return None
            return (size, move, tag, rest)
    return None
