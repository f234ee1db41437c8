"""One `fetch` at a time per project: a POSIX record lock, as the build holds on output/.

Record locks (fcntl.lockf) belong to the process and the kernel drops them when it dies, so
a fetch killed by cron's timeout or a reboot never leaves a stale lock behind; the file
records the holder's process id for the message the second run shows.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import UserError, diagnostic


@contextlib.contextmanager
def project_lock(path: Path, what: str) -> Iterator[None]:
    """Hold `path` locked while the block runs, or raise a UserError naming the holder."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        os.unlink(path)  # a symbolic link planted in its place: never write through it
        descriptor = os.open(path, flags | os.O_EXCL, 0o644)
    try:
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            who = f"process {holder} holds {path}" if holder.isdigit() else f"{path} is locked"
            raise UserError(
                [
                    diagnostic(
                        path,
                        None,
                        f"another {what} is running in this project",
                        f"{who}; this run changed nothing",
                    )
                ]
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock
