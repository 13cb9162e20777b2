"""Benchmark the cast and the mix: voices by sex and age, intelligibility, speed, loudness, overlaps.

    python bench/bench_voices.py [--repeat 3] [--skip-build]

Episodes: the example (examples/last-train.fountain) and two of ours (bench/episodes/: a pier with an elder,
a child, a talking gull under two names; a hospital night shift with two women, two men, an old man, a girl).
Prints:
- median F0 per character and cast voice (every female-cast voice must sit above every male-cast one);
- word error rate of pocketsphinx (en-US model from PyPI) on every line, kokoro vs piper (the peer), and ratio;
- real-time factor of each voice backend on this machine, every core used (synthesis seconds / audio seconds;
  kokoro's model load, once a build, printed apart; piper's process start-up included, as it runs);
- the example's cold build (fresh folder, fresh process; target < 20 s), median of --repeat runs;
- loudness (BS.1770, pyloudnorm) and true peak of preview.mp4 and of each stem (dialogue, effects, music as
  placed with their clip gains, before mastering); dialogue overlaps on the timeline (must be 0).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from generators import VoiceJob, make_backend  # noqa: E402
from generators.audio import SAMPLE_RATE, Audio, median_f0, resample  # noqa: E402
from generators.run import cast_for  # noqa: E402
from scriptkit.mix import loudness, true_peak  # noqa: E402
from scriptkit.models import ShotList  # noqa: E402
from scriptkit.plan import load_shotlist  # noqa: E402
from scriptkit.templates import load_template  # noqa: E402

EPISODES = [ROOT / "examples" / "last-train.fountain", *sorted((ROOT / "bench" / "episodes").glob("*.fountain"))]
STYLE = ROOT / "examples" / "style.png"


def speak(shotlist: ShotList, backend_name: str) -> tuple[dict[str, Audio], float]:
    """Every line of the episode in `backend_name`'s cast voices, and the synthesis seconds."""
    backend = make_backend("voice", backend_name)
    shotlist.cast = cast_for(shotlist, backend)
    jobs = []
    for shot in shotlist.shots:
        for line in shot.dialogue:
            member = shotlist.member(line.character)
            jobs.append(VoiceJob(line=line, voice=member.voice if member else None))
    backend.prepare([*shotlist.characters])
    if hasattr(backend, "session"):  # kokoro: the model loads once a build; time the speech alone
        loaded = time.perf_counter()
        backend.session()
        print(f"  {backend_name}: model joined, checked and loaded in {time.perf_counter() - loaded:.2f} s")
    started = time.perf_counter()
    out = {job.line.id: audio for job, audio in backend.generate(jobs)}
    seconds = time.perf_counter() - started
    backend.close()
    return out, seconds


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower().replace("’", "'"))


def wer(reference: list[str], heard: list[str]) -> float:
    """Word error rate: word-level edit distance over the reference length."""
    row = list(range(len(heard) + 1))
    for i, ref in enumerate(reference, start=1):
        prev, row[0] = row[0], i
        for j, hyp in enumerate(heard, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ref != hyp))
    return row[-1] / max(1, len(reference))


def recognise(decoder, audio: Audio) -> list[str]:  # decoder: pocketsphinx.Decoder
    pcm = (np.clip(resample(audio.samples, audio.sample_rate, 16_000), -1, 1) * 32767).astype("<i2").tobytes()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    return words(decoder.hyp().hypstr) if decoder.hyp() else []


