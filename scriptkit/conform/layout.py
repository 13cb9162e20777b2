"""Conform, step 2 (layout): a timeline flattened (`scriptkit.contract.flatten`) into placed, identified clips,
joins keyed by their neighbours' owners, and markers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import opentimelineio as otio

from scriptkit.conform.identity import Identity, KnownIds, each, identify, scriptkit_md
from scriptkit.contract import flatten, frames_at, timeline_rate

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
    #: No audio track at all (a picture EDL): its dialogue, effects and music are not the editor's to delete.
    picture_only: bool = False

    def shots(self) -> list[Placed]:
        return [p for p in self.clips if p.identity.kind == "shot" and p.track_kind == otio.schema.TrackKind.Video]

    def by_owner(self) -> dict[str, list[Placed]]:
        result: dict[str, list[Placed]] = {}
        for placed in self.clips:
            if placed.identity.owner:
                result.setdefault(placed.identity.owner, []).append(placed)
        return result


def rt(n: int | float, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(n, rate)


def item_frames(item: Any, rate: float) -> int:
    """An item's length in whole frames at `rate` (0 for a clip with no range at all)."""
    try:
        return frames_at(item.duration(), rate)
    except Exception:
        return 0


def _transition_kind(item: otio.schema.Transition, before: str, after: str) -> str:
    md = scriptkit_md(item)
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
    rate = rate or float(timeline_rate(timeline))
    clips: list[Placed] = []
    joins: list[Join] = []
    markers: list[MarkerInfo] = []
    for marker in each(timeline.tracks.markers) if with_markers else ():
        markers.append(_marker_info(marker, "timeline", 0, rate))
    for t_index, track in enumerate(timeline.tracks):
        if not isinstance(track, otio.schema.Track):
            continue
        for marker in each(track.markers) if with_markers else ():
            markers.append(_marker_info(marker, track.name or f"track {t_index + 1}", 0, rate))
        slots, joints = flatten(track, rate)
        keys: dict[int, str] = {}  # track index of a clip or gap -> its owner key
        for slot in slots:
            item = slot.item
            if isinstance(item, otio.schema.Clip):
                identity = identify(item, known)
                placed = Placed(
                    item, identity, t_index, track.name, track.kind, slot.index, slot.start, slot.frames, slot.source_in
                )
                clips.append(placed)
                key = identity.owner or f"clip '{item.name}'"
                for marker in each(item.markers) if with_markers else ():
                    markers.append(_marker_info(marker, key, slot.start - slot.source_in, rate))
            elif isinstance(item, otio.schema.Gap):
                key = "black"
            else:
                key = f"{type(item).__name__.lower()} '{item.name}'"
            keys[slot.index] = key
        for joint in joints:
            before = keys[joint.before.index] if joint.before is not None else "black"
            after = keys[joint.after.index] if joint.after is not None else "black"
            kind = _transition_kind(joint.transition, before, after)
            joins.append(Join(track.kind, before, after, kind, joint.in_frames + joint.out_frames, joint.at))
    picture_only = not any(
        isinstance(track, otio.schema.Track) and track.kind == otio.schema.TrackKind.Audio for track in timeline.tracks
    )
    return Layout(rate, clips, joins, markers, picture_only)


def _marker_info(marker: otio.schema.Marker, owner: str, offset: int, rate: float) -> MarkerInfo:
    at = offset + frames_at(marker.marked_range.start_time, rate)
    return MarkerInfo(marker.name or "", marker.comment or "", str(marker.color or ""), owner, at)
