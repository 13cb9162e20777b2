"""Helpers the feature-length benchmarks share: timing medians, peak memory, the longest corpus screenplay."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "screenplays" / "full_length"

#: Printed screenplay page: 55 lines; column widths in characters by element type (action and headings: 61).
LINES_PER_PAGE = 55
_WIDTHS = {"dialogue": 35, "parenthetical": 25, "lyric": 35, "character": 38, "transition": 20}


def element_lines(kind: str, text: str) -> int:
    """Printed lines of one element (wrapped at its column width) plus the blank line before it."""
    width = _WIDTHS.get(kind, 61)
    lines = 0
    for paragraph in text.split("\n") or [""]:
        lines += max(1, -(-len(paragraph) // width))
    return lines + (0 if kind in ("dialogue", "parenthetical", "lyric") else 1)


def page_count(script) -> float:  # script: scriptkit.models.Script
    """Estimated printed pages of a parsed screenplay (standard layout, 55 lines a page)."""
    return sum(element_lines(e.type, e.text) for e in script.elements) / LINES_PER_PAGE


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of `runs` calls."""
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(max(1, runs)):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def longest_script():  # -> scriptkit.models.Script
    """The corpus screenplay with the most elements (the feature-length input)."""
    from scriptkit.parse import load_script

    best = None
    for path in sorted(CORPUS.glob("*")):
        if path.suffix.lower() not in (".fountain", ".fdx"):
            continue
        script = load_script(path)
        if best is None or len(script.elements) > len(best.elements):
            best = script
    if best is None:
        raise SystemExit(f"no screenplays in {CORPUS}")
    return best
