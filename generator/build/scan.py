"""Finding and reading the article files under content/, with their content hashes.

Every build needs the content hash (digest) of every article file: it is the article
cache's key and part of the build key. Reading and hashing all of them is most of what an
unchanged 100,000-article archive costs, so a file whose stamp (inode, size, modification
and change times, see FileStamp) is exactly what it was when its digest was last computed
keeps that digest unread, as git's index does. The key is still the hash of the bytes; the
stamp only says the bytes cannot have been written since.
"""

from __future__ import annotations

import itertools
import operator
import os
import stat
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from ..core.errors import Diagnostics
from ..core.layout import CONTENT_DIR
from ..core.limits import MAX_ARTICLE_BYTES
from .cache import STAMP_TYPE, ArticleDigester, FileStamp, KnownDigests, tuples_of
from .config import display_path

# A stamp is remembered only once the file is this much older than the scan that read it:
# a file written again within the same tick of a coarse clock (FAT: 2 s, some network file
# systems: 1 s), at the same size, would otherwise keep the stamp of its first version.
SETTLE_NS = 2_000_000_000


# What a parser is given of an article file: its path, its path in the project (`content/...`),
# the path shown to users.
ArticleFile = tuple[str, str, str]


class Source(NamedTuple):
    """One article file: the path shown to users, its path in the project and on disk, and
    its cache key (its stamp is in Scan.stamps). A tuple: a frozen dataclass cost 1.5 us
    more to make, 150 ms of every build at 100,000.

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

    @property
    def file(self) -> ArticleFile:
        """The file as a parser is given it (see read_article_file)."""
        return (self.path, self.relative, self.shown)


class Scan(NamedTuple):
    """The article files found, and their stamps before they were read (FileStamp's fields,
    one row per source, in one table); how many of them had to be read, their stamp not
    being remembered as it is now (changed, new or renamed since the digests were kept, or
    only touched); and those whose bytes differ from what was remembered for their path."""

    sources: list[Source]
    stamps: array
    read: int
    changed: list[Source]


# A file's stamp from its status: FileStamp's fields, in its order.
_STAMP_OF = operator.attrgetter("st_ino", "st_size", "st_mtime_ns", "st_ctime_ns")
_MODE_OF = operator.attrgetter("st_mode")
_SIZE_OF = operator.attrgetter("st_size")
_MODIFIED = FileStamp._fields.index("modified_ns")
_CHANGED = FileStamp._fields.index("changed_ns")


def scan_sources(root: Path, digester: ArticleDigester, known: KnownDigests | None = None) -> Scan:
    """Every `*.md` under content/, sorted by path, with its digest.

    Files whose stamp is in `known` as it is now are not read. Hidden files and folders are
    skipped; symbolic links are refused, since they could pull in files from outside the
    project. Raises UserError listing every unreadable file.

    The files are looked at a column at a time: every status in one call, compared with
    the remembered stamps as whole lists. Only the files whose stamp differs (or that
    cannot be looked at) take a step of Python each; at 100,000 files the loop over each
    file was most of a build with nothing to do.
    """
    problems = Diagnostics()
    shown, relative, paths = _article_files(root, problems)
    statuses: Sequence[os.stat_result | None]
    rows: list[tuple[int, ...] | None]
    try:
        statuses = looked_at = list(map(os.lstat, paths))
        rows = list(map(_STAMP_OF, looked_at))
        every_file_looked_at = True
    except OSError:  # gone or unreadable since it was listed: each is looked at again below
        statuses = list(map(_status_or_none, paths))
        looked_at = [status for status in statuses if status is not None]
        rows = [None if status is None else _STAMP_OF(status) for status in statuses]
        every_file_looked_at = False
    acceptable = all(map(stat.S_ISREG, map(_MODE_OF, looked_at))) and (
        max(map(_SIZE_OF, looked_at), default=0) <= MAX_ARTICLE_BYTES
    )
    unread: Iterable[int]
    if acceptable and every_file_looked_at and known is not None and known.paths == relative:
        stamps = array(STAMP_TYPE, itertools.chain.from_iterable(rows))  # type: ignore[arg-type]
        if known.stamps == stamps:
            # Nothing added, removed, renamed or written since: every digest stands.
            return Scan(_sources(shown, relative, paths, known.digests), stamps, 0, [])
        # The same files, some written since (an edit): only those are read.
        remembered = list(known.digests)
        unread = _rows_differing(stamps, known.stamps, len(FileStamp._fields))
    else:
        remembered, was = _remembered(known, relative)
        fine = list(map(operator.eq, rows, was))
        if not acceptable:
            # Refused below, with the reason (a remembered stamp cannot vouch for them).
            fine = [
                same and stat.S_ISREG(status.st_mode) and status.st_size <= MAX_ARTICLE_BYTES
                for same, status in zip(fine, statuses, strict=True)
            ]
        unread = itertools.compress(itertools.count(), map(operator.not_, fine))
    sources = _sources(shown, relative, paths, remembered)
    changed = []
    read = 0
    for number in unread:
        taken = _take(shown[number], relative[number], paths[number], digester, problems)
        if taken is None:
            continue
        rows[number], digest = taken
        source = sources[number] = sources[number]._replace(digest=digest)
        read += 1
        if remembered[number] != digest:
            changed.append(source)
    problems.raise_if_any()
    stamps = array(STAMP_TYPE, itertools.chain.from_iterable(rows))  # type: ignore[arg-type]
    return Scan(sources, stamps, read, changed)


def _rows_differing(these: array, those: array, width: int) -> list[int]:
    """The numbers of the rows (of `width` numbers each) where two tables of the same size
    differ, in order. Found by halving: each step compares two stretches of bytes in C, so
    the few files an edit wrote among 100,000 cost a few hundred comparisons, not a tuple
    of its stamp per file (60 ms at that size)."""
    size = these.itemsize * width
    ours, theirs = these.tobytes(), those.tobytes()
    found = []
    pending = [(0, len(these) // width)]
    while pending:
        start, end = pending.pop()
        if ours[start * size : end * size] == theirs[start * size : end * size]:
            continue
        if end - start == 1:
            found.append(start)
        else:
            middle = (start + end) // 2
            pending += [(middle, end), (start, middle)]
    return found


def _sources(
    shown: list[str], relative: list[str], paths: list[str], digests: Sequence[str]
) -> list[Source]:
    """Sources from columns (at 100,000 files, a Source.__new__ call each was 0.1 s)."""
    return list(tuples_of(Source, zip(shown, relative, paths, digests, strict=True)))


def _article_files(root: Path, problems: Diagnostics) -> tuple[list[str], list[str], list[str]]:
    """The `*.md` files under content/, sorted: as shown, in the project, on disk.

    The walk notes only each file's path below content/ (`/2025/03/a.md`); the three forms
    are made from those afterwards, a list at a time (at 100,000 files, building them in
    the walk was two thirds of it). Paths are joined with `/`: newsdigest needs a POSIX
    system (see FileStamp), whose separator it is."""
    content_dir = root / CONTENT_DIR
    shown_root = display_path(content_dir)
    if content_dir.is_symlink():
        problems.add(shown_root, None, "symbolic link not followed", "make content/ a real folder")
        problems.raise_if_any()
    if not content_dir.is_dir():
        return [], [], []
    disk_root = str(content_dir)
    below: list[str] = []
    pending = [""]
    while pending:
        folder = pending.pop()
        with os.scandir(f"{disk_root}{folder}") as entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                if entry.is_symlink():  # answered from the directory listing: no extra syscall
                    problems.add(
                        f"{shown_root}{folder}/{name}",
                        None,
                        "symbolic link not followed",
                        "move the file into content/ instead",
                    )
                elif entry.is_dir():
                    pending.append(f"{folder}/{name}")
                elif name.endswith(".md"):
                    below.append(f"{folder}/{name}")
    below.sort()  # the order of the shown paths too: they all start with shown_root
    return (
        [shown_root + path for path in below],
        [CONTENT_DIR + path for path in below],
        [disk_root + path for path in below],
    )


def _remembered(
    known: KnownDigests | None, relative: list[str]
) -> tuple[list[str], list[tuple[int, ...]]]:
    """The remembered digest and stamp of each file, by position: "" and () if none (a
    stamp no file has, nor a file that cannot be looked at, whose stamp is None)."""
    if known is None or not known.paths:
        return [""] * len(relative), [()] * len(relative)
    rows = known.stamp_rows()
    if known.paths == relative:  # nothing added, removed or renamed since
        return list(known.digests), rows
    position = dict(zip(known.paths, range(len(rows)), strict=True))
    at = list(map(position.get, relative))
    digests = known.digests
    return (
        ["" if index is None else digests[index] for index in at],
        [() if index is None else rows[index] for index in at],
    )


def _status_or_none(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _take(
    shown: str, relative: str, path: str, digester: ArticleDigester, problems: Diagnostics
) -> tuple[tuple[int, ...], str] | None:
    """A file whose stamp is not remembered as it is: its stamp and digest, read now; None
    (and the reason in `problems`) if it cannot be an article."""
    try:
        # The stamp is taken before the bytes are read: a write in between leaves a stamp
        # older than the bytes, which only costs a read next time.
        status = os.stat(path, follow_symlinks=False)
        if not stat.S_ISREG(status.st_mode):
            raise _NotAnArticle("not a regular file (a pipe, socket or device?)")
        if status.st_size > MAX_ARTICLE_BYTES:
            raise _NotAnArticle(_TOO_LARGE)
        return _STAMP_OF(status), digester(_read_bytes(path), relative)
    except _NotAnArticle as error:
        problems.add(shown, None, str(error))
    except OSError as error:
        problems.add(shown, None, f"cannot read file: {error.strerror or error}")
    return None


def read_article_file(path: str, relative: str, digester: ArticleDigester) -> tuple[bytes, str]:
    """An article file's bytes and their digest, read to be parsed (in a worker, if the
    build has a pool). The digest is that of the bytes actually read: a file written since
    the scan is parsed as it is now, and cached under its new digest. Raises OSError."""
    raw = _read_bytes(path)
    return raw, digester(raw, relative)


def settled_digests(scan: Scan, scheme: str, scan_started_ns: int) -> KnownDigests:
    """What to remember of this scan for the next one: the stamps and digests of the files
    that had not been written for SETTLE_NS when the scan began."""
    settled_before = scan_started_ns - SETTLE_NS
    width = len(FileStamp._fields)
    modified, changed = scan.stamps[_MODIFIED::width], scan.stamps[_CHANGED::width]
    if max(modified, default=0) < settled_before and max(changed, default=0) < settled_before:
        kept = scan.sources  # all of them, as after any build but the first of an edit
        stamps = array(STAMP_TYPE, scan.stamps)
    else:
        numbers = list(
            itertools.compress(
                itertools.count(),
                [
                    was_modified < settled_before and was_changed < settled_before
                    for was_modified, was_changed in zip(modified, changed, strict=True)
                ],
            )
        )
        kept = [scan.sources[number] for number in numbers]
        stamps = array(
            STAMP_TYPE,
            itertools.chain.from_iterable(
                scan.stamps[number * width : (number + 1) * width] for number in numbers
            ),
        )
    return KnownDigests(
        scheme, [source.relative for source in kept], [source.digest for source in kept], stamps
    )


# How many files the remembered digests may be behind on before they are written again.
# A file they are behind on (edited, added, renamed since) is read and hashed again by each
# scan, tens of microseconds; writing them is the whole record, 16 MB at 100,000 articles
# and about 0.2 s of an edit build at that size (the scan stage, 1.21 -> 1.00 s).
DIGESTS_BEHIND_AT_MOST = 64


def worth_remembering(scan: Scan, known: KnownDigests | None) -> bool:
    """Whether this scan's digests should replace the remembered ones: when nothing was
    remembered (or under other settings, which reads as nothing), or when the remembered
    ones are behind on more than DIGESTS_BEHIND_AT_MOST files: the files read (changed or
    new), and the files gone, whose entries would otherwise be kept for ever. Counted from
    the scan, without going through the files again: a build with nothing to do does
    little else."""
    if known is None or not known.paths:
        return True
    matched = len(scan.sources) - scan.read
    return scan.read + len(known.paths) - matched > DIGESTS_BEHIND_AT_MOST


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
