"""Which backend makes what, with which options: the `[generators]` section of scriptkit.toml.

```toml
[generators]
image = "diffusers"          # storyboard (default) | diffusers
voice = "piper"              # piper (default) | transformers
cue = "synth"
movie = ""                   # none by default (no movies are made) | wan | ltx
fit = "hold"                 # a movie shorter than its shot: hold | speed | loop

[generators.diffusers]
model = "models/sd-turbo"    # paths are relative to this file
steps = 4

[generators.piper.characters.MAYA]
pitch = 1.2
```

The config is `--config PATH` when given, else `scriptkit.toml` beside the screenplay / shot list.
Command-line `--image-backend` / `--voice-backend` / `--video-backend` / `--fit` win over the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generators import DEFAULT_CUE, DEFAULT_IMAGE, ROLES, default_voice
from generators.movie_file import FITS
from scriptkit.errors import ScriptkitError

CONFIG_NAME = "scriptkit.toml"
#: Option names whose values are file or folder paths, resolved relative to the config file.
PATH_KEYS = {"model", "ip_adapter", "image_encoder", "lora", "reference", "vocoder", "tokenizer"}


@dataclass(frozen=True)
class GeneratorConfig:
    image: str = DEFAULT_IMAGE
    voice: str = field(default_factory=default_voice)
    cue: str = DEFAULT_CUE
    movie: str = ""
    fit: str = "hold"
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: Path | None = None

    def backend(self, role: str) -> str:
        """The backend chosen for a role ("" when the role makes nothing)."""
        return str(getattr(self, role))

    def for_backend(self, name: str) -> dict[str, Any]:
        return dict(self.options.get(name, {}))


def _resolve_paths(value: Any, base: Path) -> Any:
    if isinstance(value, dict):
        return {
            key: (
                _resolve_path(item, base) if key in PATH_KEYS and isinstance(item, str) else _resolve_paths(item, base)
            )
            for key, item in value.items()
        }
    return value


def _resolve_path(text: str, base: Path) -> str:
    candidate = Path(text).expanduser()
    if candidate.is_absolute():
        return str(candidate)
    local = base / candidate
    return str(local) if local.exists() else text


def find_config(explicit: Path | None, near: Path | None) -> Path | None:
    if explicit is not None:
        if not Path(explicit).is_file():
            raise ScriptkitError("config file not found", explicit)
        return Path(explicit)
    if near is not None:
        beside = Path(near).resolve().parent / CONFIG_NAME
        if beside.is_file():
            return beside
    return None


def load_config(
    explicit: Path | None = None,
    near: Path | None = None,
    image_backend: str | None = None,
    voice_backend: str | None = None,
    movie_backend: str | None = None,
    fit: str | None = None,
) -> GeneratorConfig:
    """Read the generators section; CLI overrides win; an absent file means the embedded defaults."""
    path = find_config(explicit, near)
    section: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ScriptkitError(f"cannot read config: {exc}", path) from None
        except tomllib.TOMLDecodeError as exc:
            raise ScriptkitError(f"invalid TOML: {exc}", path) from None
        section = data.get("generators", {})
        if not isinstance(section, dict):
            raise ScriptkitError("[generators] must be a table", path)
        section = _resolve_paths(section, path.parent)
    names = {role: spec.default for role, spec in ROLES.items()}
    for role in names:
        value = section.get(role, names[role])
        if not isinstance(value, str):
            raise ScriptkitError(f"[generators] {role} must be a backend name", path)
        names[role] = value
    options = {key: value for key, value in section.items() if isinstance(value, dict)}
    fit = fit or section.get("fit", "hold")
    if fit not in FITS:
        raise ScriptkitError(f"[generators] fit must be one of {', '.join(FITS)}, not {fit!r}", path)
    movie = names["movie"] if movie_backend is None else movie_backend
    movie = "" if movie == "none" else movie
    return GeneratorConfig(
        image=image_backend or names["image"],
        voice=voice_backend or names["voice"],
        cue=names["cue"],
        movie=movie,
        fit=fit,
        options=options,
        source=path,
    )
