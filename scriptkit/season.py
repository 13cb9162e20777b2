"""`scriptkit build-season`: every episode of a show from one folder, with one cast, one style and one cache.

The season folder holds the episodes (screenplays or shot lists; built in name order: `01-pilot.fountain`,
`02-...`) and, optionally, `cast.yaml` (the season's cast: `cast:` and members as in shots.yaml), a style image
(`style.png`, unless `--style`) and `scriptkit.toml` (backends, found beside the episodes as for one build).

The output folder gets:

- one project folder per episode (`out/<episode>/`, exactly what `scriptkit build` writes);
- `.cache/`: one content-addressed cache for all episodes, so a shot, line or cue that is the same in two episodes
  is generated once (each episode's media are hard links into it);
- `cast.yaml`: the season's cast as used: every speaking character of every episode, with what `cast.yaml` says
  of them (it wins field by field), and a voice each, cast once for the whole season, so a character sounds
  the same in every episode (copy it into the season folder to pin it);
- `season.json` (the manifest: episodes, their folders and manifests, what failed and why, the cast, what the
  shared cache saved) and `index.html` (a contact sheet: every episode's keyframes, linked to its storyboard and
  preview), both written last.

A failed episode does not stop the others; it is reported at the end with its reason. A rerun builds only what
is missing or changed (the cache and every build's own reuse of unchanged outputs).
"""

from __future__ import annotations

import contextlib
import html
import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generators.executor import Batch, Executor
from generators.executors import open_executor
from scriptkit.build import BuildRequest, build_project, slugify
from scriptkit.errors import ScriptkitError
from scriptkit.fonts import FONT_STACK, page_font_css
from scriptkit.io import atomic_write_text, folder_lock, remove_stale_temps
from scriptkit.models import CastMember, ShotList, Voice
from scriptkit.plan import SHOTLIST_SUFFIXES

#: What an episode may be: a screenplay (Fountain, Final Draft, a Chinese script in .txt or .docx) or a shot list.
EPISODE_SUFFIXES = (".fountain", ".spmd", ".txt", ".fdx", ".docx", *SHOTLIST_SUFFIXES)
#: The season's own files in its folder (never an episode).
CAST_FILES = ("cast.yaml", "cast.yml", "cast.json")
STYLE_NAMES = ("style.png", "style.jpg", "style.jpeg", "style.webp")
SEASON_FILE = "season.json"
INDEX_FILE = "index.html"
CAST_OUT = "cast.yaml"


# ---------------------------------------------------------------------------------------------- inputs


def find_episodes(folder: Path) -> list[tuple[str, Path]]:
    """(project folder name, source) of every episode in `folder`, in name order."""
    if not folder.is_dir():
        raise ScriptkitError("not a season folder (a folder of screenplays or shot lists)", folder)
    sources = [
        path
        for path in sorted(folder.iterdir(), key=lambda p: p.name)
        if path.is_file()
        and not path.name.startswith(".")
        and path.suffix.lower() in EPISODE_SUFFIXES
        and path.name.lower() not in CAST_FILES
    ]
    if not sources:
        raise ScriptkitError(
            "no episodes in the season folder", folder, hint=f"add {', '.join(EPISODE_SUFFIXES)} files"
        )
    named: dict[str, Path] = {}
    for source in sources:
        name = slugify(source.stem)
        if name in named:
            raise ScriptkitError(f"two episodes would share the folder {name}/: {named[name].name} and {source.name}")
        named[name] = source
    return list(named.items())


def season_style(folder: Path, style: str | None) -> str | None:
    """`--style`, else the season folder's style image, else none."""
    if style:
        return style
    found = next((folder / name for name in STYLE_NAMES if (folder / name).is_file()), None)
    return str(found) if found else None


def season_cast_file(folder: Path) -> list[CastMember]:
    from scriptkit.shotlist_io import read_cast

    found = next((folder / name for name in CAST_FILES if (folder / name).is_file()), None)
    return read_cast(found) if found else []


