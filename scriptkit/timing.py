"""Screen time of words: how long a line takes to say and a paragraph of action takes to play.

The planner times shots with these; a shot list read back (a shot a user added without a duration) too.
"""

from __future__ import annotations

import re

from scriptkit import lexicon

LEAD = 0.25  # seconds before the first line of a shot starts
GAP = 0.25  # seconds between two lines in one shot
TAIL = 0.5  # seconds a shot holds after its last line
CUE_SECONDS = 1.0
INSERT_SECONDS = 2.0  # an insert of a prop holds this long (within the template's min/max)
_PAUSE_MARK = re.compile(r"\.\.\.|…|--|—|[,;:.!?]")
#: Chinese text: characters per second spoken (Mandarin runs ~4-5 syllables a second), pauses at its punctuation.
CJK_CHARS_PER_SECOND = 4.5
CJK_CHARS_PER_WORD = 2.0  # for action: a Chinese word is about two characters
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_CJK_PAUSE = re.compile(r"……|——|[，、；：。！？]")
_CJK_PAUSE_AS = {"，": ",", "、": ",", "；": ";", "：": ":", "。": ".", "！": "!", "？": "?", "……": "…", "——": "—"}


# ------------------------------------------------------------------------------------------ timing


def speaking_seconds(text: str, words_per_second: float) -> float:
    """Estimated seconds to say a dialogue line: words at the template's rate plus punctuation pauses."""
    body = text.strip().rstrip(" .!?…\"'。！？”’—")
    pause = lexicon.PAUSE_SECONDS
    if _CJK_CHAR.search(body):
        # Chinese (or Japanese, Korean): characters, not words; Latin words and numbers in it still count as words
        chars = len(_CJK_CHAR.findall(body))
        rest = _CJK_CHAR.sub(" ", _CJK_PAUSE.sub(" ", body))
        words = len(rest.replace("--", " ").replace("—", " ").split())
        pauses = sum(pause[_CJK_PAUSE_AS[mark]] for mark in _CJK_PAUSE.findall(body))
        pauses += sum(map(pause.__getitem__, _PAUSE_MARK.findall(_CJK_PAUSE.sub(" ", body))))
        return max(0.5, chars / CJK_CHARS_PER_SECOND + words / words_per_second + pauses)
    words = len(body.replace("--", " ").replace("—", " ").split())
    pauses = sum(map(pause.__getitem__, _PAUSE_MARK.findall(body)))
    return max(0.5, words / words_per_second + pauses)


def action_seconds(text: str, seconds_per_word: float) -> float:
    """Screen time of a paragraph of action: its words (as split by white space; Chinese: two characters a word)
    at the template's pace."""
    chars = len(_CJK_CHAR.findall(text))
    if not chars:
        return len(text.split()) * seconds_per_word
    words = len(_CJK_CHAR.sub(" ", _CJK_PAUSE.sub(" ", text)).split())
    return (chars / CJK_CHARS_PER_WORD + words) * seconds_per_word


def round_seconds(value: float) -> float:
    return round(value + 1e-9, 2)
