"""Benchmark: render preview.mp4 of the example episode at 540x960, and melt's render of the same timeline.

The example episode (examples/last-train.fountain, template vertical-drama, 30 fps) is planned with
`scriptkit.plan.load_shotlist`, its media made by `generators.run.generate_assets` with the storyboard
image backend (real drawn keyframes at 1080x1920, real voices; cached under --work so reruns are quick)
or, with `--assets fixture`, by `tests.fixtures.sample_assets` (solid colours and tones), and assembled
by `scriptkit.timeline.build_timeline`.

Each run renders in a fresh child process (so peak memory is the render's own): the preview with
`exporters.preview` (burn-in on, 540x960), then the project written by `exporters.mlt` rendered by
`melt` to H.264 + AAC at the same size (`preset=ultrafast`, `real_time=-1`: no dropped frames).

    python bench/bench_preview.py [--runs 3] [--assets generate|fixture] [--work /tmp/scriptkit-bench-preview]

Prints medians: wall time, CPU time, real-time factor (episode seconds / wall seconds), peak RSS.
Target: the preview renders faster than 4x real time on a 2-core machine (median).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "examples" / "last-train.fountain"
SIZE = (540, 960)
TARGET_FACTOR = 4.0


def prepare(work: Path, assets_mode: str) -> tuple[Path, float]:
    """Plan, make media, build the timeline; write it as work/timeline.otio. Returns (path, seconds)."""
    import opentimelineio as otio

    from scriptkit.plan import load_shotlist
    from scriptkit.templates import load_template
    from scriptkit.timeline import build_timeline

    shotlist = load_shotlist(EXAMPLE, load_template("vertical-drama"))
    media = work / f"media-{assets_mode}"
    shotlist = shotlist.model_copy(update={"media_dir": str(media.absolute())})
    if assets_mode == "fixture":
        from tests.fixtures import sample_assets

        assets = sample_assets(shotlist, media)
    else:
        from generators.run import generate_assets

        assets = generate_assets(shotlist, media, style=None, image_backend="storyboard", quiet=True)
    timeline = build_timeline(shotlist, assets, media)
    path = work / f"timeline-{assets_mode}.otio"
    otio.adapters.write_to_file(timeline, str(path))
    return path, timeline.duration().to_seconds()


def child_preview(timeline_path: Path, out: Path) -> None:
    """Child process: render the preview once and print its figures as JSON."""
    import opentimelineio as otio

    from exporters.preview import write
    from scriptkit.models import ExportOptions

    timeline = otio.adapters.read_from_file(str(timeline_path))
    size = {"preview_width": SIZE[0], "preview_height": SIZE[1]}
    options = ExportOptions(project_dir=str(out.parent), formats={"preview": size})
    wall, cpu = time.perf_counter(), time.process_time()
    write(timeline, out, options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "cpu": cpu, "rss_mb": rss}))


def child_melt(timeline_path: Path, out: Path) -> None:
    """Child process: write the .mlt, render it with melt once, print figures as JSON."""
    import opentimelineio as otio

    from exporters.mlt import write
    from scriptkit.contract import timeline_rate
    from scriptkit.models import ExportOptions

    timeline = otio.adapters.read_from_file(str(timeline_path))
    project = out.with_suffix(".mlt")
    write(timeline, project, ExportOptions(project_dir=str(out.parent)))
    rate = timeline_rate(timeline)
    melt = shutil.which("melt")
    if melt is None:
        raise SystemExit("melt is not installed")
    cmd = [
        melt, str(project), "-consumer", f"avformat:{out}", "vcodec=libx264", "preset=ultrafast", "crf=23",
        "acodec=aac", "ar=48000", "ac=2", f"width={SIZE[0]}", f"height={SIZE[1]}",
        f"frame_rate_num={rate.numerator}", f"frame_rate_den={rate.denominator}", "real_time=-1",
    ]  # fmt: skip
    wall = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - wall
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}))


def run_child(kind: str, timeline_path: Path, out: Path) -> dict[str, float]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(timeline_path), str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def frame_count(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--assets", choices=("generate", "fixture"), default="generate")
    parser.add_argument("--work", type=Path, default=Path("/tmp/scriptkit-bench-preview"))
    parser.add_argument("--child", nargs=3, metavar=("KIND", "TIMELINE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, timeline_path, out = args.child
        (child_preview if kind == "preview" else child_melt)(Path(timeline_path), Path(out))
        return

    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    timeline_path, seconds = prepare(args.work, args.assets)
    print(f"example episode: {seconds:.2f} s ({args.assets} media ready in {time.perf_counter() - started:.1f} s)")
    print(f"cpus {os.cpu_count()}, load average before the runs {os.getloadavg()[0]:.2f} (others' work slows this)")
    results: dict[str, list[dict[str, float]]] = {"preview": [], "melt": []}
    for run in range(args.runs):
        for kind in ("preview", "melt"):
            out = args.work / f"{kind}-{run}.mp4"
            figures = run_child(kind, timeline_path, out)
            results[kind].append(figures)
            print(f"  run {run + 1} {kind:7s} wall {figures['wall']:6.2f} s  cpu {figures['cpu']:6.2f} s  "
                  f"peak {figures['rss_mb']:6.1f} MB")  # fmt: skip
    frames = {kind: frame_count(args.work / f"{kind}-0.mp4") for kind in results}
    print(f"frames: preview {frames['preview']}, melt {frames['melt']}")
    print(f"median of {args.runs} runs at {SIZE[0]}x{SIZE[1]}:")
    med = {}
    for kind, runs in results.items():
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        rss = statistics.median(r["rss_mb"] for r in runs)
        med[kind] = wall
        print(f"  {kind:7s} wall {wall:6.2f} s  cpu {cpu:6.2f} s  {seconds / wall:5.2f}x real time  peak {rss:6.1f} MB")
    print(f"  preview / melt wall time: {med['preview'] / med['melt']:.2f}")
    print(f"load average after the runs {os.getloadavg()[0]:.2f}")
    factor = seconds / med["preview"]
    verdict = "meets" if factor > TARGET_FACTOR else "misses"
    print(f"preview {verdict} the target (faster than {TARGET_FACTOR:g}x real time): {factor:.2f}x")


if __name__ == "__main__":
    main()
