"""Large article fields (the body's HTML, the search words) kept in files, not in memory.

At 100,000 articles the bodies and search words are most of what a build holds: about
700 MB, in the parent and, copied page by page as reference counts are written, in every
render worker forked from it. So a parsed article's large fields are written to a file as
soon as its parse result arrives, and each field becomes a Blob: which file, where, how
long. A page that shows a body reads it then, with one `pread` (no mapping, so nothing stays
resident in the process; the file's pages stay in the system's page cache, shared).

Blobs point into two kinds of files: the article cache's shard files (see cache.py), whose
bodies follow their JSON header, and a spill file of the bodies parsed in this build
(unlinked at once, so it disappears with the process). Both are opened once and read by
position, so forked workers share the descriptors, and a shard file the build replaces
stays readable through the descriptor opened on the old one.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path


class BlobFile:
    """An open file that Blobs point into; closed when the last Blob and owner let go."""

    __slots__ = ("_descriptor", "size", "__weakref__")

    def __init__(self, descriptor: int, size: int) -> None:
        self._descriptor = descriptor
        self.size = size  # bytes written (a spill file) or known to be there (a shard)

    def write(self, offset: int, data: bytes) -> None:
        """Write all of `data` at `offset` (only a spill file is written)."""
        written = 0
        while written < len(data):
            written += os.pwrite(self._descriptor, memoryview(data)[written:], offset + written)

    def read(self, offset: int, length: int) -> bytes:
        """`length` bytes at `offset`; raises OSError if the file no longer holds them (a
        shard truncated by hand while a build runs)."""
        data = os.pread(self._descriptor, length, offset)
        if len(data) != length:
            raise OSError(0, "article cache file truncated while the build ran")
        return data

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):  # AttributeError: no __init__
            os.close(self._descriptor)


class Blob:
    """Bytes of one large field, in a BlobFile (or, before they are spilled, held here).

    Compared and hashed by content, as the bytes they stand for would be: an Article is a
    value, and two parses of one file are equal wherever their bodies were written.
    """

    __slots__ = ("file", "offset", "length", "_held")

    def __init__(
        self, file: BlobFile | None, offset: int, length: int, held: bytes | None = None
    ) -> None:
        self.file = file
        self.offset = offset
        self.length = length
        self._held = held

    @classmethod
    def held(cls, data: bytes) -> Blob:
        """Bytes not written anywhere yet: a fresh parse (in a worker, or a test)."""
        return cls(None, 0, len(data), data)

    @property
    def is_held(self) -> bool:
        return self._held is not None

    def data(self) -> bytes:
        """The bytes (read from the file each time: callers use them and let go)."""
        if self._held is not None:
            return self._held
        assert self.file is not None
        return self.file.read(self.offset, self.length)

    def text(self) -> str:
        """The bytes as text (UTF-8; lone surrogates are kept as written)."""
        return self.data().decode("utf-8", "surrogatepass")

    def __len__(self) -> int:
        return self.length

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Blob):
            return NotImplemented
        return self.length == other.length and self.data() == other.data()

    def __hash__(self) -> int:
        return hash(self.data())

    def __repr__(self) -> str:
        return f"Blob({self.length} bytes)"

    def __reduce__(self) -> tuple[object, ...]:
        # Sent to another process (a parse result) as its bytes: a descriptor means nothing
        # there.
        return (Blob.held, (self.data(),))


class SpillFile:
    """Where the large fields of this build's fresh parses go, appended in order.

    Created on first use in `folder` (the cache folder, on disk: a temporary folder may be
    memory) and unlinked at once. Only the building process writes; workers forked later
    only read.
    """

    def __init__(self, folder: Path | None) -> None:
        self._folder = folder
        self._file: BlobFile | None = None
        self._lock = threading.Lock()  # `serve` builds in a thread; one writer at a time

    def put(self, blob: Blob) -> Blob:
        """The blob, written here if it is still held in memory."""
        if not blob.is_held:
            return blob
        data = blob.data()
        with self._lock:
            file = self._open()
            offset = file.size
            file.write(offset, data)
            file.size += len(data)
        return Blob(file, offset, len(data))

    def _open(self) -> BlobFile:
        if self._file is None:
            import tempfile  # here: a build that parses nothing never needs it (5 ms)

            folder = None
            if self._folder is not None:
                try:
                    self._folder.mkdir(parents=True, exist_ok=True)
                    folder = str(self._folder)
                except OSError:
                    folder = None
            with tempfile.TemporaryFile(prefix="spill-", dir=folder) as handle:
                # The descriptor outlives the Python file object: BlobFile owns a copy.
                self._file = BlobFile(os.dup(handle.fileno()), 0)
        return self._file
