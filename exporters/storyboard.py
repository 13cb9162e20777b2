"""storyboard.html: one self-contained page to flip through, built from the timeline.

One card per shot, grouped by scene (with each scene's start and duration): the keyframe (a JPEG
thumbnail inlined as a data: URI, so the page needs no network and no neighbouring files), shot id, size
and camera move, start timecode and duration, characters, dialogue, sound cues, the transition into
and out of the shot, and the script line the shot came from.

Readable on a phone (one column under 600 px, the keyframe beside the text, nothing wider than the
screen); printable (print CSS:
each scene starts on a new page, three cards per row, cards never split). All text is HTML-escaped; the
page has no scripts. Deterministic: same timeline and keyframes, same bytes.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporters import Format
from exporters.mlt_common import Layout, ShotPlace, meta_text, picture_image, shot_layout
from scriptkit.errors import ScriptkitError
from scriptkit.fonts import FONT_STACK, MONO_STACK, page_font_css
from scriptkit.io import atomic_write_text
from scriptkit.rates import frames_to_timecode

if TYPE_CHECKING:
    import opentimelineio as otio

    from scriptkit.models import ExportOptions

#: Long side of the inlined thumbnails, in pixels.
THUMB_SIDE = 480
JPEG_QUALITY = 80

CSS = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --accent: #0b57d0; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 FONT_STACK; color: var(--ink);
  background: #f4f4f6; }
header.page { padding: 16px; background: #fff; border-bottom: 1px solid var(--line); }
header.page h1 { margin: 0 0 4px; font-size: 1.4rem; }
.summary { margin: 0; color: var(--muted); }
main { padding: 8px 12px 24px; max-width: 1200px; margin: 0 auto; }
section.scene { margin: 16px 0 28px; }
section.scene > h2 { font-size: 1.1rem; margin: 0 0 2px; }
.scene-meta { color: var(--muted); margin: 0 0 10px; font-size: .9rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; }
article.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; overflow: hidden;
  display: flex; flex-direction: column; min-width: 0; }
.frame { background: #111; display: flex; justify-content: center; }
.frame img, .frame video { display: block; width: 100%; height: auto; max-height: 60vh; object-fit: contain; }
.body { padding: 10px 12px 12px; }
.card h3 { margin: 0; font: 600 1rem/1.3 MONO_STACK;
  overflow-wrap: anywhere; }
.tags { margin: 4px 0 8px; color: var(--muted); font-size: .85rem; }
.tags span + span::before { content: " · "; }
dl { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; font-size: .9rem; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
ul.dialogue { list-style: none; margin: 8px 0 0; padding: 0; }
ul.dialogue li { margin: 4px 0; }
.who { font-weight: 600; letter-spacing: .02em; }
.paren { color: var(--muted); font-style: italic; }
.source { margin: 8px 0 0; padding: 6px 8px; background: #f6f6f8; border-left: 3px solid var(--accent);
  font-size: .85rem; overflow-wrap: anywhere; }
@media (max-width: 600px) {
  .cards { grid-template-columns: 1fr; gap: 10px; }
  main { padding: 4px 8px 16px; }
  article.card { display: grid; grid-template-columns: minmax(96px, 36%) 1fr; }
  .frame { align-items: flex-start; background: none; padding: 8px 0 8px 8px; }
  .frame img, .frame video { max-height: none; border-radius: 6px; }
  .body { padding: 8px 10px; }
  dl { font-size: .85rem; gap: 1px 8px; }
}
@media print {
  @page { margin: 10mm; }
  body { background: #fff; font-size: 10pt; }
  header.page { border: 0; padding: 0 0 6pt; }
  main { max-width: none; padding: 0; }
  section.scene { break-before: page; page-break-before: always; margin: 0; }
  section.scene:first-of-type { break-before: auto; page-break-before: auto; }
  .cards { grid-template-columns: repeat(3, 1fr); gap: 6pt; }
  article.card { break-inside: avoid; page-break-inside: avoid; border-radius: 0; }
  .frame img, .frame video { max-height: 7cm; }
}
"""
CSS = CSS.replace("MONO_STACK", MONO_STACK).replace("FONT_STACK", FONT_STACK)  # scriptkit.fonts: Han too


