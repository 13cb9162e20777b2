"""Conform: read back what the editor did, and carry it into the next version.

Three pure steps on OpenTimelineIO timelines, and two thin commands at the edge:

1. Identity (`identify`): every clip's owner id (shot id, dialogue line id, cue id, music bed), taken from the
   most trusted slot that survived the trip through the NLE: `metadata["scriptkit"]`, then the readers'
   adapter slots (`metadata["fcp_xml"]`, `["cmx_3600"]`, `["AAF"]`, ... notes, comments, logging info), then
   the clip's markers, its name, and the file name of its media (images/<shot id>.png, voices/<line id>.wav).
   Only ids the plan knows count; a clip without one is the editor's own material and is kept untouched.
2. Diff (`diff_timelines`): the edited timeline against the plan (the timeline as we wrote it): trims in
   frames, reorders, deletions, duplicates, foreign clips, transitions added/removed/changed, dialogue moved or
   retimed, markers added, media named outside the project folder. `report_lines` says it in plain words.
3. Conform (`conform_timeline`): start from the edited timeline and apply a new plan (the timeline rebuilt
   from the new shot list and its assets): swap changed assets in at the same place (same clip, new media,
   in/out kept), `hold` or `ripple` when a length changed, place new shots after their neighbour in script
   order, drop or flag removed shots, mark changed shots with a red marker.

`diff_command` is what `scriptkit diff` calls; the refine pipeline lives in `scriptkit.refine`.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import opentimelineio as otio

from scriptkit.errors import ScriptkitError

if TYPE_CHECKING:
    from scriptkit.scriptdiff import ShotListDiff

Kind = Literal["shot", "dialogue", "cue", "music", "foreign"]
LengthPolicy = Literal["hold", "ripple"]
RemovedPolicy = Literal["drop", "flag"]

#: Where an id was found, most trusted first (the order `identify` tries them in).
SLOTS: tuple[str, ...] = ("metadata", "adapter", "marker", "name", "file")
#: Metadata keys the readers and OTIO adapters keep their format's own fields under.
ADAPTER_KEYS: tuple[str, ...] = ("fcp_xml", "fcpx_xml", "fcpxml", "xmeml", "cmx_3600", "edl", "AAF", "aaf", "otio")
#: Colour of the marker put on shots the new script changed.
CHANGED_COLOR = otio.schema.MarkerColor.RED

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
        md = _sk(clip)
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


def _sk(obj: Any) -> Mapping[str, Any]:
    """metadata["scriptkit"], read-only and not copied (an empty mapping when absent)."""
    try:
        value = obj.metadata.get("scriptkit")
    except AttributeError:
        return _EMPTY
    return value if isinstance(value, otio._otio.AnyDictionary | dict) else _EMPTY


def _each(sequence: Any) -> Iterator[Any]:
    """Items of an OTIO list by index: iterating one directly ends in an exception that costs ~25 µs."""
    for index in range(len(sequence)):
        yield sequence[index]


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    """Every string inside a metadata value (dicts and lists walked, bounded depth)."""
    if depth > 8:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, otio._otio.AnyDictionary | dict):
        for key in sorted(value.keys()):
            yield from _strings(value[key], depth + 1)
    elif isinstance(value, otio._otio.AnyVector | list | tuple):
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
    md = _sk(item)
    # the key that names this kind of clip first: a missing key costs an exception in OTIO's AnyDictionary
    kind = md.get("kind") if md else None
    keys = _ID_KEYS.get(kind, ("line_id", "cue_id", "music_id", "shot_id")) if md else ()
    for key in keys:
        value = md.get(key)
        if isinstance(value, str):
            yield "metadata", value
    metadata = getattr(item, "metadata", {})
    keys = [k for k in ADAPTER_KEYS if k in metadata]
    keys += sorted(k for k in metadata if k != "scriptkit" and k not in ADAPTER_KEYS)
    for key in keys:
        for text in _strings(metadata[key]):
            yield "adapter", text
    for marker in _each(getattr(item, "markers", [])):
        yield "marker", marker.name or ""
        yield "marker", marker.comment or ""
    yield "name", item.name or ""
    yield "file", _media_name(item)


def identify(item: Any, known: KnownIds) -> Identity:
    """The owner of a clip, from the most trusted slot that names an id the plan knows."""
    md = _sk(item)
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


# ------------------------------------------------------------------------------------------ layout


@dataclass
class Placed:
    """One clip of a timeline, where it sits (frames at the plan rate, from the start of its track)."""

    clip: otio.schema.Clip
    identity: Identity
    track: int
    track_name: str
    track_kind: str
    index: int
    start: int
    duration: int
    source_in: int

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True)
class Join:
    """A transition on a track: between `before` and `after` (owner id, 'black' for a gap or the track edge)."""

    track_kind: str
    before: str
    after: str
    kind: str
    frames: int
    at: int


@dataclass(frozen=True)
class MarkerInfo:
    name: str
    comment: str
    color: str
    owner: str
    at: int


@dataclass
class Layout:
    """A timeline flattened into clips, joins and markers, with identities resolved."""

    rate: float
    clips: list[Placed]
    joins: list[Join]
    markers: list[MarkerInfo]

    def shots(self) -> list[Placed]:
        return [p for p in self.clips if p.identity.kind == "shot" and p.track_kind == otio.schema.TrackKind.Video]

    def by_owner(self) -> dict[str, list[Placed]]:
        result: dict[str, list[Placed]] = {}
        for placed in self.clips:
            if placed.identity.owner:
                result.setdefault(placed.identity.owner, []).append(placed)
        return result


def timeline_rate(timeline: otio.schema.Timeline) -> float:
    """The timeline's frame rate: scriptkit metadata, else the first clip's, else the global start's, else 24."""
    fps = _sk(timeline).get("fps")
    if fps:
        try:
            return float(Fraction(str(fps)))
        except (ValueError, ZeroDivisionError):
            pass
    for clip in timeline.find_clips():
        if clip.source_range is not None and clip.source_range.duration.rate > 0:
            return clip.source_range.duration.rate
    if timeline.global_start_time is not None and timeline.global_start_time.rate > 0:
        return timeline.global_start_time.rate
    return 24.0


