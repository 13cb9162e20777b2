"""Scene headings of Chinese short-drama scripts: '3-1 场  老宅客厅  夜  内' -> number, INT/EXT, place, time.

Used by the zh reader (`scriptkit.parse.zh`) and by `scriptkit.parse.scenes.split_heading`.
"""

from __future__ import annotations

import re

DIGITS = r"[0-9０-９]+"
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_SCENE = re.compile(rf"^(?:第\s*)?({DIGITS}\s*[-－—–]\s*{DIGITS})\s*(?:场\s*)?(?:[：:\s]+(.*))?$")
_SCENE_ALONE = re.compile(rf"^第\s*({DIGITS})\s*场\s*(?:[：:\s]+(.*))?$")
_TIMES = {
    "日": "DAY",
    "白天": "DAY",
    "白": "DAY",
    "午": "DAY",
    "中午": "DAY",
    "下午": "AFTERNOON",
    "上午": "MORNING",
    "晨": "MORNING",
    "早": "MORNING",
    "清晨": "MORNING",
    "早晨": "MORNING",
    "凌晨": "DAWN",
    "黎明": "DAWN",
    "黄昏": "DUSK",
    "傍晚": "DUSK",
    "晚": "EVENING",
    "夜": "NIGHT",
    "夜晚": "NIGHT",
    "晚上": "NIGHT",
    "深夜": "NIGHT",
}
#: Chinese times of day -> the English words of a slug ('夜' -> 'NIGHT'); Fountain's `INT. 天台 - 日` reads them too.
TIMES = _TIMES
_PLACES = {"内": "INT", "外": "EXT", "内外": "INT/EXT", "内/外": "INT/EXT", "外/内": "INT/EXT"}
_TIME_WORD = "|".join(sorted(map(re.escape, _TIMES), key=len, reverse=True))
_PLACE_WORD = "内外|内/外|外/内|内|外"
_SLOT = re.compile(
    rf"^(?:(?P<t1>{_TIME_WORD})[/／]?(?P<p1>{_PLACE_WORD})?|(?P<p2>{_PLACE_WORD})[/／]?(?P<t2>{_TIME_WORD})?)$"
)


def split_zh_heading(text: str) -> tuple[str, str, str, str] | None:
    """'3-1 场  老宅客厅  夜  内' -> ('3-1', 'INT', '老宅客厅', 'NIGHT'); None when not a Chinese scene heading."""
    text = text.strip()
    match = _SCENE.match(text) or _SCENE_ALONE.match(text)
    if not match:
        return None
    number = re.sub(r"\s+", "", match.group(1)).translate(FULLWIDTH_DIGITS)
    number = re.sub(r"[－—–]", "-", number)
    int_ext, time_of_day = "", ""
    words = [w for w in re.split(r"[\s·・,，、|｜]+", match.group(2) or "") if w]
    while words:
        slot = _SLOT.match(words[-1])
        if not slot:
            break
        time_word = slot.group("t1") or slot.group("t2")
        place_word = slot.group("p1") or slot.group("p2")
        if (time_word and time_of_day) or (place_word and int_ext):
            break
        time_of_day = _TIMES[time_word] if time_word else time_of_day
        int_ext = _PLACES[place_word] if place_word else int_ext
        words.pop()
    return number, int_ext, " ".join(words), time_of_day
