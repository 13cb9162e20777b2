"""Generators: a keyframe per shot, a voice per dialogue line, a sound per cue, behind one small interface.

One backend role per kind of media (the kind table, `scriptkit.kinds`, says which role makes which kind), each
role a registry of backends (a dict of name -> "module:Class", imported only when used, so torch/diffusers/
transformers never load at `import scriptkit`); `ROLES` lists them with their defaults:

- `ImageGenerator` ("image"): `storyboard` (Pillow, the default), `diffusers` (extra `[diffusion]`).
- `VoiceGenerator` ("voice"): `kokoro` (the default: Kokoro-82M on ONNX Runtime, 36 voices; piper where the
  espeak-ng program is missing, see `default_voice`), `piper` (the piper-tts command line in a subprocess),
  `transformers`.
- `CueGenerator` ("cue"): `synth` (numpy: a short sound shaped by the cue word, and the music bed).
- `MovieGenerator` ("movie"): `wan` and `ltx` (extra `[video]`, `generators.video_diffusers`); none by default
  (no movies are made, except a shot's own take: `video:` in shots.yaml).

A backend gets its options (a dict from scriptkit.toml `[generators.<name>]`, checked first against the
backend's own typed `Options` model, which refuses an unknown or misspelt option in one line) at
construction, and a batch of jobs in `generate`, yielding each job's result as soon as it is ready (so
progress moves and a killed run keeps what was finished). What the output depends on is declared: an image
backend's `key_inputs` names the parts of a job its pictures depend on (a diffusion model reads the prompt,
seed, style and size, not the script's title or cast; the storyboard draws all of them), and `params(job)`
returns everything besides the job that determines the output. Both go into the cache key (and `params` into
the asset record). `version` changes when a backend's output for the same inputs changes, so an upgrade
re-renders.

Orchestration (cache, resume, progress, assets.json) lives in `generators.run`.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from generators.audio import Audio
from generators.casting import VoiceOption, cast_voices
from generators.delivery import Delivery, delivery_for
from scriptkit.errors import ScriptkitError
from scriptkit.models import CastMember, DialogueLine, Shot, Voice

Params = dict[str, str | int | float | bool]


@dataclass(frozen=True)
class StyleRef:
    """The style reference: an image file (already checked to be a sane image) and its content hash."""

    path: Path
    sha256: str


@dataclass(frozen=True)
class ImageJob:
    shot: Shot
    prompt: str
    negative_prompt: str
    seed: int
    width: int
    height: int
    take: int = 0
    style: StyleRef | None = None
    title: str = ""
    cast: tuple[str, ...] = ()

    @property
    def owner(self) -> str:
        return self.shot.id


@dataclass(frozen=True)
class VoiceJob:
    """A line to speak, with the voice its character was cast with (None: the backend's own choice)."""

    line: DialogueLine
    voice: Voice | None = None
    language: str = "en"

    @property
    def owner(self) -> str:
        return self.line.id

    def delivery(self) -> Delivery:
        return delivery_for(self.line.parenthetical, self.line.extensions)

    def delivery_params(self) -> dict[str, float | str]:
        return self.delivery().params()

    def spoken_text(self) -> str:
        """The words to say: whitespace collapsed, a cut-off `--` kept as a dash."""
        return " ".join(self.line.text.split())


@dataclass(frozen=True)
class CueJob:
    """A sound cue, or the music bed (cue None, kind "music")."""

    owner: str
    word: str
    description: str
    duration: float
    kind: str = "sfx"
    seed: int = 0


@dataclass(frozen=True)
class MovieJob:
    """A movie of one shot, made from its keyframe (the image asset, already generated)."""

    shot: Shot
    keyframe: Path
    keyframe_sha256: str
    seconds: float
    fps: str
    width: int
    height: int
    seed: int
    #: How a movie shorter than its shot is fitted: hold | speed | loop (see `generators.movie_file`).
    fit: str = "hold"

    @property
    def owner(self) -> str:
        return self.shot.id


class BackendOptions(BaseModel):
    """A backend's options: subclass it per backend (unknown names are refused)."""

    model_config = ConfigDict(extra="forbid")


class CharacterVoice(BackendOptions):
    """Per-character overrides of a voice backend ([generators.<backend>.characters.NAME])."""

    pitch: float | None = None
    length_scale: float | None = None
    noise_scale: float | None = None
    noise_w: float | None = None
    speaking_rate: float | None = None


@dataclass
class BackendBase:
    """Options-holding base: `options` is the backend's table from the project config (checked by `Options`)."""

    options: dict[str, Any] = field(default_factory=dict)
    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    Options: ClassVar[type[BackendOptions]] = BackendOptions

    def __post_init__(self) -> None:
        """Check options and find models here; raise ScriptkitError with what to do."""

    @property
    def model(self) -> str:
        """What model made the asset (a path or an id); empty for procedural backends."""
        return ""


#: The parts of an image job a backend's pictures may depend on (each enters the cache key when declared).
IMAGE_KEY_INPUTS = ("prompt", "negative", "seed", "style", "size", "shot", "title", "cast")


class ImageGenerator(BackendBase):
    #: What of the job the pictures depend on (a subset of IMAGE_KEY_INPUTS): only these enter the cache key.
    key_inputs: ClassVar[tuple[str, ...]] = IMAGE_KEY_INPUTS

    def params(self, job: ImageJob) -> Params:
        return {}

    def generate(self, jobs: list[ImageJob]) -> Iterator[tuple[ImageJob, bytes]]:
        """Yield (job, PNG bytes) for every job; deterministic for the same job and params."""
        raise NotImplementedError

    def close(self) -> None:
        """Free models; called once after a batch."""


class VoiceGenerator(BackendBase):
    #: The voices casting chooses from (best first within a sex); empty: the backend casts nothing.
    voices: ClassVar[tuple[VoiceOption, ...]] = ()

    def cast(self, members: list[CastMember]) -> list[CastMember]:
        """The cast with a voice of this backend each (one already of this backend is kept)."""
        return cast_voices(members, self.voices, self.name) if self.voices else list(members)

    def prepare(self, cast: list[str]) -> None:
        """Called with the shot list's characters (in order of appearance) before `params`/`generate`."""

    def params(self, job: VoiceJob) -> Params:
        return {}

    def generate(self, jobs: list[VoiceJob]) -> Iterator[tuple[VoiceJob, Audio]]:
        """Yield (job, audio) for every line; the runner writes 48 kHz 16-bit WAV."""
        raise NotImplementedError

    def close(self) -> None:
        """Free models; called once after a batch."""


class CueGenerator(BackendBase):
    def params(self, job: CueJob) -> Params:
        return {}

    def generate(self, jobs: list[CueJob]) -> Iterator[tuple[CueJob, Audio]]:
        raise NotImplementedError

    def close(self) -> None:
        """Free models; called once after a batch."""


class MovieGenerator(BackendBase):
    def params(self, job: MovieJob) -> Params:
        return {}

    def generate(self, jobs: list[MovieJob]) -> Iterator[tuple[MovieJob, bytes]]:
        """Yield (job, movie file bytes: H.264 MP4 at the job's size and rate, `seconds` long or longer)."""
        raise NotImplementedError

    def close(self) -> None:
        """Free models; called once after a batch."""


IMAGE_BACKENDS: dict[str, str] = {
    "storyboard": "generators.storyboard:StoryboardImages",
    "diffusers": "generators.diffusers_image:DiffusersImages",
}
VOICE_BACKENDS: dict[str, str] = {
    "kokoro": "generators.kokoro:KokoroVoices",
    "piper": "generators.piper:PiperVoices",
    "transformers": "generators.transformers_voice:VitsVoices",
}
CUE_BACKENDS: dict[str, str] = {
    "synth": "generators.cue:SynthCues",
}
MOVIE_BACKENDS: dict[str, str] = {
    "wan": "generators.video_diffusers:WanMovies",
    "ltx": "generators.video_diffusers:LtxMovies",
}

DEFAULT_IMAGE = "storyboard"
DEFAULT_VOICE = "kokoro"
#: The default voice where the espeak-ng program (Kokoro's English phonemes) is not installed.
FALLBACK_VOICE = "piper"
DEFAULT_CUE = "synth"


def default_voice() -> str:
    """`DEFAULT_VOICE` (kokoro) where espeak-ng is installed, else `FALLBACK_VOICE` (piper: a pip install only)."""
    return DEFAULT_VOICE if shutil.which("espeak-ng") else FALLBACK_VOICE


@dataclass(frozen=True)
class Role:
    """A backend role: its registry and its default backend ("" for none: that kind is not generated)."""

    registry: dict[str, str]
    default: str


#: role name (`[generators] <role> = ...`) -> its registry; the kind table names the role of each kind.
ROLES: dict[str, Role] = {
    "image": Role(IMAGE_BACKENDS, DEFAULT_IMAGE),
    "voice": Role(VOICE_BACKENDS, default_voice()),
    "cue": Role(CUE_BACKENDS, DEFAULT_CUE),
    "movie": Role(MOVIE_BACKENDS, ""),
}


def register(registry: dict[str, str], name: str, target: str) -> None:
    """Add a backend: `register(IMAGE_BACKENDS, "mine", "mypackage.module:MyImages")`."""
    registry[name] = target


def _resolve(registry: dict[str, str], kind: str, name: str) -> Callable[..., Any]:
    target = registry.get(name)
    if target is None:
        raise ScriptkitError(f"unknown {kind} backend {name!r}; available: {', '.join(sorted(registry))}")
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, class_name)


