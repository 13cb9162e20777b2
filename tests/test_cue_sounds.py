"""Cue sounds that match their words, written under the dialogue's loudness."""

from __future__ import annotations

import numpy as np
import pytest

from generators import CueJob
from generators.cue import SynthCues, classify
from scriptkit.mix import DIALOGUE_LUFS, EFFECTS_LUFS, MUSIC_LUFS, loudness


def _render(word: str, kind: str = "sfx", seconds: float = 1.0):
    return SynthCues().render(CueJob(owner="c1", word=word, description="", duration=seconds, kind=kind, seed=3))


def _spectrum(samples: np.ndarray) -> tuple[float, float]:
    """(spectral centroid, strongest frequency) in Hz."""
    freqs = np.fft.rfftfreq(len(samples), 1 / 48_000)
    power = np.abs(np.fft.rfft(samples)) ** 2
    return float((freqs * power).sum() / power.sum()), float(freqs[np.argmax(power)])


@pytest.mark.parametrize(
    ("word", "family"),
    [("THUNDER", "thunder"), ("SNAPS", "snap"), ("CRACKS", "snap"), ("CRACKLES", "crackle"), ("WHISTLES", "whistle")],
)
def test_words_pick_their_family(word: str, family: str) -> None:
    assert classify(word) == family
    assert classify("HORN") == "horn" and classify("KETTLE") == "whistle"


def test_each_sound_sounds_like_its_word() -> None:
    thunder, snap, whistle, horn = (_render(w) for w in ("THUNDER", "SNAPS", "WHISTLES", "HORN"))
    assert thunder.duration >= 3.0 and _spectrum(thunder.samples)[0] < 300  # a long low rumble
    assert snap.duration < 0.5 and _spectrum(snap.samples)[0] > 3000  # a short bright crack
    assert 1500 < _spectrum(whistle.samples)[1] < 3000  # a whistle's pitch
    assert _spectrum(horn.samples)[1] < 500  # a horn's low chord
    assert _spectrum(whistle.samples)[1] != pytest.approx(_spectrum(horn.samples)[1], rel=0.5)


def test_effects_and_music_sit_under_the_dialogue() -> None:
    for word in ("HORN", "WHISTLES", "RINGS", "THUNDER", "SLAMS"):
        assert loudness(_render(word).samples, 48_000) <= EFFECTS_LUFS + 0.5 < DIALOGUE_LUFS
    assert loudness(_render("music", "music", 20.0).samples, 48_000) == pytest.approx(MUSIC_LUFS, abs=0.5)
