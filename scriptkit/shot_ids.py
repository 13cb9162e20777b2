"""Stable ids: scene ids from the scene number or location, never the scene's position; a shot's seed.

See `scriptkit.plan` for the rules (a shot id is its scene id plus a 3-digit index; lines and cues add
`-d1`, `-c1`); `scriptkit.contract.SHOT_ID` is the pattern readers recognise.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib

from scriptkit.models import Script

# --------------------------------------------------------------------------------------------- ids


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def romanize(text: str) -> str:
    """Chinese characters as toneless pinyin syllables between spaces ('老宅客厅' -> 'lao zhai ke ting'), via
    pypinyin; text without Chinese is returned as it is."""
    if not _HAN.search(text):
        return text
    from pypinyin import Style, lazy_pinyin

    return " ".join(lazy_pinyin(text, style=Style.NORMAL, errors="default"))


def slug(text: str, limit: int = 40) -> str:
    """ASCII slug: 'SUBWAY CAR' -> 'subway-car', '老宅客厅' -> 'lao-zhai-ke-ting'; empty when the text has no
    Latin letters, digits or Chinese characters."""
    folded = unicodedata.normalize("NFKD", romanize(text)).encode("ascii", "ignore").decode("ascii").lower()
    result = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(result) > limit:
        cut = result[:limit]
        result = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return result


def scene_ids(script: Script) -> list[str]:
    """Stable scene ids, one per `script.scenes` entry (see the module docstring)."""
    ids: list[str] = []
    seen: dict[str, int] = {}
    for scene in script.scenes:
        place = slug(scene.location)
        if not place:
            place = "loc-" + hashlib.sha1(scene.location.encode("utf-8")).hexdigest()[:6] if scene.location else "scene"
        number = slug(scene.number or "", 12)
        base = f"sc{number}-{place}" if number else f"sc-{place}"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def seed_for(shot_id: str) -> int:
    """The image seed of a shot: CRC-32 of its id, 31 bits (stable across runs, machines and Python versions)."""
    return zlib.crc32(shot_id.encode("utf-8")) & 0x7FFFFFFF