def frames(rt: otio.opentime.RationalTime, rate: float) -> int:
    """A RationalTime as whole frames at `rate`."""
    if rt.rate == rate:
        return round(rt.value)
    return round(rt.value_rescaled_to(rate))


def rt(n: int | float, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(n, rate)


def _item_frames(item: Any, rate: float) -> int:
    try:
        return frames(item.duration(), rate)
    except Exception:  # a clip with no range at all: no time on the track
        return 0


def _source_in(item: Any, rate: float) -> int:
    try:
        return frames(item.trimmed_range().start_time, rate)
    except Exception:
        return 0


def _transition_kind(item: otio.schema.Transition, before: str, after: str) -> str:
    md = _sk(item)
    kind = str(md.get("kind") or "")
    if kind in ("fade_in", "fade_out"):
        return kind.replace("_", " ")
    name = (item.name or "").lower()
    if "fade" in name and ("in" in name.split() or before == "black"):
        return "fade in"
    if "fade" in name and ("out" in name.split() or after == "black"):
        return "fade out"
    if before == "black":
        return "fade in"
    if after == "black":
        return "fade out"
    if md.get("wipe") or "wipe" in name:
        return "wipe"
    ttype = item.transition_type or ""
    if ttype == otio.schema.TransitionTypes.SMPTE_Dissolve or "dissolve" in name or "cross" in name:
        return "dissolve"
    return ttype or "transition"


def layout(
    timeline: otio.schema.Timeline, known: KnownIds, rate: float | None = None, *, with_markers: bool = True
) -> Layout:
    """Flatten a timeline: every clip placed and identified, every transition keyed by its neighbours.

    `with_markers=False` leaves the markers out (reading them is the slow part of a long timeline)."""
    rate = rate or timeline_rate(timeline)
    clips: list[Placed] = []
    joins: list[Join] = []
    markers: list[MarkerInfo] = []
    for marker in _each(timeline.tracks.markers) if with_markers else ():
        markers.append(_marker_info(marker, "timeline", 0, rate))
    for t_index, track in enumerate(timeline.tracks):
        if not isinstance(track, otio.schema.Track):
            continue
        for marker in _each(track.markers) if with_markers else ():
            markers.append(_marker_info(marker, track.name or f"track {t_index + 1}", 0, rate))
        position = 0
        keys: list[str] = []
        items = list(track)
        for index, item in enumerate(items):
            if isinstance(item, otio.schema.Transition):
                keys.append("")
                continue
            duration = _item_frames(item, rate)
            if isinstance(item, otio.schema.Clip):
                identity = identify(item, known)
                source_in = _source_in(item, rate)
                clips.append(
                    Placed(
                        item,
                        identity,
                        t_index,
                        track.name,
                        track.kind,
                        index,
                        position,
                        duration,
                        source_in,
                    )
                )
                key = identity.owner or f"clip '{item.name}'"
                for marker in _each(item.markers) if with_markers else ():
                    markers.append(_marker_info(marker, key, position - source_in, rate))
            elif isinstance(item, otio.schema.Gap):
                key = "black"
            else:
                key = f"{type(item).__name__.lower()} '{item.name}'"
            keys.append(key)
            position += duration
        position = 0
        for index, item in enumerate(items):
            if isinstance(item, otio.schema.Transition):
                before = next((k for k in reversed(keys[:index]) if k), "black")
                after = next((k for k in keys[index + 1 :] if k), "black")
                total = frames(item.in_offset, rate) + frames(item.out_offset, rate)
                joins.append(Join(track.kind, before, after, _transition_kind(item, before, after), total, position))
            else:
                position += _item_frames(item, rate)
    return Layout(rate, clips, joins, markers)


def _marker_info(marker: otio.schema.Marker, owner: str, offset: int, rate: float) -> MarkerInfo:
    at = offset + frames(marker.marked_range.start_time, rate)
    return MarkerInfo(marker.name or "", marker.comment or "", str(marker.color or ""), owner, at)


# -------------------------------------------------------------------------------------------- diff


@dataclass(frozen=True)
class Trim:
    shot_id: str
    in_delta: int  # frames: positive = the head was trimmed (later in-point)
    out_delta: int  # frames: positive = the tail was extended (later out-point)
    planned: tuple[int, int]  # source in, source out (exclusive), frames
    edited: tuple[int, int]


@dataclass(frozen=True)
class Move:
    shot_id: str
    planned_index: int
    edited_index: int


@dataclass(frozen=True)
class Duplicate:
    owner: str
    count: int
    starts: tuple[int, ...]


@dataclass(frozen=True)
class Foreign:
    name: str
    track: str
    start: int
    duration: int
    media: str


@dataclass(frozen=True)
class JoinChange:
    status: Literal["added", "removed", "changed"]
    before: str
    after: str
    old_kind: str = ""
    new_kind: str = ""
    old_frames: int = 0
    new_frames: int = 0


@dataclass(frozen=True)
class AudioChange:
    owner: str
    kind: str  # "dialogue" | "cue" | "music"
    status: Literal["moved", "retimed", "deleted", "track"]
    planned_offset: int = 0  # frames from its shot's start (or from the track start when the shot is gone)
    edited_offset: int = 0
    planned_frames: int = 0
    edited_frames: int = 0
    planned_track: str = ""
    edited_track: str = ""


@dataclass(frozen=True)
class MediaNote:
    clip: str
    url: str
    reason: str


@dataclass
class TimelineDiff:
    """Everything the editor changed, by owner id; frames at the plan's rate."""

    rate: float
    identified: dict[str, int] = field(default_factory=dict)  # slot -> clips identified through it
    trims: list[Trim] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    foreign: list[Foreign] = field(default_factory=list)
    joins: list[JoinChange] = field(default_factory=list)
    audio: list[AudioChange] = field(default_factory=list)
    markers: list[MarkerInfo] = field(default_factory=list)
    media: list[MediaNote] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.trims
            or self.moves
            or self.deleted
            or self.duplicates
            or self.foreign
            or self.joins
            or self.audio
            or self.markers
        )


