"""A test movie backend: the keyframe held still for the job's length, encoded with PyAV (H.264).

It stands in for a real video model so the movie kind is tested end to end (plan, cache, executor, assets,
timeline) before one lands: a video backend is a module like this plus one line in MOVIE_BACKENDS.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from fractions import Fraction

from generators import BackendOptions, MovieGenerator, MovieJob, Params


class StillMovieOptions(BackendOptions):
    width: int = 64


class StillMovies(MovieGenerator):
    name = "still-movie"
    version = "1"
    Options = StillMovieOptions

    def params(self, job: MovieJob) -> Params:
        return {"width": int(self.options.get("width", 64))}

    def generate(self, jobs: list[MovieJob]) -> Iterator[tuple[MovieJob, bytes]]:
        import av
        import numpy as np
        from PIL import Image

        for job in jobs:
            width = int(self.options.get("width", 64)) // 2 * 2
            height = max(2, round(width * job.height / job.width) // 2 * 2)
            with Image.open(job.keyframe) as image:
                picture = np.asarray(image.convert("RGB").resize((width, height)))
            rate = Fraction(job.fps)
            buffer = io.BytesIO()
            with av.open(buffer, "w", format="mp4") as container:
                stream = container.add_stream("libx264", rate=rate)
                stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
                for _ in range(math.ceil(job.seconds * rate)):
                    container.mux(stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
                container.mux(stream.encode(None))
            yield job, buffer.getvalue()
