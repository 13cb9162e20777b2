"""Hostile and broken input, end to end: one clear located error or a good project, never a crash.

- random screenplays and shot-list mutations through every stage, writer and reader (tests/fuzzing.py);
- control characters removed once at the edge, with one warning per file naming the lines;
- the models' limits (int64, 32-bit seeds, text lengths) refused with the file, the line and the field;
- hostile XML (bombs, XXE, external DTDs, huge or deep files) refused by every XML reader;
- fix-ups reported as one summary line per kind.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scriptkit import safexml
from scriptkit.errors import ScriptkitError
from scriptkit.models import MAX_LINE
from tests import fuzzing

# ------------------------------------------------------------------------------------------------ fuzzing

#: Inputs in the suite (bench/fuzz_e2e.py runs 20,000); AAF (about 1 s a round trip) on every 50th.
SUITE_INPUTS = 200


def test_random_screenplays_and_shot_lists_never_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fuzzing, "SAMPLE_EVERY", 50)
    outcomes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as folder:
        logging.disable(logging.WARNING)
        try:
            for seed in range(SUITE_INPUTS):
                outcome, error = fuzzing.run_one(seed, Path(folder) / str(seed))
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                if error is not None:
                    assert error.path, f"seed {seed}: {error}"
        finally:
            logging.disable(logging.NOTSET)
    # the generator is worth its time only if both kinds of outcome are common
    assert outcomes.get("ok", 0) > SUITE_INPUTS // 4 and outcomes.get("refused", 0) > SUITE_INPUTS // 4, outcomes


# ------------------------------------------------------------------------------------ control characters

SCRIPT = (
    "Title: \x1b[31mRed\x1b[0m Line\n\nINT. KITCHEN - NIGHT\n\n"
    "Maya\x0cwaits. The kettle WHISTLES.\n\nMAYA\nYou came\x07 back.\n"
)


def test_control_characters_are_removed_once_with_one_warning(tmp_path: Path, caplog: Any) -> None:
    source = tmp_path / "red.fountain"
    source.write_text(SCRIPT, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="scriptkit.input"):
        outcome = fuzzing.pipeline(source, tmp_path / "work", "vertical-drama", None, sample=False)
    assert outcome == "ok"
    warnings = [r.getMessage() for r in caplog.records if r.name == "scriptkit.input"]
    assert warnings == [f"{source}: removed 4 control characters no NLE format can carry on lines 1, 5, 8"]
    fcpxml = next((tmp_path / "work" / "out").glob("*.fcpxml")).read_text(encoding="utf-8")
    assert "You came back." in fcpxml and "Maya waits." in fcpxml and "[31mRed[0m Line" in fcpxml


def test_shot_list_control_characters_are_cleaned_with_their_line(tmp_path: Path, caplog: Any) -> None:
    from scriptkit.shotlist_io import read_shotlist

    path = tmp_path / "shots.json"
    data = json.loads(_planned_json(tmp_path))
    data["title"] = "Bad\x1b[0m\x00 title"
    data["shots"][_speaking(data)]["dialogue"][0]["text"] = "Hi\x0bthere"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="scriptkit.input"):
        shotlist = read_shotlist(path)
    assert shotlist.title == "Bad[0m title" and shotlist.shots[_speaking(data)].dialogue[0].text == "Hi there"
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "scriptkit.input"]
    assert warning.startswith(f"{path}: removed 3 control characters") and "lines" in warning


def _speaking(data: dict[str, Any]) -> int:
    """The index of the first shot with dialogue."""
    return next(n for n, shot in enumerate(data["shots"]) if shot["dialogue"])


def _planned_json(tmp_path: Path) -> str:
    from scriptkit.parse.fountain import parse_fountain
    from scriptkit.plan import plan_script
    from scriptkit.templates import load_template

    text = "INT. KITCHEN - NIGHT\n\nMAYA\nHello.\n\nLEO\nHi.\n"
    return plan_script(parse_fountain(text, "x.fountain"), load_template("vertical-drama")).model_dump_json()


# -------------------------------------------------------------------------------------------------- limits


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (("shots", 0, "seed"), 10**40, "seed: Input should be less than or equal to 4294967295"),
        (("shots", 0, "source_line"), 2**63, "source_line"),
        (("shots", 0, "duration"), 1e300, "duration"),
        (("shots", "D", "dialogue", 0, "text"), "word " * 400_000, "dialogue.0.text: String should have at most"),
        (("title",), "T" * 1000, "title: String should have at most 300"),
        (("width",), 10**9, "width"),
        (("fps",), "0/0", "fps"),
        (("shots", "D", "dialogue", 0, "offset"), float("nan"), "offset"),
    ],
)
def test_shot_list_beyond_the_limits_is_refused_with_file_line_and_field(
    tmp_path: Path, field: tuple[Any, ...], value: Any, message: str
) -> None:
    from scriptkit.shotlist_io import read_shotlist

    data = json.loads(_planned_json(tmp_path))
    node = data
    for key in field[:-1]:
        node = node[_speaking(data) if key == "D" else key]
    node[field[-1]] = value
    path = tmp_path / "shots.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    with pytest.raises(ScriptkitError) as caught:
        read_shotlist(path)
    assert caught.value.path == str(path) and caught.value.line, caught.value
    assert message in caught.value.message


def test_a_two_megabyte_speech_is_refused_at_its_line_before_any_voice(tmp_path: Path) -> None:
    from scriptkit.parse.fountain import parse_fountain
    from scriptkit.plan import plan_script
    from scriptkit.templates import load_template

    text = "INT. KITCHEN - NIGHT\n\nMAYA\nHello.\n\nLEO\n" + "blah " * 400_000 + "\n"
    with pytest.raises(ScriptkitError) as caught:
        plan_script(parse_fountain(text, "long.fountain"), load_template("vertical-drama"))
    assert (caught.value.path, caught.value.line) == ("long.fountain", 6)
    assert f"the limit is {MAX_LINE:,}" in caught.value.message


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    from scriptkit.shotlist_io import read_shotlist

    path = tmp_path / "shots.yaml"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    path.write_text("\n".join(lines) + "\nshots: *a8\n", encoding="utf-8")
    with pytest.raises(ScriptkitError, match="aliases") as caught:
        read_shotlist(path)
    assert caught.value.line == 1


# ------------------------------------------------------------------------------------------------ hostile XML

BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE {root} [\n <!ENTITY a "aaaaaaaaaa">\n'
    + "".join(f' <!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">\n' for n in range(8))
    + "]>\n<{root}>&i;</{root}>\n"
)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY x SYSTEM "file://{secret}">]>\n<{root}>&x;</{root}>\n'
EXTERNAL_DTD = '<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "file://{secret}">\n<{root}/>\n'
PUBLIC_DTD = '<?xml version="1.0"?>\n<!DOCTYPE {root} PUBLIC "-//X//Y" "http://127.0.0.1:9/x.dtd">\n<{root}/>\n'
DEEP = '<?xml version="1.0"?>\n<{root}>' + "<a>" * 300 + "</a>" * 300 + "</{root}>\n"


def _readers() -> dict[str, tuple[str, str, Callable[[Path], Any]]]:
    """Every XML reader: name -> (root element, file suffix, read function)."""
    import exporters
    from scriptkit.parse import load_script

    readers: dict[str, tuple[str, str, Callable[[Path], Any]]] = {"fdx": ("FinalDraft", ".fdx", load_script)}
    for fmt in exporters.formats():
        if fmt.read is not None and fmt.extension in (".fcpxml", ".xml", ".kdenlive", ".mlt"):
            root = {".fcpxml": "fcpxml", ".xml": "xmeml", ".kdenlive": "mlt", ".mlt": "mlt"}[fmt.extension]
            readers[fmt.name] = (root, fmt.extension, fmt.read)
    return readers


READERS = _readers()


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (BOMB, "entity"),
        (XXE, "entity"),
        (EXTERNAL_DTD, "external DTD"),
        (PUBLIC_DTD, "external DTD"),
        (DEEP, "safety limits"),
        ("huge", "is read up to"),
    ],
    ids=["billion-laughs", "xxe", "external-dtd", "public-dtd", "deep", "huge"],
)
def test_every_xml_reader_refuses_hostile_xml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str, payload: str, message: str
) -> None:
    root, suffix, read = READERS[reader]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    if payload == "huge":
        monkeypatch.setattr(safexml, "MAX_XML_BYTES", 4096)
        payload = '<?xml version="1.0"?>\n<{root}>' + "<x>padding</x>\n" * 1000 + "</{root}>\n"
    path = tmp_path / f"hostile{suffix}"
    path.write_text(payload.replace("{root}", root).replace("{secret}", str(secret)), encoding="utf-8")
    with pytest.raises(ScriptkitError) as caught:
        read(path)
    assert caught.value.path == str(path)
    assert message in caught.value.message
    assert "TOP-SECRET-VALUE" not in str(caught.value)


def test_every_xml_reader_uses_the_one_safe_parser() -> None:
    """No XML reader sets up its own parser: lxml's parsing entry points appear in safexml only (xmeml hands
    OTIO's adapter a stdlib copy of a tree safexml already read, without its DOCTYPE)."""
    root = Path(__file__).resolve().parents[1]
    calls = ("etree.XMLParser(", "etree.parse(", "etree.fromstring(", "etree.XML(", "etree.iterparse(", "minidom")
    offenders = []
    for path in [*root.glob("scriptkit/**/*.py"), *root.glob("exporters/*.py"), *root.glob("generators/*.py")]:
        text = path.read_text(encoding="utf-8")
        if path.name != "safexml.py" and any(call in text for call in calls):
            offenders.append(path.name)
    assert offenders == []


