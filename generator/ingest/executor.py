"""Where the import's tasks run: in this process, or on a Dask cluster. One interface, so that
the local and the distributed import are the same code and give the same files.

Tasks are plain functions of `tasks`. Cleaned pages are not task results: tasks store them
on disk and return small summaries, so neither the workers' memory nor the scheduler's
grows with the pages, and the coordinator fetches only the articles it is about to write.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, runtime_checkable

RETRIES = 3
STARTUP_SECONDS = 120
CLIENT_LOG_LENGTH = 20


def _connect(scheduler: str | None, workers: int | None, processes: bool) -> tuple[Any, Any]:
    """A client of the scheduler at `scheduler`, or of a local cluster started here."""
    import dask
    from dask.distributed import Client, LocalCluster  # loads Dask's defaults: set after

    # A Dask client keeps its last `low-level-log-length` messages (1,000) for debugging,
    # with the arguments of every task: ~5 MB of the coordinator's Python memory at 20,000
    # pages (tracemalloc), the largest part left once the pages were moved out.
    with dask.config.set({"distributed.admin.low-level-log-length": CLIENT_LOG_LENGTH}):
        if scheduler:
            return Client(scheduler, set_as_default=False), None
        if processes and os.name == "posix":
            cluster = _subprocess_cluster(workers or 1)
        else:
            cluster = LocalCluster(
                n_workers=workers or 1,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=":0",
                memory_limit=0,
            )
        client = Client(cluster, set_as_default=False)
    client.wait_for_workers(workers or 1, timeout=STARTUP_SECONDS)
    return client, cluster


def _subprocess_cluster(workers: int) -> Any:
    """A scheduler and N one-thread workers, each in a process of its own."""
    from distributed.deploy.subprocess import SubprocessCluster

    # The scheduler's stderr is a pipe nobody reads while it runs: keep it to errors, so a
    # long import cannot fill it and stall the scheduler.
    saved = os.environ.get(_SCHEDULER_LOGS)
    os.environ[_SCHEDULER_LOGS] = "error"
    try:
        return SubprocessCluster(
            n_workers=workers,
            threads_per_worker=1,
            dashboard_address=":0",
            worker_kwargs={"memory_limit": 0},
        )
    finally:
        if saved is None:
            del os.environ[_SCHEDULER_LOGS]
        else:
            os.environ[_SCHEDULER_LOGS] = saved


_SCHEDULER_LOGS = "DASK_LOGGING__DISTRIBUTED"


@runtime_checkable
class Executor(Protocol):
    """What the import needs of the place its tasks run. A handle is a result in the making:
    pass it to later tasks as an argument (it is replaced by its value there) or gather it."""

    workers: int

    def submit(self, function: Callable[..., Any], *args: Any, where: str | None = None) -> Any:
        """Run `function(*args)`; `where` names the worker that holds its inputs, if any."""
        ...

    def gather(self, handles: list[Any]) -> list[Any]:
        """The results of `handles`, in their order."""
        ...

    def stream(self, handles: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        """(position, result) as results arrive."""
        ...

    def share(self, value: Any) -> Any:
        """A handle to `value`, sent once to wherever tasks run."""
        ...

    def everywhere(self, function: Callable[..., Any], *args: Any) -> None:
        """Run `function(*args)` once in every worker process (for tidying their disks)."""
        ...

    def close(self) -> None:
        """Release the workers (a cluster started here is stopped)."""
        ...


class Handle:
    """A task's result held in this process (the local executor's future)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class LocalExecutor:
    """Runs every task at once, in this process, in submission order."""

    workers = 1

    def submit(self, function: Callable[..., Any], *args: Any, where: str | None = None) -> Handle:
        return Handle(function(*[_resolve(arg) for arg in args]))

    def gather(self, handles: list[Handle]) -> list[Any]:
        return [handle.value for handle in handles]

    def stream(self, handles: Iterable[Handle]) -> Iterator[tuple[int, Any]]:
        """(position, result) as results arrive; here, in order."""
        for position, handle in enumerate(handles):
            yield position, handle.value

    def share(self, value: Any) -> Handle:
        return Handle(value)

    def everywhere(self, function: Callable[..., Any], *args: Any) -> None:
        function(*args)

    def close(self) -> None:
        pass


def _resolve(arg: Any) -> Any:
    if isinstance(arg, Handle):
        return arg.value
    if isinstance(arg, (list, tuple)) and any(isinstance(item, Handle) for item in arg):
        return type(arg)(_resolve(item) for item in arg)
    return arg


class DaskExecutor:
    """Submits tasks to a Dask cluster: a scheduler's address, or a local cluster of N workers.

    Every task is retried (`retries`) when it fails or its worker dies; a lost result is
    recomputed by the scheduler from the tasks that made it.

    The local cluster runs its scheduler in a process of its own, as on a real cluster: a
    scheduler inside the coordinator (what LocalCluster does) keeps its per-task records,
    logs and monitors there, and competes with the coordinator for one interpreter. With
    `processes=False` (tests) scheduler and workers are threads of this process instead.
    """

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        processes: bool = True,
        retries: int = RETRIES,
    ) -> None:
        self._client, self._cluster = _connect(scheduler, workers, processes)
        self._retries = retries
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def submit(self, function: Callable[..., Any], *args: Any, where: str | None = None) -> Any:
        """`where`: the worker that stored the pages the task loads; it runs there if it can."""
        placement: dict[str, Any] = (
            {"workers": [where], "allow_other_workers": True} if where else {}
        )
        return self._client.submit(function, *args, retries=self._retries, pure=False, **placement)

    def gather(self, handles: list[Any]) -> list[Any]:
        return self._client.gather(handles)

    def stream(self, handles: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        from dask.distributed import as_completed

        futures = list(handles)
        position = {future.key: number for number, future in enumerate(futures)}
        for future in as_completed(futures, loop=self._client.loop):
            yield position[future.key], future.result()
            future.release()

    def share(self, value: Any) -> Any:
        """Send a value once to every worker (the tasks that need it find it there)."""
        [future] = self._client.scatter([value], broadcast=True, hash=False)
        return future

    def everywhere(self, function: Callable[..., Any], *args: Any) -> None:
        """Run a function once on every worker (not a task: for tidying up their disks)."""
        self._client.run(function, *args)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
