"""The sizes of the files the last build wrote, measured on the other CPU while the build
goes on.

Before it keeps a page, a build checks that the file is still in `output/` as it was
written (its size): one stat per file, 14,500 of them at 10,000 articles (55 ms) and 133,000
at 100,000 (0.5 s), a third of a build with nothing to do. Nothing else a build does waits
on those stats until it decides, so they run in a child process forked as soon as the
manifest names the files: while this process scans content/ (another stat per file) and,
when something changed, loads, assembles and plans the site. The child does nothing but
the stats: no lock, no file but its pipe, no Python code of the build's.

Where a fork is unsafe (other threads are running: the preview server's; a system without
fork) the same stats run in this process when the sizes are asked for.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

MISSING = -1  # the size of a file that is not there (or cannot be looked at)
_SIZE = "q"  # a signed 64-bit number per file, in the pipe


class OutputSizes:
    """The size of each of `paths` (relative to `dest`), in their order; MISSING where
    there is none. Measured from when this is made; `sizes()` waits for the figures."""

    def __init__(self, dest: Path, paths: Sequence[str]) -> None:
        self._dest = dest
        self._paths = paths
        self._sizes: Sequence[int] | None = None
        self._child: int | None = None
        self._pipe: int | None = None
        if paths and _may_fork():
            self._fork()

    def sizes(self) -> Sequence[int]:
        if self._sizes is None:
            sizes = self._collect() if self._child is not None else None
            self._sizes = sizes if sizes is not None else _measure(self._dest, self._paths)
        return self._sizes

    def close(self) -> None:
        """Reap the child; one whose figures nobody will read (the build failed first) is
        stopped rather than waited for."""
        self._reap(stop=self._sizes is None)

    def _reap(self, stop: bool) -> None:
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        if self._child is not None:
            if stop:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self._child, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):  # reaped already
                os.waitpid(self._child, 0)
            self._child = None

    def _fork(self) -> None:
        read_end, write_end = os.pipe()
        try:
            child = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if child == 0:  # the child: it leaves by os._exit, whatever happens
            status = 1
            try:
                os.close(read_end)
                data = memoryview(_measure(self._dest, self._paths).tobytes())
                while data:
                    data = data[os.write(write_end, data) :]
                status = 0
            finally:
                os._exit(status)  # never the parent's code, its atexit or its buffers
        os.close(write_end)
        self._child, self._pipe = child, read_end

    def _collect(self) -> array | None:
        """The child's figures, or None if it failed (they are measured here instead)."""
        assert self._pipe is not None
        expected = len(self._paths) * array(_SIZE).itemsize
        chunks = []
        received = 0
        while received < expected:
            chunk = os.read(self._pipe, expected - received)
            if not chunk:
                break
            chunks.append(chunk)
            received += len(chunk)
        self._reap(stop=False)
        if received != expected:
            return None
        sizes = array(_SIZE)
        sizes.frombytes(b"".join(chunks))
        return sizes


@contextmanager
def output_sizes(dest: Path, paths: Sequence[str]) -> Iterator[OutputSizes]:
    """OutputSizes for the block, its child reaped at the end whatever happens."""
    measured = OutputSizes(dest, paths)
    try:
        yield measured
    finally:
        measured.close()


def _may_fork() -> bool:
    # Forking while other threads run can copy a lock some thread holds into the child,
    # where nobody will release it (see workers._map). Measured on Linux only.
    return sys.platform.startswith("linux") and threading.active_count() == 1


def _measure(dest: Path, paths: Sequence[str]) -> array:
    """Stat each file, relative to the open folder where the system allows (no path to
    join, a shorter lookup: a quarter less time over 14,000 files)."""
    sizes = array(_SIZE)
    try:
        descriptor = os.open(dest, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        sizes.extend([MISSING] * len(paths))
        return sizes
    try:
        if os.stat in os.supports_dir_fd:
            sizes.extend(_size(path, descriptor) for path in paths)
        else:
            sizes.extend(_size(os.path.join(dest, path), None) for path in paths)
    finally:
        os.close(descriptor)
    return sizes


def _size(path: str, folder: int | None) -> int:
    try:
        return os.stat(path, dir_fd=folder).st_size
    except OSError:
        return MISSING