def backend_class(role: str, name: str) -> Any:
    """The class of backend `name` of a role (imported, not constructed)."""
    return _resolve(ROLES[role].registry, role, name)


def make_backend(role: str, name: str, options: dict[str, Any] | None = None, where: Path | None = None) -> Any:
    """The backend `name` of a role, its options checked by its `Options` model, constructed with them.

    `where` (the config file) is named in the one-line error for an unknown, misspelt or mistyped option."""
    backend = _resolve(ROLES[role].registry, role, name)
    options = dict(options or {})
    model: type[BackendOptions] = getattr(backend, "Options", BackendOptions)
    try:
        model.model_validate(options)
    except ValidationError as exc:
        first = exc.errors()[0]
        option = ".".join(str(part) for part in first.get("loc", ()))
        known = ", ".join(model.model_fields) or "none"
        if first.get("type") == "extra_forbidden":
            message = f"[generators.{name}] has no option {option!r} (its options: {known})"
        else:
            message = f"[generators.{name}] {option}: {str(first.get('msg', 'invalid')).removeprefix('Value error, ')}"
        raise ScriptkitError(message, where) from None
    return backend(options=options)


def voice_options(name: str) -> tuple[VoiceOption, ...]:
    """A voice backend's casting choices, without starting it (for `plan`)."""
    return backend_class("voice", name).voices


def missing_extra(package: str, extra: str = "diffusion") -> ScriptkitError:
    """The one message for a backend whose optional dependencies are not installed."""
    return ScriptkitError(
        f"this backend needs {package}, which is not installed",
        hint=f"run: pip install 'scriptkit[{extra}]' torch==2.13.0",
    )


def iter_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
