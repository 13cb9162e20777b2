"""The one cue maker: how a dialogue line becomes on-screen subtitle text, and when each piece of it shows.

Every place that draws or writes dialogue as text asks this module: SRT and WebVTT (through
exporters/subtitle_common.py), FCPXML captions, the CapCut / Jianying subtitle text track and the preview
burn-in (through exporters/mlt_common.py's layout), and the readers and `diff`, which compare a subtitle with
its line (`same_text`).

Lines without a Han character (English and the like) and Japanese lines (kana) are left as they are: one cue
over the whole clip, the text exactly as written (the formats wrap it as they always did). Chinese lines (Han
script) follow the rules of Chinese short-drama subtitles:

- a displayed line holds at most 16 display units (`units`: Han and other wide or full-width characters count 1,
  half-width 0.5); one line per cue on a vertical canvas (height > width, the 9:16 default), two on a landscape
  one (16:9 is wide enough for two short lines under the picture, as Chinese television does);
- lines break at punctuation first, then at spaces, then between words of the `jieba` segmenter; never inside a
  word, never between a number and its unit or measure word (`3个`, `12.5元`, `2026年`, `5点`), never before
  punctuation; a single word longer than a line is the one case broken by characters;
- parentheticals (`（冷笑）`, `(smiles)`) and OS / VO tags are not shown; a `。` or `，` that ends a displayed line is
  dropped, a `。` inside one becomes a space (`？`, `！`, `……` stay);
- timing: a line is cut into as many cues as its text needs (16 units a line) and as its time needs (at most 7 s
  a cue); the clip's time is divided between them by display units, each cue lasting at least 5/6 s (rounded up
  to the time grid) and at most 7 s; cues follow each other without overlap from the clip's start, never past
  its end. The reading speed is then the line's own (units / clip seconds): at most 9 units a second wherever
  the voice is no faster than that. Where the voice is faster (a line too long for its clip), the 16-unit line
  wins over the 5/6-s minimum: text that cannot be read is worse than a short cue.

Times are integers on any grid (`per_second` ticks a second: frames of the timeline, or milliseconds), so every
output cuts a line at the same frames. Pure and deterministic: same text and times, same cues.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

#: Display units a subtitle line may hold (Han and full-width characters 1, half-width 0.5).
MAX_UNITS = 16
#: Reading speed the rules allow (display units a second).
MAX_UNITS_PER_SECOND = 9
MIN_SECONDS = Fraction(5, 6)
MAX_SECONDS = Fraction(7)
#: Displayed lines per cue: vertical canvases (height > width) show one, landscape ones two.
LINES_VERTICAL = 1
LINES_LANDSCAPE = 2

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_PARENTHETICAL = re.compile(r"（[^（）()]*）|\([^（）()]*\)")
_TAG = re.compile(r"^\s*(?:O\.?S\.?|V\.?O\.?)\s*[：:]\s*", re.IGNORECASE)
_NUMBER = re.compile(r"^(?:[0-9０-９]+(?:[.．][0-9０-９]+)?|[零〇一二两三四五六七八九十百千万亿]+)$")
_DIGITS = re.compile(r"^[0-9０-９]+$")
#: Punctuation that closes: it stays with the word before it and a line may end after it.
_CLOSING = set("，。、；：？！…—,.;:?!%％)）」』”’》〉】〕")
_OPENING = set("（(「『“‘《〈【〔")
#: Marks dropped where a displayed line ends.
_DROPPED_AT_END = "。，,"
#: Cost of a break: after punctuation, at a space, between two words.
_BREAK_COST = {"punct": 0, "space": 3, "word": 10}


@dataclass(frozen=True)
class Piece:
    """One cue of a line: [start, end) on the caller's time grid, and its displayed lines."""

    start: int
    end: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return join_lines(self.lines)


def is_han(text: str) -> bool:
    """Whether `text` is Chinese: Han script and no kana (a Japanese line keeps the formats' own wrapping)."""
    return bool(_HAN.search(text)) and not _KANA.search(text)


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def char_units(ch: str) -> Fraction:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return Fraction(1)
    if unicodedata.east_asian_width(ch) == "A" and unicodedata.category(ch).startswith("P"):
        return Fraction(1)  # … — “ ” are full-width in Chinese text
    return Fraction(1, 2)


def units(text: str) -> Fraction:
    """Display units of `text`: Han and full-width characters 1, half-width 0.5."""
    return sum((char_units(ch) for ch in text), Fraction(0))


def clean(text: str) -> str:
    """What of a Han line is shown: no parentheticals, no OS / VO tag, whitespace collapsed."""
    previous = None
    while previous != text:
        previous, text = text, _PARENTHETICAL.sub("", text)
    text = _TAG.sub("", text)
    return " ".join(text.split())


def join_lines(lines: tuple[str, ...] | list[str]) -> str:
    """Displayed lines (or pieces) as one text: no space between two wide (Han, full-width) characters, one
    elsewhere (so Latin text joins as it always did)."""
    out = ""
    for line in lines:
        if not line:
            continue
        if out and not (_wide(out[-1]) and _wide(line[0])):
            out += " "
        out += line
    return out


