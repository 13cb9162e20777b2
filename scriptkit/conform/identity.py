"""Conform, step 1 (identity): every clip's owner id, from the most trusted slot that survived the NLE.

Slots, most trusted first: `metadata["scriptkit"]`, then the readers' adapter slots (the metadata keys every
registered format declares: `metadata["fcp_xml"]`, `["cmx_3600"]`, `["AAF"]`, ... notes, comments, logging info),
then the clip's markers, its name, and the file name of its media (images/<shot id>.png, voices/<line id>.wav).
Only ids the plan knows count; a clip without one is the editor's own material and is kept untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import opentimelineio as otio

from exporters import metadata_keys
from scriptkit.otio_metadata import DICT_TYPES, LIST_TYPES

Kind = Literal["shot", "dialogue", "cue", "music", "foreign"]

#: Where an id was found, most trusted first (the order `identify` tries them in).
SLOTS: tuple[str, ...] = ("metadata", "adapter", "marker", "name", "file")

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


# ------------------------------------------------------------------------------------------- identity


@dataclass(frozen=True)
class KnownIds:
    """Every owner id of a plan: shot ids, dialogue line id -> shot id, cue id -> shot id, music ids."""

    shots: frozenset[str] = frozenset()
    lines: dict[str, str] = field(default_factory=dict)
    cues: dict[str, str] = field(default_factory=dict)
    music: frozenset[str] = frozenset()

    def kind_of(self, owner: str) -> Kind | None:
        if owner in self.lines:
            return "dialogue"
        if owner in self.cues:
            return "cue"
        if owner in self.shots:
            return "shot"
        if owner in self.music:
            return "music"
        return None

    def shot_of(self, owner: str) -> str | None:
        if owner in self.shots:
            return owner
        return self.lines.get(owner) or self.cues.get(owner)

    def __contains__(self, owner: object) -> bool:
        return isinstance(owner, str) and self.kind_of(owner) is not None

    def union(self, other: KnownIds) -> KnownIds:
        return KnownIds(
            shots=self.shots | other.shots,
            lines={**other.lines, **self.lines},
            cues={**other.cues, **self.cues},
            music=self.music | other.music,
        )


@dataclass(frozen=True)
class Identity:
    """Who a clip belongs to and which slot told us."""

    kind: Kind
    owner: str | None = None
    shot_id: str | None = None
    slot: str = ""


FOREIGN = Identity("foreign")


def known_ids_from_timeline(timeline: otio.schema.Timeline) -> KnownIds:
    """Owner ids of a timeline written by `scriptkit.timeline` (read from each clip's scriptkit metadata)."""
    shots: set[str] = set()
    lines: dict[str, str] = {}
    cues: dict[str, str] = {}
    music: set[str] = set()
    for clip in timeline.find_clips():
        md = scriptkit_md(clip)
        kind = md.get("kind")
        shot_id = md.get("shot_id")
        if kind == "shot" and isinstance(shot_id, str):
            shots.add(shot_id)
        elif kind == "dialogue" and isinstance(md.get("line_id"), str):
            lines[md["line_id"]] = str(shot_id or "")
        elif kind == "cue" and isinstance(md.get("cue_id"), str):
            cues[md["cue_id"]] = str(shot_id or "")
        elif kind == "music":
            music.add(str(md.get("music_id") or md.get("shot_id") or clip.name or "music-bed"))
    return KnownIds(frozenset(shots), lines, cues, frozenset(music))


def known_ids_from_shotlist(shotlist: Any) -> KnownIds:
    """Owner ids of a `ShotList`."""
    lines = {line.id: shot.id for shot in shotlist.shots for line in shot.dialogue}
    cues = {cue.id: shot.id for shot in shotlist.shots for cue in shot.cues}
    music = frozenset({shotlist.music.id}) if shotlist.music else frozenset()
    return KnownIds(frozenset(s.id for s in shotlist.shots), lines, cues, music)


_EMPTY: Mapping[str, Any] = MappingProxyType({})


def scriptkit_md(obj: Any) -> Mapping[str, Any]:
    """metadata["scriptkit"], read-only and not copied (an empty mapping when absent)."""
    try:
        value = obj.metadata.get("scriptkit")
    except AttributeError:
        return _EMPTY
    return value if isinstance(value, DICT_TYPES) else _EMPTY


def each(sequence: Any) -> Iterator[Any]:
    """Items of an OTIO list by index: iterating one directly ends in an exception that costs ~25 µs."""
    for index in range(len(sequence)):
        yield sequence[index]


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    """Every string inside a metadata value (dicts and lists walked, bounded depth)."""
    if depth > 8:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, DICT_TYPES):
        for key in sorted(value.keys()):
            yield from _strings(value[key], depth + 1)
    elif isinstance(value, LIST_TYPES):
        for item in value:
            yield from _strings(item, depth + 1)


