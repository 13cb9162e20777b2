"""Benchmark: build the timeline of the longest corpus screenplay and write every interchange format.

The longest screenplay in ../shared/corpus/screenplays/full_length (most parsed elements) is parsed, planned
with the "widescreen" template and given already-generated media (the small fake files of
`tests.fixtures.sample_assets`, written once, untimed). Then, each the median of --runs runs:

- `build_timeline` (ShotList + Assets -> OTIO);
- each of our writers (xmeml, EDL with its audio EDLs, OTIO, OTIOZ, AAF, SRT, WebVTT, CSV) into a temp folder;
- the OTIO adapters writing the same timeline to a file (fcp_xml, cmx_3600, fcpx_xml where it works,
  otio_json), compared with ours by ratio (ours / adapter; < 1 means we are faster).

The music bed is a 1 s file claiming the episode's length (see fake_assets). Peak memory is the process's
peak RSS (ru_maxrss, includes Python and the libraries) at the end.

    python bench/bench_formats.py [--runs 5] [--aaf-runs 1] [--template widescreen]

Target: timeline + every format under 1 s and under 300 MB.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_common import longest_script, peak_mb  # noqa: E402

TARGET_SECONDS = 1.0
TARGET_MB = 300.0


#: label -> median CPU seconds of the process (less disturbed than wall time on a busy machine)
CPU: dict[str, float] = {}


def median_time(action: Callable[[], object], runs: int, label: str = "") -> float:
    """Median wall seconds of `runs` calls; the median CPU seconds go to CPU[label]."""
    times, cpu = [], []
    for _ in range(max(1, runs)):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[label] = statistics.median(cpu)
    return statistics.median(times)


def fake_assets(shotlist, media: Path):  # -> Assets
    """`sample_assets` for the shots and lines; the music bed is a 1 s file that claims the episode's length
    (the fixture would synthesise the whole 2-hour stereo bed in memory, gigabytes, which is no part of
    what is measured here)."""
    from scriptkit.io import atomic_write_bytes
    from scriptkit.models import Asset
    from tests.fixtures import SAMPLE_RATE, sample_assets, wav_bytes

    assets = sample_assets(shotlist.model_copy(update={"music": None}), media)
    if shotlist.music is not None:
        data = wav_bytes(1.0, 110.0, channels=2)
        atomic_write_bytes(media / "music" / "music-bed.wav", data)
        assets.music = Asset(
            kind="music", path="music/music-bed.wav", key="bench-music", sha256="0" * 64, owner=shotlist.music.id,
            backend="bench", duration=shotlist.duration + 4.0, sample_rate=SAMPLE_RATE, channels=2,
        )  # fmt: skip
    return assets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--aaf-runs", type=int, default=1, help="pyaaf2 is slow; AAF gets its own run count")
    parser.add_argument("--template", default="widescreen")
    parser.add_argument("--skip-aaf", action="store_true", help="leave out AAF (pyaaf2 takes ~25 ms a clip)")
    args = parser.parse_args()

    import opentimelineio as otio

    from exporters import get_format
    from scriptkit.contract import shot_cuts
    from scriptkit.models import ExportOptions
    from scriptkit.plan import plan_script
    from scriptkit.templates import load_template
    from scriptkit.timeline import build_timeline

    script = longest_script()
    shotlist = plan_script(script, load_template(args.template))
    folder = Path(tempfile.mkdtemp(prefix="scriptkit-bench-"))
    media = folder / "media"
    assets = fake_assets(shotlist, media)
    shotlist = shotlist.model_copy(update={"media_dir": str(media)})

    before = peak_mb()
    build_s = median_time(lambda: build_timeline(shotlist, assets, media), args.runs, "build")
    timeline = build_timeline(shotlist, assets, media)
    print(
        f"screenplay: {Path(script.source).name}: {len(script.elements)} elements, {len(shotlist.shots)} shots, "
        f"{shotlist.duration / 60:.1f} min at {shotlist.fps} fps, {len(timeline.find_clips())} clips"
    )
    print(f"build_timeline: {build_s * 1000:.1f} ms (CPU {CPU['build'] * 1000:.1f} ms)")

    options = ExportOptions(project_dir=str(folder / "project"), title=shotlist.title)
    ours: dict[str, float] = {}
    peaks: dict[str, float] = {"before build": before, "build": peak_mb()}
    for name, ext in [("xmeml", "xml"), ("edl", "edl"), ("otio", "otio"), ("otioz", "otioz"), ("aaf", "aaf"),
                      ("srt", "srt"), ("vtt", "vtt"), ("csv", "csv")]:  # fmt: skip
        if name == "aaf" and args.skip_aaf:
            continue
        fmt = get_format(name)
        target = folder / "project" / f"episode.{ext}"

        def write(fmt=fmt, target=target) -> None:
            target.unlink(missing_ok=True)
            fmt.write(timeline, target, options)

        ours[name] = median_time(write, args.aaf_runs if name == "aaf" else args.runs, name)
        peaks[name] = peak_mb()

    peers: dict[str, float | str] = {}
    for adapter, ext in (("fcp_xml", "xml"), ("cmx_3600", "edl"), ("fcpx_xml", "fcpxml"), ("otio_json", "otio")):
        target = folder / "adapters" / f"episode.{ext}"
        target.parent.mkdir(exist_ok=True)

        def write_peer(adapter=adapter, target=target) -> None:
            target.unlink(missing_ok=True)
            otio.adapters.write_to_file(timeline, str(target), adapter_name=adapter)

        try:
            peers[adapter] = median_time(write_peer, args.runs, adapter)
        except Exception as exc:  # an adapter that cannot write our timeline is a finding
            peers[adapter] = f"fails: {type(exc).__name__}: {str(exc)[:60]}"
    # cmx_3600 cannot write more than two audio tracks: compare the picture EDL alone as well
    picture = otio.schema.Timeline(name=timeline.name, global_start_time=timeline.global_start_time)
    picture.metadata["scriptkit"] = dict(timeline.metadata["scriptkit"])
    picture.tracks.append(timeline.tracks[0].clone())
    edl_module = get_format("edl")
    ours["edl V1"] = median_time(
        lambda: edl_module.write(picture, folder / "project" / "picture.edl", options), args.runs, "edl V1"
    )
    peers["cmx_3600 V1"] = median_time(
        lambda: otio.adapters.write_to_file(picture, str(folder / "adapters" / "v1.edl"), adapter_name="cmx_3600"),
        args.runs,
        "cmx_3600 V1",
    )
    pairs = {"xmeml": "fcp_xml", "edl": "cmx_3600", "otio": "otio_json", "edl V1": "cmx_3600 V1"}

    print(
        f"{'format':8s} {'ours ms':>9s} {'CPU ms':>8s}  {'OTIO adapter':12s} {'adapter ms':>10s} {'CPU ms':>8s} ratio"
    )
    for name, seconds in ours.items():
        peer = pairs.get(name)
        peer_value = peers.get(peer) if peer else None
        mine = f"{name:8s} {seconds * 1000:9.1f} {CPU[name] * 1000:8.1f}"
        if isinstance(peer_value, float):
            theirs = f"{peer:12s} {peer_value * 1000:10.1f} {CPU[peer] * 1000:8.1f}"
            print(f"{mine}  {theirs} {seconds / peer_value:5.2f}")
        else:
            print(f"{mine}  {peer or '':12s} {peer_value or ''}")
    for adapter in ("fcpx_xml",):
        value = peers[adapter]
        shown = f"{value * 1000:.1f} ms" if isinstance(value, float) else value
        print(f"(OTIO {adapter}: {shown}; our FCPXML writer is benchmarked by its own module)")

    total = build_s + sum(v for k, v in ours.items() if k != "edl V1")
    without_aaf = total - ours.get("aaf", 0.0)
    peak = peak_mb()
    print("peak RSS after each stage (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in peaks.items()))
    cpu_total = CPU["build"] + sum(v for k, v in CPU.items() if k in ours and k not in ("edl V1", "aaf"))
    print(f"CPU seconds, timeline + every format but AAF: {cpu_total:.3f} s")
    print(
        f"timeline + every format: {total:.3f} s ({without_aaf:.3f} s without AAF); "
        f"target {TARGET_SECONDS:.0f} s: {'met' if total < TARGET_SECONDS else 'NOT met'}"
    )
    print(f"peak RSS: {peak:.0f} MB; target {TARGET_MB:.0f} MB: {'met' if peak < TARGET_MB else 'NOT met'}")
    assert len(shot_cuts(timeline)) == len(shotlist.shots)


if __name__ == "__main__":
    main()
