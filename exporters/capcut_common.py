"""CapCut (international) and Jianying (剪映) drafts: our own writer and reader, shared by the two formats.

A draft is a folder the app lists in its draft store. What we write (checked against drafts the apps wrote,
pyJianYingDraft and capcut-cli's draft schema, which are test oracles only):

- the timeline JSON under the profile's primary name: `draft_content.json` (Windows) or `draft_info.json`
  (macOS), mirrored byte for byte as `<primary>.bak` and `template-2.tmp`; with the `Timelines/` layout of newer
  builds, `Timelines/project.json` names the main timeline and `Timelines/<id>/` holds the same three copies;
- `draft_meta_info.json` registering every local file in `draft_materials` (photo / video / music);
- the media copied into `Resources/local/` (one copy per distinct file, named after the shot, line or cue);
- app markers: `platform` / `last_modified_platform` (app_source "cc" for CapCut, "lv" for Jianying, app_id,
  app_version, os) and `new_version`; `--draft-seed DIR` copies these from an empty draft the user's app made.

Time is integer microseconds on the frame grid: a segment spans [us(first frame), us(end frame)), so cuts are
contiguous whatever the rate. Pictures are `photo` (still) or `video` (movie) materials with the camera move as
scale / position keyframes, fades as alpha keyframes, dissolves and wipes as the apps' own transitions
(叠化 / Mix, 向右擦除 / 向下擦除); dialogue, effects and music sit on their own audio tracks with volume and
fades; the dialogue is also editable subtitle text (`type: subtitle`, UTF-16 style ranges, lower third for
9:16). Shot ids are the picture materials' names (and the copied files' names).

The reader takes a draft folder or one of its JSON files, finds the primary file in the apps' order
(Timelines project -> draft_info -> draft_content -> template-2.tmp), notes copies that disagree, and maps
tracks, segments, speed, transitions and text to an OTIO timeline; each clip keeps its raw segment JSON under
metadata["capcut"]. An encrypted draft (Jianying 6+) is refused with one clear message; it is never decrypted.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from exporters.mlt_common import (
    ANIMATED_MOVES,
    MOVE_ZOOM,
    AudioPlace,
    Layout,
    ShotPlace,
    camera_move,
    shot_layout,
    wipe_shape,
)
from exporters.subtitle_common import attach_captions
from scriptkit.contract import SHOT_ID, set_metadata
from scriptkit.errors import ScriptkitError
from scriptkit.io import atomic_folder, file_url
from scriptkit.rates import rational

if TYPE_CHECKING:
    import opentimelineio as otio

App = Literal["capcut", "jianying"]
System = Literal["windows", "macos"]

PRIMARY_NAMES = {"windows": "draft_content.json", "macos": "draft_info.json"}
MIRRORS = (".bak", "template-2.tmp")
META_NAME = "draft_meta_info.json"
MEDIA_DIR = "Resources/local"
#: Photos are held this long by the apps (3 h): a still can be trimmed to any length.
PHOTO_DURATION_US = 10_800_000_000
DRAFT_VERSION = 360000


@dataclass(frozen=True)
class AppMarkers:
    """What an app stamps into every draft it saves."""

    app_source: str
    app_id: int
    app_version: str
    new_version: str
    process_names: tuple[str, ...]


MARKERS: dict[str, AppMarkers] = {
    "capcut": AppMarkers("cc", 359289, "6.5.0", "138.0.0", ("CapCut", "CapCut.exe")),
    "jianying": AppMarkers("lv", 3704, "5.9.0", "110.0.0", ("JianyingPro", "JianyingPro.exe", "VideoFusion-macOS")),
}

#: Draft stores: (app, os) -> path under the user's home (Windows: under %LOCALAPPDATA%).
DRAFT_STORES: dict[tuple[str, str], str] = {
    ("capcut", "windows"): "CapCut/User Data/Projects/com.lveditor.draft",
    ("capcut", "macos"): "Movies/CapCut/User Data/Projects/com.lveditor.draft",
    ("jianying", "windows"): "JianyingPro/User Data/Projects/com.lveditor.draft",
    ("jianying", "macos"): "Movies/JianyingPro/User Data/Projects/com.lveditor.draft",
}


@dataclass(frozen=True)
class TransitionKind:
    """An app transition: its resource / effect ids and its name in each app."""

    resource_id: str
    effect_id: str
    names: dict[str, str]
    is_overlap: bool


TRANSITIONS: dict[str, TransitionKind] = {
    "dissolve": TransitionKind("6724845717472416269", "322577", {"capcut": "Mix", "jianying": "叠化"}, True),
    "horizontal": TransitionKind(
        "6724849898857959950", "2917284", {"capcut": "Wipe right", "jianying": "向右擦除"}, True
    ),
    "vertical": TransitionKind("6724849752921346573", "2917282", {"capcut": "Wipe down", "jianying": "向下擦除"}, True),
    "dip": TransitionKind("6724239388189921806", "321493", {"capcut": "Black flash", "jianying": "闪黑"}, False),
}
_TRANSITION_BY_RESOURCE = {kind.resource_id: name for name, kind in TRANSITIONS.items()}

#: Subtitle placement for a vertical (9:16) canvas: centre of the text box, in half-canvas units below centre.
SUBTITLE_Y_VERTICAL = -0.62
SUBTITLE_Y_LANDSCAPE = -0.8


# ------------------------------------------------------------------------------------------ time


def placeholder(draft_id: str) -> str:
    """The apps' own prefix of a path inside the draft folder (resolved by the app wherever the draft is)."""
    return f"##_draftpath_placeholder_{draft_id}_##"


def to_us(frame: int, rate: Fraction) -> int:
    """Integer microseconds of a frame boundary (exact integer arithmetic, rounded half to even)."""
    quotient, rest = divmod(frame * 1_000_000 * rate.denominator, rate.numerator)
    twice = 2 * rest
    return quotient + (twice > rate.numerator or (twice == rate.numerator and quotient % 2 == 1))


