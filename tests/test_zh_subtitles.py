"""Chinese subtitles: the one cue maker's rules (scriptkit.subtitle_cues) on crafted lines, and on real builds of
the Chinese episodes, every cue of the SRT, the WebVTT, the CapCut draft's text track, the FCPXML captions and
the preview burn-in."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import opentimelineio as otio
import pytest
from lxml import etree

from exporters import subtitles, webvtt
from exporters.mlt_common import layout
from exporters.subtitle_common import dialogue_cues
from scriptkit.subtitle_cues import (
    MAX_SECONDS,
    MAX_UNITS,
    MAX_UNITS_PER_SECOND,
    MIN_SECONDS,
    atoms,
    clean,
    join_lines,
    pieces,
    same_text,
    units,
)
from tests.fixtures import dialogue_clip_spans

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
MS = 1000
LONG = "这是一个非常非常长的句子，我们需要把它分成好几个部分来显示，不然观众根本就看不完这么多的字。"
NUMBERS = "他花了12.5元买了3个苹果，说好2026年再见，明天下午5点在老地方等我，不见不散。"
FORBIDDEN = re.compile(r"[（）()]|\bO\.?S\b|\bV\.?O\b")


def _line_rules(line: str) -> None:
    assert line and line == line.strip()
    assert units(line) <= MAX_UNITS, line
    assert not line.endswith(("。", "，")), line
    assert line[0] not in "，。？！、；：…", line
    assert not FORBIDDEN.search(line), line


def _timing_rules(spans: list[tuple[int, int, str]], per_second: int, clip: tuple[int, int]) -> None:
    """Cues of one line: within its clip, in order without overlap, 5/6 s to 7 s, at most 9 units a second."""
    rate = Fraction(per_second)
    at = clip[0]
    for start, end, text in spans:
        assert at <= start < end <= clip[1]
        seconds = Fraction(end - start) / rate
        assert seconds >= MIN_SECONDS - Fraction(1, 1000) and seconds <= MAX_SECONDS, (start, end)
        assert units(text) / seconds <= MAX_UNITS_PER_SECOND + Fraction(1, 100), (text, seconds)
        at = end


def _breaks_on_words(text: str, lines: list[str]) -> None:
    """Every cut between displayed lines falls between two segmenter words (atoms), never inside one."""
    joined = "".join(atom.text for atom in atoms(clean(text)))
    plain = re.sub(r"[\s。，]", "", joined)
    ends: set[int] = set()
    position = 0
    for atom in atoms(clean(text)):
        position += len(re.sub(r"[\s。，]", "", atom.text))
        ends.add(position)
    cursor = 0
    for line in lines[:-1]:
        cursor += len(re.sub(r"[\s。，]", "", line))
        assert cursor in ends, (line, plain)
    assert cursor <= len(plain)


# ------------------------------------------------------------------------------------ crafted lines


def test_display_units() -> None:
    assert units("你好") == 2 and units("CEO") == Fraction(3, 2) and units("，？！") == 3
    assert units("１２") == 2 and units("12") == 1 and units("……") == 2


@pytest.mark.parametrize("vertical", [True, False])
@pytest.mark.parametrize("seconds", [3, 6, 9, 14])
def test_number_and_unit_stay_together_and_lines_break_on_words(vertical: bool, seconds: int) -> None:
    cues = pieces(NUMBERS, 0, seconds * MS, MS, vertical=vertical)
    lines = [line for cue in cues for line in cue.lines]
    for line in lines:
        _line_rules(line)
    for token in ("12.5元", "3个", "2026年", "5点"):
        assert any(token in line for line in lines), (token, lines)
    _breaks_on_words(NUMBERS, lines)


def test_punctuation_parentheticals_and_tags() -> None:
    def shown(text: str) -> list[str]:
        return [line for cue in pieces(text, 0, 4 * MS, MS) for line in cue.lines]

    assert shown("（冷笑）你还敢回来？") == ["你还敢回来？"]
    assert shown("你(smiles)还好吗！") == ["你还好吗！"]
    assert shown("OS：三年了，他一点都没变。") == ["三年了，他一点都没变"]
    assert shown("VO：那一年，她十八岁。") == ["那一年，她十八岁"]
    assert shown("我……不知道……") == ["我……不知道……"]
    assert shown("好。走吧。") == ["好 走吧"]  # a 。 inside the line becomes a space
    assert shown("叫 CEO 来见我，给你们 5 分钟。") == ["叫 CEO 来见我，给你们 5 分钟"]


def test_english_lines_are_left_as_written() -> None:
    text = "Don't. (beat) Let it ring,"
    assert [(p.start, p.end, p.lines) for p in pieces(text, 10, 50, 25)] == [(10, 50, (text,))]
    assert same_text(text, " Don't. (beat) Let it ring, ") and not same_text(text, "Let it ring")
    japanese = "東京へ行きます。(笑)"
    assert [(p.start, p.end, p.lines) for p in pieces(japanese, 0, 50, 25)] == [(0, 50, (japanese,))]


@pytest.mark.parametrize("vertical", [True, False])
def test_a_long_line_is_split_over_its_time_by_display_units(vertical: bool) -> None:
    start, end = 1000, 1000 + 12 * MS
    cues = pieces(LONG, start, end, MS, vertical=vertical)
    assert len(cues) >= (3 if vertical else 2)
    assert cues[0].start == start and cues[-1].end == end
    for cue in cues:
        assert len(cue.lines) <= (1 if vertical else 2)
        for line in cue.lines:
            _line_rules(line)
    _timing_rules([(c.start, c.end, c.text) for c in cues], MS, (start, end))
    spans = [c.end - c.start for c in cues]
    shares = [units(c.text) for c in cues]
    for span, share in zip(spans, shares, strict=True):  # time divided by display units
        assert abs(Fraction(span) - Fraction(end - start) * share / sum(shares)) <= 1
    _breaks_on_words(LONG, [line for c in cues for line in c.lines])
    assert same_text(LONG, join_lines([c.text for c in cues]))
    assert not same_text(LONG, join_lines([c.text for c in cues[1:]]))


def test_timing_bounds() -> None:
    # long time, short text: cut so that no cue is longer than 7 s
    cues = pieces("我知道了，你先走吧，我随后就到。", 0, 20 * MS, MS)
    assert len(cues) == 3
    _timing_rules([(c.start, c.end, c.text) for c in cues], MS, (0, 20 * MS))
    # one word for 20 s: one cue of 7 s at the start of the clip
    assert [(c.start, c.end, c.lines) for c in pieces("好。", 0, 20 * MS, MS)] == [(0, 7 * MS, ("好",))]
    # a short clip: one cue over all of it (the 5/6-s minimum applies between the cues of a split line)
    assert [(c.start, c.end) for c in pieces("你好", 0, 400, MS)] == [(0, 400)]
    # the minimum on the frame grid: ceil(25 * 5/6) = 21 frames at 25 fps; text shares the rest
    cues = pieces("我们走吧，快点，他们马上就要追上来了，别回头。", 0, 75, 25)
    assert all(c.end - c.start >= 21 for c in cues) and cues[-1].end == 75
    # a voice faster than the rules: the line length wins, the cues still tile the clip
    cues = pieces(LONG, 0, 2 * MS, MS)
    assert all(units(line) <= MAX_UNITS for c in cues for line in c.lines) and cues[-1].end == 2 * MS


def test_a_page_long_line_is_cut_quickly_within_the_rules() -> None:
    text = LONG * 40  # about 1,800 characters, spoken at 4 a second
    began = time.perf_counter()
    cues = pieces(text, 0, len(text) * 250, MS)
    assert time.perf_counter() - began < 10  # the cut search once took 40 s for 184 characters
    assert len(cues) > 100 and all(units(line) <= MAX_UNITS for c in cues for line in c.lines)
    _timing_rules([(c.start, c.end, c.text) for c in cues], MS, (0, len(text) * 250))


def test_deterministic_and_quiet() -> None:
    assert pieces(LONG, 0, 9000, MS) == pieces(LONG, 0, 9000, MS)
    code = "from scriptkit.subtitle_cues import pieces; print(pieces('今天晚上我们一起去吃饭吧', 0, 3000, 1000))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert run.stderr == "" and "今天晚上我们一起去吃饭吧" in run.stdout
    # words another module adds to jieba's shared dictionary (a voice front end) do not move our breaks
    cut = "from scriptkit.subtitle_cues import atoms; print([a.text for a in atoms('这是一个非常非常长的句子')])"
    plain = subprocess.run([sys.executable, "-c", cut], capture_output=True, text=True, cwd=ROOT, check=True)
    added = "import jieba; jieba.setLogLevel(30); jieba.add_word('非常长的句子'); " + cut
    other = subprocess.run([sys.executable, "-c", added], capture_output=True, text=True, cwd=ROOT, check=True)
    assert plain.stdout == other.stdout and "'句子'" in plain.stdout


# ------------------------------------------------------------------------------------ real builds


@pytest.fixture(scope="module")
def built(zh_episodes: list[Path]) -> list[Path]:
    """The four Chinese episodes, built once for the run (tests/conftest.py): default backends, every format."""
    return zh_episodes


def _output(folder: Path, fmt: str) -> Path:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return folder / next(o["path"] for o in manifest["outputs"] if o["format"] == fmt)


def _clips(timeline: otio.schema.Timeline) -> dict[str, tuple[int, int, str]]:
    """Line id -> (start ms, end ms, text) of every dialogue clip of our own timeline."""
    return dialogue_clip_spans(timeline, Fraction(timeline.metadata["scriptkit"]["fps"]))


def _no_overlap(spans: list[tuple[int, int]]) -> None:
    spans = sorted(spans)
    assert all(a[1] <= b[0] for a, b in pairwise(spans)), spans


def test_every_cue_of_a_real_build_obeys_the_rules(built: list[Path]) -> None:
    split = 0
    for folder in built:
        timeline = otio.adapters.read_from_file(str(_output(folder, "otio")))
        clips = _clips(timeline)
        assert clips and all(re.search(r"[\u4e00-\u9fff]", text) for _, _, text in clips.values())
        # SRT: every cue's lines, times and order
        srt = subtitles.parse_cues(_output(folder, "srt").read_text(encoding="utf-8"), "srt")
        raw = _output(folder, "srt").read_text(encoding="utf-8").replace("\r\n", "\n")
        for block in raw.strip().split("\n\n"):
            for line in block.split("\n")[2:]:
                _line_rules(line)
        _no_overlap([(s, e) for s, e, _, _ in srt])
        # WebVTT: the same cues, each traced to its line, within that line's clip
        vtt = webvtt.vtt_text(timeline)
        assert _output(folder, "vtt").read_text(encoding="utf-8") == vtt
        by_line: dict[str, list[tuple[int, int, str]]] = {}
        for block in vtt.strip().split("\n\n")[1:]:
            identifier, timing, *lines = block.split("\n")
            lines = [re.sub(r"<[^>]*>", "", line) for line in lines]
            for line in lines:
                _line_rules(line)
            a, b = (subtitles.parse_time(*re.split(r"[:.]", t)) for t in timing.split(" --> "))
            by_line.setdefault(identifier.split("#")[0], []).append((a, b, join_lines(lines)))
        assert set(by_line) == set(clips)
        for line_id, spans in by_line.items():
            start, end, _ = clips[line_id]
            _timing_rules(spans, MS, (start, end))
            split += len(spans) > 1
        assert [(s, e, t) for s, e, t, _ in srt] == sorted(s for spans in by_line.values() for s in spans)
        # CapCut draft: the text track's segments
        draft = json.loads((_output(folder, "capcut") / "draft_content.json").read_text(encoding="utf-8"))
        texts = {m["id"]: json.loads(m["content"])["text"] for m in draft["materials"]["texts"]}
        track = next(t for t in draft["tracks"] if t["type"] == "text")
        segments = [(s["target_timerange"], texts[s["material_id"]]) for s in track["segments"]]
        assert len(segments) == len(srt)
        for (rng, text), (start, end, srt_text, _) in zip(segments, srt, strict=True):
            for line in text.split("\n"):
                _line_rules(line)
            assert join_lines(text.split("\n")) == srt_text
            assert abs(rng["start"] - start * 1000) <= 500 and abs(rng["start"] + rng["duration"] - end * 1000) <= 500
            assert Fraction(rng["duration"], 1_000_000) >= MIN_SECONDS - Fraction(1, 1_000_000)
            assert Fraction(rng["duration"], 1_000_000) <= MAX_SECONDS
        _no_overlap([(r["start"], r["start"] + r["duration"]) for r, _ in segments])
        # FCPXML: the connected captions are the same cues (frames of the timeline's rate)
        doc = etree.parse(str(_output(folder, "fcpxml")))
        captions = list(doc.iter("caption"))
        assert sorted(c.findtext("text/text-style") for c in captions) == sorted(
            "\n".join(cue.lines or ()) for cue in dialogue_cues(timeline)
        )
        for caption in captions:
            for line in caption.findtext("text/text-style").split("\n"):
                _line_rules(line)
            seconds = Fraction(caption.get("duration").rstrip("s"))
            assert MIN_SECONDS - Fraction(1, 1000) <= seconds <= MAX_SECONDS
    assert split >= 2  # the episodes have lines long enough for several cues


def test_preview_draws_the_cue_makers_cues(built: list[Path]) -> None:
    from exporters.preview import BurnIn

    timeline = otio.adapters.read_from_file(str(_output(built[1], "otio")))
    lay = layout(timeline)
    burn = BurnIn(lay, (lay.width // 4, lay.height // 4))
    expected = [(s.start, s.end) for s in lay.subtitles for _ in s.lines or (s.text,)]
    assert [(a, b) for a, b, _ in burn.subtitles] == expected
    rate = lay.rate
    assert [(round(s.start / rate * 1000), round(s.end / rate * 1000), s.text) for s in lay.subtitles] == [
        (c.start_ms, c.end_ms, c.text) for c in dialogue_cues(timeline)
    ]


def test_our_own_subtitles_and_draft_read_back_unchanged(built: list[Path]) -> None:
    from scriptkit.project import diff_command

    for folder in built:
        timeline = otio.adapters.read_from_file(str(_output(folder, "otio")))
        clips = _clips(timeline)
        srt_path, vtt_path = _output(folder, "srt"), _output(folder, "vtt")
        # SRT: what the reader parses is what the writer wrote, cue for cue
        written = [(c.start_ms, c.end_ms, c.text) for c in dialogue_cues(timeline)]
        assert [(s, e, t) for s, e, t, _ in subtitles.parse_cues(srt_path.read_text(encoding="utf-8"), srt_path)] == (
            written
        )
        # WebVTT: a split line reads back as the one line, over its whole clip, with its text
        back = webvtt.read(vtt_path)
        lines = {c.metadata["scriptkit"]["line_id"]: c for c in back.find_clips()}
        assert set(lines) == set(clips)
        for line_id, clip in lines.items():
            assert same_text(clips[line_id][2], clip.metadata["scriptkit"]["text"])
            assert "#" not in clip.name
        # the editor loop: our own draft is no edit, a rewritten subtitle is
        draft = _output(folder, "capcut")
        assert diff_command(folder, draft)[-1] == "no editorial changes"
    edited = built[0].parent / "edited.capcut"
    import shutil

    shutil.copytree(_output(built[0], "capcut"), edited)
    primary = edited / "draft_content.json"
    data = json.loads(primary.read_text(encoding="utf-8"))
    material = data["materials"]["texts"][0]
    content = json.loads(material["content"])
    content["text"] = "你根本不该回来"
    content["styles"][0]["range"] = [0, len(content["text"])]
    material["content"] = json.dumps(content, ensure_ascii=False)
    primary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    report = diff_command(built[0], edited)
    assert any(line.startswith("changed subtitle of ") and "你根本不该回来" in line for line in report), report
