"""Helpers the feature-length benchmarks share: timing medians, peak memory, the longest corpus screenplay."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "screenplays" / "full_length"


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