@dataclass
class Card:
    shot: ShotPlace
    dialogue: list[dict[str, Any]] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    transition_in: str = "cut"
    transition_out: str = "cut"


def thumbnail_uri(shot: ShotPlace) -> str:
    """The shot's picture (its keyframe, or its movie's first shown frame) as a JPEG data: URI, long side
    THUMB_SIDE (never enlarged)."""
    from PIL import Image

    rgb = picture_image(shot)
    rgb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    rgb.save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _seconds(lay: Layout, frames: int) -> str:
    return f"{lay.seconds(frames):.1f} s"


def _tc(lay: Layout, frame: int) -> str:
    return frames_to_timecode(lay.start_frame + frame, lay.rate, lay.drop_frame)


def _words(value: str) -> str:
    return value.replace("_", " ") if value else ""


def cards(lay: Layout) -> list[Card]:
    """One card per shot with its dialogue, cues and transitions gathered from the whole timeline."""
    out = {shot.name: Card(shot) for shot in lay.shots}
    by_index = {shot.index: out[shot.name] for shot in lay.shots}
    for track in lay.audio:
        for clip in track.clips:
            owner = out.get(str(clip.meta.get("shot_id") or ""))
            if owner is None:
                continue
            kind = clip.meta.get("kind")
            if kind == "dialogue":
                owner.dialogue.append(
                    {
                        "start": clip.start,
                        "character": str(clip.meta.get("character") or ""),
                        "text": str(clip.meta.get("text") or ""),
                        "parenthetical": str(clip.meta.get("parenthetical") or ""),
                        "extensions": meta_text(clip.meta.get("extensions")),
                        "line": clip.meta.get("line"),
                    }
                )
            elif kind == "cue":
                owner.cues.append(str(clip.meta.get("word") or clip.name))
    for card in out.values():
        card.dialogue.sort(key=lambda d: d["start"])
    for blend in lay.blends:
        what = "wipe" if blend.kind == "wipe" else "dissolve"
        length = _seconds(lay, blend.duration)
        by_index[blend.incoming].transition_in = f"{what} from {lay.shots[blend.outgoing].name} ({length})"
        by_index[blend.outgoing].transition_out = f"{what} to {lay.shots[blend.incoming].name} ({length})"
    for fade in lay.fades:
        if fade.kind == "in":
            by_index[fade.shot].transition_in = f"fade in from black ({_seconds(lay, fade.duration)})"
        else:
            by_index[fade.shot].transition_out = f"fade out to black ({_seconds(lay, fade.duration)})"
    return [out[shot.name] for shot in lay.shots]


def clip_src(lay: Layout, shot: ShotPlace, folder: Path) -> str:
    """A movie shot's clip for a <video> element: its file relative to the page, with the shown source range as
    a media fragment (`#t=start,end` in seconds)."""
    import os
    from urllib.parse import quote

    start, end = lay.seconds(shot.source_start), lay.seconds(shot.source_start + shot.duration)
    return f"{quote(Path(os.path.relpath(shot.path.absolute(), folder.absolute())).as_posix())}#t={start:.3f},{end:.3f}"