def _first(placed: Iterable[Placed]) -> dict[str, Placed]:
    result: dict[str, Placed] = {}
    for p in placed:
        if p.identity.owner and p.identity.owner not in result:
            result[p.identity.owner] = p
    return result


def _video_order(lay: Layout) -> list[Placed]:
    """Shot clips on video tracks in timeline order (start, then track)."""
    return sorted(lay.shots(), key=lambda p: (p.start, p.track))


def diff_layouts(plan: Layout, edited: Layout, project_dir: Path | None = None) -> TimelineDiff:
    """Compare an edited layout with the plan's, owner by owner."""
    from scriptkit.scriptdiff import longest_common_subsequence

    rate = plan.rate
    diff = TimelineDiff(rate)
    for p in edited.clips:
        if p.identity.slot:
            diff.identified[p.identity.slot] = diff.identified.get(p.identity.slot, 0) + 1

    plan_shots = _first(_video_order(plan))
    edited_order = _video_order(edited)
    edited_shots = _first(edited_order)
    # trims: first occurrence of each shot
    for shot_id, p in plan_shots.items():
        e = edited_shots.get(shot_id)
        if e is None:
            diff.deleted.append(shot_id)
            continue
        planned = (p.source_in, p.source_in + p.duration)
        got = (e.source_in, e.source_in + e.duration)
        if planned != got:
            diff.trims.append(Trim(shot_id, got[0] - planned[0], got[1] - planned[1], planned, got))
    # reorders: shots outside the longest common subsequence of the two orders
    plan_ids = list(plan_shots)
    edited_ids = [s for s in edited_shots if s in plan_shots]
    keep = set(longest_common_subsequence(plan_ids, edited_ids))
    for index, shot_id in enumerate(edited_ids):
        if shot_id not in keep:
            diff.moves.append(Move(shot_id, plan_ids.index(shot_id), index))
    # duplicates
    by_owner = edited.by_owner()
    for owner, placed in by_owner.items():
        if len(placed) > 1:
            diff.duplicates.append(Duplicate(owner, len(placed), tuple(p.start for p in placed)))
    # foreign clips
    for p in edited.clips:
        if p.identity.kind == "foreign":
            diff.foreign.append(Foreign(p.clip.name or "", p.track_name or "", p.start, p.duration, _url(p.clip)))
    # transitions
    diff.joins = _diff_joins(plan.joins, edited.joins)
    # audio
    diff.audio = _diff_audio(plan, edited)
    # markers added
    planned_markers = {(m.name, m.owner) for m in plan.markers}
    diff.markers = [m for m in edited.markers if (m.name, m.owner) not in planned_markers and not _is_own_marker(m)]
    if project_dir is not None:
        diff.media = media_outside(edited, project_dir)
    return diff


def _is_own_marker(marker: MarkerInfo) -> bool:
    """A marker scriptkit itself wrote on a shot (name = shot id), possibly re-homed by a reader."""
    return marker.name == marker.owner


def _diff_joins(plan: list[Join], edited: list[Join]) -> list[JoinChange]:
    planned = {(j.before, j.after): j for j in plan if j.track_kind == otio.schema.TrackKind.Video}
    got = {(j.before, j.after): j for j in edited if j.track_kind == otio.schema.TrackKind.Video}
    changes: list[JoinChange] = []
    for key, j in planned.items():
        e = got.get(key)
        if e is None:
            changes.append(JoinChange("removed", j.before, j.after, j.kind, "", j.frames, 0))
        elif (e.kind, e.frames) != (j.kind, j.frames):
            changes.append(JoinChange("changed", j.before, j.after, j.kind, e.kind, j.frames, e.frames))
    for key, e in got.items():
        if key not in planned:
            changes.append(JoinChange("added", e.before, e.after, "", e.kind, 0, e.frames))
    return changes


def _diff_audio(plan: Layout, edited: Layout) -> list[AudioChange]:
    plan_shots = _first(_video_order(plan))
    edited_shots = _first(_video_order(edited))
    plan_audio = _first(p for p in plan.clips if p.identity.kind in ("dialogue", "cue"))
    edited_audio = _first(p for p in edited.clips if p.identity.kind in ("dialogue", "cue"))
    changes: list[AudioChange] = []
    for owner, p in plan_audio.items():
        e = edited_audio.get(owner)
        kind = p.identity.kind
        if e is None:
            changes.append(AudioChange(owner, kind, "deleted", planned_frames=p.duration, planned_track=p.track_name))
            continue
        shot_id = p.identity.shot_id or ""
        ps, es = plan_shots.get(shot_id), edited_shots.get(shot_id)
        planned_offset = p.start - ps.start if ps else p.start
        edited_offset = e.start - es.start if (es and ps) else e.start
        if planned_offset != edited_offset:
            changes.append(AudioChange(owner, kind, "moved", planned_offset, edited_offset, p.duration, e.duration))
        if (p.source_in, p.duration) != (e.source_in, e.duration) or _speed(e.clip) != 1.0:
            changes.append(AudioChange(owner, kind, "retimed", planned_offset, edited_offset, p.duration, e.duration))
        if p.track_name and e.track_name and p.track_name != e.track_name:
            changes.append(AudioChange(owner, kind, "track", planned_track=p.track_name, edited_track=e.track_name))
    return changes


def _speed(clip: otio.schema.Clip) -> float:
    speed = 1.0
    for effect in _each(clip.effects):
        if isinstance(effect, otio.schema.LinearTimeWarp):
            speed *= effect.time_scalar
    return speed


def _url(clip: otio.schema.Clip) -> str:
    reference = clip.media_reference
    return getattr(reference, "target_url", "") or ""


def media_outside(lay: Layout, project_dir: Path) -> list[MediaNote]:
    """Clips whose media lies outside the project folder (or is not a local file): reported, never written to."""
    from scriptkit.io import url_to_path

    root = Path(os.path.realpath(project_dir))
    notes: list[MediaNote] = []
    for p in lay.clips:
        url = _url(p.clip)
        if not url:
            continue
        try:
            path = url_to_path(url)
        except ValueError:
            notes.append(MediaNote(p.clip.name or "", url, "not a local file"))
            continue
        if not path.is_absolute():
            path = root / path
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(root):
            notes.append(MediaNote(p.clip.name or "", url, "outside the project folder"))
    return notes


