"""Benchmark the image-to-video backends on a GPU: seconds per shot, frames per second, peak memory, minutes of
generation per 60 s episode.

    python bench/bench_video.py --family wan [--model models/Wan2.1-I2V-14B-480P-Diffusers] [--shots 3]
    python bench/bench_video.py --family ltx --seconds 5 --steps 30
    python bench/bench_video.py --tiny            # CPU proof that the script runs (tiny random pipelines)

With `--model` the real folder is loaded through the backend (`from_pretrained(local_files_only=True)`). Without
it the full-size architecture is built with random weights from the published configs below (the same compute
and memory as the real model, nothing downloaded; the text encoder is the T5 encoder of the published size with
a small tokenizer). Each shot is one pipeline call for a shot of `--seconds` on screen, as `scriptkit build`
makes it (the shot plus a 2 s handle each end, at most `max_frames`); the first shot warms up and is not
counted. Prints medians over the counted shots and the ratio of generation time to screen time (the peer: real
time).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generators import MovieJob, make_backend  # noqa: E402
from scriptkit.contract import HANDLE_SECONDS  # noqa: E402
from scriptkit.models import Shot  # noqa: E402
from tests.video_models import build_pipeline, save_tiny  # noqa: E402

#: Published component configs (config.json of each sub-folder of the Diffusers repositories), as data.
FULL: dict[str, dict[str, dict[str, Any]]] = {
    # Wan-AI/Wan2.1-I2V-14B-480P-Diffusers
    "wan": {
        "transformer": {
            "added_kv_proj_dim": 5120, "attention_head_dim": 128, "cross_attn_norm": True, "eps": 1e-06,
            "ffn_dim": 13824, "freq_dim": 256, "image_dim": 1280, "in_channels": 36, "num_attention_heads": 40,
            "num_layers": 40, "out_channels": 16, "patch_size": (1, 2, 2), "qk_norm": "rms_norm_across_heads",
            "rope_max_seq_len": 1024, "text_dim": 4096,
        },
        "vae": {"base_dim": 96, "z_dim": 16, "dim_mult": [1, 2, 4, 4], "num_res_blocks": 2, "attn_scales": [],
                "temperal_downsample": [False, True, True], "dropout": 0.0},
        # umt5-xxl encoder
        "text_encoder": {"vocab_size": 256384, "d_model": 4096, "d_kv": 64, "d_ff": 10240, "num_layers": 24,
                         "num_heads": 64, "feed_forward_proj": "gated-gelu", "relative_attention_num_buckets": 32},
        # open-clip ViT-H/14 vision tower
        "image_encoder": {"hidden_size": 1280, "intermediate_size": 5120, "num_hidden_layers": 32,
                          "num_attention_heads": 16, "patch_size": 14, "image_size": 224, "projection_dim": 1024,
                          "hidden_act": "gelu"},
        "image_processor": {"crop_size": 224, "size": 224},
        "scheduler": {"shift": 3.0},
    },
    # Lightricks/LTX-Video (0.9, 2B)
    "ltx": {
        "transformer": {
            "in_channels": 128, "out_channels": 128, "patch_size": 1, "patch_size_t": 1, "num_attention_heads": 32,
            "attention_head_dim": 64, "cross_attention_dim": 2048, "num_layers": 28,
            "activation_fn": "gelu-approximate", "qk_norm": "rms_norm_across_heads", "norm_elementwise_affine": False,
            "norm_eps": 1e-06, "caption_channels": 4096, "attention_bias": True, "attention_out_bias": True,
        },
        "vae": {
            "in_channels": 3, "out_channels": 3, "latent_channels": 128, "block_out_channels": (128, 256, 512, 512),
            "layers_per_block": (4, 3, 3, 3, 4), "spatio_temporal_scaling": (True, True, True, False),
            "decoder_block_out_channels": (128, 256, 512, 512), "decoder_layers_per_block": (4, 3, 3, 3, 4),
            "decoder_spatio_temporal_scaling": (True, True, True, False),
            "decoder_inject_noise": (False, False, False, False, False),
            "upsample_residual": (False, False, False, False),
            "upsample_factor": (1, 1, 1, 1), "patch_size": 4, "patch_size_t": 1, "timestep_conditioning": False,
            "encoder_causal": True, "decoder_causal": False,
        },
        # t5-v1_1-xxl encoder
        "text_encoder": {"vocab_size": 32128, "d_model": 4096, "d_kv": 64, "d_ff": 10240, "num_layers": 24,
                         "num_heads": 64, "feed_forward_proj": "gated-gelu"},
        "scheduler": {},
    },
}  # fmt: skip

#: Per family: what a real run uses (steps, and the shot list's size the movie is written at).
DEFAULTS = {"wan": {"steps": 30}, "ltx": {"steps": 30}}


def backend_for(family: str, model: str | None, tiny: bool, options: dict[str, Any], scratch: Path) -> Any:
    """The backend with a real model folder, a saved tiny pipeline, or a full-size random one built on the GPU."""
    if model or tiny:
        folder = model or str(save_tiny(family, scratch))
        return make_backend("movie", family, {"model": folder, **options})
    import torch

    stub = scratch / "random"
    stub.mkdir(parents=True, exist_ok=True)
    (stub / "model_index.json").write_text(json.dumps({"random": family}))
    backend = make_backend("movie", family, {"model": str(stub), **options})
    device, dtype = backend.device_dtype()
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            pipe = build_pipeline(family, FULL[family], scratch / "tokenizer", dtype)
    finally:
        torch.set_default_dtype(previous)
    backend.pipe = backend.prepare(pipe)
    return backend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", choices=("wan", "ltx"), default="wan")
    parser.add_argument("--model", help="a real local model folder (else random full-size weights)")
    parser.add_argument("--tiny", action="store_true", help="tiny random pipelines on the CPU (proof of running)")
    parser.add_argument("--shots", type=int, default=3, help="shots counted (after one warm-up shot)")
    parser.add_argument("--seconds", type=float, default=3.0, help="screen seconds of each shot")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--max-frames", type=int, default=0)
    parser.add_argument("--resolution", type=int, default=0)
    parser.add_argument("--size", default="480x832", help="the shot list's size the movie is written at")
    parser.add_argument("--cpu-offload", action="store_true")
    args = parser.parse_args()

    families = ("wan", "ltx") if args.tiny else (args.family,)
    for family in families:
        options: dict[str, Any] = {"steps": args.steps or DEFAULTS[family]["steps"], "cpu_offload": args.cpu_offload}
        if args.tiny:
            options.update(steps=2, resolution=32, max_sequence_length=16, max_frames=17, device="cpu")
        if args.max_frames:
            options["max_frames"] = args.max_frames
        if args.resolution:
            options["resolution"] = args.resolution
        width, height = (int(x) for x in ("96x160" if args.tiny else args.size).split("x"))
        with tempfile.TemporaryDirectory() as scratch:
            run(family, args, options, width, height, Path(scratch))


def run(family: str, args: argparse.Namespace, options: dict[str, Any], width: int, height: int, scratch: Path) -> None:
    import torch
    from PIL import Image

    start = time.perf_counter()
    backend = backend_for(family, args.model, args.tiny, options, scratch)
    load = time.perf_counter() - start
    keyframe = scratch / "keyframe.png"
    Image.new("RGB", (width, height), (120, 90, 60)).save(keyframe)
    shot = Shot(id="bench-001", scene_index=0, scene_id="bench", move="push_in", duration=args.seconds,
                characters=["MAYA"], action="She turns toward the train.", source_line=1)  # fmt: skip
    job = MovieJob(shot, keyframe, "k", args.seconds + 2 * HANDLE_SECONDS, "30", width, height, seed=1)
    pipe = backend.load()
    frames = backend.frame_count(job, backend.geometry(pipe)[1])
    gen_w, gen_h = backend.native_size(pipe, width, height)
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    times = []
    for n in range(args.shots + 1):
        begin = time.perf_counter()
        list(backend.generate([dataclasses.replace(job, seed=n)]))
        if n:
            times.append(time.perf_counter() - begin)
    per_shot = statistics.median(times)
    peak = torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else float("nan")
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
    mode = "real model" if args.model else "tiny random" if args.tiny else "full-size random weights"
    print(f"{family} ({mode}) on {device}: {frames} frames at {gen_w}x{gen_h}, {options['steps']} steps")
    print(f"  load (or build) seconds: {load:.1f}")
    print(f"  seconds per shot (median of {len(times)}): {per_shot:.2f}")
    print(f"  frames generated per second: {frames / per_shot:.2f}")
    print(f"  peak GPU memory: {peak:.1f} GiB")
    minutes = 60 / args.seconds * per_shot / 60
    print(f"  minutes per 60 s episode ({60 / args.seconds:.0f} shots of {args.seconds:g} s): {minutes:.1f}")
    print(f"  generation time / screen time (ratio to real time): {per_shot / args.seconds:.1f}x")


if __name__ == "__main__":
    main()
