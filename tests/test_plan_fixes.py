"""Planner behaviour new users ran into: a forced shot heading, lyrics, a two-word sound, CUT TO BLACK at the end,
the object an insert shows, and FDX AllCaps runs."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from generators.storyboard import _object_word
from scriptkit.models import ShotList
from scriptkit.parse.fdx import parse_fdx
from scriptkit.parse.fountain import parse_fountain
from scriptkit.plan import plan_script
from scriptkit.templates import load_template
from tests.fixtures import sample_assets

SCRIPT = """Title: Fixes

EXT. PARK - DAY

Maya walks to a bench. She sets down a wicker BASKET.

.CLOSE ON THE BASKET

A kitten peeks out.

THUNDER CRACKS overhead.

MAYA
Oh no.

~Rain, rain, go away
~Come again another day

INSERT - THE LETTER

Theo's handwriting, smudged.

CUT TO BLACK.
"""


def plan(text: str = SCRIPT) -> ShotList:
    return plan_script(parse_fountain(text, "fixes.fountain"), load_template("vertical-drama"))


def test_a_forced_shot_heading_is_a_shot_in_its_scene() -> None:
    shotlist = plan()
    assert {shot.scene_id for shot in shotlist.shots} == {"sc-park"}
    close = next(shot for shot in shotlist.shots if "A kitten peeks out." in shot.action)
    assert close.size == "close_up"


def test_lyrics_are_not_spoken() -> None:
    lines = [line.text for shot in plan().shots for line in shot.dialogue]
    assert lines == ["Oh no."]


def test_one_caps_run_is_one_sound() -> None:
    cues = [cue.word for shot in plan().shots for cue in shot.cues]
    assert cues == ["THUNDER CRACKS"]


def test_cut_to_black_ends_on_black(tmp_path: Path) -> None:
    from scriptkit.timeline import build_timeline

    shotlist = plan()
    assert shotlist.shots[-1].transition_out is not None
    assert shotlist.shots[-1].transition_out.tag == "cut_to_black"
    media = tmp_path / "media"
    timeline = build_timeline(shotlist, sample_assets(shotlist, media), media)
    video = timeline.tracks[0]
    assert isinstance(video[-1], otio.schema.Gap)
    assert video[-1].duration().to_seconds() >= 0.5
    assert timeline.duration() == video.duration()


def test_an_insert_shows_the_object_the_script_names() -> None:
    shotlist = plan()
    inserts = [shot for shot in shotlist.shots if shot.size == "insert"]
    words = [_object_word(shot.description, shot.action, list(shot.characters)) for shot in inserts]
    assert words == ["BASKET", "LETTER"]


def test_fdx_all_caps_runs_are_capitals_so_names_are_found() -> None:
    fdx = """<?xml version="1.0" encoding="UTF-8"?>
<FinalDraft DocumentType="Script" Template="No" Version="5"><Content>
<Paragraph Type="Scene Heading"><Text>INT. KITCHEN - NIGHT</Text></Paragraph>
<Paragraph Type="Action"><Text Style="AllCaps">maya</Text><Text> (30s) waits by the phone.</Text></Paragraph>
<Paragraph Type="Character"><Text>MAYA</Text></Paragraph>
<Paragraph Type="Dialogue"><Text>Ring. Please ring.</Text></Paragraph>
</Content></FinalDraft>"""
    script = parse_fdx(fdx.encode(), "kitchen.fdx")
    assert script.elements[1].text.startswith("MAYA (30s)")
    hook = plan_script(script, load_template("vertical-drama")).shots[0]
    assert "MAYA" in hook.characters
