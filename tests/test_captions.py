"""A line's caption (the subtitle an editor rewrote): settled against the base version and the editor's edits,
recorded in shots.yaml, and shown by every writer of subtitles while the spoken text stays the line's."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporters import get_format
from exporters.mlt_common import layout as mlt_layout
from scriptkit.captions import settle_captions, settled_lines
from scriptkit.conform.diff import CaptionChange, diff_timelines
from scriptkit.errors import ScriptkitError
from scriptkit.models import DialogueLine, ExportOptions, ShotList
from scriptkit.shotlist_io import dump_yaml, read_shotlist, write_shotlist
from scriptkit.timeline import build_timeline
from tests.fixtures import sample_assets, sample_shotlist

LINE = "sc01-kitchen-003-d1"
SPOKEN = "Don't answer it. Whoever it is can wait until morning."
FIX = "Don't answer it. It can wait."


def line_of(shotlist: ShotList, line_id: str = LINE) -> DialogueLine:
    return next(d for s in shotlist.shots for d in s.dialogue if d.id == line_id)


def with_caption(shotlist: ShotList, caption: str | None, text: str | None = None) -> ShotList:
    out = shotlist.model_copy(deep=True)
    line = line_of(out)
    line.caption = caption
    if text is not None:
        line.text = text
    return out


# ------------------------------------------------------------------------------------------ settling


def test_the_editors_caption_becomes_the_lines() -> None:
    base = sample_shotlist()
    new, notes = settle_captions(base, base, [CaptionChange(LINE, SPOKEN, f"  {FIX}\n")])
    assert (line_of(new).caption, line_of(new).text) == (FIX, SPOKEN)
    assert [(n.line_id, n.status) for n in notes] == [(LINE, "kept")]
    assert all(d.caption is None for s in new.shots for d in s.dialogue if d.id != LINE)
    # nothing to settle: the same object back
    assert settle_captions(base, base, []) == (base, [])


def test_a_caption_set_back_to_the_text_or_emptied_is_no_caption() -> None:
    base = with_caption(sample_shotlist(), FIX)
    cleared, notes = settle_captions(base, base, [CaptionChange(LINE, FIX, " ".join(SPOKEN.split(" ")) + " ")])
    assert line_of(cleared).caption is None and [n.status for n in notes] == ["cleared"]
    emptied, notes = settle_captions(base, base, [CaptionChange(LINE, FIX, "  ")])
    assert line_of(emptied).caption is None and [n.status for n in notes] == ["empty"]


def test_a_caption_is_dropped_with_a_notice_when_the_spoken_text_changes() -> None:
    base = with_caption(sample_shotlist(), FIX)
    # --shots: the writer changed the text in the version's shots.yaml and left the caption as it was
    new, notes = settle_captions(base, with_caption(base, FIX, "Leave it."))
    assert line_of(new).caption is None and line_of(new).text == "Leave it."
    assert [(n.status, n.caption, n.old_text, n.text) for n in notes] == [("dropped", FIX, SPOKEN, "Leave it.")]
    assert "it was written for" in notes[0].sentence() and repr("Leave it.") in notes[0].sentence()
    # --script: the re-planned line knows no caption; its changed text does not get the old one
    new, notes = settle_captions(base, with_caption(base, None, "Leave it."), carry=True)
    assert line_of(new).caption is None and [n.status for n in notes] == ["dropped"]
    # the editor's caption in the same refine was for the old text too
    new, notes = settle_captions(
        sample_shotlist(), with_caption(sample_shotlist(), None, "Leave it."), [CaptionChange(LINE, SPOKEN, FIX)]
    )
    assert line_of(new).caption is None and [n.status for n in notes] == ["dropped"]


def test_a_re_planned_script_carries_the_caption_of_an_unchanged_line() -> None:
    base = with_caption(sample_shotlist(), FIX)
    replanned = with_caption(base, None)
    carried, notes = settle_captions(base, replanned, carry=True)
    assert line_of(carried).caption == FIX and notes == []
    # a shot list the writer gives (--shots) is taken as written: a caption left out is no caption
    taken, _ = settle_captions(base, replanned, carry=False)
    assert line_of(taken).caption is None
    # a caption the writer gives on a new line, or a new caption on an unchanged line, is theirs
    own, notes = settle_captions(sample_shotlist(), base)
    assert line_of(own).caption == FIX and notes == []


def test_conform_is_told_only_the_lines_whose_subtitle_is_settled_anew() -> None:
    base = sample_shotlist()
    assert settled_lines(base, base) == set()
    fixed = with_caption(base, FIX)
    other = "sc02-platform-001-d1"
    assert settled_lines(base, fixed) == {LINE} == settled_lines(fixed, base)
    assert settled_lines(fixed, fixed, [CaptionChange(other, "I have to go.", "I must go.")]) == {other}


# ------------------------------------------------------------------------------------------ shots.yaml


def test_shots_yaml_records_a_caption_only_where_there_is_one(tmp_path: Path) -> None:
    plain = sample_shotlist()
    assert "caption" not in dump_yaml(plain)
    fixed = with_caption(plain, "今晚别接电话。")
    write_shotlist(fixed, tmp_path / "shots.yaml")
    text = (tmp_path / "shots.yaml").read_text(encoding="utf-8")
    assert text.count("caption:") == 1 and "caption: 今晚别接电话。" in text
    assert read_shotlist(tmp_path / "shots.yaml") == fixed


def test_an_empty_caption_is_refused_with_its_file_and_line(tmp_path: Path) -> None:
    write_shotlist(with_caption(sample_shotlist(), "PLACEHOLDER"), tmp_path / "shots.yaml")
    path = tmp_path / "shots.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines, start=1) if "PLACEHOLDER" in line)
    path.write_text("\n".join(lines).replace("PLACEHOLDER", "' '") + "\n", encoding="utf-8")
    with pytest.raises(ScriptkitError) as caught:
        read_shotlist(path)
    message = str(caught.value)
    assert "empty caption" in message and str(path) in message and f":{at}" in message
    assert "\n" not in message.strip()


# ------------------------------------------------------------------------------------------ writers


def test_every_subtitle_writer_shows_the_caption_and_the_voice_is_the_lines(tmp_path: Path) -> None:
    shotlist = sample_shotlist()
    media = tmp_path / "media"
    assets = sample_assets(shotlist, media)
    plain = build_timeline(shotlist, assets, media)
    fixed = build_timeline(with_caption(shotlist, FIX), assets, media)
    assert diff_timelines(plain, fixed).empty  # the cut and the voices are the same: only the subtitle differs
    options = ExportOptions(project_dir=str(tmp_path), media_dir=str(media))

    def written(timeline: object, name: str, folder: str) -> str:
        fmt = get_format(name)
        path = fmt.output_path(tmp_path / folder / name, "episode")
        fmt.write(timeline, path, options)  # type: ignore[arg-type]
        files = sorted(p for p in path.rglob("*") if p.suffix == ".json") if path.is_dir() else [path]
        return "".join(f.read_text(encoding="utf-8") for f in files)

    for name in ("srt", "vtt", "fcpxml", "capcut", "jianying"):  # (the MLT writers write no subtitles)
        assert FIX in written(fixed, name, "fixed") and FIX not in written(plain, name, "plain"), name
    for name in ("srt", "vtt"):  # the subtitle files hold nothing but the subtitles
        assert "until morning" not in written(fixed, name, "fixed") and "until morning" in written(plain, name, "plain")
    # the preview burns in the subtitles of the same layout the MLT writers use
    assert FIX in [sub.text for sub in mlt_layout(fixed).subtitles]
    assert SPOKEN in [sub.text for sub in mlt_layout(plain).subtitles]
    # the voice clip is the line's, spoken text and all
    meta = next(c for c in fixed.find_clips() if c.name == LINE).metadata["scriptkit"]
    assert (meta["text"], meta["caption"]) == (SPOKEN, FIX)


def _caption_texts(root: object) -> list[object]:
    return [style for style in root.iter("text-style") if style.getparent().tag == "text"]  # type: ignore[attr-defined]


def test_a_caption_rewritten_in_final_cut_is_read_as_the_lines_new_subtitle(tmp_path: Path) -> None:
    """FCPXML captions come back: our own file reads as no change, a caption retyped in the editor (the name
    prefix kept or dropped) as the line's new subtitle, and nothing else as changed."""
    from lxml import etree

    shotlist = sample_shotlist()
    media = tmp_path / "media"
    plan = build_timeline(shotlist, sample_assets(shotlist, media), media)
    fmt = get_format("fcpxml")
    path = fmt.output_path(tmp_path / "fcpxml", "episode")
    fmt.write(plan, path, ExportOptions(project_dir=str(tmp_path), media_dir=str(media)))
    ours = diff_timelines(plan, fmt.read(path))
    assert ours.captions == [] and ours.empty

    tree = etree.parse(str(path))
    styles = [s for s in _caption_texts(tree) if SPOKEN in (s.text or "")]
    assert len(styles) == 1 and styles[0].text.endswith(f": {SPOKEN}")  # "NAME: line", as written
    for edited, shown in ((styles[0].text.replace(SPOKEN, FIX), "prefix kept"), (FIX, "prefix dropped")):
        styles[0].text = edited
        tree.write(str(path), xml_declaration=True, encoding="UTF-8")
        diff = diff_timelines(plan, fmt.read(path))
        assert diff.captions == [CaptionChange(LINE, SPOKEN, FIX)], shown
        assert (diff.trims, diff.moves, diff.deleted, diff.foreign, diff.audio) == ([], [], [], [], []), shown


