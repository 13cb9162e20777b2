"""Conform, step 3 (diff): the edited timeline against the plan (the timeline as we wrote it): trims in
frames, reorders, deletions, duplicates, foreign clips, transitions added/removed/changed, dialogue moved or
retimed, markers added, media named outside the project folder. `report_lines` says it in plain words.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import opentimelineio as otio

from scriptkit.conform.identity import SLOTS, each, known_ids_from_timeline, scriptkit_md
from scriptkit.conform.layout import Join, Layout, MarkerInfo, Placed, layout
from scriptkit.contract import SHOT_ID, caption_of, timeline_rate, track_role
from scriptkit.errors import ScriptkitError
from scriptkit.io import url_to_path
from scriptkit.subtitle_cues import same_text

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
    status: Literal["moved", "retimed", "deleted", "track", "muted"]
    planned_offset: int = 0  # frames from its shot's start (or from the track start when the shot is gone)
    edited_offset: int = 0
    planned_frames: int = 0
    edited_frames: int = 0
    planned_track: str = ""
    edited_track: str = ""


@dataclass(frozen=True)
class CaptionChange:
    """A line whose caption (subtitle text) the editor rewrote, as a reader found it in metadata["caption"]."""

    line_id: str
    planned: str
    edited: str


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
    #: The edited timeline has picture only (a picture EDL): the audio follows its shots and is not compared.
    picture_only: bool = False
    captions: list[CaptionChange] = field(default_factory=list)

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
            or self.captions
        )


def first_by_owner(placed: Iterable[Placed]) -> dict[str, Placed]:
    result: dict[str, Placed] = {}
    for p in placed:
        if p.identity.owner and p.identity.owner not in result:
            result[p.identity.owner] = p
    return result


def video_order(lay: Layout) -> list[Placed]:
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

    plan_shots = first_by_owner(video_order(plan))
    edited_order = video_order(edited)
    edited_shots = first_by_owner(edited_order)
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
    # foreign clips: the editor's own media, not counting what the plan already had (a version refined from an
    # edit keeps the editor's clips; the draft or file written for it may have copied their media elsewhere)
    for p in _not_in_plan([p for p in edited.clips if p.identity.kind == "foreign"], plan):
        diff.foreign.append(Foreign(p.clip.name or "", p.track_name or "", p.start, p.duration, media_url(p.clip)))
    # transitions
    diff.joins = _diff_joins(plan.joins, edited.joins)
    # audio
    diff.picture_only = edited.picture_only
    diff.audio = [] if edited.picture_only else _diff_audio(plan, edited)
    # markers added
    planned_markers = {(m.name, m.owner) for m in plan.markers}
    diff.markers = [m for m in edited.markers if (m.name, m.owner) not in planned_markers and not _is_own_marker(m)]
    diff.captions = _diff_captions(plan, edited)
    if project_dir is not None:
        diff.media = media_outside(edited, project_dir)
    return diff


def _not_in_plan(foreign: list[Placed], plan: Layout) -> list[Placed]:
    """The editor's clips that the plan does not hold: each plan clip of the editor's (by name and track kind)
    accounts for one of them, the same cut (in point and length) first."""

    def named(p: Placed) -> tuple[str, str]:
        return (p.clip.name or "", p.track_kind)

    def cut(p: Placed) -> tuple[str, str, int, int]:
        return (*named(p), p.source_in, p.duration)

    mine = [p for p in plan.clips if p.identity.kind == "foreign"]
    same_cut, same_name = Counter(map(cut, mine)), Counter(map(named, mine))
    left: list[Placed] = []
    for p in foreign:
        if same_cut[cut(p)] > 0:
            same_cut[cut(p)] -= 1
            same_name[named(p)] -= 1
        else:
            left.append(p)
    new: list[Placed] = []
    for p in left:
        if same_name[named(p)] > 0:
            same_name[named(p)] -= 1
        else:
            new.append(p)
    return new


def _diff_captions(plan: Layout, edited: Layout) -> list[CaptionChange]:
    """Lines whose caption in the edited timeline (metadata["caption"], where a reader found one) is not the
    subtitle the plan shows for them (an earlier caption of the editor's, else their text)."""
    planned = {p.identity.owner: p for p in plan.clips if p.identity.kind == "dialogue" and p.identity.owner}
    changes: list[CaptionChange] = []
    for p in edited.clips:
        caption = p.clip.metadata.get("caption") if p.identity.kind == "dialogue" else None
        before = planned.get(p.identity.owner or "")
        if isinstance(caption, str) and before is not None:
            text = caption_of(scriptkit_md(before.clip))
            if not same_text(text, caption):  # a Han line's own cues (split, cleaned) are not an edit
                changes.append(CaptionChange(p.identity.owner or "", text, caption))
    return changes


def _is_own_marker(marker: MarkerInfo) -> bool:
    """A marker scriptkit itself wrote on a shot (named by a shot id, whatever case or comment a program that
    rewrote it gave it, wherever it re-homed it)."""
    first = (marker.name or "").split(" ", 1)[0].lower()
    return marker.name == marker.owner or SHOT_ID.match(first) is not None


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
    plan_shots = first_by_owner(video_order(plan))
    edited_shots = first_by_owner(video_order(edited))
    plan_audio = first_by_owner(p for p in plan.clips if p.identity.kind in ("dialogue", "cue"))
    edited_audio = first_by_owner(p for p in edited.clips if p.identity.kind in ("dialogue", "cue"))
    changes: list[AudioChange] = []
    for owner, p in plan_audio.items():
        e = edited_audio.get(owner)
        kind = p.identity.kind
        if e is None:
            changes.append(AudioChange(owner, kind, "deleted", planned_frames=p.duration, planned_track=p.track_name))
            continue
        if p.clip.enabled and not e.clip.enabled:
            changes.append(AudioChange(owner, kind, "muted", planned_frames=p.duration, planned_track=p.track_name))
        shot_id = p.identity.shot_id or ""
        ps, es = plan_shots.get(shot_id), edited_shots.get(shot_id)
        planned_offset = p.start - ps.start if ps else p.start
        edited_offset = e.start - es.start if (es and ps) else e.start
        if ps is not None and es is None:
            pass  # its shot was deleted: there is nothing left to be moved against (the deletion is reported)
        elif planned_offset != edited_offset:
            changes.append(AudioChange(owner, kind, "moved", planned_offset, edited_offset, p.duration, e.duration))
        if (p.source_in, p.duration) != (e.source_in, e.duration) or _speed(e.clip) != 1.0:
            changes.append(AudioChange(owner, kind, "retimed", planned_offset, edited_offset, p.duration, e.duration))
        # a track move only where the edited track still says what it is: a program that lost the track names
        # ('Sequence', 'A3') moved nothing
        known_track = track_role(e.track_name or "", otio.schema.TrackKind.Audio)[0] is not None
        if p.track_name and e.track_name and p.track_name != e.track_name and known_track:
            changes.append(AudioChange(owner, kind, "track", planned_track=p.track_name, edited_track=e.track_name))
    return changes


def _speed(clip: otio.schema.Clip) -> float:
    speed = 1.0
    for effect in each(clip.effects):
        if isinstance(effect, otio.schema.LinearTimeWarp):
            speed *= effect.time_scalar
    return speed


def media_url(clip: otio.schema.Clip) -> str:
    reference = clip.media_reference
    return getattr(reference, "target_url", "") or ""


def media_outside(lay: Layout, project_dir: Path) -> list[MediaNote]:
    """Clips whose media lies outside the project folder (or is not a local file): reported, never written to."""
    from scriptkit.io import url_to_path

    root = Path(os.path.realpath(project_dir))
    notes: list[MediaNote] = []
    for p in lay.clips:
        url = media_url(p.clip)
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
    rate = float(timeline_rate(plan))
    plan_layout = layout(plan, known, rate)
    edited_layout = layout(edited, known, rate)
    require_ids(edited_layout, None)
    require_project(plan, edited, edited_layout, project_dir, None)
    return diff_layouts(plan_layout, edited_layout, project_dir)


def require_ids(lay: Layout, path: Path | None) -> None:
    """Refuse a timeline in which no shot carries an id of this project (a music bed's id, which every project
    shares, is not enough); one whose shots carry another project's ids says so."""
    if any(p.identity.kind == "shot" for p in lay.clips):
        return
    others = sorted({str(shot) for p in lay.clips if (shot := scriptkit_md(p.clip).get("shot_id"))})
    if others:
        raise ScriptkitError(
            f"this timeline belongs to another project: none of its {len(others)} shots (e.g. {others[0]}) is ours",
            path,
            hint="diff it against the project it was exported from",
        )
    raise ScriptkitError(
        f"no clip in this timeline carries a shot id of this project ({len(lay.clips)} clips looked at)",
        path,
        hint="is it an export of a timeline from another project?",
    )


def require_project(
    plan: otio.schema.Timeline, edited: otio.schema.Timeline, lay: Layout, project_dir: Path | None, path: Path | None
) -> None:
    """Refuse a timeline of another scriptkit project whose shot ids happen to look like ours (two episodes both
    have `sc-kitchen-001`): its title differs and most of the shots we recognised do not use this project's media
    (a file inside the project folder; without a file, the same asset hash)."""
    shots = [p for p in lay.clips if p.identity.kind == "shot"]
    if not shots or " ".join((edited.name or "").lower().split()) == " ".join((plan.name or "").lower().split()):
        return
    hashes = {md.get("asset_hash") for c in plan.find_clips() if (md := scriptkit_md(c)).get("kind") == "shot"}
    root = project_dir.resolve() if project_dir is not None else None
    ours = 0
    for placed in shots:
        url = media_url(placed.clip)
        if url.startswith("file://") and root is not None:
            ours += url_to_path(url).resolve().is_relative_to(root)
        else:
            ours += scriptkit_md(placed.clip).get("asset_hash") in hashes - {None}
    if 2 * ours < len(shots):
        raise ScriptkitError(
            f"this timeline ('{edited.name}') belongs to another project: {len(shots) - ours} of its {len(shots)} "
            f"shots with ids like ours use none of this project's media",
            path,
            hint=f"diff it against the project it was exported from, not '{plan.name}'",
        )


# ------------------------------------------------------------------------------------------ report


def require_rate(timeline: otio.schema.Timeline, rate: float, path: Path) -> None:
    """Refuse an edited timeline at another frame rate than the plan's: its cuts would land between our frames.

    A format that does not carry its rate (an EDL: the reader guesses it) is read at face value, not refused here.
    """
    from exporters import get_format, guess_format

    if not get_format(guess_format(Path(path))).carries_rate:
        return
    edited = float(timeline_rate(timeline))
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
    if diff.picture_only:
        lines.append("picture only (no audio tracks): dialogue, effects and music follow their shots")
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
        elif a.status == "muted":
            lines.append(f"muted {what} {a.owner} (the clip is disabled)")
        else:
            lines.append(f"moved {what} {a.owner} from track {a.planned_track} to {a.edited_track}")
    for m in diff.markers:
        comment = f": {m.comment}" if m.comment else ""
        lines.append(f"added marker '{m.name}' on {m.owner} at {tc(m.at, rate)}{comment}")
    for c in diff.captions:
        lines.append(f"changed subtitle of {c.line_id}: {c.planned!r} -> {c.edited!r}")
    for n in diff.media:
        lines.append(f"warning: clip '{n.clip}' names media {n.reason}: {n.url} (kept as is, never written)")
    if diff.empty:
        lines.append("no editorial changes")
    return lines
