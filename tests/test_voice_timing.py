"""Dialogue laid out from the real voice lengths: no two lines heard at once unless the script says so."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from scriptkit.contract import item_frames, scriptkit_meta, shot_cuts
from scriptkit.mix import DUCK_DB, clip_gain, duck_keyframes, gain_at
from scriptkit.models import CastMember, DialogueLine, MusicBed, Shot, ShotList
from scriptkit.timeline import CUT_IN_SECONDS, build_timeline
from scriptkit.voice_timing import dialogue_overlaps, record_timing
from tests.fixtures import sample_assets


def _line(shot: str, n: int, who: str, text: str, offset: float, seconds: float) -> DialogueLine:
    return DialogueLine(id=f"{shot}-d{n}", character=who, text=text, line=n, offset=offset, duration=seconds)


def _shotlist(*shots: Shot, cast: list[CastMember] | None = None) -> ShotList:
    return ShotList(title="T", width=1080, height=1920, fps="30", shots=list(shots), cast=cast or [])


def _shot(n: int, duration: float, lines: list[tuple[str, str, float, float]], tags: tuple[str, ...] = ()) -> Shot:
    shot_id = f"sc01-room-{n:03d}"
    return Shot(
        id=shot_id,
        scene_index=0,
        scene_id="sc01-room",
        duration=duration,
        dialogue=[_line(shot_id, k + 1, *line) for k, line in enumerate(lines)],
        tags=list(tags),
        source_line=n,
    )


def _real(shotlist: ShotList, tmp_path: Path, lengths: dict[str, float]):
    """The timeline with voice files of the given real lengths (the rest as planned)."""
    timed = shotlist.model_copy(deep=True)
    for shot in timed.shots:
        for line in shot.dialogue:
            line.duration = lengths.get(line.id, line.duration)
    assets = sample_assets(timed, tmp_path / "media")
    return build_timeline(shotlist, assets, tmp_path / "media")


def _spans(tl: otio.schema.Timeline) -> dict[str, tuple[int, int]]:
    return {
        item.name: (start, start + frames)
        for track in tl.tracks
        if scriptkit_meta(track).get("role") == "dialogue"
        for item, start, frames in item_frames(track)
        if isinstance(item, otio.schema.Clip)
    }


def test_longer_voices_push_the_next_speaker_and_grow_the_shot(tmp_path: Path) -> None:
    planned = _shotlist(
        _shot(1, 3.0, [("MAYA", "You're late.", 0.2, 1.0), ("THEO", "You said midnight.", 1.4, 1.0)]),
        _shot(2, 2.0, [("MAYA", "I did.", 0.2, 0.8)]),
    )
    tl = _real(planned, tmp_path, {"sc01-room-001-d1": 2.5, "sc01-room-001-d2": 2.0})
    spans = _spans(tl)
    assert dialogue_overlaps(tl) == []
    # Theo comes in after Maya's real end plus the 0.2 s pause the plan left (6 frames)
    assert spans["sc01-room-001-d2"][0] == spans["sc01-room-001-d1"][1] + 6
    cuts = {name: (start, start + n) for name, start, n in shot_cuts(tl)}
    assert cuts["sc01-room-001"][1] >= spans["sc01-room-001-d2"][1]  # the shot grew to hold Theo
    assert spans["sc01-room-002-d1"][0] >= spans["sc01-room-001-d2"][1]
    recorded = record_timing(planned, tl)
    shot, line = recorded.shots[0], recorded.shots[0].dialogue[1]
    assert shot.timed == pytest.approx((cuts["sc01-room-001"][1] - cuts["sc01-room-001"][0]) / 30, abs=1e-3)
    assert line.timed == pytest.approx(2.0, abs=1 / 30) and line.timed_offset == pytest.approx(2.9, abs=1 / 30)
    assert shot.duration == 3.0 and line.offset == 1.4  # the plan stays the plan


def test_cut_off_and_dual_dialogue_may_overlap(tmp_path: Path) -> None:
    planned = _shotlist(
        _shot(1, 3.0, [("MAYA", "I never said--", 0.2, 1.0), ("THEO", "You did.", 1.3, 1.0)]),
        _shot(2, 3.0, [("MAYA", "Stop!", 0.2, 1.0), ("THEO", "Go!", 0.2, 1.0)], tags=("dual",)),
    )
    tl = _real(planned, tmp_path, {"sc01-room-001-d1": 2.0})
    spans = _spans(tl)
    assert spans["sc01-room-001-d2"][0] == spans["sc01-room-001-d1"][1] - round(CUT_IN_SECONDS * 30)
    assert spans["sc01-room-002-d1"][0] == spans["sc01-room-002-d2"][0]  # dual: spoken together
    assert dialogue_overlaps(tl) == []  # both overlaps are the script's, and marked so


def test_an_alias_shares_its_characters_track(tmp_path: Path) -> None:
    gulliver = CastMember(name="GULLIVER", aliases=["GULLIVER THE GULL"], sex="male")
    planned = _shotlist(
        _shot(1, 3.0, [("GULLIVER", "Fish?", 0.2, 1.0), ("GULLIVER THE GULL", "Fish!", 1.4, 1.0)]), cast=[gulliver]
    )
    tl = _real(planned, tmp_path, {})
    names = [track.name for track in tl.tracks if scriptkit_meta(track).get("role") == "dialogue"]
    assert names == ["DIALOGUE GULLIVER"]


def test_music_ducks_under_every_line(tmp_path: Path) -> None:
    keys = duck_keyframes([(30, 60), (65, 90), (200, 230)], 0, 300, -6.0, 9, 18)
    assert keys[0] == (0, -6.0) and [f for f, _ in keys] == sorted({f for f, _ in keys})
    assert gain_at(keys, 45) == gain_at(keys, 62) == -6.0 + DUCK_DB  # close lines: one dip
    assert gain_at(keys, 150) == -6.0 and gain_at(keys, 215) == -6.0 + DUCK_DB and gain_at(keys, 299) == -6.0
    planned = _shotlist(_shot(1, 4.0, [("MAYA", "Hello.", 1.0, 1.0)]))
    planned.music = MusicBed(level_db=-6.0)
    tl = _real(planned, tmp_path, {})
    music = next(item for item in tl.tracks[-1] if isinstance(item, otio.schema.Clip))
    level, keys = clip_gain(scriptkit_meta(music))
    assert level == -6.0 and gain_at(keys, 45) == -6.0 + DUCK_DB and gain_at(keys, 5) == -6.0
