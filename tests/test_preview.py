"""preview.mp4 rendered from the timeline: decoded back with PyAV and checked frame by frame and by ear."""

from __future__ import annotations

import itertools
import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from PIL import Image

from exporters import get_format
from exporters.mlt_common import camera_move, crop_box, layout
from exporters.preview import MAX_SECONDS, preview_size, read_audio, write
from scriptkit.errors import ScriptkitError
from scriptkit.mix import DUCK_DB, TARGET_LUFS, TRUE_PEAK_DBTP, loudness, true_peak
from scriptkit.models import ExportOptions
from tests.fixtures import CHARACTER_TONES, sample_timeline, shot_colour


def _options(tmp: Path, **kw: object) -> ExportOptions:
    own = {key: kw.pop(key) for key in ("burn_in", "preview_width", "preview_height") if key in kw}
    return ExportOptions(project_dir=str(tmp), formats={"preview": own}, **kw)  # type: ignore[arg-type]


def decode(path: Path, wanted: set[int]) -> tuple[int, dict[int, np.ndarray], av.video.stream.VideoStream]:
    """(frame count, {index: RGB frame} for the wanted indexes, the video stream)."""
    frames: dict[int, np.ndarray] = {}
    count = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if count in wanted:
                frames[count] = frame.to_ndarray(format="rgb24")
            count += 1
        rate = stream.average_rate
        codec = stream.codec_context.name
    return count, frames, (rate, codec)  # type: ignore[return-value]


