"""Fill a media folder from a shot list: keyframes, voices, cues and the music bed, cached and resumable.

`generate_assets` is the one entry point (`scriptkit generate`, `build` and `refine` call it):

1. check every input first (style reference, config, backends and their extras), so a bad input fails
   before anything is written;
2. compute each asset's cache key and keep what the cache already holds;
3. generate the rest: voices in a background thread (piper works in subprocesses) while images render
   in this one, then cues and the music bed; each result goes into the cache the moment it exists;
4. publish the named files (images/<shot id>.png, voices/<line id>.wav, cues/<cue id>-<word>.wav,
   music/music-bed.wav), remove files of assets that no longer exist, write assets.json atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import math
import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generators import (
    ROLES,
    CueGenerator,
    CueJob,
    ImageGenerator,
    ImageJob,
    MovieGenerator,
    MovieJob,
    StyleRef,
    VoiceGenerator,
    VoiceJob,
    backend_class,
    make_backend,
)
from generators.audio import Audio, wav_bytes
from generators.cache import CACHE_DIR, Cache, asset_key, publish
from generators.config import GeneratorConfig, load_config
from generators.executor import Batch, Executor, LocalExecutor, Planned
from scriptkit.contract import HANDLE_SECONDS
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_write_text, sha256_file
from scriptkit.kinds import KINDS
from scriptkit.models import Asset, Assets, CastMember, ShotList

ASSETS_FILE = "assets.json"
MAX_STYLE_PIXELS = 64_000_000


# ------------------------------------------------------------------------------------------- inputs


def check_style(path: Path | None) -> StyleRef | None:
    """Open and fully decode the style reference with Pillow's decompression-bomb guard as an error."""
    if path is None:
        return None
    from PIL import Image

    path = Path(path)
    if not path.is_file():
        raise ScriptkitError("style reference not found", path, hint="pass --style with a PNG or JPEG image")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScriptkitError(f"cannot read style reference: {exc.strerror}", path) from None
    import io

    previous = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = MAX_STYLE_PIXELS
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ScriptkitError(
            "style reference is too large (decompression-bomb guard)",
            path,
            hint=f"use an image under {MAX_STYLE_PIXELS // 1_000_000} megapixels",
        ) from None
    except Image.UnidentifiedImageError:
        raise ScriptkitError(
            "style reference is not an image Pillow can read", path, hint="pass --style with a PNG, JPEG or WebP image"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        reason = re.sub(r"<[^>]*object at 0x[0-9a-f]+>", "the file", str(exc))  # never a Python object's repr
        raise ScriptkitError(f"style reference is not a readable image ({reason})", path) from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous
    return StyleRef(path=path, sha256=hashlib.sha256(data).hexdigest())


def read_assets(media_dir: Path) -> Assets | None:
    """The previous run's record, or None when absent or unreadable (a fresh start, never an error)."""
    path = Path(media_dir) / ASSETS_FILE
    try:
        assets = Assets.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        return None
    return assets.model_copy(update={"root": str(media_dir)})


def safe_name(text: str) -> str:
    """A file-name-safe form of an id or cue word ('RINGS!' -> 'rings')."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def file_stem(identifier: str) -> str:
    """An id as a file name: kept as is when safe (the NLE round-trip finds shots by file name)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", identifier).strip(".") or "x"


def cast_context(shot: Any, cast: list[str]) -> list[Any]:
    """What of the cast a storyboard panel depends on: the on-screen characters' places in the cast and
    the cast names its action mentions (so adding a character elsewhere re-renders nothing)."""
    upper = [name.upper() for name in cast]
    places = [upper.index(name.upper()) if name.upper() in upper else -1 for name in shot.characters]
    return [places, [name for name in upper if name in shot.action.upper()]]


def derived_seed(*parts: object) -> int:
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:4], "big")


def music_length(shotlist: ShotList) -> float:
    """The music bed's length: the planned duration with room for longer voices, in whole 15 s steps.

    It depends on the plan only (not on voice durations), so re-voicing a line never re-renders music.
    """
    return float(15 * math.ceil((shotlist.duration * 1.25 + 4.0) / 15))


# ---------------------------------------------------------------------------------------------- plan


