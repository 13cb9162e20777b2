"""What is not a screenplay is refused in one line that names what it is and what scriptkit reads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from scriptkit.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "what"),
    [
        ("script.docx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        ("script.docx", _docx(), "a zip archive"),
        ("script.fountain", _png(), "a PNG image"),
        ("script.txt", bytes(range(256)) * 40, "binary data"),
    ],
)
@pytest.mark.parametrize("command", ["parse", "plan", "build"])
def test_not_a_screenplay_is_refused(tmp_path: Path, name: str, data: bytes, what: str, command: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    args = [command, str(path)]
    if command == "build":
        args += ["--style", str(ROOT / "examples" / "style.png"), "-o", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert what in lines[0] and "Fountain" in lines[0] and str(path) in lines[0]
    assert not (tmp_path / "out").exists()


def test_a_bad_style_reference_names_no_python_object(tmp_path: Path) -> None:
    style = tmp_path / "style.png"
    style.write_bytes(b"not an image at all")
    result = CliRunner().invoke(
        app, ["build", str(ROOT / "examples" / "last-train.fountain"), "--style", str(style), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "object at 0x" not in result.output and "BytesIO" not in result.output
    assert str(style) in result.output
