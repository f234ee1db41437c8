"""Which of the files the last build wrote are no longer as it wrote them, found on the
other CPU while the build goes on.

Before it keeps a page, a build checks that the file is still in `output/` as it was
written (its size): one stat per file, 14,500 of them at 10,000 articles (55 ms) and 133,000
at 100,000 (0.5 s), a third of a build with nothing to do. Nothing else a build does waits
on those stats until it decides, so they run in a child process forked as soon as the
manifest names the files: while this process scans content/ (another stat per file) and,
when something changed, loads, assembles and plans the site. The child does nothing but
the stats and the comparison: no lock, no file but its pipe. Its answer is the positions
of the files not as written, usually none, so it fits the pipe at any archive size and
the child leaves as soon as it has answered (see forked.py).

Where a fork is unsafe (see forked.py) the same stats run in this process when the answer
is asked for.
"""

from __future__ import annotations

import itertools
import operator
import os
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .forked import ForkedCall

MISSING = -1  # the size of a file that is not there (or cannot be looked at)
# A position in the list of files, in the pipe: unsigned, 32 bits.
_POSITION = next(code for code in "IL" if array(code).itemsize == 4)


class OutputSizes:
    """Which of `paths` (relative to `dest`) are gone or of another size than `written`
    (the sizes the last build recorded, in the same order). Looked at from when this is
    made; `changed()` waits for the answer."""

    def __init__(self, dest: Path, paths: Sequence[str], written: Sequence[int]) -> None:
        if len(paths) != len(written):
            raise ValueError("one recorded size per path expected")
        self._dest = dest
        self._paths = paths
        self._written = written
        self._changed: frozenset[str] | None = None
        self._child = ForkedCall(lambda: self._positions().tobytes()) if paths else None

    def changed(self) -> frozenset[str]:
        """The paths not in `dest` at the size written (gone, or another size)."""
        if self._changed is None:
            answer = self._child.result() if self._child is not None else None
            positions = self._read(answer) if answer is not None else None
            if positions is None:  # no child, or it failed: looked at here
                positions = self._positions()
            self._changed = frozenset(self._paths[position] for position in positions)
        return self._changed

    def _positions(self) -> array:
        """The positions of the files not as written, in order."""
        sizes = _measure(self._dest, self._paths)
        return array(
            _POSITION,
            itertools.compress(itertools.count(), map(operator.ne, sizes, self._written)),
        )

    def _read(self, answer: bytes) -> array | None:
        """The child's positions; None if they are not what a child of this could send."""
        width = array(_POSITION).itemsize
        if len(answer) % width:
            return None
        positions = array(_POSITION, answer)
        if positions and positions[-1] >= len(self._paths):
            return None
        return positions

    def close(self) -> None:
        """Reap the child; one whose figures nobody will read (the build failed first) is
        stopped rather than waited for."""
        if self._child is not None:
            self._child.close()


@contextmanager
def output_sizes(dest: Path, paths: Sequence[str], written: Sequence[int]) -> Iterator[OutputSizes]:
    """OutputSizes for the block, its child reaped at the end whatever happens."""
    measured = OutputSizes(dest, paths, written)
    try:
        yield measured
    finally:
        measured.close()


def _measure(dest: Path, paths: Sequence[str]) -> array:
    """The size of each file, MISSING where there is none. Stat each file, relative to the open folder where the system allows (no path to
    join, a shorter lookup: a quarter less time over 14,000 files)."""
    sizes = array("q")  # signed: MISSING is -1
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