def _card_html(lay: Layout, card: Card, image: str, clip: str = "") -> str:
    shot = card.shot
    meta = shot.meta
    e = escape
    tags = [_words(str(meta.get("size") or "")), _words(str(meta.get("move") or ""))]
    tag_html = "".join(f"<span>{e(t)}</span>" for t in tags if t)
    rows = [
        ("Start", _tc(lay, shot.start)),
        ("Duration", f"{_seconds(lay, shot.duration)} ({shot.duration} frames)"),
        ("Characters", meta_text(meta.get("characters")) or "—"),
        ("In", card.transition_in),
        ("Out", card.transition_out),
        ("Sound", ", ".join(card.cues) or "—"),
    ]
    if meta.get("description"):
        rows.append(("Why", str(meta["description"])))
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows)
    lines = []
    for d in card.dialogue:
        who = d["character"] + (f" ({d['extensions']})" if d["extensions"] else "")
        paren = f' <span class="paren">{e(d["parenthetical"])}</span>' if d["parenthetical"] else ""
        lines.append(f'<li><span class="who">{e(who)}</span>{paren}: <span class="line">{e(d["text"])}</span></li>')
    dialogue = f'<ul class="dialogue">{"".join(lines)}</ul>' if lines else ""
    line = meta.get("line")
    action = str(meta.get("action") or "")
    source = f"Script line {line}" if line else ""
    if action:
        source = f"{source}: {action}" if source else action
    alt = f"Keyframe of shot {shot.name}"
    picture = f'<img src="{image}" alt="{e(alt, quote=True)}">'
    if clip:  # a movie: its first shown frame as the poster, the clip playable beside the project's media
        label = e(f"Movie of shot {shot.name}", quote=True)
        picture = (
            f'<video src="{e(clip, quote=True)}" poster="{image}" controls muted playsinline preload="none" '
            f'aria-label="{label}"></video>'
        )
    return (
        f'<article class="card" id="{e(shot.name, quote=True)}" data-shot="{e(shot.name, quote=True)}">'
        f'<div class="frame">{picture}</div>'
        f'<div class="body"><h3>{e(shot.name)}</h3><p class="tags">{tag_html}</p><dl>{dl}</dl>{dialogue}'
        f'<p class="source">{e(source)}</p></div></article>'
    )


def scenes(lay: Layout) -> list[tuple[str, list[ShotPlace]]]:
    """Shots grouped by consecutive scene id, in timeline order."""
    groups: list[tuple[str, list[ShotPlace]]] = []
    for shot in lay.shots:
        scene = str(shot.meta.get("scene_id") or "scene")
        if not groups or groups[-1][0] != scene:
            groups.append((scene, []))
        groups[-1][1].append(shot)
    return groups


def build(lay: Layout, folder: Path | None = None) -> str:
    """The whole page (movie shots playable when `folder`, the page's folder, is given)."""
    e = escape
    by_name = {card.shot.name: card for card in cards(lay)}
    sections = []
    for number, (scene, shots) in enumerate(scenes(lay), start=1):
        start, end = shots[0].start, shots[-1].end
        items = "".join(
            _card_html(
                lay,
                by_name[s.name],
                thumbnail_uri(s),
                clip_src(lay, s, folder) if folder and s.media == "movie" else "",
            )
            for s in shots
        )
        sections.append(
            f'<section class="scene" id="scene-{number}" data-scene="{e(scene, quote=True)}">'
            f"<h2>Scene {number}: {e(scene)}</h2>"
            f'<p class="scene-meta">{len(shots)} shot{"s" if len(shots) != 1 else ""} · starts {_tc(lay, start)} · '
            f'<span class="scene-duration">{_seconds(lay, end - start)}</span></p>'
            f'<div class="cards">{items}</div></section>'
        )
    rate = f"{float(lay.rate):.3f}".rstrip("0").rstrip(".")
    summary = (
        f"{len(lay.shots)} shots in {len(sections)} scenes · {_seconds(lay, lay.duration)} · "
        f"{lay.width}×{lay.height} at {rate} fps"
    )
    body = (
        f'<body><header class="page"><h1>{e(lay.name)}</h1><p class="summary">{e(summary)}</p></header>\n'
        f"<main>{''.join(sections)}</main></body></html>\n"
    )
    # Chinese on the page: the CJK face embedded, cut to the characters shown (no CJK: no font, same page)
    embedded = page_font_css(lay.name + body)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh-Hans" if embedded else "en"}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(lay.name)} · storyboard</title><style>{embedded}{CSS}</style></head>\n" + body
    )


def write(timeline: otio.schema.Timeline, path: Path, options: ExportOptions) -> None:
    lay = shot_layout(timeline)
    for shot in lay.shots:
        if not shot.path.is_file():
            raise ScriptkitError(f"keyframe of shot {shot.name} is missing", shot.path, hint="run `scriptkit generate`")
    atomic_write_text(Path(path), build(lay, Path(path).parent))


FORMAT = Format(
    name="storyboard",
    description="Storyboard page: one card per shot grouped by scene, phone-readable and printable",
    suffixes=(".html",),
    output="storyboard.html",
    when="always",
    timeline=False,
    write=write,
)
