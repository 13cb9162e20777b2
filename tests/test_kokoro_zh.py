"""Mandarin through the kokoro voice: the front end's phonemes (tone sandhi, numbers, Latin words, punctuation),
every symbol a Kokoro token, real Kokoro-82M speech, Chinese casting by sex and age, and a Chinese episode built
with the default backends voicing each line with its character's Mandarin voice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generators import VoiceJob
from generators.audio import Audio, median_f0
from generators.kokoro import VOICES, KokoroVoices, phonemize_english, tokens_of, vocabulary
from generators.kokoro_zh import normalize_numbers, phonemize_zh
from scriptkit.cast import age_from, sex_from
from scriptkit.models import DialogueLine, Voice
from scriptkit.parse.zh import parse_zh
from scriptkit.plan import plan_script
from scriptkit.templates import load_template

ROOT = Path(__file__).resolve().parents[1]
EPISODE = ROOT / "tests" / "data" / "zh_episode1.txt"
STYLE = ROOT / "examples" / "style.png"
ZH_VOICES = {option.name for option in VOICES if option.language == "zh"}


def _job(text: str, voice: str, n: int) -> VoiceJob:
    line = DialogueLine(id=f"sc01-x-001-d{n}", character="X", text=text, line=n)
    return VoiceJob(line=line, voice=Voice(backend="kokoro", name=voice), language="zh")


@pytest.fixture(scope="module")
def spoken() -> dict[str, Audio]:
    """Real Kokoro speech, the model loaded once for the module."""
    jobs = [
        _job("这是我家，我为什么不敢回来？", "zf_xiaoxiao", 1),
        _job("这是我家，我为什么不敢回来？", "zm_yunxi", 2),
        _job("我昨天买了", "zf_xiaoxiao", 3),
        _job("我昨天买了iPhone和2026个OK", "zf_xiaoxiao", 4),
    ]
    backend = KokoroVoices()
    try:
        return {job.line.id[-2:]: audio for job, audio in backend.generate(jobs)}
    finally:
        backend.close()


def test_tone_sandhi() -> None:
    # 不 before a 4th tone is 2nd, before the others it stays 4th
    assert phonemize_zh("不怕") == "pu↗pʰa↘"
    assert phonemize_zh("不对") == "pu↗twei↘"
    assert phonemize_zh("不好") == "pu↘xau↓"
    # 一: 4th before a 1st/2nd/3rd tone, 2nd before a 4th (and 个), 1st as an ordinal
    assert phonemize_zh("一天") == "i↘tʰjɛ→n"
    assert phonemize_zh("一样") == "i↗ja↘ŋ"
    assert phonemize_zh("一个") == "i↗kɤ"
    assert phonemize_zh("第一") == "ti↘i→"
    # 3rd + 3rd is 2nd + 3rd, within a word and across merged words
    assert phonemize_zh("你好") == "ni↗xau↓"
    assert phonemize_zh("老李") == "lau↗li↓"
    # neutral tones: particles and suffixes lose their arrow
    assert phonemize_zh("我们走吧") == "wo↓mən ʦou↓ pa"
    assert phonemize_zh("我不是你的人。") == "wo↓ pu↗ʂɨ↘ ni↓ tɤ ɻə↗n."


def test_numbers_with_units_are_read_as_words() -> None:
    assert normalize_numbers("3个") == "三个"
    assert normalize_numbers("12.5元") == "十二点五元"
    assert normalize_numbers("2026年") == "二零二六年"
    # what cn2an alone reads wrongly in speech
    assert normalize_numbers("2个人，第2次") == "两个人，第二次"
    assert normalize_numbers("1,000元") == "一千元"
    assert normalize_numbers("3:05到3:00") == "三点零五分到三点"
    assert normalize_numbers("3-5天") == "三到五天"
    assert normalize_numbers("007，13800138000") == "零零七，一三八零零一三八零零零"
    assert normalize_numbers("５０%") == "百分之五十"
    assert phonemize_zh("3个") == "sa→nkɤ"
    assert phonemize_zh("12.5元") == "ʂɨ↗ɚ↘tjɛ↓n u↓ɥɛ↗n"
    assert phonemize_zh("2026年") == "ɚ↘li↗ŋɚ↘ ljou↘njɛ↗n"


def test_latin_words_are_spoken_in_english_not_spelled_as_phonemes() -> None:
    line = phonemize_zh("这部iPhone真OK，连上Wi-Fi吧")
    for word in ("iPhone", "OK", "Wi-Fi"):
        english = phonemize_english(word)
        assert english and english in line
    assert "Phone" not in line and "Wi" not in line
    assert line.startswith("ꭧɤ↘pu↘ ˈI fˈOn ꭧə→n ˌOkˈA, ")
    assert phonemize_zh("5G网络").startswith("u↓ ʤˈi ")  # a digit then a letter: both said


def test_punctuation_is_kept_as_the_vocabulary_writes_it() -> None:
    assert phonemize_zh("他说：“好吧……”") == "tʰa→ ʂwo→: “xau↓ pa…”"
    assert phonemize_zh("当——当——当——") == "ta→ŋ— ta→ŋ— ta→ŋ—"
    assert phonemize_zh("你好～真的？！") == "ni↗xau↓— ꭧə→ntɤ?!"
    assert phonemize_zh('他说"走吧"。') == "tʰa→ ʂwo→ “ʦou↓ pa”."
    assert phonemize_zh("《逆袭》、（笑）") == "“ni↘ɕi↗”, (ɕjau↘)"
    # dropped deliberately: the name separator, symbols without a reading, an empty line
    assert phonemize_zh("约翰·史密斯#@*") == phonemize_zh("约翰史密斯")
    assert phonemize_zh("…… ") == ""


def test_every_symbol_is_a_kokoro_token() -> None:
    from misaki.zh import ZHG2P
    from pypinyin import Style, pinyin
    from pypinyin.constants import PINYIN_DICT

    vocab = set(vocabulary())
    # every syllable pypinyin can give any Han character, in every tone
    syllables = {
        reading.rstrip("12345")
        for code in PINYIN_DICT
        for reading in pinyin(chr(code), style=Style.TONE3, heteronym=True, neutral_tone_with_five=True)[0]
    }
    assert len(syllables) > 400
    outside = {
        f"{syllable}{tone}"
        for syllable in syllables
        for tone in "12345"
        if not set(ZHG2P.py2ipa(f"{syllable}{tone}").replace("\u032f", "")) <= vocab
    }
    assert not outside
    lines = [e.text for e in parse_zh(EPISODE.read_text(encoding="utf-8")).elements if e.type == "dialogue"]
    lines += ["我有3个苹果，花了12.5元。", "2026年的iPhone真OK吗？", "嗯……呣，哼！", "「你」『好』【吗】"]
    for text in lines:
        phonemes = phonemize_zh(text)
        assert phonemes and set(phonemes) <= vocab, text
        assert len(tokens_of(phonemes)) == len(phonemes)


def test_odd_lines_are_read_without_failing() -> None:
    # 呣, 嗯, 噷 have no final in pypinyin, which misaki's tone sandhi needs: read as bare syllabic consonants
    assert phonemize_zh("呣4b、") == "m↗ sɨ↘ bˈi,"
    assert phonemize_zh("嗯嗯，好") == "n↗ n↗, xau↓"
    assert phonemize_zh("二〇二六年") == "ɚ↘ li↗ŋ ɚ↘ ljou↘njɛ↗n"
    vocab = set(vocabulary())
    for text in ("", "   ", "😀", "１２Ｏｋ", "a", "～～～", "“”（）", "噷𠀀㐀兙", "iPhone15Pro", "3.14.15", "-"):
        assert set(phonemize_zh(text)) <= vocab, text


def test_the_front_end_is_quiet() -> None:
    """jieba's 'Building prefix dict...' and the rest stay off stdout and stderr."""
    code = "from generators.kokoro_zh import phonemize_zh; print(phonemize_zh('你好'))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True, timeout=120
    )
    assert result.stdout == "ni↗xau↓\n" and result.stderr == ""


