"""The `transformers` voice backend (extra `[tts]`): VITS / MMS-TTS through `transformers.VitsModel`.

The model and its tokenizer load from a local folder (or an id already in the local Hugging Face cache,
`local_files_only=True`: nothing is downloaded), once per batch. Characters get the same stable voices
as with piper (a pitch factor applied by resampling, with the speaking rate pre-compensated, and a pace),
and every line is synthesized with a seed derived from its text and character, so the same line is the
same audio on every run. Output is resampled from the model's rate (16 kHz for MMS) to 48 kHz.

Options ([generators.transformers] in scriptkit.toml): model (required), noise_scale, threads, and
per-character overrides under [generators.transformers.characters.NAME]: pitch, speaking_rate.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Iterator
from typing import Any

import numpy as np
from pydantic import Field

from generators import BackendOptions, CharacterVoice, Params, VoiceGenerator, VoiceJob, missing_extra
from generators.audio import SAMPLE_RATE, Audio, fade_edges, pitch_shift
from generators.diffusers_image import resolve_model
from generators.piper import PRESETS, assign_presets, speakable
from scriptkit.errors import ScriptkitError


class VitsOptions(BackendOptions):
    """[generators.transformers]: the local VITS model folder, noise, threads, per-character overrides."""

    model: str | None = None
    noise_scale: float = 0.667
    threads: int = 0
    characters: dict[str, CharacterVoice] = Field(default_factory=dict)


class VitsVoices(VoiceGenerator):
    name = "transformers"
    version = "1"
    Options = VitsOptions

    def __post_init__(self) -> None:
        for package in ("torch", "transformers"):
            if importlib.util.find_spec(package) is None:
                raise missing_extra(package, "tts")
        model = self.options.get("model")
        if not model:
            raise ScriptkitError(
                "the transformers voice backend needs a model",
                hint="set [generators.transformers] model = 'path/to/mms-tts-eng' in scriptkit.toml",
            )
        self.where, self.fingerprint = resolve_model(str(model), "VITS model", "config.json")
        self.noise_scale = float(self.options.get("noise_scale", 0.667))
        self.presets: dict[str, int] = {}
        self.loaded: tuple[Any, Any] | None = None

    @property
    def model(self) -> str:
        return self.where

    def prepare(self, cast: list[str]) -> None:
        self.presets = assign_presets(cast)

    def voice(self, character: str) -> tuple[float, float]:
        """(pitch factor, speaking rate) of a character."""
        key = character.strip().upper()
        index = self.presets.get(key)
        if index is None:
            index = int(hashlib.sha256(f"preset:{key}".encode()).digest()[0]) % len(PRESETS)
        pitch, length = PRESETS[index]
        overrides = (self.options.get("characters") or {}).get(key, {})
        return float(overrides.get("pitch", pitch)), float(overrides.get("speaking_rate", round(1 / length, 4)))

    def params(self, job: VoiceJob) -> Params:
        pitch, rate = self.voice(job.line.character)
        return {"fingerprint": self.fingerprint, "pitch": pitch, "speaking_rate": rate, "noise_scale": self.noise_scale}

    def load(self) -> tuple[Any, Any]:
        if self.loaded is None:
            import torch
            from transformers import AutoTokenizer, VitsModel

            threads = int(self.options.get("threads", 0))
            if threads > 0:
                torch.set_num_threads(threads)
            try:
                model = VitsModel.from_pretrained(self.where, local_files_only=True).eval()
                tokenizer = AutoTokenizer.from_pretrained(self.where, local_files_only=True)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise ScriptkitError(f"cannot load the VITS model: {exc}".splitlines()[0], self.where) from None
            self.loaded = (model, tokenizer)
        return self.loaded

    def synthesize(self, job: VoiceJob) -> Audio:
        import torch

        text = speakable(job.line.text)
        if not text:
            return Audio(np.zeros(SAMPLE_RATE // 2, dtype=np.float32), SAMPLE_RATE)
        model, tokenizer = self.load()
        pitch, rate = self.voice(job.line.character)
        model.speaking_rate = rate / pitch
        model.noise_scale = self.noise_scale
        inputs = tokenizer(text, return_tensors="pt")
        if inputs["input_ids"].shape[-1] == 0:
            return Audio(np.zeros(SAMPLE_RATE // 2, dtype=np.float32), SAMPLE_RATE)
        seed = int.from_bytes(hashlib.sha256(f"{job.line.character}\x1f{text}".encode()).digest()[:4], "big")
        torch.manual_seed(seed)
        with torch.inference_mode():
            waveform = model(**inputs).waveform[0].float().numpy()
        peak = float(np.max(np.abs(waveform))) if waveform.size else 0.0
        if peak > 0.99:
            waveform = waveform * (0.99 / peak)
        raw = Audio(waveform.astype(np.float32), int(model.config.sampling_rate))
        shifted = pitch_shift(raw, pitch, SAMPLE_RATE)
        return Audio(fade_edges(shifted.samples, SAMPLE_RATE), SAMPLE_RATE)

    def generate(self, jobs: list[VoiceJob]) -> Iterator[tuple[VoiceJob, Audio]]:
        for job in jobs:
            yield job, self.synthesize(job)

    def close(self) -> None:
        self.loaded = None