def to_frames(us: int | float, rate: Fraction) -> int:
    """Whole frames of a microsecond time (the inverse of `to_us` on the frame grid)."""
    return round(Fraction(us) * rate / 1_000_000) if isinstance(us, int) else round(us * float(rate) / 1_000_000)


def span(start: int, end: int, rate: Fraction) -> dict[str, int]:
    """A timerange of frames [start, end) in microseconds: durations come from rounded boundaries."""
    first = to_us(start, rate)
    return {"start": first, "duration": to_us(end, rate) - first}


# ------------------------------------------------------------------------------------------ ids


class _Ids:
    """Deterministic upper-case ids in the apps' UUID layout (8-4-4-4-12 hex digits), from a seed and a key."""

    def __init__(self, seed: str) -> None:
        self.namespace = hashlib.sha1(("scriptkit-capcut:" + seed).encode("utf-8")).digest()

    def __call__(self, key: str) -> str:
        h = hashlib.sha1(self.namespace + key.encode("utf-8")).hexdigest().upper()
        return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{h[16:20]}-{h[20:32]}"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ------------------------------------------------------------------------------------------ writing


@dataclass(frozen=True)
class Profile:
    app: App
    system: System = "windows"
    timelines: bool = False
    seed: Path | None = None
    #: Media paths in the apps' draft-relative form (`##_draftpath_placeholder_<draft id>_##/...`) and no
    #: folder named in draft_meta_info.json (`--relative-media`): the draft's bytes do not depend on its folder.
    relative: bool = False

    @property
    def primary(self) -> str:
        return PRIMARY_NAMES[self.system]


def _platform(profile: Profile) -> dict[str, Any]:
    marks = MARKERS[profile.app]
    return {
        "app_id": marks.app_id,
        "app_source": marks.app_source,
        "app_version": marks.app_version,
        "device_id": "",
        "hard_disk_id": "",
        "mac_address": "",
        "os": "mac" if profile.system == "macos" else "windows",
        "os_version": "",
    }


def seed_markers(seed: Path) -> dict[str, Any]:
    """The version markers of an empty draft the user's own app made (its primary JSON, in the apps' order)."""
    primary = find_primary(Path(seed))
    data = load_json(primary.path)
    found = {key: data[key] for key in ("platform", "last_modified_platform", "new_version", "version") if key in data}
    if "platform" not in found:
        raise ScriptkitError("the draft seed has no app markers (platform)", primary.path)
    return found


