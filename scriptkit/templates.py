"""Find and load project templates (YAML data in the top-level `templates/` folder)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from scriptkit.errors import ScriptkitError
from scriptkit.models import Template


def templates_dir() -> Path:
    """The templates folder: inside the installed package, else beside it in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise ScriptkitError("templates folder not found; reinstall scriptkit", here)


def available_templates() -> list[str]:
    return sorted(p.stem for p in templates_dir().glob("*.yaml"))


def load_template(name_or_path: str | Path) -> Template:
    """Load a template by name (`vertical-drama`) or by the path of a YAML file."""
    path = Path(name_or_path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        path = templates_dir() / f"{name_or_path}.yaml"
        if not path.is_file():
            raise ScriptkitError(
                f"unknown template {str(name_or_path)!r}; available: {', '.join(available_templates())}"
            )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScriptkitError(f"cannot read template: {exc}", path) from None
    try:
        return Template.model_validate(data)
    except ValidationError as exc:
        raise ScriptkitError(f"invalid template: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}", path) from None


def template_file(relative: str) -> Path:
    """A file inside the templates folder, e.g. 'prompts/shot.j2'."""
    return templates_dir() / relative
