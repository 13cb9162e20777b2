"""A test image backend: the storyboard's pictures (same bytes, same cache keys), from a worker that can be made to
die once, fail one shot every time, go slowly, and log what it generates.

Options (none of them enters a cache key, so a run with them writes what a run without them writes):
`die_once` (a marker file: the first job that finds it missing creates it and kills its own process with
SIGKILL, as an out-of-memory killer would), `fail` (a shot id whose picture always raises), `delay` (seconds a
picture) and `log` (a file that gets a line `title:shot id` per picture made, `...:failed` per failure).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

from generators import ImageJob
from generators.storyboard import StoryboardImages, StoryboardOptions


class FragileOptions(StoryboardOptions):
    die_once: str = ""
    fail: str = ""
    delay: float = 0.0
    log: str = ""


class FragileImages(StoryboardImages):
    name = "storyboard"  # the storyboard's name and version: its keys, so its bytes compare with a plain run
    Options = FragileOptions

    def generate(self, jobs: list[ImageJob]) -> Iterator[tuple[ImageJob, bytes]]:
        for job in jobs:
            marker = self.options.get("die_once")
            if marker and not Path(marker).exists():
                Path(marker).write_text(f"{os.getpid()} {job.owner}\n")
                os.kill(os.getpid(), signal.SIGKILL)
            if job.owner == self.options.get("fail"):
                self._log(f"{job.title}:{job.owner}:failed")
                raise RuntimeError(f"out of memory drawing {job.owner}")
            time.sleep(float(self.options.get("delay", 0.0)))
            picture = self.render(job)
            self._log(f"{job.title}:{job.owner}")
            yield job, picture

    def _log(self, line: str) -> None:
        if self.options.get("log"):
            with open(self.options["log"], "a", encoding="utf-8") as log:
                log.write(line + "\n")