class _Writer:
    def __init__(self, lay: Layout, profile: Profile, draft: Path) -> None:
        self.lay, self.profile, self.draft = lay, profile, draft
        self.rate = lay.rate
        self.draft_id = _Ids(lay.name)("draft")
        self.id = _Ids(self.draft_id)
        self.root = placeholder(self.draft_id) if profile.relative else draft.as_posix()
        self.materials: dict[str, list[dict[str, Any]]] = {
            key: []
            for key in (
                "audio_fades",
                "audios",
                "canvases",
                "material_animations",
                "sound_channel_mappings",
                "speeds",
                "texts",
                "transitions",
                "videos",
            )
        }
        self.copies: dict[Path, str] = {}  # source file -> its name under MEDIA_DIR
        self.taken: set[str] = set(self.copies.values())
        self.registered: list[dict[str, Any]] = []  # draft_meta_info entries

    def us(self, frame: int) -> int:
        return to_us(frame, self.rate)

    def media(self, source: Path, name: str, metetype: str, duration: int) -> tuple[str, str]:
        """The draft path of `source` (copied under MEDIA_DIR once, named after its first user) and its id in
        draft_meta_info.json (a material's `local_material_id`: how newer builds find local media)."""
        if source not in self.copies:
            stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "media"
            local, n = f"{stem}{source.suffix.lower()}", 1
            while local in self.taken:
                n += 1
                local = f"{stem}-{n}{source.suffix.lower()}"
            self.copies[source] = local
            self.taken.add(local)
            path = f"{self.root}/{MEDIA_DIR}/{local}"
            size = (self.lay.width, self.lay.height) if metetype != "music" else (0, 0)
            self.registered.append(
                {
                    "create_time": 0,
                    "duration": duration,
                    "extra_info": local,
                    "file_Path": path,
                    "height": size[1],
                    "id": self.id("meta:" + local).lower(),
                    "import_time": 0,
                    "import_time_ms": 0,
                    "item_source": 1,
                    "md5": "",
                    "metetype": metetype,
                    "roughcut_time_range": {"duration": duration, "start": 0},
                    "sub_time_range": {"duration": -1, "start": -1},
                    "type": 0,
                    "width": size[0],
                }
            )
        local = self.copies[source]
        return f"{self.root}/{MEDIA_DIR}/{local}", self.id("meta:" + local).lower()

    def _helper(self, kind: str, key: str, value: dict[str, Any]) -> str:
        mid = self.id(f"{kind}:{key}")
        self.materials[kind].append({"id": mid, **value})
        return mid

    def speed(self, key: str) -> str:
        return self._helper("speeds", key, {"type": "speed", "mode": 0, "speed": 1.0, "curve_speed": None})

    # ---------------------------------------------------------------- picture

    def video_track(self) -> dict[str, Any]:
        lay = self.lay
        incoming = {b.outgoing: b for b in lay.blends}
        segments = []
        for shot in lay.shots:
            still = shot.media != "movie"
            total = PHOTO_DURATION_US if still else self.us(shot.available)
            path, local_id = self.media(shot.path, shot.name, "photo" if still else "video", total)
            mid = self.id("video:" + shot.name + f":{shot.index}")
            self.materials["videos"].append(_video_material(mid, shot, path, local_id, total, still, lay))
            refs = [
                self.speed(f"shot{shot.index}"),
                self._helper("canvases", f"shot{shot.index}", _CANVAS),
                self._helper("sound_channel_mappings", f"shot{shot.index}", _CHANNELS),
            ]
            blend = incoming.get(shot.index)
            if blend is not None:
                kind = "dissolve" if blend.kind == "dissolve" else wipe_shape(blend.wipe)
                kind = kind if kind in TRANSITIONS else "horizontal"
                refs.append(self._transition(f"blend{shot.index}", kind, self.us(blend.end) - self.us(blend.start)))
            seg = _segment(self.id(f"seg:v:{shot.index}"), mid, refs, self.us(shot.start), self.us(shot.end))
            seg["source_timerange"] = span(shot.source_start, shot.source_start + shot.duration, self.rate)
            seg["common_keyframes"] = self._keyframes(shot)
            segments.append(seg)
        return _track(self.id("track:video"), "video", "V1", segments)

    def _transition(self, key: str, kind: str, duration: int) -> str:
        spec = TRANSITIONS[kind]
        value = {
            "type": "transition",
            "name": spec.names[self.profile.app],
            "effect_id": spec.effect_id,
            "resource_id": spec.resource_id,
            "third_resource_id": spec.resource_id,
            "duration": duration,
            "is_overlap": spec.is_overlap,
            "category_id": "",
            "category_name": "",
            "path": "",
            "platform": "all",
            "request_id": "",
            "source_platform": 0,
        }
        return self._helper("transitions", key, value)

    def _keyframes(self, shot: ShotPlace) -> list[dict[str, Any]]:
        """The camera move as scale / position keyframes, fades as alpha keyframes (offsets from segment start)."""
        length = self.us(shot.end) - self.us(shot.start)
        end = max(0, length - 1)
        tracks: dict[str, list[tuple[int, float]]] = {}
        move = camera_move(shot)
        if move in ANIMATED_MOVES:
            zoom = 1.0 / MOVE_ZOOM
            reach = zoom - 1.0  # the slack of the enlarged picture, in half-canvas units
            if move in ("push_in", "pull_out"):
                a, b = (1.0, zoom) if move == "push_in" else (zoom, 1.0)
                tracks["KFTypeScaleX"] = tracks["KFTypeScaleY"] = [(0, a), (end, b)]
            else:
                tracks["KFTypeScaleX"] = tracks["KFTypeScaleY"] = [(0, zoom), (end, zoom)]
                sign = {"pan_right": -1.0, "pan_left": 1.0, "tilt_up": -1.0, "tilt_down": 1.0}[move]
                prop = "KFTypePositionX" if move.startswith("pan") else "KFTypePositionY"
                tracks[prop] = [(0, -sign * reach), (end, sign * reach)]
        alpha: list[tuple[int, float]] = []
        for fade in self.lay.fades:
            if fade.shot != shot.index:
                continue
            a = self.us(fade.start) - self.us(shot.start)
            b = self.us(fade.end) - self.us(shot.start)
            alpha += [(a, 0.0), (b, 1.0)] if fade.kind == "in" else [(a, 1.0), (min(b, end), 0.0)]
        if alpha:
            tracks["KFTypeAlpha"] = sorted(alpha)
        return [self._keyframe_track(shot.index, prop, points) for prop, points in tracks.items()]

    def _keyframe_track(self, index: int, prop: str, points: list[tuple[int, float]]) -> dict[str, Any]:
        frames = [
            {
                "id": self.id(f"kf:{index}:{prop}:{n}"),
                "curveType": "Line",
                "graphID": "",
                "left_control": {"x": 0.0, "y": 0.0},
                "right_control": {"x": 0.0, "y": 0.0},
                "time_offset": offset,
                "values": [round(value, 6)],
            }
            for n, (offset, value) in enumerate(points)
        ]
        return {"id": self.id(f"kft:{index}:{prop}"), "keyframe_list": frames, "material_id": "", "property_type": prop}

    # ---------------------------------------------------------------- sound and text

    def audio_track(self, t: int) -> dict[str, Any]:
        track = self.lay.audio[t]
        segments = []
        for n, clip in enumerate(track.clips):
            total = self.us(clip.source_start + clip.duration)
            path, local_id = self.media(clip.path, clip.name, "music", total)
            mid = self.id(f"audio:{t}:{n}")
            self.materials["audios"].append(_audio_material(mid, clip, path, local_id, total))
            refs = [
                self.speed(f"a{t}:{n}"),
                self._helper("sound_channel_mappings", f"a{t}:{n}", _CHANNELS),
            ]
            fade = _audio_fade(clip, track.role, self.rate)
            if fade:
                refs.append(self._helper("audio_fades", f"a{t}:{n}", fade))
            seg = _segment(
                self.id(f"seg:a:{t}:{n}"), mid, refs, self.us(clip.start), self.us(clip.start + clip.duration)
            )
            seg["source_timerange"] = span(clip.source_start, clip.source_start + clip.duration, self.rate)
            seg["volume"] = round(10 ** (clip.level_db / 20), 6)
            seg["clip"] = None
            segments.append(seg)
        return _track(self.id(f"track:audio:{t}"), "audio", track.name, segments)

    def text_track(self) -> dict[str, Any] | None:
        if not self.lay.subtitles:
            return None
        vertical = self.lay.height > self.lay.width
        y = SUBTITLE_Y_VERTICAL if vertical else SUBTITLE_Y_LANDSCAPE
        segments = []
        end = 0
        for n, sub in enumerate(self.lay.subtitles):
            start = max(sub.start, end)  # subtitles of two characters may overlap: one text track, no overlaps
            if start >= sub.end:
                continue
            end = sub.end
            mid = self.id(f"text:{n}")
            self.materials["texts"].append(_text_material(mid, sub.text, vertical))
            anim = self._helper("material_animations", f"text:{n}", _ANIMATIONS)
            seg = _segment(self.id(f"seg:t:{n}"), mid, [anim], self.us(start), self.us(sub.end))
            seg["source_timerange"] = None
            seg["clip"]["transform"] = {"x": 0.0, "y": y}
            seg["volume"] = 1.0
            segments.append(seg)
        return _track(self.id("track:text"), "text", "SUBTITLES", segments)

    # ---------------------------------------------------------------- whole draft

    def content(self) -> dict[str, Any]:
        lay = self.lay
        tracks = [self.video_track(), *(self.audio_track(t) for t in range(len(lay.audio)))]
        text = self.text_track()
        if text is not None:
            tracks.append(text)
        for index, track in enumerate(tracks):
            for seg in track["segments"]:
                seg["track_render_index"] = index
        duration = max(
            (s["target_timerange"]["start"] + s["target_timerange"]["duration"]) for t in tracks for s in t["segments"]
        )
        markers: dict[str, Any] = {
            "platform": _platform(self.profile),
            "last_modified_platform": _platform(self.profile),
            "new_version": MARKERS[self.profile.app].new_version,
            "version": DRAFT_VERSION,
        }
        if self.profile.seed is not None:
            markers.update(seed_markers(self.profile.seed))
        return {
            "canvas_config": {"background": None, "height": lay.height, "ratio": "original", "width": lay.width},
            "color_space": 0,
            "config": {
                "maintrack_adsorb": True,
                "subtitle_sync": True,
                "video_mute": False,
                "record_audio_last_index": 1,
            },
            "cover": None,
            "create_time": 0,
            "duration": duration,
            "extra_info": {"scriptkit": {"title": lay.name, "fps": str(lay.rate)}},
            "fps": float(lay.rate),
            "free_render_index_mode_on": False,
            "group_container": None,
            "id": self.draft_id,
            "keyframe_graph_list": [],
            "keyframes": {
                "adjusts": [],
                "audios": [],
                "effects": [],
                "filters": [],
                "handwrites": [],
                "stickers": [],
                "texts": [],
                "videos": [],
            },
            "materials": {**_EMPTY_MATERIALS, **self.materials},
            "mutable_config": None,
            "name": "",
            "new_version": markers["new_version"],
            "path": "",
            "platform": markers["platform"],
            "last_modified_platform": markers["last_modified_platform"],
            "relationships": [],
            "render_index_track_mode_on": True,
            "retouch_cover": None,
            "source": "default",
            "static_cover_image_path": "",
            "time_marks": None,
            "tracks": tracks,
            "update_time": 0,
            "version": markers["version"],
        }

    def meta(self, content: dict[str, Any], name: str) -> dict[str, Any]:
        groups = [{"type": t, "value": self.registered if t == 0 else []} for t in (0, 1, 2, 3, 6, 7, 8)]
        return {
            "cloud_package_completed_time": "",
            "draft_cloud_capcut_purchase_info": "",
            "draft_cloud_last_action_download": False,
            "draft_cloud_purchase_info": "",
            "draft_cloud_template_id": "",
            "draft_cloud_tutorial_info": "",
            "draft_cloud_videocut_purchase_info": "",
            "draft_cover": "",
            "draft_deeplink_url": "",
            "draft_enterprise_info": {
                "draft_enterprise_extra": "",
                "draft_enterprise_id": "",
                "draft_enterprise_name": "",
                "enterprise_material": [],
            },
            "draft_fold_path": "" if self.profile.relative else self.draft.as_posix(),
            "draft_id": self.draft_id,
            "draft_is_ai_shorts": False,
            "draft_is_article_video_draft": False,
            "draft_is_from_deeplink": "false",
            "draft_is_invisible": False,
            "draft_materials": groups,
            "draft_materials_copied_info": [],
            "draft_name": name,
            "draft_new_version": content["new_version"],
            "draft_removable_storage_device": "",
            "draft_root_path": "" if self.profile.relative else self.draft.parent.as_posix(),
            "draft_segment_extra_info": [],
            "draft_timeline_materials_size_": 0,
            "draft_type": "",
            "tm_draft_cloud_completed": "",
            "tm_draft_cloud_modified": 0,
            "tm_draft_create": 0,
            "tm_draft_modified": 0,
            "tm_draft_removed": 0,
            "tm_duration": content["duration"],
        }


