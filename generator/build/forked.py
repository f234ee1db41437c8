"""Work handed to a forked child, to run on the other CPU while the build goes on.

A build is one process that does one stage after another; an incremental build has little
for a pool to do, so its second CPU sits idle. Some of its work needs nothing the stages
before it have not settled: the sizes of the last build's files (sizes.py), the parse of
the few article files an edit changed (workers.ParsedAhead). Such work runs in a child
forked as soon as its inputs are known, and hands back bytes through a pipe when the
build asks for them. The child writes no file and takes no lock; it leaves by `os._exit`,
never through the build's own code, its atexit handlers or its buffers.

Where a fork is unsafe (other threads are running: the preview server's; a system without
fork) no child is forked and the caller does the work itself, as it does when a child fails.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import struct
import sys
import threading
from collections.abc import Callable

_LENGTH = struct.Struct("<Q")  # the length of the child's answer, ahead of it in the pipe
# The pipe holds this much (where the system allows; 64 KB by default), so that a child
# whose answer fits leaves as soon as it is written, not when the build reads it: while a
# child lives, every memory page the build writes that the two still share is copied first.
_PIPE_BYTES = 1 << 20


def available_cpus() -> int:
    """CPUs this process may run on (respects container and affinity limits)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def may_fork() -> bool:
    """Forking while other threads run can copy a lock some thread holds into the child,
    where nobody will release it (see workers._map). Done on Linux only."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class ForkedCall:
    """`compute()`, called in a child forked when this is made (if forking is safe).

    `result()` waits for its bytes: None if there was no child or it failed, for the caller
    to compute them itself. `close()` reaps the child, stopping it first if nobody asked
    for its result (the build failed before it needed it).
    """

    def __init__(self, compute: Callable[[], bytes]) -> None:
        self._child: int | None = None
        self._pipe: int | None = None
        self._collected = False
        if may_fork():
            self._fork(compute)

    def result(self) -> bytes | None:
        if self._collected or self._pipe is None:
            return None
        self._collected = True
        header = _read_exactly(self._pipe, _LENGTH.size)
        answer = None
        if header is not None:
            answer = _read_exactly(self._pipe, _LENGTH.unpack(header)[0])
        self._reap(stop=False)
        return answer

    def close(self) -> None:
        self._reap(stop=not self._collected)

    def _fork(self, compute: Callable[[], bytes]) -> None:
        read_end, write_end = os.pipe()
        with contextlib.suppress(OSError, AttributeError):  # not Linux, or above the system's limit
            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
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
                answer = compute()
                data = memoryview(_LENGTH.pack(len(answer)) + answer)
                while data:
                    data = data[os.write(write_end, data) :]
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self._child, self._pipe = child, read_end

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


def _read_exactly(pipe: int, length: int) -> bytes | None:
    """`length` bytes from the pipe, or None if it closed first (the child died)."""
    chunks = []
    received = 0
    while received < length:
        chunk = os.read(pipe, min(length - received, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        received += len(chunk)
    return b"".join(chunks)