def same_text(planned: str, shown: str) -> bool:
    """Whether subtitle text read back (`shown`: a line's cues joined) is the line `planned` as the cue maker
    shows it: for Han script the same words whatever the cut (spaces and the dropped `。` `，` aside)."""
    if not is_han(planned):
        return planned.strip() == shown.strip()
    return _key(clean(planned)) == _key(shown)


def _key(text: str) -> str:
    return re.sub(r"[\s。，,]", "", text)


# ------------------------------------------------------------------------------------------ words


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    """A private jieba tokenizer on jieba's own dictionary: words another module adds to the shared one (a voice
    front end) never change where our lines break, so the same text cuts the same way in every process."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" on stderr
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@dataclass(frozen=True)
class _Atom:
    text: str
    after: str  # the break after it: "punct" | "space" | "word"


def atoms(text: str) -> list[_Atom]:
    """The unbreakable pieces of a cleaned Han line, each with the kind of break that may follow it."""
    tokens = [t for t in _segmenter().lcut(text, HMM=False) if t]
    merged: list[str] = []
    for token in tokens:  # 12 . 5 -> 12.5
        point = bool(merged) and token in ".．" and bool(_DIGITS.match(merged[-1]))
        decimals = bool(merged) and merged[-1][-1:] in ".．" and bool(_NUMBER.match(merged[-1] + token))
        if point or decimals:
            merged[-1] += token
        else:
            merged.append(token)
    words: list[str] = []
    spaces: list[bool] = []  # a space before words[i]
    glue_next = False
    pending_space = False
    for token in merged:
        if token.isspace():
            pending_space = True
            continue
        attach = bool(words) and (
            glue_next
            or token[0] in _CLOSING
            or (_NUMBER.match(words[-1]) and (is_han(token[0]) or token[0] in "%％") and not _NUMBER.match(token))
            or (words[-1] == "第" and _NUMBER.match(token))
        )
        if attach:
            words[-1] += (" " if pending_space else "") + token
        else:
            words.append(token)
            spaces.append(pending_space)
        glue_next = token[-1] in _OPENING or token == "第"
        pending_space = False
    out: list[_Atom] = []
    for index, word in enumerate(words):
        if index + 1 < len(words) and spaces[index + 1]:
            after = "space"
        elif word[-1] in _CLOSING:
            after = "punct"
        else:
            after = "word"
        out.append(_Atom(word, after))
    # a word longer than a line: the one case broken by characters
    limited: list[_Atom] = []
    for atom in out:
        if units(atom.text) <= MAX_UNITS:
            limited.append(atom)
            continue
        chunk = ""
        for ch in atom.text:
            if chunk and units(chunk + ch) > MAX_UNITS:
                limited.append(_Atom(chunk, "word"))
                chunk = ""
            chunk += ch
        limited.append(_Atom(chunk, atom.after))
    return limited


def _render(group: list[_Atom]) -> str:
    """Atoms as one displayed line: spaces where the text had them, a `。` inside becomes a space, `。，` at the
    end dropped."""
    text = ""
    for index, atom in enumerate(group):
        text += atom.text
        if index + 1 < len(group) and atom.after == "space":
            text += " "
    text = text.strip().rstrip(_DROPPED_AT_END).rstrip()
    text = re.sub(r"。+(?=.)", " ", text)
    return " ".join(text.split())


class _Lines:
    """The ways to cut one line's atoms into displayed lines and cues (index ranges, units memoised).

    The units of atoms [i, j) only grow as i moves left (every atom adds at least 0.5), so a search for groups
    ending at j stops at the first start that no longer fits."""

    def __init__(self, items: list[_Atom], lines_per_cue: int) -> None:
        self.items = items
        self.lines_per_cue = lines_per_cue
        self._units: dict[tuple[int, int], Fraction] = {}
        self._fits: dict[tuple[int, int], bool] = {}

    def units(self, i: int, j: int) -> Fraction:
        key = (i, j)
        if key not in self._units:
            self._units[key] = units(_render(self.items[i:j]))
        return self._units[key]

    def one_line(self, i: int, j: int) -> bool:
        return self.units(i, j) <= MAX_UNITS

    def fits(self, i: int, j: int) -> bool:
        """Whether atoms [i, j) make one cue: one line, or (landscape) two."""
        key = (i, j)
        if key not in self._fits:
            ok = self.one_line(i, j)
            if not ok and self.lines_per_cue >= 2:
                ok = any(self.one_line(i, cut) and self.one_line(cut, j) for cut in range(i + 1, j))
            self._fits[key] = ok
        return self._fits[key]

    def fewest(self, first: int, last: int, fits) -> int:  # type: ignore[no-untyped-def]
        """The fewest groups atoms [first, last) can be cut into, each satisfying `fits`."""
        best = {first: 0}
        for end in range(first + 1, last + 1):
            options = []
            for start in range(end - 1, first - 1, -1):
                if not fits(start, end):
                    break
                if start in best:
                    options.append(best[start] + 1)
            if options:
                best[end] = min(options)
        return best.get(last, last - first)

    def split(self, first: int, last: int, count: int, fits) -> list[tuple[int, int]] | None:  # type: ignore[no-untyped-def]
        """Atoms [first, last) cut into exactly `count` groups that each `fits`, at the cheapest breaks
        (punctuation first, then even lengths); None when impossible."""
        n = last - first
        if count > n or count < 1:
            return None
        target = sum((self.units(k, k + 1) for k in range(first, last)), Fraction(0)) / count
        inf = (math.inf, 0)
        best: list[list[tuple[float, int]]] = [[inf] * (count + 1) for _ in range(n + 1)]
        best[0][0] = (0.0, 0)
        for end in range(1, n + 1):
            for start in range(end - 1, -1, -1):
                if not fits(first + start, first + end):
                    break
                cost_here = float((self.units(first + start, first + end) - target) ** 2) / 4
                if end < n:
                    cost_here += _BREAK_COST[self.items[first + end - 1].after]
                for parts in range(1, min(count, end) + 1):
                    before = best[start][parts - 1][0]
                    if before == math.inf:
                        continue
                    if before + cost_here < best[end][parts][0]:
                        best[end][parts] = (before + cost_here, start)
        if best[n][count][0] == math.inf:
            return None
        groups: list[tuple[int, int]] = []
        end, parts = n, count
        while parts:
            start = best[end][parts][1]
            groups.append((first + start, first + end))
            end, parts = start, parts - 1
        return groups[::-1]

    def display(self, i: int, j: int) -> tuple[str, ...]:
        if self.one_line(i, j) or self.lines_per_cue < 2:
            return (_render(self.items[i:j]),)
        halves = self.split(i, j, 2, self.one_line)
        assert halves is not None  # the group fits in two lines
        return tuple(_render(self.items[a:b]) for a, b in halves)


# ------------------------------------------------------------------------------------------ time


def _durations(weights: list[Fraction], total: int, low: int, high: int) -> list[int]:
    """Integer durations summing to `total` (or less where every one is at `high`), shared by weight, each within
    [low, high] where the total allows it."""
    count = len(weights)
    total = min(total, count * high)
    if count * low > total:  # the text needs more cues than the clip has time for: share it evenly
        base, extra = divmod(total, count)
        return [base + (1 if i < extra else 0) for i in range(count)]
    fixed: dict[int, int] = {}
    while True:
        free = [i for i in range(count) if i not in fixed]
        room = total - sum(fixed.values())
        weight = sum((weights[i] for i in free), Fraction(0)) or Fraction(1)
        share = {i: Fraction(room) * (weights[i] or Fraction(1, 1000)) / weight for i in free}
        under = [i for i in free if share[i] < low]
        over = [i for i in free if share[i] > high]
        if not under and not over:
            break
        for i in under:
            fixed[i] = low
        if not under:
            for i in over:
                fixed[i] = high
    floors = {i: math.floor(share[i]) for i in share}
    left = room - sum(floors.values())
    for i in sorted(share, key=lambda i: (-(share[i] - floors[i]), i))[:left]:
        floors[i] += 1
    return [fixed[i] if i in fixed else floors[i] for i in range(count)]


def pieces(text: str, start: int, end: int, per_second: int | Fraction, *, vertical: bool = True) -> list[Piece]:
    """The cues of one dialogue line spoken over [start, end) (ticks, `per_second` a second).

    A line without Han script is one piece with the text as written (the caller wraps it as it always did)."""
    if not is_han(text):
        return [Piece(start, end, (text,))]
    shown = clean(text)
    items = atoms(shown) if shown else []
    if not items or not _render(items):
        return []
    lines_per_cue = LINES_VERTICAL if vertical else LINES_LANDSCAPE
    cut = _Lines(items, lines_per_cue)
    rate = Fraction(per_second)
    span = max(0, end - start)
    low = math.ceil(MIN_SECONDS * rate)
    high = math.floor(MAX_SECONDS * rate)
    n = len(items)
    by_length = cut.fewest(0, n, cut.fits)
    by_time = math.ceil(Fraction(span) / high) if high else 1
    count = max(by_length, by_time)
    if low and count * low > span:
        count = max(by_length, span // low)
    count = max(1, min(count, n))
    groups = cut.split(0, n, count, cut.fits)
    if groups is None:  # fewer words than the time would split into: as few cues as the text needs
        groups = cut.split(0, n, by_length, cut.fits)
    assert groups is not None
    shown_groups = [(group, cut.display(*group)) for group in groups]
    shown_groups = [(group, lines) for group, lines in shown_groups if any(lines)]
    weights = [units(join_lines(lines)) for _, lines in shown_groups]
    out: list[Piece] = []
    at = start
    for (_, lines), length in zip(shown_groups, _durations(weights, span, low, high), strict=True):
        out.append(Piece(at, at + length, lines))
        at += length
    return out