def diff_timelines(
    plan: otio.schema.Timeline, edited: otio.schema.Timeline, project_dir: Path | None = None
) -> TimelineDiff:
    """Diff an edited timeline against the plan timeline (both OTIO)."""
    known = known_ids_from_timeline(plan)
    rate = timeline_rate(plan)
    plan_layout = layout(plan, known, rate)
    edited_layout = layout(edited, known, rate)
    require_ids(edited_layout, None)
    return diff_layouts(plan_layout, edited_layout, project_dir)


def require_ids(lay: Layout, path: Path | None) -> None:
    """Refuse a timeline in which no clip carries an id of this project."""
    if not any(p.identity.kind != "foreign" for p in lay.clips):
        raise ScriptkitError(
            f"no clip in this timeline carries a shot id of this project ({len(lay.clips)} clips looked at)",
            path,
            hint="is it an export of a timeline from another project?",
        )


# ------------------------------------------------------------------------------------------ report


def require_rate(timeline: otio.schema.Timeline, rate: float, path: Path) -> None:
    """Refuse an edited timeline at another frame rate than the plan's: its cuts would land between our frames.

    An EDL does not carry its rate (the reader guesses it), so it is read at face value and not refused here.
    """
    if guess_format(Path(path)) == "edl":
        return
    edited = timeline_rate(timeline)
    if abs(edited - rate) > 0.01:
        raise ScriptkitError(
            f"the timeline runs at {edited:.3f} fps but the project at {rate:.3f} fps",
            path,
            hint="export it from a timeline at the project's frame rate; scriptkit does not retime an edit",
        )


def tc(frame: int, rate: float) -> str:
    """Frames as a duration-style timecode (HH:MM:SS:FF) at the integer timebase of `rate`."""
    from scriptkit.rates import frames_to_timecode, rational

    return frames_to_timecode(frame, rational(rate))


def _signed(n: int) -> str:
    return f"{n:+d}"


def report_lines(diff: TimelineDiff) -> list[str]:
    """The timeline diff in plain words, one line per fact."""
    lines: list[str] = []
    rate = diff.rate
    if diff.identified:
        how = ", ".join(
            f"{n} by {slot}" for slot, n in sorted(diff.identified.items(), key=lambda kv: SLOTS.index(kv[0]))
        )
        lines.append(f"recognised {sum(diff.identified.values())} clips ({how})")
    for t in diff.trims:
        parts = []
        if t.in_delta:
            parts.append(f"in {_signed(t.in_delta)} frames")
        if t.out_delta:
            parts.append(f"out {_signed(t.out_delta)} frames")
        length = (t.edited[1] - t.edited[0]) - (t.planned[1] - t.planned[0])
        lines.append(f"trimmed {t.shot_id}: {', '.join(parts)} (length {_signed(length)} frames)")
    for m in diff.moves:
        lines.append(f"moved {m.shot_id}: position {m.planned_index + 1} -> {m.edited_index + 1}")
    for shot_id in diff.deleted:
        lines.append(f"deleted {shot_id}")
    for d in diff.duplicates:
        at = ", ".join(tc(s, rate) for s in d.starts)
        lines.append(f"duplicated {d.owner}: {d.count} times (at {at})")
    for f in diff.foreign:
        media = f", media {f.media}" if f.media else ""
        lines.append(f"new clip '{f.name}' on {f.track} at {tc(f.start, rate)}, {f.duration} frames{media}")
    for j in diff.joins:
        between = f"{j.before} -> {j.after}"
        if j.status == "added":
            lines.append(f"added {j.new_kind} ({j.new_frames} frames) at {between}")
        elif j.status == "removed":
            lines.append(f"removed {j.old_kind} ({j.old_frames} frames) at {between}")
        else:
            lines.append(
                f"changed {j.old_kind} ({j.old_frames} frames) to {j.new_kind} ({j.new_frames} frames) at {between}"
            )
    for a in diff.audio:
        what = "line" if a.kind == "dialogue" else "cue"
        if a.status == "deleted":
            lines.append(f"deleted {what} {a.owner}")
        elif a.status == "moved":
            lines.append(
                f"moved {what} {a.owner} by {_signed(a.edited_offset - a.planned_offset)} frames against its shot"
            )
        elif a.status == "retimed":
            lines.append(f"retimed {what} {a.owner}: {a.planned_frames} -> {a.edited_frames} frames")
        else:
            lines.append(f"moved {what} {a.owner} from track {a.planned_track} to {a.edited_track}")
    for m in diff.markers:
        comment = f": {m.comment}" if m.comment else ""
        lines.append(f"added marker '{m.name}' on {m.owner} at {tc(m.at, rate)}{comment}")
    for n in diff.media:
        lines.append(f"warning: clip '{n.clip}' names media {n.reason}: {n.url} (kept as is, never written)")
    if diff.empty:
        lines.append("no editorial changes")
    return lines


# ----------------------------------------------------------------------------------------- reading


#: file suffix -> registry format name
SUFFIX_FORMATS: dict[str, str] = {
    ".fcpxml": "fcpxml",
    ".fcpxmld": "fcpxml",
    ".edl": "edl",
    ".aaf": "aaf",
    ".otio": "otio",
    ".otioz": "otioz",
    ".json": "otio",
}


def guess_format(path: Path) -> str:
    """The registry format of an edited timeline file, from its suffix (and for .xml, its root element)."""
    suffix = path.suffix.lower()
    if suffix in SUFFIX_FORMATS:
        return SUFFIX_FORMATS[suffix]
    if suffix == ".xml":
        try:
            with open(path, "rb") as handle:
                head = handle.read(4096)
        except OSError as exc:
            raise ScriptkitError(f"cannot read file: {exc.strerror}", path) from None
        return "fcpxml" if b"<fcpxml" in head else "xmeml"
    raise ScriptkitError(
        f"unknown timeline format {suffix or '(no suffix)'!r}",
        path,
        hint="expected .fcpxml, .fcpxmld, .xml (Premiere/FCP7), .edl, .aaf, .otio or .otioz",
    )