def _segment(sid: str, mid: str, refs: list[str], start: int, end: int) -> dict[str, Any]:
    return {
        "caption_info": None,
        "cartoon": False,
        "clip": {
            "alpha": 1.0,
            "flip": {"horizontal": False, "vertical": False},
            "rotation": 0.0,
            "scale": {"x": 1.0, "y": 1.0},
            "transform": {"x": 0.0, "y": 0.0},
        },
        "common_keyframes": [],
        "enable_adjust": True,
        "enable_color_curves": True,
        "enable_color_wheels": True,
        "enable_lut": True,
        "extra_material_refs": refs,
        "group_id": "",
        "hdr_settings": {"intensity": 1.0, "mode": 1, "nits": 1000},
        "id": sid,
        "intensifies_audio": False,
        "is_placeholder": False,
        "is_tone_modify": False,
        "keyframe_refs": [],
        "last_nonzero_volume": 1.0,
        "material_id": mid,
        "render_index": 0,
        "render_timerange": {"duration": 0, "start": 0},
        "responsive_layout": {
            "enable": False,
            "horizontal_pos_layout": 0,
            "size_layout": 0,
            "target_follow": "",
            "vertical_pos_layout": 0,
        },
        "reverse": False,
        "source_timerange": {"duration": end - start, "start": 0},
        "speed": 1.0,
        "target_timerange": {"duration": end - start, "start": start},
        "template_id": "",
        "template_scene": "default",
        "track_attribute": 0,
        "track_render_index": 0,
        "uniform_scale": {"on": True, "value": 1.0},
        "visible": True,
        "volume": 1.0,
    }


def _track(tid: str, kind: str, name: str, segments: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "attribute": 0,
        "flag": 0,
        "id": tid,
        "is_default_name": False,
        "name": name,
        "segments": segments,
        "type": kind,
    }


