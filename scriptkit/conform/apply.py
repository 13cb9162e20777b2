"""Conform, step 4 (apply): start from the edited timeline and apply a new plan (the timeline rebuilt from
the new shot list and its assets): swap changed assets in at the same place (same clip, new media, in/out
kept), `hold` or `ripple` when a length changed, place new shots after their neighbour in script order, drop
or flag removed shots, mark changed shots with a red marker.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import opentimelineio as otio

from scriptkit.conform.diff import first_by_owner, media_url, tc, video_order
from scriptkit.conform.identity import Identity, KnownIds, identify, known_ids_from_timeline, scriptkit_md
from scriptkit.conform.layout import Layout, Placed, item_frames, layout, rt
from scriptkit.contract import clip_media, frames_at, scriptkit_meta, timeline_rate
from scriptkit.errors import ScriptkitError

if TYPE_CHECKING:
    from scriptkit.scriptdiff import ShotListDiff

LengthPolicy = Literal["hold", "ripple"]
RemovedPolicy = Literal["drop", "flag"]
#: Colour of the marker put on shots the new script changed.
CHANGED_COLOR = otio.schema.MarkerColor.RED

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
    return first_by_owner(lay.clips)


def _hash(clip: otio.schema.Clip) -> str:
    return str(scriptkit_md(clip).get("asset_hash") or media_url(clip))


def _set_metadata(clip: otio.schema.Clip, source: otio.schema.Clip) -> None:
    clip.metadata["scriptkit"] = copy.deepcopy(source.metadata.get("scriptkit", {}))


def _set_caption(clip: otio.schema.Clip, source: otio.schema.Clip) -> None:
    """The new plan's subtitle for a line (`DialogueLine.caption`: the editor's fix, or none). The subtitle a reader
    found in the edit (metadata["caption"]) is settled into the plan by now: left on the clip, it would come back
    from the new version's own files as an edit (a caption the script has since dropped among them)."""
    if "caption" in clip.metadata:
        del clip.metadata["caption"]
    caption = scriptkit_md(source).get("caption")
    if scriptkit_md(clip).get("caption") == caption:
        return
    meta = scriptkit_meta(clip)
    if caption is None:
        meta.pop("caption", None)
    else:
        meta["caption"] = caption
    clip.metadata["scriptkit"] = meta


def _without_media(clip: otio.schema.Clip) -> bool:
    """True when an edited clip of ours came back with no usable media (no file, or no available range)."""
    reference = clip.media_reference
    return (
        not isinstance(reference, otio.schema.ExternalReference)
        or not reference.target_url
        or reference.available_range is None
    )


def _cover(clip: otio.schema.Clip, rate: float) -> None:
    """Make the media's available range cover the clip's source range (a still image has any length)."""
    reference = clip.media_reference
    if clip.source_range is None or reference is None or reference.available_range is None:
        return
    available = reference.available_range
    want_start = min(frames_at(available.start_time, rate), frames_at(clip.source_range.start_time, rate))
    want_end = max(
        frames_at(available.end_time_exclusive(), rate), frames_at(clip.source_range.end_time_exclusive(), rate)
    )
    reference.available_range = otio.opentime.TimeRange(rt(want_start, rate), rt(want_end - want_start, rate))


#: What a re-animated shot's marker and note say when the editor's in/out does not fit inside the new movie.
MOVIE_FIT = {
    "moved": "does not hold the editor's in/out there: the same length is used, slid inside the movie",
    "short": "is shorter than the editor's clip, which runs past the movie's end: trim it",
}


def _fit_movie(clip: otio.schema.Clip, rate: float) -> str:
    """Keep the editor's in/out inside a new movie: "" when it lies inside, "moved" when the in point had to
    slide (same length), "short" when the movie is shorter than the clip."""
    reference = clip.media_reference
    if clip.source_range is None or reference is None or reference.available_range is None:
        return ""
    start = frames_at(reference.available_range.start_time, rate)
    end = frames_at(reference.available_range.end_time_exclusive(), rate)
    first, frames = frames_at(clip.source_range.start_time, rate), frames_at(clip.source_range.duration, rate)
    if start <= first and first + frames <= end:
        return ""
    if frames > end - start:
        return "short"
    clip.source_range = otio.opentime.TimeRange(rt(min(max(first, start), end - frames), rate), rt(frames, rate))
    return "moved"


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
        length = item_frames(item, rate)
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
            old = item_frames(gap, rate)
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
        length = item_frames(item, rate)
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
        cursor = start + item_frames(item, rate)
    del track[:]
    track.extend(items)


