"""The shot planner: `Script` + `Template` -> `ShotList`, with rules a script supervisor would accept.

`plan_script` is pure and deterministic: the same script and template give the same shot list, byte for byte.

Shot ids (stable across edits of other scenes)
-----------------------------------------------
- Scene id: from the script's scene number when it has one (`#12A#` -> ``sc12a-kitchen``), else ``sc-`` plus a
  slug of the location (``INT. SUBWAY CAR - NIGHT`` -> ``sc-subway-car``), with an occurrence counter for a
  location that comes back (``sc-subway-car-2``, ``sc-subway-car-3``). Never the scene's position, so inserting,
  deleting or editing a scene leaves the ids of every other scene alone; the one exception is a new scene at a
  location that already occurs later in the script (the later scenes' counters move): number your scenes
  (`#12#`) to pin them. A location without Latin letters gets ``sc-loc-`` plus a short hash of its name.
  Elements before the first scene heading form the scene ``sc-open``.
- Shot id: scene id + ``-`` + 3-digit index within the scene (``sc-subway-car-004``).
- Dialogue line ids: shot id + ``-d1``, ``-d2``...; sound cue ids: shot id + ``-c1``, ``-c2``...
- Seed: CRC-32 of the shot id (31 bits), so a shot keeps its look while its id lives.

Rules (each has a test in tests/test_plan.py)
----------------------------------------------
- A scene at a new location (not the previous scene's) opens on an establishing wide (tag ``establishing``) that
  carries the scene's first action paragraph. With ``template.hook_closeup`` the first shot of the episode is
  instead a close-up (tag ``hook``) on the first character or CAPS prop of the opening action; with
  ``template.hook_seconds`` it lasts at most that long (no line joins it that would run past), so the first
  cut lands within it.
- Dialogue: the first exchange of a scene with two or more speakers plays in a master (``two_shot`` for
  horizontal templates, ``over_the_shoulder`` for vertical ones) holding both lines; then singles on the speaker,
  closer as the scene goes on (medium, medium, medium_close, medium_close, close_up...). A ``(beat)``/``(pause)``
  before a line adds a reaction shot on the listener of ``template.beat`` seconds (or holds the previous shot
  when there is no listener); inside or after a speech it extends the shot by a beat. ``V.O.`` plays over the
  current action shot, or a cutaway of the scene's latest action (tag ``vo``); ``O.S.``/``O.C.`` cuts to the
  listener (tag ``os``). A V.O. speaker is never one of the people on screen (no master, no listener). ``OS`` on a
  Chinese name (``林晓OS：``, ``林晓（OS）``) is inner voice, the character's thoughts: it plays over the shot on
  screen when that holds no speech (the scene), else over a silent reaction of the thinker (tags ``reaction``,
  ``inner_voice``; the prompt says lips closed), and its lines carry the mark ``INNER`` beside ``OS`` so the
  voice reads them close, not muffled off screen; dual dialogue is a two-shot with both lines at once (tag
  ``dual``). Centered text (``> THE END <``) is a title card (tag ``title``). A speech longer
  than ``template.max_shot`` is split at sentence ends over listener reactions and closer singles (one sentence
  is never split; such a shot runs as long as its sentence).
- Explicit shots are used as written: FDX ``Shot`` paragraphs, action lines starting with a CAPS shot phrase
  (``CLOSE ON``, ``INSERT``, ``POV``, ``ANGLE ON``, ``WIDE ON``, ``BACK TO SCENE``... see
  `scriptkit.lexicon.SHOT_PHRASES`); a standalone shot line takes the next action paragraph as its action.
  The first mention of a CAPS prop in a scene gets an ``insert`` shot; CAPS sound words
  (`scriptkit.lexicon.SOUND_WORDS`) become `SoundCue`s at the time they are read in the shot, and so does a
  Chinese sound (a word of `scriptkit.lexicon.ZH_SOUND_WORDS` in the action; a sound VO ``钟声：当——`` plays at
  the end of the shot on screen, which holds ``SOUND_HOLD`` longer for it); a CAPS name
  followed by ``(`` (``MAYA (28, ...)``) introduces a character (its description joins the prompts).
- Transitions: ``CUT TO`` -> plain cut; ``SMASH CUT``/``MATCH CUT``/``JUMP CUT`` -> cut tagged ``smash_cut``/
  ``match_cut``/``jump_cut`` on the next shot; ``DISSOLVE`` -> dissolve of ``template.dissolve`` on the next
  shot's ``transition_in``; ``FADE IN`` (also found in action, where Fountain puts it) -> fade of
  ``template.fade`` on the next shot's ``transition_in``; ``FADE OUT``/``FADE TO BLACK`` -> fade on the previous
  shot's ``transition_out``; ``CUT TO BLACK`` -> ``transition_out`` of kind cut, duration 0, tag
  ``cut_to_black`` (a hard cut to black: no transition frames); ``WIPE`` -> wipe of ``template.wipe`` with a
  SMPTE pattern name (``barWipe``, ``irisWipe``, ``clockWipe``, ``barnDoorWipe``).
- Durations: a dialogue line takes words / ``template.words_per_second`` plus pauses for its punctuation
  (`scriptkit.lexicon.PAUSE_SECONDS`); action takes words * ``template.action_seconds_per_word``. A shot lasts
  its action or its dialogue (lead-in + lines + tail), clamped to [``min_shot``, ``max_shot``], but never ends
  before its dialogue. Durations and offsets are rounded to 1/100 s.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from scriptkit import lexicon
from scriptkit.cast import infer_cast, lines_by_speaker, voice_cast
from scriptkit.errors import ScriptkitError
from scriptkit.limits import check_script, check_speech
from scriptkit.models import (
    MAX_NAME,
    MAX_TEXT,
    DialogueLine,
    Element,
    MusicBed,
    Script,
    Shot,
    ShotList,
    SoundCue,
    Template,
    Transition,
)
from scriptkit.parse.zh import is_sound_name, sound_of
from scriptkit.prompts import CAPS_RUN, INTRO, PromptCache, display_name, fill_prompts, prompt_text
from scriptkit.shot_ids import scene_ids, seed_for
from scriptkit.shot_phrases import shot_line
from scriptkit.shotlist_io import read_shotlist
from scriptkit.timing import (
    CUE_SECONDS,
    GAP,
    INSERT_SECONDS,
    LEAD,
    TAIL,
    action_seconds,
    round_seconds,
    speaking_seconds,
)

_CLOSER = ("medium", "medium", "medium_close", "medium_close", "close_up")
_WORD = re.compile(r"[\w']+")
_PRONOUN = re.compile(r"\b(?:[Ss]he|[Hh]er|[Hh]e|[Hh]im|[Hh]is|[Hh]ers|[Hh]erself|[Hh]imself)\b")
_CAP_SEQ = re.compile(r"[A-Z][\w'’.\-]*(?:[ \t]+[A-Z][\w'’.\-]*)*")
_SENTENCE = re.compile(r"[^.!?…]+[.!?…]*|[.!?…]+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
#: The mark the planner adds to a Chinese `OS` line's extensions: inner voice, not off screen.
INNER = "INNER"
_SOUND_VO = re.compile(r"^([^\s：:，。\n]{1,12})[：:][^\n]*$")  # the reader's action for `VO（钟声）：当——`
SOUND_HOLD = 0.5  # seconds a shot holds on for a sound VO heard at its end
_VO_MARKS = frozenset({"V.O.", "VO", "V/O", "VOICEOVER", "VOICE-OVER"})
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TRAILING = " \t.:;!-—"
SHOTLIST_SUFFIXES = (".yaml", ".yml", ".json", ".csv")
_M = TypeVar("_M", Shot, DialogueLine, SoundCue)


# ------------------------------------------------------------------------------------------ drafts


@dataclass
class _Line:
    character: str
    text: str
    line: int
    seconds: float
    parenthetical: str | None = None
    extensions: list[str] = field(default_factory=list)
    pause_before: float = 0.0
    together: bool = False  # dual dialogue: starts with the previous line


@dataclass
class _Cue:
    word: str
    description: str
    line: int
    at: float  # seconds into the shot's action


@dataclass
class _Shot:
    scene: _SceneInfo
    size: str
    source_line: int
    kind: str  # hook, establishing, action, explicit, insert, master, single, reaction, cutaway, os, dual
    description: str = ""
    characters: list[str] = field(default_factory=list)
    move: str = "static"
    action: list[str] = field(default_factory=list)
    action_time: float = 0.0
    lines: list[_Line] = field(default_factory=list)
    cues: list[_Cue] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    hold: float = 0.0
    subject: str = ""
    transition_in: Transition | None = None
    transition_out: Transition | None = None

    def dialogue_end(self) -> float:
        end = 0.0
        start = LEAD
        for n, line in enumerate(self.lines):
            if n and not line.together:
                start = end + GAP
            start += line.pause_before
            end = max(end, start + line.seconds)
        return end

    def tag(self, name: str) -> None:
        if name not in self.tags:
            self.tags.append(name)


@dataclass
class _SceneInfo:
    id: str
    index: int
    int_ext: str
    location: str
    time_of_day: str
    light: str = ""  # the time of day for prompts: continuity words resolved to the scene before's

    def __post_init__(self) -> None:
        self.light = self.light or self.time_of_day


@dataclass
class _Block:
    """A character cue with its parentheticals and dialogue; `partner` is the dual-dialogue second speaker."""

    cue: Element
    parts: list[Element]
    partner: _Block | None = None


# -------------------------------------------------------------------------------------- recognisers


def _norm(text: str) -> str:
    return " ".join(text.upper().split()).strip(_TRAILING)


def transition_of(text: str) -> tuple[str, str | None, str | None] | None:
    """(kind, tag, wipe pattern) when `text` is a transition as written, else None."""
    if len(text) > 60:
        return None
    key = _norm(text)
    if key in lexicon.TRANSITIONS:
        return lexicon.TRANSITIONS[key]
    if key.endswith(" TO") and key.isupper() and len(key) < 40 and not any(c.isdigit() for c in key):
        return ("cut", None, None)
    return None


# Camera moves written in the action, then verbs of motion: the first one in the text sets the move.
_MOVES = {
    **{verb: "tracking" for verb in lexicon.TRACKING_VERBS},
    **{verb: "handheld" for verb in lexicon.HANDHELD_VERBS},
    **dict(lexicon.MOVE_PHRASES),
}
_MOVE_STARTS = frozenset(key.split(" ")[0] for key in _MOVES)  # first words of the keys of _MOVES


def _bare(word: str) -> str:
    """'MAYA'S' -> 'MAYA', 'Theo,' -> 'Theo'."""
    word = word.rstrip(".,;:!?'’-")
    if word[-2:] in ("'s", "'S", "’s", "’S"):
        word = word[:-2]
    return word


