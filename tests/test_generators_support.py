"""Shared builders for the generator tests: small hand-made shot lists (no planner involved)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from scriptkit.models import DialogueLine, MusicBed, Shot, ShotList, SoundCue

ROOT = Path(__file__).resolve().parents[1]
STYLE = ROOT / "examples" / "style.png"


def tiny_shotlist(
    width: int = 270, height: int = 480, lines: tuple[str, ...] = ("Hold the doors!", "You're late.")
) -> ShotList:
    """Three shots, two speakers, two cues and a music bed, at a small size so tests stay fast."""
    shots = [
        Shot(
            id="sc01-platform-001",
            scene_index=0,
            scene_id="sc01-platform",
            size="wide",
            duration=2.0,
            characters=["MAYA"],
            int_ext="EXT",
            location="SUBWAY PLATFORM",
            time_of_day="NIGHT",
            action="A train HORN echoes from the tunnel.",
            cues=[SoundCue(id="sc01-platform-001-c1", word="HORN", line=5, duration=1.5)],
            source_line=5,
        ),
        Shot(
            id="sc01-platform-002",
            scene_index=0,
            scene_id="sc01-platform",
            size="close_up",
            move="push_in",
            duration=2.0,
            characters=["MAYA"],
            int_ext="EXT",
            location="SUBWAY PLATFORM",
            time_of_day="NIGHT",
            dialogue=[DialogueLine(id="sc01-platform-002-d1", character="MAYA", text=lines[0], line=8)],
            source_line=7,
        ),
        Shot(
            id="sc02-car-001",
            scene_index=1,
            scene_id="sc02-car",
            size="over_the_shoulder",
            duration=2.5,
            characters=["THEO", "MAYA"],
            int_ext="INT",
            location="SUBWAY CAR",
            time_of_day="CONTINUOUS",
            action="The doors SLAM shut behind her.",
            dialogue=[DialogueLine(id="sc02-car-001-d1", character="THEO", text=lines[1], line=14)],
            cues=[SoundCue(id="sc02-car-001-c1", word="SLAM", line=12, duration=0.8)],
            source_line=12,
        ),
    ]
    return ShotList(
        title="Tiny Test",
        template="vertical-drama",
        width=width,
        height=height,
        fps="30",
        characters=["MAYA", "THEO"],
        shots=shots,
        music=MusicBed(description="quiet pad"),
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size in a few bytes (a decompression bomb as Pillow sees it at open)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def test_tiny_shotlist_is_valid() -> None:
    shotlist = tiny_shotlist()
    assert [shot.id for shot in shotlist.shots] == ["sc01-platform-001", "sc01-platform-002", "sc02-car-001"]
    assert sum(len(shot.dialogue) for shot in shotlist.shots) == 2
    assert STYLE.is_file()