def find_owner(text: str, known: KnownIds) -> str | None:
    """The known id named in a piece of text: the whole text, else its longest id-like token."""
    text = text.strip()
    if not text:
        return None
    if text in known:
        return text
    best: str | None = None
    for token in _TOKEN.findall(text):
        for candidate in _prefixes(token):
            if candidate in known and (best is None or len(candidate) > len(best)):
                best = candidate
                break
    return best


def _prefixes(token: str) -> Iterator[str]:
    """The token and its prefixes at '-' or '_' boundaries, longest first, as written and lower-cased.

    So 'sc01-kitchen-001-c1-RINGS' (a cue file name) and 'sc02-bar-003-take2' still name their owner.
    """
    for variant in dict.fromkeys((token, token.lower())):
        yield variant
        cut = len(variant)
        while True:
            cut = max(variant.rfind("-", 0, cut), variant.rfind("_", 0, cut))
            if cut <= 0:
                break
            yield variant[:cut]


def _media_name(item: Any) -> str:
    reference = getattr(item, "media_reference", None)
    url = getattr(reference, "target_url", "") or ""
    if not url:
        return ""
    return url.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


#: metadata["scriptkit"] keys that name a clip's owner, by its "kind" (a line's shot_id names its shot, not it)
_ID_KEYS: dict[Any, tuple[str, ...]] = {
    "shot": ("shot_id",),
    "dialogue": ("line_id",),
    "cue": ("cue_id",),
    "music": ("music_id",),
}


def _slot_texts(item: Any) -> Iterator[tuple[str, str]]:
    """(slot, text) pairs in trust order."""
    md = scriptkit_md(item)
    # the key that names this kind of clip first: a missing key costs an exception in OTIO's AnyDictionary
    kind = md.get("kind") if md else None
    keys = _ID_KEYS.get(kind, ("line_id", "cue_id", "music_id", "shot_id")) if md else ()
    for key in keys:
        value = md.get(key)
        if isinstance(value, str):
            yield "metadata", value
    metadata = getattr(item, "metadata", {})
    adapter_keys = metadata_keys()  # every registered format's reader keys (cached)
    keys = [k for k in adapter_keys if k in metadata]
    keys += sorted(k for k in metadata if k != "scriptkit" and k not in adapter_keys)
    for key in keys:
        for text in _strings(metadata[key]):
            yield "adapter", text
    for marker in each(getattr(item, "markers", [])):
        yield "marker", marker.name or ""
        yield "marker", marker.comment or ""
    yield "name", item.name or ""
    yield "file", _media_name(item)


def identify(item: Any, known: KnownIds) -> Identity:
    """The owner of a clip, from the most trusted slot that names an id the plan knows."""
    md = scriptkit_md(item)
    if md:  # fast path: our own metadata names a known owner of the right kind
        keys = _ID_KEYS.get(md.get("kind"))
        owner = md.get(keys[0]) if keys else None
        if isinstance(owner, str) and owner in known:
            return Identity(known.kind_of(owner) or "foreign", owner, known.shot_of(owner), "metadata")
    for slot, text in _slot_texts(item):
        owner = find_owner(text, known)
        if owner is None:
            continue
        kind = known.kind_of(owner)
        assert kind is not None
        return Identity(kind, owner, known.shot_of(owner), slot)
    return FOREIGN
