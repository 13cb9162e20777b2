"""Fuzz the FDX reader with mutated corpus files: it either parses or raises ScriptkitError, and fast.

Mutations: truncation at any offset, byte flips and insertions, deletion of random XML elements, and
random attribute values (Type, Style, Number, Length, Alignment, Range) on real paragraphs. Examples are
derandomized so CI is reproducible; every run still covers hundreds of distinct mutated files.
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from scriptkit.errors import ScriptkitError
from scriptkit.models import Script
from scriptkit.parse.fdx import parse_fdx

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "screenplays"
SEEDS = {
    name: (CORPUS / name).read_bytes()
    for name in (
        "fountain-tools/TestFDX-FD.fdx",
        "fountain-tools/TestFDX-FI.fdx",
        "full_length/Brick-and-Steel.fdx",
        "screenplain/dual-dialogue.fdx",
        "afterwriting/fdx_note.fdx",
        "afterwriting/fdx_synopsis.fdx",
    )
}
NAMES = sorted(SEEDS)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: A mutated 45 KB file must be answered well inside this (the intact one takes about a millisecond).
MAX_SECONDS = 1.0


def outcome(data: bytes, name: str) -> Script | ScriptkitError:
    """Parse; anything but a Script or a ScriptkitError naming the file propagates and fails the test."""
    started = time.perf_counter()
    try:
        result: Script | ScriptkitError = parse_fdx(data, source=name)
    except ScriptkitError as error:
        assert str(error).startswith(name), f"error does not name the file: {error}"
        result = error
    assert time.perf_counter() - started < MAX_SECONDS
    if isinstance(result, Script):
        last_line = data.count(b"\n") + 1
        for element in result.elements:
            assert 1 <= element.line <= last_line
            assert not element.runs or "".join(run.text for run in element.runs) == element.text
    return result


def test_seeds_parse_intact() -> None:
    for name, data in SEEDS.items():
        assert isinstance(outcome(data, name), Script)


@FUZZ
@given(name=st.sampled_from(NAMES), fraction=st.floats(min_value=0.0, max_value=1.0))
def test_truncated(name: str, fraction: float) -> None:
    data = SEEDS[name]
    cut = int(len(data) * fraction)
    result = outcome(data[:cut], name)
    if cut < len(data.rstrip()) - len("</FinalDraft>"):
        assert isinstance(result, ScriptkitError), "a file cut before its root closes is malformed XML"
        assert result.line is not None, "malformed XML is reported with its line"


@FUZZ
@given(
    name=st.sampled_from(NAMES),
    edits=st.lists(
        st.tuples(st.floats(min_value=0.0, max_value=1.0), st.integers(0, 255), st.booleans()),
        min_size=1,
        max_size=8,
    ),
)
def test_flipped_and_inserted_bytes(name: str, edits: list[tuple[float, int, bool]]) -> None:
    data = bytearray(SEEDS[name])
    for where, byte, insert in edits:
        position = min(int(len(data) * where), len(data) - 1)
        if insert:
            data.insert(position, byte)
        else:
            data[position] = byte
    outcome(bytes(data), name)


@FUZZ
@given(name=st.sampled_from(NAMES), picks=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=6))
def test_deleted_elements(name: str, picks: list[float]) -> None:
    root = etree.fromstring(SEEDS[name])
    for pick in picks:
        nodes = [node for node in root.iter() if node.getparent() is not None]
        if not nodes:
            break
        node = nodes[min(int(len(nodes) * pick), len(nodes) - 1)]
        node.getparent().remove(node)
    result = outcome(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), name)
    if root.find("Content") is None:
        assert isinstance(result, ScriptkitError)


ATTRIBUTES = ["Type", "Style", "Number", "Length", "Alignment", "Range"]


@FUZZ
@given(
    name=st.sampled_from(NAMES),
    changes=st.lists(
        st.tuples(
            st.floats(min_value=0.0, max_value=1.0),
            st.sampled_from(ATTRIBUTES),
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_random_attribute_values(name: str, changes: list[tuple[float, str, str]]) -> None:
    root = etree.fromstring(SEEDS[name])
    nodes = [node for node in root.iter("Paragraph", "Text", "SceneProperties", "ScriptNote")]
    for pick, attribute, value in changes:
        node = nodes[min(int(len(nodes) * pick), len(nodes) - 1)]
        node.set(attribute, value)
    result = outcome(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), name)
    assert isinstance(result, Script), "any attribute value is still a readable screenplay"
