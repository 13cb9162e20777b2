"""MLT XML (.mlt) for Shotcut and melt, written from the timeline (our own writer: the OTIO mlt_xml adapter
renders blank and drops transitions).

Shape (what Shotcut itself writes, and what `melt project.mlt` renders):
- a <profile> with the timeline's size and exact frame rate (frame_rate_num/den), square pixels;
- one `pixbuf` image producer per shot (length = the media's available frames, handles included; where an
  MLT lacks pixbuf, its xml loader falls back to the loader for the file, qimage) and one `avformat`
  producer per audio clip; Shotcut's `main_bin` playlist lists the shots;
- the playlist "V1": shot entries cut at their source in/out points, blanks for black, and each dissolve
  or wipe as a Shotcut transition tractor (the outgoing and incoming clip on two tracks blended by a
  `luma` transition, plus a `mix` for their sound); fades are `brightness` filters on the clip
  (Shotcut's fadeInBrightness / fadeOutBrightness);
- one playlist per audio track (named like the OTIO track, `shotcut:audio`), clips at their timeline
  frames; the music bed carries a `volume` filter at its level_db;
- the main tractor "tractor0": the black background, V1, the audio tracks, and a `mix` transition per
  track so every track is heard; shot markers as Shotcut `shotcut:markers`.
Deterministic: same timeline, same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
    segments,
    shot_layout,
    used_wipes,
    volume_level,
    wipe_shape,
    write_luma_pgm,
)
from scriptkit.io import atomic_write_text

if TYPE_CHECKING:
    import opentimelineio as otio

    from scriptkit.models import ExportOptions

MARKER_COLOURS = {"GREEN": "#00a000", "ORANGE": "#ff8000", "RED": "#ff0000", "BLUE": "#0000ff", "YELLOW": "#ffff00"}


class _Refs:
    """Resource paths as written: absolute, or relative to the .mlt's folder."""

    def __init__(self, folder: Path, relative: bool) -> None:
        self.folder, self.relative = folder, relative

    def __call__(self, path: Path) -> str:
        return media_ref(path, self.folder, self.relative)


def luma_path(folder: Path, shape: str) -> Path:
    return folder / "lumas" / f"{shape}.pgm"


def build(lay: Layout, folder: Path, relative: bool = False) -> str:
    """The .mlt document for the layout (resource paths resolved against `folder`)."""
    ref = _Refs(folder, relative)
    x = XmlWriter()
    x.open("mlt", {"LC_NUMERIC": "C", "version": MLT_VERSION, "title": lay.name, "producer": "tractor0"})
    x.empty("profile", mlt_profile(lay.width, lay.height, lay.rate))
    last = max(0, lay.duration - 1)

    x.open("producer", {"id": "black", "in": 0, "out": last})
    x.props({"length": lay.duration, "eof": "pause", "resource": "0", "aspect_ratio": 1, "mlt_service": "color"})
    x.props({"mlt_image_format": "rgba", "set.test_audio": 0})
    x.close("producer")
    x.open("playlist", {"id": "background"})
    x.empty("entry", {"producer": "black", "in": 0, "out": last})
    x.close("playlist")

    for shot in lay.shots:
        x.open("producer", {"id": f"shot{shot.index}", "in": 0, "out": shot.available - 1})
        x.props(
            {
                **picture_producer_props(shot, ref(shot.path)),
                "shotcut:caption": shot.name,
                "shotcut:comment": shot.meta.get("action", ""),
                "scriptkit:shot_id": shot.name,
                "scriptkit:line": shot.meta.get("line", ""),
            }
        )
        x.close("producer")

    x.open("playlist", {"id": "main_bin"})  # Shotcut's playlist panel: every shot's keyframe, ready to re-cut
    x.prop("xml_retain", 1)
    for shot in lay.shots:
        x.empty("entry", {"producer": f"shot{shot.index}", "in": 0, "out": shot.available - 1})
    x.close("playlist")
    _video_playlist(x, lay, folder, relative)
    names = _audio(x, lay, ref)

    x.open("tractor", {"id": "tractor0", "title": lay.name, "in": 0, "out": last})
    x.props({"shotcut": 1, "shotcut:projectAudioChannels": 2, "shotcut:projectFolder": 0})
    _markers(x, lay)
    x.empty("track", {"producer": "background"})
    x.empty("track", {"producer": "V1"})
    for name in names:
        x.empty("track", {"producer": name, "hide": "video"})
    for index in range(1, len(names) + 2):
        x.open("transition", {"id": f"mix{index}"})
        x.props({"a_track": 0, "b_track": index, "mlt_service": "mix", "always_active": 1, "sum": 1})
        x.close("transition")
    x.close("tractor")
    x.close("mlt")
    return x.text()


def _fade_filters(x: XmlWriter, lay: Layout, shot: int, seg_start: int, seg_end: int, source: int) -> None:
    for fade in lay.fades:
        if fade.shot != shot or not (seg_start <= fade.start < seg_end):
            continue
        first = source + fade.start - seg_start
        x.open("filter", {"in": first, "out": first + fade.duration - 1})
        x.props(
            {
                "mlt_service": "brightness",
                "level": level_ramp(fade),
                "alpha": 1,
                "shotcut:filter": "fadeInBrightness" if fade.kind == "in" else "fadeOutBrightness",
                "shotcut:animIn" if fade.kind == "in" else "shotcut:animOut": fade.duration,
            }
        )
        x.close("filter")


