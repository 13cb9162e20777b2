"""The `synth` cue backend: a short synthesized sound per cue word, and a quiet pad for the music bed.

The sound is chosen by the cue word so a cue is obvious on an NLE's audio track: a phone RINGS as two-tone
bursts, a door SLAMs as a noise burst with a fast decay, a HORN as a low chord, brakes SCREECH as a swept
band of noise, a phone BUZZes as square-wave pulses, lights FLICKER as crackles, THUNDER as a low rumble after
a crack, a twig SNAPs (or CRACKs) as one short dry crack, a kettle WHISTLEs as a breathy rising whistle;
anything else is a soft tone. Chinese sound names (钟声, 雷声, 敲门声, 电话铃; see
`scriptkit.lexicon.ZH_SOUND_WORDS`) choose a family by their characters the same way. A family with a
natural length (thunder rolls for seconds, a snap is over in a fraction of one) uses it. Every sound is
written at `scriptkit.mix.EFFECTS_LUFS`, the music bed at
`MUSIC_LUFS`. Deterministic: the noise comes from a generator seeded by the job.

No freely licensed sound library installs from the package registries in a well-kept form (the sets found
there are API clients for online libraries or unmaintained), so the cues stay synthesized.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from generators import CueGenerator, CueJob, Params
from generators.audio import SAMPLE_RATE, Audio, fade_edges
from generators.delivery import set_loudness
from scriptkit.mix import EFFECTS_LUFS, MUSIC_LUFS

KINDS: dict[str, tuple[str, ...]] = {
    "thunder": ("THUNDER", "RUMBLE", "STORM", "雷", "轰隆"),
    "whistle": ("WHISTLE", "KETTLE", "口哨"),
    "crackle": ("FLICKER", "CRACKLE", "SPARK", "STATIC", "SIZZLE", "CLICK", "TICK", "DRIP", "RAIN", "雨", "滴答"),
    "snap": ("SNAP", "CRACK", "CRUNCH", "POP"),
    "ring": ("RING", "CHIME", "BELL", "DING", "ALARM", "BEEP", "铃", "钟"),
    "impact": (
        "SLAM",
        "BANG",
        "CRASH",
        "THUD",
        "KNOCK",
        "SHOT",
        "GUNSHOT",
        "BOOM",
        "SMASH",
        "THUMP",
        "POUND",
        "CLANG",
        "敲门",
        "枪",
        "摔",
        "关门",
        "爆炸",
        "鞭炮",
        "碎裂",
    ),
    "horn": ("HORN", "HONK", "SIREN", "ROAR", "喇叭", "警笛", "汽笛", "鸣笛"),
    "screech": ("SCREECH", "SCREAM", "SQUEAL", "SKID", "SHRIEK", "HISS", "WHOOSH", "CREAK", "刹车", "尖叫", "风声"),
    "buzz": ("BUZZ", "VIBRAT", "HUM", "DRONE", "ZAP", "震动"),
}
#: Seconds a family lasts whatever the plan's cue length says.
NATURAL_SECONDS = {"thunder": 3.5, "snap": 0.35, "whistle": 2.5}


def classify(word: str) -> str:
    """The sound family of a cue word ('RINGS' -> 'ring'); 'tone' when nothing matches."""
    upper = word.upper()
    for kind, stems in KINDS.items():
        if any(stem in upper for stem in stems):
            return kind
    return "tone"


def _time(duration: float) -> np.ndarray:
    return np.arange(max(1, round(duration * SAMPLE_RATE))) / SAMPLE_RATE


def _lowpass(signal: np.ndarray, alpha: float) -> np.ndarray:
    """One-pole low-pass as a truncated exponential FIR (exact to 1e-6, cheap, deterministic)."""
    length = int(np.ceil(np.log(1e-6) / np.log(1 - alpha))) + 1
    weights = alpha * (1 - alpha) ** np.arange(length)
    return np.convolve(signal, weights)[: len(signal)]


def ring(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    tone = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.5 * np.sin(2 * np.pi * 480 * t)
    tremolo = (np.sin(2 * np.pi * 20 * t) > -0.2).astype(np.float64)
    cycle = np.mod(t, 2.0)
    gate = ((cycle < 0.4) | ((cycle > 0.6) & (cycle < 1.0))).astype(np.float64)
    return 0.55 * tone * tremolo * gate


def impact(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noise = _lowpass(rng.standard_normal(len(t)), 0.25)
    body = np.sin(2 * np.pi * 70 * t) * np.exp(-t * 12)
    hit = noise * np.exp(-t * 25)
    tail = noise * 0.15 * np.exp(-t * 4)
    mixed = hit + 0.9 * body + tail
    return 0.9 * mixed / max(1e-9, np.max(np.abs(mixed)))


def horn(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    chord = sum(np.sign(np.sin(2 * np.pi * f * t)) * 0.3 + np.sin(2 * np.pi * f * t) for f in (110.0, 138.6, 165.0))
    smooth = _lowpass(chord, 0.08)
    envelope = np.minimum(1.0, t / 0.08) * np.minimum(1.0, (t[-1] - t + 1e-3) / 0.3)
    return 0.6 * smooth / max(1e-9, np.max(np.abs(smooth))) * envelope


def screech(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    sweep = 2600 - 1400 * t / max(t[-1], 1e-3)
    phase = 2 * np.pi * np.cumsum(sweep) / SAMPLE_RATE
    wobble = 1 + 0.02 * np.sin(2 * np.pi * 9 * t)
    squeal = np.sin(phase * wobble) + 0.5 * np.sin(2 * phase * wobble)
    noise = rng.standard_normal(len(t)) * 0.35
    envelope = np.minimum(1.0, t / 0.05) * np.minimum(1.0, (t[-1] - t + 1e-3) / 0.2)
    mixed = (squeal + noise) * envelope
    return 0.7 * mixed / max(1e-9, np.max(np.abs(mixed)))


def buzz(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    square = np.sign(np.sin(2 * np.pi * 170 * t))
    pulses = (np.mod(t, 0.5) < 0.3).astype(np.float64)
    return 0.35 * _lowpass(square * pulses, 0.3)


def crackle(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    clicks = (rng.random(len(t)) < 0.0015).astype(np.float64) * rng.standard_normal(len(t))
    hum = 0.15 * np.sin(2 * np.pi * 120 * t) * (np.sin(2 * np.pi * 6 * t) > 0)
    mixed = _lowpass(clicks, 0.6) * 6 + hum
    return 0.7 * mixed / max(1e-9, np.max(np.abs(mixed)))


def thunder(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A crack, then a low rolling rumble (brown noise under 150 Hz with slow swells)."""
    brown = np.cumsum(rng.standard_normal(len(t)))
    brown -= _lowpass(brown, 0.004)  # high-pass at about 30 Hz: the drift goes, the rumble stays
    rumble = _lowpass(_lowpass(brown, 0.012), 0.012)
    rumble /= max(1e-9, float(np.max(np.abs(rumble))))
    swell = np.minimum(1.0, t / 0.25) * np.exp(-t * 0.9) * (0.75 + 0.25 * np.sin(2 * np.pi * 0.9 * t + 1.0))
    crack = _lowpass(rng.standard_normal(len(t)), 0.5) * np.exp(-t * 30) * 0.2
    mixed = rumble * swell + crack
    return 0.9 * mixed / max(1e-9, float(np.max(np.abs(mixed))))


