"""The `diffusers` image backend (extra `[diffusion]`): a keyframe per shot from a local diffusion model.

Any Stable Diffusion / SDXL / SD-Turbo / FLUX folder (or a model id already in the local Hugging Face
cache) loads through `AutoPipelineForText2Image.from_pretrained(..., local_files_only=True)`: scriptkit
never downloads a model. The style reference goes in through an IP-Adapter (`load_ip_adapter`), by
default with InstantStyle's per-block scale so only the style (not the layout) is taken; an optional
LoRA (diffusers or kohya format) and a style prompt add to it. Each character can have a fixed seed
and a reference image (a second IP-Adapter) so that it looks the same in every shot. Jobs run in
batches; the device and dtype are chosen automatically (cuda + bfloat16 when there is a GPU, else
cpu + float32). The picture is generated at the model's native area in the shot's aspect ratio and
scaled to the shot list's size.

Options ([generators.diffusers] in scriptkit.toml):

    model = "models/sd-turbo"          # folder or cached id (required)
    steps = 4                          # inference steps
    guidance_scale = 0.0               # 0 for turbo models
    resolution = 512                   # side of the native square area; default: the model's
    batch_size = 4
    device = "auto"                    # auto | cpu | cuda | mps
    threads = 0                        # CPU threads for torch; 0: torch's default
    dtype = "auto"                     # auto | float32 | bfloat16 | float16
    style_prompt = "ink wash storyboard"
    ip_adapter = "models/IP-Adapter"   # folder or cached id; the style reference needs it
    ip_adapter_subfolder = "models"
    ip_adapter_weight = "ip-adapter_sd15.safetensors"
    image_encoder_folder = "image_encoder"
    style_scale = 0.8
    style_only = true                  # InstantStyle: scale only the style attention layer
    lora = "loras/noir.safetensors"    # file (diffusers or kohya) or folder
    lora_scale = 0.8
    [generators.diffusers.characters.MAYA]
    seed = 1234
    reference = "refs/maya.png"
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import Field

from generators import BackendOptions, ImageGenerator, ImageJob, Params, Resources, iter_batches, missing_extra
from scriptkit.errors import ScriptkitError

REQUIRED = ("torch", "diffusers", "transformers", "safetensors")


def require_extra() -> None:
    for package in REQUIRED:
        if importlib.util.find_spec(package) is None:
            raise missing_extra(package, "diffusion")


def _fingerprint(folder: Path) -> str:
    """Identity of a model folder: its index and the names and sizes of its files (not their mtimes)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            digest.update(f"{path.relative_to(folder).as_posix()}:{path.stat().st_size}\n".encode())
    return digest.hexdigest()[:16]


def resolve_model(value: str, kind: str, index_file: str | None = "model_index.json") -> tuple[str, str]:
    """A local folder (checked) or a model id that must already be in the local cache. Returns (where, fingerprint)."""
    path = Path(value).expanduser()
    if path.exists():
        if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
            raise ScriptkitError(f"{kind} is not readable", path, hint="check the folder's permissions")
        if path.is_dir() and index_file is not None:
            index = path / index_file
            try:
                json.loads(index.read_text(encoding="utf-8"))
            except OSError:
                raise ScriptkitError(
                    f"{kind} folder has no readable {index_file}",
                    path,
                    hint="point it at a folder written by save_pretrained (or a downloaded model repository)",
                ) from None
            except ValueError:
                raise ScriptkitError(f"{kind}: {index_file} is not valid JSON", index) from None
        return str(path), _fingerprint(path) if path.is_dir() else f"{path.stat().st_size}"
    if value.count("/") == 1 and not value.startswith((".", "/", "~")):
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(value, index_file or "config.json")
        if isinstance(cached, str):
            return value, hashlib.sha256(Path(cached).read_bytes()).hexdigest()[:16]
        raise ScriptkitError(
            f"{kind} {value!r} is not in the local Hugging Face cache and scriptkit never downloads models",
            hint=f"download it once with: huggingface-cli download {value}",
        )
    raise ScriptkitError(f"{kind} not found", path)


