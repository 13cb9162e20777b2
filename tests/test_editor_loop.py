"""The editor loop on what editors hand back: a picture-only EDL, a timeline with their own B-roll movie, a timeline
of another project, a deleted shot with its dialogue left in place. Real project (CLI build), real writers."""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from scriptkit.cli import app
from tests.fixtures import write_movie

ROOT = Path(__file__).resolve().parents[1]
STYLE = ROOT / "examples" / "style.png"
SCRIPT = """Title: Night Bus

EXT. BUS STOP - NIGHT

Lena waits under a broken lamp.

LENA
It's late again.

A HORN BLARES.

INT. BUS - NIGHT

Omar drives, eyes on the road.

OMAR
Tickets, please.

LENA
I lost mine.
"""
OTHER = """Title: Another Night

EXT. BUS STOP - NIGHT

Rain on the shelter.

LENA
Not again.
"""

runner = CliRunner()


def build(folder: Path, text: str, name: str) -> Path:
    script = folder / f"{name}.fountain"
    script.write_text(text, encoding="utf-8")
    out = folder / name
    result = runner.invoke(
        app, ["build", str(script), "--style", str(STYLE), "-o", str(out), "--nle", "all", "--no-preview", "-q"]
    )
    assert result.exit_code == 0, result.output
    return out


def movie(path: Path, frames: int = 60, fps: int = 30) -> Path:
    """The editor's B-roll: a grey ramp, 192x108."""
    grey = [((index * 4) % 255,) * 3 for index in range(frames)]
    return write_movie(path, grey, fps, 192, 108)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("editor-loop")
    build(folder, SCRIPT, "bus")
    build(folder, OTHER, "other")
    return folder


@pytest.fixture
def project(work: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "bus"
    shutil.copytree(work / "bus", copy, symlinks=True)
    return copy


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def audio_owners(timeline: otio.schema.Timeline) -> list[str]:
    return sorted(
        str(
            (clip.metadata.get("scriptkit") or {}).get("line_id")
            or (clip.metadata.get("scriptkit") or {}).get("cue_id")
        )
        for track in timeline.tracks
        if track.kind == otio.schema.TrackKind.Audio
        for clip in track.find_clips()
        if (clip.metadata.get("scriptkit") or {}).get("kind") in ("dialogue", "cue")
    )


def test_a_picture_edl_is_picture_only_and_refines(project: Path, tmp_path: Path) -> None:
    edl = tmp_path / "cut.edl"
    edl.write_bytes((project / "night-bus.edl").read_bytes())
    code, out = run("diff", str(project), str(edl))
    assert code == 0, out
    assert "picture only" in out
    assert "deleted" not in out
    code, out = run("refine", str(project), "--edited", str(edl), "-q")
    assert code == 0, out
    version = project / "versions" / "v001"
    before = otio.adapters.read_from_file(str(project / "night-bus.otio"))
    after = otio.adapters.read_from_file(str(version / "night-bus.otio"))
    assert audio_owners(after) == audio_owners(before) and audio_owners(before)
    assert (version / "night-bus.aaf").is_file() and (version / "night-bus.fcpxml").is_file()
    changes = (version / "CHANGES.md").read_text()
    assert "deleted line" not in changes


@pytest.mark.parametrize("fmt", ["otio", "premiere.xml", "fcpxml", "edl"])
def test_the_editors_b_roll_movie_is_kept_by_refine(project: Path, tmp_path: Path, fmt: str) -> None:
    broll = movie(tmp_path / "broll.mp4")
    timeline = otio.adapters.read_from_file(str(project / "night-bus.otio"))
    rate = timeline.tracks[0].find_clips()[0].source_range.duration.rate
    clip = otio.schema.Clip(
        name="broll",
        media_reference=otio.schema.ExternalReference(
            target_url=broll.as_uri(),
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(60, rate)
            ),
        ),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(5, rate), otio.opentime.RationalTime(40, rate)),
    )
    timeline.tracks[0].insert(2, clip)
    staged = tmp_path / "staged.otio"
    otio.adapters.write_to_file(timeline, str(staged))
    # the editor's timeline in the format under test, written by our own writer from the edited OTIO
    code, out = run("refine", str(project), "--edited", str(staged), "-q")
    assert code == 0, out
    edited = project / "versions" / "v001" / f"night-bus.{fmt}"
    code, out = run("refine", str(project), "--edited", str(edited), "-q")
    assert code == 0, out
    version = project / "versions" / "v002"
    kept = otio.adapters.read_from_file(str(version / "night-bus.otio"))
    names = [c.name for c in kept.tracks[0].find_clips()]
    assert names[2] == "broll", names
    broll_clip = kept.tracks[0].find_clips()[2]
    assert Path(broll_clip.media_reference.target_url.replace("file://", "")).name == "broll.mp4"
    assert round(broll_clip.source_range.duration.value) == 40


