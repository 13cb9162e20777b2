"""A line's caption: the subtitle an editor rewrote for it, kept from one version to the next.

The editor fixes a subtitle in the app (a typo, a rewording, a shorter line); `scriptkit diff` reports it
(`scriptkit.conform.diff.CaptionChange`, found by a reader that reads subtitles back: the CapCut/Jianying draft's
text segments and FCPXML captions, through `exporters.subtitle_common.attach_captions`) and `scriptkit refine`
keeps it: `settle_captions` writes it into the new shot list as the line's `caption` (`DialogueLine.caption`, in
shots.yaml), the timeline carries it in the dialogue clip's metadata, and every writer of subtitles (SRT, WebVTT,
the preview burn-in, CapCut/Jianying text segments, FCPXML captions) shows it through
`scriptkit.contract.caption_of`. The voice is not regenerated: its
cache key is the spoken `text`, which did not change. A later build or refine of that version keeps the caption
(it is in the version's shots.yaml; `--script` carries it to the re-planned line that keeps the line's id).

A caption is for the words spoken when it was written. When the script later changes the line's spoken text, the
caption is dropped, with a notice in CHANGES.md and on the terminal: the subtitle shows the new text, and the editor
fixes it again if need be. A subtitle that says what the voice no longer says is worse than an unfixed typo. The
same holds for a caption the editor changes in the very timeline that is refined with a new text for that line.
A caption equal to the line's text is no caption (the field is left out); a subtitle the editor emptied is not a
caption either (the line shows its text; delete the line itself to silence it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from scriptkit.conform.diff import CaptionChange
from scriptkit.models import DialogueLine, ShotList

CaptionStatus = Literal["kept", "cleared", "dropped", "empty"]


@dataclass(frozen=True)
class CaptionNote:
    """What became of a caption: `kept` (the editor's, now the line's), `cleared` (back to the line's text),
    `dropped` (written for a text the script has since changed), `empty` (an emptied subtitle, not kept)."""

    line_id: str
    status: CaptionStatus
    caption: str
    text: str  # the line's spoken text now
    old_text: str = ""  # for `dropped`: the text the caption was written for

    def sentence(self) -> str:
        if self.status == "kept":
            return f"subtitle of {self.line_id} is the editor's {self.caption!r} (the voice still says {self.text!r})"
        if self.status == "cleared":
            return f"subtitle of {self.line_id} is its text again: {self.text!r}"
        if self.status == "empty":
            return f"subtitle of {self.line_id} was emptied in the timeline: it shows the line's text {self.text!r}"
        return (
            f"dropped the subtitle {self.caption!r} of {self.line_id}: it was written for {self.old_text!r}, "
            f"the line now says {self.text!r} (fix the subtitle again in the editor if need be)"
        )


def _words(text: str) -> str:
    return " ".join(text.split())


def settle_captions(
    base: ShotList, new: ShotList, edits: Iterable[CaptionChange] = (), *, carry: bool = False
) -> tuple[ShotList, list[CaptionNote]]:
    """`new` with each line's caption settled against the version it is built on (`base`) and the captions the
    editor changed in the timeline (`edits`). `carry`: lines of `new` come from a re-planned script, which knows
    no captions, so a line that keeps its id and its text keeps the base line's caption."""
    before = {line.id: line for shot in base.shots for line in shot.dialogue}
    edited = {change.line_id: change.edited for change in edits}
    notes: list[CaptionNote] = []
    shots = []
    for shot in new.shots:
        lines: list[DialogueLine] = []
        for line in shot.dialogue:
            old = before.get(line.id)
            caption = line.caption
            if carry and caption is None and old is not None:
                caption = old.caption
            same = old is None or _words(old.text) == _words(line.text)
            if not same and old is not None and caption is not None and caption == old.caption:
                notes.append(CaptionNote(line.id, "dropped", caption, line.text, old.text))
                caption = None
            if line.id in edited:
                wanted = edited[line.id].strip()
                if not same and old is not None:
                    notes.append(CaptionNote(line.id, "dropped", wanted, line.text, old.text))
                elif not wanted:
                    notes.append(CaptionNote(line.id, "empty", "", line.text))
                    caption = None
                elif _words(wanted) == _words(line.text):
                    notes.append(CaptionNote(line.id, "cleared", "", line.text))
                    caption = None
                else:
                    notes.append(CaptionNote(line.id, "kept", wanted, line.text))
                    caption = wanted
            if caption is not None and _words(caption) == _words(line.text):
                caption = None
            lines.append(line if caption == line.caption else line.model_copy(update={"caption": caption}))
        changed = any(a is not b for a, b in zip(lines, shot.dialogue, strict=True))
        shots.append(shot.model_copy(update={"dialogue": lines}) if changed else shot)
    if all(a is b for a, b in zip(shots, new.shots, strict=True)):
        return new, notes
    return new.model_copy(update={"shots": shots}), notes


def settled_lines(base: ShotList, new: ShotList, edits: Iterable[CaptionChange] = ()) -> set[str]:
    """The lines whose subtitle conform must set from the new plan: a caption that differs from the base's, and
    every subtitle the edit rewrote (kept, cleared or not)."""
    before = {line.id: line.caption for shot in base.shots for line in shot.dialogue}
    lines = {line.id for shot in new.shots for line in shot.dialogue if line.caption != before.get(line.id)}
    return lines | {change.line_id for change in edits}


__all__ = ["CaptionNote", "settle_captions", "settled_lines"]
