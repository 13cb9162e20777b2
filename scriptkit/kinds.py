"""Asset kinds as data: the one table of what a project's media are.

Each kind says what media it is (a still, a movie or audio), where its files go and with which suffix, which
`Assets` table records it, what owns one (a shot, a dialogue line, a cue, the episode), which backend role makes
it (`[generators] <role> = "<backend>"` in scriptkit.toml; the registries live in `generators`), the function
that plans its jobs, which kinds it is made from (a movie from its shot's keyframe), and the lane the local
executor runs it in. `generators.run`, `Assets`, the timeline, build, check and refine read this table, so a
new kind of media is one row here plus its planner and backends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Media = Literal["still", "movie", "audio"]
Owner = Literal["shot", "line", "cue", "episode"]


@dataclass(frozen=True)
class AssetKind:
    name: str
    media: Media
    #: Folder under the media folder and file suffix of its published files.
    folder: str
    suffix: str
    #: The `Assets` field that records it (a dict by owner id; "music" holds one asset).
    table: str
    owner: Owner
    #: The backend role that generates it ("image", "voice", "cue", "movie").
    role: str
    #: "module:function" planning its jobs: (shotlist, backend, context) -> list of planned assets.
    planner: str
    #: Kinds whose assets must exist first (a movie is made from its shot's keyframe).
    depends_on: tuple[str, ...] = ()
    #: The local executor runs "background" kinds in a thread beside the "main" lane (voices: piper subprocesses).
    lane: Literal["main", "background"] = "main"
    #: Progress bar it counts in.
    progress: str = ""


#: Every kind, in the order they are planned, generated and recorded.
KINDS: dict[str, AssetKind] = {
    kind.name: kind
    for kind in (
        AssetKind("image", "still", "images", ".png", "images", "shot", "image", "generators.run:plan_images",
                  progress="images"),
        AssetKind("movie", "movie", "movies", ".mp4", "movies", "shot", "movie", "generators.run:plan_movies",
                  depends_on=("image",), progress="movies"),
        AssetKind("voice", "audio", "voices", ".wav", "voices", "line", "voice", "generators.run:plan_voices",
                  lane="background", progress="voices"),
        AssetKind("cue", "audio", "cues", ".wav", "cues", "cue", "cue", "generators.run:plan_cues", progress="cues"),
        AssetKind("music", "audio", "music", ".wav", "music", "episode", "cue", "generators.run:plan_music",
                  progress="cues"),
    )
}  # fmt: skip


def kind(name: str) -> AssetKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown asset kind {name!r}; known: {', '.join(KINDS)}") from None


def media_of(name: str) -> Media:
    """still, movie or audio for an asset kind."""
    return kind(name).media
