"""Chinese short-drama scripts in the studios' own format: reader, detection, .docx, timing, readable ids."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from scriptkit.build import slugify
from scriptkit.cli import app
from scriptkit.errors import ScriptkitError
from scriptkit.parse import load_script
from scriptkit.parse.scenes import split_heading
from scriptkit.parse.zh import looks_zh, parse_zh
from scriptkit.plan import load_shotlist, plan_script
from scriptkit.shot_ids import scene_ids
from scriptkit.templates import load_template
from scriptkit.timing import speaking_seconds

DATA = Path(__file__).parent / "data"
EP1 = DATA / "zh_episode1.txt"
EP2 = DATA / "zh_episode2.txt"


def _rows(path: Path) -> list[tuple[int, str, str, str | None, list[str]]]:
    return [(e.line, e.type, e.text, e.name, e.extensions) for e in load_script(path).elements]


def test_episode_one_reads_every_part_with_its_line() -> None:
    rows = _rows(EP1)
    assert rows[:8] == [
        (4, "scene_heading", "1-1 场  老宅客厅  夜  内", None, []),
        (5, "note", "人物：林晓、陈默", None, []),
        (6, "action", "雷声。林晓推门而入，浑身湿透。", None, []),
        (7, "character", "陈默", "陈默", []),
        (7, "parenthetical", "(冷笑)", None, []),
        (7, "dialogue", "你还敢回来？", None, []),
        (8, "character", "林晓", "林晓", []),
        (8, "dialogue", "这是我家，我为什么不敢回来？", None, []),
    ]
    by_line = {(line, kind): (text, name, ext) for line, kind, text, name, ext in rows}
    assert by_line[(9, "character")] == ("林晓 (OS)", "林晓", ["OS"])  # 林晓OS：
    assert by_line[(10, "action")][0] == "陈默把一份合同摔在桌上。"  # ▲
    assert by_line[(11, "dialogue")][0] == "签了它，你就可以走了。"  # half-width colon
    assert by_line[(12, "transition")][0] == "【切】"
    assert by_line[(17, "action")][0] == "钟声：当——当——当——"  # VO（钟声）: a sound cue, not a speaker
    assert (17, "character") not in by_line
    assert by_line[(18, "parenthetical")][0] == "(担心)"  # half-width brackets
    assert by_line[(19, "character")] == ("林晓 (OS)", "林晓", ["OS"])  # 林晓（OS）
    assert by_line[(20, "centered")][0] == "三年前"  # 字幕： is a title card, not dialogue
    assert by_line[(21, "transition")][0] == "【闪回】"
    assert by_line[(24, "character")] == ("旁白 (VO)", "旁白", ["VO"])  # bare VO： is the narrator
    assert by_line[(25, "character")][1] == "林晓" and by_line[(26, "dialogue")][0] == "妈，你一定要好起来。"
    assert by_line[(27, "transition")][0] == "【黑场】"
    assert not any(kind == "dialogue" and text.startswith("三年前") for _, kind, text, _, _ in rows)


def test_title_page_scenes_and_characters() -> None:
    one, two = load_script(EP1), load_script(EP2)
    assert one.title == "逆袭 第1集" and one.title_page["episode"] == "1"
    assert two.title == "逆袭 第2集" and two.title_page["episode title"] == "真相"  # 《逆袭》 and 第 2 集 真相
    assert [(s.number, s.int_ext, s.location, s.time_of_day, s.line) for s in one.scenes] == [
        ("1-1", "INT", "老宅客厅", "NIGHT", 4),
        ("1-2", "EXT", "老宅门外", "DAY", 14),  # tabs, 日外
        ("1-3", "INT", "医院走廊", "DAY", 23),  # 第1-3场, 内 日
    ]
    assert [(s.int_ext, s.location, s.time_of_day) for s in two.scenes] == [
        ("EXT", "公司大厅", "NIGHT"),  # 夜/外
        ("INT", "天台", "MORNING"),
        ("INT", "老宅书房", "NIGHT"),  # the flashback
    ]
    assert [c.name for c in one.characters] == ["陈默", "林晓", "王妈", "旁白"]
    assert next(c for c in one.characters if c.name == "林晓").lines == 4


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("3-1 场  老宅客厅  夜  内", ("INT", "老宅客厅", "NIGHT")),
        ("第3-1场 老宅客厅 日内", ("INT", "老宅客厅", "DAY")),
        ("3-1\t老宅客厅\t内 日", ("INT", "老宅客厅", "DAY")),
        ("3-1 老宅 客厅 夜 外", ("EXT", "老宅 客厅", "NIGHT")),
        ("3-1", ("", "", "")),
        ("INT. KITCHEN - NIGHT", ("INT", "KITCHEN", "NIGHT")),
    ],
)
def test_split_heading_reads_chinese_spellings(heading: str, expected: tuple[str, str, str]) -> None:
    assert split_heading(heading) == expected


def test_detection_by_content_and_dialect_override(tmp_path: Path) -> None:
    assert looks_zh(EP1.read_text(encoding="utf-8"))
    fountain = tmp_path / "zh.fountain"
    fountain.write_text("INT. 老宅客厅 - 夜\n\n@林晓\n他说：这是我家。\n\n@陈默\n我：你还敢回来？\n", encoding="utf-8")
    assert not looks_zh(fountain.read_text(encoding="utf-8"))
    script = load_script(fountain)  # Fountain in Chinese stays Fountain: its cues are cues, colons are speech
    assert [(e.type, e.text) for e in script.elements if e.type in ("character", "dialogue")] == [
        ("character", "林晓"),
        ("dialogue", "他说：这是我家。"),
        ("character", "陈默"),
        ("dialogue", "我：你还敢回来？"),
    ]
    full_width = tmp_path / "full-width.fountain"
    full_width.write_text(
        "INT. 老宅客厅 - 夜\n\n@林晓（OS）\n这是我家。\n\n@陈默\n（冷笑）\n你还敢回来？\n", encoding="utf-8"
    )
    rows = [(e.type, e.text, e.name, e.extensions) for e in load_script(full_width).elements[1:]]
    assert rows == [
        ("character", "林晓（OS）", "林晓", ["OS"]),
        ("dialogue", "这是我家。", None, []),
        ("character", "陈默", "陈默", []),
        ("parenthetical", "（冷笑）", None, []),
        ("dialogue", "你还敢回来？", None, []),
    ]
    as_zh = tmp_path / "short.txt"  # too little to detect: the dialect says what it is
    as_zh.write_text("林晓：走吧。\n", encoding="utf-8")
    assert [e.type for e in load_script(as_zh, "zh").elements] == ["character", "dialogue"]
    result = CliRunner().invoke(app, ["parse", str(as_zh), "--dialect", "zh", "--json"])
    assert result.exit_code == 0, result.output
    assert "林晓" in result.stdout
    bad = CliRunner().invoke(app, ["parse", str(as_zh), "--dialect", "klingon"])
    assert bad.exit_code == 2 and "unknown dialect 'klingon'" in bad.output


def test_docx_reads_paragraphs_as_lines(tmp_path: Path) -> None:
    document = docx.Document()
    for line in EP1.read_text(encoding="utf-8").split("\n"):
        document.add_paragraph(line)
    path = tmp_path / "逆袭1.docx"
    document.save(path)
    assert _rows(path) == _rows(EP1)
    fountain_doc = docx.Document()
    for line in ["INT. KITCHEN - NIGHT", "", "MAYA", "Hello."]:
        fountain_doc.add_paragraph(line)
    english = tmp_path / "kitchen.docx"
    fountain_doc.save(english)
    assert [e.type for e in load_script(english).elements] == ["scene_heading", "character", "dialogue"]


def test_binaries_and_broken_docx_are_refused(tmp_path: Path) -> None:
    pdf = tmp_path / "script.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    with pytest.raises(ScriptkitError, match="a PDF document"):
        load_script(pdf)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(ScriptkitError, match=r"cannot read as a Word \.docx") as caught:
        load_script(broken)
    assert caught.value.path == str(broken)


def test_cue_without_a_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "ep.txt"
    path.write_text("1-1 客厅 夜 内\n林晓：走吧。\n陈默：走吧。\n陈默：\n\n2-1 门外 日 外\n", encoding="utf-8")
    with pytest.raises(ScriptkitError) as caught:
        load_script(path)
    assert str(caught.value).startswith(f"{path}:4: cue '陈默' has no line")


def test_no_dialogue_warns_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ep.txt"
    path.write_text("1-1 客厅 夜 内\n△ 雨。\n2-1 门外 日 外\n△ 风。\n3-1 街 夜 外\n", encoding="utf-8")
    script = load_script(path)
    assert [e.type for e in script.elements].count("action") == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "no dialogue found (no speaker cue recognised)" in lines[0] and "--dialect" in lines[0]
    load_script(EP1)
    assert capsys.readouterr().err == ""


def test_speaking_time_counts_characters() -> None:
    line = "我" * 27
    assert speaking_seconds(line, 2.3) == pytest.approx(6.0)
    with_pauses = "这是我家，我为什么不敢回来？你还敢回来！这是我家，我为什么"
    assert 6.0 < speaking_seconds(with_pauses, 2.3) < 8.0
    assert speaking_seconds("叫 CEO 来见我，给你们 5 分钟", 2.3) > speaking_seconds("叫来见我，给你们分钟", 2.3) + 0.8
    assert speaking_seconds("Hello there.", 2.3) < 1.2  # English unchanged: words


def test_plan_gives_each_character_their_lines_and_readable_ids() -> None:
    shotlist = plan_script(load_script(EP1), load_template("vertical-drama"))
    lines = [line for shot in shotlist.shots for line in shot.dialogue]
    assert [(ln.character, ln.line) for ln in lines] == [
        ("陈默", 7),
        ("林晓", 8),
        ("林晓", 9),
        ("陈默", 11),
        ("王妈", 18),
        ("林晓", 19),
        ("旁白", 24),
        ("林晓", 25),  # a line is placed at its cue (the speech is on line 26)
    ]
    by_line = {ln.line: ln for ln in lines}
    assert by_line[8].duration == pytest.approx(12 / 4.5 + 0.15, abs=0.02)  # 12 characters and a comma
    assert by_line[9].extensions == ["OS", "INNER"] and by_line[24].extensions == ["VO"]
    assert all(ln.duration >= 1.0 for ln in lines)
    assert scene_ids(load_script(EP1)) == ["sc1-1-lao-zhai-ke-ting", "sc1-2-lao-zhai-men-wai", "sc1-3-yi-yuan-zou-lang"]
    assert scene_ids(load_script(EP2)) == ["sc2-1-gong-si-da-ting", "sc2-2-tian-tai", "sc2-3-lao-zhai-shu-fang"]
    tags = {shot.transition_in.tag for shot in shotlist.shots if shot.transition_in} | {
        shot.transition_out.tag for shot in shotlist.shots if shot.transition_out
    }
    assert {"flashback", "fade_to_black"} <= tags
    assert any("title" in shot.tags and shot.action == "三年前" for shot in shotlist.shots)


def test_file_names_from_chinese_titles() -> None:
    assert slugify("逆袭 第1集") == "ni-xi-di-1-ji"
    assert slugify("逆袭 第2集") != slugify("逆袭 第1集")
    assert slugify("The Last Train!") == "the-last-train"
    payload = json.loads(CliRunner().invoke(app, ["parse", str(EP2), "--json"]).stdout)
    assert payload["title_page"]["title"] == "逆袭 第2集"


def test_dialogue_edls_are_named_by_character(tmp_path: Path) -> None:
    import opentimelineio as otio

    from exporters.edl import audio_paths

    timeline = otio.schema.Timeline()
    second = otio.opentime.TimeRange(duration=otio.opentime.RationalTime(30, 30))
    for name in ("DIALOGUE 林晓", "DIALOGUE 陈默", "DIALOGUE Mèi Lín"):
        track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
        track.append(otio.schema.Clip(source_range=second))
        timeline.tracks.append(track)
    names = [path.name for _, path in audio_paths(timeline, tmp_path / "ni-xi-di-1-ji.edl")]
    assert names == [
        "ni-xi-di-1-ji.DIALOGUE_林晓.edl",
        "ni-xi-di-1-ji.DIALOGUE_陈默.edl",
        "ni-xi-di-1-ji.DIALOGUE_Mèi_Lín.edl",
    ]


@pytest.mark.parametrize(
    "head",
    [
        "《逆袭》第1集",
        "《逆袭》 第 1 集",
        "逆袭 第1集",
        "逆袭第1集",
        "剧名：逆袭 第1集",
        "逆袭\n第1集",
        "《逆袭》\n\n第1集",
    ],
)
def test_title_and_episode_on_one_line_or_two(head: str) -> None:
    script = parse_zh(head + "\n\n1-1 客厅 夜 内\n林晓：走吧。\n")
    assert script.title == "逆袭 第1集" and script.title_page["episode"] == "1"
    assert [e.type for e in script.elements] == ["scene_heading", "character", "dialogue"]  # nothing read as action


def test_a_plain_first_line_without_an_episode_stays_action() -> None:
    script = parse_zh("逆袭\n1-1 客厅 夜 内\n林晓：走吧。\n")
    assert script.title == "Untitled" and script.elements[0].type == "action"


def test_parentheticals_inside_a_speech_half_or_full_width() -> None:
    text = "1-1 客厅 夜 内\n林晓：(愣住)你说什么？\n陈默：（冷笑）你说呢？(转身) 走吧。\n王妈：\n(小声)小姐，快走。\n"
    rows = [(e.line, e.type, e.text) for e in parse_zh(text).elements[1:]]
    assert rows == [
        (2, "character", "林晓"),
        (2, "parenthetical", "(愣住)"),
        (2, "dialogue", "你说什么？"),
        (3, "character", "陈默"),
        (3, "parenthetical", "(冷笑)"),
        (3, "dialogue", "你说呢？"),
        (3, "parenthetical", "(转身)"),
        (3, "dialogue", "走吧。"),
        (4, "character", "王妈"),
        (5, "parenthetical", "(小声)"),
        (5, "dialogue", "小姐，快走。"),
    ]
    lines = [ln for shot in plan_script(parse_zh(text), load_template("vertical-drama")).shots for ln in shot.dialogue]
    assert [(ln.text, ln.parenthetical) for ln in lines][:2] == [("你说什么？", "(愣住)"), ("你说呢？", "(冷笑)")]
    assert not any("(" in ln.text or "（" in ln.text for ln in lines)


@pytest.mark.parametrize(
    ("line", "sound"),
    [
        ("VO（钟声）：当——当——", "钟声"),
        ("VO(敲门声):咚咚咚", "敲门声"),
        ("VO（电话铃）：叮铃铃——", "电话铃"),
        ("VO（雷声）：轰隆——", "雷声"),
        ("VO（音乐）：悠扬的钢琴声", "音乐"),
        ("VO：咚咚咚！", "音效"),  # no bracket, but the text is only onomatopoeia
    ],
)
def test_a_sound_vo_is_a_sound_cue_not_a_speaker(line: str, sound: str) -> None:
    script = parse_zh(f"1-1 客厅 夜 内\n△ 林晓坐着。\n{line}\n林晓：谁？\n")
    assert [c.name for c in script.characters] == ["林晓"]
    assert script.elements[2].type == "action" and script.elements[2].text.startswith(sound + "：")
    shots = plan_script(script, load_template("vertical-drama")).shots
    cues = [cue for shot in shots for cue in shot.cues]
    assert [(cue.word, cue.line) for cue in cues] == [(sound, 3)]
    under = next(shot for shot in shots if shot.cues)  # heard over the picture on screen, not a shot of its own
    assert under.action == "林晓坐着。" and under.cues[0].offset <= under.duration - 0.5
    assert not any(sound + "：" in shot.action or sound + "：" in shot.prompt for shot in shots)
    assert [ln.character for shot in shots for ln in shot.dialogue] == ["林晓"]


@pytest.mark.parametrize(
    ("line", "speaker"),
    [("VO（旁白）：那一年，她十八岁。", "旁白"), ("VO：那一年。", "旁白"), ("VO（电话里）：陈总，找到了。", "电话里")],
)
def test_a_spoken_vo_stays_heard_not_seen_speech(line: str, speaker: str) -> None:
    script = parse_zh(f"1-1 客厅 夜 内\n{line}\n")
    assert [(e.type, e.name, e.extensions) for e in script.elements[1:2]] == [("character", speaker, ["VO"])]


def test_chinese_sound_names_choose_a_sound_family() -> None:
    from generators.cue import classify

    assert [classify(w) for w in ("钟声", "雷声", "敲门声", "电话铃", "警笛", "脚步声")] == [
        "ring",
        "thunder",
        "impact",
        "ring",
        "horn",
        "tone",
    ]


def _plan(text: str) -> list:
    return plan_script(parse_zh(text), load_template("vertical-drama")).shots


def test_inner_voice_is_heard_over_a_silent_face_or_the_scene_not_a_talking_head() -> None:
    shotlist = plan_script(load_script(EP1), load_template("vertical-drama"))
    inner = [shot for shot in shotlist.shots if any("OS" in ln.extensions for ln in shot.dialogue)]
    assert [[ln.line for ln in shot.dialogue] for shot in inner] == [[9], [19]]
    for shot in inner:
        assert "inner_voice" in shot.tags and "os" not in shot.tags and "master" not in shot.tags
        assert shot.characters == ["林晓"] and "reaction" in shot.tags  # her silent face, lips still
        assert all(ln.character == "林晓" and "INNER" in ln.extensions for ln in shot.dialogue)  # her own voice
        assert "lips closed" in shot.prompt and not any(w in shot.prompt for w in ("speak", "talk", "says"))
    # over the scene when the picture holds no speech: the action shot plays on under her thoughts
    shots = _plan("1-1 客厅 夜 内\n△ 林晓独自坐在窗前。\n林晓OS：他不会回来了。\n陈默：林晓，开门。\n")
    assert [(s.tags, [ln.line for ln in s.dialogue]) for s in shots][:1] == [(["hook", "inner_voice"], [3])]
    # English O.S. is still off screen: the shot is on the listener
    english = "INT. HALL - NIGHT\n\nMAYA\nWho's there?\n\nTOM (O.S.)\nOpen the door.\n"
    from scriptkit.parse.fountain import parse_fountain

    tom = next(s for s in plan_script(parse_fountain(english), load_template("vertical-drama")).shots if "os" in s.tags)
    assert tom.characters == ["MAYA"] and tom.dialogue[0].extensions == ["O.S."]


def test_voice_over_plays_over_the_scene_with_nobody_speaking_on_screen() -> None:
    shotlist = plan_script(load_script(EP1), load_template("vertical-drama"))
    vo = next(shot for shot in shotlist.shots if any(ln.character == "旁白" for ln in shot.dialogue))
    assert "vo" in vo.tags and "旁白" not in vo.characters and vo.dialogue[0].extensions == ["VO"]
    assert not any("旁白" in shot.characters for shot in shotlist.shots)  # never a master with the narrator
    after = shotlist.shots[shotlist.shots.index(vo) + 1]
    assert after.characters == ["林晓"] and "master" not in after.tags  # alone in the scene: a single, not a master
    assert "旁白" in {member.name for member in shotlist.cast}  # the narrator has a voice of its own
    phone = _plan("1-1 天台 晨 内\n▲ 陈默独自站在天台上。\nVO（电话里）：陈总，东西找到了。\n陈默：很好。\n")
    heard = next(s for s in phone if s.dialogue and s.dialogue[0].character == "电话里")
    assert "vo" in heard.tags and heard.characters in ([], ["陈默"]) and "电话里" not in heard.characters


def test_vertical_drama_zh_builds_a_1080x1920_30fps_episode_that_cuts_within_3_s(tmp_path: Path) -> None:
    import opentimelineio as otio

    zh = load_template("vertical-drama-zh")
    assert (zh.width, zh.height, zh.fps, zh.orientation, zh.hook_closeup, zh.target_seconds) == (
        1080,
        1920,
        "30",
        "vertical",
        True,
        60,
    )
    script = tmp_path / "ep.txt"  # a long opening action: the hook still cuts by 3 s
    script.write_text(
        "《逆袭》第9集\n9-1 场 雨夜街头 夜 外\n"
        "△ 暴雨中，林晓跪在地上，手里紧紧攥着一张撕碎的照片，身后的豪车缓缓驶离，车灯照亮她苍白的脸。\n"
        "林晓：你们会后悔的。\n陈默OS：她还活着？\n",
        encoding="utf-8",
    )
    english_hook = plan_script(load_script(script), load_template("vertical-drama")).shots[0]
    assert english_hook.duration > 3.0  # without the Chinese preset's hook rule the opening runs long
    out = tmp_path / "ep9"
    args = ["build", str(script), "-o", str(out), "-t", "vertical-drama-zh", "--nle", "resolve", "--no-preview"]
    result = CliRunner().invoke(app, [*args, "--voice-backend", "piper", "-q"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["width"], manifest["height"], manifest["fps"], manifest["template"]) == (
        1080,
        1920,
        "30",
        "vertical-drama-zh",
    )
    timeline = otio.adapters.read_from_file(str(out / "ni-xi-di-9-ji.otio"))
    first = next(iter(timeline.video_tracks()[0]))
    built = load_shotlist(out / "shots.yaml", zh)
    assert first.name == built.shots[0].id and "hook" in built.shots[0].tags and built.shots[0].size == "close_up"
    assert first.duration().rate == 30 and 0 < first.duration().to_seconds() <= 3.0  # the first cut by 3 s


EP3 = DATA / "zh_episode3.txt"
EP4 = DATA / "zh_episode4.fountain"
EPISODES = {  # scenes, dialogue blocks per character, sound cues (word, line), captions, transitions,
    # inner-voice lines (character, line), VO lines (character, line)
    EP1: (
        3,
        {"陈默": 2, "林晓": 4, "王妈": 1, "旁白": 1},
        [("雷声", 6), ("钟声", 17)],
        ["三年前"],
        ["【切】", "【闪回】", "【黑场】"],
        [("林晓", 9), ("林晓", 19)],
        [("旁白", 24)],
    ),
    EP2: (
        3,
        {"前台": 1, "林晓": 1, "陈默": 4, "电话": 1},
        [("手机震动", 15)],
        ["三天后"],
        ["【闪回】", "【黑场】"],
        [("陈默", 8), ("陈默", 16)],
        [("电话", 13)],
    ),
    EP3: (
        3,
        {"董事长": 2, "林晓": 5, "陈默": 2, "电话里": 1, "王妈": 1, "旁白": 1},
        [("电话铃", 13), ("雷声", 30)],
        ["十年前"],
        ["【切】", "【闪回】", "【闪回结束】", "【黑场】"],
        [("陈默", 12), ("林晓", 24)],
        [("电话里", 15), ("旁白", 31)],
    ),
    EP4: (
        4,
        {"前台": 1, "林晓": 6, "陈默": 3, "旁白": 1, "王妈": 1},
        [("手机铃声", 19), ("警笛", 55)],
        ["三天前"],
        ["【闪回】", "【黑场】"],
        [("林晓", 28), ("陈默", 57)],
        [("旁白", 40)],
    ),
}


@pytest.mark.parametrize("path", list(EPISODES), ids=[p.name for p in EPISODES])
def test_each_episode_parses_and_plans_to_its_parts(path: Path) -> None:
    scenes, lines, cues, captions, transitions, inner, vo = EPISODES[path]
    script = load_script(path)
    assert len(script.scenes) == scenes
    assert {c.name: c.lines for c in script.characters} == lines
    assert [e.text for e in script.elements if e.type == "centered"] == captions
    assert [e.text for e in script.elements if e.type == "transition"] == transitions
    shots = plan_script(script, load_template("vertical-drama-zh")).shots
    assert [(cue.word, cue.line) for shot in shots for cue in shot.cues] == cues
    heard = [(shot, ln) for shot in shots for ln in shot.dialogue]
    assert [(ln.character, ln.line) for _, ln in heard if "INNER" in ln.extensions] == inner
    assert [(ln.character, ln.line) for _, ln in heard if "VO" in ln.extensions] == vo
    assert all(ln.character not in shot.characters for shot, ln in heard if "VO" in ln.extensions)
    tags = {t.tag for shot in shots for t in (shot.transition_in, shot.transition_out) if t is not None}
    assert {"flashback", "fade_to_black"} <= tags
    assert [shot.action for shot in shots if "title" in shot.tags] == captions


def test_episode_three_spells_every_part_its_own_way() -> None:
    script = load_script(EP3)
    assert script.title == "逆袭 第3集" and script.title_page["episode"] == "3"  # 逆袭 第 3 集 on one line
    assert [(s.number, s.int_ext, s.location, s.time_of_day) for s in script.scenes] == [
        ("3-1", "INT", "集团会议室", "DAY"),  # 第3-1场, tabs, 日内
        ("3-2", "EXT", "地下停车场", "NIGHT"),  # 外 夜
        ("3-3", "INT", "林家老宅", "NIGHT"),  # 内/夜
    ]
    by_line = {(e.line, e.type): e for e in script.elements}
    assert by_line[(4, "note")].text.startswith("出场人物")
    assert by_line[(8, "parenthetical")].text == "(微笑)"  # 林晓:(微笑)… half-width, inside the speech
    assert by_line[(9, "parenthetical")].text == "(冷笑)"  # 陈默(冷笑):
    assert by_line[(12, "character")].extensions == ["OS"]  # 陈默OS:
    assert by_line[(13, "action")].text == "电话铃：叮铃铃——"  # VO(电话铃): a sound
    assert by_line[(25, "centered")].text == "十年前"  # 字幕: half-width


def test_fountain_in_chinese_keeps_its_parentheticals_and_extensions() -> None:
    script = load_script(EP4)
    assert script.title == "逆袭 第4集"
    assert [(s.int_ext, s.location, s.time_of_day) for s in script.scenes][:3] == [
        ("INT", "林氏集团大厅", "DAY"),  # INT. 林氏集团大厅 - 日
        ("EXT", "集团天台", "DAY"),
        ("INT", "医院病房", "NIGHT"),
    ]
    by_line = {(e.line, e.type): e for e in script.elements}
    assert by_line[(14, "parenthetical")].text == "（冷笑）"
    assert (by_line[(28, "character")].name, by_line[(28, "character")].extensions) == ("林晓", ["OS"])
    assert (by_line[(40, "character")].name, by_line[(40, "character")].extensions) == ("旁白", ["VO"])
    lines = [ln for shot in plan_script(script, load_template("vertical-drama-zh")).shots for ln in shot.dialogue]
    sneer = next(ln for ln in lines if ln.line == 13)
    assert sneer.character == "林晓" and sneer.parenthetical == "（冷笑）" and sneer.text == "不用通知，我自己上去。"


def test_inner_voice_is_read_close_not_muffled_off_screen() -> None:
    from generators.delivery import delivery_for

    line = next(
        ln
        for shot in plan_script(load_script(EP1), load_template("vertical-drama-zh")).shots
        for ln in shot.dialogue
        if ln.line == 9
    )
    assert delivery_for(line.parenthetical, line.extensions) == delivery_for(None, ["V.O."])
    assert delivery_for(line.parenthetical, line.extensions).band is None
    assert delivery_for(None, ["O.S."]).band is not None  # an English off-screen line stays muffled
