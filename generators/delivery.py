"""How a line is read: parentheticals and extensions turned into level, pace, filter and pause.

Every voice backend runs its raw output through `finish_line`: pitch and rate to 48 kHz, leading and trailing
silence trimmed, the delivery's filter, the line's loudness set to `LINE_LUFS` plus the delivery's gain (BS.1770
via pyloudnorm), the peak kept under `PEAK_DBFS`, a pause in front for a `(beat)`, short fades at both ends.

| the script says                              | the read                                                    |
| `(whispering)`, `(quietly)`, `(softly)`...   | 10 dB under the other lines, high end rolled off, a bit slower |
| `(shouting)`, `(yelling)`, `(screaming)`...  | 4 dB over, a bit quicker                                    |
| `(breathless)`, `(panicked)`, `(hurried)`    | quicker                                                     |
| `(beat)`, `(pause)`, `(a beat)`              | a pause before the line                                     |
| `(on phone)`, `(over radio)`, `(filtered)`   | telephone band (300-3400 Hz)                                |
| `O.S.` / `O.C.`                              | 4 dB under, muffled (heard through a wall or from off frame) |
| `V.O.`                                       | 2 dB under, unfiltered (narration or inner voice sits close) |
| `INNER` (the planner's mark on a Chinese `OS`) | as `V.O.`: the character's thoughts, close and clean      |
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from generators.audio import SAMPLE_RATE, Audio, fade_edges, resample
from scriptkit.mix import DIALOGUE_LUFS, loudness

#: Loudness of an ordinary line of dialogue (LUFS); the mix anchors on it.
LINE_LUFS = DIALOGUE_LUFS
PEAK_DBFS = -1.5
TRIM_DB = -40.0
PAD_SECONDS = 0.04

_WHISPER = re.compile(r"whisper|quiet|softly|under (?:his|her|their) breath|murmur|hush|sotto", re.IGNORECASE)
_SHOUT = re.compile(r"shout|yell|scream|bellow|roar|loud|furious|angr", re.IGNORECASE)
_HURRY = re.compile(r"breathless|panick|hurried|rapid|fast", re.IGNORECASE)
_BEAT = re.compile(r"\b(?:beat|pause|a moment)\b", re.IGNORECASE)
_PHONE = re.compile(r"phone|radio|filtered|intercom|speaker|walkie", re.IGNORECASE)


@dataclass(frozen=True)
class Delivery:
    gain_db: float = 0.0
    speed: float = 1.0
    pause: float = 0.0
    band: tuple[float, float] | None = None  # band-pass (low, high) Hz

    def params(self) -> dict[str, float | str]:
        """What goes into a voice's cache key (only what differs from a plain read)."""
        out: dict[str, float | str] = {}
        if self != Delivery():
            out["delivery"] = f"{self.gain_db:g}/{self.speed:g}/{self.pause:g}/{self.band or ''}"
        return out


def delivery_for(parenthetical: str | None, extensions: list[str] | tuple[str, ...]) -> Delivery:
    """The read a line's parenthetical and cue extensions ask for (see the module's table)."""
    text = parenthetical or ""
    gain, speed, pause, band = 0.0, 1.0, 0.0, None
    marks = {ext.replace(" ", "").upper().rstrip(".") for ext in extensions}
    if "INNER" in marks:
        gain = -2.0
    elif marks & {"O.S", "OS", "O.C", "OC"}:
        gain, band = -4.0, (80.0, 2500.0)
    elif marks & {"V.O", "VO"}:
        gain = -2.0
    if _WHISPER.search(text):
        gain, speed, band = gain - 10.0, 0.95, band or (80.0, 5000.0)
    elif _SHOUT.search(text):
        gain, speed = gain + 4.0, 1.05
    elif _HURRY.search(text):
        speed = 1.08
    if _PHONE.search(text):
        band = (300.0, 3400.0)
    if _BEAT.search(text):
        pause = 0.6
    return Delivery(gain, speed, pause, band)


def trim_silence(samples: np.ndarray, rate: int, floor_db: float = TRIM_DB, pad: float = PAD_SECONDS) -> np.ndarray:
    """Cut leading and trailing silence: 10 ms windows quieter than `floor_db` under the loudest window."""
    window = max(1, rate // 100)
    count = len(samples) // window
    if count == 0:
        return samples
    power = np.mean(samples[: count * window].reshape(count, window).astype(np.float64) ** 2, axis=1)
    loud = np.flatnonzero(power > power.max() * 10 ** (floor_db / 10)) if power.max() > 0 else []
    if len(loud) == 0:
        return samples[:0]
    keep = int(pad * rate)
    start = max(0, loud[0] * window - keep)
    end = min(len(samples), (loud[-1] + 1) * window + keep)
    return samples[start:end]


def band_pass(samples: np.ndarray, rate: int, low: float, high: float) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    sos = butter(4, [low, min(high, rate / 2 * 0.95)], btype="bandpass", fs=rate, output="sos")
    return sosfilt(sos, samples).astype(np.float32)


def set_loudness(samples: np.ndarray, rate: int, target: float, peak_db: float = PEAK_DBFS) -> np.ndarray:
    """Scale to `target` LUFS, then down as far as needed to keep the peak under `peak_db`."""
    level = loudness(samples, rate)
    if not np.isfinite(level):
        return samples
    out = samples * 10 ** ((target - level) / 20)
    peak = float(np.max(np.abs(out))) if len(out) else 0.0
    ceiling = 10 ** (peak_db / 20)
    if peak > ceiling:
        out = out * (ceiling / peak)
    return out.astype(np.float32)


def to_48k(samples: np.ndarray, rate: float) -> np.ndarray:
    """Samples at `rate` as 48 kHz: a polyphase filter when the ratio is a small fraction (24 kHz -> 48 kHz,
    about a hundred times faster), else the windowed-sinc `resample` (a pitch factor gives any ratio)."""
    ratio = Fraction(SAMPLE_RATE) / Fraction(rate).limit_denominator(10_000)
    if ratio.numerator <= 16 and ratio.denominator <= 16 and Fraction(rate) == Fraction(rate).limit_denominator(10_000):
        from scipy.signal import resample_poly

        return resample_poly(np.asarray(samples, dtype=np.float64), ratio.numerator, ratio.denominator).astype(
            np.float32
        )
    return resample(samples, rate, SAMPLE_RATE)


def finish_line(audio: Audio, delivery: Delivery, pitch: float = 1.0) -> Audio:
    """A backend's raw line as the runner writes it: 48 kHz, trimmed, shaped, at its loudness, paused, faded."""
    samples = to_48k(audio.samples, audio.sample_rate * pitch)
    samples = trim_silence(samples, SAMPLE_RATE)
    if len(samples) == 0:
        return Audio(np.zeros(SAMPLE_RATE // 2, dtype=np.float32), SAMPLE_RATE)
    if delivery.band is not None:
        samples = band_pass(samples, SAMPLE_RATE, *delivery.band)
    samples = set_loudness(samples, SAMPLE_RATE, LINE_LUFS + delivery.gain_db)
    samples = fade_edges(samples, SAMPLE_RATE, 0.01)
    if delivery.pause:
        samples = np.concatenate([np.zeros(int(delivery.pause * SAMPLE_RATE), dtype=np.float32), samples])
    return Audio(samples.astype(np.float32), SAMPLE_RATE)
