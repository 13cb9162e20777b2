"""Kdenlive project (.kdenlive) for Kdenlive 22.12 (Debian bookworm), written from the timeline.

Our own writer: the OTIO kdenlive adapter hard-codes 16:9, drops transitions and renders grey. A .kdenlive
file is MLT XML plus Kdenlive's own properties; this writes the 22.12 layout (document version 1.04):

- <profile> with the timeline's size and exact rate; `kdenlive:docproperties.profile` names the matching
  MLT profile (vertical_hd_30, atsc_1080p_2398, ...) when there is one;
- bin clips: one `pixbuf` producer per shot keyframe and one `avformat-novalidate` producer per sound
  file, each with `kdenlive:id`, `kdenlive:clipname`, `kdenlive:folderid` -1 and `kdenlive:clip_type`
  (2 picture only, 1 sound only); shot producers carry their shot marker in `kdenlive:markers`;
- the `main_bin` playlist holding the document properties (`kdenlive:docproperties.*`, guides for shot
  ids as `kdenlive:docproperties.guides` JSON) and an entry per bin clip;
- one tractor per timeline track with two playlists (Kdenlive's track shape), named by
  `kdenlive:track_name`, audio tracks flagged `kdenlive:audio_track`; a dissolve or wipe is a same-track
  mix: the incoming clip on the track's other playlist and a `luma` transition with `kdenlive:mixcut`;
  fades are the fade_from_black / fade_to_black effects (`brightness` filters with a `level` ramp); the
  music bed has a `volume` effect at its level_db;
- the timeline tractor: the black track, audio tracks, then video tracks; `mix` transitions (sum) put
  every audio track in the mix, `frei0r.cairoblend` the track compositing (`internal_added` 237: what
  Kdenlive itself writes, checked against its test-suite project mix-luma.kdenlive). Where frei0r is not
  installed melt skips that compositor; with one video track it is not needed, and melt renders the
  project as Kdenlive would.
Deterministic: same timeline, same bytes (the document id is a hash of the title).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporters import Format
from exporters.mlt_common import (
    MLT_VERSION,
    Layout,
    XmlWriter,
    audio_segments,
    level_ramp,
    media_ref,
    mlt_profile,
    picture_producer_props,
    shot_layout,
    volume_level,
    wipe_shape,
    write_luma_pgm,
)
from scriptkit.io import atomic_write_text

if TYPE_CHECKING:
    import opentimelineio as otio

    from scriptkit.models import ExportOptions

KDENLIVE_VERSION = "22.12.3"
DOCUMENT_VERSION = "1.04"
#: Kdenlive guide / marker category (0-8); 0 is the first colour of the default palette.
GUIDE_TYPE = 0
#: (width, height, rate numerator, rate denominator) -> MLT profile name.
PROFILES: dict[tuple[int, int, int, int], str] = {
    (1080, 1920, 30, 1): "vertical_hd_30",
    (1080, 1920, 60, 1): "vertical_hd_60",
    (1920, 1080, 24000, 1001): "atsc_1080p_2398",
    (1920, 1080, 24, 1): "atsc_1080p_24",
    (1920, 1080, 25, 1): "atsc_1080p_25",
    (1920, 1080, 30000, 1001): "atsc_1080p_2997",
    (1920, 1080, 30, 1): "atsc_1080p_30",
    (1920, 1080, 50, 1): "atsc_1080p_50",
    (1920, 1080, 60000, 1001): "atsc_1080p_5994",
    (1920, 1080, 60, 1): "atsc_1080p_60",
    (1280, 720, 24000, 1001): "atsc_720p_2398",
    (1280, 720, 25, 1): "atsc_720p_25",
    (1280, 720, 30, 1): "atsc_720p_30",
    (1080, 1080, 30, 1): "square_1080p_30",
    (3840, 2160, 24000, 1001): "uhd_2160p_2398",
    (3840, 2160, 25, 1): "uhd_2160p_25",
    (3840, 2160, 30, 1): "uhd_2160p_30",
}


def profile_name(lay: Layout) -> str:
    return PROFILES.get((lay.width, lay.height, lay.rate.numerator, lay.rate.denominator), "")


def luma_path(folder: Path, shape: str, reverse: bool = False) -> Path:
    return folder / "lumas" / f"{shape}{'-reverse' if reverse else ''}.pgm"


def _wipes(lay: Layout) -> list[tuple[str, bool]]:
    """(shape, reversed) of every wipe: a mix into the lower playlist runs reversed."""
    spans = _shot_spans(lay)
    return sorted({(wipe_shape(b.wipe), spans[b.incoming][2] == 0) for b in lay.blends if b.kind == "wipe"})


def _document_id(lay: Layout) -> str:
    digest = hashlib.sha256(f"{lay.name}|{lay.width}x{lay.height}|{lay.rate}".encode()).hexdigest()
    return str(1_600_000_000_000 + int(digest[:10], 16) % 100_000_000_000)


class _Bin:
    """Bin clip ids: one producer per distinct media file, numbered in first-use order."""

    def __init__(self) -> None:
        self.ids: dict[Path, int] = {}

    def id(self, path: Path) -> int:
        if path not in self.ids:
            self.ids[path] = len(self.ids) + 2  # Kdenlive numbers bin clips from 2 (1 is the root folder)
        return self.ids[path]


def build(lay: Layout, folder: Path, relative: bool = False) -> str:
    """The .kdenlive document for the layout (resource paths resolved against `folder`)."""
    ref = lambda path: media_ref(path, folder, relative)  # noqa: E731
    x = XmlWriter()
    root: dict[str, Any] = {"LC_NUMERIC": "C", "producer": "main_bin", "version": MLT_VERSION}
    if not relative:
        root["root"] = folder.as_posix()
    x.open("mlt", root)
    x.empty("profile", mlt_profile(lay.width, lay.height, lay.rate))
    bins = _Bin()
    producers = _bin_producers(x, lay, bins, ref)
    _main_bin(x, lay, producers)
    last = max(0, lay.duration - 1)
    x.open("producer", {"id": "black_track", "in": 0, "out": last})
    x.props({"length": 2147483647, "eof": "continue", "resource": "black", "aspect_ratio": 1})
    x.props({"mlt_service": "color", "mlt_image_format": "rgba", "set.test_audio": 0})
    x.close("producer")

    tracks: list[tuple[str, bool]] = []
    for t in range(len(lay.audio)):
        tracks.append((_audio_track(x, lay, t, bins), True))
    tracks.append((_video_track(x, lay, bins, folder, relative), False))

    x.open("tractor", {"id": "maintractor", "in": 0, "out": last})
    x.empty("track", {"producer": "black_track"})
    for name, _ in tracks:
        x.empty("track", {"producer": name})
    for index, (_, audio) in enumerate(tracks, start=1):
        x.open("transition", {"id": f"transition{index}"})
        if audio:
            x.props({"a_track": 0, "b_track": index, "mlt_service": "mix", "kdenlive_id": "mix"})
            x.props({"internal_added": 237, "always_active": 1, "accepts_blanks": 1, "sum": 1})
        else:
            x.props({"a_track": 0, "b_track": index, "version": "0.1", "mlt_service": "frei0r.cairoblend"})
            x.props({"kdenlive_id": "frei0r.cairoblend", "internal_added": 237, "always_active": 1})
        x.close("transition")
    x.close("tractor")
    x.close("mlt")
    return x.text()


def _bin_producers(x: XmlWriter, lay: Layout, bins: _Bin, ref: Any) -> list[tuple[str, int]]:
    """Write the bin clips; returns (producer id, out point) in bin order."""
    out: list[tuple[str, int]] = []
    seen: set[Path] = set()
    for shot in lay.shots:
        clip_id = bins.id(shot.path)
        if shot.path in seen:
            continue
        seen.add(shot.path)
        pid = f"producer{clip_id}"
        markers = [
            {"pos": m.frame - shot.start + shot.source_start, "comment": m.name, "type": GUIDE_TYPE}
            for m in lay.markers
            if shot.start <= m.frame < shot.end and m.meta.get("shot_id") == shot.name
        ]
        x.open("producer", {"id": pid, "in": 0, "out": shot.available - 1})
        x.props(
            {
                **picture_producer_props(shot, ref(shot.path)),
                "kdenlive:clipname": shot.name,
                "kdenlive:folderid": -1,
                "kdenlive:clip_type": 2,
                "kdenlive:id": clip_id,
                "kdenlive:duration": shot.available,
                "kdenlive:markers": json.dumps(markers) if markers else "",
                "kdenlive:description": str(shot.meta.get("action", "")),
                "scriptkit:shot_id": shot.name,
            }
        )
        x.close("producer")
        out.append((pid, shot.available - 1))
    for track in lay.audio:
        for clip in track.clips:
            clip_id = bins.id(clip.path)
            if clip.path in seen:
                continue
            seen.add(clip.path)
            pid = f"producer{clip_id}"
            length = clip.source_start + clip.duration
            x.open("producer", {"id": pid, "in": 0, "out": length - 1})
            x.props(
                {
                    "length": length,
                    "resource": ref(clip.path),
                    "audio_index": 0,
                    "video_index": -1,
                    "seekable": 1,
                    "mlt_service": "avformat-novalidate",
                    "kdenlive:clipname": clip.name,
                    "kdenlive:folderid": -1,
                    "kdenlive:clip_type": 1,
                    "kdenlive:id": clip_id,
                    "scriptkit:clip": clip.name,
                }
            )
            x.close("producer")
            out.append((pid, length - 1))
    return out


def _main_bin(x: XmlWriter, lay: Layout, producers: list[tuple[str, int]]) -> None:
    guides = [{"comment": m.name, "pos": m.frame, "type": GUIDE_TYPE} for m in lay.markers if m.meta.get("shot_id")]
    doc_id = _document_id(lay)
    x.open("playlist", {"id": "main_bin"})
    x.props(
        {
            "kdenlive:docproperties.activeTrack": 0,
            "kdenlive:docproperties.audioChannels": 2,
            "kdenlive:docproperties.compositing": 1,
            "kdenlive:docproperties.documentid": doc_id,
            "kdenlive:docproperties.enableproxy": 0,
            "kdenlive:docproperties.guides": json.dumps(guides),
            "kdenlive:docproperties.kdenliveversion": KDENLIVE_VERSION,
            "kdenlive:docproperties.position": 0,
            "kdenlive:docproperties.profile": profile_name(lay),
            "kdenlive:docproperties.seekOffset": 30000,
            "kdenlive:docproperties.storagefolder": f"cachefiles/{doc_id}",
            "kdenlive:docproperties.version": DOCUMENT_VERSION,
            "kdenlive:docproperties.zonein": 0,
            "kdenlive:docproperties.zoneout": max(0, lay.duration - 1),
            "kdenlive:docproperties.zoom": 8,
            "kdenlive:expandedFolders": "",
            "kdenlive:documentnotes": "",
            "xml_retain": 1,
        }
    )
    for pid, out in producers:
        x.empty("entry", {"producer": pid, "in": 0, "out": out})
    x.close("playlist")


def _track_props(x: XmlWriter, name: str, audio: bool) -> None:
    if audio:
        x.prop("kdenlive:audio_track", 1)
    x.props({"kdenlive:trackheight": 69, "kdenlive:timeline_active": 1, "kdenlive:collapsed": 0})
    x.props({"kdenlive:track_name": name, "kdenlive:thumbs_format": "", "kdenlive:audio_rec": ""})


def _audio_track(x: XmlWriter, lay: Layout, t: int, bins: _Bin) -> str:
    track = lay.audio[t]
    name = f"tractor_a{t}"
    x.open("playlist", {"id": f"playlist_a{t}_0"})
    x.prop("kdenlive:audio_track", 1)
    for length, clip in audio_segments(track.clips):
        if clip is None:
            x.empty("blank", {"length": length})
            continue
        clip_id = bins.id(clip.path)
        first = clip.source_start + clip.duration - length
        x.open("entry", {"producer": f"producer{clip_id}", "in": first, "out": first + length - 1})
        x.prop("kdenlive:id", clip_id)
        level = volume_level(clip, length)
        if level is not None:
            x.open("filter", {"id": f"volume_a{t}_{clip_id}"})
            x.props({"window": 75, "max_gain": "20dB", "level": level})
            x.props({"mlt_service": "volume", "kdenlive_id": "volume", "kdenlive:collapsed": 0})
            x.close("filter")
        x.close("entry")
    x.close("playlist")
    x.open("playlist", {"id": f"playlist_a{t}_1"})
    x.prop("kdenlive:audio_track", 1)
    x.close("playlist")
    x.open("tractor", {"id": name, "in": 0, "out": max(0, lay.duration - 1)})
    _track_props(x, track.name, audio=True)
    x.empty("track", {"hide": "video", "producer": f"playlist_a{t}_0"})
    x.empty("track", {"hide": "video", "producer": f"playlist_a{t}_1"})
    x.close("tractor")
    return name


def _shot_spans(lay: Layout) -> list[tuple[int, int, int]]:
    """(first frame, end frame, playlist 0/1) of each shot on the video track, dissolves overlapping."""
    heads = {b.incoming: b for b in lay.blends}
    tails = {b.outgoing: b for b in lay.blends}
    spans: list[tuple[int, int, int]] = []
    parity = 0
    for shot in lay.shots:
        if shot.index in heads:
            parity = 1 - parity
        start = heads[shot.index].start if shot.index in heads else shot.start
        end = tails[shot.index].end if shot.index in tails else shot.end
        spans.append((start, end, parity))
    return spans


def _video_track(x: XmlWriter, lay: Layout, bins: _Bin, folder: Path, relative: bool) -> str:
    spans = _shot_spans(lay)
    for side in (0, 1):
        x.open("playlist", {"id": f"playlist_v1_{side}"})
        pos = 0
        for shot, (start, end, parity) in zip(lay.shots, spans, strict=True):
            if parity != side:
                continue
            if start > pos:
                x.empty("blank", {"length": start - pos})
            clip_id = bins.id(shot.path)
            first = shot.source_start + start - shot.start
            x.open("entry", {"producer": f"producer{clip_id}", "in": first, "out": first + end - start - 1})
            x.prop("kdenlive:id", clip_id)
            _fades(x, lay, shot.index, start, first)
            x.close("entry")
            pos = end
        x.close("playlist")
    x.open("tractor", {"id": "tractor_v1", "in": 0, "out": max(0, lay.duration - 1)})
    _track_props(x, "V1", audio=False)
    x.empty("track", {"hide": "audio", "producer": "playlist_v1_0"})
    x.empty("track", {"hide": "audio", "producer": "playlist_v1_1"})
    for n, blend in enumerate(lay.blends):
        reverse = spans[blend.incoming][2] == 0
        # Kdenlive writes a mix's out point as in + duration (one past the outgoing clip's last frame).
        x.open("transition", {"id": f"mix{n}", "in": blend.start, "out": blend.end})
        x.props({"a_track": 0, "b_track": 1, "factory": "loader"})
        wipe = luma_path(folder, wipe_shape(blend.wipe), reverse) if blend.kind == "wipe" else None
        x.prop("resource", media_ref(wipe, folder, relative) if wipe else "")
        x.props({"mlt_service": "luma", "kdenlive_id": "luma", "kdenlive:mixcut": blend.cut - blend.start})
        x.props({"softness": 0, "alpha_over": 0, "reverse": int(reverse)})
        x.close("transition")
    x.close("tractor")
    return "tractor_v1"


def _fades(x: XmlWriter, lay: Layout, shot: int, start: int, first: int) -> None:
    for n, fade in enumerate(lay.fades):
        if fade.shot != shot:
            continue
        begin = first + fade.start - start
        x.open("filter", {"id": f"fade{n}", "in": begin, "out": begin + fade.duration - 1})
        x.props(
            {
                "start": 1,
                "level": level_ramp(fade),
                "mlt_service": "brightness",
                "kdenlive_id": "fade_from_black" if fade.kind == "in" else "fade_to_black",
                "alpha": 1,
            }
        )
        x.close("filter")


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    path = Path(path)
    lay = shot_layout(timeline)
    folder = path.parent.absolute()
    for shape, reverse in _wipes(lay):
        write_luma_pgm(luma_path(folder, shape, reverse), shape, invert=reverse)
    atomic_write_text(path, build(lay, folder, options.relative_media))


FORMAT = Format(
    name="kdenlive",
    description="Kdenlive 22.12 project (same-track dissolve mixes, fades, mixed audio tracks, shot guides)",
    suffixes=(".kdenlive",),
    output="{slug}.kdenlive",
    nles=("kdenlive",),
    primary_for=("kdenlive",),
    timeline=False,
    write=write,
)
