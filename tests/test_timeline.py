"""Timeline assembly: the shape contract of scriptkit.timeline, bad input, and properties over random shot lists."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import opentimelineio as otio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scriptkit.contract import item_frames, plain, scriptkit_meta, shot_clips, shot_cuts, timeline_rate
from scriptkit.errors import ScriptkitError
from scriptkit.io import url_to_path
from scriptkit.models import Asset, Assets, DialogueLine, Shot, ShotList, SoundCue, Transition
from scriptkit.rates import SUPPORTED_RATES
from scriptkit.timeline import BLACK_SECONDS, HANDLE_SECONDS, build_timeline
from tests.fixtures import sample_media, sample_shotlist, sample_timeline


def _clips(track: otio.schema.Track) -> list[tuple[otio.schema.Clip, int, int]]:
    return [(item, start, n) for item, start, n in item_frames(track) if isinstance(item, otio.schema.Clip)]


def _track(tl: otio.schema.Timeline, name: str) -> otio.schema.Track:
    return next(t for t in tl.tracks if t.name == name)


def test_shape_of_the_sample_timeline(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path)
    assert [t.name for t in tl.tracks] == ["V1", "DIALOGUE MAYA", "DIALOGUE LEO", "SFX", "MUSIC"]
    assert [scriptkit_meta(t)["role"] for t in tl.tracks] == ["video", "dialogue", "dialogue", "effects", "music"]
    assert scriptkit_meta(tl.tracks[1])["character"] == "MAYA"
    meta = scriptkit_meta(tl)
    assert meta["fps"] == "30" and meta["width"] == 1080 and meta["height"] == 1920 and meta["fixups"] == []
    assert tl.name == "Last Train"
    assert tl.global_start_time == otio.opentime.RationalTime(108000, 30)
    assert timeline_rate(tl) == 30

    shotlist = sample_shotlist()
    clips = shot_clips(tl)
    assert [c.name for c in clips] == [s.id for s in shotlist.shots]
    handle = round(HANDLE_SECONDS * 30)
    for clip, shot in zip(clips, shotlist.shots, strict=True):
        meta = scriptkit_meta(clip)
        assert meta["kind"] == "shot" and meta["shot_id"] == shot.id and meta["line"] == shot.source_line
        assert meta["asset_path"] == f"images/{shot.id}.png" and len(meta["asset_hash"]) == 64
        assert meta["seed"] == shot.seed and meta["prompt"] == shot.prompt
        assert clip.source_range.start_time.value == handle
        assert clip.media_reference.available_range.duration.value == clip.source_range.duration.value + 2 * handle
        path = url_to_path(clip.media_reference.target_url)
        assert path.is_file() and path.name == f"{shot.id}.png"
        (marker,) = clip.markers
        assert marker.name == shot.id and marker.color == otio.schema.MarkerColor.GREEN
        assert marker.marked_range.start_time.value == handle and marker.comment.startswith(f"line {shot.source_line}:")

    music = _track(tl, "MUSIC")
    assert music.duration() == tl.tracks[0].duration()
    (cue, start, n) = _clips(_track(tl, "SFX"))[0]
    assert cue.markers[0].name == "RINGS" and cue.markers[0].color == otio.schema.MarkerColor.ORANGE
    assert (start, n) == (30, 30)  # 1.0 s into the first shot, 1.0 s long


def test_transitions_of_the_sample(tmp_path: Path) -> None:
    track = sample_timeline(tmp_path).tracks[0]
    transitions = [(i, t) for i, t in enumerate(track) if isinstance(t, otio.schema.Transition)]
    names = [t.name for _, t in transitions]
    assert names == ["Fade In", "Cross Dissolve", "Wipe", "Fade Out"]
    fade_in, dissolve, wipe, fade_out = (t for _, t in transitions)
    assert transitions[0][0] == 0 and (fade_in.in_offset.value, fade_in.out_offset.value) == (0, 15)
    assert (dissolve.in_offset.value, dissolve.out_offset.value) == (15, 15)  # 1 s centred on the cut
    assert (wipe.in_offset.value, wipe.out_offset.value) == (7, 8)  # odd: the extra frame goes out
    assert scriptkit_meta(wipe)["wipe"] == "SMPTE_1" and scriptkit_meta(wipe)["kind"] == "wipe"
    assert transitions[-1][0] == len(track) - 1 and (fade_out.in_offset.value, fade_out.out_offset.value) == (30, 0)
    assert scriptkit_meta(fade_out)["kind"] == "fade_out"
    # the dissolve sits between two clips, each with enough handle on the far side of the cut
    before, after = track[transitions[1][0] - 1], track[transitions[1][0] + 1]
    assert isinstance(before, otio.schema.Clip) and isinstance(after, otio.schema.Clip)
    assert after.source_range.start_time.value >= dissolve.in_offset.value
    avail = before.media_reference.available_range
    assert before.source_range.end_time_exclusive().value + dissolve.out_offset.value <= avail.duration.value


def test_dialogue_timing_pre_lap_and_vo(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path)
    cuts = {name: (start, n) for name, start, n in shot_cuts(tl)}
    maya = {c.name: (s, n) for c, s, n in _clips(_track(tl, "DIALOGUE MAYA"))}
    leo = {c.name: (s, n) for c, s, n in _clips(_track(tl, "DIALOGUE LEO"))}
    # line 1: 0.2 s into shot 2, 1.8 s long = 54 frames
    start, n = maya["sc01-kitchen-002-d1"]
    assert start == cuts["sc01-kitchen-002"][0] + 6 and n == 54
    # shot 3 is planned 2.0 s, but Leo's line runs 0.3 + 2.6 s: the shot holds it plus the tail
    s3, n3 = cuts["sc01-kitchen-003"]
    ls, ln = leo["sc01-kitchen-003-d1"]
    assert n3 > 60 and ls + ln <= s3 + n3
    # PRE-LAP: Maya's line starts 0.5 s before the platform shot, under the kitchen shot
    s4, _ = cuts["sc02-platform-001"]
    assert maya["sc02-platform-001-d1"][0] == s4 - 15
    assert scriptkit_meta(_track(tl, "DIALOGUE MAYA")[3])["split"] == "pre_lap"
    # V.O.: Leo's line runs on under the next shot (L-cut) without lengthening the shot
    s5, n5 = cuts["sc02-platform-002"]
    vs, vn = leo["sc02-platform-002-d1"]
    assert n5 == 75 and vs == s5 + 36 and vs + vn > s5 + n5
    assert scriptkit_meta(_track(tl, "DIALOGUE LEO")[3])["split"] == "vo"


def test_real_voice_length_wins(tmp_path: Path) -> None:
    shotlist, assets, media_dir = sample_media(tmp_path)
    line_id = "sc01-kitchen-002-d1"
    longer = assets.voices[line_id].model_copy(update={"duration": 4.0})
    assets = assets.model_copy(update={"voices": {**assets.voices, line_id: longer}})
    tl = build_timeline(shotlist, assets, media_dir)
    cuts = {name: (start, n) for name, start, n in shot_cuts(tl)}
    _clip, start, n = next(c for c in _clips(_track(tl, "DIALOGUE MAYA")) if c[0].name == line_id)
    assert n == 120
    assert cuts["sc01-kitchen-002"][0] + cuts["sc01-kitchen-002"][1] >= start + n


def test_shared_dialogue_track(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, dialogue_tracks="shared")
    assert [t.name for t in tl.tracks] == ["V1", "DIALOGUE", "SFX", "MUSIC"]
    lines = _clips(tl.tracks[1])
    assert len(lines) == 4
    assert all(a[1] + a[2] <= b[1] for a, b in pairwise(lines))  # never overlapping


@pytest.mark.parametrize("fps", list(SUPPORTED_RATES))
def test_every_rate_is_frame_exact(tmp_path: Path, fps: str) -> None:
    rate = SUPPORTED_RATES[fps]
    drop = rate in (Fraction(30000, 1001), Fraction(60000, 1001))
    tl = sample_timeline(tmp_path, fps=fps, drop_frame=drop, width=1920, height=1080)
    assert timeline_rate(tl) == rate
    for item in tl.find_clips():
        assert item.source_range.duration.rate == float(rate)
        assert item.source_range.duration.value == int(item.source_range.duration.value)
    start = tl.global_start_time.value
    expected = {Fraction(30000, 1001): 107892, Fraction(60000, 1001): 215784}.get(rate, 3600 * round(rate))
    assert start == expected
    cuts = shot_cuts(tl)
    assert [c[0] for c in cuts] == [s.id for s in sample_shotlist().shots]
    assert all(b[1] == a[1] + a[2] for a, b in pairwise(cuts))


def test_ntsc_non_drop_starts_at_one_hour_timecode(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, fps="29.97")
    assert tl.global_start_time.value == 108000


def test_fade_out_then_fade_in_has_black_between(tmp_path: Path) -> None:
    shotlist, assets, media_dir = sample_media(tmp_path)
    shots = list(shotlist.shots)
    shots[2] = shots[2].model_copy(update={"transition_out": Transition(kind="fade", duration=0.5)})
    shots[3] = shots[3].model_copy(update={"transition_in": Transition(kind="fade", duration=0.5)})
    tl = build_timeline(shotlist.model_copy(update={"shots": shots}), assets, media_dir)
    kinds = [(type(i).__name__, i.name) for i in tl.tracks[0]]
    at = kinds.index(("Clip", shots[2].id))
    assert kinds[at + 1 : at + 5] == [
        ("Transition", "Fade Out"),
        ("Gap", "black"),
        ("Transition", "Fade In"),
        ("Clip", shots[3].id),
    ]
    cuts = shot_cuts(tl)
    gap = round(BLACK_SECONDS * 30)
    assert cuts[3][1] == cuts[2][1] + cuts[2][2] + gap
    # the pre-lap line of shot 4 follows its shot across the black
    maya = {c.name: s for c, s, _ in _clips(_track(tl, "DIALOGUE MAYA"))}
    assert maya["sc02-platform-001-d1"] == cuts[3][1] - 15


def test_long_dissolve_is_shortened_and_reported(tmp_path: Path) -> None:
    shotlist, assets, media_dir = sample_media(tmp_path)
    shots = list(shotlist.shots)
    shots[1] = shots[1].model_copy(update={"transition_in": Transition(kind="dissolve", duration=10.0)})
    tl = build_timeline(shotlist.model_copy(update={"shots": shots}), assets, media_dir)
    dissolve = next(t for t in tl.tracks[0] if isinstance(t, otio.schema.Transition) and t.name == "Cross Dissolve")
    cuts = shot_cuts(tl)
    assert dissolve.in_offset.value <= cuts[0][2] // 2 and dissolve.out_offset.value <= cuts[1][2] // 2
    (fixup,) = [f for f in scriptkit_meta(tl)["fixups"] if shots[1].id in f]
    assert "300 frames shortened" in fixup


def test_media_urls_are_percent_encoded(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path / "my #1 100% café")
    url = shot_clips(tl)[0].media_reference.target_url
    assert url.startswith("file:///") and "%20%231%20100%25%20caf%C3%A9" in url
    assert url_to_path(url).is_file()


def test_deterministic(tmp_path: Path) -> None:
    shotlist, assets, media_dir = sample_media(tmp_path)
    a = otio.adapters.write_to_string(build_timeline(shotlist, assets, media_dir), "otio_json")
    b = otio.adapters.write_to_string(build_timeline(shotlist, assets, media_dir), "otio_json")
    assert a == b


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fps": "48"}, "unsupported frame rate"),
        ({"fps": "30", "drop_frame": True}, "drop-frame"),
        ({"shots": []}, "no shots"),
    ],
)
def test_bad_shotlists(tmp_path: Path, change: dict, message: str) -> None:
    shotlist, assets, media_dir = sample_media(tmp_path)
    with pytest.raises(ScriptkitError, match=message):
        build_timeline(shotlist.model_copy(update=change), assets, media_dir)


def test_shot_shorter_than_a_frame(tmp_path: Path) -> None:
    shotlist, assets, media_dir = sample_media(tmp_path)
    shots = list(shotlist.shots)
    shots[2] = shots[2].model_copy(update={"duration": 0.01})
    with pytest.raises(ScriptkitError, match="less than one frame") as err:
        build_timeline(shotlist.model_copy(update={"shots": shots}), assets, media_dir)
    assert err.value.line == shots[2].source_line and err.value.path == "sample.fountain"


def test_missing_asset_names_assets_json(tmp_path: Path) -> None:
    shotlist, assets, media_dir = sample_media(tmp_path)
    images = dict(assets.images)
    del images["sc01-kitchen-002"]
    with pytest.raises(ScriptkitError, match="no keyframe image for 'sc01-kitchen-002'") as err:
        build_timeline(shotlist, assets.model_copy(update={"images": images}), media_dir)
    assert err.value.path.endswith("assets.json")


# ------------------------------------------------------------------------------------------ properties


def _fake_asset(kind: str, owner: str, duration: float | None = None) -> Asset:
    return Asset(
        kind=kind, path=f"{kind}/{owner}", key="k", sha256="0" * 64, owner=owner, backend="t", duration=duration
    )  # type: ignore[arg-type]


@st.composite
def shot_lists(draw: st.DrawFn) -> tuple[ShotList, Assets]:
    fps = draw(st.sampled_from(list(SUPPORTED_RATES)))
    n = draw(st.integers(1, 12))
    shots: list[Shot] = []
    assets = Assets()
    kinds = st.sampled_from(["cut", "dissolve", "wipe", "fade"])
    for i in range(n):
        sid = f"sc01-x-{i + 1:03d}"
        lines = []
        for k in range(draw(st.integers(0, 2))):
            who = draw(st.sampled_from(["A", "B"]))
            line = DialogueLine(
                id=f"{sid}-d{k + 1}",
                character=who,
                text="hi",
                line=i + 1,
                offset=draw(st.floats(-1.0, 2.0)),
                duration=1.0,
                extensions=draw(st.sampled_from([[], ["V.O."]])),
            )
            lines.append(line)
            assets.voices[line.id] = _fake_asset("voice", line.id, draw(st.floats(0.05, 4.0)))
        cues = []
        if draw(st.booleans()):
            cue = SoundCue(id=f"{sid}-c1", word="BANG", line=i + 1, offset=draw(st.floats(0, 2)), duration=1.0)
            cues.append(cue)
            assets.cues[cue.id] = _fake_asset("cue", cue.id, draw(st.floats(0.1, 3.0)))
        t_in = Transition(kind=draw(kinds), duration=draw(st.floats(0, 6)))
        t_out = Transition(kind=draw(kinds), duration=draw(st.floats(0, 6)))
        shots.append(
            Shot(
                id=sid,
                scene_index=0,
                scene_id="sc01-x",
                duration=draw(st.floats(0.1, 6.0)),
                dialogue=lines,
                cues=cues,
                transition_in=t_in,
                transition_out=t_out,
                source_line=i + 1,
            )
        )
        assets.images[sid] = _fake_asset("image", sid)
    shotlist = ShotList(width=1080, height=1920, fps=str(SUPPORTED_RATES[fps]), shots=shots, characters=["A"])
    return shotlist, assets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shot_lists())
def test_properties_over_random_shot_lists(data: tuple[ShotList, Assets]) -> None:
    shotlist, assets = data
    tl = build_timeline(shotlist, assets, Path("/media"))
    rate = Fraction(shotlist.fps)
    video = tl.tracks[0]
    # every shot exactly once, in order, at least as long as planned (frame-exact), no overlaps
    cuts = shot_cuts(tl)
    assert [c[0] for c in cuts] == [s.id for s in shotlist.shots]
    for (_name, _start, frames), shot in zip(cuts, shotlist.shots, strict=True):
        assert frames >= round(Fraction(shot.duration).limit_denominator(1_000_000) * rate) >= 1
    for a, b in pairwise(cuts):
        assert b[1] in (a[1] + a[2], a[1] + a[2] + round(BLACK_SECONDS * rate))
    for item in tl.find_clips():
        assert item.source_range.duration.value == int(item.source_range.duration.value)
    # dialogue starts at or after its shot's start (a pre-lap may start earlier), ends within its shot
    # unless it is a V.O. that is not in the last shot, and never after the picture ends
    by_id = {name: (start, frames) for name, start, frames in cuts}
    end = cuts[-1][1] + cuts[-1][2]
    for track in tl.tracks[1:]:
        clips = _clips(track)
        for a, b in pairwise(clips):
            assert a[1] + a[2] <= b[1]
        for clip, start, frames in clips:
            meta = scriptkit_meta(clip)
            if meta["kind"] != "dialogue":
                assert start + frames <= end
                continue
            s_start, s_frames = by_id[meta["shot_id"]]
            assert start + frames <= end
            if meta["split"] != "vo":
                assert start + frames <= s_start + s_frames
            else:
                assert meta["split"] == "vo"
    # transitions never exceed their neighbours nor the handles
    handle = round(HANDLE_SECONDS * rate)
    items = list(video)
    for i, item in enumerate(items):
        if not isinstance(item, otio.schema.Transition):
            continue
        kind = scriptkit_meta(item)["kind"]
        if kind in ("dissolve", "wipe"):
            a, b = items[i - 1], items[i + 1]
            assert isinstance(a, otio.schema.Clip) and isinstance(b, otio.schema.Clip)
            assert item.in_offset.value <= min(handle, a.duration().value // 2)
            assert item.out_offset.value <= min(handle, b.duration().value // 2)
        elif kind == "fade_in":
            assert i == 0 or isinstance(items[i - 1], otio.schema.Gap)
            assert item.out_offset.value <= items[i + 1].duration().value // 2
        else:
            assert i == len(items) - 1 or isinstance(items[i + 1], otio.schema.Gap)
            assert item.in_offset.value <= items[i - 1].duration().value // 2
        if i + 1 < len(items):
            assert not isinstance(items[i + 1], otio.schema.Transition)


# ------------------------------------------------------------------------------------------ fast paths


_META_VALUES = [
    {"kind": "shot", "line": 12, "seed": 2**62, "duration_planned": 2.5, "whole": 2.0, "none": None, "flag": True},
    {"nested": {"list": [1, "two", 3.5, None, False, [], {}], "tuple": ("a", "b")}, "unicode": "Zoë #1 %20"},
    {"time": otio.opentime.RationalTime(12, 24), "range": [otio.opentime.TimeRange()], "empty": ""},
    [],
    "a plain string",
    0,
]


@pytest.mark.parametrize("value", _META_VALUES)
def test_set_metadata_stores_what_metadata_assignment_stores(value: object) -> None:
    from scriptkit.contract import set_metadata

    fast, slow = otio.schema.Clip(name="c"), otio.schema.Clip(name="c")
    set_metadata(fast, "scriptkit", value)
    slow.metadata["scriptkit"] = value
    assert otio.adapters.write_to_string(fast, "otio_json") == otio.adapters.write_to_string(slow, "otio_json")
    assert repr(plain(fast.metadata["scriptkit"])) == repr(plain(slow.metadata["scriptkit"]))
    if isinstance(value, dict):
        assert list(plain(fast.metadata)["scriptkit"]) == sorted(value)
    if value is _META_VALUES[0]:
        assert scriptkit_meta(fast) == value
        assert type(scriptkit_meta(fast)["flag"]) is bool and type(scriptkit_meta(fast)["whole"]) is float


def test_set_metadata_rejects_what_otio_rejects() -> None:
    from scriptkit.contract import set_metadata

    clip = otio.schema.Clip(name="c")
    with pytest.raises(ValueError, match="outside of the range"):
        set_metadata(clip, "scriptkit", {"big": 2**70})
    with pytest.raises(ValueError, match="not a string"):
        set_metadata(clip, "scriptkit", {1: "x"})
    with pytest.raises(TypeError, match="incompatible"):
        set_metadata(clip, "scriptkit", {"x": object()})
    assert "scriptkit" not in clip.metadata


@pytest.mark.parametrize(
    "rel",
    ["images/sc01-001.png", "x.png", "a b/#1 %.wav", "voices/Zoë.wav", "a//b/./c.png", "../up.png", "/abs/x.png",
     "dir/", "dir/.", "dir/..", "a/b/../c.png"],
)  # fmt: skip
def test_media_url_is_file_url_of_the_joined_path(tmp_path: Path, rel: str) -> None:
    from scriptkit.io import file_url
    from scriptkit.timeline import _media_url

    for media in (tmp_path / "media dir", Path("relative/media"), Path("/")):
        url, name = _media_url(media, rel)
        assert url == file_url(media / rel)
        assert name == Path(rel).name
