"""Shotcut .mlt and Kdenlive .kdenlive written from the timeline, proven by rendering them with the real melt."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from lxml import etree

from exporters import get_format
from exporters.mlt_common import layout
from scriptkit.models import ExportOptions
from tests.fixtures import CHARACTER_TONES, sample_timeline, shot_colour

MELT = shutil.which("melt")


def _options(folder: Path, **kw: object) -> ExportOptions:
    return ExportOptions(project_dir=str(folder), **kw)  # type: ignore[arg-type]


def melt_render(project: Path, out: Path, width: int, height: int, rate: Fraction) -> None:
    """Render headless at a tiny size; real_time=-1: never drop a frame."""
    assert MELT, "melt must be installed (Debian package melt)"
    cmd = [
        MELT, str(project), "-consumer", f"avformat:{out}", "vcodec=libx264", "preset=ultrafast", "acodec=aac",
        "ar=48000", "ac=2", f"width={width}", f"height={height}", f"frame_rate_num={rate.numerator}",
        f"frame_rate_den={rate.denominator}", "real_time=-1",
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and out.is_file(), result.stderr[-2000:]


def decode_video(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def decode_audio(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        pieces = [(round(f.time * rate), f.to_ndarray().mean(axis=0)) for f in container.decode(stream)]
    out = np.zeros(max(s + len(d) for s, d in pieces), np.float32)
    for start, data in pieces:
        out[max(0, start) : start + len(data)] = data[max(0, -start) :]
    return out, rate


def tone(samples: np.ndarray, rate: int, start_s: float, end_s: float, freq: float) -> float:
    piece = samples[int(start_s * rate) : int(end_s * rate)]
    t = np.arange(len(piece)) / rate
    return float(np.abs(np.sum(piece * np.exp(-2j * np.pi * freq * t))) * 2 / max(1, len(piece)))


def near(actual: np.ndarray, expected: object, tol: float = 10.0) -> bool:
    return bool(np.all(np.abs(np.asarray(actual, float) - np.asarray(expected, float)) <= tol))


def patch(frame: np.ndarray, fx: float, fy: float = 0.5) -> np.ndarray:
    h, w, _ = frame.shape
    x, y = int(w * fx), int(h * fy)
    return frame[y - 4 : y + 4, max(0, x - 4) : x + 4].reshape(-1, 3).mean(axis=0)


@pytest.fixture(scope="module", params=["mlt", "kdenlive"])
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The six-shot sample written as .mlt / .kdenlive and rendered by melt at 108x192."""
    name = request.param
    tmp = tmp_path_factory.mktemp(name)
    tl = sample_timeline(tmp)
    lay = layout(tl)
    project = tmp / "project" / f"last-train{get_format(name).extension}"
    get_format(name).write(tl, project, _options(project.parent))
    out = tmp / "render.mp4"
    melt_render(project, out, 108, 192, lay.rate)
    samples, rate = decode_audio(out)
    return name, lay, project, decode_video(out), samples, rate


def test_duration_matches_the_timeline_to_the_frame(rendered) -> None:
    _, lay, _, frames, _, _ = rendered
    assert len(frames) == lay.duration == 522  # the kitchen shot holds Leo's line before Maya's PRE-LAP


def test_each_shot_keyframe_on_screen_at_its_midpoint(rendered) -> None:
    _, lay, _, frames, _, _ = rendered
    for shot in lay.shots:
        mid = shot.start + shot.duration // 2
        assert near(patch(frames[mid], 0.5), shot_colour(shot.index)), (shot.name, patch(frames[mid], 0.5))


def test_dissolve_blended_and_wipe_split_at_midpoints(rendered) -> None:
    _, lay, _, frames, _, _ = rendered
    dissolve = next(b for b in lay.blends if b.kind == "dissolve")
    mid = dissolve.start + dissolve.duration // 2
    a, b = np.array(shot_colour(dissolve.outgoing)), np.array(shot_colour(dissolve.incoming))
    p = (mid - dissolve.start) / dissolve.duration
    assert near(patch(frames[mid], 0.5), a * (1 - p) + b * p, tol=12)
    assert near(patch(frames[dissolve.start - 2], 0.5), a) and near(patch(frames[dissolve.end + 2], 0.5), b)
    wipe = next(b for b in lay.blends if b.kind == "wipe")
    mid = wipe.start + wipe.duration // 2
    assert near(patch(frames[mid], 0.15), shot_colour(wipe.incoming))  # left to right, like the preview
    assert near(patch(frames[mid], 0.85), shot_colour(wipe.outgoing))


