"""The cast: every speaking character with sex, age, aliases and language, read from the script where it says so.

Where each fact comes from, best first:
1. a cast block on the title page (`Cast:` with one `NAME - description` a line), e.g. `MAYA - 28, woman`;
2. the character's introduction in the action, `MAYA (28, courier jacket)` / `THEO (40s, tailored coat)`,
   and the words in it (woman, boy, grandmother, old...);
3. the pronouns of the action around them (she/her vs he/him/his), counted sentence by sentence for the
   character named last - a guess, listed in `guessed`.

A Chinese script is read the same way in its own words: a description in brackets after the name in the scene's
`人物：林晓（女，25岁）、陈默（男）` line or at the name's first mention in the action, words in the name and the
description (女, 妈, 小姐, 先生, 爷爷, 三十多岁, 少年...) and the pronouns 她/他 of the action.

Aliases: a cue name that is another cue name plus more words (`GULLIVER THE GULL` after `GULLIVER`) is the same
person. `merge_cast` keeps what a user wrote in shots.yaml and adds what is new. Pure and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scriptkit.models import CastMember, Script, ShotList

_FEMALE_WORDS = re.compile(
    r"\b(woman|women|girl|lady|mother|mom|mum|grandmother|grandma|granny|daughter|sister|wife|aunt|niece|queen|"
    r"female|she|her|actress|waitress|mrs|ms|miss|nan|nana|gran|mum|mummy|ma|madam)\b",
    re.IGNORECASE,
)
_MALE_WORDS = re.compile(
    r"\b(man|men|boy|guy|gentleman|father|dad|grandfather|grandpa|son|brother|husband|uncle|nephew|king|male|"
    r"he|his|him|mr|sir|pa|papa|daddy|grandad|lad)\b",
    re.IGNORECASE,
)
#: pronoun -> 0 (she) or 1 (he); the object forms refer to someone other than the sentence's subject.
_PRONOUNS = {"she": 0, "her": 0, "hers": 0, "herself": 0, "he": 1, "him": 1, "his": 1, "himself": 1}
_OBJECT = {"her", "him"}
_DECADE = re.compile(r"\b(?:(early|mid|late)[ -])?(\d)0s\b", re.IGNORECASE)
_YEARS = re.compile(r"(?<![\d.])(\d{1,3})(?:\s*(?:years?|yrs?)(?:[ -]old)?)?(?![\d.]|s\b)")
_CHILD = re.compile(r"\b(child|kid|boy|girl|toddler|little)\b", re.IGNORECASE)
_TEEN = re.compile(r"\b(teen|teenager|teenage|adolescent)\b", re.IGNORECASE)
_ELDER = re.compile(
    r"\b(old|elderly|aged|grandmother|grandfather|grandma|grandpa|granny|ancient|retired|widow(?:er)?)\b",
    re.IGNORECASE,
)
# Chinese: words of sex (the longer words first, so 夫人 is a woman's and 老公 a man's), age and pronouns.
_ZH_FEMALE = re.compile(
    r"夫人|太太|小姐|女士|姑娘|千金|公主|皇后|老婆|媳妇|新娘|她(?!们)|女|妈|母|姐|妹|奶|婆|姑(?!爷)|姨|嫂|婶|娘|妻"
)
_ZH_MALE = re.compile(r"丈夫|先生|少爷|公子|老公|王爷|皇帝|小伙|他(?!们)|男|爸|父|哥|弟|爷|叔|伯|舅|儿子")
_ZH_NUMBER = r"\d{1,3}|[一二三四五六七八九十两]{1,4}"
_ZH_DECADE = re.compile(rf"({_ZH_NUMBER})\s*(?:多|来)岁|({_ZH_NUMBER})\s*出头")
_ZH_YEARS = re.compile(rf"({_ZH_NUMBER})\s*(?:周)?岁")
_ZH_CHILD = re.compile(r"小孩|孩子|儿童|男孩|女孩|小朋友|幼童|小学生")
_ZH_TEEN = re.compile(r"少年|少女|中学生|初中生|高中生")
_ZH_ELDER = re.compile(r"老人|老太|老头|老爷子|老奶奶|老爷爷|奶奶|爷爷|外婆|外公|姥姥|姥爷|老妇|老汉|老者|年迈|白发")
_ZH_SENTENCE = re.compile(r"[^。！？；!?;…]+[。！？；!?;…]*")
_INTRO = re.compile(r"\b([A-Z][A-Z0-9'.\- ]*[A-Z0-9])\s*\(([^()]{1,80})\)")
_SENTENCE = re.compile(r"[^.!?…]+[.!?…]*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _zh_number(text: str) -> int:
    """25, 二十五, 十八, 三十, 两 -> the number (up to 999)."""
    if text.isdigit():
        return int(text)
    digits = {char: n for n, char in enumerate("零一二三四五六七八九")} | {"两": 2}
    total, current = 0, 0
    for char in text:
        if char in digits:
            current = digits[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
    return total + current


def _zh_age(text: str, numbers: bool) -> tuple[str, bool]:
    """age_from for a Chinese description: 二十五岁, 三十多岁, 四十出头, 奶奶, 少年..."""
    decade = _ZH_DECADE.search(text) if numbers else None
    if decade:
        base = _zh_number(decade.group(1) or decade.group(2)) // 10 * 10
        low, high = (base, base + 9) if decade.group(1) else (base, base + 3)
        if 0 < base < 120:
            return f"{low}-{high}", False
    years = _ZH_YEARS.search(text) if numbers else None
    if years and 0 < _zh_number(years.group(1)) < 120:
        return str(_zh_number(years.group(1))), False
    for pattern, ages in ((_ZH_TEEN, "13-17"), (_ZH_CHILD, "6-11"), (_ZH_ELDER, "65-80")):
        if pattern.search(text):
            return ages, True
    return "", False


def age_from(text: str, numbers: bool = True) -> tuple[str, bool]:
    """(age as '28' or '40-49', guessed) from a description ('' when it says nothing of age): a number or a
    decade is read, a word (girl, teenager, elderly) gives a guessed range. `numbers=False` reads words only.
    Chinese descriptions are read in Chinese (二十五岁, 三十多岁, 奶奶)."""
    if _HAN.search(text):
        found = _zh_age(text, numbers)
        if found[0]:
            return found
    decade = _DECADE.search(text) if numbers else None
    if decade:
        base = int(decade.group(2)) * 10
        part = (decade.group(1) or "").lower()
        low, high = {"early": (base, base + 3), "mid": (base + 4, base + 6), "late": (base + 7, base + 9)}.get(
            part, (base, base + 9)
        )
        return f"{low}-{high}", False
    years = _YEARS.search(text) if numbers else None
    if years and 0 < int(years.group(1)) < 120:
        return years.group(1), False
    if _TEEN.search(text):
        return "13-17", True
    if _CHILD.search(text):
        return "6-11", True
    if _ELDER.search(text):
        return "65-80", True
    return "", False


def sex_from(text: str) -> str:
    female, male = len(_FEMALE_WORDS.findall(text)), len(_MALE_WORDS.findall(text))
    if _HAN.search(text):
        female, male = female + len(_ZH_FEMALE.findall(text)), male + len(_ZH_MALE.findall(text))
    return "female" if female > male else "male" if male > female else "unknown"


def _title_block(script: Script) -> dict[str, str]:
    """NAME -> description from a title-page `Cast:` block."""
    out: dict[str, str] = {}
    for raw in script.title_page.get("cast", "").splitlines():
        match = re.match(r"\s*([A-Z][A-Z0-9'.]*(?: [A-Z][A-Z0-9'.]*)*)\s*(?:[-–—:,(]\s*(.*?)\)?)?\s*$", raw)
        if match:
            out[" ".join(match.group(1).split())] = match.group(2) or ""
    return out


def _intros(script: Script) -> dict[str, str]:
    out: dict[str, str] = {}
    for element in script.elements:
        if element.type == "action" and "(" in element.text:
            for match in _INTRO.finditer(element.text):
                out.setdefault(" ".join(match.group(1).split()), " ".join(match.group(2).split()))
    return out


def _zh_intros(script: Script, names: list[str]) -> dict[str, str]:
    """name -> the description in brackets after it in a `人物：` line or its first mention in the action."""
    out: dict[str, str] = {}
    texts = [e.text for e in script.elements if e.type in ("note", "action") and _HAN.search(e.text)]
    for name in names:
        if not _HAN.search(name):
            continue
        pattern = re.compile(re.escape(name) + r"\s*[（(]([^（）()]{1,40})[）)]")
        for text in texts:
            match = pattern.search(text)
            if match:
                out[name] = match.group(1).strip()
                break
    return out


def _zh_pronoun_votes(script: Script, names: list[str]) -> dict[str, list[int]]:
    """name -> [她 votes, 他 votes] from Chinese action: a pronoun after a name in its sentence is that sentence's
    first name's, one before any name the last subject's (in the paragraph, else the previous paragraph's)."""
    votes = {name: [0, 0] for name in names}
    chinese = [name for name in names if _HAN.search(name)]
    previous_paragraph: str | None = None
    for element in script.elements:
        if element.type != "action" or not chinese or not _HAN.search(element.text):
            continue
        referent, first = previous_paragraph, None
        for sentence in _ZH_SENTENCE.findall(element.text):
            hits = sorted((sentence.find(name), name) for name in chinese if name in sentence)
            for pronoun in re.finditer(r"([她他])(?!们)", sentence):
                before = [name for at, name in hits if at < pronoun.start()]
                who = before[0] if before else referent
                if who is not None:
                    votes[who][pronoun.group(1) == "他"] += 1
            if hits:
                referent, first = hits[0][1], first or hits[0][1]
        previous_paragraph = first or previous_paragraph
    return votes


def _pronoun_votes(script: Script, names: list[str]) -> dict[str, list[int]]:
    """name -> [she votes, he votes] from the pronouns of the action, sentence by sentence.

    In a sentence naming someone, the subject pronouns and possessives (she, he, his, herself...) are its first
    name's (`DAD lifts Pip onto his shoulders`), the object pronouns (her, him) the person referred to before
    it (`NAN sits. PIP runs past her`). A sentence naming nobody refers to the last naming sentence's subject in
    its paragraph, or at a paragraph's start to the previous naming paragraph's first name (`Maya holds out the
    ENVELOPE. Theo lowers the paper. / Her PHONE buzzes.` gives "Her" to Maya)."""
    votes = {name: [0, 0] for name in names}
    patterns = [(name, re.compile(r"\b" + re.escape(name) + r"\b", re.IGNORECASE)) for name in names]
    previous_paragraph: str | None = None
    for element in script.elements:
        if element.type != "action":
            continue
        referent, first = previous_paragraph, None
        for sentence in _SENTENCE.findall(element.text):
            hits = sorted((m.start(), name) for name, pattern in patterns for m in pattern.finditer(sentence))
            subject = hits[0][1] if hits else None
            for word in re.findall(r"[A-Za-z]+", sentence):
                lower = word.lower()
                if lower not in _PRONOUNS:
                    continue
                who = referent if subject is None or (lower in _OBJECT and referent != subject) else subject
                if lower in _OBJECT and subject is not None and referent == subject:
                    who = None
                if who is not None:
                    votes[who][_PRONOUNS[lower]] += 1
            if subject is not None:
                referent, first = subject, first or subject
        previous_paragraph = first or previous_paragraph
    return votes


def aliases_of(names: list[str]) -> dict[str, str]:
    """alias -> the character it names: `GULLIVER THE GULL` -> `GULLIVER` when both speak."""
    out: dict[str, str] = {}
    for name in names:
        roots = [other for other in names if name.startswith(other + " ")]
        if roots:
            out[name] = min(roots, key=len)
    return out


def _display(name: str) -> str:
    return " ".join(word.capitalize() if word.isalpha() else word for word in name.split())


def language_of(lines: Iterable[str]) -> str:
    """'zh' when most of the letters a character speaks are Han characters, else 'en'."""
    text = "".join(lines)
    han = len(_HAN.findall(text))
    letters = sum(1 for char in text if char.isalpha())
    return "zh" if letters and han * 2 > letters else "en"


def speaker_key(name: str) -> str:
    """A speaker's name as the cast keys it: spaces folded, upper case."""
    return " ".join(name.split()).upper()


def lines_by_speaker(lines: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """What each speaker says, from (character, text) pairs, keyed as `infer_cast` reads it (it sets the language)."""
    spoken: dict[str, list[str]] = {}
    for character, text in lines:
        spoken.setdefault(speaker_key(character), []).append(text)
    return spoken


def infer_cast(script: Script, speakers: Iterable[str], lines: dict[str, list[str]] | None = None) -> list[CastMember]:
    """A cast member per speaking character (aliases folded in), in order of first line; `lines` (what each
    speaks, `lines_by_speaker`) sets the language."""
    names = list(dict.fromkeys(speaker_key(n) for n in speakers))
    alias = aliases_of(names)
    block, intros = _title_block(script), _intros(script)
    main = [name for name in names if name not in alias]
    intros_zh = _zh_intros(script, main)
    votes = _pronoun_votes(script, main)
    for name, (she, he) in _zh_pronoun_votes(script, main).items():
        votes[name] = [votes[name][0] + she, votes[name][1] + he]
    members = []
    for name in main:
        guessed: list[str] = []
        described = block.get(name) or intros.get(name) or intros_zh.get(name, "")
        age, age_guess = age_from(described)
        if not age:  # the name itself may say it: GRANDMA, THE BOY
            age, age_guess = age_from(name, numbers=False)
        sex = sex_from(f"{name} {described}")
        if sex == "unknown":
            she, he = votes[name]
            sex = "female" if she > he else "male" if he > she else "unknown"
            guessed.append("sex")
        if age_guess or not age:
            guessed.append("age")
        members.append(
            CastMember(
                name=name,
                display_name=_display(name),
                aliases=[other for other in names if alias.get(other) == name],
                sex=sex,  # type: ignore[arg-type]
                age=age,
                language=language_of((lines or {}).get(name, [])),
                guessed=[*guessed, "voice"],
            )
        )
    return members


def voice_cast(members: list[CastMember], backend: str | None = None) -> list[CastMember]:
    """The members with a voice each from `backend`'s set (default: the default voice backend)."""
    from generators import default_voice, voice_options
    from generators.casting import cast_voices

    name = backend or default_voice()
    return cast_voices(members, voice_options(name), name)


def merge_cast(kept: list[CastMember], found: list[CastMember]) -> list[CastMember]:
    """The user's cast (kept as written) plus the characters it does not name yet."""
    known = {member.name for member in kept} | {alias for member in kept for alias in member.aliases}
    return [*kept, *(member for member in found if member.name not in known)]


def completed_cast(shotlist: ShotList) -> list[CastMember]:
    """The shot list's cast, with every speaker it misses inferred (in the language of their lines)."""
    pairs = [(line.character, line.text) for shot in shotlist.shots for line in shot.dialogue]
    missing = [name for name in dict.fromkeys(name for name, _ in pairs) if shotlist.member(name) is None]
    return merge_cast(list(shotlist.cast), infer_cast(Script(), missing, lines_by_speaker(pairs)))


def cast_lines(members: list[CastMember]) -> list[str]:
    """One line per member for the CLI: who, what the script says of them, the voice; guesses marked '?'."""
    out = []
    for member in members:
        sex = member.sex + ("?" if "sex" in member.guessed else "")
        age = (member.age or "age unknown") + ("?" if "age" in member.guessed and member.age else "")
        voice = f"{member.voice.backend}:{member.voice.name}" if member.voice.name else "voice to be cast"
        aliases = f" (also {', '.join(member.aliases)})" if member.aliases else ""
        out.append(f"cast {member.name}{aliases}: {sex}, {age}, {voice}")
    return out
