"""Image prompts: a shot rendered through the template's Jinja2 prompt file (StrictUndefined, no autoescape)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from scriptkit import lexicon
from scriptkit.errors import ScriptkitError
from scriptkit.models import Shot, ShotList, Template

MAX_PROMPT_ACTION = 300  # characters of action in a prompt
CAPS_RUN = re.compile(r"\b[A-Z][A-Z0-9'\-]*[A-Z0-9](?:\s+[A-Z][A-Z0-9'\-]*[A-Z0-9])*\b")


# ------------------------------------------------------------------------------------------ prompts


@lru_cache(maxsize=8)
def _jinja_template(relative: str) -> tuple[Any, dict[str, Any]]:
    """(compiled jinja2.Template, its globals) of a prompt file in the templates folder."""
    import jinja2

    from scriptkit.templates import template_file

    path = template_file(relative)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScriptkitError(f"cannot read prompt template: {exc.strerror}", path) from None
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
    try:
        compiled = env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise ScriptkitError(f"bad prompt template: {exc.message}", path, exc.lineno) from None
    return compiled, dict(compiled.globals)


@lru_cache(maxsize=4096)
def display_name(name: str) -> str:
    return " ".join(part.capitalize() for part in name.split())


@lru_cache(maxsize=4096)
def _cast_name(name: str, description: str | None) -> str:
    return f"{display_name(name)} ({description})" if description else display_name(name)


def render_prompt(shot: Shot, template: Template, descriptions: dict[str, str] | None = None, subject: str = "") -> str:
    """The shot's image prompt from the template's Jinja2 prompt file (StrictUndefined, no autoescape).

    `subject` names what a shot without characters shows (a prop); by default it is read from an insert's
    description ('insert: ENVELOPE'). Variables: style_prompt, size, size_words, move, move_words,
    characters (names with their introductions), names, subject, location, int_ext, int_ext_words,
    time_of_day, action, description, tags, orientation.
    """
    return prompt_text(
        template,
        descriptions or {},
        size=shot.size,
        move=shot.move,
        characters=shot.characters,
        location=shot.location,
        int_ext=shot.int_ext,
        time_of_day=shot.time_of_day,
        action=shot.action,
        description=shot.description,
        tags=shot.tags,
        subject=subject,
    )


def prompt_text(
    template: Template,
    descriptions: dict[str, str],
    *,
    size: str,
    move: str,
    characters: list[str],
    location: str,
    int_ext: str,
    time_of_day: str,
    action: str,
    description: str,
    tags: list[str],
    subject: str,
    cache: PromptCache | None = None,
) -> str:
    key = (size, move, tuple(characters), location, int_ext, time_of_day, action, description, tuple(tags), subject)
    if cache is not None and key in cache.prompts:
        return cache.prompts[key]  # e.g. every single on one character in one scene: same words, same prompt
    cast = [_cast_name(name, descriptions.get(name)) for name in characters]
    if not subject and description.startswith("insert: "):
        subject = description[len("insert: ") :]
    subject = " and ".join(cast) if cast else ("the " + _prompt_action(subject, {}) if subject else "")
    jinja_template, globals_ = _jinja_template(template.prompt_template)
    context = {
        **globals_,
        "style_prompt": template.style_prompt,
        "size": size,
        "size_words": lexicon.SIZE_WORDS.get(size, size.replace("_", " ")),
        "move": move,
        "move_words": lexicon.MOVE_WORDS.get(move, ""),
        "characters": cast,
        "names": list(characters),
        "subject": subject or "the scene",
        "location": location,
        "int_ext": int_ext,
        "int_ext_words": lexicon.INT_EXT_WORDS.get(int_ext, ""),
        "time_of_day": time_of_day,
        "action": _prompt_action(action, descriptions) if cache is None else cache.action(action, descriptions),
        "description": description,
        "tags": list(tags),
        "orientation": template.orientation,
    }
    try:
        # What Template.render does, minus its per-call copy of the globals (they are already in `context`).
        env = jinja_template.environment
        jinja_context = env.context_class(env, context, jinja_template.name, jinja_template.blocks)
        text = "".join(jinja_template.root_render_func(jinja_context))
    except Exception as exc:  # any failure inside a user's template is a user error
        raise ScriptkitError(f"prompt template failed: {exc}", template.prompt_template) from None
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        prompt = text  # already one line of single spaces (isprintable: no white space but ' '): the usual case
    else:
        prompt = " ".join(text.split())
    if cache is not None:
        cache.prompts[key] = prompt
    return prompt


@dataclass
class PromptCache:
    """Prompts of one `plan_script` call by their inputs, and prompt actions by action text."""

    prompts: dict[tuple, str] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)

    def action(self, action: str, descriptions: dict[str, str]) -> str:
        """`_prompt_action`, once per text (the descriptions are those of the finished plan: fixed)."""
        found = self.actions.get(action)
        if found is None:
            found = self.actions[action] = _prompt_action(action, descriptions)
        return found


INTRO = re.compile(r"\b([A-Z][A-Z0-9'.\- ]*[A-Z0-9])\s*\(([^()]{1,80})\)")


def _prompt_action(action: str, descriptions: dict[str, str]) -> str:
    """Action for a prompt: one line, character introductions dropped (the cast carries them), CAPS softened."""
    text = " ".join(action[: MAX_PROMPT_ACTION * 3].split())  # only the start of a long paragraph is used
    if descriptions and "(" in text:
        text = INTRO.sub(lambda m: m.group(1) if m.group(1) in descriptions else m.group(0), text)
    text = CAPS_RUN.sub(lambda m: display_name(m.group(0)) if m.group(0) in descriptions else m.group(0).lower(), text)
    if len(text) > MAX_PROMPT_ACTION:
        cut = text[:MAX_PROMPT_ACTION]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return text


def fill_prompts(shotlist: ShotList, template: Template) -> ShotList:
    """Render the prompt of every shot that has none (a shot a user added by hand) and fill negative prompts."""
    # the cast is known by name only here (no introductions): enough to keep names capitalised like planned shots
    cast = {name: "" for name in shotlist.characters}
    for shot in shotlist.shots:
        if not shot.prompt.strip():
            shot.prompt = render_prompt(shot, template, cast)
        if not shot.negative_prompt.strip():
            shot.negative_prompt = template.negative_prompt
    return shotlist
