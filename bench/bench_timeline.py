"""Benchmark: timeline assembly and the FCPXML writer and reader on a feature-length input.

The longest screenplay in ../shared/corpus/screenplays/full_length (most parsed elements) is parsed and
planned with a template ("widescreen" by default) and given already-generated media as an in-memory
`Assets` record (`feature_assets`: what `tests.fixtures.sample_assets` would record, without writing the
files; building the timeline and writing FCPXML read no media). Then, each the median of --runs runs, wall
(time.perf_counter) and CPU (time.process_time; the machine is shared, CPU time is the steadier figure):

- `build_timeline` (ShotList + Assets -> OTIO);
- FCPXML write (`exporters.fcpxml.to_bytes`, the document in memory; writing the file adds one atomic write);
- FCPXML read (`exporters.fcpxml._read_bytes` of that document).

Peak memory is the process's peak RSS (resource.getrusage ru_maxrss; includes Python and the libraries).

    python bench/bench_timeline.py [--runs 5] [--template widescreen] [--fps 24] [--profile build|write|read]

Issue 4's target for the timeline plus every format: under 1 s and under 300 MB.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_common import longest_script, measure, peak_mb  # noqa: E402

SAMPLE_RATE = 48_000


def _asset(kind: str, rel: str, owner: str, **kw: object):  # -> Asset
    from scriptkit.models import Asset

    digest = hashlib.sha256(f"bench:{kind}:{owner}".encode()).hexdigest()
    return Asset(kind=kind, path=rel, key=digest, sha256=digest, owner=owner, backend="bench", **kw)  # type: ignore[arg-type]


def feature_assets(shotlist, media: Path):  # -> Assets
    """The Assets record `tests.fixtures.sample_assets` would write for `shotlist`, in memory (no files)."""
    from scriptkit.models import Assets

    def seconds(value: float) -> float:
        return round(value * SAMPLE_RATE) / SAMPLE_RATE

    assets = Assets(root=str(Path(media).absolute()))
    for shot in shotlist.shots:
        assets.images[shot.id] = _asset("image", f"images/{shot.id}.png", shot.id, width=64, height=36)
        for line in shot.dialogue:
            assets.voices[line.id] = _asset(
                "voice", f"voices/{line.id}.wav", line.id, duration=seconds(line.duration), sample_rate=SAMPLE_RATE,
                channels=1,
            )  # fmt: skip
        for cue in shot.cues:
            assets.cues[cue.id] = _asset(
                "cue", f"cues/{cue.id}.wav", cue.id, duration=seconds(cue.duration), sample_rate=SAMPLE_RATE, channels=1
            )
    if shotlist.music is not None:
        assets.music = _asset(
            "music", "music/music-bed.wav", shotlist.music.id, duration=seconds(shotlist.duration + 4.0),
            sample_rate=SAMPLE_RATE, channels=2,
        )  # fmt: skip
    return assets


def feature_input(
    template: str = "widescreen", fps: str | None = None, drop_frame: bool = False, media: Path | None = None
):
    """(shot list, assets, media folder) for the longest corpus screenplay; `fps` overrides the template's."""
    from scriptkit.plan import plan_script
    from scriptkit.templates import load_template

    script = longest_script()
    shotlist = plan_script(script, load_template(template))
    media = Path(media or "/tmp/scriptkit-bench-media")
    update: dict[str, object] = {"media_dir": str(media)}
    if fps is not None:
        from scriptkit.rates import parse_rate, rate_string

        update.update(fps=rate_string(parse_rate(fps)), drop_frame=drop_frame)
    shotlist = shotlist.model_copy(update=update)
    return shotlist, feature_assets(shotlist, media), media, script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--template", default="widescreen")
    parser.add_argument("--fps", default=None, help="override the template's rate, e.g. 29.97")
    parser.add_argument("--drop-frame", action="store_true")
    parser.add_argument("--profile", choices=("build", "write", "read"), help="cProfile one stage instead")
    args = parser.parse_args()

    from exporters import fcpxml
    from scriptkit.contract import shot_cuts
    from scriptkit.models import ExportOptions
    from scriptkit.timeline import build_timeline

    shotlist, assets, media, script = feature_input(args.template, args.fps, args.drop_frame)
    out = Path("/tmp/scriptkit-bench-project/episode.fcpxml")
    options = ExportOptions(project_dir=str(out.parent), title=shotlist.title)
    before = peak_mb()

    def build():  # -> Timeline
        return build_timeline(shotlist, assets, media)

    timeline = build()
    data = fcpxml.to_bytes(timeline, out, options)
    stages: dict[str, Callable[[], object]] = {
        "build": build,
        "write": lambda: fcpxml.to_bytes(timeline, out, options),
        "read": lambda: fcpxml._read_bytes(data, out),
    }
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(stages[args.profile])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        return

    print(
        f"screenplay: {Path(script.source).name}: {len(script.elements)} elements, {len(shotlist.shots)} shots, "
        f"{shotlist.duration / 60:.1f} min at {shotlist.fps} fps, {len(timeline.find_clips())} clips; "
        f"FCPXML {len(data) / 1e6:.1f} MB"
    )
    print(f"{'stage':16s} {'wall ms':>9s} {'cpu ms':>9s}   (median of {args.runs})")
    total = 0.0
    for name, label in (("build", "build_timeline"), ("write", "FCPXML write"), ("read", "FCPXML read")):
        wall, cpu = measure(stages[name], args.runs)
        total += wall
        print(f"{label:16s} {wall * 1000:9.1f} {cpu * 1000:9.1f}")
    print(f"{'total':16s} {total * 1000:9.1f}")
    print(f"peak RSS: {peak_mb():.0f} MB (before the first build: {before:.0f} MB)")
    back = fcpxml._read_bytes(data, out)
    assert shot_cuts(back) == shot_cuts(timeline), "the FCPXML round trip lost cuts"


if __name__ == "__main__":
    main()