_CANVAS = {
    "type": "canvas_color",
    "album_image": "",
    "blur": 0.0,
    "color": "",
    "image": "",
    "image_id": "",
    "image_name": "",
    "source_platform": 0,
    "team_id": "",
}
_CHANNELS = {"type": "", "audio_channel_mapping": 0, "is_config_open": False}
_ANIMATIONS = {"type": "sticker_animation", "animations": [], "multi_language_current": "none"}
_EMPTY_MATERIALS: dict[str, list[Any]] = {
    key: []
    for key in (
        "ai_translates", "audio_balances", "audio_effects", "audio_fades", "audio_track_indexes", "audios", "beats",
        "canvases", "chromas", "color_curves", "digital_humans", "drafts", "effects", "flowers", "green_screens",
        "handwrites", "hsl", "images", "log_color_wheels", "loudnesses", "manual_deformations", "masks",
        "material_animations", "material_colors", "multi_language_refs", "placeholders", "plugin_effects",
        "primary_color_wheels", "realtime_denoises", "shapes", "smart_crops", "smart_relights",
        "sound_channel_mappings", "speeds", "stickers", "tail_leaders", "text_templates", "texts", "time_marks",
        "transitions", "video_effects", "video_trackings", "videos", "vocal_beautifys", "vocal_separations",
    )
}  # fmt: skip


def _video_material(
    mid: str, shot: ShotPlace, path: str, local_id: str, total: int, still: bool, lay: Layout
) -> dict[str, Any]:
    return {
        "id": mid,
        "type": "photo" if still else "video",
        "material_name": shot.name,
        "path": path,
        "media_path": "",
        "duration": total,
        "width": lay.width,
        "height": lay.height,
        "has_audio": False,
        "category_name": "local",
        "category_id": "",
        "material_id": "",
        "material_url": "",
        "local_id": "",
        "local_material_id": local_id,
        "crop": {
            "lower_left_x": 0.0, "lower_left_y": 1.0, "lower_right_x": 1.0, "lower_right_y": 1.0,
            "upper_left_x": 0.0, "upper_left_y": 0.0, "upper_right_x": 1.0, "upper_right_y": 0.0,
        },
        "crop_ratio": "free",
        "crop_scale": 1.0,
        "audio_fade": None,
        "extra_type_option": 0,
        "source": 0,
        "source_platform": 0,
        "check_flag": 63487,
    }  # fmt: skip


def _audio_material(mid: str, clip: AudioPlace, path: str, local_id: str, total: int) -> dict[str, Any]:
    return {
        "id": mid,
        "type": "extract_music",
        "name": clip.name,
        "path": path,
        "duration": total,
        "category_name": "local",
        "category_id": "",
        "check_flag": 1,
        "music_id": "",
        "source_platform": 0,
        "wave_points": [],
        "local_material_id": local_id,
        "effect_id": "",
        "resource_id": "",
        "text_id": "",
        "tone_type": "",
        "video_id": "",
    }


