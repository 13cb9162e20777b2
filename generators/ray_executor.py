"""The Ray executor: generation jobs as Ray actor tasks, on a local instance or a cluster (extra `[ray]`).

Each batch (one backend's missing assets) gets a few actors, each holding its own copy of the backend, so a model
is loaded once per actor and kept across the calls it serves. An actor asks for what its backend declares
(`backend.resources()`: CPUs, a GPU, the jobs one call takes); a batch asks for as many actors as the cluster has
room for (never more than it has calls), and calls go only to actors that are up, each kept busy with up to two
calls queued, so a GPU never waits on the driver. An actor still waiting for room holds no call: batches that
compete for the same CPUs or GPUs cannot wait on each other, and a finished batch's actors are stopped, making
room for the next. Batches whose kinds do not depend on each other run at once (voices beside pictures); a movie
batch starts once the keyframes it is made from are stored.

Results come back to this process, the driver, which stores each in the content-addressed cache as it arrives
(`Batch.store`, the same step the local executor uses: a ready file then its record, each written atomically),
so a Ray build writes the same bytes as a local one, nothing half-written reaches the cache, and a driver
killed mid-build resumes from what it stored.

Faults: an actor whose worker process dies is restarted (on any node with room) and its calls are retried; a call
that raises is retried too. A job that fails `ATTEMPTS` times is reported with its asset kind, owner (shot or
line id) and reason, after every other job of the run has finished and been stored.

Workers import scriptkit as the driver does: a cluster's nodes need it installed, and see the files the jobs
name (the style reference, character references, the cache a movie reads its keyframe from) at the same paths.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from generators import Resources
from generators.executor import Batch, Planned, unique_jobs
from scriptkit.errors import ScriptkitError
from scriptkit.kinds import KINDS

#: Tries of a job before it is reported as failed (a killed worker counts as a try).
ATTEMPTS = 3
#: Calls queued on one actor at a time (one running, one waiting).
QUEUED = 2


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ScriptkitError(
            "--executor ray needs Ray, which is not installed", hint="run: pip install 'scriptkit[ray]'"
        ) from None
    return ray


class JobFailed(Exception):
    """A job's backend raised: which asset it was making and why (raised in a worker, read in the driver)."""

    def __init__(self, owner: str, reason: str) -> None:
        super().__init__(f"{owner}: {reason}")
        self.owner = owner
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return (JobFailed, (self.owner, self.reason))


