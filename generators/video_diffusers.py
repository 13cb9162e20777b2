"""Image-to-video backends (extra `[video]`): a movie per shot animated from its keyframe by a local model.

`wan` runs Wan 2.x image-to-video (`WanImageToVideoPipeline`), `ltx` runs LTX-Video (`LTXImageToVideoPipeline`).
The model is a local folder written by `save_pretrained` (or a repository already in the local Hugging Face
cache), loaded with `local_files_only=True`: scriptkit never downloads a model. One pipeline stays loaded across
every shot of a run. On a GPU the default is bfloat16 with VAE tiling and slicing; `cpu_offload = true` moves
each sub-model to the GPU only while it runs (slower, a fraction of the memory).

The model animates at its own rate (`fps`, Wan 16, LTX 24) for as many frames as the shot and its handles need
(rounded up to the frame counts the model accepts, at most `max_frames`); the movie is written at the shot list's
rate and size. A movie shorter than its shot is fitted (`--fit`, see `generators.movie_file`). The prompt is
built from the shot: the camera move, who is on screen, the action, and the style prompt.

Options ([generators.wan] or [generators.ltx] in scriptkit.toml, with `[generators] movie = "wan"`):

    model = "models/Wan2.1-I2V-14B-480P-Diffusers"   # folder or cached id (required)
    steps = 30                  # inference steps (Wan 30-50, LTX 30-50; distilled models 4-8)
    guidance_scale = 5.0        # Wan 5.0, LTX 3.0
    fps = 16                    # the rate the model animates at; default Wan 16, LTX 24
    frames = 0                  # frames per shot; 0: as many as the shot and its handles need
    max_frames = 0              # most frames one shot gets (memory); 0: Wan 81, LTX 161
    resolution = 0              # side of the square area generated (multiple-rounded); 0: Wan 624, LTX 576
    batch_size = 1              # shots per pipeline call (LTX only: Wan takes one image a call)
    device = "auto"             # auto | cpu | cuda | mps
    dtype = "auto"              # auto (bfloat16 on a GPU, float32 on the CPU) | float32 | bfloat16 | float16
    threads = 0                 # CPU threads for torch; 0: torch's default
    cpu_offload = false         # model CPU offload (accelerate)
    vae_tiling = true
    vae_slicing = true
    max_sequence_length = 0     # prompt tokens; 0: Wan 512, LTX 128
    style_prompt = "ink wash, film grain"
    negative_prompt = "blurry, distorted hands"
    [generators.wan.characters.MAYA]
    seed = 1234                 # the same noise for every shot of MAYA (else the keyframe's seed)
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Any, ClassVar

from pydantic import Field

from generators import BackendOptions, MovieGenerator, MovieJob, Params, iter_batches, missing_extra
from generators.diffusers_image import resolve_model
from generators.movie_file import fit_frames, mp4_bytes, resample
from scriptkit.contract import HANDLE_SECONDS
from scriptkit.errors import ScriptkitError

REQUIRED = ("torch", "diffusers", "transformers", "safetensors", "av")

#: How each camera move reads in a video prompt.
MOVES = {
    "static": "static camera",
    "push_in": "the camera slowly pushes in",
    "pull_out": "the camera slowly pulls out",
    "pan_left": "the camera pans left",
    "pan_right": "the camera pans right",
    "tilt_up": "the camera tilts up",
    "tilt_down": "the camera tilts down",
    "handheld": "handheld camera, slight shake",
    "tracking": "tracking shot following the subject",
}


class VideoCharacter(BackendOptions):
    """[generators.<backend>.characters.NAME]: a fixed seed for every shot of a character."""

    seed: int | None = None


class VideoOptions(BackendOptions):
    """[generators.wan] / [generators.ltx] (see the module docstring)."""

    model: str | None = None
    steps: int = Field(default=30, ge=1)
    guidance_scale: float | None = None
    fps: float = Field(default=0, ge=0)
    frames: int = Field(default=0, ge=0)
    max_frames: int = Field(default=0, ge=0)
    resolution: int = Field(default=0, ge=0)
    batch_size: int = Field(default=1, ge=1)
    device: str = "auto"
    dtype: str = "auto"
    threads: int = 0
    cpu_offload: bool = False
    vae_tiling: bool = True
    vae_slicing: bool = True
    max_sequence_length: int = Field(default=0, ge=0)
    style_prompt: str = ""
    negative_prompt: str = ""
    characters: dict[str, VideoCharacter] = Field(default_factory=dict)


def shot_prompt(job: MovieJob, style_prompt: str = "") -> str:
    """The video prompt of a shot: camera move, who is on screen, what happens, the style."""
    shot = job.shot
    who = " and ".join(name.title() for name in shot.characters)
    framing = f"{shot.size.replace('_', ' ')} shot of {who}" if who else ""
    parts = [MOVES.get(shot.move, shot.move.replace("_", " ")), framing, shot.action, shot.prompt, style_prompt]
    return ", ".join(part.strip() for part in parts if part and part.strip())


class DiffusersMovies(MovieGenerator):
    """The shared loading and generation of the diffusers image-to-video backends (subclasses set the facts)."""

    version = "1"
    Options = VideoOptions
    pipeline_class: ClassVar[str] = ""
    #: The rate the model animates at, its default frame cap, square side, guidance, prompt tokens.
    default_fps: ClassVar[float] = 16.0
    default_max_frames: ClassVar[int] = 81
    default_resolution: ClassVar[int] = 624
    default_guidance: ClassVar[float] = 5.0
    default_sequence: ClassVar[int] = 512
    #: Whether one pipeline call takes several images.
    batches: ClassVar[bool] = False

    def __post_init__(self) -> None:
        for package in REQUIRED:
            if importlib.util.find_spec(package) is None:
                raise missing_extra(package, "video")
        options = VideoOptions.model_validate(self.options)
        if not options.model:
            raise ScriptkitError(
                f"the {self.name} video backend needs a model",
                hint=f"set [generators.{self.name}] model = 'path/to/model' in scriptkit.toml",
            )
        self.settings = options
        self.model_where, self.model_print = resolve_model(options.model, "video model")
        self.characters = {name.upper(): value for name, value in options.characters.items()}
        self.pipe: Any = None

    @property
    def model(self) -> str:
        return self.model_where

    # ------------------------------------------------------------------ what determines a movie

    @property
    def fps(self) -> Fraction:
        return Fraction(self.settings.fps or self.default_fps).limit_denominator(1001)

    @property
    def guidance(self) -> float:
        return self.default_guidance if self.settings.guidance_scale is None else self.settings.guidance_scale

    def seed(self, job: MovieJob) -> int:
        for name in job.shot.characters:
            character = self.characters.get(name.upper())
            if character is not None and character.seed is not None:
                return character.seed % 2**32
        return job.seed % 2**32

    def frame_count(self, job: MovieJob, temporal: int) -> int:
        """Frames the model makes for a job: enough for its seconds, capped, as `temporal * k + 1`."""
        wanted = self.settings.frames or math.ceil(job.seconds * self.fps - Fraction(1, 1000)) + 1
        wanted = min(wanted, self.settings.max_frames or self.default_max_frames)
        return max(1, (wanted - 1 + temporal - 1) // temporal) * temporal + 1

    def params(self, job: MovieJob) -> Params:
        return {
            "model_fingerprint": self.model_print,
            "steps": self.settings.steps,
            "guidance_scale": self.guidance,
            "fps": str(self.fps),
            "frames": self.settings.frames,
            "max_frames": self.settings.max_frames or self.default_max_frames,
            "resolution": self.settings.resolution or self.default_resolution,
            "max_sequence_length": self.settings.max_sequence_length or self.default_sequence,
            "prompt": shot_prompt(job, self.settings.style_prompt),
            "negative_prompt": self.settings.negative_prompt,
            "movie_seed": self.seed(job),
            "fit": job.fit,
        }

    # --------------------------------------------------------------------------------- loading

    def device_dtype(self) -> tuple[str, Any]:
        import torch

        device = self.settings.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = self.settings.dtype
        if dtype == "auto":
            dtype = "bfloat16" if device.startswith("cuda") else "float32"
        return device, getattr(torch, dtype)

    def load(self) -> Any:
        """The pipeline, loaded once and kept for every shot of the run."""
        if self.pipe is not None:
            return self.pipe
        import diffusers
        import torch

        dtype = self.device_dtype()[1]
        if self.settings.threads > 0:
            torch.set_num_threads(self.settings.threads)
        pipeline = getattr(diffusers, self.pipeline_class)
        try:
            pipe = pipeline.from_pretrained(self.model_where, dtype=dtype, local_files_only=True)
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            raise ScriptkitError(f"cannot load the video model: {exc}".splitlines()[0], self.model_where) from None
        self.pipe = self.prepare(pipe)
        return self.pipe

    def prepare(self, pipe: Any) -> Any:
        """A loaded pipeline made ready: VAE tiling and slicing, on the device or offloaded to the CPU."""
        device = self.device_dtype()[0]
        pipe.set_progress_bar_config(disable=True)
        if self.settings.vae_tiling and hasattr(pipe.vae, "enable_tiling"):
            pipe.vae.enable_tiling()
        if self.settings.vae_slicing and hasattr(pipe.vae, "enable_slicing"):
            pipe.vae.enable_slicing()
        if self.settings.cpu_offload and device != "cpu":
            pipe.enable_model_cpu_offload(device=device)
            return pipe
        return pipe.to(device)

    # ------------------------------------------------------------------------------ generating

    def geometry(self, pipe: Any) -> tuple[int, int]:
        """(spatial multiple, temporal multiple) of the sizes and frame counts the model accepts."""
        raise NotImplementedError

    def native_size(self, pipe: Any, width: int, height: int) -> tuple[int, int]:
        """The shot's aspect ratio at the model's area, in multiples the model accepts."""
        multiple = self.geometry(pipe)[0]
        side = self.settings.resolution or self.default_resolution
        scale = (side * side / (width * height)) ** 0.5
        return (
            max(multiple, round(width * scale / multiple) * multiple),
            max(multiple, round(height * scale / multiple) * multiple),
        )

    def call_arguments(self) -> dict[str, Any]:
        """Extra pipeline arguments of this model."""
        return {}

    def generate(self, jobs: list[MovieJob]) -> Iterator[tuple[MovieJob, bytes]]:
        if not jobs:
            return
        import torch
        from PIL import Image

        pipe = self.load()
        temporal = self.geometry(pipe)[1]
        groups: dict[tuple[int, int, int], list[MovieJob]] = {}
        for job in jobs:
            gen_w, gen_h = self.native_size(pipe, job.width, job.height)
            groups.setdefault((gen_w, gen_h, self.frame_count(job, temporal)), []).append(job)
        for (gen_w, gen_h, frames), group in groups.items():
            for batch in iter_batches(group, self.settings.batch_size if self.batches else 1):
                images = [Image.open(job.keyframe).convert("RGB").resize((gen_w, gen_h)) for job in batch]
                arguments: dict[str, Any] = {
                    "image": images if self.batches else images[0],
                    "prompt": [shot_prompt(job, self.settings.style_prompt) for job in batch],
                    "height": gen_h,
                    "width": gen_w,
                    "num_frames": frames,
                    "num_inference_steps": self.settings.steps,
                    "guidance_scale": self.guidance,
                    "generator": [torch.Generator(device="cpu").manual_seed(self.seed(job)) for job in batch],
                    "max_sequence_length": self.settings.max_sequence_length or self.default_sequence,
                    "output_type": "np",
                    **self.call_arguments(),
                }
                if self.guidance > 1.0:
                    arguments["negative_prompt"] = [self.settings.negative_prompt] * len(batch)
                try:
                    with torch.inference_mode():
                        videos = pipe(**arguments).frames
                except (RuntimeError, ValueError) as exc:
                    hint = "set cpu_offload = true or lower max_frames" if "memory" in str(exc).lower() else ""
                    raise ScriptkitError(
                        f"video generation failed: {exc}".splitlines()[0], self.model_where, hint=hint
                    ) from None
                for job, video in zip(batch, videos, strict=True):
                    yield job, self.movie(job, video)

    def movie(self, job: MovieJob, video: Any) -> bytes:
        """The model's frames (floats in 0..1) as an MP4 at the job's rate and size, fitted to the shot."""
        import numpy as np

        pictures = [(np.clip(frame, 0.0, 1.0) * 255).round().astype(np.uint8) for frame in video]
        rate = Fraction(job.fps)
        pictures = resample(pictures, self.fps, rate)
        handle = round(HANDLE_SECONDS * rate)
        shot = math.ceil(Fraction(job.seconds).limit_denominator(1_000_000) * rate) - 2 * handle
        return mp4_bytes(fit_frames(pictures, shot, handle, job.fit), rate, job.width, job.height)

    def close(self) -> None:
        self.pipe = None


class WanMovies(DiffusersMovies):
    """Wan 2.1 / 2.2 image-to-video (`WanImageToVideoPipeline`): 16 fps, frame counts 4k+1, sizes in 16s."""

    name = "wan"
    pipeline_class = "WanImageToVideoPipeline"

    def geometry(self, pipe: Any) -> tuple[int, int]:
        patch = pipe.transformer.config.patch_size[1]
        return int(pipe.vae_scale_factor_spatial) * patch, int(pipe.vae_scale_factor_temporal)


class LtxMovies(DiffusersMovies):
    """LTX-Video image-to-video (`LTXImageToVideoPipeline`): 24 fps, frame counts 8k+1, sizes in 32s."""

    name = "ltx"
    pipeline_class = "LTXImageToVideoPipeline"
    default_fps = 24.0
    default_max_frames = 161
    default_resolution = 576
    default_guidance = 3.0
    default_sequence = 128
    batches = True

    def geometry(self, pipe: Any) -> tuple[int, int]:
        # the pipeline accepts only multiples of 32, whatever its VAE
        spatial = max(32, int(pipe.vae_spatial_compression_ratio) * int(pipe.transformer_spatial_patch_size))
        return spatial, int(pipe.vae_temporal_compression_ratio) * int(pipe.transformer_temporal_patch_size)

    def call_arguments(self) -> dict[str, Any]:
        return {"decode_timestep": 0.03, "decode_noise_scale": 0.025}
