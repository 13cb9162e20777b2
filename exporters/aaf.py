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
on the composition's timecode track afterwards (the adapter always writes non-drop), and so is the mix: each
sound clip with a gain or volume keyframes is wrapped in an `Audio Gain` operation (`_GainWriter`).

Speed: pyaaf2 as shipped takes ~25 ms a clip on a feature (90 s for 3,096 clips), partly quadratic. For the
duration of a write (`_fast_pyaaf2`) some of its methods are swapped for equivalents that remember
meta-dictionary look-ups and append to sequences in linear time; the file is byte for byte the same
(`_write(..., fast=False)` is the unpatched reference; see tests/test_aaf.py and bench/bench_aaf.py).

The reader uses the adapter (Media Composer exports, `../shared/corpus/nle/aaf`) and fixes the result up into
the scriptkit shape: zero-length gaps dropped, fades named, shot ids from UserComments / clip names.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import itertools
import random
import types
import uuid
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any
from unittest import mock

import opentimelineio as otio

from exporters import Format
from scriptkit.contract import SHOT_ID, clip_media, scriptkit_view, timeline_rate, track_role
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_path, library_noise_caught, url_to_path
from scriptkit.mix import clip_gain
from scriptkit.models import ExportOptions
from scriptkit.rates import DROP_FRAME_RATES, rate_string, rational

#: The mix as Avid stores it: the Audio Gain operation and its Amplitude parameter.
AUDIO_GAIN_ID = "9d2ea894-0968-11d3-8a38-0050040ef7d2"
AMPLITUDE_ID = "e4962321-2267-11d3-8a4c-0050040ef7d2"
#: Avid's cross dissolve operation.
DISSOLVE_ID = "89d9b67e-5584-302d-9abd-8bd330c46841"
#: The AAF standard's SMPTE Video Wipe operation (AAF Edit Protocol, kAAFOperationDef_SMPTEVideoWipe).
WIPE_ID = "0c3bea44-fc05-11d2-8a29-0050040ef7d2"
#: Namespace of the master mob ids scriptkit derives from a clip's content (see `master_mob_id`).
MOB_NAMESPACE = uuid.UUID("5b1f0f8e-2d4c-5b7a-9c1e-6a1d2f7c0e11")
MAX_AAF_BYTES = 2 * 1024 * 1024 * 1024
#: pyaaf2 releases whose internals `_fast_pyaaf2` was checked against (same bytes as unpatched); others run as is
FAST_PYAAF2_VERSIONS = ("1.7.1",)


def transition_metadata(transition: otio.schema.Transition, media_kind: str) -> dict[str, Any]:
    wipe = media_kind == "Picture" and scriptkit_view(transition).get("kind") == "wipe"
    if wipe:
        name, identification = "SMPTE Video Wipe", WIPE_ID
    elif media_kind == "Picture":
        name, identification = "VideoDissolve_2", DISSOLVE_ID
    else:
        name, identification = "Audio Dissolve", DISSOLVE_ID
    return {
        "CutPoint": round(transition.in_offset.value),
        "PointList": [{"Value": 0, "Time": 0}, {"Value": 1, "Time": 1}],
        "OperationGroup": {
            "Operation": {
                "DataDefinition": {"Name": media_kind},
                "Description": "",
                "Name": name,
                "Identification": identification,
                "IsTimeWarp": False,
                "Bypass": 1,
                "NumberInputs": 2,
                "OperationCategory": "OperationCategory_Effect",
            }
        },
    }


def _comments(clip: otio.schema.Clip) -> dict[str, str]:
    meta = scriptkit_view(clip)
    comments = {"ScriptkitKind": str(meta.get("kind") or "")}
    if meta.get("shot_id"):
        comments["ScriptkitShot"] = str(meta["shot_id"])
    owner = meta.get("line_id") or meta.get("cue_id")
    if owner:
        comments["ScriptkitOwner"] = str(owner)
    if meta.get("asset_hash"):
        comments["ScriptkitHash"] = str(meta["asset_hash"])
    return comments