def test_the_split_captions_of_a_chinese_line_read_back_as_the_line(zh_episodes: list[Path]) -> None:
    """A Han line written as several captions (the cue maker's cues) is read back as that one line: our own FCPXML
    of a Chinese episode shows no subtitle as changed, and a retyped one is reported."""
    import json

    import opentimelineio as otio
    from lxml import etree

    folder = zh_episodes[1]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    fcpxml = folder / next(o["path"] for o in manifest["outputs"] if o["format"] == "fcpxml")
    otio_file = folder / next(o["path"] for o in manifest["outputs"] if o["format"] == "otio")
    plan = otio.adapters.read_from_file(str(otio_file))
    fmt = get_format("fcpxml")
    assert diff_timelines(plan, fmt.read(fcpxml)).captions == []

    tree = etree.parse(str(fcpxml))
    styles = _caption_texts(tree)
    assert len(styles) > len({c.name for c in plan.find_clips() if c.metadata["scriptkit"].get("kind") == "dialogue"})
    styles[0].text = "改过的字幕"
    edited = fcpxml.parent / "edited.fcpxml"
    tree.write(str(edited), xml_declaration=True, encoding="UTF-8")
    changes = diff_timelines(plan, fmt.read(edited)).captions
    assert len(changes) == 1 and changes[0].edited.startswith("改过的字幕")
