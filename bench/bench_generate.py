"""Benchmark `generators` on the example episode with the embedded defaults (storyboard, piper, synth).

    python bench/bench_generate.py [--repeat 3] [--no-diffusers]

Prints medians of: cold generation (empty media folder), warm rerun (nothing changed), rerun after one
changed dialogue line (the screenplay edited and re-planned), the voice real-time factor (piper alone),
peak memory (this process and its children), and seconds per image for a tiny random diffusers pipeline
on the CPU. Targets on the 2-core reference machine: cold < 15 s, warm < 1 s, one changed line < 2 s.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generators import VoiceJob  # noqa: E402
from generators.piper import PiperVoices  # noqa: E402
from generators.run import generate_assets  # noqa: E402
from scriptkit.models import ShotList  # noqa: E402
from scriptkit.plan import load_shotlist  # noqa: E402
from scriptkit.templates import load_template  # noqa: E402

SCRIPT = ROOT / "examples" / "last-train.fountain"
STYLE = ROOT / "examples" / "style.png"
CHANGE = ("You're late.", "You're very late.")


def episode(text: str | None = None, folder: Path | None = None) -> ShotList:
    template = load_template("vertical-drama")
    if text is None:
        return load_shotlist(SCRIPT, template)
    assert folder is not None
    path = folder / "edited.fountain"
    path.write_text(text, encoding="utf-8")
    return load_shotlist(path, template)


CPU: dict[str, list[float]] = {}


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action: object, label: str = "") -> float:
    """Wall seconds of `action()`; its CPU seconds (this process + children) go to CPU[label]."""
    cpu = cpu_seconds()
    started = time.perf_counter()
    action()  # type: ignore[operator]
    wall = time.perf_counter() - started
    CPU.setdefault(label, []).append(cpu_seconds() - cpu)
    return wall


def bench_embedded(repeat: int, work: Path) -> dict[str, list[float]]:
    shotlist = episode()
    edited = episode(SCRIPT.read_text(encoding="utf-8").replace(*CHANGE), work)
    figures: dict[str, list[float]] = {"cold": [], "warm": [], "one_line": []}
    for index in range(repeat):
        media = work / f"cold{index}"
        figures["cold"].append(timed(lambda media=media: generate_assets(shotlist, media, style=STYLE), "cold"))
    warm = work / "cold0"
    for _ in range(max(3, repeat)):
        figures["warm"].append(timed(lambda: generate_assets(shotlist, warm, style=STYLE), "warm"))
    for index in range(repeat):
        media = work / f"edit{index}"
        shutil.copytree(warm, media)
        before = {p.name: p.read_bytes() for p in (media / "voices").iterdir()}
        figures["one_line"].append(timed(lambda media=media: generate_assets(edited, media, style=STYLE), "one_line"))
        changed = [p.name for p in sorted((media / "voices").iterdir()) if before.get(p.name) != p.read_bytes()]
        if index == 0:
            print(f"  changed voice files after editing one line: {changed}")
    return figures


def bench_voices(repeat: int) -> tuple[float, float]:
    shotlist = episode()
    jobs = [VoiceJob(line) for shot in shotlist.shots for line in shot.dialogue]
    backend = PiperVoices()
    backend.prepare(shotlist.characters)
    walls, audio = [], 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        audio = sum(result.duration for _job, result in backend.generate(jobs))
        walls.append(time.perf_counter() - started)
    wall = statistics.median(walls)
    return wall, audio


def bench_diffusers(work: Path, images: int = 6) -> dict[str, float]:
    import torch

    from generators import ImageJob
    from generators.diffusers_image import DiffusersImages
    from tests.test_generators_diffusers import build_tiny_diffusion
    from tests.test_generators_support import tiny_shotlist

    paths = build_tiny_diffusion(work / "tiny")
    shot = tiny_shotlist().shots[1]
    results = {}
    for threads in (1, torch.get_num_threads()):
        backend = DiffusersImages(
            options={"model": str(paths["model"]), "steps": 2, "resolution": 64, "threads": threads, "batch_size": 1}
        )
        jobs = [
            ImageJob(shot=shot, prompt="a courier", negative_prompt="", seed=i, width=64, height=64)
            for i in range(images + 1)
        ]
        list(backend.generate(jobs[:1]))  # load + warm up
        started = time.perf_counter()
        list(backend.generate(jobs[1:]))
        results[f"threads={threads}"] = (time.perf_counter() - started) / images
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-diffusers", action="store_true")
    args = parser.parse_args()
    shotlist = episode()
    lines = sum(len(shot.dialogue) for shot in shotlist.shots)
    cues = sum(len(shot.cues) for shot in shotlist.shots)
    size = f"{shotlist.width}x{shotlist.height}"
    print(f"example episode: {len(shotlist.shots)} shots at {size}, {lines} lines, {cues} cues + music")
    with tempfile.TemporaryDirectory(prefix="scriptkit-bench-") as tmp:
        work = Path(tmp)
        figures = bench_embedded(args.repeat, work)
        for name, label, target in (
            ("cold", "cold generation", 15.0),
            ("warm", "warm rerun, nothing changed", 1.0),
            ("one_line", "rerun after one changed line", 2.0),
        ):
            values = figures[name]
            runs = ", ".join(f"{v:.2f}" for v in values)
            cpu = statistics.median(CPU[name])
            wall = statistics.median(values)
            print(f"{label:32s} median {wall:7.3f} s wall, {cpu:6.2f} s CPU (target < {target:g} s; {runs})")
        wall, audio = bench_voices(args.repeat)
        rtf = wall / audio
        print(f"{'voices (piper, all lines)':32s} median {wall:7.3f} s for {audio:.1f} s of speech: RTF {rtf:.3f}")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{'peak memory (embedded defaults)':32s} self {own:.0f} MiB; largest child {children:.0f} MiB")
        print(f"{'':32s} (ru_maxrss; a child's figure includes the fork before exec: piper alone is ~165 MiB)")
        if not args.no_diffusers:
            for setting, seconds in bench_diffusers(work).items():
                print(f"{'tiny diffusers 64x64, 2 steps':32s} {seconds:7.3f} s/image ({setting}, CPU)")
    print("GPU figures (SDXL-shaped 1024x1024, 4 steps): no GPU on this machine; not measured")


if __name__ == "__main__":
    main()