def read_timeline(path: Path) -> otio.schema.Timeline:
    """Read an edited timeline through the format registry; every failure becomes one clear ScriptkitError."""
    from exporters import get_format

    path = Path(path)
    if not path.exists():
        raise ScriptkitError("file not found", path)
    name = guess_format(path)
    fmt = get_format(name)
    if fmt.read is None:
        raise ScriptkitError(f"scriptkit cannot read {name} files yet", path)
    try:
        timeline = fmt.read(path)
    except ScriptkitError:
        raise
    except RecursionError:
        raise ScriptkitError(f"cannot read {name} file: nested too deeply", path) from None
    except Exception as exc:  # a reader's bug or a library error: still one clear line, never a traceback
        raise ScriptkitError(f"cannot read {name} file: {type(exc).__name__}: {exc}", path) from None
    if not isinstance(timeline, otio.schema.Timeline):
        raise ScriptkitError(f"the {name} file holds no timeline", path)
    return timeline


@dataclass
class Plan:
    """A project's plan: its folder, the timeline as written and the ids it knows."""

    project_dir: Path
    timeline: otio.schema.Timeline
    known: KnownIds
    rate: float


def load_plan(plan: Path) -> Plan:
    """The plan timeline from a project folder (its .otio, else rebuilt from shots.yaml + assets) or a timeline file."""
    plan = Path(plan)
    if plan.is_dir() and plan.suffix.lower() != ".fcpxmld":
        project_dir = plan
        timeline = _project_timeline(plan)
    elif plan.exists():
        project_dir = plan.parent
        timeline = read_timeline(plan)
    else:
        raise ScriptkitError("no such project folder or timeline file", plan)
    known = known_ids_from_timeline(timeline)
    if not known.shots:
        raise ScriptkitError("the plan timeline carries no scriptkit shot ids", plan, hint="pass a project folder")
    return Plan(project_dir, timeline, known, timeline_rate(timeline))


def _project_timeline(project: Path) -> otio.schema.Timeline:
    import json

    manifest_path = project / "manifest.json"
    candidates: list[Path] = []
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ScriptkitError(f"cannot read manifest: {exc}", manifest_path) from None
        for output in manifest.get("outputs", []):
            if output.get("format") == "otio" and output.get("path"):
                candidates.append(project / output["path"])
    candidates += sorted(project.glob("*.otio"))
    for candidate in candidates:
        if candidate.is_file():
            return read_timeline(candidate)
    shots, assets = project / "shots.yaml", project / "media" / "assets.json"
    if shots.exists() and assets.exists():
        from scriptkit.models import Assets
        from scriptkit.shotlist_io import read_shotlist
        from scriptkit.timeline import build_timeline

        shotlist = read_shotlist(shots)
        record = Assets.model_validate_json(assets.read_text(encoding="utf-8"))
        return build_timeline(shotlist, record, project / "media")
    raise ScriptkitError("not a scriptkit project: no .otio timeline, no shots.yaml + media/assets.json", project)


def diff_command(plan_file: Path, edited: Path) -> list[str]:
    """`scriptkit diff PLAN EDITED`: the editor's changes in plain words.

    PLAN is a project folder (its latest version, as `refine` would build on it) or a timeline file we wrote.
    """
    from scriptkit.refine import version_dirs

    plan_file = Path(plan_file)
    header: list[str] = []
    root = plan_file if plan_file.is_dir() else plan_file.parent
    if plan_file.is_dir():
        versions = version_dirs(plan_file)
        if versions:
            plan_file = versions[-1][1]
            header.append(f"against {plan_file.parent.name}/{plan_file.name} (the project's latest version)")
    plan = load_plan(plan_file)
    timeline = read_timeline(edited)
    edited_layout = layout(timeline, plan.known, plan.rate)
    require_ids(edited_layout, edited)
    require_rate(timeline, plan.rate, edited)
    diff = diff_layouts(layout(plan.timeline, plan.known, plan.rate), edited_layout, root)
    return header + report_lines(diff)


# ---------------------------------------------------------------------------------------- conform


@dataclass
class ConformReport:
    """What conform did to the edited timeline."""

    swapped: list[tuple[str, str]] = field(default_factory=list)  # (owner, kind) whose media was replaced
    resized: list[tuple[str, int, int]] = field(default_factory=list)  # (owner, old frames, new frames)
    inserted: list[str] = field(default_factory=list)  # owners placed new
    removed: list[str] = field(default_factory=list)  # owners dropped
    flagged: list[str] = field(default_factory=list)  # removed shots kept with a marker
    marked: list[str] = field(default_factory=list)  # shots given a "changed" marker
    locked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ConformResult:
    timeline: otio.schema.Timeline
    report: ConformReport


def _plan_clips(lay: Layout) -> dict[str, Placed]:
    """First clip of each owner in a plan layout (shots from video tracks, the rest from audio)."""
    return _first(lay.clips)


def _hash(clip: otio.schema.Clip) -> str:
    return str(_sk(clip).get("asset_hash") or _url(clip))


def _set_metadata(clip: otio.schema.Clip, source: otio.schema.Clip) -> None:
    clip.metadata["scriptkit"] = copy.deepcopy(source.metadata.get("scriptkit", {}))


def _cover(clip: otio.schema.Clip, rate: float) -> None:
    """Make the media's available range cover the clip's source range (a still image has any length)."""
    reference = clip.media_reference
    if clip.source_range is None or reference is None or reference.available_range is None:
        return
    available = reference.available_range
    want_start = min(frames(available.start_time, rate), frames(clip.source_range.start_time, rate))
    want_end = max(frames(available.end_time_exclusive(), rate), frames(clip.source_range.end_time_exclusive(), rate))
    reference.available_range = otio.opentime.TimeRange(rt(want_start, rate), rt(want_end - want_start, rate))


