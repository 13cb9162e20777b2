"""The executors a build can name (`--executor local|ray`, `--ray-address HOST:PORT`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from generators.executor import Executor, LocalExecutor
from scriptkit.errors import ScriptkitError

#: The executors `--executor` names.
EXECUTORS = ("local", "ray")


@contextlib.contextmanager
def open_executor(name: str = "local", address: str | None = None) -> Iterator[Executor]:
    """The executor `name`, open for the block: Ray joins the cluster at `address` (HOST:PORT), or starts a local
    instance for the block and stops it after."""
    if name not in EXECUTORS:
        raise ScriptkitError(f"unknown --executor {name!r}; choose from {', '.join(EXECUTORS)}")
    if name == "local":
        if address:
            raise ScriptkitError("--ray-address needs --executor ray")
        yield LocalExecutor()
        return
    from generators.ray_executor import RayExecutor

    with RayExecutor(address) as executor:
        yield executor
