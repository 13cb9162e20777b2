"""Mandarin for the kokoro voice: a line of Chinese in Kokoro's phonemes (misaki's Mandarin set, as the eight
`zf_*`/`zm_*` voices of Kokoro-82M v1.0 were trained on: pinyin in IPA, tones as arrows).

`phonemize_zh(text)`, step by step:

1. Numbers become words. First the readings cn2an gets wrong in speech: `1,000` (a thousands separator),
   `2个` (两, before a measure word), `3:30` (三点三十分), `3-5天` (三到五天), `007` and numbers of 11 digits or
   more (read digit by digit); then cn2an's `an2cn` transform, as misaki's `ZHG2P` does (`12.5元` 十二点五元,
   `2026年` 二零二六年, `50%` 百分之五十). Full-width letters and digits are read as their ASCII forms.
2. Han runs: jieba's words and parts of speech, merged and re-toned by misaki's `ToneSandhi` (the rules its
   Mandarin front end applies: 不 before a 4th tone is 2nd, 一 is 2nd before a 4th tone and 4th before the others,
   3rd + 3rd is 2nd + 3rd, neutral tones of particles and suffixes); each syllable's pinyin (pypinyin) in IPA by
   `ZHG2P.py2ipa` (1st tone →, 2nd ↗, 3rd ↓, 4th ↘, neutral: none). One word a space, as misaki writes them.
3. Latin runs (`OK`, `iPhone`, `Wi-Fi`, `5G`'s G) through the English phonemizer of `generators.kokoro`
   (espeak-ng), spliced in where they stand.
4. Punctuation, mapped onto the vocabulary's marks (it shapes the prosody): `，、,` -> `,`, `。．.` -> `.`,
   `！` -> `!`, `？` -> `?`, `：` -> `:`, `；` -> `;`, `…` `……` `...` -> `…`, `—` `——` `～` `~` -> `—`,
   quotes and title marks (`“” ‘’ 「」 『』 《》 【】 "`) -> `“ ”`, brackets -> `( )`.

Dropped deliberately (nothing else is dropped): any other symbol (`·` between the parts of a foreign name, `#`, `@`,
`*`, `/`, emoji...), a Han character without a reading in pypinyin's dictionary (no sandhi for the five it
reads as a bare m, n or hm, such as 嗯 and 呣: misaki's rules need a final), the non-syllabic mark U+032F of
the IPA diphthongs (as misaki's own Mandarin G2P does), and, as a last guard, any symbol outside
`kokoro_data/vocab.json`.

Why not `ZHG2P()(text)` as it stands: its v1.0 call (this model's symbol set) applies no tone sandhi beyond
pypinyin's phrase readings and leaves Latin runs as raw letters (which Kokoro would read as IPA), and its
`version='1.1'` front end applies the sandhi but writes the zhuyin-like symbols of Kokoro v1.1-zh, which this
model's vocabulary does not have. pypinyin's global dictionaries are left as they are (misaki's v1.1 front end
loads a larger phrase set into them, which would change the pinyin ids of `scriptkit.shot_ids` mid-run).

The front end (jieba's dictionary, about a second) loads once per process, on the first line. jieba is kept quiet
and keeps its dictionary cache where it always does, `jieba.cache` in the temp directory (`tempfile.gettempdir()`,
writable by construction); a cache it cannot write only costs the next process that second again.
"""

from __future__ import annotations

import functools
import logging
import re
import tempfile
from dataclasses import dataclass
from typing import Any

from generators.kokoro import phonemize_english, vocabulary
from scriptkit.errors import ScriptkitError

#: What this front end reads a line as is part of every Mandarin line's cache key (generators.kokoro `params`):
#: bump it when a change here reads any line differently, so the cached voices of the old reading are redone.
FRONT_END_VERSION = "1"

#: Han characters (CJK unified ideographs, extensions A and B) and 〇.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\u3007\U00020000-\U0002a6df"
#: The characters pypinyin reads as a bare syllabic consonant (m, n, hm), with no final: misaki's tone sandhi
#: fails on them, so they are read as they are, each a word of its own.
_BARE = "㕶呣嗯噷𠮾"
_LATIN_WORD = r"[A-Za-z]+(?:['’\-.][A-Za-z]+)*"
#: A run of Latin words (with the spaces between them), a run of Han characters, or one other character.
_PIECE = re.compile(rf"(?P<latin>{_LATIN_WORD}(?:\s+{_LATIN_WORD})*)|(?P<han>[{_HAN}]+)|(?P<other>.)", re.DOTALL)

#: Measure words and units after which a lone 2 is read 两 (两个人, 两点, 两万), not 二.
_LIANG = "个位只条张件本次回天岁块杯瓶辆种小时分钟周星期斤公斤米层家把双对份台部句声眼口步遍趟万千亿百年"
_DIGITS = "零一二三四五六七八九"

#: Marks that close what comes before them, as the vocabulary writes them (a mark repeated counts once).
_CLOSING: dict[str, str] = {
    "…": "…",
    "—": "—",
    "–": "—",
    "～": "—",
    "~": "—",
    "，": ",",
    "、": ",",
    ",": ",",
    "。": ".",
    "．": ".",
    ".": ".",
    "！": "!",
    "!": "!",
    "？": "?",
    "?": "?",
    "：": ":",
    ":": ":",
    "；": ";",
    ";": ";",
    "”": "”",
    "’": "”",
    "」": "”",
    "』": "”",
    "》": "”",
    "】": "”",
    "）": ")",
    ")": ")",
}
_ENDS = tuple(sorted(set(_CLOSING.values())))
#: Marks that open what follows them.
_OPENING = {"“": "“", "‘": "“", "「": "“", "『": "“", "《": "“", "【": "“", "（": "(", "(": "("}