def instantstyle_scale(unet: Any, scale: float, style_only: bool) -> float | dict[str, Any]:
    """InstantStyle: scale only the style layer (the middle attention of the first up block that has
    attention: up_blocks.0 in SDXL, up_blocks.1 in SD 1.5), or everything with `style_only = false`."""
    if not style_only or unet is None:
        return scale
    for index, block in enumerate(unet.up_blocks):
        attentions = getattr(block, "attentions", None)
        if attentions:
            layers = [0.0] * len(attentions)
            layers[min(1, len(layers) - 1)] = scale
            return {"up": {f"block_{index}": layers}}
    return scale


class DiffusersCharacter(BackendOptions):
    """[generators.diffusers.characters.NAME]: a fixed seed and/or a reference image for a character."""

    seed: int | None = None
    reference: str | None = None


class DiffusersOptions(BackendOptions):
    """[generators.diffusers] (see the module docstring)."""

    model: str | None = None
    steps: int = 4
    guidance_scale: float = 0.0
    resolution: int = 0
    batch_size: int = 4
    device: str = "auto"
    threads: int = 0
    dtype: str = "auto"
    style_prompt: str = ""
    ip_adapter: str | None = None
    ip_adapter_subfolder: str = "models"
    ip_adapter_weight: str = "ip-adapter_sd15.safetensors"
    image_encoder_folder: str = "image_encoder"
    style_scale: float = 0.8
    style_only: bool = True
    lora: str | None = None
    lora_scale: float = 1.0
    character_scale: float = 0.6
    characters: dict[str, DiffusersCharacter] = Field(default_factory=dict)


