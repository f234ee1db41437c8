"""One writer at a time: the lock a build holds on its output folder and a fetch on its project.

POSIX record locks (fcntl.lockf) belong to a process: worker processes forked while one is
held do not inherit it, so a killed build's or fetch's lock is released by the kernel when
the process itself dies, whatever its workers do, and cron's timeout or a reboot never leaves
a stale lock. (flock locks belong to the open file, which workers share through fork: one
surviving worker kept every later build out.) Record locks are also released when the process
closes *any* descriptor of the file, and a process may take its own lock twice, so this module
keeps the locks this process holds and refuses a second one itself.

The lock file records the holder's process id, for the message the second run shows.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import UserError, diagnostic

# Lock files this process holds, by real path, and their descriptors.
_held: dict[str, int] = {}
_held_guard = threading.Lock()


def _forget_locks() -> None:
    """In a forked child: close the parent's lock descriptors (the child holds no lock,
    and no worker should be able to write the lock file)."""
    for descriptor in _held.values():
        with contextlib.suppress(OSError):
            os.close(descriptor)
    _held.clear()


os.register_at_fork(after_in_child=_forget_locks)


@contextlib.contextmanager
def exclusive_lock(path: Path, busy: Callable[[str], Exception]) -> Iterator[None]:
    """Hold `path` locked while the block runs. If another process (or this one) holds it,
    raise `busy(holder)`, where holder is the holder's process id ("" if unknown)."""
    key = os.path.realpath(path)
    with _held_guard:
        if key in _held:
            raise busy(str(os.getpid()))
        descriptor = _open_lock_file(key)
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EAGAIN):
                os.close(descriptor)
                raise
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            os.close(descriptor)
            raise busy(holder if holder.isdigit() else "") from None
        _held[key] = descriptor
    try:
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with _held_guard:
            del _held[key]
            os.close(descriptor)  # releases the lock


@contextlib.contextmanager
def project_lock(path: Path, what: str) -> Iterator[None]:
    """`exclusive_lock` for a command that works on the whole project (`what` names it, as
    in "another newsdigest fetch is running in this project")."""

    def busy(holder: str) -> UserError:
        who = f"process {holder} holds {path}" if holder else f"{path} is locked"
        return UserError(
            [
                diagnostic(
                    path,
                    None,
                    f"another {what} is running in this project",
                    f"{who}; this run changed nothing",
                )
            ]
        )

    with exclusive_lock(path, busy):
        yield


def _open_lock_file(path: str) -> int:
    """Open (or create) the lock file itself; a symbolic link planted there is removed."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(path, flags, 0o644)
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
    os.unlink(path)  # never write through a link
    return os.open(path, flags | os.O_EXCL, 0o644)