@dataclass
class PlanContext:
    """What planners need besides the shot list and their backend."""

    style: StyleRef | None
    takes: dict[str, int]
    previous: Assets | None
    cache: Cache
    #: Planned assets of the kinds already planned (a movie planner reads its shot's keyframe here).
    planned: dict[str, list[Planned]] = field(default_factory=dict)
    #: How a movie shorter than its shot is fitted: hold | speed | loop (`--fit`).
    fit: str = "hold"


def image_prompt(shotlist: ShotList, index: int) -> str:
    shot = shotlist.shots[index]
    if shot.prompt:
        return shot.prompt
    size = shot.size.replace("_", " ")
    parts = [shotlist.style_prompt, f"{size} shot", f"{shot.int_ext} {shot.location} {shot.time_of_day}".strip()]
    parts += [", ".join(shot.characters), shot.action]
    return ", ".join(part for part in parts if part)


def plan_images(shotlist: ShotList, backend: ImageGenerator, ctx: PlanContext) -> list[Planned]:
    style, takes = ctx.style, ctx.takes
    planned = []
    for index, shot in enumerate(shotlist.shots):
        take = takes.get(shot.id, 0)
        base_seed = shot.seed or derived_seed("image", shot.id)
        seed = (base_seed + take * 1_000_003) % 2**32
        job = ImageJob(
            shot=shot,
            prompt=image_prompt(shotlist, index),
            negative_prompt=shot.negative_prompt,
            seed=seed,
            width=shotlist.width,
            height=shotlist.height,
            take=take,
            style=style,
            title=shotlist.title,
            cast=tuple(shotlist.characters),
        )
        params = {**backend.params(job), "take": take}
        drawn = shot.model_dump(include={"id", "size", "move", "characters", "int_ext", "location", "time_of_day"})
        drawn.update(action=shot.action, description=shot.description)
        inputs = {  # the facets of the job; the backend declares those its pictures depend on
            "prompt": job.prompt,
            "negative": job.negative_prompt,
            "seed": seed,
            "style": style.sha256 if style else "",
            "size": [job.width, job.height],
            "shot": drawn,
            "title": shotlist.title,
            "cast": cast_context(shot, shotlist.characters),
        }
        key = asset_key(
            {
                "kind": "image",
                "backend": backend.name,
                "version": backend.version,
                "model": backend.model,
                "params": params,
                **{name: inputs[name] for name in backend.key_inputs},
            }
        )
        record = Asset(
            kind="image",
            path=f"images/{file_stem(shot.id)}.png",
            key=key,
            sha256="",
            owner=shot.id,
            backend=backend.name,
            model=backend.model,
            prompt=job.prompt,
            seed=seed,
            style_hash=style.sha256 if style else "",
            params=params,
            width=job.width,
            height=job.height,
        )
        planned.append(Planned("image", shot.id, record.path, ".png", key, record, job))
    return planned


def cast_for(shotlist: ShotList, backend: VoiceGenerator) -> list[CastMember]:
    """The shot list's cast, completed with every speaker it misses, each with a voice of `backend`."""
    from scriptkit.cast import completed_cast

    return backend.cast(completed_cast(shotlist))


def plan_voices(shotlist: ShotList, backend: VoiceGenerator, ctx: PlanContext) -> list[Planned]:
    """A voice per line, in the voice its character is cast with: a recast character re-voices its lines only."""
    backend.prepare(list(dict.fromkeys([*shotlist.characters, *_speakers(shotlist)])))
    shotlist.cast = cast_for(shotlist, backend)  # the voices used: build writes them to shots.yaml
    planned = []
    for shot in shotlist.shots:
        for line in shot.dialogue:
            member = shotlist.member(line.character)
            voice = member.voice if member is not None else None
            job = VoiceJob(line=line, voice=voice, language=member.language if member is not None else "en")
            params = {**backend.params(job), "character": member.name if member is not None else line.character}
            key = asset_key(
                {
                    "kind": "voice",
                    "backend": backend.name,
                    "version": backend.version,
                    "model": backend.model,
                    "text": " ".join(line.text.split()),
                    "params": params,
                }
            )
            record = Asset(
                kind="voice",
                path=f"voices/{file_stem(line.id)}.wav",
                key=key,
                sha256="",
                owner=line.id,
                backend=backend.name,
                model=backend.model,
                prompt=line.text,
                params=params,
                sample_rate=48_000,
                channels=1,
            )
            planned.append(Planned("voice", line.id, record.path, ".wav", key, record, job))
    return planned


