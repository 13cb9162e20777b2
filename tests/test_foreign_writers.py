"""The editor loop through another program: our files read by OpenTimelineIO's own adapters (standing in for a
foreign NLE), an editor's cut applied there, written back by that program, then `diff` and `refine`.

Edits, as an editor makes them: trim a head (leaving black, no ripple), a dissolve between two shots, a shot
overwritten by the editor's own movie, two shots swapped, the last shot's tail extended, the editor's own still
after it, a line of dialogue slipped by 10 frames, a cue muted. Every edit is reported once in plain words,
nothing else is, and the refined version keeps the cut (and the foreign media where the editor put it) in every
format of the project, the preview included.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import av
import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from exporters import get_format
from exporters.aaf import transition_metadata
from scriptkit.cli import app
from tests.fixtures import write_movie

ROOT = Path(__file__).resolve().parents[1]
RATE = 30
SCRIPT = """Title: Foreign Hands

EXT. HARBOUR - DAWN

Gulls wheel over the boats. Ana hauls a net onto the pier.

ANA
The catch is small again.

A BELL RINGS across the water.

INT. BOATHOUSE - DAY

Ben mends a sail by the window.

BEN
Then we go further out.

ANA
In that boat?

Ben laughs. A DOOR SLAMS.
"""
#: adapter -> (our output it reads, suffix it writes, can it carry audio and a mute)
WRITERS = {
    "otio_json": ("foreign-hands.otio", ".otio", True, True),
    "fcp_xml": ("foreign-hands.premiere.xml", ".xml", True, False),
    "AAF": ("foreign-hands.aaf", ".aaf", True, False),
    "cmx_3600": ("foreign-hands.edl", ".edl", False, False),
}
PICTURE_REPORT = [
    "trimmed sc-harbour-001: in +10 frames (length -10 frames)",
    "trimmed sc-boathouse-003: out +15 frames (length +15 frames)",
    "moved sc-boathouse-004: position 7 -> 5",
    "deleted sc-harbour-003",
    "new clip 'broll-gulls' on V1 at 00:00:07:04, 63 frames, media ",
    "new clip 'logo-card' on V1 at 00:00:20:12, 30 frames, media ",
    "added dissolve (12 frames) at sc-harbour-001 -> sc-harbour-002",
]
AUDIO_REPORT = [
    "moved line sc-boathouse-002-d2 by +10 frames against its shot",
    "moved cue sc-boathouse-003-c1 by -60 frames against its shot",  # its shot moved 60 frames later (the swap)
]
MUTE_REPORT = "muted cue sc-boathouse-003-c1 (the clip is disabled)"
EDITED_CUT = [
    ("", 10),
    ("sc-harbour-001", 116),
    ("Cross Dissolve", 12),
    ("sc-harbour-002", 88),
    ("broll-gulls", 63),
    ("sc-boathouse-001", 74),
    ("sc-boathouse-002", 134),
    ("sc-boathouse-004", 60),
    ("sc-boathouse-003", 67),
    ("logo-card", 30),
]

#: Every timeline format of a refined version, read back by our readers.
VERSION_FILES = {
    "otio": "foreign-hands.otio",
    "xmeml": "foreign-hands.premiere.xml",
    "fcpxml": "foreign-hands.fcpxml",
    "aaf": "foreign-hands.aaf",
    "edl": "foreign-hands.edl",
}

runner = CliRunner()


def _rt(n: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(n, RATE)


def _range(start: float, frames: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start), _rt(frames))


def _movie(path: Path) -> Path:
    """The editor's movie, 90 frames of green: told apart from every keyframe in the preview."""
    return write_movie(path, [(0, 200, 0)] * 90, RATE, 108, 192)


def _clip(track: otio.schema.Track, name: str) -> tuple[int, otio.schema.Clip]:
    return next((i, item) for i, item in enumerate(track) if isinstance(item, otio.schema.Clip) and item.name == name)


