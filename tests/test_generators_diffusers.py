"""The diffusers backend on a tiny random Stable Diffusion pipeline built here and loaded through the real code.

The pipeline (UNet, VAE, CLIP text encoder with a tokenizer written from a tiny vocab, a tiny CLIP image
encoder plus IP-Adapter weights, and a LoRA) is saved with `save_pretrained` into a temp folder; the
backend loads it with `AutoPipelineForText2Image.from_pretrained(local_files_only=True)`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generators import ImageJob, StyleRef
from generators.cache import sha256_file
from generators.run import generate_assets
from scriptkit.errors import ScriptkitError
from tests.test_generators_support import STYLE, tiny_shotlist

SIZE = (48, 64)


def build_tiny_diffusion(root: Path) -> dict[str, Path]:
    """Save a tiny random SD pipeline, an IP-Adapter (+ image encoder) and a LoRA under `root`."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from safetensors.torch import save_file
    from transformers import (
        CLIPImageProcessor,
        CLIPTextConfig,
        CLIPTextModel,
        CLIPTokenizer,
        CLIPVisionConfig,
        CLIPVisionModelWithProjection,
    )

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        sample_size=32,
        layers_per_block=2,
        block_out_channels=(32, 64),
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=8,
    )
    vae = AutoencoderKL(
        block_out_channels=(32, 64),
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        latent_channels=4,
        sample_size=64,
    )
    text_config = CLIPTextConfig(
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=1,
        hidden_size=32,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        vocab_size=200,
        max_position_embeddings=77,
        projection_dim=32,
    )
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for code in range(33, 127):
        vocab.setdefault(chr(code), len(vocab))
        vocab.setdefault(chr(code) + "</w>", len(vocab))
    words = root / "tokenizer-files"
    words.mkdir(parents=True)
    (words / "vocab.json").write_text(json.dumps(vocab))
    (words / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(words / "vocab.json"), str(words / "merges.txt"), model_max_length=77)
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", timestep_spacing="trailing", steps_offset=1
    )
    pipe = StableDiffusionPipeline(
        vae=vae,
        text_encoder=CLIPTextModel(text_config),
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=CLIPImageProcessor(size=32, crop_size=32),
        image_encoder=None,
        requires_safety_checker=False,
    )
    model = root / "tiny-sd"
    pipe.save_pretrained(model)

    # IP-Adapter in the layout load_ip_adapter reads: image_proj.* and ip_adapter.<n>.to_k_ip/to_v_ip.weight
    tensors = {
        "image_proj.proj.weight": torch.randn(4 * 32, 32) * 0.5,
        "image_proj.proj.bias": torch.zeros(4 * 32),
        "image_proj.norm.weight": torch.ones(32),
        "image_proj.norm.bias": torch.zeros(32),
    }
    key = 1
    channels = unet.config.block_out_channels
    for name in unet.attn_processors:
        if not name.endswith("attn2.processor"):
            continue
        if name.startswith("mid_block"):
            hidden = channels[-1]
        elif name.startswith("up_blocks"):
            hidden = list(reversed(channels))[int(name[len("up_blocks.")])]
        else:
            hidden = channels[int(name[len("down_blocks.")])]
        tensors[f"ip_adapter.{key}.to_k_ip.weight"] = torch.randn(hidden, 32) * 0.5
        tensors[f"ip_adapter.{key}.to_v_ip.weight"] = torch.randn(hidden, 32) * 0.5
        key += 2
    ip = root / "ip-adapter"
    (ip / "models").mkdir(parents=True)
    save_file(tensors, str(ip / "models" / "ip-adapter_tiny.safetensors"))
    vision = CLIPVisionConfig(
        hidden_size=32,
        image_size=32,
        patch_size=4,
        projection_dim=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=37,
    )
    CLIPVisionModelWithProjection(vision).save_pretrained(ip / "models" / "image_encoder")

    # A LoRA on the UNet's attention projections, saved in the diffusers LoRA format.
    from peft import LoraConfig, get_peft_model_state_dict

    unet.add_adapter(
        LoraConfig(r=4, lora_alpha=4, target_modules=["to_q", "to_k", "to_v", "to_out.0"], init_lora_weights=False)
    )
    lora = root / "lora"
    StableDiffusionPipeline.save_lora_weights(
        lora, unet_lora_layers=get_peft_model_state_dict(unet), safe_serialization=True
    )
    return {"model": model, "ip_adapter": ip, "lora": next(lora.glob("*.safetensors"))}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: one thread beats two on a shared 2-core machine by 5x
    yield build_tiny_diffusion(tmp_path_factory.mktemp("diffusion"))
    torch.set_num_threads(threads)


def options(tiny: dict[str, Path], **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "model": str(tiny["model"]),
        "steps": 2,
        "resolution": 64,
        "batch_size": 2,
        "threads": 1,
        "ip_adapter": str(tiny["ip_adapter"]),
        "ip_adapter_weight": "ip-adapter_tiny.safetensors",
    }
    return {**base, **extra}


