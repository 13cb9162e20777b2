"""Audio helpers and the synthesized cue backend: real signals, measured with an FFT."""

from __future__ import annotations

import wave
from io import BytesIO

import numpy as np
import pytest

from generators import CueJob
from generators.audio import SAMPLE_RATE, Audio, pitch_shift, read_wav, resample, wav_bytes, wav_info
from generators.cue import SynthCues, classify, music_bed


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def band_energy(samples: np.ndarray, rate: int, lo: float, hi: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    return float(spectrum[(freqs >= lo) & (freqs < hi)].sum() / max(spectrum.sum(), 1e-12))


def test_resample_keeps_frequency_and_length() -> None:
    t = np.arange(22050) / 22050
    tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    out = resample(tone, 22050, SAMPLE_RATE)
    assert abs(len(out) - SAMPLE_RATE) <= 2
    assert abs(peak_hz(out, SAMPLE_RATE) - 440) < 2
    assert 0.95 < np.max(np.abs(out[1000:-1000])) < 1.02


def test_resample_down_filters_what_cannot_be_represented() -> None:
    rate = 48000
    t = np.arange(rate) / rate
    high = np.sin(2 * np.pi * 15000 * t)  # above the 11.025 kHz Nyquist of the target rate
    out = resample(high, rate, 22050)
    assert np.sqrt(np.mean(out[200:-200] ** 2)) < 0.05  # an unfiltered decimation would alias at full level


def test_pitch_shift_moves_the_pitch_and_the_length() -> None:
    t = np.arange(22050) / 22050
    tone = Audio(np.sin(2 * np.pi * 200 * t).astype(np.float32), 22050)
    up = pitch_shift(tone, 1.25)
    assert abs(peak_hz(up.samples, up.sample_rate) - 250) < 3
    assert up.duration == pytest.approx(1 / 1.25, abs=0.01)


def test_wav_bytes_is_48k_16bit_with_info_chunk() -> None:
    audio = Audio(np.linspace(-1, 1, 4800).astype(np.float32), SAMPLE_RATE)
    data = wav_bytes(audio, {"INAM": "sc01-c1 RINGS", "ICMT": "Her phone RINGS."})
    with wave.open(BytesIO(data)) as handle:
        assert (handle.getframerate(), handle.getsampwidth(), handle.getnchannels(), handle.getnframes()) == (
            48000,
            2,
            1,
            4800,
        )
    assert wav_info(data) == {"INAM": "sc01-c1 RINGS", "ICMT": "Her phone RINGS."}
    back = read_wav(data)
    assert np.allclose(back.samples, audio.samples, atol=1 / 16000)
    assert wav_bytes(audio, {"INAM": "x"}) == wav_bytes(audio, {"INAM": "x"})


@pytest.mark.parametrize(
    ("word", "family"),
    [
        ("RINGS", "ring"),
        ("SLAM", "impact"),
        ("HORN", "horn"),
        ("SCREECH", "screech"),
        ("buzzes", "buzz"),
        ("FLICKER", "crackle"),
        ("WHISPERS", "tone"),
    ],
)
def test_cue_words_pick_a_sound_family(word: str, family: str) -> None:
    assert classify(word) == family


def render(word: str, duration: float = 2.0) -> np.ndarray:
    ((_job, audio),) = SynthCues().generate([CueJob(owner="c", word=word, description="", duration=duration, seed=3)])
    assert audio.sample_rate == SAMPLE_RATE
    assert len(audio.samples) == round(duration * SAMPLE_RATE)
    return audio.samples


def test_ring_is_two_tone_bursts() -> None:
    samples = render("RINGS", 2.0)
    assert band_energy(samples, SAMPLE_RATE, 400, 520) > 0.5
    quiet = np.abs(samples[int(0.45 * SAMPLE_RATE) : int(0.55 * SAMPLE_RATE)]).max()
    loud = np.abs(samples[int(0.1 * SAMPLE_RATE) : int(0.3 * SAMPLE_RATE)]).max()
    assert quiet < 0.05 < loud  # a gap between the two bursts


def test_slam_is_a_decaying_burst_and_horn_is_low() -> None:
    slam = render("SLAM", 1.0)
    first, last = np.abs(slam[:4800]).mean(), np.abs(slam[-4800:]).mean()
    assert first > 10 * last
    horn = render("HORN", 1.0)
    assert band_energy(horn, SAMPLE_RATE, 60, 400) > 0.6
    screech = render("SCREECH", 1.0)
    assert band_energy(screech, SAMPLE_RATE, 1000, 6000) > 0.4


def test_cue_is_deterministic_and_music_bed_is_a_quiet_pad() -> None:
    assert np.array_equal(render("SLAM"), render("SLAM"))
    bed = music_bed(20.0)
    assert len(bed) == 20 * SAMPLE_RATE
    assert 0.1 < np.abs(bed).max() <= 0.26
    assert band_energy(bed.astype(np.float64), SAMPLE_RATE, 60, 700) > 0.9
