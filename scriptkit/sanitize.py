"""Text no target format can carry, handled once at the edge where a screenplay or a shot list is read.

XML 1.0 (FCPXML, xmeml, MLT, Kdenlive, FDX) cannot hold C0 control characters other than tab and line feed,
lone surrogates or the noncharacters U+FFFE/U+FFFF; EDL, SRT, AAF and the file names made from ids fare no
better with terminal escapes, form feeds or DEL and C1 controls. So the readers of screenplays and shot lists
remove them (whitespace-like ones such as a form feed or a vertical tab become a space, so words stay apart),
and say so in ONE warning naming the file and the lines, never one per character. Every writer still escapes
what its format must (`<`, `&`, quotes): that is the writer's job, not this module's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

log = logging.getLogger("scriptkit.input")

#: C0 controls but tab, line feed and carriage return; DEL and C1 controls; surrogates; two noncharacters.
UNCARRIABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: Those that separate words where people put them (form feed, vertical tab, file/group/record/unit
#: separators, next line): replaced by a space rather than removed.
_SPACE_LIKE = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f\x85")
#: At most this many line numbers are listed in the warning.
_LISTED = 8


def _replace(match: re.Match[str]) -> str:
    return " " if match.group() in _SPACE_LIKE else ""


def clean(text: str) -> tuple[str, int]:
    """`text` without uncarriable characters, and how many there were (0: `text` itself is returned)."""
    cleaned, count = UNCARRIABLE.subn(_replace, text)
    return (cleaned, count) if count else (text, 0)


def clean_lines(text: str) -> tuple[str, dict[int, int]]:
    """Clean a whole file's text; returns it and {1-based line: characters removed on it}. Line breaks stay."""
    cleaned, count = clean(text)
    if not count:
        return text, {}
    found: dict[int, int] = {}
    for match in UNCARRIABLE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found[line] = found.get(line, 0) + 1
    return cleaned, found


def clean_data(data: Any, line_of: Callable[[tuple[Any, ...]], int | None]) -> tuple[Any, dict[int, int]]:
    """Clean every string (keys included) of parsed YAML/JSON data; {line: count} by `line_of(path of keys)`."""
    found: dict[int, int] = {}

    def walk(value: Any, path: tuple[Any, ...]) -> Any:
        if isinstance(value, str):
            cleaned, count = clean(value)
            if count:
                line = line_of(path) or 0
                found[line] = found.get(line, 0) + count
            return cleaned
        if isinstance(value, dict):
            return {walk(key, path): walk(item, (*path, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, (*path, n)) for n, item in enumerate(value)]
        return value

    return walk(data, ()), found


def clean_timeline(timeline: Any, source: str) -> None:
    """Clean an editor's timeline in place (names, marker names and comments, metadata strings) as it is read:
    EDL and OTIO files carry any character, and what comes back goes on into every writer. One warning."""
    count = 0

    def text(value: str) -> str:
        nonlocal count
        cleaned, removed = clean(value)
        count += removed
        return cleaned

    def metadata(mapping: Any) -> None:
        for key in list(mapping.keys()):
            value = mapping[key]
            if isinstance(value, str):
                mapping[key] = text(value)
            elif hasattr(value, "keys"):
                metadata(value)
            elif isinstance(value, list) or type(value).__name__ == "AnyVector":
                for n, item in enumerate(value):
                    if isinstance(item, str):
                        value[n] = text(item)
                    elif hasattr(item, "keys"):
                        metadata(item)

    objects = [timeline, timeline.tracks, *timeline.tracks.find_children()]
    for item in objects:
        item.name = text(item.name or "")
        metadata(item.metadata)
        for marker in getattr(item, "markers", []):
            marker.name = text(marker.name or "")
            marker.comment = text(marker.comment or "")
            metadata(marker.metadata)
    if count:
        noun = "character" if count == 1 else "characters"
        log.warning("%s: removed %d control %s no NLE format can carry", source, count, noun)


def report(source: str, found: dict[int, int]) -> None:
    """One warning for a whole file: how many characters were removed and on which lines."""
    if not found:
        return
    total = sum(found.values())
    lines = sorted(line for line in found if line)
    listed = ", ".join(str(line) for line in lines[:_LISTED])
    if len(lines) > _LISTED:
        listed += f" and {len(lines) - _LISTED} more"
    where = f" on line{'s' if len(lines) > 1 else ''} {listed}" if lines else ""
    noun = "character" if total == 1 else "characters"
    log.warning("%s: removed %d control %s no NLE format can carry%s", source or "<input>", total, noun, where)