def master_mob_id(clip: otio.schema.Clip) -> str:
    """The master mob id of `clip`, derived from what the clip is: its kind, the shot / line / cue it belongs to
    and its asset hash (or, for the editor's own clips, its media). The same clip gets the same id in every
    version; two clips share one only when they are the same material (a duplicated shot)."""
    import aaf2.mobid

    meta = scriptkit_view(clip)
    owner = meta.get("line_id") or meta.get("cue_id") or meta.get("shot_id") or ""
    reference = clip.media_reference
    url = reference.target_url if isinstance(reference, otio.schema.ExternalReference) else ""
    content = meta.get("asset_hash") or url or clip.name or ""
    mob = aaf2.mobid.UniqueMobID()
    mob.material = uuid.uuid5(MOB_NAMESPACE, f"{meta.get('kind') or ''}\x1f{owner}\x1f{content}")
    return str(mob.urn)


def _picture_description(clip: otio.schema.Clip, size: tuple[int, int]) -> dict[str, Any]:
    """The essence description of a picture clip: its real size (the file's, for an image we can read) and aspect."""
    width, height = size
    reference = clip.media_reference
    if clip_media(clip) == "still" and isinstance(reference, otio.schema.ExternalReference) and reference.target_url:
        with contextlib.suppress(Exception):
            from PIL import Image

            with Image.open(url_to_path(reference.target_url)) as image:
                width, height = image.size
    aspect = Fraction(width, height) if width and height else Fraction(16, 9)
    return {
        "StoredWidth": width,
        "StoredHeight": height,
        "ImageAspectRatio": f"{aspect.numerator}/{aspect.denominator}",
    }