def _audio_fade(clip: AudioPlace, role: str, rate: Fraction) -> dict[str, Any] | None:
    """Fades of an audio segment: the music bed fades in and out (a second, at most a quarter of it)."""
    if role != "music":
        return None
    frames = min(round(rate), clip.duration // 4)
    if frames <= 0:
        return None
    length = to_us(frames, rate)
    return {"type": "audio_fade", "fade_in_duration": length, "fade_out_duration": length, "fade_type": 0}


def _text_material(mid: str, text: str, vertical: bool) -> dict[str, Any]:
    size = 7.0 if vertical else 5.0
    style = {
        "fill": {"alpha": 1.0, "content": {"render_type": "solid", "solid": {"alpha": 1.0, "color": [1.0, 1.0, 1.0]}}},
        "font": {"id": "", "path": ""},
        "range": [0, _utf16_len(text)],
        "size": size,
        "strokes": [
            {
                "alpha": 1.0,
                "content": {"render_type": "solid", "solid": {"alpha": 1.0, "color": [0.0, 0.0, 0.0]}},
                "width": 0.08,
            }
        ],
    }
    return {
        "id": mid,
        "type": "subtitle",
        "name": "",
        "content": json.dumps({"styles": [style], "text": text}, ensure_ascii=False, separators=(",", ":")),
        "alignment": 1,
        "font_size": size,
        "text_size": 30,
        "line_max_width": 0.82,
        "typesetting": 0,
        "words": {"end_time": [], "start_time": [], "text": []},
        "check_flag": 7,
        "global_alpha": 1.0,
    }


def draft_json(data: Any) -> bytes:
    """The JSON bytes the draft files hold (stable key order: same timeline, same bytes)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _link_or_copy(source: Path, target: Path) -> None:
    """A copy of `source` at `target`: a hard link where both are on one file system (our media is written
    atomically, replaced and never changed in place, so the draft's copy never changes), else a byte copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_draft(timeline: otio.schema.Timeline, path: Path, profile: Profile) -> None:
    """Write the draft folder `path` (atomically: a reader never sees half of one)."""
    path = Path(path).absolute()
    lay = shot_layout(timeline)
    for source in [s.path for s in lay.shots] + [c.path for t in lay.audio for c in t.clips]:
        if not source.is_file():
            raise ScriptkitError("media file is missing", source, hint="run `scriptkit generate`")
    writer = _Writer(lay, profile, path)
    content = writer.content()
    body = draft_json(content)
    meta = draft_json(writer.meta(content, path.name))
    with atomic_folder(path) as tmp:
        for source, local in writer.copies.items():
            target = tmp / MEDIA_DIR / local
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(source, target)
        folders = [tmp]
        if profile.timelines:
            folder = tmp / "Timelines" / content["id"]
            folders.append(folder)
            project = {
                "config": {"color_space": 0, "render_index_track_mode_on": True, "use_float_render": False},
                "create_time": 0,
                "id": writer.id("project"),
                "main_timeline_id": content["id"],
                "timelines": [
                    {
                        "create_time": 0,
                        "id": content["id"],
                        "is_marked_delete": False,
                        "name": "Timeline 01",
                        "update_time": 0,
                    }
                ],
                "update_time": 0,
                "version": 0,
            }
            (tmp / "Timelines").mkdir()
            folder.mkdir()
            (tmp / "Timelines" / "project.json").write_bytes(draft_json(project))
        for folder in folders:
            for name in (profile.primary, profile.primary + ".bak", "template-2.tmp"):
                (folder / name).write_bytes(body)
        (tmp / META_NAME).write_bytes(meta)


# ------------------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Primary:
    path: Path
    folder: Path
    #: Other copies of the timeline JSON that hold different bytes (relative names).
    disagree: tuple[str, ...] = ()


def load_json(path: Path) -> dict[str, Any]:
    """A draft JSON file, or one clear error (an encrypted draft says what works instead)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ScriptkitError(f"cannot read draft file: {exc.strerror}", path) from None
    text = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"{"):
        raise ScriptkitError(
            "this draft is encrypted (Jianying 6 and later encrypt a draft when they save it); scriptkit never "
            "decrypts drafts",
            path,
            hint="use a CapCut (international) draft, a Jianying draft from before the app re-saved it, or export "
            "the timeline from the app as XML (FCPXML / Premiere XML) and pass that file instead",
        )
    try:
        data = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScriptkitError(f"not a valid draft JSON file: {exc}", path) from None
    if not isinstance(data, dict):
        raise ScriptkitError("not a draft: the JSON is not an object", path)
    return data


def _timeline_copies(folder: Path) -> list[Path]:
    """Candidate timeline files of a draft folder, in the order the apps read them."""
    found: list[Path] = []
    project = folder / "Timelines" / "project.json"
    if project.is_file():
        try:
            main = str(json.loads(project.read_text(encoding="utf-8")).get("main_timeline_id") or "")
        except (OSError, ValueError, AttributeError):
            main = ""
        if main:
            sub = folder / "Timelines" / main
            found += [sub / "draft_info.json", sub / "draft_content.json", sub / "template-2.tmp"]
    found += [folder / "draft_info.json", folder / "draft_content.json", folder / "template-2.tmp"]
    return [p for p in found if p.is_file()]


def _has_timeline(path: Path) -> bool:
    try:
        data = load_json(path)
    except ScriptkitError:
        return True  # an encrypted primary is still the primary: reading it gives the clear message
    return bool(data.get("tracks")) or bool(data.get("materials")) or "canvas_config" in data


def find_primary(path: Path) -> Primary:
    """The draft's primary timeline file and the copies that disagree with it."""
    path = Path(path)
    if path.is_file():
        folder = path.parent
        if folder.parent.name == "Timelines":
            folder = folder.parent.parent
        copies = [path]
    else:
        folder = path
        copies = _timeline_copies(path)
        if not copies:
            raise ScriptkitError("not a CapCut / Jianying draft: no draft_content.json or draft_info.json", path)
        # a stub (an empty skeleton's Timelines copy) is skipped for a copy that holds the timeline
        full = [p for p in copies if _has_timeline(p)]
        copies = full + [p for p in copies if p not in full]
    primary = copies[0]
    body = primary.read_bytes()
    others = _timeline_copies(folder) if path.is_dir() else []
    disagree = tuple(p.relative_to(folder).as_posix() for p in others if p != primary and p.read_bytes() != body)
    return Primary(primary, folder, disagree)


def _app_source(data: dict[str, Any]) -> str:
    """The app that last saved a draft ("cc" CapCut, "lv" Jianying, "" when it does not say)."""
    for key in ("last_modified_platform", "platform"):
        platform = data.get(key)
        if isinstance(platform, dict) and platform.get("app_source"):
            return str(platform["app_source"])
    return ""


def sniff(path: Path, app_source: str) -> bool:
    """A draft folder or draft JSON file last saved by the app of `app_source` ("cc" CapCut; "lv" Jianying,
    which also takes drafts that name no app, as Jianying 3 wrote them, and encrypted ones)."""
    path = Path(path)
    if path.is_dir():
        if not _timeline_copies(path):
            return False
        path = find_primary(path).path
    else:
        with open(path, "rb") as handle:
            head = handle.read(65536)
        if head.lstrip().startswith(b"{") and not (b'"materials"' in head or b'"canvas_config"' in head):
            return False
    try:
        data = load_json(path)
    except ScriptkitError:
        return app_source == "lv" and path.name in ("draft_content.json", "draft_info.json")
    if "tracks" not in data or "canvas_config" not in data:
        return False
    found = _app_source(data)
    return found == app_source or (app_source == "lv" and found != "cc")


def _media_path(raw: str, folder: Path) -> Path:
    """A material path as a local file: as written, else the same file under this draft folder."""
    if raw.startswith("##_draftpath_placeholder_"):
        return folder / raw.split("_##", 1)[1].lstrip("/")
    path = Path(raw)
    if path.exists() or not raw:
        return path
    parts = raw.replace("\\", "/").split("/")
    for anchor in ("Resources",):
        if anchor in parts:
            local = folder.joinpath(*parts[parts.index(anchor) :])
            if local.exists():
                return local
    return path


def draft_rate(data: dict[str, Any]) -> Fraction:
    fps = (
        (data.get("extra_info") or {}).get("scriptkit", {}).get("fps")
        if isinstance(data.get("extra_info"), dict)
        else None
    )
    if fps:
        try:
            return Fraction(str(fps))
        except (ValueError, ZeroDivisionError):
            pass
    try:
        value = float(data.get("fps") or 30.0)
    except (TypeError, ValueError):
        value = 30.0
    return rational(value if value > 0 else 30.0)


def read_draft(path: Path, app: App) -> otio.schema.Timeline:
    """Read a draft folder or one of its JSON files into an OTIO timeline (see the module docstring)."""
    import opentimelineio as otio

    primary = find_primary(Path(path))
    data = load_json(primary.path)
    rate = draft_rate(data)
    fps = float(rate)
    rt = lambda frames: otio.opentime.RationalTime(frames, fps)  # noqa: E731
    materials: dict[str, tuple[str, dict[str, Any]]] = {}
    for kind, items in (data.get("materials") or {}).items():
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict) and "id" in item:
                    materials[str(item["id"])] = (kind, item)
    canvas = data.get("canvas_config") or {}
    extra = data.get("extra_info") if isinstance(data.get("extra_info"), dict) else {}
    title = str((extra.get("scriptkit") or {}).get("title") or data.get("name") or primary.folder.name)
    tl = otio.schema.Timeline(name=title)
    tl.global_start_time = rt(0)
    set_metadata(
        tl,
        "capcut",
        {
            "app": app,
            "primary": primary.path.relative_to(primary.folder).as_posix()
            if primary.path.is_relative_to(primary.folder)
            else primary.path.name,
            "copies_disagree": list(primary.disagree),
            "platform": data.get("platform") if isinstance(data.get("platform"), dict) else {},
            "new_version": str(data.get("new_version") or ""),
        },
    )
    set_metadata(
        tl,
        "scriptkit",
        {
            "title": title,
            "width": int(canvas.get("width") or 0),
            "height": int(canvas.get("height") or 0),
            "fps": str(rate),
        },
    )
    subtitles: list[tuple[int, int, str]] = []
    videos = 0
    for track in data.get("tracks") or []:
        kind = str(track.get("type") or "")
        segments = sorted(
            track.get("segments") or [], key=lambda s: int((s.get("target_timerange") or {}).get("start") or 0)
        )
        if kind == "text":
            for seg in segments:
                _, mat = materials.get(str(seg.get("material_id")), ("", {}))
                start, end = _target(seg, rate)
                subtitles.append((start, end, _text_of(mat)))
            continue
        if kind not in ("video", "audio"):
            continue
        videos += kind == "video"
        name = str(track.get("name") or "") or ("V1" if kind == "video" and videos == 1 else kind.upper())
        otio_kind = otio.schema.TrackKind.Video if kind == "video" else otio.schema.TrackKind.Audio
        out = otio.schema.Track(name=name, kind=otio_kind)
        set_metadata(out, "capcut", {"id": str(track.get("id") or ""), "type": kind})
        tl.tracks.append(out)
        pos = 0
        pending: dict[str, Any] | None = None
        for seg in segments:
            start, end = _target(seg, rate)
            if start < pos:  # an overlap the apps do not make: keep the order, drop the overlap
                start = pos
            if end <= start:
                continue
            if start > pos:
                out.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(rt(0), rt(start - pos))))
                pending = None
            if pending is not None:
                half = pending["frames"] // 2
                out.append(
                    otio.schema.Transition(
                        name=pending["name"],
                        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                        in_offset=rt(half),
                        out_offset=rt(pending["frames"] - half),
                        metadata={"capcut": pending["raw"]},
                    )
                )
                pending = None
            clip, pending = _clip(seg, materials, primary.folder, rate, start, end)
            fade_in, fade_out = _alpha_fades(seg, rate, end - start)
            if fade_in:
                out.append(_fade("in", fade_in, fps))
            out.append(clip)
            if fade_out:
                out.append(_fade("out", fade_out, fps))
            pos = end
    set_metadata(tl, "capcut_subtitles", [{"start": s, "end": e, "text": t} for s, e, t in subtitles])
    attach_captions(tl, subtitles, rate)
    return tl