@dataclass(frozen=True)
class _Front:
    """What loads once: misaki's tone sandhi and the readers it needs."""

    sandhi: Any
    cut: Any  # jieba.posseg.lcut
    lazy_pinyin: Any
    style: Any  # pypinyin.Style
    py2ipa: Any  # misaki.zh.ZHG2P.py2ipa
    readable: Any  # the code points pypinyin has a reading for
    an2cn: Any


@functools.cache
def _front() -> _Front:
    try:
        import jieba
        import misaki.zh  # noqa: F401
    except ImportError:
        raise ScriptkitError(
            "Mandarin lines need the Mandarin front end of the kokoro voice (misaki with jieba, pypinyin, cn2an)",
            hint='run: pip install "misaki[zh]==0.9.4"',
        ) from None

    jieba.setLogLevel(logging.CRITICAL)  # no "Building prefix dict..." (nor a failed cache write) on stderr
    jieba.dt.tmp_dir = tempfile.gettempdir()  # where its dictionary cache goes (jieba's own default, made explicit)
    jieba.initialize()
    import cn2an
    import jieba.posseg
    from misaki.tone_sandhi import ToneSandhi
    from misaki.zh import ZHG2P
    from pypinyin import Style, lazy_pinyin
    from pypinyin.constants import PINYIN_DICT

    return _Front(
        sandhi=ToneSandhi(),
        cut=jieba.posseg.lcut,
        lazy_pinyin=lazy_pinyin,
        style=Style,
        py2ipa=ZHG2P.py2ipa,
        readable=PINYIN_DICT,
        an2cn=functools.partial(cn2an.transform, method="an2cn"),
    )


def _digit_by_digit(match: re.Match[str]) -> str:
    return "".join(_DIGITS[int(digit)] for digit in match.group(0))


def _clock(match: re.Match[str]) -> str:
    hour, minute = match.group(1), match.group(2)
    if minute == "00":
        return f"{hour}点"
    return f"{hour}点{'零' if minute[0] == '0' else ''}{int(minute)}分"


def normalize_numbers(text: str) -> str:
    """Arabic numerals as Chinese words (see the module docstring); any digit cn2an leaves is read digit by digit."""
    text = text.translate({code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code).isalnum()})
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    text = re.sub(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])", _clock, text)
    text = re.sub(r"(?<=\d)\s*[-~～—]\s*(?=\d)", "到", text)
    text = re.sub(r"(?<![\d.])0\d+(?![\d.])|(?<![\d.])\d{11,}(?![\d.])", _digit_by_digit, text)
    text = re.sub(rf"(?<![\d.第])2(?=[{_LIANG}])(?!年级)", "两", text)
    text = _front().an2cn(text)
    return re.sub(r"\d+", _digit_by_digit, text)


def _syllables(word: str, pos: str, front: _Front) -> list[str]:
    """The pinyin (TONE3, neutral 5) of a Han word, its tones changed by the sandhi rules."""
    style = front.style
    syllables = front.lazy_pinyin(word, style=style.TONE3, neutral_tone_with_five=True)
    finals = front.lazy_pinyin(word, style=style.FINALS_TONE3, neutral_tone_with_five=True)
    if any(not final for final in finals):  # 嗯, 呣...: pypinyin gives them no final; misaki's sandhi needs one
        return syllables
    toned = front.sandhi.modified_tone(word, pos, list(finals))
    out = []
    for syllable, before, after in zip(syllables, finals, toned, strict=True):
        if after != before and after[-1:].isdigit() and syllable[-1:].isdigit():
            syllable = syllable[:-1] + after[-1]
        out.append(syllable)
    return out


def _han_words(run: str, front: _Front) -> list[str]:
    """The phonemes of each word of a run of Han characters."""
    words = []
    for part in re.split(f"([{_BARE}])", "".join(char for char in run if ord(char) in front.readable)):
        if not part:
            continue
        if part in _BARE:  # a syllabic consonant: a word of its own, no sandhi
            segments = [(part, "e")]
        else:
            segments = front.sandhi.pre_merge_for_modify([(pair.word, pair.flag) for pair in front.cut(part)])
        for word, pos in segments:
            ipa = "".join(front.py2ipa(syllable) for syllable in _syllables(word, pos, front))
            words.append(ipa.replace("\u032f", ""))
    return words


def phonemize_zh(text: str) -> str:
    """A Mandarin line in Kokoro's phonemes: `你好，世界！` -> `ni↗xau↓, ʂɨ↘ʨje↘!` (see the module docstring)."""
    front = _front()
    words: list[str] = []  # phoneme words, their closing marks attached
    opening = ""  # marks waiting for the next word
    quotes = 0  # straight double quotes so far: an even count opens, an odd one closes
    for piece in _PIECE.finditer(re.sub(r"\.{3,}", "…", normalize_numbers(text))):
        found: list[str] = []
        if piece.group("latin"):
            found = [phonemize_english(piece.group("latin"))]
        elif piece.group("han"):
            found = _han_words(piece.group("han"), front)
        for word in found:
            if word:
                words.append(opening + word)
                opening = ""
        other = piece.group("other")
        if other is None:
            continue
        if other in _OPENING:
            opening += _OPENING[other]
        elif other == '"':
            quotes += 1
            if quotes % 2:
                opening += "“"
            elif words and not words[-1].endswith("”"):
                words[-1] += "”"
        else:
            mark = _CLOSING.get(other)
            if mark and words and not words[-1].endswith(mark):
                words[-1] += mark
    vocab = vocabulary()
    phonemes = " ".join(words)
    return "".join(symbol for symbol in phonemes if symbol in vocab).strip()
