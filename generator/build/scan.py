"""Finding and reading the article files under content/, with their content hashes.

Every build needs the content hash (digest) of every article file: it is the article
cache's key and part of the build key. Reading and hashing all of them is most of what an
unchanged 100,000-article archive costs, so a file whose stamp (inode, size, modification
and change times, see FileStamp) is exactly what it was when its digest was last computed
keeps that digest unread, as git's index does. The key is still the hash of the bytes; the
stamp only says the bytes cannot have been written since.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from ..core.errors import Diagnostics
from ..core.layout import CONTENT_DIR
from .article import MAX_ARTICLE_BYTES
from .cache import ArticleDigester, FileStamp, KnownDigests
from .config import display_path

# A stamp is remembered only once the file is this much older than the scan that read it:
# a file written again within the same tick of a coarse clock (FAT: 2 s, some network file
# systems: 1 s), at the same size, would otherwise keep the stamp of its first version.
SETTLE_NS = 2_000_000_000


# What a parser is given of an article file: its path, its path in the project (`content/...`),
# the path shown to users.
ArticleFile = tuple[str, str, str]


class Source(NamedTuple):
    """One article file: the path shown to users, its cache key and its stamp before it
    was read (if it was: a stamp that matched the last build's keeps that digest unread).
    A tuple: a frozen dataclass cost 1.5 us more to make, 150 ms of every build at 100,000.

    No bytes are kept: a cold build of 100,000 articles would hold all of them (hundreds
    of megabytes) until the end of parsing, in the parent of every worker. The files that
    must be parsed are read again where they are parsed (see read_article_file).

    `relative` (`content/...`, with `/`) names the file in caches, so that the same project
    built from another working directory, where `shown` differs, still finds them.
    """

    shown: str
    relative: str
    path: str
    digest: str
    stamp: FileStamp

    @property
    def file(self) -> ArticleFile:
        """The file as a parser is given it (see read_article_file)."""
        return (self.path, self.relative, self.shown)


class Scan(NamedTuple):
    """The article files found; how many of them had to be read, their stamp not being
    remembered as it is now (changed, new or renamed since the digests were kept, or only
    touched); and those whose bytes differ from what was remembered for their path."""

    sources: list[Source]
    read: int
    changed: list[Source]


def scan_sources(
    root: Path,
    digester: ArticleDigester,
    known: Mapping[str, tuple[FileStamp, str]] | None = None,
) -> Scan:
    """Every `*.md` under content/, sorted by path, with its digest.

    Files whose stamp is in `known` as it is now are not read. Hidden files and folders are
    skipped; symbolic links are refused, since they could pull in files from outside the
    project. Raises UserError listing every unreadable file.
    """
    content_dir = root / CONTENT_DIR
    problems = Diagnostics()
    if content_dir.is_symlink():
        problems.add(
            display_path(content_dir),
            None,
            "symbolic link not followed",
            "make content/ a real folder",
        )
        problems.raise_if_any()
    if not content_dir.is_dir():
        return Scan([], 0, [])
    # Paths are put together with f-strings rather than os.path.join: the same text for
    # these relative parts, without a call per file (a tenth of the scan at 100,000 files).
    found: list[tuple[str, str, str]] = []
    pending = [(str(content_dir), display_path(content_dir), CONTENT_DIR)]
    while pending:
        folder, shown_folder, relative_folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                if entry.is_symlink():  # answered from the directory listing: no extra syscall
                    problems.add(
                        f"{shown_folder}{os.sep}{name}",
                        None,
                        "symbolic link not followed",
                        "move the file into content/ instead",
                    )
                elif entry.is_dir():
                    pending.append(
                        (entry.path, f"{shown_folder}{os.sep}{name}", f"{relative_folder}/{name}")
                    )
                elif name.endswith(".md"):
                    found.append(
                        (f"{shown_folder}{os.sep}{name}", f"{relative_folder}/{name}", entry.path)
                    )
    found.sort()
    known = known or {}
    sources = []
    read = 0
    changed = []
    for shown, relative, path in found:
        try:
            # The stamp is taken before the bytes are read: a write in between leaves a
            # stamp older than the bytes, which only costs a read next time.
            status = os.stat(path, follow_symlinks=False)
            if not stat.S_ISREG(status.st_mode):
                raise _NotAnArticle("not a regular file (a pipe, socket or device?)")
            if status.st_size > MAX_ARTICLE_BYTES:
                raise _NotAnArticle(_TOO_LARGE)
            now = (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
            remembered = known.get(relative)
            if remembered is not None and remembered[0] == now:
                # The remembered stamp stands for this one: no new object per unchanged file.
                sources.append(Source(shown, relative, path, remembered[1], remembered[0]))
                continue
            stamp = FileStamp(*now)
            digest = digester(_read_bytes(path), relative)
        except _NotAnArticle as error:
            problems.add(shown, None, str(error))
            continue
        except OSError as error:
            problems.add(shown, None, f"cannot read file: {error.strerror or error}")
            continue
        source = Source(shown, relative, path, digest, stamp)
        sources.append(source)
        read += 1
        if remembered is None or remembered[1] != digest:
            changed.append(source)
    problems.raise_if_any()
    return Scan(sources, read, changed)


def read_article_file(path: str, relative: str, digester: ArticleDigester) -> tuple[bytes, str]:
    """An article file's bytes and their digest, read to be parsed (in a worker, if the
    build has a pool). The digest is that of the bytes actually read: a file written since
    the scan is parsed as it is now, and cached under its new digest. Raises OSError."""
    raw = _read_bytes(path)
    return raw, digester(raw, relative)


def settled_digests(sources: Sequence[Source], scheme: str, scan_started_ns: int) -> KnownDigests:
    """What to remember of this scan for the next one: the stamps and digests of the files
    that had not been written for SETTLE_NS when the scan began."""
    settled_before = scan_started_ns - SETTLE_NS
    return KnownDigests(
        scheme,
        {
            source.relative: (source.stamp, source.digest)
            for source in sources
            if source.stamp.modified_ns < settled_before
            and source.stamp.changed_ns < settled_before
        },
    )


# How many files the remembered digests may be behind on before they are written again.
# A file they are behind on (edited, added, renamed since) is read and hashed again by each
# scan, tens of microseconds; writing them is the whole record, 16 MB at 100,000 articles
# and about 0.2 s of an edit build at that size (the scan stage, 1.21 -> 1.00 s).
DIGESTS_BEHIND_AT_MOST = 64


def worth_remembering(scan: Scan, known: Mapping[str, tuple[FileStamp, str]]) -> bool:
    """Whether this scan's digests should replace the remembered ones: when nothing was
    remembered (or under other settings, which reads as nothing), or when the remembered
    ones are behind on more than DIGESTS_BEHIND_AT_MOST files: the files read (changed or
    new), and the files gone, whose entries would otherwise be kept for ever. Counted from
    the scan, without going through the files again: a build with nothing to do does
    little else."""
    if not known:
        return True
    matched = len(scan.sources) - scan.read
    return scan.read + len(known) - matched > DIGESTS_BEHIND_AT_MOST


_TOO_LARGE = f"file is larger than {MAX_ARTICLE_BYTES // 2**20} MiB"


class _NotAnArticle(Exception):
    """A file under content/ that is refused before its bytes are read."""


def _read_bytes(path: str) -> bytes:
    """The file's bytes through bare system calls, at most MAX_ARTICLE_BYTES + 1 of them.

    `open()` builds a Python file object per file; over the 10,000 files every build reads,
    that costs about a third of the whole scan. The type is checked again on the open file
    (the scan's stat came first): a pipe would block forever, and a file grown to 3 GB
    meanwhile is cut at the limit, which the parser then reports.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(0, "not a regular file")
        chunks = []
        left = MAX_ARTICLE_BYTES + 1
        while left > 0 and (chunk := os.read(descriptor, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(descriptor)
    return b"".join(chunks)
