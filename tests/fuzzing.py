"""End-to-end fuzzing: random screenplays and hostile shot-list mutations through every stage.

One input is a seed. `random_screenplay(rng)` makes a Fountain (or Final Draft) text from screenplay fragments
mixed with what an attacker or a careless user types (control characters, escape sequences, long lines, markup
of the target formats, odd Unicode); `mutate(data, rng)` breaks a planned shot list's fields (integers past
int64, negative and huge numbers, wrong types, control characters, long texts, unknown values). `run_one(seed,
work)` drives the input through parse -> plan -> shots.yaml -> read back -> timeline assembly -> every registered
writer -> every registered reader, and returns what happened: "ok", or "refused" with the ScriptkitError. Any
other exception is a crash and propagates. Every refusal must name a file (its location).

Media come from `tests.fixtures.sample_assets` (real small PNG/WAV files) instead of the default generators,
which would make thousands of inputs slow; for the same reason the AAF writer and reader (pyaaf2: about 1 s a
round trip) run on every `SAMPLE_EVERY`th input and the preview movie (ffmpeg) is left to the CLI batch test,
which runs the real generators and the preview on a sample.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import exporters
from scriptkit.errors import ScriptkitError
from scriptkit.models import ShotList

#: Screenplay lines that exercise the planner: headings, cues, transitions, sound words, camera phrases.
SCRIPT_LINES = [
    "INT. KITCHEN - NIGHT", "EXT. SUBWAY PLATFORM - DAY", "INT./EXT. CAR - CONTINUOUS", ".FORCED HEADING", "#12A#",
    "EXT. ROOF #3#", "MAYA", "LEO (V.O.)", "MAYA (O.S.)", "@anna", "LEO (CONT'D)", "BOB ^", "(beat)", "(whispering)",
    "I told you not to come back.", "Then why is the door open?", "The phone RINGS. A door SLAMS.",
    "CLOSE ON the ticket.", "WIDE SHOT - the platform.", "PUSH IN on Maya.", "Leo stares at her.", "CUT TO:",
    "DISSOLVE TO:", "FADE OUT.", "FADE IN:", "WIPE TO:", "SMASH CUT TO:", "FADE TO BLACK.", "> THE END <",
    "~Lyrics here", "= A synopsis", "# ACT ONE", "[[a note]]", "/* boneyard */", "===", "Title: Fuzz",
    "Author: Someone", "*bold move*", "**stronger**", "_under_", "MUSIC swells.", "Thunder BOOMS outside.",
]  # fmt: skip

#: What no screenplay should hold but users paste anyway: terminal colours, form feeds, bells, BOMs, bidi marks,
#: C1 controls, noncharacters, the markup of every target format (XML, EDL comments, SRT arrows, YAML, Jinja).
HOSTILE = [
    "\x1b[31mred\x1b[0m", "\x0c", "\x07", "\x08", "\x0b", "\x7f", "\x85", "\x9b", "\ufeff", "\u202e", "\u2028",
    "\ufffe", "\uffff", "\x01\x02\x03", "x\x1fy", "<b>&amp;</b>", "]]>", "<!ENTITY x>", "&lt;", "--", "-->",
    "* FROM CLIP NAME: x", "00:00:01,000 --> 00:00:02,000", "{{ shot.id }}", "{% raw %}", "${HOME}", "%s%n",
    "key: value", "- item", "\"quoted\"", "'", "\\", "/", "C:\\path", "#", "%", "太郎", "Ёлка", "مرحبا", "👍🏽",
    "e\u0301", "\u200b", "A" * 300, "word " * 200,
]  # fmt: skip

TEMPLATES = ["vertical-drama", "widescreen"]
#: Formats too slow for every input, written and read on every SAMPLE_EVERY-th input only.
SAMPLED = frozenset({"aaf"})
SAMPLE_EVERY = 10

#: Values a careless or hostile shot list puts in a field.
HOSTILE_VALUES: list[Any] = [
    10**40, -(10**40), 2**63, 2**63 - 1, -(2**63), -1, 0, 1, 1e308, -1e308, 1e-9, 3.5, "", " ", "x" * 5000,
    "\x1b[31m\x00\x0c", "sc-kitchen-001", "../../etc/passwd", "a/b", "<x>&", None, [], {}, True, [1, 2], {"a": 1},
    "wipe", "dissolve", "fade", "cut", "SMPTE_1", "nan", "inf", "1e999", "30", "24000/1001", "0/0",
]  # fmt: skip

#: (path into a shot list's data, what goes there); "*" picks a random list item.
FIELDS: list[tuple[str, ...]] = [
    ("title",), ("fps",), ("width",), ("height",), ("characters",), ("style_prompt",),
    ("shots", "*", "id"), ("shots", "*", "seed"), ("shots", "*", "duration"), ("shots", "*", "scene_index"),
    ("shots", "*", "scene_id"), ("shots", "*", "source_line"), ("shots", "*", "size"), ("shots", "*", "move"),
    ("shots", "*", "prompt"), ("shots", "*", "action"), ("shots", "*", "characters"), ("shots", "*", "tags"),
    ("shots", "*", "location"), ("shots", "*", "transition_in"), ("shots", "*", "transition_out"),
    ("shots", "*", "transition_in", "kind"), ("shots", "*", "transition_in", "duration"),
    ("shots", "*", "transition_out", "duration"), ("shots", "*", "dialogue", "*", "text"),
    ("shots", "*", "dialogue", "*", "character"), ("shots", "*", "dialogue", "*", "offset"),
    ("shots", "*", "dialogue", "*", "duration"), ("shots", "*", "dialogue", "*", "id"),
    ("shots", "*", "dialogue", "*", "line"), ("shots", "*", "cues", "*", "word"),
    ("shots", "*", "cues", "*", "duration"), ("shots", "*", "cues", "*", "offset"), ("music",), ("music", "level_db"),
]  # fmt: skip


def random_screenplay(rng: random.Random) -> str:
    """A short random screenplay: planner-friendly lines, some hostile pieces, now and then a long line."""
    parts: list[str] = []
    if rng.random() < 0.3:
        parts.append(f"Title: {rng.choice(SCRIPT_LINES + HOSTILE)}\nAuthor: x\n\n")
    for _ in range(rng.randint(1, 30)):
        piece = rng.choice(SCRIPT_LINES) if rng.random() < 0.7 else rng.choice(HOSTILE)
        if rng.random() < 0.15:
            piece = piece + rng.choice(HOSTILE) + rng.choice(SCRIPT_LINES)
        if rng.random() < 0.1:
            piece = "".join(chr(rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0x2FFF)])) for _ in range(12))
        parts.append(piece + rng.choice(["\n", "\n\n", "\n\n", " ", "\r\n"]))
    if rng.random() < 0.02:
        parts.append("MAYA\n" + "blah " * rng.randint(2_000, 20_000) + "\n")
    return "".join(parts)


def screenplay_bytes(text: str, rng: random.Random) -> tuple[bytes, str]:
    """The text as a .fountain file, or now and then wrapped as a Final Draft file (suffix returned)."""
    if rng.random() < 0.15:
        from xml.sax.saxutils import escape

        paras = "".join(
            f'<Paragraph Type="{rng.choice(["Scene Heading", "Action", "Character", "Dialogue", "Transition"])}">'
            f"<Text>{escape(line)}</Text></Paragraph>"
            for line in text.split("\n")
            if line.strip()
        )
        xml = f'<?xml version="1.0"?>\n<FinalDraft DocumentType="Script"><Content>{paras}</Content></FinalDraft>'
        return xml.encode("utf-8", "surrogatepass"), ".fdx"
    return text.encode("utf-8", "surrogatepass"), ".fountain"


def _targets(data: Any, path: tuple[str, ...], rng: random.Random) -> tuple[Any, Any] | None:
    """The container and key that `path` (with "*" for a random item) reaches in `data`, or None."""
    node = data
    for n, step in enumerate(path):
        if step == "*":
            if not isinstance(node, list) or not node:
                return None
            step = rng.randrange(len(node))  # type: ignore[assignment]
        elif not isinstance(node, dict):
            return None
        if n == len(path) - 1:
            return node, step
        node = node[step] if isinstance(node, list) else node.get(step)
        if node is None:
            return None
    return None


def mutate(data: dict[str, Any], rng: random.Random) -> None:
    """Break 1-4 fields of shot-list data in place (set a hostile value, delete, or duplicate a shot)."""
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.08 and data.get("shots"):
            shots = data["shots"]
            shots.insert(rng.randrange(len(shots) + 1), json.loads(json.dumps(rng.choice(shots))))
            continue
        found = _targets(data, rng.choice(FIELDS), rng)
        if found is None:
            continue
        container, key = found
        if choice < 0.16 and isinstance(container, dict):
            container.pop(key, None)
        elif isinstance(container, dict) or (isinstance(container, list) and isinstance(key, int)):
            container[key] = rng.choice(HOSTILE_VALUES + HOSTILE)


def _write_data(path: Path, data: dict[str, Any]) -> None:
    """Shot-list data as JSON (which can carry any value, control characters and lone surrogates included)."""
    path.write_bytes(json.dumps(data, ensure_ascii=True, allow_nan=True).encode())


def _assets(shotlist: ShotList, media_dir: Path):  # -> Assets
    from tests.fixtures import sample_assets

    return sample_assets(shotlist, media_dir)


def pipeline(source: Path, work: Path, template_name: str, rng: random.Random | None, sample: bool = True) -> str:
    """parse/plan (or read the shot list) -> write and re-read shots.yaml -> [mutate] -> assets -> timeline ->
    every writer -> every reader. Returns "ok"; a ScriptkitError propagates."""
    from scriptkit.plan import load_shotlist
    from scriptkit.prompts import fill_prompts
    from scriptkit.shotlist_io import read_shotlist, write_shotlist
    from scriptkit.templates import load_template
    from scriptkit.timeline import build_timeline

    template = load_template(template_name)
    shotlist = load_shotlist(source, template)
    shots_yaml = work / "shots.yaml"
    write_shotlist(shotlist, shots_yaml)
    try:
        shotlist = fill_prompts(read_shotlist(shots_yaml, template), template)
    except ScriptkitError as exc:  # what scriptkit plans, scriptkit must read back
        raise AssertionError(f"a planned shot list does not read back: {exc}") from exc
    if rng is not None:
        data = json.loads(shotlist.model_dump_json())
        mutate(data, rng)
        mutated = work / "mutated.json"
        _write_data(mutated, data)
        shotlist = load_shotlist(mutated, template)
        if sample:  # what scriptkit accepted, it writes and reads back
            write_shotlist(shotlist, work / "mutated.yaml")
            load_shotlist(work / "mutated.yaml", template)
    if not shotlist.shots:
        return "empty"
    media_dir = work / "media"
    assets = _assets(shotlist, media_dir)
    timeline = build_timeline(shotlist, assets, media_dir)
    write_all(timeline, shotlist, work / "out", media_dir, sample=sample)
    return "ok"


def write_all(timeline: Any, shotlist: ShotList, out_dir: Path, media_dir: Path, sample: bool = True) -> None:
    """Every registered format but the preview movie (and the SAMPLED ones unless `sample`): write, then read
    back where the format has a reader."""
    from scriptkit.build import slugify
    from scriptkit.models import ExportOptions

    options = ExportOptions(project_dir=str(out_dir.absolute()), media_dir=str(media_dir.absolute()))
    options = options.model_copy(update={"title": shotlist.title})
    out_dir.mkdir(parents=True, exist_ok=True)
    for fmt in exporters.formats():
        if fmt.write is None or fmt.name == "preview" or (fmt.name in SAMPLED and not sample):
            continue
        path = fmt.output_path(out_dir, slugify(shotlist.title))
        fmt.write(timeline, path, options)
        if fmt.read is not None:
            try:  # what scriptkit writes, scriptkit must read back (subtitles of no dialogue aside)
                fmt.read(path)
            except ScriptkitError as exc:
                if not fmt.timeline and exc.path:
                    continue
                raise AssertionError(f"{fmt.name} does not read back its own output: {exc}") from exc


def run_one(seed: int, work: Path) -> tuple[str, ScriptkitError | None]:
    """One fuzz input (see the module docstring): ("ok" | "empty" | "refused", the error when refused)."""
    rng = random.Random(seed)
    work.mkdir(parents=True, exist_ok=True)
    text = random_screenplay(rng)
    data, suffix = screenplay_bytes(text, rng)
    source = work / f"script{suffix}"
    source.write_bytes(data)
    mutate_it = rng.random() < 0.6
    try:
        template = rng.choice(TEMPLATES)
        return pipeline(source, work, template, rng if mutate_it else None, seed % SAMPLE_EVERY == 0), None
    except ScriptkitError as exc:
        if not exc.path:
            raise AssertionError(f"seed {seed}: a ScriptkitError without a location: {exc}") from exc
        return "refused", exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
