"""The command line: help with examples everywhere, one-line errors, the schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scriptkit.cli import app

runner = CliRunner()
COMMANDS = [
    "parse",
    "plan",
    "generate",
    "build",
    "check",
    "diff",
    "refine",
    "formats",
    "schema shotlist",
    "schema script",
]


def test_top_level_help_shows_an_example() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "scriptkit build examples/last-train.fountain" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_help_shows_a_real_example(command: str) -> None:
    words = command.split()
    result = runner.invoke(app, [*words, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert f"scriptkit {command}" in result.output


def test_formats_lists_the_registry() -> None:
    import exporters

    result = runner.invoke(app, ["formats"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"--nle targets: {', '.join(exporters.nle_targets())} or all"
    assert [line.split()[0] for line in lines[1:] if not line.startswith(" ")] == exporters.available()
    assert "option fcpxml_version (default '1.10')" in result.output


def test_schema_shotlist_is_the_json_schema_of_the_model() -> None:
    result = runner.invoke(app, ["schema", "shotlist"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "ShotList"
    assert {"shots", "fps", "width", "height"} <= set(schema["properties"])
    assert "Shot" in schema["$defs"]


def test_missing_file_is_one_line_naming_the_file_and_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.fountain"
    proc = subprocess.run(
        [sys.executable, "-m", "scriptkit", "parse", str(missing), "--json"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(missing) in proc.stderr
    assert "file not found" in proc.stderr


def test_unknown_template_is_reported(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "examples/last-train.fountain", "-t", "nope", "-o", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2
    assert "unknown template 'nope'" in result.output
    assert not (tmp_path / "s.yaml").exists()


def test_refine_policies_are_checked_before_anything_is_read(tmp_path: Path) -> None:
    edited = tmp_path / "edit.fcpxml"
    result = runner.invoke(app, ["refine", str(tmp_path), "--edited", str(edited), "--removed", "hide"])
    assert result.exit_code == 2
    assert "--removed must be drop or flag, not 'hide'" in result.output
    result = runner.invoke(app, ["refine", str(tmp_path), "--edited", str(edited), "--length", "stretch"])
    assert result.exit_code == 2
    assert "--length must be hold or ripple" in result.output
    assert not (tmp_path / "versions").exists()


def test_an_rtf_document_is_refused_naming_the_accepted_kinds(tmp_path: Path) -> None:
    """RTF is text a Fountain reader would take for action lines: refused before any reader guesses at it."""
    path = tmp_path / "script.rtf"
    path.write_bytes(b"{\\rtf1\\ansi INT. ROOM - DAY\\par Maya waits.}")
    result = runner.invoke(app, ["build", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "an RTF document" in lines[0] and "Final Draft (.fdx)" in lines[0]
    assert not (tmp_path / "out").exists()


def test_library_noise_is_caught_and_logging_restored(capfd: pytest.CaptureFixture[str]) -> None:
    """What a reader or writer library prints or logs as a warning (`WARNING:root:Fraction(0,0)`) never reaches
    the user; scriptkit's own error line does, and logging works again afterwards."""
    import logging

    from scriptkit.io import library_noise_caught

    with library_noise_caught():
        print("adapter diagnostics")
        print("more", file=sys.stderr)
        logging.warning("Fraction(0,0)")
    assert capfd.readouterr() == ("", "")
    assert not logging.root.manager.disable