def test_a_mandarin_line_is_spoken_at_a_plausible_length(spoken: dict[str, Audio]) -> None:
    woman, man = spoken["d1"], spoken["d2"]
    # 14 characters at about 4.5 a second, give or take
    assert 1.5 < woman.duration < 4.5 and 1.5 < man.duration < 4.5
    assert median_f0(woman) > median_f0(man) + 40


def test_latin_words_and_numbers_are_heard(spoken: dict[str, Audio]) -> None:
    # "iPhone和2026个OK" adds some nine syllables: well over a second more than the line without it
    assert spoken["d4"].duration > spoken["d3"].duration + 1.2


def test_chinese_characters_are_cast_by_sex_and_age() -> None:
    script = parse_zh(
        "剧名：家宴\n第1集\n1-1 场  别墅客厅  夜  内\n"
        "人物：苏晴（女，二十五岁）、顾言（男，30岁）、张奶奶、小宝\n"
        "△ 苏晴推门而入。小宝（8岁）躲在沙发后面。\n"
        "苏晴：你还敢回来？\n顾言：这是我家。\n张奶奶：都别吵了。\n小宝：妈妈！\n林总：开会。\n阿青：好的。\n"
        "△ 林总看了看表，他皱起眉头。阿青走进来，她放下文件。\n"
    )
    cast = {member.name: member for member in plan_script(script, load_template("vertical-drama")).cast}
    facts = {name: (member.sex, member.age, member.language) for name, member in cast.items()}
    assert facts["苏晴"] == ("female", "25", "zh") and facts["顾言"] == ("male", "30", "zh")
    assert facts["张奶奶"] == ("female", "65-80", "zh") and facts["小宝"][1] == "8"
    assert facts["林总"][0] == "male" and facts["阿青"][0] == "female"  # from 他 / 她 in the action
    assert age_from("男，三十多岁") == ("30-39", False) and age_from("四十出头") == ("40-43", False)
    assert age_from("高中生") == ("13-17", True) and age_from("老太太") == ("65-80", True)
    assert sex_from("夫人") == "female" and sex_from("老公") == "male" and sex_from("他们和她们") == "unknown"
    options = {(option.name, option.pitch): option for option in VOICES}
    for name, member in cast.items():
        option = options[(member.voice.name, member.voice.pitch)]
        assert option.language == "zh", name
        if member.sex != "unknown":
            assert option.sex == member.sex, name
    assert "elder" in options[(cast["张奶奶"].voice.name, cast["张奶奶"].voice.pitch)].groups
    assert "child" in options[(cast["小宝"].voice.name, cast["小宝"].voice.pitch)].groups
    assert len({(m.voice.name, m.voice.pitch) for m in cast.values()}) == len(cast)