def test_fades_from_and_to_black(rendered) -> None:
    _, lay, _, frames, _, _ = rendered
    assert patch(frames[0], 0.5).max() < 8 and patch(frames[-1], 0.5).max() < 8
    fade_in = next(f for f in lay.fades if f.kind == "in")
    mid = fade_in.start + fade_in.duration // 2
    level = (mid - fade_in.start) / (fade_in.duration - 1)
    assert near(patch(frames[mid], 0.5), np.array(shot_colour(fade_in.shot)) * level, tol=14)


def test_audio_is_where_the_dialogue_is(rendered) -> None:
    _, lay, _, _, samples, rate = rendered
    spoken = []
    for track in lay.audio:
        if track.role != "dialogue":
            continue
        for clip in track.clips:
            s, e = lay.seconds(clip.start) + 0.1, lay.seconds(clip.start + clip.duration) - 0.1
            assert tone(samples, rate, s, e, CHARACTER_TONES[track.character]) > 0.15, clip.name
            spoken.append((clip.start, clip.start + clip.duration))
    spoken.sort()
    gaps = [(0, spoken[0][0])] + [(a, b) for (_, a), (b, _) in itertools.pairwise(spoken) if b - a > 10]
    for start, end in gaps:
        s, e = lay.seconds(start) + 0.1, lay.seconds(end) - 0.1
        for freq in CHARACTER_TONES.values():
            assert tone(samples, rate, s, e, freq) < 0.01, (start, end, freq)
    bed = tone(samples, rate, 0.1, 0.9, 110.0)  # music at -18 dB under everything
    assert 0.1 * 10 ** (-18 / 20) * 0.6 < bed < 0.1 * 10 ** (-18 / 20) * 1.4
    # melt follows the volume keyframes: the bed dips under the first line by DUCK_DB (-9 dB)
    s, e = lay.seconds(spoken[0][0]) + 0.4, lay.seconds(spoken[0][1]) - 0.1
    assert 20 * np.log10(tone(samples, rate, s, e, 110.0) / bed) == pytest.approx(-9.0, abs=1.5)


