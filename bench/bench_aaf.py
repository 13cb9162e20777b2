"""Benchmark: the AAF writer (exporters/aaf.py on the OTIO AAF adapter + pyaaf2) on a feature-length timeline.

The longest screenplay in ../shared/corpus/screenplays/full_length is parsed, planned with a template
("widescreen" by default) and given in-memory media records (`bench_timeline.feature_input`: no media files
are written; the AAF writer reads none). Two inputs: the first --prefix shots (300) and the whole feature.
For each, the median of --runs AAF writes (to a file in a temp folder), wall (time.perf_counter) and CPU
(time.process_time; the machine is shared, CPU time is the steadier figure):

- "fast": `exporters.aaf.write` (pyaaf2 with our speed-ups patched in for the write, same bytes);
- "reference" (with --reference): `exporters.aaf._write(..., fast=False)`, the adapter on pyaaf2 as shipped
  (about 90 s for the feature, so it runs once for the feature however many --runs). Both files are compared
  byte for byte.

Peak memory is the process's peak RSS (resource.getrusage ru_maxrss; includes Python and the libraries).

    python bench/bench_aaf.py [--runs 3] [--prefix 300] [--template widescreen] [--fps 29.97 --drop-frame]
                              [--reference] [--no-full]
    python bench/bench_aaf.py --profile prefix|full     # cProfile one fast write instead

Issue 4's target for the timeline plus every format: under 1 s and under 300 MB.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_common import measure, peak_mb  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prefix", type=int, default=300, help="shots in the short input")
    parser.add_argument("--template", default="widescreen")
    parser.add_argument("--fps", default=None, help="override the template's rate, e.g. 29.97")
    parser.add_argument("--drop-frame", action="store_true", help="drop-frame timecode (29.97, 59.94)")
    parser.add_argument("--reference", action="store_true", help="also time the unpatched adapter path")
    parser.add_argument("--no-full", action="store_true", help="only the prefix")
    parser.add_argument("--profile", choices=("prefix", "full"), help="cProfile one fast write instead")
    args = parser.parse_args()

    from bench_timeline import feature_input

    from scriptkit.models import ExportOptions
    from scriptkit.timeline import build_timeline

    shotlist, assets, media, script = feature_input(args.template, args.fps, args.drop_frame)
    prefix = shotlist.model_copy(update={"shots": shotlist.shots[: args.prefix]})
    inputs = {"prefix": build_timeline(prefix, assets, media)}
    if not args.no_full or args.profile == "full":
        inputs["full"] = build_timeline(shotlist, assets, media)
    folder = Path(tempfile.mkdtemp(prefix="scriptkit-bench-aaf-"))
    options = ExportOptions(project_dir=str(folder), title=shotlist.title, drop_frame=args.drop_frame)

    if not args.profile:
        print(
            f"screenplay: {Path(script.source).name}: {len(shotlist.shots)} shots; template {args.template}, "
            f"{shotlist.fps} fps{' drop-frame' if args.drop_frame else ''}; prefix: {args.prefix} shots"
        )
    try:
        run(args, inputs, folder, options)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(args: argparse.Namespace, inputs: dict, folder: Path, options: object) -> None:
    """The timings (or the profile) of `main`'s inputs; the files go to `folder`."""
    from exporters import aaf

    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(aaf.write, inputs[args.profile], folder / "profile.aaf", options)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return

    print(f"{'input':8s} {'clips':>6s} {'path':10s} {'wall s':>8s} {'cpu s':>8s} {'ms/clip':>8s} {'MB':>6s}")
    for name, timeline in inputs.items():
        clips = len(timeline.find_clips())
        fast_path = folder / f"{name}-fast.aaf"
        rows = [("fast", lambda tl=timeline, p=fast_path: aaf.write(tl, p, options), args.runs)]
        ref_path = folder / f"{name}-reference.aaf"
        if args.reference:
            ref_runs = 1 if name == "full" else args.runs
            rows.append(("reference", lambda tl=timeline, p=ref_path: aaf._write(tl, p, options, fast=False), ref_runs))
        for label, action, runs in rows:
            wall, cpu = measure(action, runs)
            size = (fast_path if label == "fast" else ref_path).stat().st_size / 1e6
            print(f"{name:8s} {clips:6d} {label:10s} {wall:8.2f} {cpu:8.2f} {wall * 1000 / clips:8.1f} {size:6.1f}")
        if args.reference:
            same = fast_path.read_bytes() == ref_path.read_bytes()
            print(f"{name:8s} fast and reference files identical: {same}")
            if not same:
                raise SystemExit("the fast AAF writer changed the file")
    print(f"peak RSS: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
