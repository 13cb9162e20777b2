"""A season of seven episodes (`bench/season/`, the example's kind: 60-second vertical episodes with one cast, shared
locations, lines and sounds), built with `scriptkit build-season` on the local executor and on Ray.

    python bench/bench_season.py [--runs 1] [--preview]

Each run is a separate `scriptkit build-season` process into an empty folder (cold: everything generated; the Ray
run starts and stops its own local Ray instance, so its start-up is counted), then once more into the finished
folder (warm: nothing generated). Prints medians of wall seconds, Ray's ratio to local (its overhead on this
machine, where both use the same cores), what the season's shared cache saved, and the per-asset costs measured
here (the inputs of the GPU pool plan in docs/season.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEASON = ROOT / "bench" / "season"
STYLE = ROOT / "examples" / "style.png"


def build(out: Path, executor: str, preview: bool) -> tuple[float, dict]:
    command = [sys.executable, "-m", "scriptkit", "build-season", str(SEASON), "-o", str(out), "--style", str(STYLE)]
    command += ["--json", "--executor", executor, *([] if preview else ["--no-preview"])]
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, json.loads(done.stdout)


def diffusion_keys(out: Path) -> tuple[int, int]:
    """(keyframes, distinct ones) under a diffusion backend's key (prompt, seed, style, size: not the title the
    storyboard draws), from the season's asset records."""
    keys = []
    for assets in sorted(out.glob("*/media/assets.json")):
        for image in json.loads(assets.read_text())["images"].values():
            keys.append((image["prompt"], image["seed"], image["style_hash"], image["width"], image["height"]))
    return len(keys), len(set(keys))


def unit_costs() -> dict[str, float]:
    """Seconds per asset of the default backends, one process, models loaded once (measured, not estimated)."""
    from generators import CueJob, ImageJob, VoiceJob, make_backend
    from generators.run import check_style, image_prompt
    from scriptkit.plan import load_shotlist
    from scriptkit.templates import load_template

    shotlist = load_shotlist(SEASON / "01-the-last-train.fountain", load_template("vertical-drama"))
    style = check_style(STYLE)
    image = make_backend("image", "storyboard")
    jobs = [
        ImageJob(shot, image_prompt(shotlist, n), "", n, shotlist.width, shotlist.height, style=style)
        for n, shot in enumerate(shotlist.shots)
    ]
    started = time.perf_counter()
    list(image.generate(jobs))
    per_image = (time.perf_counter() - started) / len(jobs)
    voice = make_backend("voice", "kokoro")
    lines = [VoiceJob(line) for shot in shotlist.shots for line in shot.dialogue]
    list(voice.generate(lines[:1]))  # the model loaded
    started = time.perf_counter()
    audio = [result for _, result in voice.generate(lines)]
    per_line = (time.perf_counter() - started) / len(lines)
    spoken = sum(clip.duration for clip in audio)
    cues = make_backend("cue", "synth")
    cue_jobs = [CueJob(c.id, c.word, c.description, c.duration) for s in shotlist.shots for c in s.cues]
    started = time.perf_counter()
    list(cues.generate(cue_jobs))
    return {
        "image_s": per_image,
        "voice_line_s": per_line,
        "voice_rtf": per_line * len(lines) / spoken,
        "cue_s": (time.perf_counter() - started) / max(1, len(cue_jobs)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--preview", action="store_true", help="also render every episode's preview.mp4")
    args = parser.parse_args()
    episodes = len([p for p in SEASON.iterdir() if p.suffix == ".fountain"])
    timings: dict[str, dict[str, list[float]]] = {}
    report: dict = {}
    keyframes = (0, 0)
    with tempfile.TemporaryDirectory(prefix="bench-season-") as tmp:
        for executor in ("local", "ray"):
            timings[executor] = {"cold": [], "warm": []}
            for run in range(args.runs):
                out = Path(tmp) / f"{executor}-{run}"
                seconds, report = build(out, executor, args.preview)
                timings[executor]["cold"].append(seconds)
                keyframes = diffusion_keys(out)
                timings[executor]["warm"].append(build(out, executor, args.preview)[0])
                shutil.rmtree(out)
    preview = "on" if args.preview else "off"
    print(f"season: {episodes} episodes of bench/season/, {args.runs} run(s) each, preview {preview}")
    medians = {ex: {kind: statistics.median(values) for kind, values in t.items()} for ex, t in timings.items()}
    for kind in ("cold", "warm"):
        local, ray = medians["local"][kind], medians["ray"][kind]
        print(f"{kind:5} local {local:7.1f} s   ray {ray:7.1f} s   ray/local {ray / local:5.2f}x")
    cache = report["cache"]
    generated = [run.get("generated", {}) for run in report["run"]["episodes"].values()]
    print(
        f"cold build made {sum(sum(g.values()) for g in generated)} assets for {cache['per_episode']} per-episode ones"
    )
    for kind, row in cache["kinds"].items():
        print(f"  {kind:6} used {row['used']:4}  per episode {row['per_episode']:4}  season {row['season']:4}  "
              f"saved {row['saved']:.0%}")  # fmt: skip
    print(f"shared cache saved {cache['saved']:.1%} of generation by count, {cache['voice_seconds_saved']:.1%} of "
          f"voice seconds")  # fmt: skip
    print(f"with a diffusion image backend the season would make {keyframes[1]} of its {keyframes[0]} keyframes "
          f"({1 - keyframes[1] / keyframes[0]:.0%} shared)")  # fmt: skip
    costs = unit_costs()
    print(
        f"unit costs here (CPU): storyboard image {costs['image_s']:.2f} s, kokoro line {costs['voice_line_s']:.2f} s "
        f"(RTF {costs['voice_rtf']:.2f}), synth cue {costs['cue_s']:.3f} s"
    )


if __name__ == "__main__":
    main()
