"""AAF (Avid Media Composer, also Resolve and Premiere): writer and reader through the OTIO AAF adapter.

The writer prepares a copy of the timeline the way the adapter needs it:
- every Transition gets the AAF metadata the adapter requires (`VideoDissolve_2` operation, a linear
  0 -> 1 point list and `CutPoint` = the transition's in offset), so Avid sees real dissolves;
- a fade from black at the very start (or to black at the very end) gets a zero-length Gap beside it, which
  the adapter turns into the Filler an AAF transition must overlap;
- shot identity goes into each master mob's UserComments (`ScriptkitShot`, `ScriptkitKind`,
  `ScriptkitOwner`, `ScriptkitHash`), besides the clip name;
- `use_empty_mob_ids=True` (our media has no Avid mob ids).
The file is written to a temp path and renamed, so a failed write leaves no file. Drop-frame timecode is set
on the composition's timecode track afterwards (the adapter always writes non-drop).

The reader uses the adapter (Media Composer exports, `../shared/corpus/nle/aaf`) and fixes the result up into
the scriptkit shape: zero-length gaps dropped, fades named, shot ids from UserComments / clip names.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import random
import re
import types
import uuid
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any
from unittest import mock

import opentimelineio as otio

from exporters import Format
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_path
from scriptkit.models import ExportOptions
from scriptkit.rates import DROP_FRAME_RATES, rate_string, rational

#: Avid's cross dissolve operation.
DISSOLVE_ID = "89d9b67e-5584-302d-9abd-8bd330c46841"
SHOT_ID = re.compile(r"^sc[a-z0-9]*-[a-z0-9][a-z0-9-]*-[0-9]{3,}$")
MAX_AAF_BYTES = 2 * 1024 * 1024 * 1024


def _sk(item: Any) -> dict[str, Any]:
    return dict(item.metadata.get("scriptkit", {}) or {})


def timeline_rate(timeline: otio.schema.Timeline) -> Fraction:
    fps = _sk(timeline).get("fps")
    if fps:
        return Fraction(str(fps))
    for clip in timeline.find_clips():
        return rational(clip.source_range.duration.rate)
    return Fraction(24)


def transition_metadata(transition: otio.schema.Transition, media_kind: str) -> dict[str, Any]:
    return {
        "CutPoint": round(transition.in_offset.value),
        "PointList": [{"Value": 0, "Time": 0}, {"Value": 1, "Time": 1}],
        "OperationGroup": {
            "Operation": {
                "DataDefinition": {"Name": media_kind},
                "Description": "",
                "Name": "VideoDissolve_2" if media_kind == "Picture" else "Audio Dissolve",
                "Identification": DISSOLVE_ID,
                "IsTimeWarp": False,
                "Bypass": 1,
                "NumberInputs": 2,
                "OperationCategory": "OperationCategory_Effect",
            }
        },
    }


def _comments(clip: otio.schema.Clip) -> dict[str, str]:
    meta = _sk(clip)
    comments = {"ScriptkitKind": str(meta.get("kind") or "")}
    if meta.get("shot_id"):
        comments["ScriptkitShot"] = str(meta["shot_id"])
    owner = meta.get("line_id") or meta.get("cue_id")
    if owner:
        comments["ScriptkitOwner"] = str(owner)
    if meta.get("asset_hash"):
        comments["ScriptkitHash"] = str(meta["asset_hash"])
    return comments


def prepared(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """A copy of `timeline` with what the AAF adapter needs (see the module docstring)."""
    copy = timeline.clone()
    for track in copy.tracks:
        media_kind = "Picture" if track.kind == otio.schema.TrackKind.Video else "Sound"
        empty = otio.opentime.TimeRange(duration=otio.opentime.RationalTime(0, float(timeline_rate(timeline))))
        if len(track) and isinstance(track[0], otio.schema.Transition):
            track.insert(0, otio.schema.Gap(source_range=empty))
        if len(track) and isinstance(track[-1], otio.schema.Transition):
            track.append(otio.schema.Gap(source_range=empty))
        for item in track:
            if isinstance(item, otio.schema.Transition):
                item.transition_type = otio.schema.TransitionTypes.SMPTE_Dissolve
                item.metadata["AAF"] = transition_metadata(item, media_kind)
            elif isinstance(item, otio.schema.Clip):
                aaf = dict(item.metadata.get("AAF", {}) or {})
                aaf["UserComments"] = _comments(item)
                item.metadata["AAF"] = aaf
    return copy


def _set_drop_frame(path: Path) -> None:
    import aaf2

    with aaf2.open(str(path), "rw") as handle:
        for mob in handle.content.compositionmobs():
            for slot in mob.slots:
                segment = slot.segment
                if isinstance(segment, aaf2.components.Timecode):
                    segment.drop = True


@contextlib.contextmanager
def _deterministic_pyaaf2(seed: str) -> Iterator[None]:
    """Make pyaaf2 write the same bytes for the same timeline: Mob IDs, the file's generation id and
    timestamps, and its directory-tree shuffle all come from `seed` instead of uuid4 / now() / random.
    (Patches pyaaf2's module globals for the duration of one write; scriptkit writes files one at a time.)"""
    import aaf2.cfb
    import aaf2.file
    import aaf2.mobid
    import aaf2.mobs

    counter = itertools.count()

    def uuid4() -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"scriptkit-aaf:{seed}:{next(counter)}")

    class FixedDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz: datetime.tzinfo | None = None) -> FixedDatetime:
            return cls(2000, 1, 1, 0, 0, 0, tzinfo=tz)

    uuid_shim = types.SimpleNamespace(**{name: getattr(uuid, name) for name in dir(uuid) if not name.startswith("_")})
    uuid_shim.uuid4 = uuid4
    datetime_shim = types.SimpleNamespace(**{n: getattr(datetime, n) for n in dir(datetime) if not n.startswith("_")})
    datetime_shim.datetime = FixedDatetime
    with (
        mock.patch.object(aaf2.file, "uuid4", uuid4),
        mock.patch.object(aaf2.file, "datetime", datetime_shim),
        mock.patch.object(aaf2.mobid, "uuid", uuid_shim),
        mock.patch.object(aaf2.mobs, "datetime", FixedDatetime),
        mock.patch.object(aaf2.cfb, "random", random.Random(seed)),
    ):
        yield


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    """Write `timeline` as AAF at `path` (same timeline -> same bytes); on any failure no file is left."""
    path = Path(path)
    rate = timeline_rate(timeline)
    drop_frame = bool(options.drop_frame or _sk(timeline).get("drop_frame")) and rate in DROP_FRAME_RATES
    copy = prepared(timeline)
    module = otio.adapters.from_name("AAF").module()
    seed = f"{timeline.name}:{rate_string(rate)}:{len(copy.find_clips())}"
    with atomic_path(path) as tmp, _deterministic_pyaaf2(seed):
        tmp.unlink(missing_ok=True)
        try:
            module.write_to_file(copy, str(tmp), use_empty_mob_ids=True)
            if drop_frame:
                _set_drop_frame(tmp)
        except (otio.exceptions.OTIOError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ScriptkitError(f"cannot write AAF: {exc}", path) from None


# -------------------------------------------------------------------------------------------- reader


def _identity(clip: otio.schema.Clip, is_video: bool) -> dict[str, Any]:
    aaf = clip.metadata.get("AAF", {}) or {}
    comments = aaf.get("UserComments", {}) or {}
    kind = str(comments.get("ScriptkitKind") or "")
    if kind:
        found: dict[str, Any] = {"kind": kind, "id_source": "user_comments"}
        if comments.get("ScriptkitShot"):
            found["shot_id"] = str(comments["ScriptkitShot"])
        owner = comments.get("ScriptkitOwner")
        if owner and kind == "dialogue":
            found["line_id"] = str(owner)
        elif owner and kind == "cue":
            found["cue_id"] = str(owner)
        if comments.get("ScriptkitHash"):
            found["asset_hash"] = str(comments["ScriptkitHash"])
        return found
    if is_video and SHOT_ID.match(clip.name or ""):
        return {"kind": "shot", "shot_id": clip.name, "id_source": "clip_name"}
    return {}


def _fix_track(track: otio.schema.Track) -> None:
    for index in range(len(track) - 1, -1, -1):
        item = track[index]
        if isinstance(item, otio.schema.Gap) and round(item.duration().value) <= 0:
            del track[index]
    for index, item in enumerate(track):
        if not isinstance(item, otio.schema.Transition):
            continue
        prev = track[index - 1] if index > 0 else None
        nxt = track[index + 1] if index + 1 < len(track) else None
        if not isinstance(prev, otio.schema.Clip):
            item.name = "Fade In"
            item.metadata["scriptkit"] = {"kind": "fade_in"}
        elif not isinstance(nxt, otio.schema.Clip):
            item.name = "Fade Out"
            item.metadata["scriptkit"] = {"kind": "fade_out"}
        else:
            item.name = item.name or "Cross Dissolve"
            item.metadata["scriptkit"] = {"kind": "dissolve"}


def _role(name: str, kind: str) -> tuple[str | None, str | None]:
    if kind == otio.schema.TrackKind.Video:
        return "video", None
    upper = (name or "").upper()
    if upper.startswith("DIALOGUE"):
        return "dialogue", (name[len("DIALOGUE") :].strip() or None)
    if upper.startswith("SFX"):
        return "effects", None
    if upper.startswith("MUSIC"):
        return "music", None
    return None, None


def _slot_info(path: Path) -> tuple[bool, list[str]]:
    """(drop-frame timecode?, names of the picture/sound slots) of the top-level composition, via pyaaf2."""
    import aaf2

    drop_frame = False
    names: list[str] = []
    try:
        with aaf2.open(str(path), "r") as handle:
            for mob in handle.content.toplevel():
                for slot in mob.slots:
                    if isinstance(slot.segment, aaf2.components.Timecode):
                        drop_frame = drop_frame or bool(slot.segment.drop)
                    elif str(slot.media_kind) in ("Picture", "Sound"):
                        names.append(str(slot.name or ""))
                break
    except Exception:
        return False, []
    return drop_frame, names


def read(path: Path) -> otio.schema.Timeline:
    """Read an AAF file into a scriptkit-shaped timeline."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise ScriptkitError(f"cannot read file: {exc.strerror}", path) from None
    if size > MAX_AAF_BYTES:
        raise ScriptkitError("file is too large to read", path)
    if magic != bytes.fromhex("d0cf11e0a1b11ae1"):
        raise ScriptkitError("not an AAF file (no structured-storage header)", path)
    try:
        timeline = otio.adapters.read_from_file(str(path), adapter_name="AAF")
    except Exception as exc:
        raise ScriptkitError(f"cannot read this AAF: {type(exc).__name__}: {exc}", path) from None
    if not isinstance(timeline, otio.schema.Timeline):
        raise ScriptkitError("the AAF holds no composition (timeline)", path)
    rate = None
    for clip in timeline.find_clips():
        rate = rational(clip.source_range.duration.rate)
        break
    drop_frame, slot_names = _slot_info(path)
    if len(slot_names) == len(timeline.tracks):
        for track, name in zip(timeline.tracks, slot_names, strict=True):
            if name:
                track.name = name
    timeline.metadata["scriptkit"] = {
        "title": timeline.name,
        "width": None,
        "height": None,
        "fps": rate_string(rate) if rate else None,
        "drop_frame": drop_frame,
        "source": str(path),
        "format": "aaf",
    }
    videos = 0
    for track in timeline.tracks:
        is_video = track.kind == otio.schema.TrackKind.Video
        if is_video:
            videos += 1
            if not track.name or track.name == "TimelineMobSlot":
                track.name = f"V{videos}"
        role, character = _role(track.name, track.kind)
        track.metadata["scriptkit"] = {"role": role, "character": character}
        _fix_track(track)
        for clip in track.find_clips(shallow_search=True):
            found = _identity(clip, is_video)
            if found:
                clip.metadata["scriptkit"] = found
    return timeline


FORMAT = Format(
    name="aaf",
    extension=".aaf",
    description="Advanced Authoring Format (Avid Media Composer)",
    nles=("avid", "resolve", "premiere"),
    write=write,
    read=read,
)
