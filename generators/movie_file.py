"""Movie files with PyAV: probe a take, read its frames, fit it to a shot, write frames as H.264 MP4.

A take made elsewhere (`video: takes/sc-rooftop-002.mp4` on a shot) and a generated movie both end up as an
H.264 MP4 in `movies/`. A movie shorter than its shot is fitted (`--fit`):

- `hold` (the default): the last frame is held. The motion keeps its true speed and nothing repeats; a held
  frame is what an editor does by hand anyway, and the cut can be moved back into the real frames.
- `speed`: the frames are spread over the shot (slow motion; frames repeat evenly).
- `loop`: the take plays again from its start (only sensible for cyclic motion: rain, a flickering sign).

A fitted movie is `handle` frames of its first frame, the shot's frames, and `handle` frames of its last frame,
so the timeline places the take's first frame on the cut and the holds are handles for dissolves.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from scriptkit.errors import ScriptkitError

Fit = Literal["hold", "speed", "loop"]
FITS: tuple[Fit, ...] = ("hold", "speed", "loop")


@dataclass(frozen=True)
class MovieInfo:
    """What a movie file holds: its length in seconds and frames, its frame rate, size and whether it has sound."""

    seconds: float
    frames: int
    rate: Fraction
    width: int
    height: int
    has_audio: bool


def probe_movie(path: Path, owner: str = "") -> MovieInfo:
    """Probe a movie file; a missing or unreadable one is one ScriptkitError naming the shot and the file."""
    import av

    where = f"shot {owner}: " if owner else ""
    if not Path(path).is_file():
        raise ScriptkitError(f"{where}movie not found", path)
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ScriptkitError(f"{where}the file has no video stream", path)
            stream = container.streams.video[0]
            rate = Fraction(stream.average_rate or stream.guessed_rate or 0)
            frames = sum(1 for _ in container.demux(stream) if _.size)
            has_audio = bool(container.streams.audio)
            width, height = stream.codec_context.width, stream.codec_context.height
    except av.error.FFmpegError as exc:
        raise ScriptkitError(f"{where}not a readable movie ({exc.strerror or exc})", path) from None
    if rate <= 0 or frames == 0 or width <= 0:
        raise ScriptkitError(f"{where}the movie has no frames", path)
    return MovieInfo(float(frames / rate), frames, rate, width, height, has_audio)


def read_frames(path: Path) -> list[Any]:
    """Every decoded frame of the first video stream as an RGB numpy array."""
    import av

    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def resample(frames: list[Any], source_rate: Fraction, rate: Fraction) -> list[Any]:
    """The same span of time at `rate` (nearest earlier frame), at least one frame."""
    count = max(1, math.floor(len(frames) * rate / source_rate + Fraction(1, 1000)))
    return [frames[min(len(frames) - 1, math.floor(n * source_rate / rate))] for n in range(count)]


def fit_frames(frames: list[Any], shot: int, handle: int, fit: str) -> list[Any]:
    """A movie shorter than `shot` frames made into handle + shot + handle frames (see the module docstring)."""
    if len(frames) >= shot:
        return frames
    if fit == "speed":
        body = [frames[n * len(frames) // shot] for n in range(shot)]
    elif fit == "loop":
        body = [frames[n % len(frames)] for n in range(shot)]
    else:
        body = frames + [frames[-1]] * (shot - len(frames))
    return [body[0]] * handle + body + [body[-1]] * handle


def cover(picture: Any, width: int, height: int) -> Any:
    """An RGB array scaled and centre-cropped to exactly width x height."""
    import numpy as np
    from PIL import Image

    image = Image.fromarray(picture)
    if image.size == (width, height):
        return picture
    scale = max(width / image.width, height / image.height)
    size = (max(width, round(image.width * scale)), max(height, round(image.height * scale)))
    resized = image.resize(size, Image.Resampling.BICUBIC)
    left, top = (resized.width - width) // 2, (resized.height - height) // 2
    return np.asarray(resized.crop((left, top, left + width, top + height)))


def mp4_bytes(frames: list[Any], rate: Fraction, width: int, height: int) -> bytes:
    """RGB frames as an H.264 (yuv420p) MP4 at exactly `rate`, scaled to width x height (rounded down to even)."""
    import av

    width, height = width - width % 2, height - height % 2
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        # a constant quantizer and one x264 thread: crf's rate control made the bytes differ now and then
        options = {"qp": "18", "preset": "fast", "x264-params": "threads=1"}
        stream = container.add_stream("libx264", rate=rate, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1) / rate
        for n, picture in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(cover(picture, width, height), format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = n, stream.codec_context.time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()