def _place_at(track: otio.schema.Track, clip: otio.schema.Clip, start: int, rate: float) -> bool:
    """Put `clip` at absolute frame `start` of a position-based track, if the space is free (a gap or the end)."""
    length = item_frames(clip, rate)
    position = 0
    for index, item in enumerate(list(track)):
        if isinstance(item, otio.schema.Transition):
            continue
        item_len = item_frames(item, rate)
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
    old_len = item_frames(clip, rate)
    delta = new_len - old_len
    start = clip.source_range.start_time if clip.source_range else rt(0, rate)
    clip.source_range = otio.opentime.TimeRange(start, rt(new_len, rate))
    if delta == 0:
        return 0
    nxt = index + 1
    if nxt < len(track) and isinstance(track[nxt], otio.schema.Gap):
        gap_len = item_frames(track[nxt], rate)
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
    captions: Iterable[str] = (),
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

    - The lines named in `captions` (their subtitle settled anew: `scriptkit.captions`) and the changed lines
      show the new plan's subtitle; the one a reader found in the edit is not kept on the clip. (Only those: a
      look-up of a key a clip lacks costs an exception in OTIO.)

    `copy_edited=False` works on `edited` itself (saves a copy of a feature-length timeline).
    """
    if length not in ("hold", "ripple"):
        raise ScriptkitError(f"unknown --length policy {length!r}: use hold or ripple")
    rate = float(timeline_rate(old_plan))
    locked = set(lock)
    report = ConformReport(locked=sorted(locked))
    known = known_ids_from_timeline(old_plan).union(known_ids_from_timeline(new_plan))
    new_layout = layout(new_plan, known, rate, with_markers=False)
    old_layout = new_layout if old_plan is new_plan else layout(old_plan, known, rate, with_markers=False)
    old_clips = _plan_clips(old_layout)
    new_clips = _plan_clips(new_layout)
    changed = changes.changed_by_id if changes is not None else {}
    settle = set(captions)

    out = copy.deepcopy(edited) if copy_edited else edited
    out.name = new_plan.name or out.name
    sk = dict(scriptkit_md(edited))
    sk.update(scriptkit_md(new_plan))
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

    shot_ends = {p.identity.owner: (p.start + p.duration, p.clip) for p in lay.shots()}

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
        elif _without_media(clip):
            # a reader that keeps no media (an EDL names clips only): link the project's own file again
            clip.media_reference = copy.deepcopy(new_clips[owner].clip.media_reference)
            _cover(clip, rate)
        if (
            source is not None
            or owner in changed
            or identity.shot_id in changed
            or "asset_hash" not in scriptkit_md(clip)
        ):
            _set_metadata(clip, new_clips[owner].clip)
        if identity.kind == "dialogue" and (owner in settle or owner in changed):
            _set_caption(clip, new_clips[owner].clip)
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
                fit = _fit_movie(clip, rate) if clip_media(clip) == "movie" else ""
                if fit:
                    note = f"{owner}: the new movie {MOVIE_FIT[fit]}"
                    _change_marker(clip, f"MOVIE {fit.upper()}", note, owner, rate)
                    report.notes.append(note)
                if fit != "moved":
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
            _flag_overrun(placed, new.duration, shot_ends, rate, report)

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
    if lay.picture_only:
        # a picture EDL carries no audio: every line and cue of the plan is laid again against its shot as edited,
        # and the music beds come back as planned
        _insert_new_audio(out, {}, new_layout, known, rate, report, locked, report_inserted=False)
        _restore_music(out, new_plan)
        report.notes.append("picture-only timeline: dialogue, effects and music laid against the edited shots")
    else:
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


def _flag_overrun(
    line: Placed, frames: int, shot_ends: dict[Any, tuple[int, otio.schema.Clip]], rate: float, report: ConformReport
) -> None:
    """A new voice that now runs past the end of its shot as the editor cut it: the cut is kept, and flagged."""
    end, shot = shot_ends.get(line.identity.shot_id, (None, None))
    if end is None or shot is None or line.start + frames <= end:
        return
    over = line.start + frames - end
    text = f"the new {line.identity.owner} runs {over} frames past the end of {line.identity.shot_id} as cut"
    _change_marker(shot, "VOICE LONGER", text + "; the cut is kept", str(line.identity.shot_id), rate)
    report.notes.append(text + ": the editor's cut is kept (flagged with a red marker)")


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
        by_id = first_by_owner(current)
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


def _home_key(placed: Placed) -> tuple[str, Any]:
    """Which audio a track is home to: (kind, the character for dialogue)."""
    kind = placed.identity.kind
    return (kind, scriptkit_md(placed.clip).get("character") if kind == "dialogue" else None)


def _audio_home(out: otio.schema.Timeline, source: Placed, homes: dict[tuple[str, Any], otio.schema.Track]):
    """The edited track holding this character's (or this kind's) audio, else a new one named like the plan's.

    `homes` maps (kind, character) to that track: filled from the edited timeline once, and by each placement."""
    key = _home_key(source)
    if key in homes:
        return homes[key]
    for track in out.tracks:
        if isinstance(track, otio.schema.Track) and track.name == source.track_name:
            return track
    track = otio.schema.Track(name=source.track_name, kind=otio.schema.TrackKind.Audio)
    parent = source.clip.parent()
    if parent is not None:
        track.metadata["scriptkit"] = dict(scriptkit_md(parent))
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
    report_inserted: bool = True,
) -> None:
    new_shots = first_by_owner(new_layout.shots())
    # read the edited timeline once: placing audio moves no picture, and what is placed is tracked as it goes
    lay = layout(out, known, rate, with_markers=False)
    shots = first_by_owner(video_order(lay))
    present = {p.identity.owner for p in lay.clips}
    homes: dict[tuple[str, Any], otio.schema.Track] = {}
    for p in lay.clips:
        if p.track_kind == otio.schema.TrackKind.Audio and p.identity.kind in ("dialogue", "cue"):
            homes.setdefault(_home_key(p), out.tracks[p.track])
    for source in new_layout.clips:
        identity = source.identity
        if identity.kind not in ("dialogue", "cue") or identity.owner in old_clips:
            continue
        if identity.shot_id in locked or identity.owner in present:
            continue
        shot = shots.get(identity.shot_id or "")
        plan_shot = new_shots.get(identity.shot_id or "")
        if shot is None or plan_shot is None:
            report.notes.append(f"{identity.owner}: its shot is not in the edit; not placed")
            continue
        start = max(0, shot.start + (source.start - plan_shot.start))
        clip = copy.deepcopy(source.clip)
        track = _audio_home(out, source, homes)
        if not _place_at(track, clip, start, rate):
            track = otio.schema.Track(name=f"{source.track_name} (new)", kind=otio.schema.TrackKind.Audio)
            parent = source.clip.parent()
            track.metadata["scriptkit"] = dict(scriptkit_md(parent)) if parent is not None else {}
            out.tracks.append(track)
            _place_at(track, clip, start, rate)
            report.notes.append(f"{identity.owner}: no room on its track; placed on new track {track.name}")
        homes.setdefault(_home_key(source), track)
        present.add(identity.owner)
        if report_inserted:
            report.inserted.append(identity.owner or "")


def _restore_music(out: otio.schema.Timeline, plan: otio.schema.Timeline) -> None:
    """Append the plan's music tracks to a timeline that has no audio of its own."""
    for track in plan.tracks:
        if isinstance(track, otio.schema.Track) and scriptkit_md(track).get("role") == "music":
            out.tracks.append(copy.deepcopy(track))


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