def _change_marker(clip: otio.schema.Clip, name: str, comment: str, shot_id: str, rate: float) -> None:
    start = clip.source_range.start_time if clip.source_range else rt(0, rate)
    clip.markers.append(
        otio.schema.Marker(
            name=name,
            marked_range=otio.opentime.TimeRange(start, rt(1, rate)),
            color=CHANGED_COLOR,
            comment=comment,
            metadata={"scriptkit": {"shot_id": shot_id, "refine": name.split()[0].lower()}},
        )
    )


def _insert_time(track: otio.schema.Track, at: int, delta: int, rate: float) -> int:
    """Ripple a position-based track: items starting at or after `at` move by `delta` frames.

    Only gaps are lengthened, shortened or inserted, so clips and their transitions stay as they are.
    Returns the frames that could not be taken out (a negative ripple blocked by a clip).
    """
    if delta == 0:
        return 0
    position = 0
    items = list(track)
    for index, item in enumerate(items):
        if isinstance(item, otio.schema.Transition):
            continue
        length = _item_frames(item, rate)
        if position + length <= at and not (length == 0 and position == at):
            position += length
            continue
        # `item` is the first item that ends after `at` (or starts at it)
        if isinstance(item, otio.schema.Gap):
            new = max(0, length + delta)
            item.source_range = otio.opentime.TimeRange(rt(0, rate), rt(new, rate))
            return -(length + delta) if length + delta < 0 else 0
        if position >= at:  # a clip starting at/after the point: a gap before it
            if delta > 0:
                track.insert(index, otio.schema.Gap(duration=rt(delta, rate)))
                return 0
            return -delta
        # a clip straddling the point: the gap after it takes the change
        nxt = index + 1
        while nxt < len(items) and isinstance(items[nxt], otio.schema.Transition):
            nxt += 1
        if nxt < len(items) and isinstance(items[nxt], otio.schema.Gap):
            gap = items[nxt]
            old = _item_frames(gap, rate)
            new = max(0, old + delta)
            gap.source_range = otio.opentime.TimeRange(rt(0, rate), rt(new, rate))
            return -(old + delta) if old + delta < 0 else 0
        if delta > 0 and nxt < len(items):
            track.insert(nxt, otio.schema.Gap(duration=rt(delta, rate)))
            return 0
        return -delta if delta < 0 and nxt < len(items) else 0
    return 0


def _shift(ripples: list[tuple[int, int]], start: int) -> int:
    return sum(delta for at, delta in ripples if at <= start)


def _ripple_track(
    track: otio.schema.Track,
    ripples: list[tuple[int, int]],
    shot_starts: dict[str | None, int],
    identities: dict[int, Identity],
    known: KnownIds,
    rate: float,
    report: ConformReport,
) -> None:
    """Move a track's clips by the time the picture gained or lost before them.

    A clip that belongs to a shot (a line, a cue; a PRE-LAP too) moves with its shot; anything else moves by
    the time gained before its start. A track with transitions is rippled by changing its gaps only.
    """
    if any(isinstance(item, otio.schema.Transition) for item in track):
        for at, delta in sorted(ripples, key=lambda r: -r[0]):
            blocked = _insert_time(track, at, delta, rate)
            if blocked:
                report.notes.append(f"track {track.name}: could not close {blocked} frames at {tc(at, rate)}")
        return
    placed: list[tuple[int, int, Any]] = []
    position = 0
    for order, item in enumerate(track):
        length = _item_frames(item, rate)
        if not isinstance(item, otio.schema.Gap):
            identity = identities.get(id(item)) or identify(item, known)
            shot_id = identity.shot_id
            anchor = shot_starts.get(shot_id, position) if shot_id else position
            placed.append((max(0, position + _shift(ripples, anchor)), order, item))
        position += length
    if not placed:
        return
    placed.sort(key=lambda entry: (entry[0], entry[1]))
    items: list[Any] = []
    cursor = 0
    for start, _order, item in placed:
        if start < cursor:
            report.notes.append(f"{item.name}: pushed {cursor - start} frames later on {track.name} (no room)")
            start = cursor
        if start > cursor:
            items.append(otio.schema.Gap(duration=rt(start - cursor, rate)))
        items.append(item)
        cursor = start + _item_frames(item, rate)
    del track[:]
    track.extend(items)


def _place_at(track: otio.schema.Track, clip: otio.schema.Clip, start: int, rate: float) -> bool:
    """Put `clip` at absolute frame `start` of a position-based track, if the space is free (a gap or the end)."""
    length = _item_frames(clip, rate)
    position = 0
    for index, item in enumerate(list(track)):
        if isinstance(item, otio.schema.Transition):
            continue
        item_len = _item_frames(item, rate)
        if position + item_len <= start:
            position += item_len
            continue
        if not isinstance(item, otio.schema.Gap) or start < position or start + length > position + item_len:
            return False
        before, after = start - position, position + item_len - start - length
        del track[index]
        pieces: list[Any] = []
        if before:
            pieces.append(otio.schema.Gap(duration=rt(before, rate)))
        pieces.append(clip)
        if after:
            pieces.append(otio.schema.Gap(duration=rt(after, rate)))
        for offset, piece in enumerate(pieces):
            track.insert(index + offset, piece)
        return True
    if start > position:
        track.append(otio.schema.Gap(duration=rt(start - position, rate)))
    track.append(clip)
    return True


def _resize_in_place(track: otio.schema.Track, index: int, new_len: int, rate: float) -> int:
    """Change the length of the clip at `index` keeping later items where they are (the next gap absorbs it).

    Returns frames by which later items had to be pushed (0 when the gap absorbed it all).
    """
    clip = track[index]
    old_len = _item_frames(clip, rate)
    delta = new_len - old_len
    start = clip.source_range.start_time if clip.source_range else rt(0, rate)
    clip.source_range = otio.opentime.TimeRange(start, rt(new_len, rate))
    if delta == 0:
        return 0
    nxt = index + 1
    if nxt < len(track) and isinstance(track[nxt], otio.schema.Gap):
        gap_len = _item_frames(track[nxt], rate)
        if gap_len - delta >= 0:
            track[nxt].source_range = otio.opentime.TimeRange(rt(0, rate), rt(gap_len - delta, rate))
            return 0
        track[nxt].source_range = otio.opentime.TimeRange(rt(0, rate), rt(0, rate))
        return delta - gap_len
    if delta < 0 and nxt < len(track):
        track.insert(nxt, otio.schema.Gap(duration=rt(-delta, rate)))
        return 0
    return max(0, delta) if nxt < len(track) else 0


