"""Reader for Chinese short-drama scripts in the studios' own format: the same `Script` as Fountain and FDX.

One line is one element; blank lines are skipped. What each line becomes (`Element.type`):

    剧名：逆袭 / 《逆袭》 (before the first scene)    -> title page "title"
    第3集 / 第 3 集 [标题]                            -> title page "episode" ("3"); title "逆袭 第3集"
    《逆袭》第1集 / 逆袭 第1集 / 逆袭⏎第1集              -> the series and the episode on one line, or the title
        alone on the line before the episode line
    3-1 场  老宅客厅  夜  内 / 第3-1场 … / 3-1 … -> scene_heading (number "3-1"; the text as written;
        `split_heading` reads 内/外 as INT/EXT and 日/夜/晨/黄昏… as DAY/NIGHT/MORNING/DUSK…; time and
        interior may be written together (日内, 夜/外) or apart, in either order, spaces or tabs)
    人物：A、B / 人物 A B                            -> note (the scene's cast; the planner skips notes)
    △… / ▲…                                      -> action (the marker removed)
    角色：台词 / 角色（情绪）：台词                      -> character + parenthetical "(情绪)" + dialogue
        (full- or half-width colons and brackets; a cue with nothing after the colon takes the next line;
        a bracket inside the speech, `林晓：(愣住)你说什么？`, is a parenthetical wherever it sits)
    角色OS：… / 角色（OS）：…                          -> character with extensions ["OS"] (inner voice)
    VO：… / VO（旁白）：… / VO（电话里）：…             -> character "旁白" / "电话里" with extensions ["VO"]
    VO（钟声）：当——当——                             -> action "钟声：当——当——": a sound, not a speaker;
        the planner makes it a sound cue. The rule (`is_sound_name`): the bracket is a word of
        `lexicon.ZH_SOUND_WORDS` or ends in 声/铃/响/乐 (钟声, 敲门声, 电话铃, 音乐), or the VO's text is
        only onomatopoeia (`VO：咚咚咚！`, sound "音效")
    【切】 【黑场】 【闪回】 (and 【淡入】 【淡出】 【转场】)     -> transition (the planner's lexicon knows them)
    字幕：… / 【字幕：…】                              -> centered: an on-screen caption, a title card shot
    anything else                                  -> action

`Element.line` is the 1-based line of the source (the paragraph number for a .docx). A cue without a line
raises `ScriptkitError` naming the file and line.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import TypeAdapter

from scriptkit import lexicon
from scriptkit.errors import ScriptkitError
from scriptkit.models import Element, Script
from scriptkit.parse.scenes import make_script
from scriptkit.parse.zh_heading import DIGITS, FULLWIDTH_DIGITS, split_zh_heading

_ELEMENTS = TypeAdapter(list[Element])

_EPISODE = re.compile(
    r"^(?:剧名\s*[：:]\s*)?(?:《\s*(?P<series>[^》]+?)\s*》|(?P<bare>[^\s《》：:（()）]{1,20}))?\s*"
    rf"第\s*(?P<number>{DIGITS}|[一二三四五六七八九十百零两]+)\s*集\s*(?P<rest>.*)$"
)
_SERIES = re.compile(r"^(?:剧名\s*[：:]\s*(.+)|《(.+)》)$")
_BARE_SERIES = re.compile(r"^[^\s，。！？,.!?：:（()）△▲【】《》]{1,20}$")  # '逆袭' on the line before '第1集'
_SPEECH_PAREN = re.compile(r"[（(]\s*([^（()）]{1,30}?)\s*[）)]")
_CAST = re.compile(r"^(?:出场)?人物\s*(?:[：:]\s*|\s+)(.+)$")
_ACTION = re.compile(r"^[△▲]\s*(.*)$")
_TRANSITION = re.compile(r"^【(切|黑场|闪回|闪回结束|淡入|淡出|转场|叠化)】$")
_CAPTION = re.compile(r"^(?:【\s*)?字幕\s*[：:]\s*(.*?)(?:\s*】)?$")
_CUE = re.compile(
    r"^(?P<name>[^\s：:（(△▲【】，。！？,.!?\"“”]{1,12}?)\s*(?P<ext>OS|VO|os|vo)?\s*"
    r"(?:[（(](?P<paren>[^）)]{0,30})[）)])?\s*[：:]\s*(?P<text>.*)$"
)
_EXTENSIONS = {"OS": "OS", "VO": "VO", "V.O.": "VO", "O.S.": "OS"}
_NOT_NAMES = {"人物", "字幕", "场景", "时间", "地点", "剧名", "备注", "注"}
NARRATOR = "旁白"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def looks_zh(text: str) -> bool:
    """True when the text is a Chinese script in this format: Chinese, and several scene or cue lines."""
    scenes = cues = cjk = 0
    for raw in text.splitlines()[:2000]:
        line = raw.strip()
        if not line:
            continue
        if re.match(r"^(INT|EXT|I/E)[.\s]", line, re.IGNORECASE):
            return False  # a Fountain scene heading: a Fountain script (which may well be in Chinese)
        cjk += bool(_CJK.search(line))
        if split_zh_heading(line) is not None:
            scenes += 1
        elif _CUE.match(line) and _CJK.search(line):
            cues += 1
    return cjk >= 3 and ((scenes >= 1 and scenes + cues >= 3) or cues >= 5)


def parse_zh(text: str, source: str = "") -> Script:
    """Parse a Chinese short-drama script (see the module docstring) into a `Script`."""
    title_page: dict[str, str] = {}
    series = ""
    elements: list[dict[str, Any]] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    pending: dict[str, Any] | None = None  # a cue whose line is on the next line
    for index, raw in enumerate(lines):
        number = index + 1
        line = raw.replace("\u3000", " ").strip().lstrip("\ufeff")
        if not line:
            continue
        if pending is not None:
            following = _line_elements(line, number)
            if _ACTION.match(line) or not following or following[0]["type"] != "action":
                break  # the next line is not the cue's speech: reported below
            speech = _speech_elements(line, number)
            elements.extend(speech)
            if any(e["type"] == "dialogue" for e in speech):
                pending = None
            continue
        seen_scene = any(e["type"] == "scene_heading" for e in elements)
        if not seen_scene and "episode" not in title_page:
            episode = _EPISODE.match(line)
            if episode:
                series = (episode.group("series") or episode.group("bare") or series or "").strip()
                spelled = re.sub(r"\s+", "", episode.group("number"))
                title_page["episode"] = spelled.translate(FULLWIDTH_DIGITS)
                if episode.group("rest").strip():
                    title_page["episode title"] = episode.group("rest").strip()
                title_page["title"] = " ".join(x for x in (series, f"第{spelled}集") if x)
                continue
            series_match = _SERIES.match(line)
            if series_match and not series:
                series = (series_match.group(1) or series_match.group(2)).strip()
                continue
            if not series and not elements and _BARE_SERIES.match(line) and _next_is_episode(lines, index):
                series = line  # a title line alone, the episode on the next line
                continue
        new = _line_elements(line, number)
        elements.extend(new)
        if new and new[0]["type"] == "character" and new[-1]["type"] != "dialogue":
            pending = new[0]
    if pending is not None:
        raise ScriptkitError(
            f"cue {pending['text']!r} has no line: nothing after the colon or on the next line",
            source or None,
            pending["line"],
        )
    if series and "title" not in title_page:
        title_page["title"] = series
    return make_script(_ELEMENTS.validate_python(elements), title_page, source)


def _next_is_episode(lines: list[str], index: int) -> bool:
    """True when the next non-empty line after `index` is an episode line ('第1集')."""
    for raw in lines[index + 1 :]:
        line = raw.replace("\u3000", " ").strip()
        if line:
            found = _EPISODE.match(line)
            return found is not None and not found.group("series") and not found.group("bare")
    return False


def _line_elements(line: str, number: int) -> list[dict[str, Any]]:
    """The elements of one non-empty line."""
    heading = split_zh_heading(line)
    if heading is not None:
        return [{"type": "scene_heading", "text": line, "line": number, "number": heading[0]}]
    if _TRANSITION.match(line):
        return [{"type": "transition", "text": line, "line": number}]
    caption = _CAPTION.match(line)
    if caption:
        return [{"type": "centered", "text": caption.group(1).strip() or line, "line": number}]
    if _CAST.match(line):
        return [{"type": "note", "text": line, "line": number}]
    action = _ACTION.match(line)
    if action:
        body = action.group(1).strip()
        return [{"type": "action", "text": body, "line": number}] if body else []
    cue = _CUE.match(line)
    if cue and cue.group("name") not in _NOT_NAMES:
        return _cue_elements(cue, number)
    return [{"type": "action", "text": line, "line": number}]


def is_sound_name(name: str) -> bool:
    """True when a VO bracket names a sound, not a speaker: a word of `lexicon.ZH_SOUND_WORDS`, or a name that
    ends in 声/铃/响/乐 (`lexicon.ZH_SOUND_ENDINGS`): 钟声, 敲门声, 电话铃, 音乐. '电话里', '旁白' are speakers."""
    name = name.strip()
    return bool(name) and (name in lexicon.ZH_SOUND_WORDS or name.endswith(lexicon.ZH_SOUND_ENDINGS))


def is_onomatopoeia(text: str) -> bool:
    """True when a line is only sound words: '当——当——当——', '咚咚咚！', '嘀嗒，嘀嗒'."""
    letters = [c for c in text if not unicodedata.category(c).startswith(("P", "Z", "S")) and c not in "～~"]
    return bool(letters) and all(c in lexicon.ZH_ONOMATOPOEIA for c in letters)


def sound_of(text: str) -> str | None:
    """The sound an action paragraph names: the sound written by a sound VO ('钟声：当——'), else the first word
    of `lexicon.ZH_SOUND_WORDS` in the text (longest first: '电话铃声' before '铃声'); None when there is none."""
    head = re.match(r"^([^\s：:，。]{1,12})[：:]", text)
    if head and is_sound_name(head.group(1)):
        return head.group(1)
    found = [(text.find(word), -len(word), word) for word in lexicon.ZH_SOUND_WORDS if word in text]
    return min(found)[2] if found else None


def _speech_elements(text: str, number: int) -> list[dict[str, Any]]:
    """A speech with its parentheticals, full- or half-width, wherever they sit: '(愣住)你说什么？' ->
    parenthetical '(愣住)' + dialogue '你说什么？'."""
    out: list[dict[str, Any]] = []
    at = 0
    for match in _SPEECH_PAREN.finditer(text):
        before = text[at : match.start()].strip()
        if before:
            out.append({"type": "dialogue", "text": before, "line": number})
        out.append({"type": "parenthetical", "text": f"({match.group(1).strip()})", "line": number})
        at = match.end()
    rest = text[at:].strip()
    if rest:
        out.append({"type": "dialogue", "text": rest, "line": number})
    return out


def _cue_elements(cue: re.Match[str], number: int) -> list[dict[str, Any]]:
    name = cue.group("name")
    extensions: list[str] = []
    if cue.group("ext"):
        extensions.append(cue.group("ext").upper())
    paren = (cue.group("paren") or "").strip()
    if paren.upper() in _EXTENSIONS:
        extensions.append(_EXTENSIONS[paren.upper()])
        paren = ""
    spoken = cue.group("text").strip()
    if name.upper() in ("VO", "OS") and not cue.group("ext"):  # `VO：` / `VO（钟声）：` - heard, not seen
        if is_sound_name(paren) or (spoken and is_onomatopoeia(spoken)):
            sound = paren or "音效"
            return [{"type": "action", "text": f"{sound}：{spoken}" if spoken else sound, "line": number}]
        extensions.append(name.upper())
        name, paren = (paren or NARRATOR), ""
    cue_text = name + "".join(f" ({e})" for e in extensions)
    out: list[dict[str, Any]] = [
        {"type": "character", "text": cue_text, "line": number, "name": name, "extensions": extensions}
    ]
    if paren:
        out.append({"type": "parenthetical", "text": f"({paren})", "line": number})
    out.extend(_speech_elements(spoken, number))
    return out
