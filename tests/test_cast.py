"""The cast: read from the script (title-page block, introductions, pronouns), voiced distinctly by sex and age."""

from __future__ import annotations

from pathlib import Path

from generators.casting import cast_voices
from generators.kokoro import VOICES, KokoroVoices
from generators.piper import VOICES as PIPER_VOICES
from scriptkit.cast import age_from, cast_lines, infer_cast, merge_cast, voice_cast
from scriptkit.parse.fountain import parse_fountain_bytes
from scriptkit.plan import plan_script
from scriptkit.shotlist_io import read_shotlist, write_shotlist
from scriptkit.templates import load_template

EXAMPLE = Path(__file__).parent.parent / "examples" / "last-train.fountain"
PIER = b"""Title: Gulls
Cast:
    NAN - 78, grandmother
    PIP - 8, boy

EXT. PIER - DAY

NAN sits on a bench. PIP runs past her, chasing GULLIVER (a gull who talks).

NAN
Careful, love.

PIP
Look, a gull!

GULLIVER
Chips?

GULLIVER THE GULL
(shouting)
CHIPS!

Dad waves. DAD (40s) lifts Pip onto his shoulders.

DAD
Time to go, mate.

MUM (30s, sunhat) laughs at them. She shakes her head.

MUM
(whispering)
He'll sleep well tonight.
"""


def _sex(option_name: str) -> str:
    return next(option.sex for option in VOICES if option.name == option_name)


def test_the_example_is_cast_from_its_introductions_and_pronouns() -> None:
    plan = plan_script(parse_fountain_bytes(EXAMPLE.read_bytes(), source=str(EXAMPLE)), load_template("vertical-drama"))
    maya, theo = plan.cast
    assert (maya.name, maya.sex, maya.age, maya.display_name) == ("MAYA", "female", "28", "Maya")
    assert (theo.name, theo.sex, theo.age) == ("THEO", "male", "40-49")
    assert "sex" in maya.guessed and "age" not in maya.guessed  # pronouns are a guess, "(28, ...)" is not
    assert maya.voice.backend == "kokoro" and _sex(maya.voice.name) == "female" and _sex(theo.voice.name) == "male"
    assert cast_lines(plan.cast)[0] == "cast MAYA: female?, 28, kokoro:af_heart"


def test_title_block_words_aliases_children_and_elders() -> None:
    script = parse_fountain_bytes(PIER, source="pier.fountain")
    cast = {m.name: m for m in voice_cast(infer_cast(script, [c.name for c in script.characters]))}
    assert list(cast) == ["NAN", "PIP", "GULLIVER", "DAD", "MUM"]
    assert cast["GULLIVER"].aliases == ["GULLIVER THE GULL"]
    assert (cast["NAN"].sex, cast["NAN"].age_group) == ("female", "elder")
    assert (cast["PIP"].sex, cast["PIP"].age_group) == ("male", "child")
    assert (cast["DAD"].sex, cast["DAD"].age) == ("male", "40-49") and cast["MUM"].sex == "female"
    voices = [(m.voice.name, m.voice.pitch) for m in cast.values()]
    assert len(set(voices)) == len(voices)  # distinct
    assert cast["PIP"].voice.pitch > 1.1 and cast["NAN"].voice.name in {"bf_lily"}  # a child, an elder
    assert all(_sex(m.voice.name) == m.sex for m in cast.values() if m.sex != "unknown")


def test_ages_read_and_guessed() -> None:
    assert age_from("28, courier jacket") == ("28", False)
    assert age_from("late 60s, cardigan") == ("67-69", False)
    assert age_from("a teenager") == ("13-17", True) and age_from("elderly, kind") == ("65-80", True)
    assert age_from("COP 2", numbers=False) == ("", False)


def test_casting_keeps_what_the_user_chose_and_never_mixes_sexes() -> None:
    script = parse_fountain_bytes(PIER, source="pier.fountain")
    found = infer_cast(script, [c.name for c in script.characters])
    mum = next(m for m in found if m.name == "MUM")
    chosen = mum.model_copy(update={"voice": mum.voice.model_copy(update={"backend": "kokoro", "name": "af_nova"})})
    merged = merge_cast([chosen], found)
    assert merged[0].name == "MUM" and len(merged) == len(found)
    cast = {m.name: m for m in KokoroVoices().cast(merged)}
    assert cast["MUM"].voice.name == "af_nova"
    # many women, few voices (piper's set): every woman still gets a "female" voice, reused once used up
    women = [m.model_copy(update={"name": f"W{k}", "sex": "female"}) for k, m in enumerate(found * 2)]
    for member in cast_voices(women, PIPER_VOICES, "piper"):
        assert next(o.sex for o in PIPER_VOICES if o.pitch == member.voice.pitch) == "female"


def test_the_cast_round_trips_through_shots_yaml(tmp_path: Path) -> None:
    plan = plan_script(parse_fountain_bytes(PIER, source="pier.fountain"), load_template("vertical-drama"))
    write_shotlist(plan, tmp_path / "shots.yaml")
    again = read_shotlist(tmp_path / "shots.yaml")
    assert again.cast == plan.cast and again.member("GULLIVER THE GULL").name == "GULLIVER"


def test_mandarin_speakers_are_cast_with_mandarin_voices() -> None:
    script = "INT. 咖啡馆 - 夜\n\n@林晓\n你怎么还在这里？\n\n@MAYA\nStill here?\n".encode()
    plan = plan_script(parse_fountain_bytes(script, source="cafe.fountain"), load_template("vertical-drama"))
    cast = {m.name: m for m in plan.cast}
    assert cast["林晓"].language == "zh" and cast["林晓"].voice.name.startswith("z")
    assert cast["MAYA"].language == "en" and cast["MAYA"].voice.name[0] in "ab"