def _primary_video(timeline: otio.schema.Timeline, lay: Layout) -> int | None:
    counts: dict[int, int] = {}
    for p in lay.shots():
        counts[p.track] = counts.get(p.track, 0) + 1
    if counts:
        return max(sorted(counts), key=lambda t: counts[t])
    for index, track in enumerate(timeline.tracks):
        if isinstance(track, otio.schema.Track) and track.kind == otio.schema.TrackKind.Video:
            return index
    return None


def conform_timeline(
    edited: otio.schema.Timeline,
    old_plan: otio.schema.Timeline,
    new_plan: otio.schema.Timeline,
    *,
    changes: ShotListDiff | None = None,
    length: LengthPolicy = "hold",
    lock: Iterable[str] = (),
    removed: RemovedPolicy = "drop",
    copy_edited: bool = True,
) -> ConformResult:
    """The edited timeline with the new plan applied; the editor's order, trims and transitions kept.

    - A clip whose asset changed between the old and the new plan gets the new media and metadata in place
      (same clip, source in/out kept). With `length="ripple"` a shot whose planned length changed by N frames
      gets N frames longer/shorter and everything after it on every track moves by N frames.
    - A changed dialogue line or cue: the new voice at the same position, at its new length (later clips on
      the track stay where they are when the gap after it allows).
    - Shots and lines new in the new plan are placed after their neighbour in script order.
    - Shots gone from the new plan are dropped (their time kept as black with `hold`, closed with `ripple`)
      or, with `removed="flag"`, kept with a red marker. Locked shots (and their audio) are never touched.

    `copy_edited=False` works on `edited` itself (saves a copy of a feature-length timeline).
    """
    if length not in ("hold", "ripple"):
        raise ScriptkitError(f"unknown --length policy {length!r}: use hold or ripple")
    rate = timeline_rate(old_plan)
    locked = set(lock)
    report = ConformReport(locked=sorted(locked))
    known = known_ids_from_timeline(old_plan).union(known_ids_from_timeline(new_plan))
    new_layout = layout(new_plan, known, rate, with_markers=False)
    old_layout = new_layout if old_plan is new_plan else layout(old_plan, known, rate, with_markers=False)
    old_clips = _plan_clips(old_layout)
    new_clips = _plan_clips(new_layout)
    changed = changes.changed_by_id if changes is not None else {}

    out = copy.deepcopy(edited) if copy_edited else edited
    out.name = new_plan.name or out.name
    sk = dict(_sk(edited))
    sk.update(_sk(new_plan))
    out.metadata["scriptkit"] = sk
    lay = layout(out, known, rate, with_markers=False)
    primary = _primary_video(out, lay)
    ripples: list[tuple[int, int]] = []  # (position in edited frames, delta)

    def is_locked(identity: Identity) -> bool:
        return identity.shot_id in locked or identity.owner in locked

    def new_media(owner: str) -> otio.schema.Clip | None:
        old, new = old_clips.get(owner), new_clips.get(owner)
        if old is None or new is None:
            return None
        return new.clip if _hash(old.clip) != _hash(new.clip) else None

    # 1. clips in place: swaps, resizes, removals (walk each track back to front so indices stay valid)
    for placed in sorted(lay.clips, key=lambda p: (p.track, -p.index)):
        identity = placed.identity
        if identity.kind == "foreign" or identity.owner is None:
            continue
        if is_locked(identity):
            continue
        track = out.tracks[placed.track]
        clip = placed.clip
        owner = identity.owner
        if owner not in new_clips:
            if identity.kind == "shot" and removed == "flag":
                _change_marker(clip, "REMOVED", f"{owner} is no longer in the script", owner, rate)
                report.flagged.append(owner)
                continue
            report.removed.append(owner)
            if identity.kind == "shot" and length == "ripple" and placed.track == primary:
                del track[placed.index]
                ripples.append((placed.end, -placed.duration))
            else:
                track[placed.index] = otio.schema.Gap(duration=rt(placed.duration, rate))
            continue
        source = new_media(owner)
        if source is not None:
            clip.media_reference = copy.deepcopy(source.media_reference)
            report.swapped.append((owner, identity.kind))
        if source is not None or owner in changed or identity.shot_id in changed or "asset_hash" not in _sk(clip):
            _set_metadata(clip, new_clips[owner].clip)
        if identity.kind == "shot":
            old, new = old_clips.get(owner), new_clips[owner]
            delta = (new.duration - old.duration) if old is not None else 0
            if delta and length == "ripple" and clip.source_range is not None:
                new_len = max(1, placed.duration + delta)
                clip.source_range = otio.opentime.TimeRange(clip.source_range.start_time, rt(new_len, rate))
                report.resized.append((owner, placed.duration, new_len))
                if placed.track == primary:
                    ripples.append((placed.end, new_len - placed.duration))
            if source is not None or delta:
                _cover(clip, rate)
        elif source is not None and identity.kind in ("dialogue", "cue"):
            new = new_clips[owner]
            pushed = _resize_in_place(track, placed.index, new.duration, rate)
            clip.source_range = copy.deepcopy(new.clip.source_range)
            if new.duration != placed.duration:
                report.resized.append((owner, placed.duration, new.duration))
            if pushed:
                report.notes.append(
                    f"the new {owner} is {pushed} frames longer than the room after it: later clips on its track moved"
                )

    # 2. new shots after their neighbour in script order (positions in edited frames)
    if changes is not None and changes.added and primary is not None:
        _insert_new_shots(out, primary, changes, new_clips, known, rate, ripples, report)

    # 3. ripple every other track by the time the primary track gained or lost before each item
    if ripples:
        identities = {id(p.clip): p.identity for p in lay.clips}
        shot_starts = {
            p.identity.owner: p.start for p in reversed(lay.clips) if p.track == primary and p.identity.kind == "shot"
        }
        for t_index, track in enumerate(out.tracks):
            if t_index == primary or not isinstance(track, otio.schema.Track):
                continue
            _ripple_track(track, ripples, shot_starts, identities, known, rate, report)

    # 4. new dialogue lines and cues (in the new plan, not in the old): after their shot, as in the new plan
    _insert_new_audio(out, old_clips, new_layout, known, rate, report, locked)

    # 5. red markers on changed shots
    retaken = {owner for owner, kind in report.swapped if kind == "shot"}
    removed_clips = {id(p.clip) for p in lay.clips if p.identity.owner in report.removed}
    for placed in lay.shots():
        if id(placed.clip) in removed_clips:
            continue
        shot_id = placed.identity.owner or ""
        if (shot_id in changed or shot_id in retaken) and shot_id not in locked:
            what = changed[shot_id].summary() if shot_id in changed else ""
            if shot_id in retaken:
                what = f"{what}, new take" if what else "new take"
            _change_marker(placed.clip, f"CHANGED {shot_id}", what, shot_id, rate)
            if shot_id not in report.marked:
                report.marked.append(shot_id)
    return ConformResult(out, report)


