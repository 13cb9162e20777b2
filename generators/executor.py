"""The executor seam: how planned generation jobs run.

`generators.run` plans every asset (kind, cache key, job, record), looks each up in the cache, and hands what is
missing to an executor as batches, one per backend: the backend, its jobs, and `store`, which puts a result into
the cache and returns its record. An executor may run batches however it likes (threads, processes, a cluster)
as long as it (1) runs a batch only after the batches of every kind it depends on (the main lane's order),
(2) calls `store(item, result)` for every item as its result arrives, in this process, (3) calls
`progress(kind)` after each stored item, and (4) closes each backend after its batch.

`LocalExecutor` (the default) runs the "background" lane (voices: piper works in subprocesses) in one thread
while the "main" lane (images, then movies, then cues and the music bed) runs here, in order.

`generators.executors.open_executor` gives the executor a build asked for (`--executor`, `--ray-address`); the Ray
executor lives in `generators.ray_executor` (extra `[ray]`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from scriptkit.models import Asset


@dataclass
class Planned:
    """One asset to have: where it goes, its key, the record to write, and the job to run when missing."""

    kind: str
    owner: str
    path: str
    suffix: str
    key: str
    record: Asset
    job: Any
    cached: Asset | None = None


@dataclass
class Batch:
    """The missing assets one backend makes (several kinds may share a backend: cues and the music bed)."""

    role: str
    lane: str
    backend: Any
    items: list[Planned]
    store: Callable[[Planned, Any], Asset]


class Executor(Protocol):
    def run(self, batches: list[Batch], progress: Callable[[str], None]) -> None: ...


def unique_jobs(items: list[Planned]) -> list[tuple[Any, list[Planned]]]:
    """Each distinct job once (items sharing a cache key share one job), with the items its result fills."""
    groups: dict[str, tuple[Any, list[Planned]]] = {}
    for item in items:
        groups.setdefault(item.key, (item.job, []))[1].append(item)
    return list(groups.values())


def run_batch(batch: Batch, progress: Callable[[str], None], stop: threading.Event) -> None:
    """Generate a batch in this thread: each distinct job once, storing every result as it arrives; stops early
    when `stop` is set."""
    groups = unique_jobs(batch.items)
    by_job = {id(job): items for job, items in groups}
    results: Iterator[tuple[Any, Any]] = batch.backend.generate([job for job, _ in groups])
    try:
        for job, result in results:
            for item in by_job[id(job)]:
                item.cached = batch.store(item, result)
                progress(item.kind)
            if stop.is_set():
                break
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()


class LocalExecutor:
    """Background-lane batches in one thread, main-lane batches in this one (see the module docstring)."""

    def run(self, batches: list[Batch], progress: Callable[[str], None]) -> None:
        stop = threading.Event()
        failure: list[BaseException] = []
        background = [b for b in batches if b.lane == "background" and b.items]
        main = [b for b in batches if b.lane != "background" and b.items]

        def worker() -> None:
            try:
                for batch in background:
                    run_batch(batch, progress, stop)
            except BaseException as exc:
                failure.append(exc)

        thread = threading.Thread(target=worker, name="scriptkit-background", daemon=True) if background else None
        if thread is not None:
            thread.start()
        try:
            for batch in main:
                run_batch(batch, progress, stop)
                batch.backend.close()
        except BaseException:
            stop.set()
            raise
        finally:
            if thread is not None:
                thread.join()
                for batch in background:
                    batch.backend.close()
        if failure:
            raise failure[0]