def _xml(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def _props(element: etree._Element) -> dict[str, str]:
    return {p.get("name"): (p.text or "") for p in element.findall("property")}


def test_mlt_structure_and_determinism(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path)
    lay = layout(tl)
    fmt = get_format("mlt")
    first, second = tmp_path / "a" / "p.mlt", tmp_path / "b" / "p.mlt"
    fmt.write(tl, first, _options(first.parent))
    fmt.write(tl, second, _options(first.parent))
    assert first.read_text().replace(str(first.parent), "X") == second.read_text().replace(str(second.parent), "X")
    root = _xml(first)
    profile = root.find("profile")
    assert (profile.get("width"), profile.get("height")) == ("1080", "1920")
    assert (profile.get("frame_rate_num"), profile.get("frame_rate_den")) == ("30", "1")
    shots = [p for p in root.findall("producer") if _props(p).get("mlt_service") == "pixbuf"]
    assert [_props(p)["shotcut:caption"] for p in shots] == [s.name for s in lay.shots]
    assert all(int(_props(p)["length"]) == s.available for p, s in zip(shots, lay.shots, strict=True))
    names = [_props(p).get("shotcut:name") for p in root.findall("playlist") if _props(p).get("shotcut:name")]
    assert names == ["V1", *[t.name for t in tl.tracks if t.kind == "Audio"]]
    lumas = [t for t in root.iter("transition") if _props(t).get("mlt_service") == "luma"]
    assert len(lumas) == 2 and sum("resource" in _props(t) for t in lumas) == 1
    assert (first.parent / "lumas" / "horizontal.pgm").is_file()
    fades = [f for f in root.iter("filter") if _props(f).get("mlt_service") == "brightness"]
    assert len(fades) == 2
    markers = root.find("tractor[@id='tractor0']/properties[@name='shotcut:markers']")
    assert [_props(m)["text"] for m in markers] == [s.name for s in lay.shots]
    volume = [f for f in root.iter("filter") if _props(f).get("mlt_service") == "volume"]
    (level,) = [_props(f)["level"] for f in volume]  # the music bed, ducked under the dialogue (MLT animation)
    keys = [tuple(float(v) for v in key.split("=")) for key in level.split(";")]
    assert (
        keys[0] == (0, -18)
        and min(db for _, db in keys) == -27
        and [f for f, _ in keys] == sorted({f for f, _ in keys})
    )


def test_kdenlive_structure(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path)
    lay = layout(tl)
    path = tmp_path / "p" / "p.kdenlive"
    get_format("kdenlive").write(tl, path, _options(path.parent))
    root = _xml(path)
    assert root.get("producer") == "main_bin"
    bin_props = _props(root.find("playlist[@id='main_bin']"))
    assert bin_props["kdenlive:docproperties.version"] == "1.04"
    assert bin_props["kdenlive:docproperties.kdenliveversion"].startswith("22.12")
    assert bin_props["kdenlive:docproperties.profile"] == "vertical_hd_30"
    guides = json.loads(bin_props["kdenlive:docproperties.guides"])
    assert [(g["comment"], g["pos"]) for g in guides] == [(s.name, s.start) for s in lay.shots]
    ids = {_props(p)["kdenlive:id"] for p in root.findall("producer") if "kdenlive:id" in _props(p)}
    entries = {e.get("producer") for e in root.find("playlist[@id='main_bin']").findall("entry")}
    assert entries == {p.get("id") for p in root.findall("producer") if "kdenlive:id" in _props(p)}
    used = {_props(e)["kdenlive:id"] for e in root.iter("entry") if "kdenlive:id" in _props(e)}
    assert used <= ids and len(ids) == len(lay.shots) + sum(len(t.clips) for t in lay.audio)
    names = [
        _props(t).get("kdenlive:track_name") for t in root.findall("tractor") if "kdenlive:track_name" in _props(t)
    ]
    assert names == [*[t.name for t in tl.tracks if t.kind == "Audio"], "V1"]
    mixes = [t for t in root.iter("transition") if "kdenlive:mixcut" in _props(t)]
    assert [int(_props(t)["kdenlive:mixcut"]) for t in mixes] == [b.cut - b.start for b in lay.blends]
    kinds = sorted(
        _props(f).get("kdenlive_id") for f in root.iter("filter") if _props(f).get("mlt_service") == "brightness"
    )
    assert kinds == ["fade_from_black", "fade_to_black"]


def test_widescreen_ntsc_profile_and_render_length(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, fps="23.976", width=1920, height=1080, shots=2, transitions=False)
    lay = layout(tl)
    for name in ("mlt", "kdenlive"):
        path = tmp_path / "p" / f"p.{name}"
        get_format(name).write(tl, path, _options(path.parent))
        profile = _xml(path).find("profile")
        assert (profile.get("width"), profile.get("height")) == ("1920", "1080")
        assert (profile.get("frame_rate_num"), profile.get("frame_rate_den")) == ("24000", "1001")
    assert (
        _props(_xml(tmp_path / "p" / "p.kdenlive").find("playlist[@id='main_bin']"))["kdenlive:docproperties.profile"]
        == "atsc_1080p_2398"
    )
    out = tmp_path / "w.mp4"
    melt_render(tmp_path / "p" / "p.mlt", out, 192, 108, lay.rate)
    frames = decode_video(out)
    assert len(frames) == lay.duration
    with av.open(str(out)) as container:
        assert container.streams.video[0].average_rate == Fraction(24000, 1001)
    second = lay.shots[1]
    assert near(patch(frames[second.start + second.duration // 2], 0.5), shot_colour(1))


def test_relative_media_paths_resolve_from_the_project_file(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, shots=2, transitions=False)
    for name in ("mlt", "kdenlive"):
        path = tmp_path / "project" / f"p.{name}"
        get_format(name).write(tl, path, _options(path.parent, relative_media=True))
        resources = [
            _props(p)["resource"]
            for p in _xml(path).findall("producer")
            if "kdenlive:id" in _props(p) or "shotcut:caption" in _props(p)
        ]
        assert resources and all(not r.startswith("/") for r in resources)
        assert all((path.parent / r).resolve().is_file() for r in resources)