def job(style: Path | None = STYLE, seed: int = 5, characters: tuple[str, ...] = ("MAYA",)) -> ImageJob:
    shot = tiny_shotlist().shots[1].model_copy(update={"characters": list(characters)})
    ref = StyleRef(style, sha256_file(style)) if style else None
    return ImageJob(
        shot=shot,
        prompt="a courier on a platform",
        negative_prompt="",
        seed=seed,
        width=SIZE[0],
        height=SIZE[1],
        style=ref,
    )


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == SIZE
        return np.asarray(image.convert("RGB")).astype(np.int32)


def test_tiny_pipeline_generates_through_the_real_loader(tiny: dict[str, Path], tmp_path: Path) -> None:
    from generators.diffusers_image import DiffusersImages

    backend = DiffusersImages(options=options(tiny))
    jobs = [job(seed=5), job(seed=6)]
    results = list(backend.generate(jobs))
    assert [j.seed for j, _data in results] == [5, 6]
    first, second = (pixels(data) for _job, data in results)
    assert first.std() > 1 and not np.array_equal(first, second)
    # InstantStyle: only the style layer of the first up block with attention listens to the reference
    scales = {name: proc.scale for name, proc in backend.pipe.unet.attn_processors.items() if hasattr(proc, "scale")}
    assert scales["up_blocks.0.attentions.1.transformer_blocks.0.attn2.processor"] == [0.8]
    assert scales["up_blocks.0.attentions.0.transformer_blocks.0.attn2.processor"] == [0.0]
    assert scales["down_blocks.1.attentions.0.transformer_blocks.0.attn2.processor"] == [0.0]
    assert str(backend.device_dtype()[1]) == "torch.float32"
    ((_j, again),) = backend.generate([job(seed=5)])
    assert np.array_equal(pixels(again), first)
    other_style = tmp_path / "flat.png"
    Image.new("RGB", (64, 64), (250, 20, 20)).save(other_style)
    ((_j, restyled),) = backend.generate([job(style=other_style, seed=5)])
    assert not np.array_equal(pixels(restyled), first)


def test_lora_and_character_seed_change_the_picture(tiny: dict[str, Path]) -> None:
    from generators.diffusers_image import DiffusersImages

    plain = DiffusersImages(options=options(tiny, ip_adapter=""))
    ((_j, base),) = plain.generate([job(style=None)])
    with_lora = DiffusersImages(options=options(tiny, ip_adapter="", lora=str(tiny["lora"]), lora_scale=1.0))
    ((_j, lora),) = with_lora.generate([job(style=None)])
    assert not np.array_equal(pixels(base), pixels(lora))
    fixed = DiffusersImages(options=options(tiny, ip_adapter="", characters={"MAYA": {"seed": 42}}))
    assert fixed.seed(job(seed=5)) == fixed.seed(job(seed=9)) == 42
    assert fixed.params(job())["character"] == "MAYA"


def test_generate_assets_with_the_diffusers_backend(tiny: dict[str, Path], tmp_path: Path) -> None:
    config = tmp_path / "scriptkit.toml"
    config.write_text(
        "[generators]\nimage = 'diffusers'\n[generators.diffusers]\n"
        f"model = '{tiny['model']}'\nsteps = 2\nthreads = 1\nresolution = 64\nip_adapter = '{tiny['ip_adapter']}'\n"
        "ip_adapter_weight = 'ip-adapter_tiny.safetensors'\n"
    )
    shotlist = tiny_shotlist(width=SIZE[0], height=SIZE[1])
    for shot in shotlist.shots:
        shot.dialogue = []
    assets = generate_assets(shotlist, tmp_path / "media", style=STYLE, config=config)
    image = assets.images["sc01-platform-002"]
    assert image.backend == "diffusers" and image.model == str(tiny["model"])
    assert image.params["ip_adapter"] and image.params["steps"] == 2
    with Image.open(tmp_path / "media" / image.path) as png:
        assert png.size == SIZE


def test_bad_models_fail_with_one_clear_message(
    tiny: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generators import diffusers_image
    from generators.diffusers_image import DiffusersImages

    with pytest.raises(ScriptkitError, match="needs a model"):
        DiffusersImages(options={})
    with pytest.raises(ScriptkitError, match="not found"):
        DiffusersImages(options={"model": str(tmp_path / "nowhere")})
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ScriptkitError, match=r"no readable model_index\.json"):
        DiffusersImages(options={"model": str(empty)})
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ScriptkitError, match="never downloads"):
        DiffusersImages(options={"model": "nobody/not-a-cached-model"})
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_index.json").write_text(
        '{"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"]}'
    )
    with pytest.raises(ScriptkitError, match="cannot load the diffusion model"):
        list(DiffusersImages(options={"model": str(broken)}).generate([job(style=None)]))
    real_find_spec = diffusers_image.importlib.util.find_spec
    monkeypatch.setattr(
        diffusers_image.importlib.util, "find_spec", lambda name: None if name == "diffusers" else real_find_spec(name)
    )
    with pytest.raises(ScriptkitError, match=r"pip install 'scriptkit\[diffusion\]' torch==2.13.0"):
        DiffusersImages(options=options(tiny))