def _insert_new_shots(
    out: otio.schema.Timeline,
    primary: int,
    changes: ShotListDiff,
    new_clips: dict[str, Placed],
    known: KnownIds,
    rate: float,
    ripples: list[tuple[int, int]],
    report: ConformReport,
) -> None:
    track = out.tracks[primary]
    order = [p.identity.owner for p in sorted(new_clips.values(), key=lambda p: p.start) if p.identity.kind == "shot"]
    added = [s for s in order if s in set(changes.added)]
    # edited positions of the clips present before any insertion (ripple positions are in these frames)
    original = {id(p.clip): p for p in layout(out, known, rate, with_markers=False).clips if p.track == primary}
    for shot_id in added:
        source = new_clips.get(shot_id)
        if source is None:
            continue
        current = [
            p
            for p in layout(out, known, rate, with_markers=False).clips
            if p.track == primary and p.identity.kind == "shot"
        ]
        by_id = _first(current)
        position = order.index(shot_id)
        anchor = next((by_id[s] for s in reversed(order[:position]) if s in by_id), None)
        clip = copy.deepcopy(source.clip)
        clip.markers.clear()
        _change_marker(clip, f"NEW {shot_id}", "new in the script", shot_id, rate)
        if anchor is not None:
            index = anchor.index + 1
            base = original.get(id(anchor.clip))
            at = base.end if base is not None else anchor.end
        else:
            first = min(current, key=lambda p: p.index) if current else None
            index = first.index if first is not None else len(track)
            base = original.get(id(first.clip)) if first is not None else None
            at = base.start if base is not None else 0
        track.insert(index, clip)
        ripples.append((at, source.duration))
        report.inserted.append(shot_id)


def _audio_track_for(out: otio.schema.Timeline, source: Placed, known: KnownIds, rate: float) -> otio.schema.Track:
    """The edited track holding this character's (or this kind's) audio, else a new one named like the plan's."""
    character = _sk(source.clip).get("character")
    lay = layout(out, known, rate, with_markers=False)
    for p in lay.clips:
        if p.track_kind != otio.schema.TrackKind.Audio or p.identity.kind != source.identity.kind:
            continue
        if source.identity.kind != "dialogue" or _sk(p.clip).get("character") == character:
            return out.tracks[p.track]
    for track in out.tracks:
        if isinstance(track, otio.schema.Track) and track.name == source.track_name:
            return track
    track = otio.schema.Track(name=source.track_name, kind=otio.schema.TrackKind.Audio)
    out.tracks.append(track)
    return track


def _insert_new_audio(
    out: otio.schema.Timeline,
    old_clips: dict[str, Placed],
    new_layout: Layout,
    known: KnownIds,
    rate: float,
    report: ConformReport,
    locked: set[str],
) -> None:
    new_shots = _first(new_layout.shots())
    for source in new_layout.clips:
        identity = source.identity
        if identity.kind not in ("dialogue", "cue") or identity.owner in old_clips:
            continue
        if identity.shot_id in locked:
            continue
        lay = layout(out, known, rate, with_markers=False)
        if any(p.identity.owner == identity.owner for p in lay.clips):
            continue
        shots = _first(_video_order(lay))
        shot = shots.get(identity.shot_id or "")
        plan_shot = new_shots.get(identity.shot_id or "")
        if shot is None or plan_shot is None:
            report.notes.append(f"{identity.owner}: its shot is not in the edit; not placed")
            continue
        start = max(0, shot.start + (source.start - plan_shot.start))
        clip = copy.deepcopy(source.clip)
        track = _audio_track_for(out, source, known, rate)
        if not _place_at(track, clip, start, rate):
            track = otio.schema.Track(name=f"{source.track_name} (new)", kind=otio.schema.TrackKind.Audio)
            parent = source.clip.parent()
            track.metadata["scriptkit"] = dict(_sk(parent)) if parent is not None else {}
            out.tracks.append(track)
            _place_at(track, clip, start, rate)
            report.notes.append(f"{identity.owner}: no room on its track; placed on new track {track.name}")
        report.inserted.append(identity.owner or "")


def conform_lines(report: ConformReport) -> list[str]:
    """What conform did, in plain words."""
    lines = []
    for owner, kind in report.swapped:
        lines.append(f"new {'take' if kind == 'shot' else kind} for {owner}")
    for owner, old, new in report.resized:
        lines.append(f"{owner}: {old} -> {new} frames")
    lines += [f"placed new {owner}" for owner in report.inserted]
    lines += [f"dropped {owner} (removed from the script)" for owner in report.removed]
    lines += [f"flagged {owner} (removed from the script, kept with a red marker)" for owner in report.flagged]
    lines += [f"locked {owner}: kept as it is" for owner in report.locked]
    lines += report.notes
    return lines
