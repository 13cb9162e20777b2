"""The Final Draft (.fdx) reader against the real corpus, hand-written FDX, bad input, and the Fountain reader."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from scriptkit.errors import ScriptkitError
from scriptkit.models import Element, Script
from scriptkit.parse import load_script
from scriptkit.parse.fdx import parse_fdx, parse_length, split_character

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "screenplays"
FDX_FILES = sorted(CORPUS.rglob("*.fdx"))


def fdx(body: str, title_page: str = "", extra: str = "") -> bytes:
    """A minimal FDX document around `body` (the inside of <Content>)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
        '<FinalDraft DocumentType="Script" Template="No" Version="5">\n'
        f"<Content>\n{body}\n</Content>\n{title_page}{extra}</FinalDraft>\n"
    ).encode()


def parse_file(relative: str) -> Script:
    path = CORPUS / relative
    return parse_fdx(path.read_bytes(), source=str(path))


def check_consistent(script: Script, data: bytes) -> None:
    """Invariants every parsed script keeps: lines inside the file, runs that add up to the text."""
    last_line = data.count(b"\n") + 1
    for element in script.elements:
        assert 1 <= element.line <= last_line
        assert not element.runs or "".join(run.text for run in element.runs) == element.text
        assert element.text == element.text.rstrip()
    for scene in script.scenes:
        assert script.elements[scene.start].type == "scene_heading"


# ---------------------------------------------------------------------------------------------- corpus


def test_corpus_has_fdx_files() -> None:
    names = {path.name for path in FDX_FILES}
    assert len(FDX_FILES) >= 20
    assert {"TestFDX-FD.fdx", "TestFDX-FI.fdx", "Big-Fish.fdx", "dual-dialogue.fdx", "fdx_note.fdx"} <= names