def _members(shotlist: ShotList) -> list[CastMember]:
    """The episode's cast with every speaker it misses (as generation would infer them)."""
    from scriptkit.cast import completed_cast

    return completed_cast(shotlist)


def season_cast(episodes: list[ShotList], pinned: list[CastMember], voice_backend: str) -> list[CastMember]:
    """One cast for the season: every character in order of first appearance (as the first episode casting them
    describes them, aliases of all episodes joined), then the season's `cast.yaml` field by field on top, then a
    voice of `voice_backend` for each character whose voice was guessed, chosen once across the whole season."""
    from scriptkit.cast import voice_cast

    found: dict[str, CastMember] = {}
    for shotlist in episodes:
        for member in _members(shotlist):
            first = found.setdefault(member.name, member)
            aliases = list(dict.fromkeys([*first.aliases, *member.aliases]))
            found[member.name] = first.model_copy(update={"aliases": aliases})
    for member in pinned:
        base = found.get(member.name) or next((m for m in found.values() if member.name in m.aliases), None)
        fields = member.model_fields_set - {"name"}
        values = {field: getattr(member, field) for field in fields}
        if base is None:
            found[member.name] = member
            continue
        guessed = [field for field in base.guessed if field not in fields]
        found[base.name] = base.model_copy(update={**values, "guessed": guessed})
    members = [
        member.model_copy(update={"voice": Voice(speed=member.voice.speed)}) if "voice" in member.guessed else member
        for member in found.values()
    ]
    return voice_cast(members, voice_backend) if voice_backend else members


def episode_cast(shotlist: ShotList, cast: list[CastMember]) -> list[CastMember]:
    """The episode's characters, each as the season casts them."""
    by_name = {member.name: member for member in cast}
    by_name.update({alias: member for member in cast for alias in member.aliases})
    chosen = [by_name.get(member.name, member) for member in _members(shotlist)]
    return list({member.name: member for member in chosen}.values())


# ----------------------------------------------------------------------------------------------- build


class _Counting:
    """An executor that counts what it generates (distinct cache keys by kind) and hands the work on."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.generated: Counter[str] = Counter()

    def run(self, batches: list[Batch], progress: Callable[[str], None]) -> None:
        for batch in batches:
            self.generated.update(item.kind for item in {item.key: item for item in batch.items}.values())
        self.inner.run(batches, progress)


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, ScriptkitError) else f"{type(exc).__name__}: {exc}"


def build_season(request: BuildRequest, say: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Build every episode of the season folder `request.source` into `request.output`; return the run's report
    (season.json plus what this run did). `say` gets the batch's progress lines."""
    from generators.config import load_config
    from scriptkit.plan import load_shotlist
    from scriptkit.templates import load_template

    tell = say or (lambda line: None)
    folder, out = Path(request.source), Path(request.output)
    episodes = find_episodes(folder)
    pinned = season_cast_file(folder)
    style = season_style(folder, request.style)
    template = load_template(request.template)
    settings = load_config(
        Path(request.config) if request.config else None,
        episodes[0][1],
        request.image_backend,
        request.voice_backend,
        request.video_backend,
        request.fit,
    )
    if out.exists() and not out.is_dir():
        raise ScriptkitError("output exists and is not a folder", out)
    started = time.monotonic()
    with folder_lock(out, "season build"):
        remove_stale_temps(out)
        _remove_cache_temps(out)
        shotlists: dict[str, ShotList] = {}
        failed: dict[str, str] = {}
        for name, source in episodes:
            try:
                shotlists[name] = load_shotlist(source, template, request.dialect)
            except ScriptkitError as exc:
                failed[name] = _reason(exc)
        cast = season_cast(list(shotlists.values()), pinned, settings.backend("voice"))
        atomic_write_text(out / CAST_OUT, _cast_yaml(cast))
        runs: dict[str, dict[str, Any]] = {}
        with open_executor(request.executor, request.ray_address) as executor:
            for number, (name, source) in enumerate(episodes, 1):
                tell(f"episode {number}/{len(episodes)}: {name} ({source.name})")
                if name in failed:
                    runs[name] = {"status": "failed", "reason": failed[name]}
                    tell(f"episode {name} failed: {failed[name]}")
                    continue
                runs[name] = _build_episode(request, name, source, out, style, shotlists[name], cast, executor)
                if runs[name]["status"] == "failed":
                    tell(f"episode {name} failed: {runs[name]['reason']}")
        season = season_manifest(folder, out, episodes, runs, cast)
        atomic_write_text(out / SEASON_FILE, json.dumps(season, indent=2, ensure_ascii=False) + "\n")
        atomic_write_text(out / INDEX_FILE, contact_sheet(season))
    seconds = round(time.monotonic() - started, 3)
    return {**season, "run": {"seconds": seconds, "executor": request.executor, "episodes": runs}}


