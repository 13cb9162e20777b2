"""Benchmark: write a CapCut / Jianying draft for a 60 s vertical episode and for a feature-length timeline.

The episode is the test sample shot list extended to about 60 s (28 shots, 9:16, 30 fps); the feature is the longest
corpus screenplay planned with the "widescreen" template. Both get already-made media (the small fake files of
`tests.fixtures.sample_assets`, written once, untimed). Each figure is the median of --runs runs of one draft
write (timeline JSON, its mirrors, draft_meta_info.json and the media copies) into a temp folder, and the same
for our FCPXML writer on the same timeline, the peer (ratio = draft / FCPXML; < 1 means the draft is faster).

    python bench/bench_capcut.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_common import longest_script, measure  # noqa: E402
from bench_formats import fake_assets  # noqa: E402


def timelines(folder: Path) -> dict[str, object]:
    """label -> OTIO timeline: the 60 s episode and the feature."""
    from scriptkit.plan import plan_script
    from scriptkit.templates import load_template
    from scriptkit.timeline import build_timeline
    from tests.fixtures import sample_shotlist

    episode = sample_shotlist(shots=28)
    feature = plan_script(longest_script(), load_template("widescreen"))
    out: dict[str, object] = {}
    for label, shotlist in (("episode", episode), ("feature", feature)):
        media = folder / label / "media"
        assets = fake_assets(shotlist, media)
        shotlist = shotlist.model_copy(update={"media_dir": str(media)})
        out[label] = build_timeline(shotlist, assets, media)
        print(f"{label}: {len(shotlist.shots)} shots, {shotlist.duration:.0f} s at {shotlist.fps} fps")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from exporters import get_format
    from scriptkit.models import ExportOptions

    folder = Path(tempfile.mkdtemp(prefix="scriptkit-bench-capcut-"))
    try:
        for label, timeline in timelines(folder).items():
            project = folder / label / "project"
            options = ExportOptions(project_dir=str(project), title=label)
            results = {}
            for name in ("capcut", "jianying", "fcpxml"):
                fmt = get_format(name)
                target = fmt.output_path(project, label)
                results[name] = measure(
                    lambda fmt=fmt, target=target, timeline=timeline, options=options: fmt.write(
                        timeline, target, options
                    ),
                    args.runs,
                )
            peer = results["fcpxml"][0]
            for name, (wall, cpu) in results.items():
                ratio = "" if name == "fcpxml" else f", ratio to fcpxml {wall / peer:.2f}"
                print(f"  {label} {name}: {wall * 1000:.1f} ms (CPU {cpu * 1000:.1f} ms){ratio}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