def decode_audio(path: Path) -> tuple[np.ndarray, int]:
    """Mono float samples placed by their timestamps, and the sample rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        assert stream.codec_context.name == "aac"
        pieces = []
        for frame in container.decode(stream):
            data = frame.to_ndarray().mean(axis=0)
            start = round(frame.time * rate) if frame.time is not None else None
            pieces.append((start, data))
    end = max(s + len(d) for s, d in pieces)
    out = np.zeros(end, np.float32)
    for start, data in pieces:
        out[max(0, start) : start + len(data)] = data[max(0, -start) :]
    return out, rate


def centre(frame: np.ndarray) -> np.ndarray:
    h, w, _ = frame.shape
    return frame[h * 2 // 5 : h * 3 // 5, w * 2 // 5 : w * 3 // 5].reshape(-1, 3).mean(axis=0)


def close(actual: np.ndarray, expected: tuple[float, ...] | np.ndarray, tol: float = 10.0) -> bool:
    return bool(np.all(np.abs(np.asarray(actual, float) - np.asarray(expected, float)) <= tol))


def tone_energy(samples: np.ndarray, rate: int, start_s: float, end_s: float, freq: float) -> float:
    """Amplitude of `freq` in the window (a single-bin DFT)."""
    piece = samples[int(start_s * rate) : int(end_s * rate)]
    t = np.arange(len(piece)) / rate
    return float(np.abs(np.sum(piece * np.exp(-2j * np.pi * freq * t))) * 2 / max(1, len(piece)))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    """The six-shot sample (fade in, cuts, a dissolve, a wipe, fade out, two voices, a cue, music), no burn-in."""
    tmp = tmp_path_factory.mktemp("preview")
    tl = sample_timeline(tmp)
    out = tmp / "project" / "preview.mp4"
    write(tl, out, _options(tmp / "project", burn_in=False, preview_width=270, preview_height=480))
    return tl, layout(tl), out


def test_registered() -> None:
    fmt = get_format("preview")
    assert fmt.extension == ".mp4" and fmt.write is write


def test_frame_count_rate_and_codecs_match_the_timeline(rendered) -> None:
    tl, lay, out = rendered
    count, _, (rate, codec) = decode(out, set())
    assert count == lay.duration == round(tl.duration().value)
    assert rate == Fraction(30) and codec == "h264"
    with av.open(str(out)) as container:
        audio = container.streams.audio[0]
        assert audio.codec_context.sample_rate == 48_000
        assert abs(float(container.duration / av.time_base) - lay.seconds(lay.duration)) < 0.1


def test_each_shot_keyframe_on_screen_at_its_midpoint(rendered) -> None:
    _, lay, out = rendered
    mids = {shot.start + shot.duration // 2: shot.index for shot in lay.shots}
    _, frames, _ = decode(out, set(mids))
    for frame_no, index in mids.items():
        got = centre(frames[frame_no])
        assert close(got, shot_colour(index)), (frame_no, index, got, shot_colour(index))


def test_dissolve_is_blended_and_wipe_splits_at_midpoints(rendered) -> None:
    _, lay, out = rendered
    dissolve = next(b for b in lay.blends if b.kind == "dissolve")
    wipe = next(b for b in lay.blends if b.kind == "wipe")
    mid_d = dissolve.start + dissolve.duration // 2
    mid_w = wipe.start + wipe.duration // 2
    before, after = dissolve.start - 3, dissolve.end + 3
    _, frames, _ = decode(out, {mid_d, mid_w, before, after})
    a, b = np.array(shot_colour(dissolve.outgoing)), np.array(shot_colour(dissolve.incoming))
    p = (mid_d - dissolve.start) / dissolve.duration
    assert close(centre(frames[mid_d]), a * (1 - p) + b * p, tol=12)
    assert not close(centre(frames[mid_d]), a, tol=20) and not close(centre(frames[mid_d]), b, tol=20)
    assert close(centre(frames[before]), a) and close(centre(frames[after]), b)
    frame = frames[mid_w]  # SMPTE 1: a left-to-right bar wipe, the incoming shot on the left
    h, w, _ = frame.shape
    left = frame[h // 3 : 2 * h // 3, w // 10 : w // 4].reshape(-1, 3).mean(axis=0)
    right = frame[h // 3 : 2 * h // 3, 3 * w // 4 : 9 * w // 10].reshape(-1, 3).mean(axis=0)
    assert close(left, shot_colour(wipe.incoming)) and close(right, shot_colour(wipe.outgoing))


def test_fades_from_and_to_black(rendered) -> None:
    _, lay, out = rendered
    fade_in = next(f for f in lay.fades if f.kind == "in")
    fade_out = next(f for f in lay.fades if f.kind == "out")
    mid = fade_in.start + (fade_in.duration - 1) // 2
    _, frames, _ = decode(out, {0, mid, lay.duration - 1})
    assert centre(frames[0]).max() < 8
    assert centre(frames[lay.duration - 1]).max() < 8
    half = np.array(shot_colour(fade_in.shot)) * ((mid - fade_in.start) / (fade_in.duration - 1))
    assert close(centre(frames[mid]), half, tol=14) and centre(frames[mid]).max() > 20
    assert fade_out.end == lay.duration


def test_dialogue_heard_where_placed_and_silent_in_gaps(rendered) -> None:
    _, lay, out = rendered
    samples, rate = decode_audio(out)
    assert len(samples) >= int(lay.seconds(lay.duration) * rate) - 2048
    for track in lay.audio:
        if track.role != "dialogue":
            continue
        tone = CHARACTER_TONES[track.character]
        for clip in track.clips:
            s, e = lay.seconds(clip.start) + 0.1, lay.seconds(clip.start + clip.duration) - 0.1
            assert tone_energy(samples, rate, s, e, tone) > 0.15, (clip.name, track.name)
    maya = CHARACTER_TONES["MAYA"]
    leo = CHARACTER_TONES["LEO"]
    spoken = sorted((c.start, c.start + c.duration) for t in lay.audio if t.role == "dialogue" for c in t.clips)
    gaps = [(a_end, b_start) for (_, a_end), (b_start, _) in itertools.pairwise(spoken) if b_start - a_end > 10]
    gaps.append((0, spoken[0][0]))
    for start, end in gaps:
        s, e = lay.seconds(start) + 0.1, lay.seconds(end) - 0.1
        assert tone_energy(samples, rate, s, e, maya) < 0.01 and tone_energy(samples, rate, s, e, leo) < 0.01
    music = next(t for t in lay.audio if t.role == "music").clips[0]
    assert music.level_db == -18.0
    level = tone_energy(samples, rate, 0.1, 0.9, 110.0)  # the bed: a 0.1 tone at -18 dB
    assert 0.1 * 10 ** (-18 / 20) * 0.6 < level < 0.1 * 10 ** (-18 / 20) * 1.4


def test_burn_in_shows_text_away_from_the_picture_centre(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, shots=2, transitions=False)
    lay = layout(tl)
    out = tmp_path / "p" / "preview.mp4"
    write(tl, out, _options(tmp_path / "p", preview_width=180, preview_height=320))
    frame_no = lay.shots[1].start + lay.shots[1].duration // 2  # MAYA speaks over shot 2
    _, frames, _ = decode(out, {frame_no})
    frame = frames[frame_no]
    colour = np.array(shot_colour(1))
    assert close(centre(frame), colour)
    corner = frame[4:20, 4:60].reshape(-1, 3)  # shot id box
    assert np.abs(corner - colour).sum(axis=1).max() > 150
    bottom = frame[-90:-10, :].reshape(-1, 3)  # subtitle
    assert (bottom.min(axis=1) > 200).sum() > 20, "white subtitle text expected"


def test_camera_move_pushes_in_on_a_close_up(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, shots=2, transitions=False)
    lay = layout(tl)
    shot = lay.shots[1]
    assert shot.meta["size"] == "close_up" and camera_move(shot) == "push_in"
    ramp = np.tile(np.linspace(0, 255, 64, dtype=np.float32)[None, :, None], (114, 1, 3)).astype(np.uint8)
    Image.fromarray(ramp).save(shot.path)  # a left-to-right gradient keyframe
    out = tmp_path / "p" / "preview.mp4"
    write(tl, out, _options(tmp_path / "p", burn_in=False, preview_width=90, preview_height=160))
    first, last = shot.start + 1, shot.end - 2
    _, frames, _ = decode(out, {first, last})
    edge_first = frames[first][70:90, 2].mean()
    edge_last = frames[last][70:90, 2].mean()
    assert edge_last > edge_first + 5, (edge_first, edge_last)  # zoomed in: the left edge moves toward the middle


def test_move_rules_and_crop_boxes() -> None:
    from exporters.mlt_common import ShotPlace

    def shot(size: str, move: str, index: int = 0) -> ShotPlace:
        return ShotPlace(index, "s", 0, 10, 0, 10, Path("x.png"), {"size": size, "move": move})

    assert camera_move(shot("close_up", "static")) == "push_in"
    assert camera_move(shot("wide", "static", 0)) == "pan_right"
    assert camera_move(shot("wide", "static", 1)) == "pan_left"
    assert camera_move(shot("wide", "tilt_up")) == "tilt_up"
    assert crop_box("push_in", 0.0, 100, 200) == (0.0, 0.0, 100.0, 200.0)
    x0, y0, x1, y1 = crop_box("push_in", 1.0, 100, 200)
    assert (round(x1 - x0), round(y1 - y0)) == (90, 180)
    assert crop_box("pan_right", 0.0, 100, 200)[0] == 0.0 and round(crop_box("pan_right", 1.0, 100, 200)[2]) == 100


def test_ntsc_rate_is_exact(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, fps="29.97", shots=2, transitions=False, width=1920, height=1080)
    lay = layout(tl)
    out = tmp_path / "p" / "preview.mp4"
    write(tl, out, _options(tmp_path / "p", burn_in=False, preview_width=96, preview_height=54))
    count, _, (rate, _) = decode(out, set())
    assert rate == Fraction(30000, 1001)
    assert count == lay.duration


def test_preview_size_defaults_and_clamps() -> None:
    class Lay:
        def __init__(self, w: int, h: int) -> None:
            self.width, self.height = w, h

    assert preview_size(Lay(1080, 1920), None, None) == (540, 960)  # type: ignore[arg-type]
    assert preview_size(Lay(1920, 1080), None, None) == (960, 540)  # type: ignore[arg-type]
    assert preview_size(Lay(1080, 1920), 541, 961) == (540, 960)  # type: ignore[arg-type]
    assert preview_size(Lay(1080, 1920), 271, None) == (270, 480)  # type: ignore[arg-type]
    with pytest.raises(ScriptkitError):
        preview_size(Lay(1080, 1920), 8, 8)  # type: ignore[arg-type]


def test_same_timeline_same_bytes(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, shots=2, transitions=False)
    first, second = tmp_path / "a" / "preview.mp4", tmp_path / "b" / "preview.mp4"
    for out in (first, second):
        write(tl, out, _options(out.parent, preview_width=90, preview_height=160))
    assert first.read_bytes() == second.read_bytes()


def test_odd_size_clamped_to_even(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, shots=1, transitions=False)
    out = tmp_path / "p" / "preview.mp4"
    write(tl, out, _options(tmp_path / "p", burn_in=False, preview_width=91, preview_height=161))
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (90, 160)


def _leftovers(folder: Path) -> list[str]:
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_missing_keyframe_is_a_clear_error_and_leaves_no_movie(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, shots=2, transitions=False)
    missing = layout(tl).shots[1].path
    missing.unlink()
    out = tmp_path / "p" / "preview.mp4"
    with pytest.raises(ScriptkitError) as err:
        write(tl, out, _options(tmp_path / "p"))
    assert missing.name in str(err.value) and "sc01-kitchen-002" in str(err.value)
    assert _leftovers(out.parent) == []


def test_corrupt_keyframe_is_a_clear_error(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, shots=2, transitions=False)
    broken = layout(tl).shots[0].path
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    out = tmp_path / "p" / "preview.mp4"
    with pytest.raises(ScriptkitError, match="cannot read keyframe") as err:
        write(tl, out, _options(tmp_path / "p"))
    assert broken.name in str(err.value)
    assert _leftovers(out.parent) == []


def test_missing_or_corrupt_audio_is_a_clear_error(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, shots=2, transitions=False)
    voice = next(t for t in layout(tl).audio if t.role == "dialogue").clips[0].path
    voice.write_bytes(b"RIFF0000WAVEjunk")
    out = tmp_path / "p" / "preview.mp4"
    out.parent.mkdir()
    out.write_bytes(b"previous good movie")
    with pytest.raises(ScriptkitError) as err:
        write(tl, out, _options(tmp_path / "p"))
    assert voice.name in str(err.value)
    assert out.read_bytes() == b"previous good movie"  # untouched, no temp file left
    assert _leftovers(out.parent) == ["preview.mp4"]
    voice.unlink()
    with pytest.raises(ScriptkitError, match="missing"):
        write(tl, out, _options(tmp_path / "p"))


def test_timeline_longer_than_an_hour_is_refused(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, shots=1, transitions=False)
    clip = next(iter(tl.find_clips()))
    rate = clip.source_range.duration.rate
    frames = int((MAX_SECONDS + 1) * rate)
    clip.source_range = otio.opentime.TimeRange(clip.source_range.start_time, otio.opentime.RationalTime(frames, rate))
    out = tmp_path / "p" / "preview.mp4"
    with pytest.raises(ScriptkitError, match="no-preview"):
        write(tl, out, _options(tmp_path / "p"))
    assert not out.exists()


def test_mastered_to_the_loudness_target_with_the_music_ducked(rendered) -> None:
    _, lay, out = rendered
    stereo, rate = read_audio(out), 48_000
    assert loudness(stereo, rate) == pytest.approx(TARGET_LUFS, abs=0.6)
    assert true_peak(stereo, rate) <= TRUE_PEAK_DBTP
    samples, rate = decode_audio(out)
    line = next(c for t in lay.audio if t.role == "dialogue" for c in t.clips)
    s, e = lay.seconds(line.start) + 0.4, lay.seconds(line.start + line.duration) - 0.1
    clear, ducked = tone_energy(samples, rate, 0.1, 0.9, 110.0), tone_energy(samples, rate, s, e, 110.0)
    assert 20 * np.log10(ducked / clear) == pytest.approx(DUCK_DB, abs=1.5)
