"""Spec cases for the Fountain reader: one or more per bullet of Fountain 1.1 (issue 2), plus decoding,
bad input, linear time on pathological input and the `scriptkit parse --json` contract."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scriptkit.cli import app
from scriptkit.errors import ScriptkitError
from scriptkit.models import Element, Script
from scriptkit.parse import load_script
from scriptkit.parse.fountain import parse_fountain, parse_fountain_bytes


def parse(text: str) -> Script:
    return parse_fountain(text, source="spec.fountain")


def kinds(text: str) -> list[tuple[str, str]]:
    return [(e.type, e.text) for e in parse(text).elements]


def only(text: str, kind: str) -> list[Element]:
    return [e for e in parse(text).elements if e.type == kind]


# ------------------------------------------------------------------------------------------ title page


def test_title_page_keys_and_multiline_indented_values() -> None:
    text = (
        "Title:\n"
        "    _**BRICK & STEEL**_\n"
        "    _**FULL RETIRED**_\n"
        "Credit: Written by\n"
        "Author: Stu Maschwitz\n"
        "Draft date: 1/20/2012\n"
        "Contact:\n"
        "\tNext Level Productions\n"
        "\t1588 Mission Dr.\n"
        "\n"
        "EXT. BRICK'S PATIO - DAY\n"
    )
    script = parse(text)
    assert script.title_page == {
        "title": "BRICK & STEEL\nFULL RETIRED",
        "credit": "Written by",
        "author": "Stu Maschwitz",
        "draft date": "1/20/2012",
        "contact": "Next Level Productions\n1588 Mission Dr.",
    }
    assert script.title == "BRICK & STEEL FULL RETIRED"
    assert [(e.type, e.text, e.line) for e in script.elements] == [("scene_heading", "EXT. BRICK'S PATIO - DAY", 11)]


def test_title_page_ends_at_a_line_that_is_not_a_key() -> None:
    script = parse("Title: T\nNot a title entry.\nStill: Not a title entry.\n")
    assert script.title_page == {"title": "T"}
    assert [(e.type, e.text, e.line) for e in script.elements] == [
        ("action", "Not a title entry.\nStill: Not a title entry.", 2)
    ]


def test_title_page_of_unknown_keys_needs_two_key_lines() -> None:
    assert parse("Episode Code: 7B\nShowrunner: Ana\n\nBOB\nHi.\n").title_page == {
        "episode code": "7B",
        "showrunner": "Ana",
    }


@pytest.mark.parametrize(
    "first",
    [
        "Steel, in the middle of a heated phone call: he hangs up.",
        "He checks his watch: 9:15.",
        "The sign reads: CLOSED",
        "CUT TO:",
    ],
)
def test_first_action_line_with_a_colon_is_not_a_title_page(first: str) -> None:
    script = parse(f"{first}\n\nINT. HOUSE - DAY\n")
    assert script.title_page == {}
    assert script.elements[0].text == first
    assert script.elements[0].line == 1
    assert script.elements[0].type in ("action", "transition")


# --------------------------------------------------------------------------------------- scene headings


@pytest.mark.parametrize(
    "heading",
    [
        "INT. HOUSE - DAY",
        "EXT. HOUSE - NIGHT",
        "EST. CITY SKYLINE - DAWN",
        "INT./EXT. CAR - MOVING",
        "INT/EXT CAR - MOVING",
        "I/E CAR - MOVING",
        "int. kitchen - day",
        "Ext. garden - day",
        "INT HOUSE - DAY",
    ],
)
def test_scene_heading_forms(heading: str) -> None:
    script = parse(f"{heading}\n\nShe waits.\n")
    assert [(e.type, e.text) for e in script.elements] == [("scene_heading", heading), ("action", "She waits.")]
    assert len(script.scenes) == 1


def test_scene_heading_needs_a_blank_line_before_and_not_a_word_prefix() -> None:
    assert kinds("He walks in.\nINT. HOUSE - DAY\n") == [("action", "He walks in.\nINT. HOUSE - DAY")]
    assert kinds("INTERIOR DESIGN MATTERS.\n\nEXTRA CHEESE.\n") == [
        ("action", "INTERIOR DESIGN MATTERS."),
        ("action", "EXTRA CHEESE."),
    ]


def test_scene_heading_without_blank_after_starts_the_next_element() -> None:
    assert kinds("INT. HALLWAY - NIGHT\nYou can nest sections.\n") == [
        ("scene_heading", "INT. HALLWAY - NIGHT"),
        ("action", "You can nest sections."),
    ]


def test_forced_scene_heading_and_ellipsis_action() -> None:
    script = parse(".SNIPER SCOPE POV\n\n...where the carnival is parked.\n\n. NOT A HEADER\n\n.ПЛОЩАДЬ\n")
    assert [(e.type, e.text, e.forced) for e in script.elements] == [
        ("scene_heading", "SNIPER SCOPE POV", True),
        ("action", "...where the carnival is parked.", False),
        ("action", ". NOT A HEADER", False),
        ("scene_heading", "ПЛОЩАДЬ", True),
    ]


def test_scene_numbers() -> None:
    headings = only(
        "INT. HOUSE - DAY #12A#\n\nEXT. FIELD #1.1#\n\n.FORCED #A3-1#\n\nINT. NONE - DAY\n", "scene_heading"
    )
    assert [(h.text, h.number) for h in headings] == [
        ("INT. HOUSE - DAY", "12A"),
        ("EXT. FIELD", "1.1"),
        ("FORCED", "A3-1"),
        ("INT. NONE - DAY", None),
    ]
    script = parse("INT. HOUSE - DAY #12A#\n\nAction.\n")
    assert script.scenes[0].number == "12A"
    assert script.scenes[0].location == "HOUSE"


# ---------------------------------------------------------------------------------------------- action


def test_action_keeps_line_breaks_and_indentation() -> None:
    text = "He opens the card:\n\n    Scott --\n    Jacob Billups\n      RM 412\nThen he leaves.\n"
    assert kinds(text) == [
        ("action", "He opens the card:"),
        ("action", "    Scott --\n    Jacob Billups\n      RM 412\nThen he leaves."),
    ]


def test_forced_action() -> None:
    script = parse("!THIS IS FORCED ACTION\nThis is another line of action!\n\n!SCANNING THE AISLES\nNo luck.\n")
    assert [(e.type, e.text, e.forced) for e in script.elements] == [
        ("action", "THIS IS FORCED ACTION\nThis is another line of action!", True),
        ("action", "SCANNING THE AISLES\nNo luck.", True),
    ]


def test_caps_lines_inside_a_paragraph_stay_action() -> None:
    text = "The phone rings.\nBANG!\nTHE DOOR EXPLODES.\nSmoke.\n"
    assert kinds(text) == [("action", "The phone rings.\nBANG!\nTHE DOOR EXPLODES.\nSmoke.")]


def test_a_caps_line_with_a_blank_line_after_is_action_not_a_character() -> None:
    assert kinds("BOB\n\nThis one is not dialogue.\n") == [("action", "BOB"), ("action", "This one is not dialogue.")]


# ------------------------------------------------------------------------------------------ characters


@pytest.mark.parametrize(
    ("cue", "name", "extensions"),
    [
        ("STEEL", "STEEL", []),
        ("MOM (O.S.)", "MOM", ["O.S."]),
        ("NARRATOR (V.O.)", "NARRATOR", ["V.O."]),
        ("STEEL (V.O.) (CONT'D)", "STEEL", ["V.O.", "CONT'D"]),
        ("STEEL (cont'd)", "STEEL", ["cont'd"]),
        ("HANS (on the radio)", "HANS", ["on the radio"]),
        ("MOM (O. S.)", "MOM", ["O. S."]),
        ("GUARD #2", "GUARD #2", []),
        ("R2-D2", "R2-D2", []),
        ("DR. BENNET", "DR. BENNET", []),
        ("O'BRIEN", "O'BRIEN", []),
        ("MAN/WOMAN", "MAN/WOMAN", []),
        ("C3PO", "C3PO", []),
        ("ÉLODIE", "ÉLODIE", []),
        ("ИВАН (З.К.)", "ИВАН", ["З.К."]),
        ("ME ", "ME", []),
    ],
)
def test_character_cues(cue: str, name: str, extensions: list[str]) -> None:
    script = parse(f"{cue}\nSome words.\n")
    character, dialogue = script.elements
    assert (character.type, character.name, character.extensions, character.dual) == (
        "character",
        name,
        extensions,
        False,
    )
    assert character.text == cue.strip()
    assert (dialogue.type, dialogue.text, dialogue.line) == ("dialogue", "Some words.", 2)
    assert [c.name for c in script.characters] == [name]


@pytest.mark.parametrize(
    "line", ["1984", "- 1 -", "Han (O. S.)", "AND ^ (Dual)", "BOB (V.O.) SAYS", "CUT TO:", "42 (V.O.)"]
)
def test_not_character_cues(line: str) -> None:
    assert [e.type for e in parse(f"{line}\nSome words.\n").elements] == ["action"]


@pytest.mark.parametrize(
    ("cue", "name", "extensions"),
    [
        ("@McCLANE", "McCLANE", []),
        ("@Han (O.S.)", "Han", ["O.S."]),
        ("@太郎", "太郎", []),
        ("@Анна (за кадром)", "Анна", ["за кадром"]),
        ("@1984", "1984", []),
    ],
)
def test_forced_characters(cue: str, name: str, extensions: list[str]) -> None:
    character, dialogue = parse(f"{cue}\nYippie ki-yay!\n").elements
    assert (character.type, character.name, character.extensions, character.forced) == (
        "character",
        name,
        extensions,
        True,
    )
    assert character.text == cue[1:]
    assert dialogue.type == "dialogue"


def test_dual_dialogue() -> None:
    script = parse("BRICK\nScrew retirement.\n\nSTEEL ^\nScrew retirement.\n\nBUT (V.O.) ^\nYes.\n\nGUY^\nHello!\n")
    cues = [e for e in script.elements if e.type == "character"]
    assert [(c.name, c.extensions, c.dual) for c in cues] == [
        ("BRICK", [], False),
        ("STEEL", [], True),
        ("BUT", ["V.O."], True),
        ("GUY", [], True),
    ]
    assert cues[1].text == "STEEL"


# ---------------------------------------------------------------------------- parentheticals, dialogue


def test_parentheticals_at_start_and_mid_dialogue() -> None:
    text = "STEEL\n(starting the engine)\nThey're coming!\n  (pause)\nNo, everybody!\n(beat)\n(quietly)\nPoint Blank?\n"
    assert kinds(text) == [
        ("character", "STEEL"),
        ("parenthetical", "(starting the engine)"),
        ("dialogue", "They're coming!"),
        ("parenthetical", "(pause)"),
        ("dialogue", "No, everybody!"),
        ("parenthetical", "(beat)"),
        ("parenthetical", "(quietly)"),
        ("dialogue", "Point Blank?"),
    ]


def test_a_parenthesis_paragraph_without_a_cue_is_action() -> None:
    assert kinds("(Jack)\nKnife.\n") == [("action", "(Jack)\nKnife.")]


def test_dialogue_keeps_line_breaks_and_two_space_blank_lines() -> None:
    script = parse("DEALER\nTen.\nFour.\n  \nHit or stand sir?\n\nMONKEY\nDude.\n")
    assert [(e.type, e.text, e.line) for e in script.elements] == [
        ("character", "DEALER", 1),
        ("dialogue", "Ten.\nFour.\n\nHit or stand sir?", 2),
        ("character", "MONKEY", 7),
        ("dialogue", "Dude.", 8),
    ]


def test_a_truly_blank_line_ends_dialogue() -> None:
    assert kinds("DEALER\nTen.\n\nHit or stand sir?\n") == [
        ("character", "DEALER"),
        ("dialogue", "Ten."),
        ("action", "Hit or stand sir?"),
    ]


def test_indented_screenplay_layout() -> None:
    text = "            DAVE\n    Nice day, right?\n        (beat)\n    Isn't it?\n\n            CUT TO:\n"
    assert kinds(text) == [
        ("character", "DAVE"),
        ("dialogue", "Nice day, right?"),
        ("parenthetical", "(beat)"),
        ("dialogue", "Isn't it?"),
        ("transition", "CUT TO:"),
    ]


# ---------------------------------------------------------------------------------------------- lyrics


def test_lyrics() -> None:
    text = (
        "~Willy Wonka! Willy Wonka!\n\nANDHERE\nIs some dialogue.\n~ This a lyric\n\n"
        "~First\n~Second\nAnd more action.\n"
    )
    script = parse(text)
    assert [(e.type, e.text, e.line) for e in script.elements] == [
        ("lyric", "Willy Wonka! Willy Wonka!", 1),
        ("character", "ANDHERE", 3),
        ("dialogue", "Is some dialogue.", 4),
        ("lyric", "This a lyric", 5),
        ("lyric", "First", 7),
        ("lyric", "Second", 8),
        ("action", "And more action.", 9),
    ]


# ----------------------------------------------------------------------------------------- transitions


def test_transitions_need_blank_lines_around_and_caps() -> None:
    text = "Action.\n\nCUT TO:\n\nINT. A - DAY\n\nSMASH CUT TO:\nMore action.\n\nboop boop TO:\n\n    DISSOLVE TO:\n"
    assert kinds(text) == [
        ("action", "Action."),
        ("transition", "CUT TO:"),
        ("scene_heading", "INT. A - DAY"),
        ("action", "SMASH CUT TO:\nMore action."),
        ("action", "boop boop TO:"),
        ("transition", "DISSOLVE TO:"),
    ]


def test_forced_transitions() -> None:
    script = parse("> Black screen indicating a discontinuity of time.\n\n>fade to black\n\n>BURN TO WHITE.\n")
    assert [(e.type, e.text, e.forced) for e in script.elements] == [
        ("transition", "Black screen indicating a discontinuity of time.", True),
        ("transition", "fade to black", True),
        ("transition", "BURN TO WHITE.", True),
    ]


@pytest.mark.parametrize("line", ["FADE IN:", "CUT TO: ", "NOT A TRANSITION TO:  ", "FADE OUT."])
def test_not_transitions(line: str) -> None:
    assert kinds(f"INT. A - DAY\n\n{line}\n\nMore.\n")[1] == ("action", line.rstrip())


# -------------------------------------------------------------------------------------------- centered


def test_centered_text() -> None:
    script = parse(">THE END<\n\n> CENTERED BIT <  \n\n>**Act Two**<\n>Later<\n")
    assert [(e.type, e.text) for e in script.elements] == [
        ("centered", "THE END"),
        ("centered", "CENTERED BIT"),
        ("centered", "Act Two\nLater"),
    ]
    assert [(r.text, r.styles) for r in script.elements[2].runs] == [("Act Two", ["bold"]), ("\nLater", [])]


# -------------------------------------------------------------------------------------------- emphasis


def runs(text: str) -> list[tuple[str, list[str]]]:
    element = parse(text).elements[0]
    return [(r.text, r.styles) for r in element.runs]


def test_emphasis_styles() -> None:
    script = parse("*italics*\n**bold**\n***bold italics***\n_underline_\n")
    assert script.elements[0].text == "italics\nbold\nbold italics\nunderline"
    assert runs("*italics*\n**bold**\n***bold italics***\n_underline_\n") == [
        ("italics", ["italic"]),
        ("\n", []),
        ("bold", ["bold"]),
        ("\n", []),
        ("bold italics", ["bold", "italic"]),
        ("\n", []),
        ("underline", ["underline"]),
    ]


def test_nested_emphasis() -> None:
    text = "From only INCHES AWAY. _Steel's face FILLS the *Leupold Mark 4* scope_."
    assert parse(text).elements[0].text == "From only INCHES AWAY. Steel's face FILLS the Leupold Mark 4 scope."
    assert runs(text) == [
        ("From only INCHES AWAY. ", []),
        ("Steel's face FILLS the ", ["underline"]),
        ("Leupold Mark 4", ["italic", "underline"]),
        (" scope", ["underline"]),
        (".", []),
    ]


@pytest.mark.parametrize(
    ("source", "plain"),
    [
        ("Steel enters the code on the keypad: **\\*9765\\***", "Steel enters the code on the keypad: *9765*"),
        ("He dialed *69 and then *23, and then hung up.", "He dialed *69 and then *23, and then hung up."),
        ("He dialed *69 and then 23\\*, and then hung up.", "He dialed *69 and then 23*, and then hung up."),
        ("He dialed _69 and then 23 _, and then hung up.", "He dialed _69 and then 23 _, and then hung up."),
        ("A \\_literal\\_ underscore.", "A _literal_ underscore."),
        ("Two * stars * apart.", "Two * stars * apart."),
    ],
)
def test_emphasis_escapes_and_unmatched_markers(source: str, plain: str) -> None:
    element = parse(source).elements[0]
    assert element.text == plain
    assert "".join(r.text for r in element.runs) in ("", plain)


def test_escaped_markers_inside_bold_keep_the_style() -> None:
    assert runs("Code: **\\*9765\\***") == [("Code: ", []), ("*9765*", ["bold"])]


def test_emphasis_does_not_span_paragraphs() -> None:
    script = parse("Brick and Steel *share a look.\n\nThis is going to be BAD.*\n")
    assert [e.text for e in script.elements] == ["Brick and Steel *share a look.", "This is going to be BAD.*"]
    assert all(e.runs == [] for e in script.elements)


def test_emphasis_in_dialogue_and_character_runs() -> None:
    dialogue = parse("DAN\nThen let's retire them.\n_Permanently_.\n").elements[1]
    assert dialogue.text == "Then let's retire them.\nPermanently."
    assert [(r.text, r.styles) for r in dialogue.runs] == [
        ("Then let's retire them.\n", []),
        ("Permanently", ["underline"]),
        (".", []),
    ]


# ----------------------------------------------------------------------------------------------- notes


def test_inline_notes_are_removed_and_kept() -> None:
    script = parse("Before1 [[some notes]]After1\n\nMultiple [[notes]] on one[[line]]\n")
    assert [(e.type, e.text, e.notes) for e in script.elements] == [
        ("action", "Before1 After1", ["some notes"]),
        ("action", "Multiple on one", ["notes", "line"]),
    ]


def test_multiline_inline_note_joins_the_line_back() -> None:
    text = (
        "INT. A - DAY\n\nThe phone RINGS.[[This needs work.\nOr coffee.\n  \nDefinitely coffee.]] He looks around."
        "\n\nNext.\n"
    )
    script = parse(text)
    assert [(e.type, e.text, e.line, e.notes) for e in script.elements] == [
        ("scene_heading", "INT. A - DAY", 1, []),
        ("action", "The phone RINGS. He looks around.", 3, ["This needs work.\nOr coffee.\n\nDefinitely coffee."]),
        ("action", "Next.", 8, []),
    ]


def test_standalone_notes_single_and_multiline() -> None:
    text = (
        "Before.\n\n[[Note as its own paragraph]]\n\nAfter.\n\n"
        "[[Note as its own paragraph\non several lines]]\n\nLast.\n"
    )
    script = parse(text)
    assert [(e.type, e.text, e.line) for e in script.elements] == [
        ("action", "Before.", 1),
        ("note", "Note as its own paragraph", 3),
        ("action", "After.", 5),
        ("note", "Note as its own paragraph\non several lines", 7),
        ("action", "Last.", 10),
    ]


def test_note_line_inside_dialogue_goes_to_the_dialogue() -> None:
    script = parse("BOB\nHello.\n[[cut this?]]\nGoodbye.\n")
    assert [(e.type, e.text, e.notes) for e in script.elements] == [
        ("character", "BOB", []),
        ("dialogue", "Hello.\nGoodbye.", ["cut this?"]),
    ]


def test_note_before_a_cue_does_not_break_the_cue() -> None:
    assert kinds("[[a note]]\nBOB\nHello.\n") == [("note", "a note"), ("character", "BOB"), ("dialogue", "Hello.")]


def test_a_note_cannot_contain_a_blank_line() -> None:
    script = parse("This is not [[\na proper note\n\nbecause it contains a blank line\n]]\n")
    assert [e.text for e in script.elements] == [
        "This is not [[\na proper note",
        "because it contains a blank line\n]]",
    ]


# -------------------------------------------------------------------------------------------- boneyard


def test_boneyard_across_a_whole_scene_keeps_line_numbers() -> None:
    text = (
        "As he rattles off the list.\n\nCUT TO:\n/*\nINT. GARAGE - DAY\n\nBRICK\nThis is everybody.\n\n"
        "CUT TO:\n*/\nEXT. PALATIAL MANSION - DAY\n\nA MAN drinks a beer.\n"
    )
    script = parse(text)
    assert [(e.type, e.text, e.line) for e in script.elements] == [
        ("action", "As he rattles off the list.", 1),
        ("transition", "CUT TO:", 3),
        ("scene_heading", "EXT. PALATIAL MANSION - DAY", 12),
        ("action", "A MAN drinks a beer.", 14),
    ]
    assert script.characters == []


def test_boneyard_inside_a_line_and_inside_dialogue() -> None:
    text = (
        "This is an /* internal */ boneyard.\n\nBOB\nHello.\n/* (cut this line) */\nGoodbye /* multi\nline */ now."
        "\nEnd.\n"
    )
    script = parse(text)
    assert [(e.type, e.text, e.line) for e in script.elements] == [
        ("action", "This is an boneyard.", 1),
        ("character", "BOB", 3),
        ("dialogue", "Hello.\nGoodbye now.\nEnd.", 4),
    ]


def test_boneyard_swallowing_only_non_blank_lines_joins_the_paragraph() -> None:
    assert kinds("This is something.\n/*\nnope\nnope\n*/\nOK.\n") == [("action", "This is something.\nOK.")]


def test_boneyard_across_notes_and_notes_markers_inside_boneyard() -> None:
    script = parse("A /* [[not a note]] \n\n ]] */ B\n\n[[real /* not boneyard */ note]]\n")
    assert [(e.type, e.text) for e in script.elements] == [("action", "A B"), ("note", "real /* not boneyard */ note")]


# ------------------------------------------------------------------------- sections, synopses, breaks


def test_sections_synopses_and_page_breaks() -> None:
    text = (
        "# ACT I\n\n= Set up the characters.\n\n## Sequence\n\n### Scene\n\nEXT. PATIO - DAY\n"
        "= Sets up the retirees.\n\nA gorgeous day.\n\n===\n   ====\n\nLater.\n"
    )
    script = parse(text)
    assert [(e.type, e.text, e.line, e.level) for e in script.elements] == [
        ("section", "ACT I", 1, 1),
        ("synopsis", "Set up the characters.", 3, None),
        ("section", "Sequence", 5, 2),
        ("section", "Scene", 7, 3),
        ("scene_heading", "EXT. PATIO - DAY", 9, None),
        ("synopsis", "Sets up the retirees.", 10, None),
        ("action", "A gorgeous day.", 12, None),
        ("page_break", "", 14, None),
        ("page_break", "", 15, None),
        ("action", "Later.", 17, None),
    ]
    assert script.scenes[0].summary == "Sets up the retirees."


# ------------------------------------------------------------------------------- line endings, BOM, tabs

SIMPLE = "Title: X\n\nEXT. SOMEWHERE - DAY\n\nGUY and GURL walk.\n\nGUY\nSo what's up?\n"


def test_crlf_cr_bom_and_tabs_give_the_same_script() -> None:
    expected = parse(SIMPLE).model_dump()
    assert parse_fountain(SIMPLE.replace("\n", "\r\n"), "spec.fountain").model_dump() == expected
    assert parse_fountain(SIMPLE.replace("\n", "\r"), "spec.fountain").model_dump() == expected
    assert parse_fountain("\ufeff" + SIMPLE, "spec.fountain").model_dump() == expected
    data = ("\ufeff" + SIMPLE.replace("\n", "\r\n")).encode("utf-8")
    assert parse_fountain_bytes(data, "spec.fountain").model_dump() == expected
    assert parse_fountain_bytes(SIMPLE.encode("utf-16"), "spec.fountain").model_dump() == expected


def test_tabs_are_four_spaces() -> None:
    script = parse("Title:\n\tMy Film\n\n\tIndented action.\n\n\t\tDAVE\n\tHi.\n")
    assert script.title_page == {"title": "My Film"}
    assert [(e.type, e.text) for e in script.elements] == [
        ("action", "    Indented action."),
        ("character", "DAVE"),
        ("dialogue", "Hi."),
    ]


def test_line_numbers_count_original_lines() -> None:
    text = "Title: T\nAuthor: A\n\n/* one\ntwo */\n[[note]]\nINT. A - DAY\n\nBOB [[n]]\n(beat)\nHi.\n"
    script = parse(text)
    assert [(e.type, e.line) for e in script.elements] == [
        ("note", 6),
        ("scene_heading", 7),
        ("character", 9),
        ("parenthetical", 10),
        ("dialogue", 11),
    ]
    assert script.elements[2].notes == ["n"]


# ---------------------------------------------------------------------------------- unbalanced markers


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("Fine.\n\nSo far /* but this\nnever closes.\n", 3, "boneyard"),
        ("INT. A - DAY\n\nA\nB [[ never closed\n\nC\n", 4, "note"),
        ("/* a */ ok /*\n", 1, "boneyard"),
    ],
)
def test_unbalanced_markers_raise_naming_the_line(text: str, line: int, what: str) -> None:
    with pytest.raises(ScriptkitError) as caught:
        parse(text)
    assert caught.value.line == line
    assert caught.value.path == "spec.fountain"
    assert what in caught.value.message
    assert str(caught.value).startswith(f"spec.fountain:{line}: ")


def test_stray_closers_are_text() -> None:
    assert kinds("A */ and ]] stay.\n") == [("action", "A */ and ]] stay.")]


@pytest.mark.parametrize(
    "text",
    [
        "[[" * 2_500_000,
        "/*" * 2_500_000,
        "*" * 5_000_000,
        "*a " * 350_000,  # dense cases are 1 MB: every marker is a token (still linear)
        "_a*b " * 200_000,
        "*_" * 250_000,
        "[[a\n\n" * 100_000 + "]]",
        " " * 5_000_000 + "(x)\nfoo\n",
        "(" * 5_000_000 + "\nfoo\n",
        "A" * 5_000_000 + " #1\nfoo\n",
        "INT. " + "#" * 5_000_000 + "\n",
        "Title:" + " " * 5_000_000 + "\n",
        "\n" * 5_000_000,
        "  \n" * 2_000_000,
    ],
    ids=[
        "open-notes",
        "boneyards",
        "stars",
        "star-words",
        "mixed-emphasis",
        "alternating-markers",
        "notes-with-blank-lines",
        "spaces-then-paren",
        "parens",
        "long-cue",
        "heading-hashes",
        "title-spaces",
        "newlines",
        "connector-lines",
    ],
)
def test_pathological_input_is_linear(text: str) -> None:
    started = time.process_time()
    with contextlib.suppress(ScriptkitError):
        parse(text)
    assert time.process_time() - started < 3.0


# ------------------------------------------------------------------------------------ decoding, loading


def test_bytes_nul_is_binary_with_line() -> None:
    with pytest.raises(ScriptkitError) as caught:
        parse_fountain_bytes(b"INT. A\n\nfine\n\x00\x01\x02", "x.fountain")
    assert "binary" in caught.value.message
    assert caught.value.line == 4


def test_bytes_undecodable_names_the_line() -> None:
    data = "Title: T\n\nINT. CAFÉ - DAY\n\nShe orders.\n".encode() + b"The bill: 5 \xff euros\n"
    with pytest.raises(ScriptkitError) as caught:
        parse_fountain_bytes(data, "x.fountain")
    assert caught.value.line == 6
    assert "0xff" in caught.value.message
    assert str(caught.value).startswith("x.fountain:6: ")


def test_mostly_control_bytes_is_binary() -> None:
    with pytest.raises(ScriptkitError, match="binary"):
        parse_fountain_bytes(bytes(range(1, 9)) * 200, "x.fountain")


def test_load_script_reads_fountain_files(tmp_path: Path) -> None:
    path = tmp_path / "a.fountain"
    path.write_bytes(b"\xef\xbb\xbfINT. A - DAY\r\n\r\nBOB\r\nHi.\r\n")
    script = load_script(path)
    assert script.source == str(path)
    assert [(e.type, e.line) for e in script.elements] == [("scene_heading", 1), ("character", 3), ("dialogue", 4)]


def test_parsing_is_deterministic() -> None:
    text = (Path(__file__).resolve().parents[1] / "examples").glob("*.fountain")
    for path in text:
        assert (
            parse_fountain_bytes(path.read_bytes()).model_dump_json()
            == parse_fountain_bytes(path.read_bytes()).model_dump_json()
        )
    assert parse(SIMPLE).model_dump_json() == parse(SIMPLE).model_dump_json()


# ------------------------------------------------------------------------------------------------- CLI

runner = CliRunner()


def test_cli_parse_json_contract(tmp_path: Path) -> None:
    path = tmp_path / "scene.fountain"
    path.write_text(
        "Title: Last Train\n\nINT. STATION - NIGHT #3#\n\n# Act One\n\nMAYA (V.O.) ^\nWait [[check]] for me.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["parse", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["title_page"] == {"title": "Last Train"}
    assert data["elements"] == [
        {"type": "scene_heading", "text": "INT. STATION - NIGHT", "line": 3, "number": "3"},
        {"type": "section", "text": "Act One", "line": 5, "level": 1},
        {"type": "character", "text": "MAYA (V.O.)", "line": 7, "name": "MAYA", "extensions": ["V.O."], "dual": True},
        {"type": "dialogue", "text": "Wait for me.", "line": 8, "notes": ["check"]},
    ]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"INT. A\n\nok\n\xc3\x28 bad\n", ":4: "),
        (b"   \n\n", "empty"),
        (b"Fine.\n\n/* open\n", ":3: "),
        (b"Fine.\n\n[[ open\n", ":3: "),
    ],
)
def test_cli_bad_input_is_one_clear_line(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "bad.fountain"
    path.write_bytes(content)
    result = runner.invoke(app, ["parse", str(path), "--json"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "bad.fountain" in result.stderr
    assert needle in result.stderr


# ----------------------------------------------------------------------------- unvalidated construction


def _big_screenplay() -> str:
    """The corpus's full-length Fountain scripts back to back (~120 pages, every kind of element)."""
    full_length = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "screenplays" / "full_length"
    texts = [path.read_text(encoding="utf-8") for path in sorted(full_length.glob("*.fountain"))]
    assert len(texts) >= 3
    return "\n\n".join(texts) + "\n\n/* a boneyard */\n\nINT. ROOM - DAY #7A#\n\nTOM\n(beat)\nHi. [[a note]]\n"


def test_fast_built_script_survives_revalidation() -> None:
    """The reader builds elements and scenes without pydantic validation: they must be what validation gives."""
    script = parse_fountain(_big_screenplay(), source="big.fountain")
    assert len(script.elements) > 2000 and len(script.scenes) > 100
    again = Script.model_validate(script.model_dump())
    assert again == script
    assert again.model_dump() == script.model_dump()
    for ours in script.elements:  # the fields set is what validating only the set fields gives
        rebuilt = Element.model_validate(ours.model_dump(exclude_unset=True))
        assert rebuilt == ours and rebuilt.model_fields_set == ours.model_fields_set
    for ours, validated in zip(script.scenes, again.scenes, strict=True):
        assert ours.model_fields_set == validated.model_fields_set
    # fresh mutable defaults per element, as pydantic makes them
    lists = [id(e.notes) for e in script.elements] + [id(e.runs) for e in script.elements]
    assert len(set(lists)) == len(lists)
