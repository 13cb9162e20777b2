"""Audio helpers shared by the voice and cue backends: resampling, pitch shift, 16-bit WAV with LIST/INFO.

Everything here is pure numpy and deterministic: the same samples in give the same bytes out.
NLE timelines want 48 kHz, so every generated sound is written at `SAMPLE_RATE`.
"""

from __future__ import annotations

import io
import struct
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 48_000


@dataclass(frozen=True)
class Audio:
    """Mono float32 samples in [-1, 1] at `sample_rate`."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def resample(samples: np.ndarray, in_rate: float, out_rate: int, taps: int = 32) -> np.ndarray:
    """Band-limited resampling at any ratio: a Blackman-windowed sinc with `taps` taps per output sample.

    The cutoff follows the lower of the two Nyquist frequencies, so downsampling does not alias.
    Processing is chunked to keep memory flat for long files.
    """
    x = np.asarray(samples, dtype=np.float64)
    if len(x) == 0:
        return np.zeros(0, dtype=np.float32)
    step = in_rate / out_rate
    n_out = int(np.floor(len(x) / step))
    cutoff = min(1.0, out_rate / in_rate)
    half = taps // 2
    padded = np.concatenate([np.zeros(half), x, np.zeros(half + 1)])
    offsets = np.arange(-half + 1, half + 1)
    out = np.empty(n_out, dtype=np.float64)
    chunk = 32_768
    for start in range(0, n_out, chunk):
        positions = np.arange(start, min(start + chunk, n_out)) * step
        base = np.floor(positions).astype(np.int64)
        frac = positions - base
        index = base[:, None] + offsets[None, :]
        distance = frac[:, None] - offsets[None, :]
        window = 0.42 + 0.5 * np.cos(np.pi * distance / half) + 0.08 * np.cos(2 * np.pi * distance / half)
        kernel = cutoff * np.sinc(cutoff * distance) * window
        out[start : start + len(positions)] = np.sum(padded[index + half] * kernel, axis=1)
    return out.astype(np.float32)


def pitch_shift(audio: Audio, factor: float, out_rate: int = SAMPLE_RATE) -> Audio:
    """Raise (factor > 1) or lower (factor < 1) the pitch by resampling; the duration scales by 1/factor.

    Voice backends synthesize `factor` times slower first (length scale * factor) so the line keeps its
    length: a different larynx, the same delivery.
    """
    return Audio(resample(audio.samples, audio.sample_rate * factor, out_rate), out_rate)


def to_rate(audio: Audio, out_rate: int = SAMPLE_RATE) -> Audio:
    if audio.sample_rate == out_rate:
        return audio
    return Audio(resample(audio.samples, audio.sample_rate, out_rate), out_rate)


def read_wav(data: bytes | Path) -> Audio:
    """Read a 16-bit PCM WAV (mono, or the first channel) into float samples."""
    source = io.BytesIO(data) if isinstance(data, bytes) else str(data)
    with wave.open(source, "rb") as handle:
        rate = handle.getframerate()
        channels = handle.getnchannels()
        width = handle.getsampwidth()
        frames = handle.readframes(handle.getnframes())
    if width != 2:
        raise ValueError(f"expected 16-bit PCM, got {8 * width}-bit")
    pcm = np.frombuffer(frames, dtype="<i2").reshape(-1, channels)[:, 0]
    return Audio((pcm.astype(np.float32) / 32768.0), rate)


def _chunk(tag: bytes, payload: bytes) -> bytes:
    pad = b"\x00" if len(payload) % 2 else b""
    return tag + struct.pack("<I", len(payload)) + payload + pad


def _info_chunk(info: dict[str, str]) -> bytes:
    body = b"INFO"
    for tag, text in sorted(info.items()):
        raw = text.encode("utf-8") + b"\x00"
        body += _chunk(tag.encode("ascii")[:4].ljust(4), raw)
    return _chunk(b"LIST", body)


def wav_bytes(audio: Audio, info: dict[str, str] | None = None) -> bytes:
    """A 16-bit mono PCM WAV with an optional LIST/INFO chunk (INAM title, ICMT comment, ISFT software...)."""
    pcm = np.clip(np.round(np.asarray(audio.samples, dtype=np.float64) * 32767.0), -32768, 32767).astype("<i2")
    fmt = struct.pack("<HHIIHH", 1, 1, audio.sample_rate, audio.sample_rate * 2, 2, 16)
    chunks = _chunk(b"fmt ", fmt)
    if info:
        chunks += _info_chunk(info)
    chunks += _chunk(b"data", pcm.tobytes())
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def wav_info(data: bytes) -> dict[str, str]:
    """The LIST/INFO entries of a WAV file (for tests and tools)."""
    found: dict[str, str] = {}
    pos = 12
    while pos + 8 <= len(data):
        tag, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        payload = data[pos + 8 : pos + 8 + size]
        if tag == b"LIST" and payload[:4] == b"INFO":
            sub = 4
            while sub + 8 <= len(payload):
                key, length = payload[sub : sub + 4], struct.unpack("<I", payload[sub + 4 : sub + 8])[0]
                found[key.decode("ascii").strip()] = payload[sub + 8 : sub + 8 + length].rstrip(b"\x00").decode("utf-8")
                sub += 8 + length + (length % 2)
        pos += 8 + size + (size % 2)
    return found


def fade_edges(samples: np.ndarray, rate: int, seconds: float = 0.005) -> np.ndarray:
    """Short raised-cosine fades at both ends so a clip never clicks on a cut."""
    n = min(len(samples) // 2, int(rate * seconds))
    if n <= 0:
        return samples
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))
    out = samples.copy()
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out


def median_f0(audio: Audio, low: float = 60.0, high: float = 500.0) -> float:
    """Median fundamental frequency (Hz) of the voiced 40 ms frames (normalised autocorrelation peak >= 0.6);
    0.0 when nothing is voiced. For tests and benchmarks: is a voice a woman's, a man's, a child's?"""
    rate = 16_000
    x = (
        resample(audio.samples, audio.sample_rate, rate).astype(np.float64)
        if audio.sample_rate != rate
        else audio.samples
    )
    size, hop = int(0.04 * rate), int(0.01 * rate)
    if len(x) < size:
        return 0.0
    frames = np.lib.stride_tricks.sliding_window_view(x, size)[::hop]
    energy = np.sum(frames**2, axis=1)
    frames = frames[energy > energy.max() * 10 ** (-30 / 10)]
    frames = frames - frames.mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(frames, 2 * size, axis=1)
    corr = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :size]
    corr /= np.maximum(corr[:, :1], 1e-12)
    lags = np.arange(int(rate / high), int(rate / low))
    best = lags[np.argmax(corr[:, lags], axis=1)]
    voiced = corr[np.arange(len(best)), best] >= 0.6
    return float(np.median(rate / best[voiced])) if voiced.any() else 0.0