def _target(seg: dict[str, Any], rate: Fraction) -> tuple[int, int]:
    rng = seg.get("target_timerange") or {}
    start = int(rng.get("start") or 0)
    return to_frames(start, rate), to_frames(start + int(rng.get("duration") or 0), rate)


def _alpha_fades(seg: dict[str, Any], rate: Fraction, frames: int) -> tuple[int, int]:
    """(fade-in frames, fade-out frames) of a segment's alpha keyframes: 0 -> 1 from its start, 1 -> 0 to its end."""
    fade_in = fade_out = 0
    for track in seg.get("common_keyframes") or []:
        if track.get("property_type") != "KFTypeAlpha":
            continue
        points = [
            (int(k.get("time_offset") or 0), float((k.get("values") or [1.0])[0]))
            for k in track.get("keyframe_list") or []
        ]
        for (a, va), (b, vb) in pairwise(sorted(points)):
            if a == 0 and va == 0.0 and vb == 1.0:
                fade_in = to_frames(b, rate)
            elif va == 1.0 and vb == 0.0 and to_frames(b, rate) >= frames - 1:
                fade_out = frames - to_frames(a, rate)
    return fade_in, fade_out


def _fade(kind: str, frames: int, fps: float) -> otio.schema.Transition:
    """Our fade from / to black: a transition before (in) or after (out) its clip."""
    import opentimelineio as otio

    zero, length = otio.opentime.RationalTime(0, fps), otio.opentime.RationalTime(frames, fps)
    return otio.schema.Transition(
        name=f"Fade {kind.capitalize()}",
        transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
        in_offset=zero if kind == "in" else length,
        out_offset=length if kind == "in" else zero,
        metadata={"scriptkit": {"kind": f"fade_{kind}"}},
    )


def _text_of(material: dict[str, Any]) -> str:
    content = material.get("content")
    if isinstance(content, str):
        try:
            parsed = json.loads(content)
            if isinstance(parsed, dict):
                return str(parsed.get("text") or "")
        except json.JSONDecodeError:
            return content
    return str(material.get("recognize_text") or "")