def snap(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A short dry crack: a bright click and a few splinters, gone in a fraction of a second."""
    noise = rng.standard_normal(len(t))
    bright = noise - _lowpass(noise, 0.2)  # high-passed
    hit = bright * np.exp(-t * 90)
    splinters = bright * (rng.random(len(t)) < 0.004) * np.exp(-t * 25) * 3
    mixed = hit + splinters
    return 0.9 * mixed / max(1e-9, float(np.max(np.abs(mixed))))


def whistle(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A kettle: a breathy whistle rising in pitch and strength, with a little warble."""
    rise = np.minimum(1.0, t / max(1e-3, t[-1] * 0.6))
    freq = 1700 + 700 * rise + 25 * np.sin(2 * np.pi * 6 * t)
    phase = 2 * np.pi * np.cumsum(freq) / SAMPLE_RATE
    breath = rng.standard_normal(len(t))
    breath = (breath - _lowpass(breath, 0.3)) * 0.25
    envelope = (0.2 + 0.8 * rise) * np.minimum(1.0, (t[-1] - t + 1e-3) / 0.15)
    mixed = (np.sin(phase) + 0.2 * np.sin(2 * phase) + breath) * envelope
    return 0.8 * mixed / max(1e-9, float(np.max(np.abs(mixed))))


def tone(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    envelope = np.minimum(1.0, t / 0.05) * np.exp(-t * 2.5)
    return 0.3 * (np.sin(2 * np.pi * 660 * t) + 0.3 * np.sin(2 * np.pi * 990 * t)) * envelope


SYNTHS = {
    "ring": ring,
    "impact": impact,
    "horn": horn,
    "screech": screech,
    "buzz": buzz,
    "crackle": crackle,
    "thunder": thunder,
    "snap": snap,
    "whistle": whistle,
    "tone": tone,
}

# A slow minor progression (Am - F - C - G), root frequencies in Hz with their chord tones.
PROGRESSION = ((220.0, 261.63, 329.63), (174.61, 220.0, 261.63), (130.81, 164.81, 196.0), (196.0, 246.94, 293.66))


def music_bed(duration: float, seconds_per_chord: float = 4.0) -> np.ndarray:
    """A quiet pad: soft detuned chords crossfading every `seconds_per_chord` seconds, with a slow swell."""
    t = _time(duration)
    out = np.zeros_like(t)
    fade = 1.0
    for index in range(int(np.ceil(duration / seconds_per_chord)) + 1):
        start = index * seconds_per_chord
        lo = max(0, int((start - fade) * SAMPLE_RATE))
        hi = min(len(t), int((start + seconds_per_chord + fade) * SAMPLE_RATE) + 1)
        if lo >= hi:
            continue
        seg = t[lo:hi].astype(np.float32)
        window = np.clip(np.minimum((seg - start + fade) / fade, (start + seconds_per_chord + fade - seg) / fade), 0, 1)
        chord = PROGRESSION[index % len(PROGRESSION)]
        voice = 0.6 * np.sin(np.float32(np.pi * chord[0]) * seg)
        for freq in chord:
            for detune in (0.997, 1.003):
                voice += np.sin(np.float32(2 * np.pi * freq * detune) * seg)
        out[lo:hi] += voice * np.sin(0.5 * np.pi * window) ** 2
    out *= 0.25 / max(1e-9, float(np.max(np.abs(out))))
    return out * (0.85 + 0.15 * np.sin(2 * np.pi * t / 16.0))


class SynthCues(CueGenerator):
    name = "synth"
    version = "2"

    def params(self, job: CueJob) -> Params:
        return {"sound": "pad" if job.kind == "music" else classify(job.word)}

    def render(self, job: CueJob) -> Audio:
        if job.kind == "music":
            samples, target = music_bed(job.duration), MUSIC_LUFS
        else:
            kind = classify(job.word)
            rng = np.random.default_rng(job.seed)
            samples, target = SYNTHS[kind](_time(NATURAL_SECONDS.get(kind, job.duration)), rng), EFFECTS_LUFS
        shaped = fade_edges(np.asarray(samples, dtype=np.float64), SAMPLE_RATE).astype(np.float32)
        return Audio(set_loudness(shaped, SAMPLE_RATE, target), SAMPLE_RATE)

    def generate(self, jobs: list[CueJob]) -> Iterator[tuple[CueJob, Audio]]:
        for job in jobs:
            yield job, self.render(job)
