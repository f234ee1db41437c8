"""Where the import's tasks run: in this process, or on a Dask cluster. One interface, so that
the local and the distributed import are the same code and give the same files.

Tasks are plain functions of `stages`; their results stay where they were computed (a Dask
worker's memory) until the coordinator asks for them, so only small summaries and the
articles to write travel to the coordinator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

RETRIES = 3


class Handle:
    """A task's result held in this process (the local executor's future)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class LocalExecutor:
    """Runs every task at once, in this process, in submission order."""

    workers = 1

    def submit(self, function: Callable[..., Any], *args: Any) -> Handle:
        return Handle(function(*[_resolve(arg) for arg in args]))

    def gather(self, handles: list[Handle]) -> list[Any]:
        return [handle.value for handle in handles]

    def stream(self, handles: Iterable[Handle]) -> Iterator[tuple[int, Any]]:
        """(position, result) as results arrive; here, in order."""
        for position, handle in enumerate(handles):
            yield position, handle.value

    def share(self, value: Any) -> Handle:
        return Handle(value)

    def close(self) -> None:
        pass


def _resolve(arg: Any) -> Any:
    if isinstance(arg, Handle):
        return arg.value
    if isinstance(arg, (list, tuple)) and any(isinstance(item, Handle) for item in arg):
        return type(arg)(_resolve(item) for item in arg)
    return arg


class DaskExecutor:
    """Submits tasks to a Dask cluster: a scheduler's address, or a LocalCluster of N workers.

    Every task is retried (`retries`) when it fails or its worker dies; a lost result is
    recomputed by the scheduler from the tasks that made it.
    """

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        processes: bool = True,
        retries: int = RETRIES,
    ) -> None:
        from dask.distributed import Client, LocalCluster

        self._cluster = None
        if scheduler:
            self._client = Client(scheduler, set_as_default=False)
        else:
            self._cluster = LocalCluster(
                n_workers=workers or 1,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=":0",
                memory_limit=0,
            )
            self._client = Client(self._cluster, set_as_default=False)
        self._retries = retries
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def submit(self, function: Callable[..., Any], *args: Any) -> Any:
        return self._client.submit(function, *args, retries=self._retries, pure=False)

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

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