def test_a_speaker_the_cast_misses_is_cast_in_the_language_they_speak() -> None:
    from generators.run import cast_for

    shotlist = plan_script(parse_zh(EPISODE.read_text(encoding="utf-8")), load_template("vertical-drama"))
    shotlist.cast = [member for member in shotlist.cast if member.name != "林晓"]  # a shots.yaml without her
    cast = {member.name: member for member in cast_for(shotlist, KokoroVoices())}
    assert cast["林晓"].language == "zh" and cast["林晓"].voice.name in ZH_VOICES


@pytest.mark.parametrize("n", range(4), ids=["episode1", "episode2", "episode3", "episode4-fountain"])
def test_a_chinese_episode_voices_every_line_with_its_characters_mandarin_voice(
    zh_episodes: list[Path], n: int
) -> None:
    out = zh_episodes[n]
    shots = yaml.safe_load((out / "shots.yaml").read_text(encoding="utf-8"))
    cast = {member["name"]: member["voice"] for member in shots["cast"]}
    assert {"林晓", "陈默"} <= set(cast) and len(cast) >= 4
    assert all(voice["backend"] == "kokoro" and voice["name"] in ZH_VOICES for voice in cast.values())
    assert len({(voice["name"], voice["pitch"]) for voice in cast.values()}) == len(cast)  # 8 voices: all distinct
    lines = [line for shot in shots["shots"] for line in shot.get("dialogue") or []]
    voices = json.loads((out / "media" / "assets.json").read_text(encoding="utf-8"))["voices"]
    assert len(lines) >= 7 and {line["id"] for line in lines} == set(voices)
    for line in lines:
        asset = voices[line["id"]]
        character = line["character"]
        assert asset["params"]["voice"] == cast[character]["name"], line["text"]
        assert asset["params"]["pitch"] == cast[character]["pitch"]
        assert asset["model"].startswith("kokoro") and asset["duration"] > 0.4


def test_the_mandarin_reading_is_part_of_a_lines_cache_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new version of the front end reads lines differently, so cached Mandarin voices must be redone; English
    keys do not carry it (their cache stays valid)."""
    import generators.kokoro_zh as front_end

    backend = KokoroVoices()
    mandarin = _job("你好", "zf_xiaoxiao", 1)
    english = VoiceJob(line=mandarin.line, voice=Voice(backend="kokoro", name="af_heart"), language="en")
    before = backend.params(mandarin)
    assert before["front_end"] == front_end.FRONT_END_VERSION
    assert "front_end" not in backend.params(english)
    monkeypatch.setattr(front_end, "FRONT_END_VERSION", "next")
    assert backend.params(mandarin) != before
