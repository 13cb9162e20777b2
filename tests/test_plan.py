"""The shot planner: each planning rule, stable ids, durations, prompts, and real screenplays."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptkit.errors import ScriptkitError
from scriptkit.models import Element, Script, ShotList, Template
from scriptkit.parse import load_script
from scriptkit.parse.fountain import parse_fountain_bytes
from scriptkit.parse.scenes import make_script
from scriptkit.plan import load_shotlist, plan_script, shot_line, summary_lines, transition_of
from scriptkit.shot_ids import scene_ids, seed_for
from scriptkit.shotlist_io import dump_yaml
from scriptkit.templates import load_template
from scriptkit.timing import speaking_seconds

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "screenplays"
EXAMPLE = ROOT / "examples" / "last-train.fountain"

WIDE = load_template("widescreen")
VERTICAL = load_template("vertical-drama")


def script(*items: tuple[str, str] | tuple[str, str, dict]) -> Script:
    """Build a Script from (type, text[, extra fields]) tuples, one source line each (two apart)."""
    elements = []
    for n, item in enumerate(items):
        kind, text = item[0], item[1]
        extra = dict(item[2]) if len(item) > 2 else {}
        if kind == "character" and "name" not in extra:
            name, _, ext = text.partition(" (")
            extra["name"] = name.strip()
            if ext:
                extra["extensions"] = [ext.rstrip(")")]
        elements.append(Element(type=kind, text=text, line=1 + 2 * n, **extra))
    return make_script(elements, {"title": "Test"}, source="test.fountain")


def H(text: str, **kw: object) -> tuple[str, str, dict]:
    return ("scene_heading", text, kw)


def A(text: str, **kw: object) -> tuple[str, str, dict]:
    return ("action", text, kw)


def C(text: str, **kw: object) -> tuple[str, str, dict]:
    return ("character", text, kw)


def D(text: str) -> tuple[str, str]:
    return ("dialogue", text)


def P(text: str) -> tuple[str, str]:
    return ("parenthetical", text)


def T(text: str) -> tuple[str, str]:
    return ("transition", text)


def by_scene(shotlist: ShotList, scene_id: str) -> list:
    return [s for s in shotlist.shots if s.scene_id == scene_id]


# ---------------------------------------------------------------------------------- openers


def test_new_location_opens_on_establishing_wide_that_carries_the_first_action() -> None:
    plan = plan_script(
        script(
            H("INT. KITCHEN - NIGHT"),
            A("Rain on the window. ANNA stirs a pot."),
            H("INT. KITCHEN - LATER"),
            A("Anna tastes the soup."),
            H("EXT. GARDEN - DAY"),
            A("Birds."),
        ),
        WIDE,
    )
    first = plan.shots[0]
    assert first.size == "wide" and first.tags == ["establishing"]
    assert first.action == "Rain on the window. ANNA stirs a pot."
    later = by_scene(plan, "sc-kitchen-2")
    assert "establishing" not in later[0].tags  # same location as the previous scene: no new establishing shot
    garden = by_scene(plan, "sc-garden")
    assert garden[0].tags == ["establishing"] and garden[0].size == "wide"


def test_vertical_episode_opens_on_a_hook_close_up_of_the_first_character() -> None:
    plan = plan_script(
        script(
            A("FADE IN:"),
            H("EXT. ROOF - NIGHT"),
            A("Wind. LENA (30, torn coat) clutches a PHONE."),
            H("INT. STAIRWELL - NIGHT"),
            A("Footsteps."),
        ),
        VERTICAL,
    )
    hook = plan.shots[0]
    assert hook.size == "close_up" and hook.tags == ["hook"] and hook.characters == ["LENA"]
    assert hook.transition_in is not None and hook.transition_in.kind == "fade"
    assert "establishing" not in hook.tags
    assert sum("hook" in s.tags for s in plan.shots) == 1
    assert by_scene(plan, "sc-stairwell")[0].tags == ["establishing"]
    # the character introduction is a character (with its description in prompts), not a prop
    assert not any(s.size == "insert" and "LENA" in s.description for s in plan.shots)
    assert "Lena (30, torn coat)" in hook.prompt


def test_hook_on_a_prop_when_the_prop_comes_first() -> None:
    plan = plan_script(script(H("INT. OFFICE - DAY"), A("A ringing PHONE on a desk. TOM walks in.")), VERTICAL)
    hook = plan.shots[0]
    assert hook.tags == ["hook"] and hook.characters == [] and "phone" in hook.prompt.lower()
    assert hook.description == "hook close-up on PHONE"
    assert not any(s.size == "insert" for s in plan.shots)  # the hook already shows the phone
    assert "TOM" in plan.characters  # a name introduced in CAPS at the start of a sentence


# ---------------------------------------------------------------------------------- dialogue

EXCHANGE = (
    H("INT. CAFE - DAY"),
    A("ANNA and BEN sit at a table."),
    C("ANNA"),
    D("You came."),
    C("BEN"),
    D("I said I would."),
    C("ANNA"),
    D("You say a lot of things."),
    C("BEN"),
    D("This time I mean it."),
    C("ANNA"),
    D("Prove it."),
    C("BEN"),
    D("How?"),
    C("ANNA"),
    D("Stay."),
)


def test_first_exchange_is_a_master_then_singles_getting_closer() -> None:
    plan = plan_script(script(*EXCHANGE), WIDE)
    shots = [s for s in plan.shots if s.dialogue]
    master = shots[0]
    assert master.size == "two_shot" and master.tags == ["master"]
    assert [d.character for d in master.dialogue] == ["ANNA", "BEN"]
    assert master.dialogue[1].offset > master.dialogue[0].offset + master.dialogue[0].duration
    singles = shots[1:]
    assert [s.characters for s in singles] == [["ANNA"], ["BEN"], ["ANNA"], ["BEN"], ["ANNA"]]
    assert [s.size for s in singles] == ["medium", "medium", "medium_close", "medium_close", "close_up"]
    vertical = plan_script(script(*EXCHANGE), VERTICAL)
    assert next(s for s in vertical.shots if s.dialogue).size == "over_the_shoulder"


def test_beat_before_a_line_adds_a_reaction_shot_and_a_beat_inside_extends() -> None:
    plan = plan_script(
        script(
            H("INT. CAR - NIGHT"),
            C("ANNA"),
            D("Where were you?"),
            C("BEN"),
            D("Out."),
            C("ANNA"),
            P("(beat)"),
            D("Out where?"),
            C("BEN"),
            D("Driving."),
            P("(pause)"),
            D("Just driving."),
        ),
        WIDE,
    )
    reaction = next(s for s in plan.shots if "beat" in s.tags and "reaction" in s.tags)
    assert reaction.characters == ["BEN"]  # the listener of ANNA's line
    assert reaction.duration == pytest.approx(max(WIDE.beat, WIDE.min_shot))
    after = plan.shots[plan.shots.index(reaction) + 1]
    assert after.characters == ["ANNA"] and after.dialogue[0].text == "Out where?"
    last = plan.shots[-1]
    first, second = last.dialogue
    assert second.offset == pytest.approx(first.offset + first.duration + 0.25 + WIDE.beat, abs=0.02)


def test_voice_over_plays_over_the_action_shot_or_a_cutaway() -> None:
    plan = plan_script(
        script(
            H("INT. ROOM - NIGHT"),
            A("Maya stares at a PHOTO of the sea."),
            C("MAYA (V.O.)"),
            D("I was nine that summer."),
            C("MAYA"),
            D("Hello?"),
            C("MAYA (V.O.)"),
            D("Nobody answered."),
        ),
        WIDE,
    )
    vo = [s for s in plan.shots if "vo" in s.tags]
    assert len(vo) == 2
    assert vo[0].size == "insert" and vo[0].dialogue[0].text == "I was nine that summer."
    assert vo[1].tags == ["vo", "cutaway"] and vo[1].dialogue[0].extensions == ["V.O."]
    assert vo[1].action  # the cutaway shows the scene's latest action


def test_off_screen_line_cuts_to_the_listener() -> None:
    plan = plan_script(script(H("INT. HALL - DAY"), C("ANNA"), D("Ben?"), C("BEN (O.S.)"), D("In here!")), WIDE)
    shot = plan.shots[-1]
    assert shot.tags == ["os"] and shot.characters == ["ANNA"]
    assert shot.dialogue[0].character == "BEN" and shot.dialogue[0].extensions == ["O.S."]


def test_dual_dialogue_is_a_two_shot_with_both_lines_at_once() -> None:
    plan = plan_script(script(H("INT. HALL - DAY"), C("ANNA"), D("Stop!"), C("BEN", dual=True), D("Wait!")), VERTICAL)
    shot = plan.shots[-1]
    assert shot.size == "two_shot" and "dual" in shot.tags and shot.characters == ["ANNA", "BEN"]
    assert [d.character for d in shot.dialogue] == ["ANNA", "BEN"]
    assert shot.dialogue[0].offset == shot.dialogue[1].offset


def test_long_speech_splits_over_a_listener_reaction() -> None:
    speech = " ".join(f"This is sentence number {n} of a very long speech." for n in range(1, 9))
    plan = plan_script(script(H("INT. HALL - DAY"), C("BEN"), D("Hi."), C("ANNA"), D(speech)), WIDE)
    anna = [s for s in plan.shots if any(d.character == "ANNA" for d in s.dialogue)]
    assert len(anna) >= 3
    assert all(s.duration <= WIDE.max_shot for s in anna)
    assert any("reaction" in s.tags and s.characters == ["BEN"] for s in anna)
    assert " ".join(d.text for s in anna for d in s.dialogue if d.character == "ANNA") == speech


# ------------------------------------------------------------------------------- explicit shots


def test_explicit_shot_lines_are_used_as_written() -> None:
    plan = plan_script(
        script(
            H("INT. STUDY - NIGHT"),
            A("CLOSE ON MAYA"),
            A("She reads, lips moving."),
            A("INSERT - THE LETTER\nIt is signed in red."),
            A("MAYA'S POV - the window. Headlights."),
            A("ANGLE ON the door."),
            A("BACK TO SCENE"),
            A("Maya folds the letter."),
            A("A fax machine whirs.", fdx_type="Shot"),
            H("INT. HALL - NIGHT"),
            C("MAYA"),
            D("Who's there?"),
        ),
        WIDE,
    )
    sizes = [(s.size, s.description) for s in plan.shots]
    close = next(s for s in plan.shots if s.size == "close_up")
    assert close.characters == ["MAYA"] and "She reads" in close.action and "explicit" in close.tags
    insert = next(s for s in plan.shots if "insert" in s.tags and "LETTER" in s.description)
    assert insert.size == "insert" and "signed in red" in insert.action
    assert any(s.size == "pov" and "pov" in s.tags for s in plan.shots), sizes
    assert any(s.size == "medium" and "the door" in s.action for s in plan.shots), sizes
    back = next(s for s in plan.shots if "back_to_scene" in s.tags)
    assert back.size == "wide" and back.action == "Maya folds the letter."
    fax = by_scene(plan, "sc-study")[-1]
    assert fax.description.startswith("as written") and fax.action == "A fax machine whirs."
    assert shot_line("Close on the table") is None  # only CAPS shot phrases count
    assert shot_line("ONE more thing") is None


def test_caps_prop_gets_an_insert_once_per_scene_and_sound_words_become_cues() -> None:
    plan = plan_script(
        script(
            H("INT. KITCHEN - NIGHT"),
            A("Tom picks up the KNIFE. The door SLAMS. The lights FLICKER."),
            A("He puts the KNIFE down. The kettle WHISTLES and the phone RINGS."),
        ),
        WIDE,
    )
    inserts = [s for s in plan.shots if s.size == "insert"]
    assert [s.description for s in inserts] == ["insert: KNIFE"]
    cues = [c for s in plan.shots for c in s.cues]
    assert [c.word for c in cues] == ["SLAMS", "WHISTLES", "RINGS"]  # FLICKER is visual, not a sound
    whistles, rings = cues[1], cues[2]
    assert 0 <= whistles.offset < rings.offset
    host = next(s for s in plan.shots if any(c.word == "RINGS" for c in s.cues))
    assert [c.id for c in host.cues] == [f"{host.id}-c1", f"{host.id}-c2"]
    assert host.cues[0].description == "The kettle WHISTLES and the phone RINGS."


# --------------------------------------------------------------------------------- transitions


def test_transitions_map_to_nle_transitions() -> None:
    plan = plan_script(
        script(
            A("FADE IN:"),
            H("INT. A - DAY"),
            A("One."),
            T("DISSOLVE TO:"),
            H("INT. B - DAY"),
            A("Two."),
            T("MATCH CUT TO:"),
            H("INT. C - DAY"),
            A("Three."),
            T("SMASH CUT TO:"),
            H("INT. D - DAY"),
            A("Four."),
            T("WIPE TO:"),
            H("INT. E - DAY"),
            A("Five."),
            A("FADE OUT."),
            H("INT. F - DAY"),
            A("Six."),
            A("CUT TO BLACK."),
        ),
        WIDE,
    )
    first = {s.scene_id: s for s in reversed(plan.shots)}  # the first shot of each scene
    assert first["sc-a"].transition_in.kind == "fade" and first["sc-a"].transition_in.duration == WIDE.fade
    assert first["sc-b"].transition_in.kind == "dissolve" and first["sc-b"].transition_in.duration == WIDE.dissolve
    assert first["sc-c"].transition_in.kind == "cut" and "match_cut" in first["sc-c"].tags
    assert first["sc-d"].transition_in.tag == "smash_cut" and "smash_cut" in first["sc-d"].tags
    wipe = first["sc-e"].transition_in
    assert wipe.kind == "wipe" and wipe.wipe == "barWipe" and wipe.duration == WIDE.wipe
    e_last = by_scene(plan, "sc-e")[-1]
    assert e_last.transition_out.kind == "fade" and e_last.transition_out.tag == "fade_out"
    end = plan.shots[-1].transition_out
    assert end.kind == "cut" and end.duration == 0 and end.tag == "cut_to_black"
    assert transition_of("FADE TO BLACK.") == ("fade_out", "fade_to_black", None)
    assert transition_of("She cuts to the chase") is None


# ---------------------------------------------------------------------------------- durations


def test_speaking_rate_model_counts_words_and_punctuation() -> None:
    plain = speaking_seconds("one two three four five six seven eight nine ten", 2.5)
    assert plain == pytest.approx(4.0)
    assert speaking_seconds("one, two, three... four -- five six seven eight nine ten", 2.5) > plain + 0.9
    assert speaking_seconds("Hi.", 2.5) == pytest.approx(0.5)  # floor


def test_durations_are_clamped_and_totalled_per_scene() -> None:
    long_action = "word " * 200
    plan = plan_script(script(H("INT. A - DAY"), A("Short."), A(long_action), C("ANNA"), D("Hi there.")), WIDE)
    durations = [s.duration for s in plan.shots]
    assert min(durations) >= WIDE.min_shot and max(durations) <= WIDE.max_shot
    line = plan.shots[-1].dialogue[0]
    assert line.duration == pytest.approx(speaking_seconds("Hi there.", WIDE.words_per_second), abs=0.01)
    assert plan.shots[-1].duration >= line.offset + line.duration
    assert plan.scene_durations["sc-a"] == pytest.approx(sum(durations), abs=0.011)
    lines = summary_lines(plan)
    assert lines[0].startswith("sc-a") and f"{len(plan.shots):3d} shots" in lines[0]
    assert lines[-1].startswith("total") and f"{plan.duration:7.2f} s" in lines[-1]


# ------------------------------------------------------------------------------------ prompts


def test_every_shot_gets_a_prompt_seed_and_negative_prompt() -> None:
    plan = plan_script(script(*EXCHANGE), WIDE)
    for shot in plan.shots:
        assert shot.prompt.startswith(WIDE.style_prompt)
        assert "interior, cafe, day" in shot.prompt
        assert shot.seed == seed_for(shot.id)
        assert shot.negative_prompt == WIDE.negative_prompt
    assert "two-shot of Anna and Ben" in plan.shots[1].prompt
    assert len({s.seed for s in plan.shots}) == len(plan.shots)


def test_prompt_template_errors_are_user_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.j2"
    bad.write_text("{{ no_such_variable }}", encoding="utf-8")
    template = WIDE.model_copy(update={"prompt_template": str(bad)})
    with pytest.raises(ScriptkitError, match="no_such_variable"):
        plan_script(script(H("INT. A - DAY"), A("One.")), template)


# ---------------------------------------------------------------------------------- stable ids

STORY = (
    H("INT. KITCHEN - NIGHT"),
    A("ANNA cooks."),
    C("ANNA"),
    D("Dinner!"),
    H("EXT. GARDEN - NIGHT"),
    A("BEN smokes."),
    C("BEN"),
    D("Coming."),
    H("INT. KITCHEN - LATER"),
    A("They eat."),
    C("ANNA"),
    D("Well?"),
    C("BEN"),
    D("Good."),
    H("INT. HALL - NIGHT"),
    A("A KEY turns."),
)


def ids_by_scene(plan: ShotList) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for shot in plan.shots:
        result.setdefault(shot.scene_id, []).append(shot.id)
    return result


def test_shot_ids_survive_edits_of_other_scenes() -> None:
    base = ids_by_scene(plan_script(script(*STORY), WIDE))
    assert list(base) == ["sc-kitchen", "sc-garden", "sc-kitchen-2", "sc-hall"]
    assert base["sc-garden"][0] == "sc-garden-001"
    inserted = (*STORY[:4], H("EXT. STREET - NIGHT"), A("A car passes."), C("DRIVER"), D("Hey!"), *STORY[4:])
    deleted = STORY[:4] + STORY[8:]
    edited = (*STORY[:6], A("BEN drops the CIGARETTE. A dog BARKS."), *STORY[6:])
    for variant, changed in ((inserted, "sc-street"), (deleted, "sc-garden"), (edited, "sc-garden")):
        after = ids_by_scene(plan_script(script(*variant), WIDE))
        for scene_id, ids in base.items():
            if scene_id != changed:
                assert after[scene_id] == ids, (changed, scene_id)
        assert (changed in after) == (variant is not deleted)


def test_scene_numbers_pin_scene_ids() -> None:
    numbered = script(H("INT. KITCHEN - NIGHT", number="12A"), A("Hi."), H("INT. KITCHEN - DAY", number="13"))
    assert scene_ids(numbered) == ["sc12a-kitchen", "sc13-kitchen"]
    plan = plan_script(numbered, WIDE)
    assert plan.shots[0].id == "sc12a-kitchen-001"
    odd = script(H("INT. КУХНЯ - НОЧЬ"), H("INT. КУХНЯ - ДЕНЬ"), H("INT. 食堂 - DAY"))
    ids = scene_ids(odd)
    assert ids[0].startswith("sc-loc-") and ids[1] == ids[0] + "-2" and ids[2] != ids[0]


def test_planning_is_deterministic() -> None:
    one = dump_yaml(plan_script(script(*STORY), VERTICAL))
    two = dump_yaml(plan_script(script(*STORY), VERTICAL))
    assert one == two


# --------------------------------------------------------------------------- real screenplays


def test_example_episode_plans_to_about_sixty_seconds() -> None:
    plan = load_shotlist(EXAMPLE, VERTICAL)
    assert 50 <= plan.duration <= 70, summary_lines(plan)
    assert plan.title == "The Last Train" and plan.characters == ["MAYA", "THEO"]
    assert (plan.width, plan.height, plan.fps) == (1080, 1920, "30")
    assert plan.music is not None and plan.music.description == VERTICAL.music_prompt
    assert plan.shots[0].tags == ["hook"] and plan.shots[0].transition_in.kind == "fade"
    words = {c.word for s in plan.shots for c in s.cues}
    assert {"HORN", "SLAM", "SCREECH"} <= words and "FLICKER" not in words
    assert any(s.transition_in and s.transition_in.kind == "dissolve" for s in plan.shots)
    assert plan.shots[-1].transition_out.tag == "cut_to_black"
    vo = next(s for s in plan.shots if "vo" in s.tags)
    assert vo.dialogue[0].text == "Nobody takes pictures of an empty train."
    assert len({s.id for s in plan.shots}) == len(plan.shots)
    assert sum(plan.scene_durations.values()) == pytest.approx(plan.duration, abs=0.05)


def corpus_scripts() -> list[Path]:
    full = sorted((CORPUS / "full_length").glob("*.fountain")) + sorted((CORPUS / "full_length").glob("*.fdx"))
    return full + sorted((CORPUS / "nyousefi").glob("*.fountain"))


@pytest.mark.parametrize("path", corpus_scripts(), ids=lambda p: p.name)
def test_real_screenplays_plan_sensibly(path: Path) -> None:
    template = WIDE if path.suffix == ".fdx" else VERTICAL
    plan = load_shotlist(path, template)
    elements = load_script(path).elements
    content = [e for e in elements if e.type in ("scene_heading", "action", "dialogue", "centered")]
    assert bool(plan.shots) == any(e.type != "action" or transition_of(e.text) is None for e in content), path
    assert len({s.id for s in plan.shots}) == len(plan.shots)
    for shot in plan.shots:
        assert template.min_shot <= shot.duration
        spoken = max((d.offset + d.duration for d in shot.dialogue), default=0.0)
        assert shot.duration <= template.max_shot or shot.duration <= spoken + 0.51, shot.id
        assert shot.prompt and shot.seed == seed_for(shot.id)
        assert shot.id.startswith(shot.scene_id + "-")
    if path.parent.name == "full_length":
        assert len(plan.scene_durations) > 3
        # these scripts write sounds in CAPS (RINGS, SMASH, CLACK...); my_living_memory has none
        assert any(s.cues for s in plan.shots) or path.stem == "my_living_memory"


def test_fountain_and_fdx_of_the_same_script_plan_the_same_ids() -> None:
    fountain = load_shotlist(CORPUS / "full_length" / "Brick-and-Steel.fountain", WIDE)
    fdx = load_shotlist(CORPUS / "full_length" / "Brick-and-Steel.fdx", WIDE)
    assert [s.scene_id for s in fountain.shots][:5] == [s.scene_id for s in fdx.shots][:5]


def test_load_shotlist_reads_a_written_shot_list(tmp_path: Path) -> None:
    from scriptkit.shotlist_io import write_shotlist

    plan = load_shotlist(EXAMPLE, VERTICAL)
    write_shotlist(plan, tmp_path / "shots.yaml")
    assert load_shotlist(tmp_path / "shots.yaml", VERTICAL) == plan
    assert load_script(EXAMPLE).title == plan.title


def test_template_type_is_the_model() -> None:
    assert isinstance(WIDE, Template) and WIDE.music_prompt


def test_huge_paragraphs_and_speeches_plan_in_linear_time() -> None:
    import time

    lines = "\n".join(f"The BOX{n % 50} falls and the door SLAMS near ANNA" for n in range(6000))
    one_line = " ".join(f"a KNIFE{n % 7} SLAMS" for n in range(6000))
    speech = " ".join("Sentence number one is here." for _ in range(1500))
    start = time.perf_counter()
    plan = plan_script(
        script(H("INT. A - DAY"), A(lines), A(one_line), C("ANNA"), D(speech), C("BEN"), D(speech)), WIDE
    )
    assert time.perf_counter() - start < 8  # quadratic work here takes minutes
    assert sum(len(s.cues) for s in plan.shots) == 12000
    assert all(len(c.description) <= 201 for s in plan.shots for c in s.cues)


# ----------------------------------------------------------------------------- unvalidated construction


@pytest.mark.parametrize("template", [WIDE, VERTICAL], ids=["widescreen", "vertical-drama"])
def test_fast_built_shot_list_survives_revalidation(template: Template) -> None:
    """plan_script builds shots without pydantic validation: they must be exactly what validation gives."""
    texts = [path.read_bytes() for path in sorted((CORPUS / "full_length").glob("*.fountain"))]
    big = parse_fountain_bytes(b"\n\n".join(texts), source="big.fountain")
    shotlist = plan_script(big, template)
    assert len(shotlist.shots) > 500
    assert sum(len(shot.dialogue) for shot in shotlist.shots) > 200
    assert any(shot.cues for shot in shotlist.shots) and any(shot.transition_in for shot in shotlist.shots)
    again = ShotList.model_validate(shotlist.model_dump())
    assert again == shotlist
    assert again.model_dump_json() == shotlist.model_dump_json()  # same key order too
    assert ShotList.model_validate(shotlist.model_dump(exclude_unset=True)) == shotlist
    for ours, validated in zip(shotlist.shots, again.shots, strict=True):
        assert ours.model_fields_set == validated.model_fields_set
        for part in [*ours.dialogue, *ours.cues]:  # the fields set is what validating only the set fields gives
            rebuilt = type(part).model_validate(part.model_dump(exclude_unset=True))
            assert rebuilt == part and rebuilt.model_fields_set == part.model_fields_set


def test_a_template_that_allows_zero_length_shots_is_still_refused() -> None:
    """With min_shot 0 an empty scene's establishing wide lasts 0 s: still refused, as one located error."""
    zero = WIDE.model_copy(update={"min_shot": 0.0})
    with pytest.raises(ScriptkitError, match=r"shots\.0\.duration: Input should be greater than 0"):
        plan_script(script(H("INT. ROOM - DAY"), H("EXT. YARD - DAY")), zero)


def test_a_hand_added_shot_gets_a_prompt_that_names_the_cast_like_planned_shots() -> None:
    from scriptkit.prompts import fill_prompts

    template = load_template("vertical-drama")
    shotlist = load_shotlist(Path(__file__).resolve().parents[1] / "examples" / "last-train.fountain", template)
    added = shotlist.shots[3].model_copy(
        update={"id": "sc-extra-001", "prompt": "", "action": "THEO lowers the paper."}
    )
    shotlist.shots.append(added)
    prompt = fill_prompts(shotlist, template).shots[-1].prompt
    assert "Theo lowers the paper" in prompt
    assert "theo lowers" not in prompt
