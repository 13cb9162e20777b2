"""SRT and WebVTT subtitles and the shot list CSV, from the timeline's real timings."""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from exporters import get_format, shotlist_csv, subtitles, webvtt
from scriptkit.contract import shot_cuts
from scriptkit.errors import ScriptkitError
from scriptkit.models import ExportOptions
from scriptkit.rates import frames_to_timecode, parse_rate
from tests.fixtures import dialogue_clip_spans, sample_timeline

RATES = ["23.976", "24", "25", "29.97", "30", "50", "59.94", "60"]


def dialogue_spans(tl: otio.schema.Timeline, rate: Fraction) -> list[tuple[int, int, str]]:
    """(start ms, end ms, text) of every dialogue clip, computed independently from the track layout."""
    return sorted(dialogue_clip_spans(tl, rate).values())


def _ms(text: str) -> int:
    h, m, s, ms = (int(x) for x in re.split(r"[:,.]", text))
    return ((h * 60 + m) * 60 + s) * 1000 + ms


@pytest.mark.parametrize("fps", RATES)
def test_srt_and_vtt_timings_are_the_clips(tmp_path: Path, fps: str) -> None:
    tl = sample_timeline(tmp_path, fps=fps)
    rate = parse_rate(fps)
    expected = dialogue_spans(tl, rate)
    assert len(expected) == 4
    srt = subtitles.srt_text(tl)
    blocks = srt.strip("\r\n").split("\r\n\r\n")
    got = []
    for number, block in enumerate(blocks, start=1):
        lines = block.split("\r\n")
        assert lines[0] == str(number)
        start, end = lines[1].split(" --> ")
        got.append((_ms(start), _ms(end), " ".join(lines[2:])))
    assert got == expected
    vtt = webvtt.vtt_text(tl)
    assert vtt.startswith("WEBVTT\n\n")
    timings = re.findall(r"^(\S+) --> (\S+)$", vtt, re.MULTILINE)
    assert [(_ms(a), _ms(b)) for a, b in timings] == [(a, b) for a, b, _ in expected]
    assert "<v MAYA>Who calls at this hour?" in vtt
    assert "\nsc01-kitchen-003-d1\n" in vtt


def test_subtitles_round_trip_and_overlap(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, fps="25")
    options = ExportOptions(project_dir=str(tmp_path))
    subtitles.write(tl, tmp_path / "a.srt", options)
    webvtt.write(tl, tmp_path / "a.vtt", options)
    assert (tmp_path / "a.srt").read_text(encoding="utf-8") == subtitles.srt_text(tl).replace("\r\n", "\n")
    expected = dialogue_spans(tl, Fraction(25))
    for back in (subtitles.read(tmp_path / "a.srt"), webvtt.read(tmp_path / "a.vtt")):
        assert dialogue_spans(back, Fraction(25)) == expected
    vtt = webvtt.read(tmp_path / "a.vtt")
    assert {t.name for t in vtt.tracks} == {"DIALOGUE MAYA", "DIALOGUE LEO"}
    assert {c.metadata["scriptkit"]["line_id"] for c in vtt.find_clips()} == {
        c.name for t in tl.audio_tracks() if t.name.startswith("DIALOGUE") for c in t.find_clips()
    }


def test_subtitle_readers_refuse_bad_files(tmp_path: Path) -> None:
    (tmp_path / "a.srt").write_text("1\nnot a timing\nhello\n")
    with pytest.raises(ScriptkitError, match="no subtitle cues"):
        subtitles.read(tmp_path / "a.srt")
    (tmp_path / "b.vtt").write_text("1\n00:00:01.000 --> 00:00:02.000\nhello\n")
    with pytest.raises(ScriptkitError, match="WEBVTT"):
        webvtt.read(tmp_path / "b.vtt")
    (tmp_path / "c.srt").write_text("1\n00:00:05,000 --> 00:00:02,000\nbackwards\n")
    with pytest.raises(ScriptkitError, match="ends before") as info:
        subtitles.read(tmp_path / "c.srt")
    assert info.value.line == 2


def test_shot_list_csv(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path / "my media #1", fps="29.97", drop_frame=True)
    options = ExportOptions(project_dir=str(tmp_path / "my media #1"), relative_media=True, drop_frame=True)
    shotlist_csv.write(tl, tmp_path / "shots.csv", options)
    text = (tmp_path / "shots.csv").read_bytes().decode("utf-8")
    assert text == shotlist_csv.csv_text(tl, options)
    rows = list(csv.DictReader(io.StringIO(text)))
    cuts = shot_cuts(tl)
    assert [r["shot_id"] for r in rows] == [name for name, _, _ in cuts]
    rate = parse_rate("29.97")
    start = round(tl.global_start_time.value)
    assert [r["start_timecode"] for r in rows] == [frames_to_timecode(start + s, rate, True) for _, s, _ in cuts]
    assert [int(r["duration_frames"]) for r in rows] == [n for _, _, n in cuts]
    assert rows[0]["start_timecode"] == "01:00:00;00"
    assert rows[1]["dialogue"] == "MAYA: Who calls at this hour?"
    assert rows[1]["characters"] == "MAYA"
    assert rows[0]["size"] == "wide" and rows[0]["move"] == "static"
    assert rows[0]["file"] == "media/images/sc01-kitchen-001.png"
    assert "kitchen" in rows[0]["prompt"]


def test_registry() -> None:
    assert get_format("srt").write is subtitles.write
    assert get_format("vtt").read is webvtt.read
    assert get_format("csv").write is shotlist_csv.write