def _cue_planned(backend: CueGenerator, job: CueJob, path: str, kind: str) -> Planned:
    params = {**backend.params(job), "word": job.word}
    key = asset_key(
        {
            "kind": kind,
            "backend": backend.name,
            "version": backend.version,
            "word": job.word,
            "duration": round(job.duration, 6),
            "seed": job.seed,
            "params": params,
        }
    )
    record = Asset(
        kind=kind,  # type: ignore[arg-type]
        path=path,
        key=key,
        sha256="",
        owner=job.owner,
        backend=backend.name,
        model=backend.model,
        prompt=job.description or job.word,
        seed=job.seed,
        params=params,
        sample_rate=48_000,
        channels=1,
    )
    return Planned(kind, job.owner, path, ".wav", key, record, job)


def music_length_for(shotlist: ShotList, previous: Asset | None) -> float:
    """The music bed's length, keeping the previous run's bed when it still covers the plan.

    A bed is trimmed to the picture, so one that still covers the plan with room for longer voices (and is
    not more than twice the length a fresh run would make) is kept: a script edit that nudges the total
    across a 15 s step re-renders no music.
    """
    needed = music_length(shotlist)
    music = shotlist.music
    if previous is None or music is None or previous.kind != "music" or previous.owner != music.id:
        return needed
    if previous.prompt != music.description or previous.duration is None:
        return needed
    enough = shotlist.duration * 1.25  # the plan plus room for voices longer than planned, unrounded
    return float(previous.duration) if enough <= previous.duration <= 2 * needed else needed


def plan_cues(shotlist: ShotList, backend: CueGenerator, ctx: PlanContext) -> list[Planned]:
    planned = []
    for shot in shotlist.shots:
        for cue in shot.cues:
            job = CueJob(
                owner=cue.id,
                word=cue.word,
                description=cue.description,
                duration=cue.duration,
                kind="sfx",
                seed=derived_seed("cue", cue.word.upper()),
            )
            planned.append(_cue_planned(backend, job, f"cues/{file_stem(cue.id)}-{safe_name(cue.word)}.wav", "cue"))
    return planned


def plan_music(shotlist: ShotList, backend: CueGenerator, ctx: PlanContext) -> list[Planned]:
    if shotlist.music is None:
        return []
    music = shotlist.music
    previous = ctx.previous.music if ctx.previous is not None else None
    job = CueJob(
        owner=music.id,
        word="music",
        description=music.description,
        duration=music_length_for(shotlist, previous),
        kind="music",
    )
    return [_cue_planned(backend, job, f"music/{safe_name(music.id)}.wav", "music")]


def plan_movies(shotlist: ShotList, backend: MovieGenerator | None, ctx: PlanContext) -> list[Planned]:
    """A movie per shot, made from its keyframe: as long as the shot plus a handle at each end. A shot with a
    take of its own (`video:`) uses that file; without a movie backend only such shots get a movie."""
    keyframes = {item.owner: item for item in ctx.planned.get("image", [])}
    spec = KINDS["movie"]
    planned = []
    for shot in shotlist.shots:
        path = f"{spec.folder}/{file_stem(shot.id)}{spec.suffix}"
        if shot.video:
            planned.append(_take_planned(shotlist, shot, path, ctx))
            continue
        if backend is None:
            continue
        keyframe = keyframes[shot.id]
        job = MovieJob(
            shot=shot,
            keyframe=ctx.cache.data_path(keyframe.key, keyframe.suffix),
            keyframe_sha256=keyframe.key,
            seconds=round(shot.duration + 2 * HANDLE_SECONDS, 6),
            fps=shotlist.fps,
            width=shotlist.width,
            height=shotlist.height,
            seed=keyframe.record.seed or 0,
            fit=ctx.fit,
        )
        params = backend.params(job)
        key = asset_key(
            {
                "kind": "movie",
                "backend": backend.name,
                "version": backend.version,
                "model": backend.model,
                "keyframe": keyframe.key,
                "seconds": job.seconds,
                "fps": job.fps,
                "size": [job.width, job.height],
                "seed": job.seed,
                "params": params,
            }
        )
        record = Asset(
            kind="movie",
            path=path,
            key=key,
            sha256="",
            owner=shot.id,
            backend=backend.name,
            model=backend.model,
            prompt=keyframe.record.prompt,
            seed=job.seed,
            params=params,
            width=job.width,
            height=job.height,
        )
        planned.append(Planned("movie", shot.id, path, spec.suffix, key, record, job))
    return planned