def _video_playlist(x: XmlWriter, lay: Layout, folder: Path, relative: bool) -> None:
    parts = segments(lay)
    for n, seg in enumerate(parts):
        if seg.kind != "blend" or seg.blend is None:
            continue
        blend = seg.blend
        x.open("tractor", {"id": f"transition{n}", "in": 0, "out": seg.length - 1})
        x.prop("shotcut:transition", "lumaMix")
        x.empty("track", {"producer": f"shot{blend.outgoing}", "in": seg.source, "out": seg.source + seg.length - 1})
        x.empty(
            "track",
            {
                "producer": f"shot{blend.incoming}",
                "in": seg.incoming_source,
                "out": seg.incoming_source + seg.length - 1,
            },
        )
        x.open("transition", {"id": f"luma{n}", "in": 0, "out": seg.length - 1})
        x.props({"a_track": 0, "b_track": 1, "factory": "loader", "mlt_service": "luma", "softness": 0})
        x.props({"alpha_over": 1, "fix_background_alpha": 1})
        if blend.kind == "wipe":
            x.prop("resource", media_ref(luma_path(folder, wipe_shape(blend.wipe)), folder, relative))
        x.close("transition")
        x.open("transition", {"id": f"lumamix{n}", "in": 0, "out": seg.length - 1})
        x.props({"a_track": 0, "b_track": 1, "start": -1, "accepts_blanks": 1, "mlt_service": "mix"})
        x.close("transition")
        x.close("tractor")
    x.open("playlist", {"id": "V1"})
    x.props({"shotcut:video": 1, "shotcut:name": "V1"})
    for n, seg in enumerate(parts):
        if seg.kind == "blank":
            x.empty("blank", {"length": seg.length})
        elif seg.kind == "blend":
            x.empty("entry", {"producer": f"transition{n}", "in": 0, "out": seg.length - 1})
        else:
            assert seg.shot is not None
            x.open("entry", {"producer": f"shot{seg.shot}", "in": seg.source, "out": seg.source + seg.length - 1})
            _fade_filters(x, lay, seg.shot, seg.start, seg.end, seg.source)
            x.close("entry")
    x.close("playlist")


def _audio(x: XmlWriter, lay: Layout, ref: _Refs) -> list[str]:
    """Audio producers and one playlist per audio track; returns the playlist ids."""
    names: list[str] = []
    for t, track in enumerate(lay.audio):
        for c, clip in enumerate(track.clips):
            x.open("producer", {"id": f"audio{t}_{c}", "in": 0, "out": clip.source_start + clip.duration - 1})
            x.props(
                {
                    "length": clip.source_start + clip.duration,
                    "resource": ref(clip.path),
                    "audio_index": 0,
                    "video_index": -1,
                    "mlt_service": "avformat-novalidate",
                    "shotcut:caption": clip.name,
                    "scriptkit:clip": clip.name,
                }
            )
            x.close("producer")
        name = f"A{t + 1}"
        names.append(name)
        x.open("playlist", {"id": name})
        x.props({"shotcut:audio": 1, "shotcut:name": track.name})
        index = {id(clip): c for c, clip in enumerate(track.clips)}
        for length, clip in audio_segments(track.clips):
            if clip is None:
                x.empty("blank", {"length": length})
                continue
            first = clip.source_start + clip.duration - length
            x.open("entry", {"producer": f"audio{t}_{index[id(clip)]}", "in": first, "out": first + length - 1})
            level = volume_level(clip, length)
            if level is not None:
                x.open("filter")
                x.props({"mlt_service": "volume", "level": level, "shotcut:filter": "audioGain"})
                x.close("filter")
            x.close("entry")
        x.close("playlist")
    return names


def _markers(x: XmlWriter, lay: Layout) -> None:
    shots = [m for m in lay.markers if m.meta.get("shot_id") or m.name]
    if not shots:
        return
    x.open("properties", {"name": "shotcut:markers"})
    for n, marker in enumerate(shots):
        x.open("properties", {"name": str(n)})
        x.props(
            {
                "text": marker.name,
                "start": marker.frame,
                "end": marker.frame,
                "color": MARKER_COLOURS.get(marker.color.upper(), "#00a000"),
            }
        )
        x.close("properties")
    x.close("properties")


def write_lumas(lay: Layout, folder: Path) -> None:
    """The wipe luma maps the project uses, beside it in lumas/ (MLT ships none on Debian)."""
    for shape in used_wipes(lay):
        write_luma_pgm(luma_path(folder, shape), shape)


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    path = Path(path)
    lay = shot_layout(timeline)
    folder = path.parent.absolute()
    write_lumas(lay, folder)
    atomic_write_text(path, build(lay, folder, options.relative_media))


FORMAT = Format(
    name="mlt",
    description="MLT XML for Shotcut and melt (luma dissolves, fades, mixed audio tracks, shot markers)",
    suffixes=(".mlt",),
    output="{slug}.mlt",
    nles=("shotcut",),
    primary_for=("shotcut",),
    timeline=False,
    write=write,
)
