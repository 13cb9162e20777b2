"""End-to-end flows through the real CLI, as a studio user, an editor and a pipeline engineer drive it.

One module-scoped build of the example episode (--no-preview: the preview has its own tests) is shared; every
other build copies its media/ first, so the content-addressed cache makes it a warm, fast rebuild.
"""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from exporters.fcpxml import fcpxml_readers
from scriptkit.build import nles_for_format, targets_for
from scriptkit.rates import timecode_to_frames

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "last-train.fountain"
STYLE = ROOT / "examples" / "style.png"

runner = CliRunner()


def cli(*args: str | Path) -> tuple[int, str]:
    from scriptkit.cli import app

    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    assert lines[0].startswith("error: "), output
    return lines[0]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("flows") / "ep07"
    code, output = cli("build", EXAMPLE, "--style", STYLE, "-o", out, "--no-preview", "-q")
    assert code == 0, output
    return out


def warm_build(project: Path, out: Path, *args: str | Path, source: Path = EXAMPLE) -> tuple[int, str]:
    """Build into `out` with `project`'s media (and cache) copied in first."""
    shutil.copytree(project / "media", out / "media")
    return cli("build", source, "--style", STYLE, "-o", out, "--no-preview", "-q", *args)


def test_build_then_check_is_clean(project: Path) -> None:
    code, output = cli("check", project)
    assert code == 0, output
    assert output.strip() == "ok: every output would open"


def test_check_judges_fcpxml_only_against_the_nles_asked_for(project: Path, tmp_path: Path) -> None:
    assert nles_for_format("fcpxml", targets_for("fcp")) == ["fcp"]
    assert nles_for_format("fcpxml", targets_for("all")) == ["resolve", "fcp"]
    assert set(fcpxml_readers(["fcp"])) == {"Final Cut Pro 10.6.8", "Final Cut Pro 11"}
    # for Final Cut Pro 11 only, FCPXML 1.13 is right; only FCP 10.6.8 (reads up to 1.11) is worth a word
    out = tmp_path / "fcp"
    code, output = warm_build(project, out, "--nle", "fcp", "--fcpxml-version", "1.13")
    assert code == 0, output
    code, output = cli("check", out)
    assert code == 1
    lines = output.splitlines()
    assert lines == [
        "the-last-train.fcpxml: FCPXML 1.13 will not open in Final Cut Pro 10.6.8 (it reads 1.3 to 1.11)"
    ], output  # one finding per line (never wrapped at 80 columns), and no Resolve release named


def test_drop_frame_timeline_starts_at_one_hour_drop_frame(project: Path, tmp_path: Path) -> None:
    template = tmp_path / "ntsc.yaml"
    text = (ROOT / "templates" / "vertical-drama.yaml").read_text(encoding="utf-8")
    lines = [('fps: "30000/1001"' if line.startswith("fps:") else line) for line in text.splitlines()]
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "df"
    code, output = warm_build(project, out, "--template", template, "--drop-frame")
    assert code == 0, output
    edl = (out / "the-last-train.edl").read_text(encoding="utf-8")
    assert "FCM: DROP FRAME" in edl
    first_event = next(line for line in edl.splitlines() if line[:3].isdigit())
    assert first_event.split()[-2] == "01:00:00;00", first_event
    sequence = etree.parse(str(out / "the-last-train.fcpxml")).find(".//sequence")
    rate = Fraction(30000, 1001)
    start = timecode_to_frames("01:00:00;00", rate, True)
    assert sequence.get("tcFormat") == "DF"
    assert Fraction(sequence.get("tcStart").rstrip("s")) == start / rate
    code, output = cli("check", out)
    assert code == 0, output


def _time(value: Fraction) -> str:
    """FCPXML's rational time: 'n/ds', or 'ns' for whole seconds."""
    return f"{value.numerator}/{value.denominator}s" if value.denominator != 1 else f"{value.numerator}s"