def _clip(
    seg: dict[str, Any],
    materials: dict[str, tuple[str, dict[str, Any]]],
    folder: Path,
    rate: Fraction,
    start: int,
    end: int,
) -> tuple[otio.schema.Clip, dict[str, Any] | None]:
    import opentimelineio as otio

    fps = float(rate)
    kind, mat = materials.get(str(seg.get("material_id")), ("", {}))
    name = str(mat.get("material_name") or mat.get("name") or "")
    raw_path = str(mat.get("path") or "")
    media = _media_path(raw_path, folder) if raw_path else None
    if not name and media is not None:
        name = media.stem
    speed = float(seg.get("speed") or 1.0)
    source = seg.get("source_timerange") or {}
    source_in = to_frames(int(source.get("start") or 0), rate)
    frames = end - start
    total = int(mat.get("duration") or 0)
    available = max(to_frames(total, rate), source_in + math.ceil(frames * speed)) if total else None
    if media is not None:
        ref: otio.core.MediaReference = otio.schema.ExternalReference(
            target_url=file_url(media),
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, fps), otio.opentime.RationalTime(available, fps)
            )
            if available
            else None,
        )
    else:
        ref = otio.schema.MissingReference()
    clip = otio.schema.Clip(
        name=name,
        media_reference=ref,
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(source_in, fps), otio.opentime.RationalTime(frames, fps)
        ),
    )
    if speed != 1.0:
        clip.effects.append(otio.schema.LinearTimeWarp(name="speed", time_scalar=speed))
    media_kind = "audio" if kind == "audios" else ("still" if mat.get("type") == "photo" else "movie")
    set_metadata(clip, "capcut", {"segment": seg, "material_type": str(mat.get("type") or kind), "material_name": name})
    own = {"media": media_kind}
    if SHOT_ID.match(name):
        own.update({"kind": "shot", "shot_id": name})
    set_metadata(clip, "scriptkit", own)
    pending = None
    for ref_id in seg.get("extra_material_refs") or []:
        rkind, rmat = materials.get(str(ref_id), ("", {}))
        if rkind == "transitions":
            kind_name = _TRANSITION_BY_RESOURCE.get(str(rmat.get("resource_id") or ""), "dissolve")
            pending = {
                "frames": max(1, to_frames(int(rmat.get("duration") or 0), rate)),
                "name": "Cross Dissolve" if kind_name in ("dissolve", "dip") else "Wipe",
                "raw": rmat,
            }
        elif rkind == "audio_fades":
            set_metadata(clip, "capcut_fade", {k: rmat.get(k) for k in ("fade_in_duration", "fade_out_duration")})
    volume = float(seg.get("volume") if seg.get("volume") is not None else 1.0)
    if kind == "audios" and volume > 0:
        meta = dict(clip.metadata["scriptkit"])
        meta["level_db"] = round(20 * math.log10(volume), 3)
        set_metadata(clip, "scriptkit", meta)
    return clip, pending


# ------------------------------------------------------------------------------------------ install


def draft_store(app: str, system: str, home: Path | None = None) -> Path:
    """The app's draft folder on this machine (Windows: under %LOCALAPPDATA%)."""
    if system == "windows":
        base = Path(os.environ.get("LOCALAPPDATA") or (Path(home or Path.home()) / "AppData" / "Local"))
    else:
        base = Path(home or Path.home())
    return base / DRAFT_STORES[(app, system)]


def app_running(app: str) -> bool:
    """Whether the app seems to be running (its process name is listed)."""
    import subprocess
    import sys

    names = set(MARKERS[app].process_names)
    try:
        if sys.platform == "win32":
            listing = subprocess.run(
                ["tasklist", "/FO", "CSV", "/NH"], capture_output=True, text=True, timeout=20
            ).stdout
            running = {line.split(",")[0].strip('"') for line in listing.splitlines() if line}
        else:
            listing = subprocess.run(["ps", "-A", "-o", "comm="], capture_output=True, text=True, timeout=20).stdout
            running = {Path(line.strip()).name for line in listing.splitlines() if line.strip()}
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(names & running)


def _json_str(text: str) -> bytes:
    """`text` as it appears inside a JSON string of a draft file."""
    return json.dumps(text, ensure_ascii=False)[1:-1].encode("utf-8")


def install_draft(draft: Path, app: str, drafts_dir: Path, name: str | None = None) -> Path:
    """Copy a written draft into the app's draft folder with its paths rewritten there; an earlier draft of the
    same name is backed up first (`<name>.backup-N`). Refuses while the app is running."""
    draft = Path(draft).absolute()
    find_primary(draft)  # a draft, or one clear error
    if app_running(app):
        raise ScriptkitError(f"{app} is running: quit it first, then install again (it would overwrite the draft)")
    meta_path = draft / META_NAME
    meta_data = load_json(meta_path) if meta_path.is_file() else {}
    old_roots = [str(meta_data.get("draft_fold_path") or draft.as_posix())]
    if meta_data.get("draft_id"):
        old_roots.append(placeholder(str(meta_data["draft_id"])))
    target = Path(drafts_dir).absolute() / (name or draft.name)
    if target.exists():
        n = 1
        while target.with_name(f"{target.name}.backup-{n}").exists():
            n += 1
        shutil.copytree(target, target.with_name(f"{target.name}.backup-{n}"))
    new_root = target.as_posix()
    with atomic_folder(target) as tmp:
        shutil.copytree(draft, tmp, dirs_exist_ok=True)
        for item in sorted(tmp.rglob("*")):
            if item.is_file() and (item.suffix in (".json", ".tmp", ".bak")):
                raw = item.read_bytes()
                if not raw.lstrip().startswith(b"{"):
                    continue
                for old_root in old_roots:
                    raw = raw.replace(_json_str(old_root), _json_str(new_root))
                item.write_bytes(raw)
        meta = tmp / META_NAME
        if meta.is_file():
            data = load_json(meta)
            data["draft_fold_path"], data["draft_root_path"], data["draft_name"] = (
                new_root,
                target.parent.as_posix(),
                target.name,
            )
            meta.write_bytes(draft_json(data))
    return target


def install_command(draft: Path, drafts_dir: Path | None, name: str | None) -> Path:
    """`scriptkit install`: the app from the draft's own markers, its draft folder from this machine's system
    unless `drafts_dir` is given; the draft's name in the app is its folder name without our suffix."""
    import sys

    from exporters import guess_format

    draft = Path(draft)
    if not draft.is_dir():
        raise ScriptkitError("not a draft folder", draft)
    app = guess_format(draft)
    if app not in MARKERS:
        raise ScriptkitError(f"not a CapCut / Jianying draft (it reads as {app})", draft)
    if drafts_dir is None:
        system = {"win32": "windows", "darwin": "macos"}.get(sys.platform)
        if system is None:
            raise ScriptkitError(f"{app} runs on Windows and macOS only: name its draft folder with --drafts-dir")
        drafts_dir = draft_store(app, system)
    stem = draft.name.removesuffix(f".{app}")
    return install_draft(draft, app, drafts_dir, name or stem)