@pytest.mark.parametrize("path", FDX_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_corpus_fdx_parses(path: Path) -> None:
    data = path.read_bytes()
    script = parse_fdx(data, source=str(path))
    assert script.elements, "a corpus screenplay has at least one element"
    assert script.source == str(path)
    check_consistent(script, data)
    assert parse_fdx(data, source=str(path)) == script, "same input, same Script"


def test_final_draft_export_elements_lines_and_scenes() -> None:
    script = parse_file("fountain-tools/TestFDX-FD.fdx")
    assert [(e.type, e.text) for e in script.elements[:5]] == [
        ("scene_heading", "INT. RADIO STUDIO"),
        ("action", "We are in a TV station listening to the announcer on the other site of the glass."),
        ("character", "DJ"),
        ("parenthetical", "(bored)"),
        ("dialogue", "Hey everyone, this is some music that sounds kinda terrible."),
    ]
    heading = script.elements[0]
    assert heading.line == 5 and heading.number == "1" and heading.fdx_type == "Scene Heading"
    jim = next(e for e in script.elements if e.type == "character" and e.name == "JIM")
    assert (jim.text, jim.extensions, jim.dual, jim.line) == ("JIM (O.S.)", ["O.S."], False, 42)
    assert [(s.heading, s.number, s.length_pages) for s in script.scenes] == [
        ("INT. RADIO STUDIO", "1", 0.375),
        ("EXT. OUTSIDE THE FOOD STORE", "2", 0.25),
    ]
    assert [e.text for e in script.elements if e.type == "transition"] == ["CUT TO:", "FADE TO BLACK"]
    assert [c.name for c in script.characters] == ["DJ", "DAVE", "JIM", "KAY"]


def test_title_page_of_final_draft_and_fade_in_exports() -> None:
    expected = {
        "title": "FDX Test Script",
        "credit": "Written by",
        "author": "Ian",
        "copyright": "Copyright (c) 2026",
        "draft date": "Draft\ninformation",
        "contact": "Contact\ninformation",
    }
    assert parse_file("fountain-tools/TestFDX-FD.fdx").title_page == expected
    assert parse_file("fountain-tools/TestFDX-FI.fdx").title_page == expected
    assert parse_file("fountain-tools/TestFDX-FD.fdx").title == "FDX Test Script"


def test_final_draft_and_fade_in_and_library_writers_agree() -> None:
    def shape(script: Script) -> list[tuple[str, str, str | None, str | None]]:
        return [(e.type, e.text, e.name, e.number) for e in script.elements]

    final_draft = parse_file("fountain-tools/TestFDX-FD.fdx")
    assert shape(parse_file("fountain-tools/TestFDX-FI.fdx")) == shape(final_draft)
    for writer in ("cpp", "csharp", "js", "py"):
        written = parse_file(f"fountain-tools/TestFDX-FD-Write-{writer}.fdx")
        # The library writers drop scene numbers; everything else is the same screenplay.
        assert [(e.type, e.text) for e in written.elements] == [(e.type, e.text) for e in final_draft.elements]


def test_styles_dual_dialogue_centered_and_scenes_in_brick_and_steel() -> None:
    script = parse_file("full_length/Brick-and-Steel.fdx")
    cues = [(e.name, e.dual, e.line) for e in script.elements if e.type == "character"]
    assert cues[5:7] == [("STEEL", False, 65), ("BRICK", True, 71)]
    assert [cue for cue in cues if cue[1]] == [("BRICK", True, 71)], "only the second cue of the block is dual"
    italic = next(e for e in script.elements if e.text == "Did you know Brick and Steel are retired?")
    assert italic.type == "dialogue" and [r.styles for r in italic.runs] == [["italic"]]
    permanently = next(e for e in script.elements if e.text == "Permanently.")
    assert [(r.text, r.styles) for r in permanently.runs] == [("Permanently", ["underline"]), (".", [])]
    scope = next(e for e in script.elements if "Leupold" in e.text)
    assert [(r.text, r.styles) for r in scope.runs] == [
        ("From what seems like only INCHES AWAY.  ", []),
        ("Steel's face FILLS the ", ["underline"]),
        ("Leupold Mark 4", ["italic", "underline"]),
        (" scope", ["underline"]),
        (".", []),
    ]
    assert [e.text for e in script.elements if e.type == "centered"] == [
        "BRICK BRADDOCK\n& DICK STEEL IN",
        "BRICK & STEEL\nFULL RETIRED",
        "THE END",
    ]
    assert len(script.scenes) == 8
    assert script.scenes[3].heading == "SNIPER SCOPE POV"
    assert "\n" in script.elements[16].text, "runs ending in a line break join into one multi-line action"


def test_notes_and_summary_from_afterwriting_fixtures() -> None:
    note = parse_file("afterwriting/fdx_note.fdx").elements
    assert [(e.type, e.text, e.notes) for e in note] == [
        ("action", "Action. Action.", ["Note in action. Note. Note. Note."])
    ]
    header = parse_file("afterwriting/fdx_header_note.fdx")
    assert header.elements[0].notes == ["Note in scene heading."]
    assert header.elements[0].text == "INT. SCENE HEADING - DAY"
    synopsis = parse_file("afterwriting/fdx_synopsis.fdx")
    assert synopsis.scenes[0].summary == "Here is the synopsis."
    assert synopsis.scenes[0].location == "SCENE HEADING" and synopsis.scenes[0].time_of_day == "DAY"


def test_screenplain_fixtures_keep_indentation_unicode_and_dual() -> None:
    indentation = parse_file("screenplain/indentation.fdx")
    assert [e.text for e in indentation.elements if e.type == "action"] == [
        "    Four spaces",
        "   Three spaces",
        "  Two spaces",
        " One space",
        "No spaces",
    ]
    unicode = parse_file("screenplain/extended-characters.fdx").elements
    assert unicode[0].text == "Hello\nこんにちは\nпривет\n你好\n안녕하세요\nأهلا"
    dual = parse_file("screenplain/dual-dialogue.fdx").elements
    assert [(e.name, e.dual) for e in dual if e.type == "character"] == [("GIRL", False), ("GUY", True)]


# ------------------------------------------------------------------------------------- hand-made FDX


def test_paragraph_types_map_to_element_types() -> None:
    body = "\n".join(
        f'<Paragraph Type="{kind}"><Text>{text}</Text></Paragraph>'
        for kind, text in [
            ("Scene Heading", "INT. LAB - NIGHT"),
            ("Shot", "CLOSE ON THE BEAKER"),
            ("General", "Some general text."),
            ("Cast List", "MAYA, a chemist"),
            ("Lyrics", "La la la"),
            ("Outline 2", "Act two beat"),
            ("Outline Body", "What happens here"),
            ("New Act", "ACT TWO"),
            ("Mystery Type", "Unknown stays readable"),
        ]
    )
    elements = parse_fdx(fdx(body), "types.fdx").elements
    assert [(e.type, e.fdx_type, e.level) for e in elements] == [
        ("scene_heading", "Scene Heading", None),
        ("action", "Shot", None),
        ("action", "General", None),
        ("action", "Cast List", None),
        ("lyric", "Lyrics", None),
        ("section", "Outline 2", 2),
        ("synopsis", "Outline Body", None),
        ("section", "New Act", 1),
        ("action", "Mystery Type", None),
    ]
    assert elements[1].text == "CLOSE ON THE BEAKER"


def test_character_extensions_split_like_fountain() -> None:
    body = """
<Paragraph Type="Character"><Text>MAYA (V.O.)</Text></Paragraph>
<Paragraph Type="Dialogue"><Text>Hello.</Text></Paragraph>
<Paragraph Type="Character"><Text>DR. O'NEIL-SMITH (O.S.) (CONT'D)</Text></Paragraph>
<Paragraph Type="Dialogue"><Text>Hi.</Text></Paragraph>
<Paragraph Type="Character"><Text>  BOB  </Text></Paragraph>"""
    cues = [e for e in parse_fdx(fdx(body)).elements if e.type == "character"]
    assert [(c.name, c.extensions) for c in cues] == [
        ("MAYA", ["V.O."]),
        ("DR. O'NEIL-SMITH", ["O.S.", "CONT'D"]),
        ("BOB", []),
    ]
    assert split_character("MAYA (cont'd)") == ("MAYA", ["cont'd"])


def test_runs_styles_tabs_and_line_breaks() -> None:
    plain = parse_fdx(fdx('<Paragraph Type="Action"><Text>No </Text><Text Style="">emphasis.</Text></Paragraph>'))
    assert plain.elements[0].text == "No emphasis." and plain.elements[0].runs == [], "runs only when emphasised"
    body = """<Paragraph Type="Action">
<Text Style="Bold+Italic">Loud</Text><Text Style="Bold+Italic"> and proud</Text><Text>, then\tquiet
</Text><Text Style="Underline+AllCaps">under</Text><Text Style="Strikeout"> gone?</Text>
</Paragraph>"""
    element = parse_fdx(fdx(body)).elements[0]
    # a tab is four spaces, as in Fountain; an AllCaps run is in capitals, as Final Draft shows it
    assert element.text == "Loud and proud, then    quiet\nUNDER gone?"
    assert [(r.text, r.styles) for r in element.runs] == [
        ("Loud and proud", ["bold", "italic"]),
        (", then    quiet\n", []),
        ("UNDER", ["underline"]),
        (" gone?", []),
    ]
    assert element.line == 4


def test_scene_properties_number_length_summary() -> None:
    body = """<Paragraph Type="Scene Heading" Number="12A">
  <SceneProperties Length="1 2/8" Page="3" Title="">
    <Summary>
      <Paragraph><Text>Maya finds the key.</Text></Paragraph><Paragraph><Text>She hides it.</Text></Paragraph>
    </Summary>
  </SceneProperties>
  <Text>INT. KITCHEN - NIGHT</Text>
</Paragraph>
<Paragraph Type="Action"><Text>Dark.</Text></Paragraph>
<Paragraph Type="Scene Heading"><SceneProperties Number="13" Length="bogus"/><Text>EXT. YARD - DAY</Text></Paragraph>"""
    script = parse_fdx(fdx(body))
    first, second = script.scenes
    assert (first.number, first.length_pages, first.summary) == ("12A", 1.25, "Maya finds the key.\nShe hides it.")
    assert (first.int_ext, first.location, first.time_of_day) == ("INT", "KITCHEN", "NIGHT")
    assert (second.number, second.length_pages, second.summary) == ("13", None, None)
    assert (first.start, first.end, second.start) == (0, 2, 2)


def test_parse_length() -> None:
    assert parse_length("1 2/8") == 1.25
    assert parse_length("3/8") == 0.375
    assert parse_length("2") == 2.0
    assert parse_length("1.5") == 1.5
    assert parse_length("") is None
    assert parse_length("1/0") is None
    assert parse_length("a lot") is None


def test_script_notes_inline_standalone_and_document_level() -> None:
    body = """<Paragraph Type="Action"><Text>First.</Text></Paragraph>
<Paragraph Type="Action"><ScriptNote ID="1"><Paragraph><Text>Only a note.</Text></Paragraph></ScriptNote></Paragraph>
<ScriptNote ID="2"><Paragraph><Text>Loose note.</Text></Paragraph></ScriptNote>
<Paragraph Type="Dialogue"><Text>Second.</Text></Paragraph>"""
    extra = """<ScriptNotes>
<ScriptNote ID="3" Range="10,12"><Paragraph><Text>Ranged note.</Text></Paragraph></ScriptNote>
<ScriptNote ID="4"><Paragraph><Text>Unplaced note.</Text></Paragraph></ScriptNote>
</ScriptNotes>
"""
    elements = parse_fdx(fdx(body, extra=extra)).elements
    assert [(e.type, e.text, e.notes) for e in elements] == [
        ("action", "First.", []),
        ("note", "Only a note.", []),
        ("note", "Loose note.", []),
        ("dialogue", "Second.", ["Ranged note."]),
        ("note", "Unplaced note.", []),
    ]


def test_title_page_mapping_rules() -> None:
    def para(text: str, alignment: str) -> str:
        inner = "".join(f"<Text>{line}</Text>" for line in text.split("|")) if text else ""
        return f'<Paragraph Alignment="{alignment}">{inner}</Paragraph>'

    rows = [
        ("THE LONG NIGHT", "Center"),
        ("", "Center"),
        ("Screenplay by", "Center"),
        ("", "Center"),
        ("Ana Ruiz &amp; Bo Li", "Center"),
        ("", "Center"),
        ("Based on the novel by Kim Park", "Center"),
        ("", "Left"),
        ("Agent Name", "Left"),
        ("555-0100", "Left"),
        ("", "Left"),
        ("Second draft, 3/4/2025", "Right"),
    ]
    title_page = "<TitlePage><Content>" + "".join(para(t, a) for t, a in rows) + "</Content></TitlePage>\n"
    script = parse_fdx(fdx('<Paragraph Type="Action"><Text>x</Text></Paragraph>', title_page=title_page))
    assert script.title_page == {
        "title": "THE LONG NIGHT",
        "credit": "Screenplay by",
        "author": "Ana Ruiz & Bo Li",
        "source": "Based on the novel by Kim Park",
        "contact": "Agent Name\n555-0100",
        "draft date": "Second draft, 3/4/2025",
    }


def test_empty_paragraphs_are_dropped_and_crlf_is_normalised() -> None:
    data = fdx(
        '<Paragraph Type="Action"/>\n<Paragraph Type="Action"><Text>  </Text></Paragraph>\n'
        '<Paragraph Type="Dialogue"><Text>a\nb</Text></Paragraph>'
    ).replace(b"\n", b"\r\n")
    assert b"a\r\nb" in data
    elements = parse_fdx(data).elements
    assert [(e.type, e.text) for e in elements] == [("dialogue", "a\nb")]


# ------------------------------------------------------------------------------------------ bad input

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE FinalDraft [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">\n' for i in range(1, 10))
    + ']>\n<FinalDraft><Content><Paragraph Type="Action"><Text>&lol9;</Text></Paragraph></Content></FinalDraft>\n'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE FinalDraft [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<FinalDraft><Content><Paragraph Type="Action"><Text>&xxe;</Text></Paragraph></Content></FinalDraft>\n'
)


def error_of(data: bytes, name: str = "bad.fdx") -> ScriptkitError:
    started = time.perf_counter()
    with pytest.raises(ScriptkitError) as caught:
        parse_fdx(data, source=name)
    assert time.perf_counter() - started < 2.0, "bad input must fail fast"
    assert str(caught.value).startswith(name), "the message names the file"
    return caught.value


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_is_refused_not_expanded(encoding: str) -> None:
    text = BILLION_LAUGHS if encoding == "utf-8" else BILLION_LAUGHS.replace('"1.0"?>', '"1.0" encoding="UTF-16"?>')
    error = error_of(text.encode(encoding), "bomb.fdx")
    assert "entit" in error.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_external_entity_is_refused_and_never_read(encoding: str) -> None:
    text = EXTERNAL_ENTITY if encoding == "utf-8" else EXTERNAL_ENTITY.replace('"1.0"?>', '"1.0" encoding="UTF-16"?>')
    error = error_of(text.encode(encoding), "xxe.fdx")
    assert "entit" in error.message
    assert "root:" not in str(error)


def test_malformed_xml_names_file_and_line() -> None:
    data = fdx('<Paragraph Type="Action">\n<Text>Unclosed\n</Paragraph>')
    error = error_of(data, "broken.fdx")
    assert error.line == 6
    assert str(error).startswith("broken.fdx:6: malformed XML")
    assert not re.search(r"line \d+, column", error.message), "lxml's position suffix is replaced by file:line"


def test_undefined_entity_is_malformed_xml_not_a_bomb() -> None:
    data = fdx('<Paragraph Type="Action"><Text>a&nbsp;b</Text></Paragraph>')
    error = error_of(data, "nbsp.fdx")
    assert error.line == 4 and "malformed XML" in error.message and "nbsp" in error.message
    escaped = parse_fdx(fdx('<Paragraph Type="Action"><Text>Salt &amp; pepper &#233;</Text></Paragraph>'))
    assert escaped.elements[0].text == "Salt & pepper é", "predefined and character references still work"


def test_truncated_file_names_a_line() -> None:
    data = (CORPUS / "full_length" / "Big-Fish.fdx").read_bytes()
    error = error_of(data[: len(data) // 2], "Big-Fish.fdx")
    assert error.line is not None and error.line > 1000
    assert "malformed XML" in error.message


def test_non_fdx_xml_and_missing_content() -> None:
    error = error_of(b'<?xml version="1.0"?>\n<fcpxml version="1.10"><resources/></fcpxml>\n', "timeline.fdx")
    assert "not a Final Draft file" in error.message and "<fcpxml>" in error.message
    error = error_of(b"<FinalDraft Version='5'><TitlePage/></FinalDraft>", "empty.fdx")
    assert "no <Content>" in error.message


def test_xml_safety_limits_give_a_clear_error() -> None:
    deep = b"<FinalDraft><Content>" + b"<Paragraph><DualDialogue>" * 300 + b"</DualDialogue></Paragraph>" * 300
    error = error_of(deep + b"</Content></FinalDraft>", "deep.fdx")
    assert "safety limits" in error.message and "XML_PARSE_HUGE" not in error.message
    huge = b'<FinalDraft><Content><Paragraph Type="Action"><Text>' + b"a" * 11_000_000 + b"</Text>"
    error = error_of(huge + b"</Paragraph></Content></FinalDraft>", "huge.fdx")
    assert "safety limits" in error.message


def test_binary_garbage_with_fdx_extension() -> None:
    garbage = bytes(range(256)) * 4 + b"\x89PNG\r\n\x1a\n" + bytes([0xFF, 0xFE, 0x00]) * 50
    error = error_of(garbage, "garbage.fdx")
    assert error.message.startswith("malformed XML") or error.message.startswith("cannot read as XML")


def test_load_script_routes_fdx_and_names_the_file(tmp_path: Path) -> None:
    good = tmp_path / "scene.fdx"
    good.write_bytes(fdx('<Paragraph Type="Scene Heading"><Text>INT. HALL - DAY</Text></Paragraph>'))
    script = load_script(good)
    assert script.scenes[0].location == "HALL" and script.source == str(good)
    bomb = tmp_path / "bomb.fdx"
    bomb.write_text(BILLION_LAUGHS)
    with pytest.raises(ScriptkitError) as caught:
        load_script(bomb)
    assert str(caught.value).startswith(str(bomb))


# ------------------------------------------------------------------------ same screenplay, both readers
#
# The Fountain and FDX readers must give the same Script for the same screenplay. What is compared: the
# scene count and headings/numbers, and the sequence of speakable elements (scene headings, characters by
# name + extensions + dual flag, parentheticals, dialogue, transitions), for the corpus's Fountain/FDX pairs.
#
# Tolerated differences, and why:
# - FDX has no sections, synopses, boneyard, page breaks or standalone [[notes]] as elements (Final Draft
#   keeps summaries in SceneProperties and notes on paragraphs), so those element types are not compared.
# - Consecutive dialogue paragraphs of one speech are joined with a line break before comparing, and blank
#   lines inside a speech are dropped: screenplain's FDX writer turns each line of a Fountain speech into its
#   own <Paragraph Type="Dialogue"> (dialogue-with-blank-line, Brick & Steel's "Permanently."), while
#   Fountain keeps the speech as one element with line breaks (and a "  " line as a blank line).
# - Scene numbers are compared only where the FDX file carries them (the screenplain writer drops them).
# - Action and centered text are compared in a separate test on the pairs where both sides keep the same
#   paragraphing; centered lines ("> THE END <") may be one element per line in Fountain.
# - Element.line differs by nature (XML lines vs Fountain lines) and fdx_type/forced are format-specific.
# - WRITER_SLIPS: the full-length FDX files were written by screenplain's FDX exporter, which does not know
#   the `EXT/INT.` heading prefix and wrote those two Big Fish headings as Action paragraphs. The test
#   checks that the slip is exactly that (action in the FDX, scene heading in Fountain), then leaves those
#   headings (and their scenes' boundaries) out of the comparison.

PAIRS = [
    ("screenplain/dialogue.fountain", "screenplain/dialogue.fdx"),
    ("screenplain/dialogue-with-blank-line.fountain", "screenplain/dialogue-with-blank-line.fdx"),
    ("screenplain/dual-dialogue.fountain", "screenplain/dual-dialogue.fdx"),
    ("screenplain/parenthetical.fountain", "screenplain/parenthetical.fdx"),
    ("screenplain/simple.fountain", "screenplain/simple.fdx"),
    ("screenplain/utf-8-bom.fountain", "screenplain/utf-8-bom.fdx"),
    ("fountain-tools/TestFDX-FD.fountain", "fountain-tools/TestFDX-FD.fdx"),
    ("fountain-tools/TestFDX-FI.fountain", "fountain-tools/TestFDX-FI.fdx"),
    ("full_length/Brick-and-Steel.fountain", "full_length/Brick-and-Steel.fdx"),
    ("full_length/The-Last-Birthday-Card.fountain", "full_length/The-Last-Birthday-Card.fdx"),
    ("full_length/Big-Fish.fountain", "full_length/Big-Fish.fdx"),
]
SPEAKABLE = {"scene_heading", "character", "parenthetical", "dialogue", "transition"}
WRITER_SLIPS = {"Big-Fish": {"EXT/INT. SORORITY HOUSE - THE DOORWAY", "EXT/INT.  SWAMP SHACK - DAY"}}


def parse_fountain_file(relative: str) -> Script:
    from scriptkit.parse.fountain import parse_fountain_bytes

    path = CORPUS / relative
    return parse_fountain_bytes(path.read_bytes(), source=str(path))


def speakable(elements: list[Element]) -> list[tuple[str, ...]]:
    items: list[tuple[str, ...]] = []
    for element in elements:
        if element.type not in SPEAKABLE:
            continue
        if element.type == "character":
            items.append(("character", element.name or "", "|".join(element.extensions), str(element.dual)))
        elif element.type == "dialogue" and items and items[-1][0] == "dialogue":
            items[-1] = ("dialogue", f"{items[-1][1]}\n{element.text}")
        else:
            items.append((element.type, element.text))
    return [(kind, *(re.sub(r"\n\s*\n", "\n", part) for part in rest)) for kind, *rest in items]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: Path(pair[1]).stem)
def test_both_readers_give_the_same_speakable_script(pair: tuple[str, str]) -> None:
    fountain, final_draft = parse_fountain_file(pair[0]), parse_file(pair[1])
    slips = WRITER_SLIPS.get(Path(pair[1]).stem, set())
    assert {e.text for e in final_draft.elements if e.type == "action" and e.text in slips} == slips
    assert {e.text for e in fountain.elements if e.type == "scene_heading" and e.text in slips} == slips
    fountain_elements = [e for e in fountain.elements if not (e.type == "scene_heading" and e.text in slips)]
    fountain_scenes = [scene for scene in fountain.scenes if scene.heading not in slips]
    assert speakable(final_draft.elements) == speakable(fountain_elements)
    assert len(final_draft.scenes) == len(fountain_scenes)
    for ours, theirs in zip(final_draft.scenes, fountain_scenes, strict=True):
        assert (ours.heading, ours.int_ext, ours.location, ours.time_of_day) == (
            theirs.heading,
            theirs.int_ext,
            theirs.location,
            theirs.time_of_day,
        )
        if ours.number is not None:
            assert ours.number == theirs.number
    assert [c.name for c in final_draft.characters] == [c.name for c in fountain.characters]


@pytest.mark.parametrize(
    "pair",
    [
        PAIRS[4],
        ("screenplain/forced-action.fountain", "screenplain/forced-action.fdx"),
        ("screenplain/indentation.fountain", "screenplain/indentation.fdx"),
        ("screenplain/extended-characters.fountain", "screenplain/extended-characters.fdx"),
        PAIRS[6],
        PAIRS[8],
    ],
    ids=lambda pair: Path(pair[1]).stem,
)
def test_both_readers_give_the_same_action(pair: tuple[str, str]) -> None:
    def action(script: Script) -> list[tuple[str, str]]:
        return [(e.type, e.text) for e in script.elements if e.type == "action"]

    assert action(parse_file(pair[1])) == action(parse_fountain_file(pair[0]))


def test_both_readers_give_the_same_title_page() -> None:
    # TestFDX-FI.fountain is the Fountain twin of the title page both FDX exports carry. The FDX title page
    # also has the centered "Written by" credit, which the Fountain file leaves out: the only tolerated key.
    fountain = parse_fountain_file("fountain-tools/TestFDX-FI.fountain").title_page
    for name in ("fountain-tools/TestFDX-FD.fdx", "fountain-tools/TestFDX-FI.fdx"):
        ours = parse_file(name).title_page
        assert {key: value for key, value in ours.items() if key != "credit"} == fountain


@pytest.mark.parametrize("stem", ["Brick-and-Steel", "The-Last-Birthday-Card", "Big-Fish"])
def test_both_readers_give_the_same_emphasis(stem: str) -> None:
    # Every FDX element that has a Fountain twin of the same type and text carries the same styled runs
    # (runs empty when nothing is emphasised, in both readers). Twins are nearly all elements: the rest are
    # the tolerated differences above (split speeches, centered lines, EXT/INT slips).
    final_draft = parse_file(f"full_length/{stem}.fdx")
    fountain = parse_fountain_file(f"full_length/{stem}.fountain")
    twins: dict[tuple[str, str], Element] = {}
    for element in fountain.elements:
        twins.setdefault((element.type, element.text), element)
    matched = 0
    for element in final_draft.elements:
        twin = twins.get((element.type, element.text))
        if twin is not None:
            matched += 1
            assert element.runs == twin.runs, element.text
    assert matched >= 0.95 * len(final_draft.elements)
    assert any(element.runs for element in final_draft.elements if (element.type, element.text) in twins)