def voices_report() -> None:
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=16_000)
    template = load_template("vertical-drama")
    errors: dict[str, list[float]] = {"kokoro": [], "piper": []}
    timing = {"kokoro": [0.0, 0.0], "piper": [0.0, 0.0]}
    ok = True
    for path in EPISODES:
        print(f"\n{path.name}")
        for name in ("kokoro", "piper"):
            shotlist = load_shotlist(path, template)
            lines, seconds = speak(shotlist, name)
            timing[name][0] += seconds
            timing[name][1] += sum(audio.duration for audio in lines.values())
            by_character: dict[str, list[Audio]] = {}
            for shot in shotlist.shots:
                for line in shot.dialogue:
                    member = shotlist.member(line.character)
                    by_character.setdefault(member.name if member else line.character, []).append(lines[line.id])
                    errors[name].append(wer(words(line.text), recognise(decoder, lines[line.id])))
            female, male = [], []
            for who, clips in by_character.items():
                member = shotlist.member(who)
                f0 = statistics.median(median_f0(clip) for clip in clips)
                (
                    female if member and member.sex == "female" else male if member and member.sex == "male" else []
                ).append(f0)
                print(
                    f"  {name:6s} {who:18s} {member.sex if member else '?':7s} {member.age if member else '':6s} "
                    f"{member.voice.name if member else '':12s} x{member.voice.pitch if member else 1:<5g} "
                    f"median F0 {f0:6.1f} Hz"
                )
            if name == "kokoro" and female and male:
                separated = min(female) > max(male)
                ok &= separated
                print(f"  kokoro: lowest woman {min(female):.0f} Hz > highest man {max(male):.0f} Hz: {separated}")
    print()
    for name in ("kokoro", "piper"):
        values = errors[name]
        print(
            f"WER {name}: median {statistics.median(values):.3f}, mean {statistics.mean(values):.3f} "
            f"({len(values)} lines)"
        )
    ratio = statistics.mean(errors["kokoro"]) / max(1e-9, statistics.mean(errors["piper"]))
    print(f"WER ratio kokoro/piper (mean): {ratio:.2f}")
    for name in ("kokoro", "piper"):
        synth, audio = timing[name]
        print(f"RTF {name}: {synth / audio:.3f} ({synth:.1f} s for {audio:.1f} s of speech, all cores)")
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"every female voice above every male voice: {ok}")


def build_report(repeat: int) -> None:
    walls = []
    with tempfile.TemporaryDirectory(prefix="bench-voices-") as tmp:
        for run in range(repeat):
            out = Path(tmp) / f"ep{run}"
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "scriptkit.cli",
                    "build",
                    str(EPISODES[0]),
                    "--style",
                    str(STYLE),
                    "-o",
                    str(out),
                ],
                check=True,
                capture_output=True,
            )
            walls.append(time.perf_counter() - started)
        print(f"\ncold build of the example: median {statistics.median(walls):.1f} s over {repeat} (target < 20 s)")
        mix_report(out)


def mix_report(project: Path) -> None:
    import opentimelineio as otio

    from exporters.mlt_common import layout
    from exporters.preview import _clip_envelope, read_audio, samples_at
    from scriptkit.voice_timing import dialogue_overlaps

    tl = otio.adapters.read_from_file(str(next(project.glob("*.otio"))))
    print(f"dialogue overlaps: {len(dialogue_overlaps(tl))}")
    preview = read_audio(project / "preview.mp4")
    print(
        f"preview.mp4: {loudness(preview, SAMPLE_RATE):.2f} LUFS, true peak {true_peak(preview, SAMPLE_RATE):.2f} dBTP"
    )
    lay = layout(tl)
    total = samples_at(lay.duration, lay.rate)
    for role in ("dialogue", "effects", "music"):
        stem = np.zeros((2, total), np.float32)
        for track in (t for t in lay.audio if t.role == role):
            for clip in track.clips:
                data = read_audio(clip.path)
                start = samples_at(clip.start, lay.rate)
                end = min(total, samples_at(clip.start + clip.duration, lay.rate))
                offset = samples_at(clip.source_start, lay.rate)
                piece = data[:, offset : offset + max(0, end - start)]
                stem[:, start : start + piece.shape[1]] += piece * _clip_envelope(clip, piece.shape[1], lay.rate)
        print(
            f"stem {role:8s}: {loudness(stem, SAMPLE_RATE):7.2f} LUFS, "
            f"true peak {true_peak(stem, SAMPLE_RATE):6.2f} dBTP"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    voices_report()
    if not args.skip_build:
        build_report(args.repeat)


if __name__ == "__main__":
    main()