_PAREN_NEXT = re.compile(r"\s*\(")
_LOWER_NEXT = re.compile(r"[ \t]+[a-z]")


def _starts_sentence(text: str, position: int) -> bool:
    """True when only spaces and quotes come between the previous sentence (or line) and `position`."""
    n = position - 1
    while n >= 0 and text[n] in " \t\"'“‘(":
        n -= 1
    return n < 0 or text[n] in ".!?:;…—-\n"


def _clip(text: str, limit: int = 200) -> str:
    """One line of at most `limit` characters (a cue's or an insert's sentence)."""
    text = " ".join(text[: limit * 2].split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _is_beat(text: str) -> bool:
    return text.strip().strip("()").strip().rstrip(".").lower() in lexicon.BEAT_PARENTHETICALS


# ----------------------------------------------------------------------------------------- planner


class _Planner:
    def __init__(self, script: Script, template: Template) -> None:
        self.script = script
        self.t = template
        self.vertical = template.orientation == "vertical"
        self.descriptions: dict[str, str] = {}
        self.names: set[str] = {c.name for c in script.characters}
        self.extra_names: list[str] = []
        self.shots: list[_Shot] = []  # the whole episode, in order
        self.pending_in: Transition | None = None
        self.hooked = not template.hook_closeup
        self._forms: dict[tuple[str, ...] | str, str] = {}
        self._max_words = 0
        self._han_names: list[str] = []  # Chinese names: found as written in the action (no spaces, no case)
        self._mentioned: dict[str, list[str]] = {}  # text -> names; cleared when a name is added
        self.last_person: str | None = None
        self._compile_names()

    # ----------------------------------------------------------------------- names and mentions

    def _compile_names(self) -> None:
        for name in self.names:
            self._add_name(name)

    def _add_name(self, name: str) -> None:
        if not any(ch.isalpha() for ch in name):
            return
        self._mentioned.clear()
        if _HAN.search(name) and name not in self._han_names:
            self._han_names.append(name)
        for form in (name, display_name(name)):
            words = tuple(form.split())
            if words:
                self._forms[words] = name
                if len(words) == 1:
                    self._forms[words[0]] = name
                self._max_words = max(self._max_words, len(words))

    def name_hits(self, text: str) -> list[tuple[int, str]]:
        """(position, character) for every name in `text`, written in CAPS or Title case ('MAYA', 'Maya's')."""
        hits: list[tuple[int, str]] = []
        forms = self._forms
        if not forms:
            return hits
        single = self._max_words == 1
        for run in _CAP_SEQ.finditer(text):
            parts = run.group(0).split()
            if single or len(parts) == 1:
                for part in parts:
                    name = forms.get(part) or forms.get(_bare(part))
                    if name is not None:
                        hits.append((run.start(), name))
                continue
            words = [_bare(w) for w in parts]
            n = 0
            while n < len(words):
                for size in range(min(self._max_words, len(words) - n), 0, -1):
                    name = forms.get(tuple(words[n : n + size]))
                    if name is not None:
                        hits.append((run.start(), name))
                        n += size
                        break
                else:
                    n += 1
        if self._han_names and _HAN.search(text):
            hits.extend((at, name) for name in self._han_names if (at := text.find(name)) >= 0)
            hits.sort()
        return hits

    def mentions(self, text: str) -> list[str]:
        """Characters named in action, in order of first mention (CAPS or Title case)."""
        cached = self._mentioned.get(text)
        if cached is not None:
            return list(cached)
        found: list[str] = []
        for _, name in self.name_hits(text):
            if name not in found:
                found.append(name)
        self._mentioned[text] = found
        return list(found)

    def people(self, text: str) -> list[str]:
        """Characters in a paragraph of action: named ones, else the last person seen when a pronoun refers back."""
        named = self.mentions(text)
        if named:
            self.last_person = named[-1]
            return named
        if self.last_person and _PRONOUN.search(text):
            return [self.last_person]
        return []

    def _add_character(self, name: str) -> None:
        if len(name) > MAX_NAME:  # a shouted sentence, not a name
            return
        if name not in self.names:
            self.names.add(name)
            self.extra_names.append(name)
            self._add_name(name)

    def register_intros(self, text: str) -> None:
        if "(" not in text:
            return
        for match in INTRO.finditer(text):
            name = " ".join(match.group(1).split())
            words = name.split()
            if not words or any(w in lexicon.SOUND_WORDS for w in words) or name in self.descriptions:
                continue
            if words[-1] in lexicon.VISUAL_WORDS and len(words) == 1:
                continue
            self.descriptions[name] = " ".join(match.group(2).split())
            self._add_character(name)

    # -------------------------------------------------------------------------------- shots

    def new_shot(self, scene: _SceneInfo, scene_shots: list[_Shot], size: str, line: int, kind: str, **kw) -> _Shot:
        shot = _Shot(scene=scene, size=size, source_line=line, kind=kind, **kw)
        if self.pending_in is not None:
            transition = self.pending_in
            if transition.kind in ("dissolve", "wipe") and not self.shots:
                transition = Transition(kind="fade", duration=self.t.fade, tag=transition.tag, source_line=line)
            shot.transition_in = transition
            if transition.tag in ("match_cut", "smash_cut", "jump_cut", "time_cut"):
                shot.tag(transition.tag)
            self.pending_in = None
        self.shots.append(shot)
        scene_shots.append(shot)
        self.hooked = True
        return shot

    def transition(self, text: str, line: int) -> bool:
        found = transition_of(text)
        if found is None:
            return False
        kind, tag, wipe = found
        last = self.shots[-1] if self.shots else None
        if kind == "cut":
            self.pending_in = Transition(kind="cut", tag=tag, source_line=line) if tag else None
        elif kind == "dissolve":
            self.pending_in = Transition(kind="dissolve", duration=self.t.dissolve, tag=tag, source_line=line)
        elif kind == "wipe":
            self.pending_in = Transition(kind="wipe", duration=self.t.wipe, tag=tag, wipe=wipe, source_line=line)
        elif kind == "fade_in":
            self.pending_in = Transition(kind="fade", duration=self.t.fade, tag=tag, source_line=line)
        elif kind == "fade_out":
            if last is not None:
                last.transition_out = Transition(kind="fade", duration=self.t.fade, tag=tag, source_line=line)
            if tag == "fade_to":
                self.pending_in = Transition(kind="fade", duration=self.t.fade, tag="fade_in", source_line=line)
        elif kind == "cut_to_black" and last is not None:
            last.transition_out = Transition(kind="cut", duration=0.0, tag=tag, source_line=line)
        return True

    def add_action(self, shot: _Shot, text: str, line: int, scene_shots: list[_Shot], props_seen: set[str]) -> None:
        """Give `shot` a paragraph of action: its cues (timed), its characters, then inserts for new props."""
        self.register_intros(text)
        base = shot.action_time
        shot.action.append(text)
        shot.action_time += action_seconds(text, self.t.action_seconds_per_word)
        if not shot.characters and not shot.subject and shot.kind != "insert":
            shot.characters = self.people(text)
        sound = sound_of(text) if _HAN.search(text) else None
        if sound is not None:  # Chinese action or a sound VO ('钟声：当——当——'): one cue where the paragraph starts
            shot.cues.append(_Cue(sound, _clip(text), line, base))
        props: list[tuple[str, int, str]] = []
        per_word = self.t.action_seconds_per_word
        words_before = 0  # words of the paragraph before the current sentence: a cue's time in the shot
        for offset_line, raw in enumerate(text.split("\n")):
            if CAPS_RUN.search(raw) is None:
                words_before += len(raw.split())
                continue
            shouting = raw.isupper() and len(raw.split()) > 3
            for sentence_match in _SENTENCE.finditer(raw):
                sentence = sentence_match.group(0)
                said = _clip(sentence)
                counted, counted_to = 0, 0
                for match in CAPS_RUN.finditer(sentence):
                    counted += len(sentence[counted_to : match.start()].split())
                    counted_to = match.start()
                    at = base + (words_before + counted) * per_word
                    prop = self._caps_run(shot, sentence, said, match, shouting, line + offset_line, at)
                    if prop and prop not in props_seen:
                        props_seen.add(prop)
                        props.append((prop, line + offset_line, said))
                words_before += counted + len(sentence[counted_to:].split())
        if shot.kind in ("insert",) or shot.size in ("insert", "extreme_close_up"):
            return
        for prop, prop_line, sentence in props:
            insert = self.new_shot(
                shot.scene, scene_shots, "insert", prop_line, "insert", description=f"insert: {prop}", subject=prop
            )
            insert.tag("insert")
            insert.action.append(sentence)
            insert.action_time = min(max(self.t.min_shot, INSERT_SECONDS), self.t.max_shot)

    def _caps_run(
        self, shot: _Shot, sentence: str, said: str, match: re.Match[str], shouting: bool, line: int, at: float
    ) -> str | None:
        """One CAPS run of action: its sound words become cues on `shot` at `at` seconds; returns a prop or None."""
        run = match.group(0)
        words = run.split()
        sounds = [word for word in words if word.strip("'") in lexicon.SOUND_WORDS]
        if sounds:  # one sound per CAPS run: 'THUNDER CRACKS' is one thunderclap, not two cues
            shot.cues.append(_Cue(" ".join(sounds), said, line, at))
        if shouting or _PAREN_NEXT.match(sentence, match.end()) or run in self.names:
            return None
        if _starts_sentence(sentence, match.start()):
            # 'TOM walks in.': a name introduced in CAPS; a prop follows a lowercase word ('the KNIFE').
            if (
                len(words) <= 3
                and _LOWER_NEXT.match(sentence, match.end())
                and not any(w in lexicon.SOUND_WORDS or w in lexicon.VISUAL_WORDS for w in words)
            ):
                self._add_character(run)
            return None
        kept = [
            w
            for w in words
            if w not in lexicon.SOUND_WORDS
            and w not in lexicon.VISUAL_WORDS
            and w not in self.names
            and len(w) > 1
            and not w.endswith(("ING", "ED"))
            and not any(c.isdigit() for c in w)
        ]
        prop = " ".join(kept).strip("'-")
        if prop.endswith("'S"):
            prop = prop[:-2]
        return prop if len(prop) >= 2 else None

    # ------------------------------------------------------------------------------ scenes

    def plan(self) -> list[tuple[_SceneInfo, list[_Shot]]]:
        script = self.script
        result: list[tuple[_SceneInfo, list[_Shot]]] = []
        ids = scene_ids(script)
        first_start = script.scenes[0].start if script.scenes else len(script.elements)
        if first_start > 0:
            info = _SceneInfo("sc-open", -1, "", "", "")
            shots = self.plan_scene(info, script.elements[:first_start], new_location=False)
            if shots:
                result.append((info, shots))
        previous_location: str | None = None
        previous_light = ""
        for scene, scene_id in zip(script.scenes, ids, strict=True):
            info = _SceneInfo(scene_id, scene.index, scene.int_ext, scene.location, scene.time_of_day)
            if scene.time_of_day in lexicon.CONTINUITY_TIMES or not scene.time_of_day:
                info.light = previous_light  # 'CONTINUOUS', 'MOMENTS LATER': the light of the scene before
            previous_light = info.light
            elements = script.elements[scene.start + 1 : scene.end]
            new_location = scene.location != previous_location
            previous_location = scene.location
            shots = self.plan_scene(info, elements, new_location=new_location)
            if not shots:
                shot = self.new_shot(info, shots, "wide", scene.line, "establishing", description="establishing wide")
                shot.tag("establishing")
            result.append((info, shots))
        return result

    def plan_scene(self, scene: _SceneInfo, elements: list[Element], new_location: bool) -> list[_Shot]:
        items = _group(elements)
        shots: list[_Shot] = []
        props_seen: set[str] = set()
        speakers = []
        for item in items:
            if isinstance(item, _Block):
                for block in (item, item.partner):
                    if block is None or _heard_not_seen(block):
                        continue  # a narrator or a voice on the phone is not in the room
                    if block.cue.name and block.cue.name not in speakers:
                        speakers.append(block.cue.name)
        state = _SceneState(speakers=speakers)
        self.last_person = None
        open_shot: _Shot | None = None
        first_line = elements[0].line if elements else 1
        # Opener: hook close-up (first shot of a vertical episode) or establishing wide (new location).
        if not self.hooked and _has_content(items):
            open_shot = self._hook(scene, shots, items, first_line)
            if open_shot.subject:
                props_seen.add(open_shot.subject)
        elif new_location and scene.index >= 0:
            open_shot = self.new_shot(scene, shots, "wide", first_line, "establishing", description="establishing wide")
            open_shot.tag("establishing")
        n = 0
        while n < len(items):
            item = items[n]
            n += 1
            if isinstance(item, _Block):
                if not item.parts and item.partner is None and transition_of(item.cue.text) is not None:
                    self.transition(item.cue.text, item.cue.line)  # e.g. 'CUT TO BLACK.' read as a cue
                    continue
                explicit = shot_line(item.cue.text) if not item.cue.extensions else None
                if explicit is not None:
                    text = (item.cue.text + "\n" + "\n".join(p.text for p in item.parts)).strip()
                    open_shot = self._action(scene, shots, text, item.cue.line, props_seen, None, state)
                    continue
                open_shot = None
                answer = items[n] if n < len(items) and isinstance(items[n], _Block) else None
                if self._dialogue(scene, shots, item, answer, state):
                    n += 1
                continue
            element = item
            if element.type == "transition":
                self.transition(element.text, element.line)
                continue
            if element.type == "centered":
                title = self.new_shot(scene, shots, "wide", element.line, "title", description="title card")
                title.tag("title")
                title.action.append(element.text)
                title.action_time = action_seconds(element.text, self.t.action_seconds_per_word)
                open_shot = None
                continue
            if element.type == "scene_heading":  # inside a scene: a forced shot heading (`.CLOSE ON THE BASKET`)
                element = element.model_copy(update={"type": "action", "fdx_type": "Shot"})
            if element.type != "action":
                continue
            if getattr(element, "fdx_type", None) == "Shot":
                spec = shot_line(element.text) or ("medium", None, "explicit", element.text)
                shot = self._explicit(scene, shots, spec, element.line, state)
                if spec[3]:
                    self.add_action(shot, spec[3], element.line, shots, props_seen)
                open_shot = shot
                continue
            open_shot = self._action(scene, shots, element.text, element.line, props_seen, open_shot, state)
        return shots

    def _hook(self, scene: _SceneInfo, shots: list[_Shot], items: list, line: int) -> _Shot:
        subject = ""
        characters: list[str] = []
        for item in items:
            if isinstance(item, _Block):
                characters = [item.cue.name] if item.cue.name else []
                break
            if item.type == "action" and transition_of(item.text) is None:
                self.register_intros(item.text)
                named = self._first_subject(item.text)
                if named:
                    if named in self.names:
                        characters = [named]
                    else:
                        subject = named
                break
        shot = self.new_shot(
            scene, shots, "close_up", line, "hook", move="push_in", characters=characters, subject=subject
        )
        shot.description = "hook close-up on " + (characters[0] if characters else subject or "the scene")
        shot.tag("hook")
        return shot

    def _first_subject(self, text: str) -> str:
        """First character (named or introduced) or CAPS prop of a paragraph, whichever comes first."""
        best = (len(text) + 1, "")
        hits = self.name_hits(text)
        if hits:
            best = hits[0]
        for run in CAPS_RUN.finditer(text):
            if run.start() >= best[0]:
                break
            words = [w for w in run.group(0).split() if w not in lexicon.VISUAL_WORDS and w not in lexicon.SOUND_WORDS]
            if words and len(" ".join(words)) > 1:
                best = (run.start(), " ".join(words))
                break
        return best[1]

    def _action(
        self,
        scene: _SceneInfo,
        shots: list[_Shot],
        text: str,
        line: int,
        props_seen: set[str],
        open_shot: _Shot | None,
        state: _SceneState,
    ) -> _Shot | None:
        """One action paragraph: transitions, beats, explicit shot lines, or an action shot. Returns the open shot."""
        lines = text.split("\n")
        if lines and transition_of(lines[0]) is not None:
            self.transition(lines[0], line)
            rest = "\n".join(lines[1:]).strip("\n")
            if not rest.strip():
                return open_shot
            return self._action(scene, shots, rest, line + 1, props_seen, open_shot, state)
        if len(text) < 24 and _norm(text).lower() in lexicon.BEAT_ACTIONS:
            target = open_shot or (shots[-1] if shots else None)
            if target is not None:
                target.hold += self.t.beat
                target.tag("beat")
            return open_shot
        heard = _SOUND_VO.match(text)
        if heard and shots and is_sound_name(heard.group(1)):
            # A sound VO ('钟声：当——当——'): heard over the picture already on screen, at its end, held a little
            # longer for it; not a shot of its own (no words in a prompt). First thing in a scene: a shot below.
            target = shots[-1]
            at = max(target.action_time, target.dialogue_end() + GAP if target.lines else 0.0)
            target.cues.append(_Cue(heard.group(1), _clip(text), line, at))
            target.hold += SOUND_HOLD
            return open_shot
        segments: list[tuple[tuple[str, str | None, str, str] | None, list[str], int]] = [(None, [], line)]
        for offset, raw in enumerate(lines):
            spec = shot_line(raw)
            if spec is not None:
                segments.append((spec, [], line + offset))
            else:
                segments[-1][1].append(raw)
        for spec, body_lines, seg_line in segments:
            body = "\n".join(body_lines).strip("\n")
            if spec is None:
                if not body.strip():
                    continue
                target = open_shot
                if target is None:
                    target = self._plain_action_shot(scene, shots, body, seg_line)
                open_shot = None
                self.add_action(target, body, seg_line, shots, props_seen)
                self._move_from(target, body)
                continue
            shot = self._explicit(scene, shots, spec, seg_line, state)
            if body.strip() or spec[3]:
                self.add_action(shot, "\n".join(x for x in (spec[3], body) if x.strip()), seg_line, shots, props_seen)
                self._move_from(shot, body)
            open_shot = shot if not body.strip() else None
        return open_shot

    def _plain_action_shot(self, scene: _SceneInfo, shots: list[_Shot], body: str, line: int) -> _Shot:
        self.register_intros(body)
        named = self.people(body)
        size = ("wide", "medium", "two_shot")[len(named)] if len(named) < 3 else "medium_wide"
        shot = self.new_shot(scene, shots, size, line, "action", description="action")
        shot.description = "action on " + " and ".join(named) if named else "action"
        return shot

    def _explicit(
        self,
        scene: _SceneInfo,
        shots: list[_Shot],
        spec: tuple[str, str | None, str, str],
        line: int,
        state: _SceneState,
    ) -> _Shot:
        size, move, tag, subject = spec
        named = self.mentions(subject)
        if tag == "back_to_scene":
            named = list(state.speakers)
        shot = self.new_shot(scene, shots, size, line, "explicit", characters=named, move=move or "static")
        shot.description = "as written: " + (subject or tag).strip()[:80]
        shot.tag(tag)
        if size == "insert":
            shot.tag("insert")
            shot.subject = subject
        return shot

    def _move_from(self, shot: _Shot, text: str) -> None:
        if shot.move != "static" or shot.kind in ("insert", "hook"):
            return
        words = _WORD.findall(text.lower())
        if _MOVE_STARTS.isdisjoint(words):  # most paragraphs: no word that can start a move (one set check)
            return
        for n, word in enumerate(words):
            move = _MOVES.get(word + " " + words[n + 1]) if n + 1 < len(words) else None
            move = move or _MOVES.get(word)
            if move:
                shot.move = move
                return

    # ----------------------------------------------------------------------------- dialogue

    def _lines_of(self, block: _Block) -> tuple[float, list[_Line], float]:
        """(beat before, lines, beat after) of a dialogue block; mid-speech beats become pauses."""
        name = block.cue.name or block.cue.text
        extensions = list(block.cue.extensions)
        lead_beat = 0.0
        lines: list[_Line] = []
        paren: str | None = None
        pause = 0.0
        for part in block.parts:
            if part.type == "parenthetical":
                if _is_beat(part.text):
                    if lines:
                        pause += self.t.beat
                    else:
                        lead_beat += self.t.beat
                else:
                    paren = part.text
                continue
            text = part.text.strip()
            if not text:
                continue
            seconds = speaking_seconds(text, self.t.words_per_second)
            lines.append(_Line(name, text, block.cue.line, seconds, paren, extensions, pause_before=pause))
            paren, pause = None, 0.0
        return lead_beat, lines, pause

    def _split_long(self, line: _Line) -> list[_Line]:
        room = self.t.max_shot - LEAD - TAIL
        if line.seconds <= room:
            return [line]
        sentences = [s for s in _SENTENCE_END.split(line.text) if s.strip()]
        chunks: list[str] = []
        previous_end = ""
        filled = 0.0  # seconds of the last chunk: speaking time adds up sentence by sentence
        for sentence in sentences:
            alone = speaking_seconds(sentence, self.t.words_per_second)
            end = sentence.rstrip()[-1:]
            joined = filled + lexicon.PAUSE_SECONDS.get(previous_end, 0.0) + alone if chunks else room + 1
            if joined <= room:
                chunks[-1] += " " + sentence
                filled = joined
            else:
                chunks.append(sentence)
                filled = alone
            previous_end = end
        if len(chunks) == 1:
            return [line]
        out = []
        for k, chunk in enumerate(chunks):
            out.append(
                _Line(
                    line.character,
                    chunk,
                    line.line,
                    speaking_seconds(chunk, self.t.words_per_second),
                    line.parenthetical if k == 0 else None,
                    list(line.extensions),
                    pause_before=line.pause_before if k == 0 else 0.0,
                )
            )
        return out

    def _fits(self, shot: _Shot, line: _Line) -> bool:
        longest = _longest(self.t, shot.kind)
        return shot.dialogue_end() + GAP + line.pause_before + line.seconds + TAIL <= longest

    def _closer(self, state: _SceneState) -> str:
        size = _CLOSER[min(state.step, len(_CLOSER) - 1)]
        state.step += 1
        return size

    def _dialogue(
        self, scene: _SceneInfo, shots: list[_Shot], block: _Block, answer: _Block | None, state: _SceneState
    ) -> bool:
        """Cover one dialogue block. Returns True when it also consumed `answer` (the master's second line)."""
        speaker = block.cue.name or block.cue.text
        extensions = {e.upper().replace(" ", "") for e in block.cue.extensions}
        listener = state.listener(speaker)
        lead_beat, lines, after = self._lines_of(block)
        if not extensions & _VO_MARKS:  # a narrator is nobody's listener
            state.heard(speaker)
            self.last_person = speaker
        if not lines and not block.partner:
            if lead_beat or after:
                target = shots[-1] if shots else None
                if target is not None:
                    target.hold += lead_beat + after
            return False
        if lead_beat:
            self._beat_shot(scene, shots, speaker, listener, lead_beat, block.cue.line, state)
        pieces = [piece for line in lines for piece in self._split_long(line)]
        consumed = False
        if block.partner is not None:
            shot = self._dual(scene, shots, block, pieces, state)
            pieces = []
        elif extensions & _VO_MARKS:
            shot = self._voice_over(scene, shots, speaker, pieces[0], block.cue.line)
            pieces = pieces[1:]
            for piece in pieces:
                if self._fits(shot, piece):
                    shot.lines.append(piece)
                else:
                    shot = self._cutaway(scene, shots, speaker, block.cue.line, shot)
                    shot.lines.append(piece)
            pieces = []
        elif extensions & {"O.S.", "OS"} and _HAN.search(speaker):
            shot = self._inner_voice(scene, shots, speaker, pieces[0], block.cue.line, state)
            for piece in pieces[1:]:
                if not self._fits(shot, piece):
                    shot = self._inner_voice(scene, shots, speaker, piece, block.cue.line, state, fresh=True)
                else:
                    shot.lines.append(_inner(piece))
            pieces = []
        elif extensions & {"O.S.", "OS", "O.C.", "OC", "OFF"}:
            shot = self.new_shot(
                scene,
                shots,
                self._closer(state),
                block.cue.line,
                "os",
                characters=[listener] if listener else [],
                description=f"on {listener or 'the room'}, hearing {speaker} (O.S.)",
            )
            shot.tag("os")
            shot.lines.append(pieces[0])
            pieces = pieces[1:]
        elif not state.master_done and len(state.speakers) >= 2:
            state.master_done = True
            other = listener or next((s for s in state.speakers if s != speaker), None)
            size = "over_the_shoulder" if self.vertical else "two_shot"
            shot = self.new_shot(
                scene,
                shots,
                size,
                block.cue.line,
                "master",
                characters=[c for c in (speaker, other) if c],
                description=f"master: {speaker} and {other}",
            )
            shot.tag("master")
            shot.lines.append(pieces[0])
            pieces = pieces[1:]
            if not pieces and not after and answer is not None and answer.partner is None:
                consumed = self._answer_in_master(shot, answer, state)
        else:
            last = shots[-1] if shots else None
            if (
                last is not None
                and last.kind == "single"
                and last.characters == [speaker]
                and self._fits(last, pieces[0])
            ):
                shot = last
            else:
                shot = self._single(scene, shots, speaker, block.cue.line, state)
            shot.lines.append(pieces[0])
            pieces = pieces[1:]
        on_listener = True
        for piece in pieces:
            if self._fits(shot, piece):
                shot.lines.append(piece)
                continue
            if on_listener and listener:
                shot = self.new_shot(
                    scene,
                    shots,
                    self._closer(state),
                    block.cue.line,
                    "reaction",
                    characters=[listener],
                    description=f"reaction: {listener} listens to {speaker}",
                )
                shot.tag("reaction")
            else:
                shot = self._single(scene, shots, speaker, block.cue.line, state)
            on_listener = not on_listener
            shot.lines.append(piece)
        if after:
            shot.hold += after
            shot.tag("beat")
        return consumed

    def _answer_in_master(self, shot: _Shot, answer: _Block, state: _SceneState) -> bool:
        name = answer.cue.name or answer.cue.text
        extensions = {e.upper().replace(" ", "") for e in answer.cue.extensions}
        if name not in shot.characters or extensions - {"CONT'D", "CONT’D", "CONTD"}:
            return False
        lead, lines, after = self._lines_of(answer)
        if lead or after or len(lines) != 1 or shot_line(answer.cue.text):
            return False
        if not self._fits(shot, lines[0]):
            return False
        shot.lines.append(lines[0])
        state.heard(name)
        return True

    def _single(self, scene: _SceneInfo, shots: list[_Shot], speaker: str, line: int, state: _SceneState) -> _Shot:
        shot = self.new_shot(
            scene, shots, self._closer(state), line, "single", characters=[speaker], description=f"single on {speaker}"
        )
        return shot

    def _beat_shot(
        self,
        scene: _SceneInfo,
        shots: list[_Shot],
        speaker: str,
        listener: str | None,
        seconds: float,
        line: int,
        state: _SceneState,
    ) -> None:
        if listener is None:
            target = shots[-1] if shots else None
            if target is not None:
                target.hold += seconds
                target.tag("beat")
                return
        who = listener or speaker
        shot = self.new_shot(
            scene,
            shots,
            _CLOSER[min(state.step, len(_CLOSER) - 1)],
            line,
            "reaction",
            characters=[who],
            description=f"beat: hold on {who}",
        )
        shot.hold = seconds
        shot.tag("beat")
        shot.tag("reaction")

    def _voice_over(self, scene: _SceneInfo, shots: list[_Shot], speaker: str, first: _Line, line: int) -> _Shot:
        last = shots[-1] if shots else None
        if (
            last is not None
            and last.kind in ("action", "insert", "establishing", "hook", "explicit", "cutaway")
            and all("V.O." in ln.extensions or "VO" in ln.extensions for ln in last.lines)
            and self._fits(last, first)
        ):
            shot = last
        else:
            shot = self._cutaway(scene, shots, speaker, line, last)
        shot.tag("vo")
        shot.lines.append(first)
        return shot

    def _inner_voice(
        self,
        scene: _SceneInfo,
        shots: list[_Shot],
        thinker: str,
        first: _Line,
        line: int,
        state: _SceneState,
        fresh: bool = False,
    ) -> _Shot:
        """A Chinese `角色OS：` line, the character's thoughts: over the shot on screen when it holds no speech
        (the scene, or the thinker already in view), else on the thinker's silent reaction - never a talking head."""
        last = shots[-1] if shots else None
        if (
            not fresh
            and last is not None
            and last.kind in ("action", "establishing", "hook", "explicit", "cutaway", "reaction")
            and all(INNER in ln.extensions for ln in last.lines)
            and self._fits(last, first)
        ):
            shot = last
        else:
            shot = self.new_shot(
                scene,
                shots,
                self._closer(state),
                line,
                "reaction",
                characters=[thinker],
                description=f"{thinker} silent, lips still: inner voice",
            )
            shot.tag("reaction")
        shot.tag("inner_voice")
        shot.lines.append(_inner(first))
        return shot

    def _cutaway(self, scene: _SceneInfo, shots: list[_Shot], speaker: str, line: int, last: _Shot | None) -> _Shot:
        recent = next((s for s in reversed(shots) if s.action and s.kind != "insert"), None)
        shot = self.new_shot(
            scene,
            shots,
            "medium_wide",
            line,
            "cutaway",
            characters=list(recent.characters) if recent else [],
            description=f"cutaway under {speaker} (V.O.)",
        )
        if recent is not None:
            shot.action = list(recent.action)
        shot.tag("vo")
        shot.tag("cutaway")
        return shot

    def _dual(
        self, scene: _SceneInfo, shots: list[_Shot], block: _Block, pieces: list[_Line], state: _SceneState
    ) -> _Shot:
        partner = block.partner
        assert partner is not None
        other = partner.cue.name or partner.cue.text
        _, other_lines, _ = self._lines_of(partner)
        state.heard(other)
        shot = self.new_shot(
            scene,
            shots,
            "two_shot",
            block.cue.line,
            "dual",
            characters=[block.cue.name or block.cue.text, other],
            description=f"dual dialogue: {block.cue.name} and {other}",
        )
        shot.tag("dual")
        shot.lines.extend(pieces)
        for k, line in enumerate(other_lines):
            line.together = k == 0
            shot.lines.append(line)
        state.master_done = True
        return shot


@dataclass
class _SceneState:
    speakers: list[str]
    master_done: bool = False
    step: int = 0
    recent: list[str] = field(default_factory=list)

    def heard(self, name: str) -> None:
        if name in self.recent:
            self.recent.remove(name)
        self.recent.append(name)

    def listener(self, speaker: str) -> str | None:
        for name in reversed(self.recent):
            if name != speaker:
                return name
        return next((s for s in self.speakers if s != speaker), None)


def _longest(template: Template, kind: str) -> float:
    """The longest a shot of `kind` may be: the template's max_shot, and for the hook its hook_seconds (the first
    cut lands within them)."""
    if kind == "hook" and template.hook_seconds:
        return min(template.max_shot, template.hook_seconds)
    return template.max_shot


def _heard_not_seen(block: _Block) -> bool:
    """A V.O. cue: heard over the picture, never one of the people on screen."""
    return bool({e.upper().replace(" ", "") for e in block.cue.extensions} & _VO_MARKS)


def _inner(line: _Line) -> _Line:
    """The line marked as inner voice (`INNER` beside its `OS`): read close and clean, not muffled off screen."""
    if INNER not in line.extensions:
        line.extensions = [*line.extensions, INNER]
    return line


def _has_content(items: list[Element | _Block]) -> bool:
    """True when the items hold dialogue or action that is more than a transition."""
    return any(
        isinstance(item, _Block)
        or (item.type == "action" and transition_of(item.text) is None)
        or item.type == "centered"
        for item in items
    )


def _group(elements: list[Element]) -> list[Element | _Block]:
    """Elements -> action/transition elements and dialogue blocks (dual partners attached)."""
    items: list[Element | _Block] = []
    block: _Block | None = None
    for element in elements:
        kind = element.type
        if kind == "character":
            block = _Block(element, [])
            previous = items[-1] if items else None
            if element.dual and isinstance(previous, _Block) and previous.partner is None:
                previous.partner = block
            else:
                items.append(block)
            continue
        if kind == "lyric":
            continue  # sung, not spoken: a speech voice must not read lyrics (a song is the editor's to place)
        if kind in ("dialogue", "parenthetical") and block is not None:
            block.parts.append(element)
            continue
        if kind in ("note", "section", "synopsis", "page_break"):
            continue
        block = None
        items.append(element)
    return items


# ---------------------------------------------------------------------------------------- assemble


def _finish(
    draft: _Shot, shot_id: str, template: Template, descriptions: dict[str, str], prompts: PromptCache
) -> dict[str, Any]:
    """The `Shot` of a draft as a dict (`plan_script` makes the models: `_shot_model`, or validation)."""
    end = draft.dialogue_end()
    base = max(draft.action_time, end + TAIL if draft.lines else 0.0) + draft.hold
    duration = min(max(base, template.min_shot), _longest(template, draft.kind))
    if draft.lines:
        duration = max(duration, end + TAIL)
    duration = round_seconds(duration)
    dialogue: list[dict[str, Any]] = []
    start = LEAD
    finish = 0.0
    for n, line in enumerate(draft.lines):
        if n and not line.together:
            start = finish + GAP
        start += line.pause_before
        finish = max(finish, start + line.seconds)
        dialogue.append(
            {
                "id": f"{shot_id}-d{n + 1}",
                "character": line.character,
                "text": line.text,
                "parenthetical": line.parenthetical,
                "extensions": list(line.extensions),
                "line": line.line,
                "offset": round_seconds(start),
                "duration": round_seconds(line.seconds),
            }
        )
    scale = min(1.0, duration / draft.action_time) if draft.action_time > 0 else 1.0
    cues = [
        {
            "id": f"{shot_id}-c{n + 1}",
            "word": cue.word,
            "description": cue.description,
            "line": cue.line,
            "offset": round_seconds(min(cue.at * scale, max(0.0, duration - 0.1))),
            "duration": CUE_SECONDS,
        }
        for n, cue in enumerate(draft.cues)
    ]
    scene = draft.scene
    action = "\n".join(draft.action)
    if len(action) > MAX_TEXT:  # a page-long paragraph's shot: its caption and prompt need no more
        action = action[: MAX_TEXT - 1] + "…"
    prompt = prompt_text(
        template,
        descriptions,
        size=draft.size,
        move=draft.move,
        characters=draft.characters,
        location=scene.location,
        int_ext=scene.int_ext,
        time_of_day=scene.light,
        action=action,
        description=draft.description,
        tags=draft.tags,
        subject=draft.subject,
        cache=prompts,
    )
    return {
        "id": shot_id,
        "scene_index": scene.index,
        "scene_id": scene.id,
        "size": draft.size,
        "move": draft.move,
        "duration": duration,
        "characters": list(draft.characters),
        "int_ext": scene.int_ext,
        "location": scene.location,
        "time_of_day": scene.time_of_day,
        "action": action,
        "description": draft.description,
        "dialogue": dialogue,
        "cues": cues,
        "transition_in": draft.transition_in,
        "transition_out": draft.transition_out,
        "tags": list(draft.tags),
        "prompt": prompt,
        "negative_prompt": template.negative_prompt,
        "seed": seed_for(shot_id),
        "source_line": draft.source_line,
        "video": "",
    }


def _unvalidated(model: type[_M], values: dict[str, Any], fields_set: set[str]) -> _M:
    """A model from values of the right types, in field order, without pydantic validation (see plan_script)."""
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", fields_set)
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


def _shot_model(values: dict[str, Any]) -> Shot:
    """The `Shot` of a `_finish` dict: what `Shot.model_validate(values)` gives, without the validation."""
    values["dialogue"] = [
        _unvalidated(DialogueLine, {**line, "timed": None, "timed_offset": None, "caption": None}, set(line))
        for line in values["dialogue"]
    ]
    values["cues"] = [
        _unvalidated(
            SoundCue,
            {  # the default `kind` in its field order, as validation would put it (it is not in the fields set)
                "id": cue["id"],
                "word": cue["word"],
                "description": cue["description"],
                "kind": "sfx",
                "line": cue["line"],
                "offset": cue["offset"],
                "duration": cue["duration"],
            },
            set(cue),
        )
        for cue in values["cues"]
    ]
    values["timed"] = None  # set by build
    return _unvalidated(Shot, values, set(values))


def plan_script(script: Script, template: Template) -> ShotList:
    """Plan the shots of `script` with `template` (pure, deterministic). See the module docstring for the rules."""
    check_script(script)
    collecting = gc.isenabled()
    gc.disable()  # thousands of small objects and no cycles: the collector would only rescan them (~12%)
    try:
        planner = _Planner(script, template)
        scenes = planner.plan()
        prompts = PromptCache()
        shots: list[dict[str, Any]] = []
        scene_durations: dict[str, float] = {}
        for info, drafts in scenes:
            total = 0.0
            for n, draft in enumerate(drafts, start=1):
                shot = _finish(draft, f"{info.id}-{n:03d}", template, planner.descriptions, prompts)
                shots.append(shot)
                total += shot["duration"]
            scene_durations[info.id] = round_seconds(scene_durations.get(info.id, 0.0) + total)
        characters = [
            c.name for c in script.characters if transition_of(c.name) is None and shot_line(c.name) is None
        ] + planner.extra_names
        spoken = lines_by_speaker((line["character"], line["text"]) for shot in shots for line in shot["dialogue"])
        cast = voice_cast(infer_cast(script, list(spoken), spoken))
        music = None
        if template.music_prompt:
            music = MusicBed(description=template.music_prompt, level_db=template.music_level_db)
        check_speech(shots, script.source)
        # Validating ~2000 shot dicts would take a quarter of the planning time; they are built right by `_finish`
        # (tests re-validate big plans), so they become models directly. The one value that depends on the
        # user's template is the duration (min_shot <= 0 could give 0): then validation reports it, as before.
        if all(shot["duration"] > 0 for shot in shots):
            shots = [_shot_model(shot) for shot in shots]
        return _shotlist(
            title=script.title,
            source=script.source,
            template=template.name,
            width=template.width,
            height=template.height,
            fps=template.fps,
            drop_frame=template.drop_frame,
            style_prompt=template.style_prompt,
            characters=characters,
            cast=cast,
            shots=shots,
            music=music,
            scene_durations=scene_durations,
        )
    finally:
        if collecting:
            gc.enable()


def _shotlist(**values: Any) -> ShotList:
    """The planned `ShotList`; a value beyond the models' limits (a template's, or one the checks above missed)
    is one located error, not a traceback."""
    try:
        return ShotList(**values)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        message = f"cannot plan this screenplay: {where}: {error['msg']}"
        raise ScriptkitError(message, values.get("source") or None) from None


def load_shotlist(path: Path, template: Template, dialect: str | None = None) -> ShotList:
    """A shot list from a screenplay (parsed and planned, in `dialect` when given) or a shot list file."""
    path = Path(path)
    if path.suffix.lower() in SHOTLIST_SUFFIXES:
        return fill_prompts(read_shotlist(path, template), template)
    from scriptkit.parse import load_script

    return plan_script(load_script(path, dialect), template)


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def summary_lines(shotlist: ShotList) -> list[str]:
    """Per-scene shot counts and durations, then the whole script's total, for the CLI."""
    counts: dict[str, int] = {}
    totals: dict[str, float] = {}
    headings: dict[str, str] = {}
    for shot in shotlist.shots:
        counts[shot.scene_id] = counts.get(shot.scene_id, 0) + 1
        totals[shot.scene_id] = totals.get(shot.scene_id, 0.0) + shot.duration
        if shot.scene_id not in headings:
            headings[shot.scene_id] = " ".join(x for x in (shot.int_ext, shot.location, shot.time_of_day) if x)
    width = max((len(k) for k in counts), default=8)
    lines = [
        f"{scene_id:<{width}}  {counts[scene_id]:3d} shots  {totals[scene_id]:7.2f} s  {headings[scene_id]}".rstrip()
        for scene_id in counts
    ]
    total = sum(totals.values())
    lines.append(
        f"{'total':<{width}}  {len(shotlist.shots):3d} shots  {total:7.2f} s  ({_clock(total)}, {len(counts)} scenes)"
    )
    return lines


def target_line(seconds: float, target: float | None, what: str = "estimate") -> str | None:
    """`plan` and `build` against the template's target length, e.g. 'estimate 0:56 for a 1:00 target (-4 s)'."""
    if not target:
        return None
    return f"{what} {_clock(seconds)} for a {_clock(target)} target ({seconds - target:+.0f} s)"
