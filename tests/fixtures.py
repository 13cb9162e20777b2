"""Hand-made, deterministic test data that every test module can import (plain functions, not pytest fixtures).

- `sample_shotlist()`: a small episode with 3 scenes, 2 speaking characters, a sound cue, a fade in at the
  start and a fade out at the end, a dissolve, a wipe, a PRE-LAP (negative offset) and a V.O. line.
- `sample_assets(shotlist, media_dir)`: real small files for it (a solid-colour PNG per shot with the shot id
  in its name, a 48 kHz 16-bit mono tone WAV per dialogue line and per cue, a stereo music WAV) and
  media_dir/assets.json.
- `sample_timeline(tmp_path)`: both, assembled by `scriptkit.timeline.build_timeline`.

    from tests.fixtures import sample_timeline
    tl = sample_timeline(tmp_path, fps="29.97", drop_frame=True)
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
from hypothesis import strategies as st
from PIL import Image

from scriptkit.io import atomic_write_bytes, atomic_write_text
from scriptkit.models import Asset, Assets, DialogueLine, MusicBed, Shot, ShotList, SoundCue, Transition
from scriptkit.rates import parse_rate, rate_string

SAMPLE_RATE = 48_000
IMAGE_WIDTH = 64
#: Tone frequency (Hz) per character, so a listener or a test can tell who speaks.
CHARACTER_TONES = {"MAYA": 440.0, "LEO": 660.0}
TITLE = "Last Train"


def _shot(
    n: int,
    scene_index: int,
    scene_id: str,
    location: str,
    *,
    size: str = "medium",
    duration: float = 2.5,
    characters: tuple[str, ...] = (),
    action: str = "",
    line: int = 1,
    dialogue: tuple[tuple[str, str, float, float, tuple[str, ...]], ...] = (),
    cues: tuple[tuple[str, float, float], ...] = (),
    transition_in: Transition | None = None,
    transition_out: Transition | None = None,
    tags: tuple[str, ...] = (),
) -> Shot:
    shot_id = f"{scene_id}-{n:03d}"
    lines = [
        DialogueLine(
            id=f"{shot_id}-d{k + 1}",
            character=who,
            text=text,
            extensions=list(ext),
            line=line + 2 + 2 * k,
            offset=offset,
            duration=dur,
        )
        for k, (who, text, offset, dur, ext) in enumerate(dialogue)
    ]
    sound = [
        SoundCue(
            id=f"{shot_id}-c{k + 1}",
            word=word,
            description=f"The phone {word}." if word == "RINGS" else word,
            line=line,
            offset=offset,
            duration=dur,
        )
        for k, (word, offset, dur) in enumerate(cues)
    ]
    return Shot(
        id=shot_id,
        scene_index=scene_index,
        scene_id=scene_id,
        size=size,  # type: ignore[arg-type]
        duration=duration,
        characters=list(characters),
        int_ext="INT" if scene_index != 1 else "EXT",
        location=location,
        time_of_day="NIGHT",
        action=action,
        description=f"{size.replace('_', ' ')} of {', '.join(characters) or location.lower()}",
        dialogue=lines,
        cues=sound,
        transition_in=transition_in,
        transition_out=transition_out,
        tags=list(tags),
        prompt=f"{size.replace('_', ' ')} shot, {location.lower()}, {action}".strip(", "),
        negative_prompt="text, watermark",
        seed=1000 + 7 * n + 31 * scene_index,
        source_line=line,
    )


def _base_shots() -> list[Shot]:
    """The six hand-made shots (with every transition kind)."""
    return [
        _shot(
            1,
            0,
            "sc01-kitchen",
            "KITCHEN",
            size="wide",
            duration=3.0,
            action="A dark kitchen. A phone on the table.",
            line=5,
            cues=(("RINGS", 1.0, 1.0),),
            transition_in=Transition(kind="fade", duration=0.5, tag="fade_in", source_line=3),
            tags=("establishing",),
        ),
        _shot(
            2,
            0,
            "sc01-kitchen",
            "KITCHEN",
            size="close_up",
            duration=2.5,
            characters=("MAYA",),
            action="Maya stares at the phone.",
            line=8,
            dialogue=(("MAYA", "Who calls at this hour?", 0.2, 1.8, ()),),
        ),
        _shot(
            3,
            0,
            "sc01-kitchen",
            "KITCHEN",
            size="close_up",
            duration=2.0,
            characters=("LEO",),
            action="Leo in the doorway.",
            line=12,
            dialogue=(("LEO", "Don't answer it. Whoever it is can wait until morning.", 0.3, 2.6, ()),),
        ),
        _shot(
            1,
            1,
            "sc02-platform",
            "PLATFORM",
            size="wide",
            duration=3.0,
            characters=("MAYA",),
            action="An empty platform. The last train waits.",
            line=17,
            dialogue=(("MAYA", "I have to go.", -0.5, 1.5, ()),),
            transition_in=Transition(kind="dissolve", duration=1.0, tag="dissolve_to", source_line=16),
        ),
        _shot(
            2,
            1,
            "sc02-platform",
            "PLATFORM",
            size="medium",
            duration=2.5,
            characters=("MAYA",),
            action="Maya boards the train.",
            line=21,
            dialogue=(("LEO", "She never looked back. Not once.", 1.2, 2.0, ("V.O.",)),),
            tags=("vo",),
        ),
        _shot(
            1,
            2,
            "sc03-carriage",
            "CARRIAGE",
            size="medium_close",
            duration=3.0,
            characters=("MAYA",),
            action="Maya alone in the carriage.",
            line=26,
            transition_in=Transition(kind="wipe", duration=0.5, wipe="SMPTE_1", tag="wipe_to", source_line=25),
            transition_out=Transition(kind="fade", duration=1.0, tag="fade_to_black", source_line=30),
        ),
    ]


def _extra_shot(k: int) -> Shot:
    """More shots for long lists: plain cuts in scene 3, every other one with a line of dialogue."""
    who = "MAYA" if k % 2 else "LEO"
    dialogue = ((who, f"Line number {k}.", 0.1, 0.9, ()),) if k % 2 == 0 else ()
    return _shot(
        2 + k, 2, "sc03-carriage", "CARRIAGE",
        size="close_up" if k % 2 else "medium", duration=1.5 + 0.5 * (k % 3), characters=(who,),
        action=f"Beat {k}.", line=31 + 3 * k, dialogue=dialogue,
    )  # fmt: skip


def sample_shotlist(
    fps: str = "30",
    width: int = 1080,
    height: int = 1920,
    shots: int = 6,
    transitions: bool = True,
    drop_frame: bool = False,
) -> ShotList:
    """A deterministic shot list. `fps` may be '29.97', '30000/1001', '30'...; `shots` >= 1."""
    if shots < 1:
        raise ValueError("shots must be >= 1")
    base = _base_shots()
    items = base[:shots] + [_extra_shot(k) for k in range(max(0, shots - len(base)))]
    if transitions:  # the episode always ends on a fade to black
        fade = base[-1].transition_out
        items = [s.model_copy(update={"transition_out": None}) for s in items]
        items[-1] = items[-1].model_copy(update={"transition_out": fade})
    else:
        items = [s.model_copy(update={"transition_in": None, "transition_out": None}) for s in items]
    scene_durations: dict[str, float] = {}
    for shot in items:
        scene_durations[shot.scene_id] = round(scene_durations.get(shot.scene_id, 0.0) + shot.duration, 6)
    return ShotList(
        title=TITLE,
        source="sample.fountain",
        template="vertical-drama" if height > width else "widescreen",
        width=width,
        height=height,
        fps=rate_string(parse_rate(fps)),
        drop_frame=drop_frame,
        style_prompt="moody night, teal and amber",
        characters=["MAYA", "LEO"],
        shots=items,
        music=MusicBed(description="low strings", level_db=-18.0),
        scene_durations=scene_durations,
    )


# ------------------------------------------------------------------------------------------ media


def shot_colour(index: int) -> tuple[int, int, int]:
    """A distinct saturated colour per shot index (golden-ratio hue steps)."""
    hue = (index * 0.618033988749895) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.85, 0.35 + 0.6 * ((index * 0.37) % 1.0))
    return round(r * 255), round(g * 255), round(b * 255)


def png_bytes(colour: tuple[int, int, int], width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buf, format="PNG")
    return buf.getvalue()


def write_movie(path: Path, colours: list[tuple[int, int, int]], fps: int, width: int, height: int) -> Path:
    """An H.264 movie (PyAV) of one solid colour a frame, as an editor's B-roll or a generated take stands in."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for colour in colours:
            picture = np.full((height, width, 3), colour, np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        container.mux(stream.encode(None))
    return path


def wav_bytes(seconds: float, freq: float, channels: int = 1, level: float = 0.3) -> bytes:
    """48 kHz 16-bit PCM tone of exactly round(seconds * 48000) samples."""
    n = max(1, round(seconds * SAMPLE_RATE))
    t = np.arange(n, dtype=np.float64) / SAMPLE_RATE
    mono = (np.sin(2 * np.pi * freq * t) * level * 32767).astype("<i2")
    data = np.repeat(mono[:, None], channels, axis=1) if channels > 1 else mono
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(data.tobytes())
    return buf.getvalue()


def _asset(kind: str, rel: str, data: bytes, media_dir: Path, owner: str, **kw: object) -> Asset:
    atomic_write_bytes(media_dir / rel, data)
    digest = hashlib.sha256(data).hexdigest()
    return Asset(
        kind=kind,  # type: ignore[arg-type]
        path=rel,
        key=hashlib.sha256(f"fixture:{kind}:{owner}:{digest}".encode()).hexdigest(),
        sha256=digest,
        owner=owner,
        backend="fixture",
        **kw,  # type: ignore[arg-type]
    )


def sample_assets(shotlist: ShotList, media_dir: Path) -> Assets:
    """Write real small media for `shotlist` into `media_dir` (and assets.json); return the Assets record."""
    media_dir = Path(media_dir)
    assets = Assets(root=str(media_dir.absolute()))
    height = max(1, round(IMAGE_WIDTH * shotlist.height / shotlist.width))
    for index, shot in enumerate(shotlist.shots):
        assets.images[shot.id] = _asset(
            "image", f"images/{shot.id}.png", png_bytes(shot_colour(index), IMAGE_WIDTH, height), media_dir,
            shot.id, prompt=shot.prompt, seed=shot.seed, width=IMAGE_WIDTH, height=height,
        )  # fmt: skip
        for line in shot.dialogue:
            seconds = line.duration
            assets.voices[line.id] = _asset(
                "voice", f"voices/{line.id}.wav", wav_bytes(seconds, CHARACTER_TONES.get(line.character, 550.0)),
                media_dir, line.id, duration=round(seconds * SAMPLE_RATE) / SAMPLE_RATE, sample_rate=SAMPLE_RATE,
                channels=1,
            )  # fmt: skip
        for k, cue in enumerate(shot.cues):
            assets.cues[cue.id] = _asset(
                "cue", f"cues/{cue.id}.wav", wav_bytes(cue.duration, 1000.0 + 100.0 * k, level=0.2), media_dir,
                cue.id, duration=round(cue.duration * SAMPLE_RATE) / SAMPLE_RATE, sample_rate=SAMPLE_RATE, channels=1,
            )  # fmt: skip
    if shotlist.music is not None:
        seconds = shotlist.duration + 4.0
        assets.music = _asset(
            "music", "music/music-bed.wav", wav_bytes(seconds, 110.0, channels=2, level=0.1), media_dir,
            shotlist.music.id, duration=round(seconds * SAMPLE_RATE) / SAMPLE_RATE, sample_rate=SAMPLE_RATE,
            channels=2,
        )  # fmt: skip
    atomic_write_text(media_dir / "assets.json", assets.model_dump_json(indent=2) + "\n")
    return assets


def sample_media(tmp_path: Path, **kw: object) -> tuple[ShotList, Assets, Path]:
    """(shot list, assets, media folder) written under tmp_path/media; kw as for `sample_shotlist`."""
    shotlist = sample_shotlist(**kw)  # type: ignore[arg-type]
    media_dir = Path(tmp_path) / "media"
    shotlist = shotlist.model_copy(update={"media_dir": str(media_dir.absolute())})
    return shotlist, sample_assets(shotlist, media_dir), media_dir


#: A media folder name NLE writers must percent-encode (space, '#', '%', non-ASCII).
ODD_FOLDER = "my media #1 100% Ü"
#: (fps, drop_frame) of every rate the NLE writers are tested at.
RATES = [
    ("23.976", False),
    ("24", False),
    ("25", False),
    ("29.97", False),
    ("29.97", True),
    ("30", False),
    ("50", False),
    ("59.94", False),
    ("59.94", True),
    ("60", False),
]


def audio_cuts(tl) -> list[tuple[str, int, int]]:  # tl: otio.schema.Timeline
    """(clip name, start frame, frames) of every audio clip, track by track in track order."""
    import opentimelineio as otio

    out = []
    for track in tl.audio_tracks():
        position = 0
        for item in track:
            frames = round(item.duration().value)
            if isinstance(item, otio.schema.Clip):
                out.append((item.name, position, frames))
            position += frames
    return out


def sample_timeline(tmp_path: Path, **kw: object):  # -> otio.schema.Timeline
    """`sample_shotlist(**kw)` + `sample_assets` under tmp_path/media, assembled by `build_timeline`.

    Also accepts `dialogue_tracks="shared"`.
    """
    from scriptkit.timeline import build_timeline

    dialogue_tracks = kw.pop("dialogue_tracks", None)
    shotlist, assets, media_dir = sample_media(tmp_path, **kw)
    return build_timeline(shotlist, assets, media_dir, dialogue_tracks=dialogue_tracks)  # type: ignore[arg-type]


@st.composite
def picture_edits(
    draw: st.DrawFn, rates: tuple[str, ...] = tuple(dict.fromkeys(r for r, _ in RATES)), drop_frame: bool = True
):
    """Hypothesis: a shot list of 1-7 picture-only shots joined by random cuts, dissolves, wipes and fades (a fade
    in at the start and a fade out at the end now and then), at one of `rates`; drop-frame at 29.97/59.94 too
    when `drop_frame`. For the round trips of the picture-track writers."""
    fps = draw(st.sampled_from(rates))
    count = draw(st.integers(1, 7))
    base = sample_shotlist(fps=fps, shots=1, transitions=False)
    shots = []
    for n in range(count):
        duration = draw(st.floats(0.5, 5.0, allow_nan=False).map(lambda v: round(v, 2)))
        edge = draw(st.sampled_from(["cut", "cut", "dissolve", "wipe", "fade"])) if n else "cut"
        transition = None
        if edge != "cut":
            transition = Transition(kind=edge, duration=draw(st.sampled_from([0.2, 0.5, 1.0])), wipe="SMPTE_1")
        if n == 0 and draw(st.booleans()):
            transition = Transition(kind="fade", duration=0.5)
        shots.append(
            Shot(
                id=f"sc{n // 3 + 1:02d}-room-{n + 1:03d}",
                scene_index=n // 3,
                scene_id=f"sc{n // 3 + 1:02d}-room",
                duration=duration,
                source_line=10 + n,
                transition_in=transition,
                action=f"Beat {n}.",
            )
        )
    if draw(st.booleans()):
        shots[-1] = shots[-1].model_copy(update={"transition_out": Transition(kind="fade", duration=0.5)})
    drop = drop_frame and fps in ("29.97", "59.94") and draw(st.booleans())
    return base.model_copy(update={"shots": shots, "music": None, "scene_durations": {}, "drop_frame": drop})


def dialogue_clip_spans(tl: otio.schema.Timeline, rate: Fraction) -> dict[str, tuple[int, int, str]]:
    """Clip name -> (start ms, end ms, text) of every dialogue clip of our own timeline, computed independently
    of the writers from the track layout."""
    spans = {}
    for track in tl.audio_tracks():
        if track.metadata["scriptkit"].get("role") != "dialogue":
            continue
        for index, item in enumerate(track):
            if isinstance(item, otio.schema.Clip):
                rng = track.range_of_child_at_index(index)
                start = Fraction(round(rng.start_time.value)) / rate
                end = start + Fraction(round(rng.duration.value)) / rate
                spans[item.name] = (round(start * 1000), round(end * 1000), item.metadata["scriptkit"]["text"])
    return spans