def _build_episode(
    request: BuildRequest,
    name: str,
    source: Path,
    out: Path,
    style: str | None,
    shotlist: ShotList,
    cast: list[CastMember],
    executor: Executor,
) -> dict[str, Any]:
    project = out / name
    episode = request.model_copy(
        update={"source": str(source), "output": str(project), "style": style, "cache": str(out)}
    )
    before = _read_bytes(project / "manifest.json")
    counting = _Counting(executor)
    started = time.monotonic()
    try:
        shotlist = shotlist.model_copy(update={"cast": episode_cast(shotlist, cast)})
        build_project(episode, shotlist=shotlist, executor=counting)
    except Exception as exc:  # an episode that fails is reported, the season goes on
        return {"status": "failed", "reason": _reason(exc), "generated": dict(counting.generated)}
    changed = sum(counting.generated.values()) or _read_bytes(project / "manifest.json") != before
    return {
        "status": "built" if changed else "unchanged",
        "generated": dict(sorted(counting.generated.items())),
        "seconds": round(time.monotonic() - started, 3),
    }


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _remove_cache_temps(out: Path) -> None:
    """Temp files a killed season build left in the shared cache (the season's lock is held: no writer owns them)."""
    from generators.cache import CACHE_DIR

    for leftover in (out / CACHE_DIR).rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _cast_yaml(cast: list[CastMember]) -> str:
    members = [member.model_dump(mode="json") for member in cast]
    return yaml.safe_dump({"cast": members}, sort_keys=False, allow_unicode=True, width=120)


# ------------------------------------------------------------------------------------------ the index


def cache_share(projects: list[Path]) -> dict[str, Any]:
    """What the shared cache saved: for each kind, the assets the episodes use, the distinct ones each episode
    would make with a cache of its own, and the distinct ones the season makes; `saved` is the share of
    per-episode generation the season's cache made unnecessary (by count; voices also by seconds)."""
    from generators.run import read_assets

    used: Counter[str] = Counter()
    own: Counter[str] = Counter()
    season: dict[str, set[str]] = {}
    seconds: dict[str, float] = {}
    own_seconds = 0.0
    for project in projects:
        assets = read_assets(project / "media")
        if assets is None:
            continue
        mine: dict[str, Any] = {}
        for asset in assets.all():
            used[asset.kind] += 1
            mine.setdefault(asset.key, asset)
        for asset in mine.values():
            own[asset.kind] += 1
            season.setdefault(asset.kind, set()).add(asset.key)
            if asset.kind == "voice":
                own_seconds += asset.duration or 0.0
                seconds[asset.key] = asset.duration or 0.0
    kinds = {
        kind: {
            "used": used[kind],
            "per_episode": own[kind],
            "season": len(season.get(kind, ())),
            "saved": _share(own[kind], len(season.get(kind, ()))),
        }
        for kind in sorted(used)
    }
    total_own, total_season = sum(own.values()), sum(len(keys) for keys in season.values())
    return {
        "kinds": kinds,
        "per_episode": total_own,
        "season": total_season,
        "saved": _share(total_own, total_season),
        "voice_seconds_saved": _share(own_seconds, sum(seconds.values())),
    }