def _take_planned(shotlist: ShotList, shot: Any, path: str, ctx: PlanContext) -> Planned:
    """A take made elsewhere, probed and put into the cache now: used as it is, or re-encoded at the shot list's
    rate (so every format can declare the movie's rate as the timeline's) and fitted when shorter than the shot."""
    from fractions import Fraction

    from generators.movie_file import fit_frames, mp4_bytes, probe_movie, read_frames, resample

    source = Path(shot.video)
    info = probe_movie(source, shot.id)
    rate = Fraction(shotlist.fps)
    frames = math.ceil(Fraction(shot.duration).limit_denominator(1_000_000) * rate)
    short = math.floor(info.seconds * rate + Fraction(1, 1000)) < frames
    encode = short or info.rate != rate
    key = asset_key(
        {
            "kind": "movie",
            "backend": "take",
            "file": sha256_file(source),
            "encode": [ctx.fit if short else "", frames, shotlist.fps] if encode else [],
        }
    )
    record = Asset(
        kind="movie",
        path=path,
        key=key,
        sha256="",
        owner=shot.id,
        backend="take",
        model=str(source),
        params={"take": str(source), "fit": ctx.fit if short else ""},
        width=info.width,
        height=info.height,
    )
    item = Planned("movie", shot.id, path, ".mp4", key, record, None)
    if ctx.cache.lookup(key, ".mp4") is None:
        if encode:
            handle = round(HANDLE_SECONDS * rate)
            pictures = fit_frames(resample(read_frames(source), info.rate, rate), frames, handle, ctx.fit)
            data = mp4_bytes(pictures, rate, info.width, info.height)
        else:
            data = source.read_bytes()
        _store_movie(ctx.cache, item, data)
    return item


# ------------------------------------------------------------------------------------------ progress


