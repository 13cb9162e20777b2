"""End-to-end `scriptkit build` of the example episode with the embedded defaults, cold and warm.

    python bench/bench_build.py [--runs 3]

Cold: an empty project folder (every keyframe, voice and cue generated, every format written, preview
rendered). Warm: the same command again on the finished folder (the cache answers; every output rewritten).
Also times the build without the preview movie. Each run is a separate `scriptkit build` process, as a user
runs it. Prints medians of wall and CPU seconds (the process and its children).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "last-train.fountain"
STYLE = ROOT / "examples" / "style.png"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_build(out: Path, *extra: str) -> tuple[float, float]:
    command = [sys.executable, "-m", "scriptkit", "build", str(SCRIPT), "--style", str(STYLE), "-o", str(out), "-q"]
    cpu = children_cpu()
    started = time.perf_counter()
    subprocess.run([*command, *extra], check=True)
    return time.perf_counter() - started, children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {
        "cold": [],
        "warm": [],
        "cold, --no-preview": [],
        "warm, --no-preview": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            for label, extra in (("", ()), (", --no-preview", ("--no-preview",))):
                out = Path(tmp) / f"ep{run}{label.replace(', --', '-')}"
                results["cold" + label].append(run_build(out, *extra))
                results["warm" + label].append(run_build(out, *extra))
                shutil.rmtree(out)
    print(f"scriptkit build examples/last-train.fountain, median of {args.runs} runs")
    print(f"{'case':22s} {'wall s':>8s} {'cpu s':>8s}")
    for label, samples in results.items():
        wall = statistics.median(s[0] for s in samples)
        cpu = statistics.median(s[1] for s in samples)
        print(f"{label:22s} {wall:8.2f} {cpu:8.2f}")
    print(f"peak memory of a build process: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
