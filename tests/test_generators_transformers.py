"""The transformers (VITS) voice backend on a tiny random VitsModel built, saved and loaded here."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from generators import VoiceJob
from generators.audio import SAMPLE_RATE
from generators.run import generate_assets
from scriptkit.errors import ScriptkitError
from scriptkit.models import DialogueLine
from tests.test_generators_support import tiny_shotlist


def build_tiny_vits(folder: Path) -> Path:
    import torch
    from transformers import VitsConfig, VitsModel, VitsTokenizer

    torch.manual_seed(0)
    symbols = ["<pad>", "<unk>", " ", "'", "!", ",", ".", "?", *"abcdefghijklmnopqrstuvwxyz"]
    folder.mkdir(parents=True)
    (folder / "vocab-source.json").write_text(json.dumps({symbol: i for i, symbol in enumerate(symbols)}))
    tokenizer = VitsTokenizer(str(folder / "vocab-source.json"), phonemize=False, add_blank=True, normalize=True)
    config = VitsConfig(
        vocab_size=len(symbols),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=16,
        flow_size=16,
        spectrogram_bins=9,
        upsample_initial_channel=16,
        upsample_rates=[4, 4],
        upsample_kernel_sizes=[8, 8],
        resblock_kernel_sizes=[3],
        resblock_dilation_sizes=[[1]],
        duration_predictor_filter_channels=16,
        duration_predictor_num_flows=1,
        prior_encoder_num_flows=1,
        prior_encoder_num_wavenet_layers=1,
        posterior_encoder_num_wavenet_layers=1,
        depth_separable_num_layers=1,
        sampling_rate=16000,
    )
    model_dir = folder / "tiny-vits"
    VitsModel(config).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    return model_dir


@pytest.fixture(scope="module")
def tiny_vits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield build_tiny_vits(tmp_path_factory.mktemp("vits") / "src")
    torch.set_num_threads(threads)


def line(character: str, text: str, n: int = 1) -> VoiceJob:
    return VoiceJob(DialogueLine(id=f"sc01-001-d{n}", character=character, text=text, line=n))


def test_tiny_vits_speaks_at_48k_with_stable_voices(tiny_vits: Path) -> None:
    from generators.transformers_voice import VitsVoices

    backend = VitsVoices(options={"model": str(tiny_vits), "threads": 1})
    backend.prepare(["MAYA", "THEO"])
    jobs = [line("MAYA", "Hold the doors!", 1), line("THEO", "Hold the doors!", 2), line("MAYA", "...", 3)]
    results = list(backend.generate(jobs))
    maya, theo, silent = (audio for _job, audio in results)
    assert maya.sample_rate == theo.sample_rate == SAMPLE_RATE
    assert maya.duration > 0.01 and np.abs(maya.samples).max() > 0
    assert backend.voice("MAYA") != backend.voice("THEO")
    assert not np.array_equal(maya.samples[: len(theo.samples)], theo.samples[: len(maya.samples)])
    assert silent.duration == 0.5 and not silent.samples.any()
    ((_job, again),) = backend.generate([jobs[0]])
    assert np.array_equal(again.samples, maya.samples)


def test_generate_assets_with_the_transformers_backend(tiny_vits: Path, tmp_path: Path) -> None:
    config = tmp_path / "scriptkit.toml"
    config.write_text(
        f"[generators]\nvoice = 'transformers'\n[generators.transformers]\nmodel = '{tiny_vits}'\nthreads = 1\n"
    )
    assets = generate_assets(tiny_shotlist(width=90, height=160), tmp_path / "media", style=None, config=config)
    voice = assets.voices["sc02-car-001-d1"]
    assert voice.backend == "transformers" and voice.model == str(tiny_vits)
    with wave.open(str(tmp_path / "media" / voice.path)) as handle:
        assert handle.getframerate() == 48000 and handle.getsampwidth() == 2
        assert voice.duration == pytest.approx(handle.getnframes() / 48000)


def test_bad_vits_models_fail_clearly(tmp_path: Path) -> None:
    from generators.transformers_voice import VitsVoices

    with pytest.raises(ScriptkitError, match="needs a model"):
        VitsVoices(options={})
    with pytest.raises(ScriptkitError, match=r"no readable config\.json"):
        (tmp_path / "empty").mkdir()
        VitsVoices(options={"model": str(tmp_path / "empty")})
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text('{"model_type": "vits"}')
    with pytest.raises(ScriptkitError, match="cannot load the VITS model"):
        list(VitsVoices(options={"model": str(broken)}).generate([line("MAYA", "Hello there.")]))
