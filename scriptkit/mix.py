"""The mix: one home for the levels every stage and every format agrees on.

Sound files are written at a known loudness (BS.1770 integrated, measured with pyloudnorm): a line of dialogue
at `DIALOGUE_LUFS` (the anchor; a whisper under it, a shout over it), a sound effect at `EFFECTS_LUFS`, the music
bed at `MUSIC_LUFS`. On the timeline each audio clip carries its gain (`level_db`), and the music clip the
keyframes that duck it under every line of dialogue (`duck`: [frame from the clip's start, dB] pairs). Every
exporter writes those as clip gains and volume keyframes; the preview applies them, then brings the whole mix
to `TARGET_LUFS` with the true peak at or under `TRUE_PEAK_DBTP`.
"""

from __future__ import annotations

import itertools
from typing import Any

DIALOGUE_LUFS = -17.0
EFFECTS_LUFS = -23.0
MUSIC_LUFS = -20.0
#: Clip gains by role (dB); the music's comes from the template (`music_level_db`).
DIALOGUE_DB = 0.0
EFFECTS_DB = 0.0
#: How far the music dips under dialogue, and how fast.
DUCK_DB = -9.0
DUCK_ATTACK = 0.3
DUCK_RELEASE = 0.6
#: The published mix.
TARGET_LUFS = -14.0
TRUE_PEAK_DBTP = -1.0


def duck_keyframes(
    spans: list[tuple[int, int]], clip_start: int, clip_frames: int, level_db: float, attack: int, release: int
) -> list[tuple[int, float]]:
    """Volume keyframes (frame from the clip's start, dB) of a music clip at `level_db` that dips by DUCK_DB
    while any span of dialogue (absolute start, end frames) plays; spans closer than the ramps merge."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start - attack <= merged[-1][1] + release:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    low = level_db + DUCK_DB
    points: list[tuple[int, float]] = [(0, level_db)]
    for start, end in merged:
        down_from, down_to = start - clip_start - attack, start - clip_start
        up_from, up_to = end - clip_start, end - clip_start + release
        if down_to <= 0:
            points = [(0, low)]
        elif down_from > points[-1][0]:
            points += [(down_from, level_db), (down_to, low)]
        else:
            points.append((max(down_to, points[-1][0] + 1), low))
        if up_from < clip_frames:
            points += [(up_from, low), (min(up_to, clip_frames), level_db)]
    out: list[tuple[int, float]] = []
    for frame, db in points:
        if 0 <= frame <= clip_frames and (not out or frame > out[-1][0]):
            out.append((frame, db))
    return out


def clip_gain(meta: dict) -> tuple[float, list[tuple[int, float]]]:
    """(clip gain dB, volume keyframes) of a timeline audio clip from its metadata["scriptkit"]."""
    level = float(meta.get("level_db") or 0.0)
    keys = [(int(frame), float(db)) for frame, db in meta.get("duck") or []]
    return level, keys


def gain_at(keys: list[tuple[int, float]], frame: float) -> float:
    """The keyframed gain (dB) at `frame`, linear between keyframes, held before the first and after the last."""
    if not keys:
        return 0.0
    if frame <= keys[0][0]:
        return keys[0][1]
    for (f0, d0), (f1, d1) in itertools.pairwise(keys):
        if frame <= f1:
            return d0 + (d1 - d0) * (frame - f0) / max(1, f1 - f0)
    return keys[-1][1]


def shifted(keys: list[tuple[int, float]], skip: int) -> list[tuple[int, float]]:
    """Keyframes of a clip whose first `skip` frames are cut off: the gain at the new start, then the rest."""
    if skip <= 0 or not keys:
        return keys
    return [(0, gain_at(keys, skip)), *((frame - skip, db) for frame, db in keys if frame > skip)]


# ------------------------------------------------------------------------------------------ measuring


def loudness(samples: Any, rate: int) -> float:
    """Integrated loudness in LUFS (ITU-R BS.1770 via pyloudnorm) of mono (n,) or multichannel (channels, n)
    samples; a clip under 0.4 s (shorter than one gating block) is measured by its mean square instead."""
    import numpy as np

    x = np.asarray(samples, dtype=np.float64)
    data = x.T if x.ndim == 2 else x
    if len(data) < int(0.41 * rate):
        power = float(np.mean(data**2) * (data.shape[1] if data.ndim == 2 else 1)) if len(data) else 0.0
        return 10 * np.log10(power) - 0.691 if power > 0 else float("-inf")
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(data))


def true_peak(samples: Any, rate: int) -> float:
    """True peak in dBTP: the sample peak of the signal oversampled 4x (BS.1770-4 annex 2)."""
    import numpy as np
    from scipy.signal import resample_poly

    x = np.atleast_2d(np.asarray(samples, dtype=np.float64))
    if x.shape[1] == 0:
        return float("-inf")
    peak = float(np.max(np.abs(resample_poly(x, 4, 1, axis=1))))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def _limiter_gain(peaks: Any, limit: float, rate: int) -> Any:
    """Per-sample gain that keeps `peaks` under `limit`: each dip ramps in over the 5 ms before a peak
    and holds 80 ms after (release), never above what any sample in reach needs."""
    import numpy as np
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    need = np.minimum(1.0, limit / np.maximum(peaks, 1e-12))
    attack, release = max(1, int(0.005 * rate)), int(0.08 * rate)
    centred = minimum_filter1d(need, size=2 * attack + release + 1, mode="nearest")
    held = np.concatenate([np.full(release // 2, centred[0]), centred[: len(centred) - release // 2]])
    return uniform_filter1d(held, size=2 * attack + 1, mode="nearest")  # a linear ramp in and out


def master(mix: Any, rate: int, target: float = TARGET_LUFS, ceiling: float = TRUE_PEAK_DBTP - 0.5) -> Any:
    """The mix (channels, n) brought to `target` LUFS with its true peak held under `ceiling` dBTP by a
    look-ahead limiter; the ceiling keeps half a dB for the AAC encoder. Deterministic.

    The 4x-oversampled peak envelope is measured once; each round scales the mix to the target, limits the
    peaks that scaling pushes over the ceiling (the envelope scales with the gain), and measures again."""
    import numpy as np
    from scipy.signal import resample_poly

    source = np.atleast_2d(np.asarray(mix, dtype=np.float32))
    if source.shape[1] == 0:
        return source
    over = np.abs(resample_poly(source, 4, 1, axis=1)).max(axis=0)
    peaks = over[: 4 * source.shape[1]].reshape(-1, 4).max(axis=1)
    limit = 10 ** (ceiling / 20)
    scale, gain, out = 1.0, None, source
    for _ in range(4):
        level = loudness(out, rate)
        if not np.isfinite(level) or abs(level - target) < 0.05:
            break
        scale *= 10 ** ((target - level) / 20)
        gain = _limiter_gain(peaks * scale, limit, rate) if peaks.max() * scale > limit else None
        out = source * np.float32(scale) if gain is None else source * (scale * gain).astype(np.float32)[None, :]
    peak = 10 ** (true_peak(out, rate) / 20)
    if peak > limit:  # the smoothing let a hair through: take it off the whole mix
        out = out * np.float32(limit / peak)
    return out.astype(np.float32)
