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


# ------------------------------------------------------------------------------------------ timing


def speaking_seconds(text: str, words_per_second: float) -> float:
    """Estimated seconds to say a dialogue line: words at the template's rate plus punctuation pauses."""
    body = text.strip().rstrip(" .!?…\"'")
    words = len(body.replace("--", " ").replace("—", " ").split())
    pause = lexicon.PAUSE_SECONDS
    pauses = sum(map(pause.__getitem__, _PAUSE_MARK.findall(body)))
    return max(0.5, words / words_per_second + pauses)


def action_seconds(text: str, seconds_per_word: float) -> float:
    """Screen time of a paragraph of action: its words (as split by white space) at the template's pace."""
    return len(text.split()) * seconds_per_word


def round_seconds(value: float) -> float:
    return round(value + 1e-9, 2)
