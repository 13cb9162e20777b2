"""Frame rates as exact rationals, and timecode.

OTIO stores rates as floats; `rational()` snaps such a float back to the exact NTSC rational, so that
exporters can write `1001/30000s` and never a rounded float.
"""

from __future__ import annotations

from fractions import Fraction

#: Every rate scriptkit supports, as written in templates and shot lists.
SUPPORTED_RATES: dict[str, Fraction] = {
    "23.976": Fraction(24000, 1001),
    "24": Fraction(24),
    "25": Fraction(25),
    "29.97": Fraction(30000, 1001),
    "30": Fraction(30),
    "50": Fraction(50),
    "59.94": Fraction(60000, 1001),
    "60": Fraction(60),
}
DROP_FRAME_RATES = {Fraction(30000, 1001), Fraction(60000, 1001)}


def parse_rate(text: str | float | Fraction) -> Fraction:
    """'23.976', '24000/1001', 29.97, Fraction(30) -> exact Fraction. NTSC decimals snap to x000/1001."""
    if isinstance(text, Fraction):
        return text
    if isinstance(text, str) and text.strip() in SUPPORTED_RATES:
        return SUPPORTED_RATES[text.strip()]
    value = Fraction(text) if isinstance(text, str) and "/" in text else Fraction(str(text))
    return rational(float(value))


def rational(rate: float) -> Fraction:
    """Snap a float rate (as OTIO stores it) to its exact rational: 29.97002997 -> 30000/1001."""
    for exact in SUPPORTED_RATES.values():
        if abs(float(exact) - rate) < 1e-3:
            return exact
    for base in (24, 30, 48, 60, 120):
        ntsc = Fraction(base * 1000, 1001)
        if abs(float(ntsc) - rate) < 1e-3:
            return ntsc
    return Fraction(rate).limit_denominator(1001)


def rate_string(rate: Fraction) -> str:
    """Fraction -> the shot-list spelling: '30' or '30000/1001'."""
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


def frame_duration(rate: Fraction) -> Fraction:
    """Seconds per frame: 30000/1001 -> 1001/30000."""
    return 1 / rate


def seconds_to_frames(seconds: float, rate: Fraction) -> int:
    """Round seconds to the nearest whole frame at `rate`."""
    return round(Fraction(seconds).limit_denominator(1_000_000) * rate)


def timebase(rate: Fraction) -> int:
    """Integer timebase used by timecode and xmeml: 30000/1001 -> 30."""
    return round(rate)


def frames_to_timecode(frames: int, rate: Fraction, drop_frame: bool = False) -> str:
    """SMPTE timecode HH:MM:SS:FF (';' before frames when drop-frame)."""
    if drop_frame and rate not in DROP_FRAME_RATES:
        raise ValueError(f"drop-frame timecode only exists for 29.97 and 59.94, not {float(rate):.3f}")
    fps = timebase(rate)
    sign = "-" if frames < 0 else ""
    frames = abs(frames)
    if drop_frame:
        drop = fps // 15  # 2 at 29.97, 4 at 59.94
        per_10min = fps * 600 - drop * 9
        per_min = fps * 60 - drop
        tens, rem = divmod(frames, per_10min)
        if rem > drop:
            frames += drop * 9 * tens + drop * ((rem - drop) // per_min)
        else:
            frames += drop * 9 * tens
    ff = frames % fps
    ss = frames // fps % 60
    mm = frames // (fps * 60) % 60
    hh = frames // (fps * 3600)
    sep = ";" if drop_frame else ":"
    return f"{sign}{hh:02d}:{mm:02d}:{ss:02d}{sep}{ff:02d}"


def timecode_to_frames(tc: str, rate: Fraction, drop_frame: bool | None = None) -> int:
    """Inverse of `frames_to_timecode`; drop-frame is read from a ';' separator when not given."""
    text = tc.strip()
    if drop_frame is None:
        drop_frame = ";" in text
    parts = text.replace(";", ":").replace(".", ":").split(":")
    if len(parts) != 4:
        raise ValueError(f"not a timecode: {tc!r}")
    hh, mm, ss, ff = (int(p) for p in parts)
    fps = timebase(rate)
    frames = ((hh * 60 + mm) * 60 + ss) * fps + ff
    if drop_frame:
        drop = fps // 15
        total_minutes = hh * 60 + mm
        frames -= drop * (total_minutes - total_minutes // 10)
    return frames