def edit(timeline: otio.schema.Timeline, movie: str, still: str, audio: bool) -> None:
    """The editor's cut, applied to a timeline as the foreign program read it."""
    video = next(t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video)
    i, clip = _clip(video, "sc-harbour-001")
    source = clip.source_range
    clip.source_range = _range(source.start_time.value + 10, source.duration.value - 10)
    video.insert(i, otio.schema.Gap(source_range=_range(0, 10)))
    i, _ = _clip(video, "sc-harbour-002")
    video.insert(
        i,
        otio.schema.Transition(
            name="Cross Dissolve",
            transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
            in_offset=_rt(6),
            out_offset=_rt(6),
        ),
    )
    i, clip = _clip(video, "sc-harbour-003")
    video[i] = otio.schema.Clip(
        name="broll-gulls",
        media_reference=otio.schema.ExternalReference(target_url=movie, available_range=_range(0, 90)),
        source_range=_range(5, round(clip.source_range.duration.value)),
    )
    i, first = _clip(video, "sc-boathouse-003")
    j, second = _clip(video, "sc-boathouse-004")
    video[i], video[j] = copy.deepcopy(second), copy.deepcopy(first)
    last = video[len(video) - 1]
    last.source_range = _range(last.source_range.start_time.value, last.source_range.duration.value + 15)
    video.append(
        otio.schema.Clip(
            name="logo-card",
            media_reference=otio.schema.ExternalReference(target_url=still, available_range=_range(0, 300)),
            source_range=_range(0, 30),
        )
    )
    if not audio:
        return
    for track in timeline.tracks:
        if track.kind != otio.schema.TrackKind.Audio:
            continue
        for index, item in enumerate(track):
            if isinstance(item, otio.schema.Clip) and item.name == "sc-boathouse-002-d2":
                track[index - 1].source_range = _range(0, round(track[index - 1].duration().value) + 10)
            if isinstance(item, otio.schema.Clip) and item.name == "sc-boathouse-003-c1":
                item.enabled = False


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("foreign")
    (folder / "ep.fountain").write_text(SCRIPT, encoding="utf-8")
    result = runner.invoke(
        app,
        ["build", str(folder / "ep.fountain"), "--style", str(ROOT / "examples" / "style.png"), "-o",
         str(folder / "ep"), "--nle", "all", "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    _movie(folder / "broll.mp4")
    (folder / "logo.png").write_bytes((ROOT / "examples" / "style.png").read_bytes())
    return folder


@pytest.mark.parametrize("adapter", list(WRITERS))
def test_an_edit_written_by_another_program_is_reported_and_kept(work: Path, adapter: str, tmp_path: Path) -> None:
    project = tmp_path / "ep"
    shutil.copytree(work / "ep", project, symlinks=True)
    ours, suffix, audio, mute = WRITERS[adapter]
    extra = {"rate": RATE} if adapter == "cmx_3600" else {}
    timeline = otio.adapters.read_from_file(str(project / ours), adapter_name=adapter, **extra)
    edit(timeline, (work / "broll.mp4").as_uri(), (work / "logo.png").as_uri(), audio)
    write_extra: dict[str, object] = {}
    if adapter == "AAF":  # what Media Composer writes for a dissolve, and its own mob ids for new clips
        for track in timeline.tracks:
            for item in track:
                if isinstance(item, otio.schema.Transition) and "AAF" not in item.metadata:
                    kind = "Picture" if track.kind == otio.schema.TrackKind.Video else "Sound"
                    item.metadata["AAF"] = transition_metadata(item, kind)
        write_extra["use_empty_mob_ids"] = True
    edited = tmp_path / f"edited{suffix}"
    otio.adapters.write_to_file(timeline, str(edited), adapter_name=adapter, **write_extra)

    result = runner.invoke(app, ["diff", str(project), str(edited)])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if not ln.startswith(("recognised", "warning:"))]
    expected = PICTURE_REPORT + (AUDIO_REPORT if audio else []) + ([MUTE_REPORT] if mute else [])
    if not audio:
        expected = ["picture only (no audio tracks): dialogue, effects and music follow their shots", *expected]
    for want in expected:
        assert sum(ln.startswith(want) for ln in lines) == 1, (want, lines)
    assert len(lines) == len(expected), lines

    result = runner.invoke(app, ["refine", str(project), "--edited", str(edited), "-q"])
    assert result.exit_code == 0, result.output
    version = project / "versions" / "v001"
    for fmt, name in VERSION_FILES.items():
        video = get_format(fmt).read(version / name).tracks[0]
        cut = [("" if isinstance(item, otio.schema.Gap) else item.name, round(item.duration().value)) for item in video]
        assert [d for _, d in cut] == [d for _, d in EDITED_CUT], (fmt, cut)
        assert [n for n, _ in cut if n.startswith(("sc-", "broll", "logo"))] == [
            n for n, _ in EDITED_CUT if n.startswith(("sc-", "broll", "logo"))
        ], (fmt, cut)
        broll = next(c for c in video.find_clips() if c.name == "broll-gulls")
        assert broll.media_reference.target_url.endswith("broll.mp4"), fmt
    # the preview shows the editor's movie where the editor put it (frame 7 s + 20: green, not a keyframe)
    with av.open(str(version / "preview.mp4")) as container:
        stream = container.streams.video[0]
        wanted = 10 + 116 + 88 - 6 + 30  # black, harbour-001, harbour-002 (the dissolve's tail), into the movie
        for index, frame in enumerate(container.decode(stream)):
            if index == wanted:
                pixels = frame.to_ndarray(format="rgb24").astype(int)
                middle = pixels[pixels.shape[0] // 3 : 2 * pixels.shape[0] // 3, :, :].mean(axis=(0, 1))
                assert middle[1] > 150 and middle[0] < 80 and middle[2] < 80, middle
                break
        else:
            pytest.fail("the preview is shorter than the edit")
