"""End-to-end fuzzing at scale: random screenplays and hostile shot-list mutations through parse, plan, shots.yaml,
timeline assembly, every registered writer and every registered reader (see tests/fuzzing.py).

    python bench/fuzz_e2e.py                 # 20,000 inputs, seeds 0..19999
    python bench/fuzz_e2e.py -n 2000 --start 50000

Prints how many inputs were built ("ok"), refused with a located ScriptkitError ("refused"), planned to no shots
("empty"), and crashed (anything else, or a refusal without a location), with the first seed of each crash kind;
exit 1 on any crash. Works in a RAM folder (/dev/shm) where there is one: the atomic writes' fsync dominates on disk.
"""

from __future__ import annotations

import argparse
import collections
import logging
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzzing import run_one


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20_000, help="how many inputs (default 20000)")
    parser.add_argument("--start", type=int, default=0, help="first seed")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the fix-up and clean-up warnings of thousands of inputs
    results: collections.Counter[str] = collections.Counter()
    crashes: dict[str, list[int]] = {}
    ram = Path("/dev/shm")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=ram if ram.is_dir() else None) as folder:
        for seed in range(args.start, args.start + args.n):
            try:
                outcome, _ = run_one(seed, Path(folder) / str(seed))
                results[outcome] += 1
            except Exception as exc:
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                kind = f"{type(exc).__name__}: {str(exc)[:100]} at {Path(frame.filename).name}:{frame.lineno}"
                crashes.setdefault(kind, []).append(seed)
                results["crash"] += 1
            done = seed - args.start + 1
            if done % 1000 == 0:
                print(f"{done} inputs, {time.perf_counter() - started:.0f} s, {dict(results)}", flush=True)
    seconds = time.perf_counter() - started
    total = sum(results.values())
    print(f"{total} inputs in {seconds:.0f} s ({1000 * seconds / max(total, 1):.1f} ms each): {dict(results)}")
    for kind, seeds in sorted(crashes.items(), key=lambda item: -len(item[1])):
        print(f"crash x{len(seeds)} (first seed {seeds[0]}): {kind}")
    print(f"crashes: {results['crash']}")
    return 1 if results["crash"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