def test_a_timeline_of_another_project_is_refused_in_one_line(work: Path, project: Path) -> None:
    code, out = run("diff", str(project), str(work / "other" / "another-night.fcpxml"))
    assert code == 2
    assert "belongs to another project" in out
    assert len(out.strip().splitlines()) == 1
    code, out = run("refine", str(project), "--edited", str(work / "other" / "another-night.otio"))
    assert code == 2 and "belongs to another project" in out
    assert not (project / "versions").exists() or not any((project / "versions").iterdir())


def test_a_deleted_shots_dialogue_is_not_reported_moved(project: Path, tmp_path: Path) -> None:
    timeline = otio.adapters.read_from_file(str(project / "night-bus.otio"))
    video = timeline.tracks[0]
    shots = [i for i, item in enumerate(video) if isinstance(item, otio.schema.Clip)]
    deleted = video[shots[-1]]
    video[shots[-1]] = otio.schema.Gap(source_range=deleted.source_range)
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(timeline, str(path))
    code, out = run("diff", str(project), str(path))
    assert code == 0, out
    assert f"deleted {deleted.name}" in out
    assert "moved" not in out, out


def test_diff_timecodes_agree_across_formats(project: Path) -> None:
    """A foreign clip is reported at the same timecode whichever format carried it."""
    broll_rate = Fraction(30)
    timeline = otio.adapters.read_from_file(str(project / "night-bus.otio"))
    clip = otio.schema.Clip(
        name="insert",
        media_reference=otio.schema.ExternalReference(target_url=(project / "style.png").as_uri()),
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, float(broll_rate)), otio.opentime.RationalTime(30, float(broll_rate))
        ),
    )
    timeline.tracks[0].insert(1, clip)
    staged = project / "staged.otio"
    otio.adapters.write_to_file(timeline, str(staged))
    code, out = run("refine", str(project), "--edited", str(staged), "-q")
    assert code == 0, out
    version = project / "versions" / "v001"
    reported = set()
    for fmt in ("otio", "premiere.xml", "fcpxml", "edl", "aaf"):
        code, out = run("diff", str(project / "night-bus.otio"), str(version / f"night-bus.{fmt}"))
        assert code == 0, out
        line = next(ln for ln in out.splitlines() if ln.startswith("new clip 'insert'"))
        reported.add(line.split(" at ")[1].split(",")[0])
    assert len(reported) == 1, reported
    assert reported.pop().startswith("00:")


def test_library_noise_never_reaches_the_user(project: Path) -> None:
    """pyaaf2 logs `WARNING:root:Fraction(0,0) ...` reading this Media Composer export: the user sees one line."""
    corpus = ROOT / ".." / "shared" / "corpus" / "nle" / "aaf" / "avid_2997fps-DFTC.aaf"
    code, out = run("diff", str(project), str(corpus))
    assert code == 2
    assert "WARNING" not in out and len(out.strip().splitlines()) == 1, out