def _edit_fcpxml(source: Path, dest: Path, delete: str) -> None:
    """An editor's edit: delete one clip from the spine and close the gap (ripple delete)."""
    tree = etree.parse(str(source))
    spine = tree.find(".//spine")
    items = list(spine)
    clip = next(el for el in items if el.get("name") == delete)
    length = Fraction(clip.get("duration").rstrip("s"))
    for el in items[items.index(clip) + 1 :]:
        el.set("offset", _time(Fraction(el.get("offset").rstrip("s")) - length))
    spine.remove(clip)
    tree.write(str(dest), xml_declaration=True, encoding="UTF-8")


def test_refine_one_changed_line_regenerates_one_asset_and_the_version_checks_clean(
    project: Path, tmp_path: Path
) -> None:
    base = tmp_path / "ep07"
    shutil.copytree(project, base)
    edited = tmp_path / "ep07-edit.fcpxml"
    _edit_fcpxml(base / "the-last-train.fcpxml", edited, delete="sc-subway-car-006")
    script = tmp_path / "v2.fountain"
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "\nYou said midnight.\n" in text
    # a line long enough that the planned total crosses a 15 s step of the music bed's length
    script.write_text(text.replace("\nYou said midnight.\n", "\nYou told me midnight, Theo.\n"), encoding="utf-8")

    code, output = cli("diff", base, edited)
    assert code == 0, output
    assert "deleted sc-subway-car-006" in output

    code, output = cli("refine", base, "--edited", edited, "--script", script, "-q")
    assert code == 0, output
    version = base / "versions" / "v001"
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["refine"]["regenerated"] == ["sc-subway-car-002-d2"]  # the voice; not the music bed
    changes = (version / "CHANGES.md").read_text(encoding="utf-8")
    assert "sc-subway-car-002" in changes and "deleted sc-subway-car-006" in changes

    # the version holds the editor's cut (16 shots), not the plan's 17: check compares it with its own timeline
    code, output = cli("check", version)
    assert code == 0, output
    assert output.strip() == "ok: every output would open"


def test_refine_refuses_a_timeline_at_another_frame_rate(project: Path, tmp_path: Path) -> None:
    base = tmp_path / "ep07"
    shutil.copytree(project, base)
    edited = tmp_path / "at-23976.fcpxml"
    tree = etree.parse(str(base / "the-last-train.fcpxml"))
    tree.find(".//format").set("frameDuration", "1001/24000s")
    tree.write(str(edited), xml_declaration=True, encoding="UTF-8")
    for command in (("diff", base, edited), ("refine", base, "--edited", edited, "-q")):
        code, output = cli(*command)
        assert code == 2, output
        line = one_error_line(output)
        assert str(edited) in line and "23.976 fps" in line and "30.000 fps" in line
    assert not any((base / "versions").glob("v*"))


def test_an_error_naming_a_path_with_brackets_is_one_clean_line(tmp_path: Path) -> None:
    folder = tmp_path / "take[" / "b]"  # the path reads '.../take[/b]/empty.fountain': not Rich markup
    folder.mkdir(parents=True)
    empty = folder / "empty.fountain"
    empty.write_bytes(b"")
    code, output = cli("build", empty, "--style", STYLE, "-o", tmp_path / "out", "-q")
    assert code == 2, output
    line = one_error_line(output)
    assert str(empty) in line and "empty" in line
    assert not (tmp_path / "out").exists()


def test_preview_shot_id_burn_in_hides_the_keyframes_own_corner_id(project: Path, tmp_path: Path) -> None:
    """The storyboard keyframe prints its shot id top left; the burn-in must cover it, not print a second,
    offset id through a see-through box (which read as garbled double text)."""
    import av

    out = tmp_path / "pv"
    shutil.copytree(project / "media", out / "media")
    code, output = cli("build", EXAMPLE, "--style", STYLE, "-o", out, "--nle", "fcp", "--preview-size", "180x320", "-q")
    assert code == 0, output
    with av.open(str(out / "preview.mp4")) as container:
        frame = next(f for f in container.decode(video=0) if f.pts * f.time_base >= 1).to_ndarray(format="rgb24")
    keyframe_paper = frame[0:4, 150:175].mean()  # top right of the tab: the storyboard's light paper
    tab = frame[0:4, 10:50].mean()  # the top edge, where the keyframe's own id label sits
    assert keyframe_paper > 150, keyframe_paper
    assert tab < 40, tab  # near-opaque box (it was ~90: keyframe paper above a see-through box)