class Progress:
    """Rich progress bars per asset kind (stderr), or nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bars: Any = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Progress:
        if not self.quiet:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self.bars = RichProgress(
                TextColumn("{task.description:<8}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self.bars.__enter__()
        return self

    def add(self, kind: str, total: int, done: int) -> None:
        if self.bars is not None and total:
            self.tasks[kind] = self.bars.add_task(kind, total=total, completed=done)

    def advance(self, kind: str) -> None:
        if self.bars is not None and kind in self.tasks:
            self.bars.advance(self.tasks[kind])

    def __exit__(self, *exc: object) -> None:
        if self.bars is not None:
            self.bars.__exit__(None, None, None)


# ------------------------------------------------------------------------------------------ generate


def _store_bytes(cache: Cache, item: Planned, data: bytes) -> Asset:
    return cache.store(item.key, item.suffix, data, item.record)


def _store_movie(cache: Cache, item: Planned, data: bytes) -> Asset:
    """A movie with its true length (seconds, probed from the file)."""
    import io

    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.video[0]
            seconds = float(stream.duration * stream.time_base) if stream.duration else float(container.duration) / 1e6
    except (av.error.FFmpegError, IndexError, TypeError) as exc:
        raise ScriptkitError(
            f"the {item.record.backend} backend made an unreadable movie for {item.owner}: {exc}"
        ) from None
    return cache.store(item.key, item.suffix, data, item.record.model_copy(update={"duration": round(seconds, 6)}))


def _store_audio(cache: Cache, item: Planned, audio: Audio) -> Asset:
    job = item.job
    if item.kind == "voice":
        info = {"INAM": item.owner, "ICMT": f"{job.line.character}: {job.line.text}"[:500], "ISFT": "scriptkit"}
    else:
        info = {"INAM": f"{item.owner} {job.word}", "ICMT": (job.description or job.word)[:500], "ISFT": "scriptkit"}
        info["IKEY"] = job.word
    record = item.record.model_copy(update={"duration": audio.duration, "sample_rate": audio.sample_rate})
    return cache.store(item.key, item.suffix, wav_bytes(audio, info), record)


def _store_for(cache: Cache, kind: str) -> Callable[[Planned, Any], Asset]:
    """How a result of `kind` goes into the cache, by its media."""
    media = KINDS[kind].media
    if media == "audio":
        return lambda item, audio: _store_audio(cache, item, audio)
    if media == "movie":
        return lambda item, data: _store_movie(cache, item, data)
    return lambda item, data: _store_bytes(cache, item, data)


def _adopt(cache: Cache, item: Planned, media_dir: Path, previous: Assets | None) -> Asset | None:
    """A published file the previous run recorded under the same key (the cache was deleted): keep it."""
    if previous is None:
        return None
    old = previous.get(item.record.kind, item.owner)
    path = media_dir / item.path
    if old is None or old.key != item.key or not path.is_file():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != old.sha256:
        return None
    return cache.store(item.key, item.suffix, data, old)


def _takes(previous: Assets | None, regenerate: set[str] | frozenset[str]) -> dict[str, int]:
    takes: dict[str, int] = {}
    if previous is not None:
        for owner, asset in previous.images.items():
            value = asset.params.get("take", 0)
            takes[owner] = int(value) if isinstance(value, int | float) else 0
    for owner in regenerate:
        takes[owner] = takes.get(owner, 0) + 1
    return takes


def _remove_stale(media_dir: Path, previous: Assets | None, current: Assets) -> None:
    if previous is None:
        return
    keep = {asset.path for asset in current.all()}
    for asset in previous.all():
        if asset.path not in keep:
            with contextlib.suppress(OSError):
                (media_dir / asset.path).unlink()


def generate_assets(
    shotlist: ShotList,
    media_dir: Path,
    *,
    style: Path | None,
    image_backend: str | None = None,
    voice_backend: str | None = None,
    config: Path | None = None,
    quiet: bool = True,
    regenerate: set[str] | frozenset[str] = frozenset(),
    config_near: Path | None = None,
    executor: Executor | None = None,
    movie_backend: str | None = None,
    fit: str | None = None,
    cache_dir: Path | None = None,
) -> Assets:
    """Make sure `media_dir` holds every asset of `shotlist`; write and return its Assets record.

    Every kind of the kind table whose backend role is configured is planned (in table order, so a kind's
    dependencies are planned first), looked up in the cache, and what is missing runs on `executor`
    (`LocalExecutor` by default). The cache lives in `media_dir` unless `cache_dir` names a folder shared with
    other projects (a season's episodes): then the same asset is generated once for all of them."""
    media_dir = Path(media_dir).absolute()
    settings = load_config(config, config_near, image_backend, voice_backend, movie_backend, fit)
    style_ref = check_style(style)
    backends = _backends(settings, shotlist)
    unknown = set(regenerate) - {shot.id for shot in shotlist.shots}
    if unknown:
        raise ScriptkitError(f"--regenerate names no shot of this shot list: {', '.join(sorted(unknown))}")
    previous = read_assets(media_dir)
    cache = Cache(Path(cache_dir).absolute() if cache_dir is not None else media_dir)
    context = PlanContext(style_ref, _takes(previous, regenerate), previous, cache, fit=settings.fit)
    for spec in KINDS.values():
        backend = backends.get(spec.role)
        wanted = backend is not None or (spec.name == "movie" and any(shot.video for shot in shotlist.shots))
        if wanted and all(dep in context.planned for dep in spec.depends_on):
            context.planned[spec.name] = _planner(spec.planner)(shotlist, backend, context)
    everything = [item for items in context.planned.values() for item in items]
    for item in everything:
        item.cached = cache.lookup(item.key, item.suffix) or _adopt(cache, item, media_dir, previous)
    with Progress(quiet) as progress:
        for label in dict.fromkeys(spec.progress for spec in KINDS.values()):
            items = [item for item in everything if KINDS[item.kind].progress == label]
            progress.add(label, len(items), sum(1 for item in items if item.cached))
        batches = [
            Batch(role, KINDS[items[0].kind].lane, backends[role], pending, _store_by_kind(cache))
            for role, items in _by_role(everything).items()
            if (pending := [item for item in items if item.cached is None])
        ]
        (executor or LocalExecutor()).run(batches, lambda kind: progress.advance(KINDS[kind].progress))
    assets = Assets(root=str(media_dir))
    for item in everything:
        assert item.cached is not None
        record = item.cached.model_copy(update={"owner": item.owner, "path": item.path})
        publish(cache.data_path(item.key, item.suffix), media_dir / item.path, record.sha256)
        assets.put(record)
    _remove_stale(media_dir, previous, assets)
    # root is left out of the file: the record lives in that folder, so the project stays relocatable and
    # the same build in two folders writes the same bytes.
    atomic_write_text(media_dir / ASSETS_FILE, assets.model_dump_json(indent=2, exclude={"root"}) + "\n")
    _remove_leftover_temps(media_dir)
    return assets


def _planner(target: str) -> Callable[[ShotList, Any, PlanContext], list[Planned]]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _by_role(items: list[Planned]) -> dict[str, list[Planned]]:
    """Planned items grouped by the backend role that makes them, roles in kind-table order."""
    groups: dict[str, list[Planned]] = {}
    for item in items:
        groups.setdefault(KINDS[item.kind].role, []).append(item)
    return groups


def _store_by_kind(cache: Cache) -> Callable[[Planned, Any], Asset]:
    stores = {kind: _store_for(cache, kind) for kind in KINDS}
    return lambda item, result: stores[item.kind](item, result)


def _remove_leftover_temps(media_dir: Path) -> None:
    """Temp files a killed run left behind (`.name.XXXX.tmp`); the finished run no longer needs them."""
    for folder in (*(spec.folder for spec in KINDS.values()), CACHE_DIR):
        for leftover in (media_dir / folder).rglob(".*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()
    for leftover in media_dir.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _speakers(shotlist: ShotList) -> list[str]:
    return [line.character for shot in shotlist.shots for line in shot.dialogue]


def _backends(settings: GeneratorConfig, shotlist: ShotList | None = None) -> dict[str, Any]:
    """The backend of every role the config names (a role set to "" makes nothing)."""
    names = {role: settings.backend(role) for role in ROLES}
    options = {role: settings.for_backend(name) for role, name in names.items()}
    image = names.get("image")
    if shotlist is not None and image and "characters" in backend_class("image", image).Options.model_fields:
        options["image"] = with_cast_looks(options["image"], shotlist)
    return {role: make_backend(role, name, options[role], settings.source) for role, name in names.items() if name}


def with_cast_looks(options: dict[str, Any], shotlist: ShotList) -> dict[str, Any]:
    """An image backend's options with each cast member's reference image and seed as its `characters` table
    (`[generators.<image>.characters.NAME]` in scriptkit.toml wins where it says otherwise)."""
    table = {str(name).upper(): dict(value) for name, value in (options.get("characters") or {}).items()}
    for member in shotlist.cast:
        looks = {"seed": member.seed, "reference": member.image}
        looks = {key: value for key, value in looks.items() if value is not None and value != ""}
        if looks:
            table[member.name] = {**looks, **table.get(member.name, {})}
    return {**options, "characters": table} if table else options


def asset_summary(assets: Assets) -> str:
    voices = sum(asset.duration or 0.0 for asset in assets.voices.values())
    return (
        f"{len(assets.images)} images, {len(assets.voices)} voices ({voices:.1f} s), "
        f"{len(assets.cues)} cues{', music bed' if assets.music else ''} in {assets.root}"
    )


def run_generate(
    file: Path,
    *,
    style: Path | None,
    media_dir: Path,
    template: str,
    image_backend: str | None,
    voice_backend: str | None,
    config: Path | None,
    quiet: bool,
    as_json: bool,
    movie_backend: str | None = None,
    fit: str | None = None,
) -> Assets:
    """`scriptkit generate`: read a screenplay or shot list, fill the media folder, report."""
    from scriptkit.plan import load_shotlist
    from scriptkit.templates import load_template

    file = Path(file)
    if not file.is_file():
        raise ScriptkitError("file not found", file)
    shotlist = load_shotlist(file, load_template(template))
    assets = generate_assets(
        shotlist,
        Path(media_dir),
        style=style,
        image_backend=image_backend,
        voice_backend=voice_backend,
        config=config,
        quiet=quiet or as_json,
        config_near=file,
        movie_backend=movie_backend,
        fit=fit,
    )
    if as_json:
        sys.stdout.write(json.dumps(assets.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
    elif not quiet:
        sys.stderr.write(asset_summary(assets) + "\n")
    return assets