class BackendWorker:
    """One copy of a backend in a worker process (a Ray actor): its model stays loaded across calls."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def generate(self, jobs: list[Any]) -> list[tuple[int, Any]]:
        """(position in `jobs`, result) for every job; a failure names the job it happened in."""
        where = {id(job): index for index, job in enumerate(jobs)}
        done: list[tuple[int, Any]] = []
        try:
            for job, result in self.backend.generate(jobs):
                done.append((where[id(job)], result))
        except Exception as exc:
            finished = {index for index, _ in done}
            failing = next((job for index, job in enumerate(jobs) if index not in finished), jobs[-1])
            reason = str(exc) if isinstance(exc, ScriptkitError) else f"{type(exc).__name__}: {exc}"
            raise JobFailed(getattr(failing, "owner", "?"), reason) from None
        return done


@dataclass
class _Call:
    """One call of a batch: the distinct jobs it runs and, for each, the planned items its result fills."""

    jobs: list[Any]
    items: list[list[Planned]]


@dataclass
class _Running:
    """A batch on the cluster: its actors, the calls still to send, and what failed."""

    batch: Batch
    actors: list[Any]
    todo: list[_Call]
    #: Calls queued on each actor that is up (an actor still waiting for room is not here).
    busy: dict[int, int] = field(default_factory=dict)
    pending: int = 0

    def kinds(self) -> set[str]:
        return {item.kind for item in self.batch.items}


class RayExecutor:
    """Runs batches on Ray: `with RayExecutor(address) as executor: generate_assets(..., executor=executor)`.

    Without `address` a local Ray instance is started at the first job to run (a build with everything cached
    starts none) and stopped on exit; with one ("HOST:PORT") the executor joins that cluster and leaves it as it
    was. A process already connected to Ray keeps its
    connection. Between runs (a season's episodes) the actors of the last batches to finish stay up, so the next
    episode's jobs for the same backend find its model loaded; any other idle actor is stopped as soon as a batch
    starts, so idle actors never hold resources a batch waits for."""

    def __init__(self, address: str | None = None, attempts: int = ATTEMPTS) -> None:
        self.address = address
        self.attempts = attempts
        self.connected_here = False
        #: Idle actors kept from the last run, by the digest of the backend they hold.
        self.idle: dict[str, list[Any]] = {}

    def __enter__(self) -> RayExecutor:
        import_ray()  # refused at once when Ray is not installed; started or joined at the first job
        return self

    def _connect(self) -> Any:
        ray = import_ray()
        if not ray.is_initialized():
            try:
                ray.init(
                    address=self.address or "local",
                    include_dashboard=False,
                    log_to_driver=False,
                    logging_level=logging.ERROR,
                )
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = f"the Ray cluster at {self.address}" if self.address else "a local Ray instance"
                raise ScriptkitError(f"cannot start or join {where}: {exc}".splitlines()[0]) from None
            self.connected_here = True
        return ray

    def __exit__(self, *exc: object) -> None:
        ray = import_ray()
        if ray.is_initialized():
            self._stop_idle(ray)
        if self.connected_here:
            ray.shutdown()
            self.connected_here = False

    # ------------------------------------------------------------------------------------------ run

    def run(self, batches: list[Batch], progress: Callable[[str], None]) -> None:
        waiting = [batch for batch in batches if batch.items]
        if not waiting:
            return  # everything is cached: no cluster needed
        ray = self._connect()
        running: list[_Running] = []
        calls: dict[Any, tuple[_Running, int, _Call]] = {}
        starting: dict[Any, tuple[_Running, int]] = {}  # an actor's "up" signal -> its batch and place
        failures: list[str] = []
        failed_kinds: set[str] = set()
        try:
            while waiting or running:
                ready = [b for b in waiting if self._ready(b, waiting, running)]
                for batch in ready:
                    waiting.remove(batch)
                ready = [b for b in ready if not self._needs(b) & failed_kinds]  # made from what failed: skipped
                kept = {id(batch): self.idle.pop(_digest(batch.backend), []) for batch in ready}
                self._stop_idle(ray)
                for batch in ready:
                    state = self._start(ray, batch, kept[id(batch)])
                    running.append(state)
                    starting.update({actor.__ray_ready__.remote(): (state, n) for n, actor in enumerate(state.actors)})
                for state in running:
                    self._feed(state, calls)
                if not calls and not starting:
                    if running or not waiting:
                        raise RuntimeError("a batch runs with no call and no actor starting")
                    continue
                [ref], _ = ray.wait([*calls, *starting], num_returns=1)
                if ref in starting:
                    state, actor = starting.pop(ref)
                    try:
                        ray.get(ref)
                    except Exception as exc:  # the backend cannot even be set up in a worker
                        failures += [self._failure(call, exc) for call in state.todo]
                        failed_kinds |= state.kinds()
                        state.todo = []
                    else:
                        state.busy.setdefault(actor, 0)
                else:
                    state, actor, call = calls.pop(ref)
                    state.busy[actor] -= 1
                    state.pending -= 1
                    try:
                        results = ray.get(ref)
                    except Exception as exc:  # the job failed every try, or its actor cannot be restarted
                        failures.append(self._failure(call, exc))
                        failed_kinds |= {items[0].kind for items in call.items}
                    else:
                        for index, result in results:
                            for item in call.items[index]:
                                item.cached = state.batch.store(item, result)
                                progress(item.kind)
                if state in running and not state.todo and not state.pending:
                    running.remove(state)
                    starting = {key: value for key, value in starting.items() if value[0] is not state}
                    last = not waiting and not running  # nothing waits for room: keep its model loaded
                    self._finish(ray, state, keep=last and not failures)
        finally:
            for state in running:
                self._finish(ray, state, keep=False)
        if failures:
            raise ScriptkitError("generation failed: " + "; ".join(failures))

    def _needs(self, batch: Batch) -> set[str]:
        return {dep for item in batch.items for dep in KINDS[item.kind].depends_on}

    def _ready(self, batch: Batch, waiting: list[Batch], running: list[_Running]) -> bool:
        """No batch still to run or running makes a kind this one is made from."""
        needs = self._needs(batch)
        unfinished = [{item.kind for item in other.items} for other in waiting if other is not batch]
        unfinished += [state.kinds() for state in running]
        return not any(needs & kinds for kinds in unfinished)

    def _resources(self, ray: Any, batch: Batch) -> Resources:
        wanted: Resources = batch.backend.resources()
        if wanted.gpus and not ray.cluster_resources().get("GPU", 0):
            return Resources(cpus=wanted.cpus, gpus=0.0, batch=wanted.batch)  # "auto" runs on the CPU
        return wanted

    def _start(self, ray: Any, batch: Batch, kept: list[Any]) -> _Running:
        need = self._resources(ray, batch)
        groups = unique_jobs(batch.items)
        size = max(1, need.batch)
        todo = [
            _Call([job for job, _ in groups[at : at + size]], [items for _, items in groups[at : at + size]])
            for at in range(0, len(groups), size)
        ]
        total = ray.cluster_resources()
        room = math.floor(total.get("CPU", 1) / need.cpus) if need.cpus else len(todo)
        if need.gpus:
            room = min(room, math.floor(total.get("GPU", 0) / need.gpus))
        actor_class = ray.remote(BackendWorker).options(
            num_cpus=need.cpus, num_gpus=need.gpus, max_restarts=-1, max_task_retries=self.attempts - 1
        )
        wanted = max(1, min(room, len(todo)))
        actors = kept + [actor_class.remote(batch.backend) for _ in range(wanted - len(kept))]
        return _Running(batch, actors, todo)

    def _feed(self, state: _Running, calls: dict[Any, tuple[_Running, int, _Call]]) -> None:
        """Queue calls on the actors that are up (each runs one and holds one more)."""
        for actor, queued in state.busy.items():
            while state.todo and queued < QUEUED:
                call = state.todo.pop(0)
                ref = state.actors[actor].generate.options(retry_exceptions=True).remote(call.jobs)
                calls[ref] = (state, actor, call)
                queued += 1
                state.pending += 1
            state.busy[actor] = queued

    def _finish(self, ray: Any, state: _Running, keep: bool) -> None:
        if keep:
            self.idle.setdefault(_digest(state.batch.backend), []).extend(state.actors)
        else:
            for actor in state.actors:
                ray.kill(actor)
        state.actors = []
        state.batch.backend.close()

    def _stop_idle(self, ray: Any) -> None:
        for actors in self.idle.values():
            for actor in actors:
                ray.kill(actor)
        self.idle = {}

    def _failure(self, call: _Call, exc: BaseException) -> str:
        kind = call.items[0][0].kind
        cause = getattr(exc, "cause", None) or exc
        if isinstance(cause, JobFailed):
            owners, reason = [cause.owner], cause.reason
        else:  # the worker died every try (killed, out of memory): the job is one of this call's
            owners = [items[0].owner for items in call.items]
            reason = f"its worker died ({type(exc).__name__})"
        return f"{kind} for {', '.join(owners)} failed {self.attempts} times: {reason}"


def _digest(backend: Any) -> str:
    """The backend's state as sent to an actor: an idle actor holding the same state serves it."""
    from ray import cloudpickle

    return hashlib.sha256(cloudpickle.dumps(backend)).hexdigest()