def _share(before: float, after: float) -> float:
    return round(1 - after / before, 4) if before else 0.0


def season_manifest(
    folder: Path,
    out: Path,
    episodes: list[tuple[str, Path]],
    runs: dict[str, dict[str, Any]],
    cast: list[CastMember],
) -> dict[str, Any]:
    """season.json: deterministic (no times; what this run did is in the report only)."""
    listed = []
    for name, source in episodes:
        entry: dict[str, Any] = {"folder": name, "source": source.name}
        run = runs[name]
        if run["status"] == "failed":
            entry.update(ok=False, reason=run["reason"])
        else:
            manifest = json.loads((out / name / "manifest.json").read_text(encoding="utf-8"))
            entry.update(
                ok=True,
                title=manifest["title"],
                duration=manifest["duration"],
                shots=len(manifest["shots"]),
                manifest=f"{name}/manifest.json",
                storyboard=f"{name}/storyboard.html" if (out / name / "storyboard.html").is_file() else None,
                preview=f"{name}/preview.mp4" if (out / name / "preview.mp4").is_file() else None,
                keyframes=[f"{name}/{shot['image']}" for shot in manifest["shots"] if shot.get("image")],
            )
        listed.append(entry)
    built = [out / entry["folder"] for entry in listed if entry["ok"]]
    return {
        "tool": "scriptkit",
        "season": folder.resolve().name,
        "episodes": listed,
        "failed": [{"folder": e["folder"], "reason": e["reason"]} for e in listed if not e["ok"]],
        "cast": CAST_OUT,
        "characters": [member.name for member in cast],
        "cache": cache_share(built),
    }


def contact_sheet(season: dict[str, Any]) -> str:
    """index.html: a row of keyframes per episode, linked to its storyboard and preview; failures with reasons."""
    esc = html.escape
    rows = []
    for entry in season["episodes"]:
        if not entry["ok"]:
            rows.append(
                f'<section class="failed"><h2>{esc(entry["folder"])}</h2>'
                f"<p>failed: {esc(entry['reason'])}</p></section>"
            )
            continue
        links = [f'<a href="{esc(entry[key])}">{label}</a>' for key, label in (("storyboard", "storyboard"),
                 ("preview", "preview"), ("manifest", "manifest")) if entry.get(key)]  # fmt: skip
        thumbs = "".join(
            f'<a href="{esc(entry["storyboard"] or path)}"><img loading="lazy" src="{esc(path)}" alt=""></a>'
            for path in entry["keyframes"]
        )
        rows.append(
            f"<section><h2>{esc(entry['folder'])}: {esc(entry['title'])}</h2>"
            f"<p>{entry['shots']} shots, {entry['duration']:.1f} s · {' · '.join(links)}</p>"
            f'<div class="sheet">{thumbs}</div></section>'
        )
    cache = season["cache"]
    body = (
        f"<body><h1>{esc(season['season'])}</h1>"
        f"<p>{len(season['episodes'])} episodes, {len(season['failed'])} failed; cast: "
        f"{esc(', '.join(season['characters']))}; the shared cache saved {cache['saved']:.0%} of generation.</p>\n"
        + "\n".join(rows)
        + "\n</body></html>\n"
    )
    embedded = page_font_css(season["season"] + body)  # Chinese titles and names: the CJK face, cut to them
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-Hans" if embedded else "en"}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(season['season'])}</title><style>{embedded}"
        f"body{{font-family:{FONT_STACK};margin:1rem;background:#111;color:#eee}}a{{color:#9cf}}"
        ".sheet{display:flex;flex-wrap:wrap;gap:4px}.sheet img{height:120px;border-radius:3px}"
        ".failed{color:#f88}section{margin-bottom:1.5rem}"
        "</style></head>" + body
    )