def prepared(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """A copy of `timeline` with what the AAF adapter needs (see the module docstring)."""
    copy = timeline.clone()
    meta = scriptkit_view(timeline)
    size = (int(meta.get("width") or 1920), int(meta.get("height") or 1080))
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
                aaf.pop("SourceID", None)
                aaf["MobID"] = master_mob_id(item)
                aaf["UserComments"] = _comments(item)
                item.metadata["AAF"] = aaf
                reference = item.media_reference
                if reference.available_range is None and item.source_range is not None:
                    # media an editor's reader knows nothing about (an EDL names clips only): what the clip uses
                    reference.available_range = item.source_range
                reference_aaf = dict(reference.metadata.get("AAF", {}) or {})
                reference_aaf.pop("MobID", None)
                reference_aaf.pop("SourceID", None)
                if media_kind == "Picture":
                    reference_aaf["EssenceDescription"] = _picture_description(item, size)
                reference.metadata["AAF"] = reference_aaf
    return copy


def _composition_mobs(handle: Any) -> Iterator[Any]:
    """The CompositionMobs of an open file, like `handle.content.compositionmobs()` but decoding only those: the
    class of each mob is read from its directory entry (a feature has thousands of master and source mobs)."""
    import aaf2

    mobs = handle.content.mobs
    folder = handle.content.dir
    wanted = aaf2.mobs.CompositionMob.class_id
    for key in list(mobs.references):
        entry = folder.get(mobs.index_ref_name(key))
        if entry is None or entry.class_id == wanted:
            mob = mobs.read_object(key)
            if isinstance(mob, aaf2.mobs.CompositionMob):
                yield mob


def _finish_file(path: Path, timeline: otio.schema.Timeline, drop_frame: bool, fast: bool = True) -> None:
    """What the adapter cannot write, set in the written file: drop-frame timecode and the mix's clip gains."""
    import aaf2

    gains = _audio_gains(timeline)
    if not drop_frame and not any(gain for track in gains for gain in track):
        return
    with aaf2.open(str(path), "rw") as handle:
        for mob in _composition_mobs(handle) if fast else handle.content.compositionmobs():
            for slot in mob.slots:
                segment = slot.segment
                if drop_frame and isinstance(segment, aaf2.components.Timecode):
                    segment.drop = True
            sound = [slot for slot in mob.slots if isinstance(slot.segment, aaf2.components.OperationGroup)]
            if any(gain for track in gains for gain in track):
                _GainWriter(handle).apply(sound, gains)


def _audio_gains(timeline: otio.schema.Timeline) -> list[list[tuple[float, list[tuple[int, float]]] | None]]:
    """Per audio track, per clip in order: (clip gain dB, volume keyframes) from the mix, None for 0 dB."""
    out = []
    for track in timeline.tracks:
        if track.kind != otio.schema.TrackKind.Audio:
            continue
        gains = []
        for clip in track.find_clips(shallow_search=True):
            level, keys = clip_gain(scriptkit_view(clip))
            gains.append((level, keys) if level or keys else None)
        out.append(gains)
    return out


class _GainWriter:
    """Wraps a sound SourceClip in an `Audio Gain` OperationGroup with its `Amplitude` (linear, Rational): a
    ConstantValue for a clip gain, a VaryingValue with linear control points (time as a fraction of the clip)
    for keyframes - how Media Composer stores clip gain and volume automation."""

    def __init__(self, handle: Any) -> None:
        import aaf2

        self.aaf2, self.handle = aaf2, handle
        dictionary = handle.dictionary
        self.opdef = handle.create.OperationDef(uuid.UUID(AUDIO_GAIN_ID), "Audio Gain")
        self.opdef.media_kind = "sound"
        self.opdef["NumberInputs"].value = 1
        dictionary.register_def(self.opdef)
        rational_type = dictionary.lookup_typedef("Rational")
        self.amplitude = handle.create.ParameterDef(uuid.UUID(AMPLITUDE_ID), "Amplitude", "Amplitude", rational_type)
        dictionary.register_def(self.amplitude)
        self.opdef["ParametersDefined"].extend([self.amplitude])
        self.linear = handle.create.InterpolationDef(aaf2.misc.LinearInterp, "LinearInterp", "LinearInterp")
        dictionary.register_def(self.linear)

    def _rational(self, value: Fraction) -> Any:
        return self.aaf2.rational.AAFRational(value)

    def _gain(self, db: float) -> Any:
        return self._rational(Fraction(10 ** (db / 20)).limit_denominator(1_000_000))

    def apply(self, slots: list[Any], gains: list[list[tuple[float, list[tuple[int, float]]] | None]]) -> None:
        for slot, track in zip(slots, gains, strict=False):
            sequence = slot.segment.segments[0]
            places = [
                i for i, item in enumerate(sequence.components) if isinstance(item, self.aaf2.components.SourceClip)
            ]
            for index, gain in zip(places, track, strict=False):
                if gain is not None:
                    self._wrap(sequence, index, *gain)

    def _wrap(self, sequence: Any, index: int, level: float, keys: list[tuple[int, float]]) -> None:
        create = self.handle.create
        clip = sequence.components[index]
        length = clip.length
        if keys:
            value = create.VaryingValue()
            value.parameterdef = self.amplitude
            value["Interpolation"].value = self.linear
            for frame, db in keys:
                point = create.ControlPoint()
                point["Time"].value = self._rational(Fraction(min(frame, length), max(1, length)))
                point["Value"].value = self._gain(db)
                point["ControlPointSource"].value = 2
                value["PointList"].append(point)
        else:
            value = create.ConstantValue(self.amplitude, self._gain(level))
        inner = create.SourceClip(media_kind="sound")
        inner.start, inner.length = clip.start, length
        inner["SourceID"].value = clip["SourceID"].value
        inner["SourceMobSlotID"].value = clip["SourceMobSlotID"].value
        group = create.OperationGroup(self.opdef, length)
        group.media_kind = "sound"
        sequence.components[index] = group
        group["InputSegments"].append(inner)
        group["Parameters"].append(value)


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


def _vector_extend(self: Any, value: Any) -> None:
    """`StrongRefVectorProperty.extend` that attaches only the appended objects: pyaaf2's own re-walks the
    whole vector on every append (quadratic in a sequence's components). The appended items get exactly the
    directory entries, in the same order, that pyaaf2's walk gives them (the others are already attached)."""
    from aaf2.exceptions import AAFAttachError, AAFPropertyError

    if not self.writeable:
        raise AAFPropertyError("file readonly")
    _ = self.index_name  # sets self.data
    ref_classdef = self.ref_classdef
    value = list(value)
    for obj in value:
        assert ref_classdef.isinstance(obj.classdef)
        if obj.root is not self.parent.root:
            raise AAFAttachError("Object is from a different root")
        if obj.dir:
            raise AAFAttachError("Object already attached")
    start = len(self.references)
    for obj in value:
        index = len(self.references)
        self.references.append(self.next_free_key)
        self.objects[index] = obj
        self.next_free_key += 1
    self.add_pid_entry()
    parent_dir = self.parent.dir
    if parent_dir:
        for index, obj in enumerate(value, start):
            ref = self.index_ref_name(index)
            dir_entry = parent_dir.get(ref)
            if dir_entry is None:
                dir_entry = parent_dir.makedir(ref)
            if obj.dir != dir_entry:
                obj.attach(dir_entry)
    self.mark_modified()


def _property_table(classdef: Any) -> dict[str, tuple[int, int]]:
    """{property name: (pid, store format)} of a class, the first match in `all_propertydefs()` order."""
    import aaf2.core
    import aaf2.properties

    table: dict[str, tuple[int, int]] = {}
    for propertydef in classdef.all_propertydefs():
        fmt = propertydef.store_format
        if propertydef.auid == aaf2.core.OPERATIONGROUP_PARAMETERS_AUID:
            fmt = aaf2.properties.SF_STRONG_OBJECT_REFERENCE_SET  # pyaaf2's own workaround, see AAFObject.get
        table.setdefault(propertydef.property_name, (propertydef.pid, fmt))
    return table


def _make_object_get(original: Any) -> Any:
    """`AAFObject.get` (property by name) through a per-class name table instead of two linear scans."""
    import aaf2.properties

    formats = aaf2.properties.property_formats
    tables: dict[Any, tuple[Any, dict[str, tuple[int, int]]]] = {}  # class id -> (file, table)

    def get(self: Any, key: str, default: Any = None, allkeys: bool = True) -> Any:
        held = tables.get(self.class_id)
        if held is None or held[0] is not self.root:
            classdef = self.classdef
            if classdef is None:
                return original(self, key, default, allkeys)
            held = tables[self.class_id] = (self.root, _property_table(classdef))
        found = held[1].get(key)
        if found is None:
            return original(self, key, default, allkeys)
        pid, fmt = found
        entry = self.property_entries.get(pid)
        if entry is not None:
            return entry
        if not allkeys:
            return default
        return formats[fmt](self, pid, fmt)

    return get


def _make_propertydef_typedef() -> property:
    """`PropertyDef.typedef`, remembered per file and type id (a meta-dictionary look-up each time otherwise)."""
    memo: dict[tuple[int, Any], tuple[Any, Any]] = {}  # (id(file), type id) -> (file, typedef)

    def typedef(self: Any) -> Any:
        type_id = self.typedef_id
        if not type_id:
            return None
        root = self.root
        held = memo.get((id(root), type_id))
        if held is None or held[0] is not root:
            held = memo[(id(root), type_id)] = (root, root.metadict.lookup_typedef(type_id))
        return held[1]

    return property(typedef)


def _make_lookup_def(original: Any) -> Any:
    """`aaf2.dictionary.lookup_def` remembering name lookups of data definitions (a linear scan each)."""
    cache: dict[tuple[int, str], tuple[Any, Any]] = {}  # (id(dictionary), name) -> (dictionary, definition)

    def lookup_def(dictionary: Any, name: Any, instance_type: Any, key: str) -> Any:
        if key != "DataDefinitions" or not isinstance(name, str):
            return original(dictionary, name, instance_type, key)
        held = cache.get((id(dictionary), name))
        if held is None or held[0] is not dictionary:
            held = cache[(id(dictionary), name)] = (dictionary, original(dictionary, name, instance_type, key))
        return held[1]

    return lookup_def


def _new_child(parent: Any, name: str, dir_type: str, class_id: Any) -> Any:
    """`CompoundFileBinary.create_dir_entry` for a direct child of `parent`, without its round trip through
    the path string (`parent.path()`, then `find` walking back down from the root twice)."""
    import aaf2.cfb

    if parent.get(name) is not None:
        raise ValueError(f"{name} already exists")
    storage = parent.storage
    dir_id = storage.next_free_dir_id()
    entry = aaf2.cfb.DirEntry(storage, dir_id)
    entry.name = name
    entry.type = dir_type
    entry.class_id = class_id
    parent.add_child(entry)
    storage.dir_cache[dir_id] = entry
    return entry


_NO_SID = 0xFFFFFFFF


def _dir_child_at(self: Any, index: int) -> Any:
    """`DirEntry.__getitem__` (0: left sibling, 1: right sibling in the red-black tree) in one step."""
    sid = int.from_bytes(self.data[68:72] if index == 0 else self.data[72:76], "little")
    if sid == _NO_SID:
        return None
    entry = self.storage.dir_cache.get(sid)
    if entry is not None:
        return entry
    return self.storage.read_dir_entry(sid, self.parent)


def _dir_insert(self: Any, entry: Any) -> None:
    """`DirEntry.insert` (top-down red-black insertion into a folder's tree of entries) as pyaaf2 has it, less
    the consistency asserts that re-read both children of three nodes at every step: the same tree results."""
    from aaf2.cfb import CompoundFileBinaryError, DirEntry, is_red, jsw_double, jsw_single

    max_dirs_entries = self.storage.dir_sector_count * (self.storage.sector_size // 128)
    head = DirEntry(self.storage, None)  # false tree root
    head.red = True
    entry.red = True
    grand_grand_grand_parent = None
    grand_grand_parent = head
    grand_parent = None
    parent = None
    direction = 0
    last = 0
    node = self.child()
    self.child_id = None
    grand_grand_parent.right_id = node.dir_id
    count = 0
    while count < max_dirs_entries:
        if node is None:
            node = entry
            parent[direction] = node
        elif is_red(node[0]) and is_red(node[1]):  # colour flip
            node.red = True
            node[0].red = False
            node[1].red = False
        if is_red(node) and is_red(parent):  # fix red violations
            if grand_grand_parent[0] is grand_parent:
                direction2 = 0
            elif grand_grand_parent[1] is grand_parent:
                direction2 = 1
            else:
                raise CompoundFileBinaryError()
            if node is parent[last]:
                grand_grand_parent[direction2] = jsw_single(grand_parent, 1 - last)
                grand_parent = grand_grand_parent
                grand_grand_parent = grand_grand_grand_parent
            elif node is parent[1 - last]:
                grand_grand_parent[direction2] = jsw_double(grand_parent, 1 - last)
                parent = grand_grand_parent
                grand_parent = None if parent is head else grand_grand_grand_parent
                grand_grand_parent = None
            else:
                raise CompoundFileBinaryError()
        if node is entry:
            break
        last = direction
        direction = 0 if entry < node else 1
        if grand_grand_parent is not None:
            grand_grand_grand_parent = grand_grand_parent
        if grand_parent is not None:
            grand_grand_parent = grand_parent
        grand_parent = parent
        parent = node
        node = node[direction]
        count += 1
    if count >= max_dirs_entries:
        raise CompoundFileBinaryError("max dir entries limit reached")
    self.child_id = head.right_id  # the root of the tree may have changed
    self.child().red = False


def _make_dir_methods(makedir: Any, touch: Any) -> tuple[Any, Any]:
    """`DirEntry.makedir` and `DirEntry.touch` creating a direct child through `_new_child`; paths with
    several parts still go to pyaaf2's own (`makedir`, `touch`)."""

    def fast_makedir(self: Any, relative_path: str, class_id: Any = None) -> Any:
        if not self.isdir():
            raise TypeError("can only add a DirEntry to a storage type")
        if "/" in relative_path:
            return makedir(self, relative_path, class_id)
        return _new_child(self, relative_path, "storage", class_id)

    def fast_touch(self: Any, name: str) -> Any:
        item = self.get(name, None)
        if item:
            return item
        if "/" in name:
            return touch(self, name)
        return _new_child(self, name, "stream", None)

    return fast_makedir, fast_touch


def _memo_by_auid(getter: Any) -> property:
    """A read-only property remembering `getter(self)` per definition AUID: pyaaf2 recomputes these from the
    meta-dictionary (linear scans over classes and property definitions) on every reference it writes, and the
    meta-dictionary does not change during a write. Lists come back as copies."""
    memo: dict[Any, Any] = {}

    def get(self: Any) -> Any:
        key = self.auid
        if key not in memo:
            memo[key] = getter(self)
        value = memo[key]
        return list(value) if isinstance(value, list) else value

    return property(get)


def _make_validate() -> Any:
    """`AAFObject.validate` (every required property is set) with the required properties of each class
    listed once instead of on every object written."""
    from aaf2.exceptions import AAFPropertyError

    required: dict[Any, list[Any]] = {}

    def validate(self: Any) -> None:
        wanted = required.get(self.class_id)
        if wanted is None:
            wanted = required[self.class_id] = [
                p for p in self.classdef.all_propertydefs() if not p.optional and p.property_name != "ObjClass"
            ]
        missing = [p for p in wanted if p.pid not in self.property_entries]
        if missing:
            listed = "\n    ".join(f"{p.property_name} {p.typedef}" for p in missing)
            raise AAFPropertyError(f"{self} missing the following required properties:\n    {listed}")

    return validate


def _make_property_propertydef(original: Any) -> property:
    """`Property.propertydef`, remembered per file, class and pid across the objects of a write (pyaaf2
    remembers it per property object only, and walks the class hierarchy for every new one)."""
    memo: dict[tuple[int, Any, int], tuple[Any, Any]] = {}  # (id(file), class id, pid) -> (file, definition)

    def propertydef(self: Any) -> Any:
        if self._propertydef:
            return self._propertydef
        parent = self.parent
        root = parent.root
        key = (id(root), parent.class_id, self.pid)
        held = memo.get(key)
        if held is None or held[0] is not root:
            found = original(self)
            if not found:
                return found
            held = memo[key] = (root, found)
        self._propertydef = held[1]
        return held[1]

    return property(propertydef)


@contextlib.contextmanager
def _fast_pyaaf2() -> Iterator[None]:
    """pyaaf2 made faster for the duration of one write, same objects and same bytes (tests/test_aaf.py and
    bench/bench_aaf.py compare with the unpatched path): appends to a sequence's components stay linear, new
    directory entries skip the path round trip, and what pyaaf2 looks up again and again in its meta-dictionary
    (property and type definitions, required properties, weak-reference paths, data definitions by name) is
    remembered for the write."""
    import aaf2.cfb
    import aaf2.core
    import aaf2.dictionary
    import aaf2.metadict
    import aaf2.properties
    import aaf2.types

    makedir, touch = _make_dir_methods(aaf2.cfb.DirEntry.makedir, aaf2.cfb.DirEntry.touch)
    with (
        mock.patch.object(aaf2.cfb.DirEntry, "makedir", makedir),
        mock.patch.object(aaf2.cfb.DirEntry, "touch", touch),
        mock.patch.object(aaf2.cfb.DirEntry, "__getitem__", _dir_child_at),
        mock.patch.object(aaf2.cfb.DirEntry, "insert", _dir_insert),
        mock.patch.object(aaf2.core.AAFObject, "validate", _make_validate()),
        mock.patch.object(
            aaf2.properties.Property,
            "propertydef",
            _make_property_propertydef(aaf2.properties.Property.propertydef.fget),
        ),
        mock.patch.object(aaf2.metadict.PropertyDef, "typedef", _make_propertydef_typedef()),
        mock.patch.object(
            aaf2.types.TypeDefWeakRef, "pid_path", _memo_by_auid(aaf2.types.TypeDefWeakRef.pid_path.fget)
        ),
        mock.patch.object(
            aaf2.metadict.ClassDef, "unique_key_pid", _memo_by_auid(aaf2.metadict.ClassDef.unique_key_pid.fget)
        ),
        mock.patch.object(
            aaf2.metadict.ClassDef, "unique_key_size", _memo_by_auid(aaf2.metadict.ClassDef.unique_key_size.fget)
        ),
        mock.patch.object(aaf2.properties.StrongRefVectorProperty, "extend", _vector_extend),
        mock.patch.object(aaf2.core.AAFObject, "get", _make_object_get(aaf2.core.AAFObject.get)),
        mock.patch.object(aaf2.dictionary, "lookup_def", _make_lookup_def(aaf2.dictionary.lookup_def)),
    ):
        yield


def _content_seed(timeline: otio.schema.Timeline) -> str:
    """A hash of what the timeline holds, with media named by file name, not folder: the same project built in two
    folders gives the same ids (and bytes, but for the media paths themselves)."""
    content = timeline.clone()
    for clip in content.find_clips():
        reference = clip.media_reference
        if isinstance(reference, otio.schema.ExternalReference) and reference.target_url:
            reference.target_url = reference.target_url.rsplit("/", 1)[-1]
    return hashlib.sha256(otio.adapters.write_to_string(content, "otio_json").encode()).hexdigest()


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    """Write `timeline` as AAF at `path` (same timeline -> same bytes); on any failure no file is left."""
    _write(timeline, path, options, fast=True)


def _write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions, fast: bool = True) -> None:
    """`write`; `fast=False` runs the adapter on pyaaf2 as it is (the reference the fast path must match)."""
    path = Path(path)
    rate = timeline_rate(timeline)
    drop_frame = bool(options.drop_frame or scriptkit_view(timeline).get("drop_frame")) and rate in DROP_FRAME_RATES
    copy = prepared(timeline)
    module = otio.adapters.from_name("AAF").module()
    # every other mob id, the generation id and the tree shuffle come from the whole content: an unchanged
    # timeline gives the same bytes, a changed one never reuses an id of another version for another mob
    seed = _content_seed(copy)
    import aaf2

    fast = fast and getattr(aaf2, "__version__", None) in FAST_PYAAF2_VERSIONS
    speedups = _fast_pyaaf2() if fast else contextlib.nullcontext()
    with atomic_path(path) as tmp, _deterministic_pyaaf2(seed), speedups:
        tmp.unlink(missing_ok=True)
        try:
            with library_noise_caught() as said:  # the adapter prints its findings: they become the reason
                module.write_to_file(copy, str(tmp), use_empty_mob_ids=True)
            _finish_file(tmp, timeline, drop_frame, fast)
        except (otio.exceptions.OTIOError, ValueError, KeyError, TypeError, AttributeError) as exc:
            reason = " ".join(str(exc).split()) or next(
                (ln.strip() for ln in said.getvalue().splitlines() if ln.strip()), ""
            )
            raise ScriptkitError(f"cannot write AAF: {reason or type(exc).__name__}", path) from None


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


def _operation_id(transition: otio.schema.Transition) -> str:
    """The operation definition id of an AAF transition as the adapter read it ("" when absent)."""
    group = (transition.metadata.get("AAF", {}) or {}).get("OperationGroup", {}) or {}
    return str((group.get("Operation", {}) or {}).get("Identification") or "").lower()


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
        elif _operation_id(item) == WIPE_ID:
            item.name = "Wipe"
            item.metadata["scriptkit"] = {"kind": "wipe", "wipe": "wipe"}
        else:
            item.name = item.name or "Cross Dissolve"
            item.metadata["scriptkit"] = {"kind": "dissolve"}


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
        with library_noise_caught():
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
        role, character = track_role(track.name, track.kind)
        track.metadata["scriptkit"] = {"role": role, "character": character}
        _fix_track(track)
        for clip in track.find_clips(shallow_search=True):
            found = _identity(clip, is_video)
            if found:
                clip.metadata["scriptkit"] = found
    return timeline


FORMAT = Format(
    name="aaf",
    description="Advanced Authoring Format (Avid Media Composer, Premiere)",
    suffixes=(".aaf",),
    output="{slug}.aaf",
    nles=("premiere", "avid"),
    primary_for=("avid",),
    write=write,
    read=read,
    metadata_keys=("AAF", "aaf"),
)
