"""Image-to-video pipelines with random weights, built from configs: tiny ones for the tests, full-size ones for
`bench/bench_video.py` (the same compute and memory as the published models, nothing downloaded).

The text encoder is a T5 encoder with a Unigram tokenizer written from a small vocabulary (a real T5 tokenizer
would be a download); `build_pipeline` returns the pipeline, `save_tiny` writes one with `save_pretrained`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Component configs per family. Tiny: the shapes of diffusers' own fast pipeline tests.
TINY: dict[str, dict[str, dict[str, Any]]] = {
    "wan": {
        "transformer": {
            "patch_size": (1, 2, 2), "num_attention_heads": 2, "attention_head_dim": 12, "in_channels": 36,
            "out_channels": 16, "text_dim": 32, "freq_dim": 256, "ffn_dim": 32, "num_layers": 2,
            "cross_attn_norm": True, "qk_norm": "rms_norm_across_heads", "rope_max_seq_len": 32, "image_dim": 4,
        },
        "vae": {"base_dim": 3, "z_dim": 16, "dim_mult": [1, 1, 1, 1], "num_res_blocks": 1,
                "temperal_downsample": [False, True, True]},
        "text_encoder": {"vocab_size": 64, "d_model": 32, "d_kv": 8, "d_ff": 37, "num_layers": 2, "num_heads": 4},
        "image_encoder": {"hidden_size": 4, "projection_dim": 4, "num_hidden_layers": 2, "num_attention_heads": 2,
                          "image_size": 32, "intermediate_size": 16, "patch_size": 1},
        "image_processor": {"crop_size": 32, "size": 32},
        "scheduler": {"shift": 7.0},
    },
    "ltx": {
        "transformer": {
            "in_channels": 8, "out_channels": 8, "patch_size": 1, "patch_size_t": 1, "num_attention_heads": 4,
            "attention_head_dim": 8, "cross_attention_dim": 32, "num_layers": 1, "caption_channels": 32,
        },
        "vae": {
            "in_channels": 3, "out_channels": 3, "latent_channels": 8, "block_out_channels": (8, 8, 8, 8),
            "decoder_block_out_channels": (8, 8, 8, 8), "layers_per_block": (1, 1, 1, 1, 1),
            "decoder_layers_per_block": (1, 1, 1, 1, 1), "spatio_temporal_scaling": (True, True, False, False),
            "decoder_spatio_temporal_scaling": (True, True, False, False),
            "decoder_inject_noise": (False, False, False, False, False),
            "upsample_residual": (False, False, False, False),
            "upsample_factor": (1, 1, 1, 1), "timestep_conditioning": False, "patch_size": 1, "patch_size_t": 1,
            "encoder_causal": True, "decoder_causal": False,
        },
        "text_encoder": {"vocab_size": 64, "d_model": 32, "d_kv": 8, "d_ff": 37, "num_layers": 2, "num_heads": 4},
        "scheduler": {},
    },
}  # fmt: skip

WORDS = (
    *("a", "the", "and", "of", "shot", "camera", "static", "push", "in", "pull", "out"),
    *("close", "up", "wide", "medium", "maya", "theo", "walks"),
)


def tokenizer(folder: Path) -> Any:
    """A T5 tokenizer over a small Unigram vocabulary (pad, eos, unk, then WORDS)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import T5TokenizerFast

    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + [(word, -1.0) for word in WORDS]
    model = Tokenizer(models.Unigram(pieces, unk_id=2))
    model.pre_tokenizer = pre_tokenizers.Whitespace()
    folder.mkdir(parents=True, exist_ok=True)
    model.save(str(folder / "tokenizer.json"))
    return T5TokenizerFast(
        tokenizer_file=str(folder / "tokenizer.json"), pad_token="<pad>", eos_token="</s>", unk_token="<unk>",
        extra_ids=0,
    )  # fmt: skip


def build_pipeline(family: str, configs: dict[str, dict[str, Any]], scratch: Path, dtype: Any = None) -> Any:
    """A `WanImageToVideoPipeline` or `LTXImageToVideoPipeline` with random weights from `configs`."""
    import diffusers
    import torch
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        CLIPVisionModelWithProjection,
        T5Config,
        T5EncoderModel,
    )

    torch.manual_seed(0)
    dtype = dtype or torch.float32
    text_encoder = T5EncoderModel(T5Config(**configs["text_encoder"])).eval().to(dtype)
    scheduler = diffusers.FlowMatchEulerDiscreteScheduler(**configs["scheduler"])
    if family == "wan":
        return diffusers.WanImageToVideoPipeline(
            tokenizer=tokenizer(scratch),
            text_encoder=text_encoder,
            vae=diffusers.AutoencoderKLWan(**configs["vae"]).to(dtype),
            transformer=diffusers.WanTransformer3DModel(**configs["transformer"]).to(dtype),
            scheduler=scheduler,
            image_encoder=CLIPVisionModelWithProjection(CLIPVisionConfig(**configs["image_encoder"])).to(dtype),
            image_processor=CLIPImageProcessor(**configs["image_processor"]),
        )
    return diffusers.LTXImageToVideoPipeline(
        tokenizer=tokenizer(scratch),
        text_encoder=text_encoder,
        vae=diffusers.AutoencoderKLLTXVideo(**configs["vae"]).to(dtype),
        transformer=diffusers.LTXVideoTransformer3DModel(**configs["transformer"]).to(dtype),
        scheduler=scheduler,
    )


def save_tiny(family: str, root: Path) -> Path:
    """A tiny random pipeline of `family` saved with `save_pretrained` under root/<family>."""
    folder = root / family
    build_pipeline(family, TINY[family], root / f"{family}-tokenizer").save_pretrained(folder)
    return folder
