"""Casting: give every character a voice of the backend's set that fits their sex and age, all distinct.

A backend lists its voices as `VoiceOption`s, best first within each sex. `cast_voices` walks the cast in
order of appearance: a character who already has a voice of this backend (written in shots.yaml) keeps it; any
other gets the first unused option of its sex that suits its age group (a child, an elder), then any unused one
of its sex, and only when the voices of its sex are used up one already taken (the least used). A character of
unknown sex takes the first unused voice. Pure and deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scriptkit.models import CastMember, Voice


@dataclass(frozen=True)
class VoiceOption:
    """One voice of a backend, as casting sees it."""

    name: str
    sex: str  # "female" or "male"
    groups: tuple[str, ...] = ("teen", "adult")  # age groups it suits
    language: str = "en"
    pitch: float = 1.0
    speed: float = 1.0

    def voice(self, backend: str) -> Voice:
        return Voice(backend=backend, name=self.name, speed=self.speed, pitch=self.pitch)


def _language_fits(option: VoiceOption, language: str) -> bool:
    return option.language.split("-")[0] == (language or "en").split("-")[0]


def _sex_miss(option: VoiceOption, member: CastMember) -> bool:
    return member.sex in ("female", "male") and option.sex != member.sex


def _age_miss(option: VoiceOption, member: CastMember) -> bool:
    return (member.age_group or "adult") not in option.groups


def cast_voices(members: Sequence[CastMember], options: Sequence[VoiceOption], backend: str) -> list[CastMember]:
    """`members` with a voice of `backend` each (copies; members already voiced by `backend` unchanged)."""
    used: dict[tuple[str, float], int] = {}
    for member in members:
        if member.voice.backend == backend and member.voice.name:
            key = (member.voice.name, member.voice.pitch)
            used[key] = used.get(key, 0) + 1
    out: list[CastMember] = []
    for member in members:
        if member.voice.backend == backend and member.voice.name:
            out.append(member)
            continue
        fitting = [option for option in options if _language_fits(option, member.language)] or list(options)
        if not fitting:
            out.append(member)
            continue
        choice = min(
            fitting,
            key=lambda option: (
                _sex_miss(option, member),
                used.get((option.name, option.pitch), 0) > 0,
                _age_miss(option, member),
                used.get((option.name, option.pitch), 0),
            ),
        )
        key = (choice.name, choice.pitch)
        used[key] = used.get(key, 0) + 1
        voice = choice.voice(backend)
        if member.voice.backend in ("", backend) and member.voice.speed != 1.0:
            voice = voice.model_copy(update={"speed": member.voice.speed})
        out.append(member.model_copy(update={"voice": voice}))
    return out