class DiffusersImages(ImageGenerator):
    name = "diffusers"
    version = "1"
    Options = DiffusersOptions
    #: A picture depends on the prompt, the negative prompt, the seed, the style reference and the size (and
    #: `params`: model, steps, adapters, the shot's character): not on the shot id, the script title or the cast.
    key_inputs = ("prompt", "negative", "seed", "style", "size")

    def __post_init__(self) -> None:
        require_extra()
        model = self.options.get("model")
        if not model:
            raise ScriptkitError(
                "the diffusers backend needs a model",
                hint="set [generators.diffusers] model = 'path/to/model' in scriptkit.toml",
            )
        self.model_where, self.model_print = resolve_model(str(model), "diffusion model")
        self.ip_where, self.ip_print = "", ""
        if self.options.get("ip_adapter"):
            self.ip_where, self.ip_print = resolve_model(str(self.options["ip_adapter"]), "IP-Adapter", None)
        self.lora_where, self.lora_print = "", ""
        if self.options.get("lora"):
            self.lora_where, self.lora_print = resolve_model(str(self.options["lora"]), "LoRA", None)
        self.characters = {str(k).upper(): dict(v) for k, v in (self.options.get("characters") or {}).items()}
        for name, settings in self.characters.items():
            reference = settings.get("reference")
            if reference and not Path(reference).is_file():
                raise ScriptkitError(f"reference image of {name} not found", reference)
            if reference and not self.ip_where:
                raise ScriptkitError(
                    f"a reference image for {name} needs an IP-Adapter", hint="set [generators.diffusers] ip_adapter"
                )
        self.steps = int(self.options.get("steps", 4))
        self.guidance = float(self.options.get("guidance_scale", 0.0))
        self.batch_size = max(1, int(self.options.get("batch_size", 4)))
        self.style_scale = float(self.options.get("style_scale", 0.8))
        self.style_only = bool(self.options.get("style_only", True))
        self.lora_scale = float(self.options.get("lora_scale", 1.0))
        self.style_prompt = str(self.options.get("style_prompt", ""))
        self.pipe: Any = None
        self.adapters = 0

    @property
    def model(self) -> str:
        return self.model_where

    # ------------------------------------------------------------------ what determines an image

    def character(self, job: ImageJob) -> tuple[str, dict[str, Any]]:
        for name in job.shot.characters:
            if name.upper() in self.characters:
                return name.upper(), self.characters[name.upper()]
        return "", {}

    def seed(self, job: ImageJob) -> int:
        name, settings = self.character(job)
        if name and "seed" in settings:
            return (int(settings["seed"]) + job.take * 1_000_003) % 2**32
        return job.seed

    def params(self, job: ImageJob) -> Params:
        name, settings = self.character(job)
        reference = settings.get("reference", "")
        return {
            "model_fingerprint": self.model_print,
            "steps": self.steps,
            "guidance_scale": self.guidance,
            "resolution": int(self.options.get("resolution", 0)),
            "style_prompt": self.style_prompt,
            "ip_adapter": f"{self.ip_where}:{self.options.get('ip_adapter_weight', '')}:{self.ip_print}"
            if self.ip_where
            else "",
            "style_scale": self.style_scale,
            "style_only": self.style_only,
            "lora": f"{self.lora_where}:{self.lora_print}" if self.lora_where else "",
            "lora_scale": self.lora_scale,
            "character": name,
            "character_seed": self.seed(job),
            "character_reference": hashlib.sha256(Path(reference).read_bytes()).hexdigest()[:16] if reference else "",
        }

    def resources(self) -> Resources:
        """A GPU per worker (unless `device = "cpu"`), filled with `batch_size` pictures a call."""
        gpu = str(self.options.get("device", "auto")) not in ("cpu", "mps")
        return Resources(cpus=1.0, gpus=1.0 if gpu else 0.0, batch=self.batch_size)

    # --------------------------------------------------------------------------------- loading

    def device_dtype(self) -> tuple[str, Any]:
        import torch

        device = str(self.options.get("device", "auto"))
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype_name = str(self.options.get("dtype", "auto"))
        if dtype_name == "auto":
            dtype_name = "bfloat16" if device.startswith("cuda") else "float32"
        return device, getattr(torch, dtype_name)

    def load(self, needs_style: bool) -> Any:
        if self.pipe is not None:
            return self.pipe
        from diffusers import AutoPipelineForText2Image

        device, dtype = self.device_dtype()
        threads = int(self.options.get("threads", 0))
        if threads > 0:
            import torch

            torch.set_num_threads(threads)
        try:
            pipe = AutoPipelineForText2Image.from_pretrained(self.model_where, dtype=dtype, local_files_only=True)
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            raise ScriptkitError(f"cannot load the diffusion model: {exc}".splitlines()[0], self.model_where) from None
        if hasattr(pipe, "safety_checker"):
            pipe.safety_checker = None
        if self.lora_where:
            self._load_lora(pipe)
        if self.ip_where and (needs_style or self.characters):
            self._load_ip_adapter(pipe)
        pipe.set_progress_bar_config(disable=True)
        self.pipe = pipe.to(device)
        return self.pipe

    def _load_lora(self, pipe: Any) -> None:
        where = Path(self.lora_where)
        try:
            if where.is_file():
                pipe.load_lora_weights(
                    str(where.parent), weight_name=where.name, adapter_name="style", local_files_only=True
                )
            else:
                pipe.load_lora_weights(self.lora_where, adapter_name="style", local_files_only=True)
            pipe.set_adapters(["style"], adapter_weights=[self.lora_scale])
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            hint = "install peft: pip install peft" if "PEFT" in str(exc) else "check that it is a LoRA for this model"
            raise ScriptkitError(f"cannot load the LoRA: {exc}".splitlines()[0], self.lora_where, hint=hint) from None

    def _load_ip_adapter(self, pipe: Any) -> None:
        count = 2 if any(s.get("reference") for s in self.characters.values()) else 1
        weight = str(self.options.get("ip_adapter_weight", "ip-adapter_sd15.safetensors"))
        try:
            pipe.load_ip_adapter(
                [self.ip_where] * count,
                subfolder=[str(self.options.get("ip_adapter_subfolder", "models"))] * count,
                weight_name=[weight] * count,
                image_encoder_folder=str(self.options.get("image_encoder_folder", "image_encoder")),
                local_files_only=True,
            )
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            raise ScriptkitError(f"cannot load the IP-Adapter: {exc}".splitlines()[0], self.ip_where) from None
        self.adapters = count

    # ------------------------------------------------------------------------------ generating

    def native_size(self, pipe: Any, width: int, height: int) -> tuple[int, int]:
        """The shot's aspect ratio at the model's native area, in multiples the model accepts."""
        vae_scale = int(getattr(pipe, "vae_scale_factor", 8))
        unet = getattr(pipe, "unet", None)
        if unet is not None:
            side = int(unet.config.sample_size) * vae_scale
            multiple = vae_scale * 2 ** (len(unet.config.block_out_channels) - 1)
        else:
            side = int(getattr(pipe, "default_sample_size", 128)) * vae_scale
            multiple = vae_scale * 2
        side = int(self.options.get("resolution", 0)) or side
        scale = (side * side / (width * height)) ** 0.5
        return (
            max(multiple, round(width * scale / multiple) * multiple),
            max(multiple, round(height * scale / multiple) * multiple),
        )

    def prompt(self, job: ImageJob) -> str:
        return ", ".join(part for part in (job.prompt, self.style_prompt) if part)

    def generate(self, jobs: list[ImageJob]) -> Iterator[tuple[ImageJob, bytes]]:
        if not jobs:
            return
        import torch
        from PIL import Image

        style_path = jobs[0].style.path if jobs[0].style else None
        pipe = self.load(style_path is not None)
        style_image = Image.open(style_path).convert("RGB") if style_path and self.adapters else None
        groups: dict[str, list[ImageJob]] = {}
        for job in jobs:
            groups.setdefault(self.character(job)[1].get("reference", ""), []).append(job)
        for reference, group in groups.items():
            extra = self._ip_arguments(pipe, style_image, reference)
            by_size: dict[tuple[int, int], list[ImageJob]] = {}
            for job in group:
                by_size.setdefault((job.width, job.height), []).append(job)
            for (width, height), same in by_size.items():
                gen_w, gen_h = self.native_size(pipe, width, height)
                for batch in iter_batches(same, self.batch_size):
                    generators = [torch.Generator(device="cpu").manual_seed(self.seed(job)) for job in batch]
                    arguments: dict[str, Any] = {
                        "prompt": [self.prompt(job) for job in batch],
                        "num_inference_steps": self.steps,
                        "guidance_scale": self.guidance,
                        "width": gen_w,
                        "height": gen_h,
                        "generator": generators,
                        "output_type": "pil",
                        **extra,
                    }
                    if self.guidance > 1.0:
                        arguments["negative_prompt"] = [job.negative_prompt for job in batch]
                    try:
                        with torch.inference_mode():
                            images = pipe(**arguments).images
                    except (RuntimeError, ValueError) as exc:
                        hint = "lower [generators.diffusers] batch_size" if "memory" in str(exc).lower() else ""
                        raise ScriptkitError(
                            f"diffusion failed: {exc}".splitlines()[0], self.model_where, hint=hint
                        ) from None
                    for job, image in zip(batch, images, strict=True):
                        yield job, _png(_cover(image, job.width, job.height))

    def _ip_arguments(self, pipe: Any, style_image: Any, reference: str) -> dict[str, Any]:
        if not self.adapters:
            return {}
        from PIL import Image

        unet = getattr(pipe, "unet", None)
        style_cfg = instantstyle_scale(unet, self.style_scale if style_image is not None else 0.0, self.style_only)
        blank = Image.new("RGB", (224, 224), (127, 127, 127))
        images: list[Any] = [style_image if style_image is not None else blank]
        scales: list[Any] = [style_cfg]
        if self.adapters == 2:
            ref_image = Image.open(reference).convert("RGB") if reference else blank
            images.append(ref_image)
            scales.append(float(self.characters_scale()) if reference else 0.0)
        pipe.set_ip_adapter_scale(scales if self.adapters == 2 else scales[0])
        return {"ip_adapter_image": images if self.adapters == 2 else images[0]}

    def characters_scale(self) -> float:
        return float(self.options.get("character_scale", 0.6))

    def close(self) -> None:
        self.pipe = None


def _cover(image: Any, width: int, height: int) -> Any:
    """Scale and centre-crop to exactly width x height."""
    from PIL import Image

    scale = max(width / image.width, height / image.height)
    resized = image.resize(
        (max(width, round(image.width * scale)), max(height, round(image.height * scale))), Image.Resampling.LANCZOS
    )
    left, top = (resized.width - width) // 2, (resized.height - height) // 2
    return resized.crop((left, top, left + width, top + height))


def _png(image: Any) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
