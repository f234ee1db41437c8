"""The sizes of the files the last build wrote, measured on the other CPU while the build
goes on.

Before it keeps a page, a build checks that the file is still in `output/` as it was
written (its size): one stat per file, 14,500 of them at 10,000 articles (55 ms) and 133,000
at 100,000 (0.5 s), a third of a build with nothing to do. Nothing else a build does waits
on those stats until it decides, so they run in a child process forked as soon as the
manifest names the files: while this process scans content/ (another stat per file) and,
when something changed, loads, assembles and plans the site. The child does nothing but
the stats: no lock, no file but its pipe, no Python code of the build's.

Where a fork is unsafe (see forked.py) the same stats run in this process when the sizes
are asked for.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .forked import ForkedCall

MISSING = -1  # the size of a file that is not there (or cannot be looked at)
_SIZE = "q"  # a signed 64-bit number per file, in the pipe


class OutputSizes:
    """The size of each of `paths` (relative to `dest`), in their order; MISSING where
    there is none. Measured from when this is made; `sizes()` waits for the figures."""

    def __init__(self, dest: Path, paths: Sequence[str]) -> None:
        self._dest = dest
        self._paths = paths
        self._sizes: Sequence[int] | None = None
        self._child = ForkedCall(lambda: _measure(dest, paths).tobytes()) if paths else None

    def sizes(self) -> Sequence[int]:
        if self._sizes is None:
            answer = self._child.result() if self._child is not None else None
            if answer is not None and len(answer) == len(self._paths) * array(_SIZE).itemsize:
                self._sizes = array(_SIZE, answer)
            else:  # no child, or it failed: measured here
                self._sizes = _measure(self._dest, self._paths)
        return self._sizes

    def close(self) -> None:
        """Reap the child; one whose figures nobody will read (the build failed first) is
        stopped rather than waited for."""
        if self._child is not None:
            self._child.close()


@contextmanager
def output_sizes(dest: Path, paths: Sequence[str]) -> Iterator[OutputSizes]:
    """OutputSizes for the block, its child reaped at the end whatever happens."""
    measured = OutputSizes(dest, paths)
    try:
        yield measured
    finally:
        measured.close()


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
