"""Hypothesis fuzzing of the Fountain reader, and bad input through `load_script`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scriptkit.errors import ScriptkitError
from scriptkit.models import Element
from scriptkit.parse import MAX_SCRIPT_BYTES, load_script
from scriptkit.parse.fountain import parse_fountain, parse_fountain_bytes

FRAGMENTS = [
    "INT. HOUSE - DAY", "EXT. FIELD #12A#", ".FORCED", "...", "BOB", "MARY (V.O.)", "STEEL (cont'd) ^", "@Анна",
    "1984", "(beat)", "Hello there.", "~La la la", ">CENTERED<", "> FORCED TRANSITION", "CUT TO:", "CUT TO: ",
    "FADE IN:", "Title: X", "Author:", "    indented", "\t tab", "# Act", "## Seq", "= synopsis", "===", "!BANG",
    "*it*", "**bold**", "***both***", "_under_", "\\*", "\\_", "*", "_", "**", "[[", "]]", "[[note]]", "/*", "*/",
    "/* bone */", "  ", " ", "", "^", "#", "(", ")", "\r", "\r\n", "\ufeff", "ÉLODIE", "太郎", "\x00", "\ud800",
]  # fmt: skip

SEPARATORS = st.sampled_from(["\n", "\n\n", "", " "])
fountainish = st.lists(
    st.tuples(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), SEPARATORS), max_size=40
).map(lambda parts: "".join(fragment + separator for fragment, separator in parts))


def _line_count(text: str) -> int:
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fountainish)
def test_fuzz_fountain_text(text: str) -> None:
    try:
        script = parse_fountain(text, "fuzz.fountain")
    except ScriptkitError as exc:
        assert exc.path == "fuzz.fountain"
        assert exc.line is None or 1 <= exc.line <= _line_count(text)
        return
    count = _line_count(text)
    lines = [e.line for e in script.elements]
    assert all(1 <= line <= count for line in lines)
    assert lines == sorted(lines)
    for element in script.elements:
        assert Element.model_validate(element.model_dump()) == element
        if element.runs:
            assert "".join(run.text for run in element.runs) == element.text
    assert parse_fountain(text, "fuzz.fountain").model_dump_json() == script.model_dump_json()
    script.model_dump_json()  # serialisable (no lone surrogates)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_bytes_only_raise_scriptkit_errors(data: bytes) -> None:
    try:
        script = parse_fountain_bytes(data, "fuzz.fountain")
    except ScriptkitError as exc:
        assert exc.path == "fuzz.fountain"
        return
    assert all(e.line >= 1 for e in script.elements)


# ------------------------------------------------------------------------------------- load_script


def _error(path: Path) -> ScriptkitError:
    with pytest.raises(ScriptkitError) as caught:
        load_script(path)
    assert caught.value.path == str(path)
    return caught.value


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "picture.fountain"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x04\x00" + bytes(range(256)) * 4)
    assert "binary" in _error(path).message


def test_undecodable_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.fountain"
    path.write_bytes("INT. CAFÉ - DAY\n\nShe orders a crème brûlée.\n".encode("latin-1"))
    error = _error(path)
    assert error.line == 1
    assert "UTF-8" in error.message
    assert str(error).startswith(f"{path}:1: ")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.fountain"
    path.write_bytes(b"")
    assert "empty" in _error(path).message
    path.write_bytes(b" \n\r\n\t\n")
    assert "empty" in _error(path).message


def test_fifty_megabyte_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.fountain"
    with path.open("wb") as handle:
        handle.write(b"INT. HOUSE - DAY\n\n")
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, instant to make
    assert path.stat().st_size > MAX_SCRIPT_BYTES
    assert "MB" in _error(path).message


@pytest.mark.parametrize(
    ("content", "line", "needle"),
    [
        ("INT. A - DAY\n\nBOB\nHi. /* cut\n\nstill cut\n", 4, "'/*'"),
        ("INT. A - DAY\n\n[[ a note that never ends\n", 3, "'[['"),
    ],
)
def test_unbalanced_markers(tmp_path: Path, content: str, line: int, needle: str) -> None:
    path = tmp_path / "open.fountain"
    path.write_text(content, encoding="utf-8")
    error = _error(path)
    assert error.line == line
    assert needle in error.message


def test_unbalanced_markers_many_megabytes_fail_fast(tmp_path: Path) -> None:
    path = tmp_path / "open.fountain"
    path.write_bytes(b"INT. A - DAY\n\n" + b"[[/*" * 1_000_000)
    assert _error(path).line == 3