# ------------------------------------------------------------------------------------------------- fix-ups


def test_transitions_dropped_next_to_fades_are_one_summary_line(tmp_path: Path, caplog: Any) -> None:
    from scriptkit.models import Transition
    from scriptkit.timeline import build_timeline
    from tests.fixtures import sample_assets, sample_shotlist

    shotlist = sample_shotlist(shots=12, transitions=False)
    fade = Transition(kind="fade", duration=0.5)
    for n, shot in enumerate(shotlist.shots):
        if n % 2:
            shot.transition_in = Transition(kind="dissolve", duration=0.5)
        else:
            shot.transition_out = fade
    assets = sample_assets(shotlist, tmp_path / "media")
    with caplog.at_level(logging.WARNING, logger="scriptkit.timeline"):
        timeline = build_timeline(shotlist, assets, tmp_path / "media")
    dropped = [f for f in timeline.metadata["scriptkit"]["fixups"] if "dropped" in f]
    assert len(dropped) >= 5
    lines = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(lines) == 1 and f"{len(dropped)} times" in lines[0], lines


def test_xmeml_keeps_an_empty_media_url_with_relative_media() -> None:
    """An editor's EDL event without a source file reaches the writers with no media URL."""
    from exporters.xmeml import media_url
    from scriptkit.models import ExportOptions

    assert media_url("", ExportOptions(project_dir="/p", relative_media=True)) == ""
