"""Exact rates and SMPTE timecode, drop-frame included."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scriptkit.io import file_url, url_to_path
from scriptkit.rates import SUPPORTED_RATES, frames_to_timecode, parse_rate, rational, timecode_to_frames


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("23.976", Fraction(24000, 1001)),
        ("24000/1001", Fraction(24000, 1001)),
        ("29.97", Fraction(30000, 1001)),
        ("30", Fraction(30)),
        ("59.94", Fraction(60000, 1001)),
        ("25", Fraction(25)),
    ],
)
def test_parse_rate_is_exact(text: str, exact: Fraction) -> None:
    assert parse_rate(text) == exact


@pytest.mark.parametrize("exact", list(SUPPORTED_RATES.values()))
def test_float_rates_snap_back_to_rationals(exact: Fraction) -> None:
    assert rational(float(exact)) == exact


def test_drop_frame_timecode_skips_two_frames_each_minute_but_every_tenth() -> None:
    rate = Fraction(30000, 1001)
    assert frames_to_timecode(1800, rate, drop_frame=True) == "00:01:00;02"
    assert frames_to_timecode(17982, rate, drop_frame=True) == "00:10:00;00"
    assert frames_to_timecode(107892, rate, drop_frame=True) == "01:00:00;00"
    assert frames_to_timecode(108000, rate, drop_frame=False) == "01:00:00:00"


def test_drop_frame_refused_at_integer_rates() -> None:
    with pytest.raises(ValueError, match="drop-frame"):
        frames_to_timecode(10, Fraction(25), drop_frame=True)


@given(st.integers(min_value=0, max_value=24 * 3600 * 60), st.sampled_from(sorted(SUPPORTED_RATES.values())))
def test_timecode_round_trips(frames: int, rate: Fraction) -> None:
    drop = rate in (Fraction(30000, 1001), Fraction(60000, 1001))
    for df in {False, drop}:
        assert timecode_to_frames(frames_to_timecode(frames, rate, df), rate) == frames


def test_file_urls_encode_spaces_hash_percent_and_non_ascii(tmp_path) -> None:
    path = tmp_path / "Ep 07 #2 100% café" / "shot.png"
    url = file_url(path)
    assert url.startswith("file:///")
    assert " " not in url and "#" not in url.split("file://", 1)[1] and "é" not in url
    assert "%2523" not in url and "%25" in url and "%23" in url and "%20" in url
    assert url_to_path(url) == path


def test_atomic_writes_get_ordinary_permissions_and_leave_no_temp_files(tmp_path) -> None:
    import os

    from scriptkit.io import atomic_path, atomic_write_text

    target = tmp_path / "out.txt"
    atomic_write_text(target, "hello")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    with atomic_path(tmp_path / "movie.mp4") as tmp:
        tmp.write_bytes(b"x")
    assert (tmp_path / "movie.mp4").stat().st_mode & 0o777 == 0o666 & ~mask
    try:
        with atomic_path(tmp_path / "broken.mp4") as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("killed")
    except RuntimeError:
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["movie.mp4", "out.txt"]
