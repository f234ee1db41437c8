"""Content-hash caches under .newsdigest-cache/: parsed articles, what each output file was
made from, and the digest of each article file as last computed.

Keys are hashes of content, never modification times: an article's key covers its bytes,
its path in the project, the parse settings and the generator version; a page's fingerprint
covers the data it shows, the templates and the configuration. The stamps kept with the file
digests (see FileStamp and scan.py) only spare re-reading files that cannot have been
written since their digest was taken.

The cache folder is not trusted: CI restores it from a shared cache, and anyone who can
write to the project can plant files in it. So it holds data only, never code: JSON (and,
for article bodies, raw bytes after a JSON header), read with `json.loads` and checked
value by value before use; nothing is unpickled or unmarshalled. A file that is missing,
truncated, foreign or tampered with is ignored (one warning line per build), deleted and
written again: a cache can never make a build run code or write outside output/. (A
well-formed forgery of the page records or data prints can make a build keep a page it
should have rendered again; `--no-cache`, or deleting the folder, rebuilds everything.)
Jinja's compiled templates (marshalled code objects) are kept outside the project, in a
folder only the user can write (see bytecode_folder).

How values are checked as they are read is cache_values.py; how an Article is spelt,
article_codec.py, loaded only by the builds that read or write articles.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import errno
import hashlib
import itertools
import json
import os
import shutil
import stat
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

try:  # optional (`pip install 'newsdigest[fast]'`): reads the same JSON about 2.5 times faster
    import orjson as _orjson
except ImportError:
    _orjson = None

from .. import __version__
from ..core.layout import CACHE_DIR
from .blobs import BlobFile
from .cache_values import (
    InvalidCache,
    all_of_type,
    read_number,
    read_optional_moment,
    read_pairs,
    read_text,
    read_text_lists,
    write_optional_moment,
)
from .config import ParseSettings, display_path
from .output import is_output_path
from .skipped import Skipped

if TYPE_CHECKING:
    from .article import Article
    from .site import Outline

T = TypeVar("T")
# The type code of the page tables' numbers: four bytes, as they are stored.
_U32 = next(code for code in "IL" if array(code).itemsize == 4)
STAMP_TYPE = "q"  # array type of the file stamps' numbers: nanoseconds, inode numbers, sizes
_FORMAT = 8  # bump when the layout of the files below changes (4 was pickled)
_MAGIC = "newsdigest-cache"


def _generator_fingerprint() -> str:
    """The version plus a hash of the build's own source code.

    A development checkout keeps its version number while its parsing changes; hashing the
    code (about 150 KB, read once per process) keeps such caches honest too.
    """
    hasher = hashlib.blake2b(f"{__version__}\0{_FORMAT}".encode(), digest_size=16)
    package = Path(__file__).resolve().parent.parent
    for layer in ("core", "build"):  # what a build runs (the importer and preview do not count)
        for path in sorted((package / layer).rglob("*.py")):
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


GENERATOR_FINGERPRINT = _generator_fingerprint()


class ArticleDigester:
    """The cache key of article files (bytes, path in the project) under one set of parse
    settings.

    The part every file shares is hashed once and copied: a build hashes every file it reads.
    `scheme` names that shared part, so keys remembered under other settings or another
    generator are never taken for these.
    """

    def __init__(self, settings: ParseSettings) -> None:
        self._shared = hashlib.blake2b(digest_size=20)
        self._shared.update(f"{GENERATOR_FINGERPRINT}\0{settings!r}\0".encode())
        self.scheme = self._shared.hexdigest()

    def __call__(self, raw: bytes, relative: str) -> str:
        hasher = self._shared.copy()
        hasher.update(f"{relative}\0".encode())
        hasher.update(raw)
        return hasher.hexdigest()


class FileStamp(NamedTuple):
    """What the kernel records of a file, all of which a write changes (a tuple: 100,000 of
    them are compared and loaded in every build of a large archive).

    The change time cannot be set back by any tool (unlike the modification time, which
    `touch`, `cp -p` and `rsync -t` restore), and the inode number changes when an editor
    saves by replacing the file. (POSIX semantics: on Windows `st_ctime` is the creation
    time, but newsdigest's output lock already needs a POSIX system.)
    """

    inode: int
    size: int
    modified_ns: int
    changed_ns: int


_STAMP_NUMBERS = len(FileStamp._fields)  # numbers per file in the digests table


@dataclass(frozen=True)
class KnownDigests:
    """Digests of article files as last computed, with the stamp each file had before it
    was read, under one digest scheme (see ArticleDigester.scheme).

    In columns, as the scan compares them (see scan.py): the files' paths in the project
    (Source.relative), their digests, and their stamps as one table of numbers, the fields
    of a FileStamp per file. At 100,000 files, making a FileStamp and a dictionary entry
    for each was 0.25 s of every build; the columns are compared whole.
    """

    scheme: str
    paths: Sequence[str]
    digests: Sequence[str]
    stamps: array  # _STAMP_NUMBERS numbers per file, in FileStamp's order

    def stamp_rows(self) -> list[tuple[int, ...]]:
        """The stamps, one tuple of FileStamp's fields per file (compare equal to one)."""
        return list(zip(*(iter(self.stamps),) * _STAMP_NUMBERS, strict=True))


@dataclass(frozen=True)
class Manifest:
    """What the last successful build into an output folder was made from and wrote.

    `build_key` hashes every input (configuration, templates, static files, article bytes,
    options); while it is unchanged, `valid_until` has not passed (the first future article
    it left out) and the files are still there, the output is up to date as it is.
    `config_key` hashes the part every page may depend on (generator, templates, catalogues,
    configuration; incremental.global_key): while it is unchanged, the templates and
    catalogues are the ones this build checked.
    """

    build_key: str
    config_key: str
    valid_until: dt.datetime | None
    summary: tuple[int, int, int]  # articles, tags, editions
    skipped: tuple[Skipped, ...]
    records: PageRecords


@dataclass(frozen=True)
class PrintIndex:
    """The data prints of the last build's pages, and which pages show each article, for
    one shape of the site (see pages.site_shape). While the shape holds, a build fingerprints
    again only the pages showing an article whose digest changed, and the rest keep their
    prints: at 100,000 articles, fingerprinting every page took seconds of every edit.

    Checked, as it is read, to fit together; `fits` says whether it is this site's.
    `build_key` is that of the manifest saved with it: where the two keys match, every
    record of that manifest was fingerprinted from these prints.
    """

    shape: str
    digests: tuple[str, ...]  # of the site's articles, in site order
    prints: tuple[bytes, ...]  # data prints of the planned pages, in plan order
    starts: array  # the pages showing article i are shown[starts[i]:starts[i + 1]]
    shown: array  # page numbers in plan order, article by article
    build_key: str = ""  # set when saved beside its manifest

    @classmethod
    def made(
        cls,
        shape: str,
        digests: tuple[str, ...],
        prints: tuple[bytes, ...],
        showing: list[list[int]],
    ) -> PrintIndex:
        """The index of a fingerprinting that noted, for each article, the pages showing it."""
        starts, shown = array(_U32, [0]), array(_U32)
        for pages in showing:
            shown.extend(pages)
            starts.append(len(shown))
        return cls(shape, digests, prints, starts, shown)

    def pages_of(self, article: int) -> Sequence[int]:
        """The pages (by position in the plan) whose inputs hold article number `article`."""
        return self.shown[self.starts[article] : self.starts[article + 1]]

    def fits(self, shape: str, articles: int, pages: int) -> bool:
        """Whether this index was made for a site of this shape and size."""
        return (
            self.shape == shape
            and len(self.digests) == articles
            and len(self.prints) == pages
            and len(self.starts) == articles + 1
        )


def tuples_of(kind: type[T], rows: Iterable[tuple[Any, ...]]) -> Iterator[T]:
    """NamedTuples of `kind` from rows holding every one of its fields, made with
    tuple.__new__ (what a NamedTuple's own __new__ calls) without a Python frame per row:
    every build of a large archive makes 100,000s of them. Defaults are not filled in."""
    return map(tuple.__new__, itertools.repeat(kind), rows)  # type: ignore[arg-type]


class PageRecord(NamedTuple):
    """What an output file was rendered from (its fingerprint), its size when written, and
    the settings its render read (which its fingerprint covers; see incremental.py).
    A tuple: every build of a large archive reads one per output file (133,000 at 100,000
    articles), and a frozen dataclass took three times as long to make."""

    fingerprint: str
    size: int
    settings: tuple[str, ...] = ()


class PageRecords(Mapping[str, PageRecord]):
    """The records of a build's output files, by path, kept in the columns they are stored
    in. A build with nothing to do needs only the paths and sizes (to check the files are
    as written) and how many pages were rendered; the record of each file, 136,000 tuples
    at 100,000 articles, is made the first time one is asked for."""

    __slots__ = ("paths", "sizes", "_fingerprints", "_settings", "_by_path")

    def __init__(
        self,
        paths: Sequence[str],
        fingerprints: Sequence[str],
        sizes: Sequence[int],
        settings: Sequence[tuple[str, ...]],
    ) -> None:
        self.paths = paths
        self.sizes = sizes
        self._fingerprints = fingerprints
        self._settings = settings
        self._by_path: dict[str, PageRecord] | None = None

    @classmethod
    def of(cls, records: Mapping[str, PageRecord]) -> PageRecords:
        """The records of a build, as it made them."""
        values = records.values()
        return cls(
            list(records),
            [record.fingerprint for record in values],
            [record.size for record in values],
            [record.settings for record in values],
        )

    def columns(
        self,
    ) -> tuple[Sequence[str], Sequence[str], Sequence[int], Sequence[tuple[str, ...]]]:
        """Paths, fingerprints, sizes and settings, one entry per file."""
        return self.paths, self._fingerprints, self.sizes, self._settings

    def lead_with(self, paths: Sequence[str]) -> bool:
        """Whether the first records are those of `paths`, in that order. A build whose
        pages are the last build's, in the same order, then finds a page's record at its
        position in the plan, without the dict of every record (0.2 s at 100,000 articles)."""
        return list(self.paths[: len(paths)]) == list(paths)

    def at(self, position: int) -> PageRecord:
        """The record at `position`, in the order the records were made."""
        return PageRecord(
            self._fingerprints[position], self.sizes[position], self._settings[position]
        )

    def patched(
        self, count: int, changed: Mapping[int, PageRecord], added: Mapping[str, PageRecord]
    ) -> PageRecords:
        """The first `count` records, with those at the positions in `changed` replaced,
        followed by those `added`: the records of a build whose pages lead these."""
        fingerprints = list(self._fingerprints[:count])
        sizes = list(self.sizes[:count])
        settings = list(self._settings[:count])
        for position, record in changed.items():
            fingerprints[position], sizes[position], settings[position] = record
        for record in added.values():
            fingerprints.append(record.fingerprint)
            sizes.append(record.size)
            settings.append(record.settings)
        return PageRecords([*self.paths[:count], *added], fingerprints, sizes, settings)

    def rendered(self) -> int:
        """How many of the files are pages (rendered, with a fingerprint), not static files."""
        return sum(map(bool, self._fingerprints))

    def _records(self) -> dict[str, PageRecord]:
        if self._by_path is None:
            rows = zip(self._fingerprints, self.sizes, self._settings, strict=True)
            self._by_path = dict(zip(self.paths, tuples_of(PageRecord, rows), strict=True))
        return self._by_path

    def __getitem__(self, path: str) -> PageRecord:
        return self._records()[path]

    def get(self, path: str, default: PageRecord | None = None) -> PageRecord | None:  # type: ignore[override]
        """The dictionary's own `get`: Mapping's would raise and catch a KeyError per page."""
        return self._records().get(path, default)

    def __contains__(self, path: object) -> bool:
        return path in self._records()

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


class _Stale(Exception):
    """A cache file an older or newer newsdigest wrote: of no use, but nothing wrong."""


# ---------------------------------------------------------------------------------------
# Files


def _same_articles(these: Mapping[str, Article], those: Mapping[str, Article]) -> bool:
    """The same digests, each the very same article (what a build reuses unchanged is the
    object it loaded; a new URL or display path is a new object)."""
    return these.keys() == those.keys() and all(
        these[digest] is article for digest, article in those.items()
    )


def _header(kind: str) -> str:
    return f"{_MAGIC} {_FORMAT} {kind} {GENERATOR_FINGERPRINT}"


class Contents(NamedTuple):
    """A cache file as read: its JSON document, and the bytes after it, as an open file
    and where they start and end (read on demand: see blobs.py)."""

    document: object
    file: BlobFile
    tail_start: int
    tail_end: int

    def tail(self) -> bytes:
        return self.file.read(self.tail_start, self.tail_end - self.tail_start)


_FIRST_READ = 1 << 14  # the header and, for most files, the whole document


def _read(path: Path, kind: str) -> Contents | None:
    """The JSON document of a cache file, and the file held open for the bytes after it,
    or None if there is none. Only the header and the document are read: the header says
    how long the document is (reading a shard's bodies with it, 256 KB a shard, was a
    quarter of loading the article cache).

    Raises InvalidCache for anything but what `_write` writes: another format, another kind of
    cache, a symbolic link, truncated or malformed JSON; _Stale for a file of this format
    that another version of the generator wrote.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise InvalidCache("a symbolic link") from None
        raise InvalidCache(error.strerror or str(error)) from None
    file = BlobFile(descriptor, 0)  # closes the descriptor when dropped
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise InvalidCache("not a regular file")
        file.size = status.st_size
        # The header line, then the JSON document on one line (JSON escapes newlines).
        data = os.pread(descriptor, _FIRST_READ, 0)
        first = data.find(b"\n")
        header = data[:first].split(b" ") if first >= 0 else []
        if len(header) != 5 or header[:3] != _header(kind).encode().split(b" ")[:3]:
            raise InvalidCache(f"not a newsdigest cache of format {_FORMAT}")
        if header[3] != GENERATOR_FINGERPRINT.encode():
            raise _Stale
        length = int(header[4]) if header[4].isdigit() and len(header[4]) < 20 else -1
        end = first + 1 + length  # where the document's newline is
        if length < 0 or end >= file.size:
            raise InvalidCache("truncated")
        if len(data) <= end:
            data += os.pread(descriptor, end + 1 - len(data), len(data))
    except OSError as error:
        raise InvalidCache(error.strerror or str(error)) from None
    if len(data) <= end or data[end] != ord("\n"):
        raise InvalidCache("truncated")
    try:
        document = _loads(data[first + 1 : end])
    except (ValueError, RecursionError) as error:  # ValueError: bad JSON, huge numbers
        raise InvalidCache(f"malformed: {error}") from None
    return Contents(document, file, end + 1, file.size)


def _loads(document: bytes) -> object:
    """JSON -> Python values, with orjson where it is installed (the article cache of
    10,000 articles: 28 ms rather than 67). What orjson refuses and the standard parser
    reads (integers beyond 64 bits, NaN, lone surrogates: values a front matter can hold)
    is read by the standard one, so the values never depend on what is installed."""
    if _orjson is not None:
        try:
            return _orjson.loads(document)
        except _orjson.JSONDecodeError:
            pass  # malformed JSON fails again below, with the standard parser's message
    return json.loads(document)


# The kinds of cache file whose documents hold texts, whole numbers and lists only: orjson
# writes them as the standard library would read them back. An article's front matter can
# hold floats, and orjson writes NaN and the infinities as null.
_WITHOUT_FLOATS = frozenset({"digests", "pages", "prints", "site"})


def _dumps(document: object, kind: str) -> bytes:
    """The document as one line of JSON: with orjson where it is installed and the kind
    allows (the manifest and print index of 100,000 articles, 35 MB, are written after every
    build); what orjson refuses (lone surrogates from undecodable file names, integers
    beyond 64 bits) and every other kind with the standard library, in ASCII (its C
    encoder's fast path, twice as fast as UTF-8 output)."""
    if _orjson is not None and kind in _WITHOUT_FLOATS:
        try:
            return _orjson.dumps(document)
        except _orjson.JSONEncodeError:
            pass
    return json.dumps(document, separators=(",", ":")).encode("ascii")


def _write(path: Path, kind: str, document: object, tail: bytes = b"") -> None:
    """Write atomically (a killed build leaves the old file or the new one, never half),
    and leave no temporary file behind when the disk is full."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = _dumps(document, kind)
    parts = [f"{_header(kind)} {len(text)}\n".encode("ascii"), text, b"\n", tail]
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        descriptor = os.open(
            temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644
        )
        try:
            for part in parts:
                view = memoryview(part)
                while view:
                    view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: running
        return True
    return True


def bytecode_folder() -> Path | None:
    """A folder for Jinja's compiled templates that only this user can write, or None.

    Compiled templates are marshalled code objects that Jinja executes when it loads them,
    so they must never come from the project (whose cache folder CI restores from shared
    storage) nor from a folder others can write: `$XDG_CACHE_HOME/newsdigest/jinja` (else
    `~/.cache/...`), created 0700, used only if it and its parent belong to this user, are
    real folders and are closed to group and others. Costs nothing when it cannot be used:
    templates are then compiled afresh (about 30 ms a build).
    """
    if not hasattr(os, "getuid"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(base):
            return None
    folder = Path(base) / "newsdigest"
    try:
        os.makedirs(base, 0o700, exist_ok=True)  # the XDG base folder, as the spec makes it
    except OSError:
        return None
    for part in (folder, folder / "jinja"):
        try:
            os.mkdir(part, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return None
        try:
            status = os.lstat(part)
        except OSError:
            return None
        if (
            not stat.S_ISDIR(status.st_mode)
            or status.st_uid != os.getuid()
            or status.st_mode & 0o077
        ):
            return None
    _forget_old_templates(folder / "jinja")
    return folder / "jinja"


_TEMPLATE_DAYS = 30


def _forget_old_templates(folder: Path) -> None:
    """Delete compiled templates written more than _TEMPLATE_DAYS ago.

    Files are keyed by generator version and base URL (see theme.create_environment), so
    upgrades and `serve` on new ports leave sets nobody loads again; one still in use is
    simply compiled and written again (30 ms, once).
    """
    cutoff = time.time() - _TEMPLATE_DAYS * 86400
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if (
                entry.name.endswith(".cache")
                and entry.stat(follow_symlinks=False).st_mtime < cutoff
            ):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


class BuildCache:
    """Both caches of one project; `enabled=False` makes every lookup miss and saves nothing.

    Articles are kept in shards by digest, so that after editing one article only the
    shards it left and joined are written again, not the whole archive: at 100,000
    articles, two files of 2.5 MB each with 256 shards (with 64, two of 10 MB, and their
    bodies read back first). Loading 256 small files instead of 64 larger ones costs a few
    milliseconds. `warn` is told,
    once per build at most, that a cache file was unusable and is being rebuilt.
    """

    SHARDS = 256

    def __init__(
        self,
        root: Path,
        output: Path,
        enabled: bool = True,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.enabled = enabled
        self.folder = root / CACHE_DIR
        self._warn = warn
        self._warned = False
        if enabled and self.folder.is_symlink():
            self.enabled = False
            self._warn_once(self.folder, "a symbolic link, not followed; building without it")
        output_key = hashlib.blake2b(str(output.resolve()).encode(), digest_size=8).hexdigest()
        self._articles_dir = self.folder / f"articles-v{_FORMAT}"
        self._pages_path = self.folder / f"pages-{output_key}-v{_FORMAT}"
        self._prints_path = self.folder / f"prints-{output_key}-v{_FORMAT}"
        self._output_key = output_key
        self._digests_path = self.folder / f"digests-v{_FORMAT}"
        self._outline_path = self.folder / f"site-v{_FORMAT}"
        # The articles of each shard file as it is: rewritten when they change (their URL or
        # the path they are shown with included, not only which articles it holds).
        self._loaded_shards: dict[int, Mapping[str, Article]] = {}

    @property
    def spill_folder(self) -> Path | None:
        """Where a build may keep the bodies it parses (see blobs.SpillFile): in the cache
        folder, on the project's disk, if the cache is in use."""
        return self.folder if self.enabled else None

    def _warn_once(self, path: Path, reason: str) -> None:
        if not self._warned and self._warn is not None:
            self._warn(f"{display_path(path)}: cache file ignored ({reason}); it is rebuilt")
        self._warned = True

    def _load(self, path: Path, kind: str) -> Contents | None:
        """A cache file's contents; an unusable file is reported, deleted and reads as none."""
        try:
            return _read(path, kind)
        except InvalidCache as problem:
            self._discard(path, str(problem))
        except _Stale:
            with contextlib.suppress(OSError):
                os.unlink(path)
        return None

    def _discard(self, path: Path, reason: str) -> None:
        self._warn_once(path, reason)
        with contextlib.suppress(OSError):
            os.unlink(path)  # the link itself, if it is one

    def _shard_path(self, shard: int) -> Path:
        return self._articles_dir / f"{shard:02x}"

    def load_articles(self) -> dict[str, Article]:
        """Parsed articles by digest, from the last build."""
        articles: dict[str, Article] = {}
        if not self.enabled:
            return articles
        from .article_codec import decode_shard

        for shard in range(self.SHARDS):
            path = self._shard_path(shard)
            loaded = self._load(path, "articles")
            if loaded is None:
                continue
            try:
                found = decode_shard(shard, self.SHARDS, *loaded)
            except InvalidCache as problem:
                self._discard(path, str(problem))  # gone: written again if it has articles
                continue
            articles.update(found)
            self._loaded_shards[shard] = found
        return articles

    def save_articles(self, articles: Mapping[str, Article]) -> None:
        """Keep exactly the articles of this build (deleted files drop out)."""
        if not self.enabled:
            return
        from .article_codec import encode_shard, shard_of

        self._remove_other_formats()
        shards: list[dict[str, Article]] = [{} for _ in range(self.SHARDS)]
        for digest, article in articles.items():
            shards[shard_of(digest, self.SHARDS)][digest] = article
        for shard, content in enumerate(shards):
            if _same_articles(content, self._loaded_shards.get(shard, {})):
                continue
            document, tail = encode_shard(content)
            _write(self._shard_path(shard), "articles", document, tail)
            self._loaded_shards[shard] = content

    def load_outline(self) -> Outline | None:
        """The outline of the site the last build assembled (see site.Outline), if known."""
        from .outline_codec import decode_outline

        return self._load_document(self._outline_path, "site", decode_outline)

    def save_outline(self, outline: Outline) -> None:
        """Keep the outline of the site this build assembled, for the next one."""
        if self.enabled:
            from .outline_codec import encode_outline

            _write(self._outline_path, "site", encode_outline(outline))

    def _remove_other_formats(self) -> None:
        """Delete caches an older (or newer) newsdigest wrote: this one can never read them
        (older ones were pickles, which must never be loaded), and at 100,000 articles they
        hold hundreds of megabytes. Compiled templates no longer live here at all. Also the
        temporary files of builds killed while writing (those of running builds stay)."""
        for temporary in [*self.folder.glob("*.tmp-*"), *self._articles_dir.glob("*.tmp-*")]:
            writer = temporary.name.rpartition(".tmp-")[2]
            if writer.isdigit() and not _running(int(writer)):
                with contextlib.suppress(OSError):
                    temporary.unlink()
        for stale in [
            *self.folder.glob("articles-v*"),
            *self.folder.glob("pages-*-v*"),
            *self.folder.glob("prints-*-v*"),
            *self.folder.glob("digests-v*"),
            *self.folder.glob("site-v*"),
            self.folder / "jinja",
        ]:
            version = stale.name.removesuffix(".pickle").rpartition("-v")[2]
            if version.isdigit() and int(version) == _FORMAT:
                continue
            if not version.isdigit() and stale.name != "jinja":
                continue
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    stale.unlink()

    def load_known_digests(self, scheme: str) -> KnownDigests | None:
        """The article files' digests last recorded under this scheme, if there are any."""
        loaded = self._load(self._digests_path, "digests") if self.enabled else None
        if loaded is None:
            return None
        document = loaded.document
        try:
            if type(document) is not list or len(document) != 4:
                raise InvalidCache("digests expected")
            if read_text(document[0]) != scheme:
                return None
            paths, digests = _all(str, document[1]), _all(str, document[2])
            numbers = _numbers(document[3], STAMP_TYPE)
            if not len(paths) == len(digests) == len(numbers) // _STAMP_NUMBERS:
                raise InvalidCache("file entries of different lengths")
            if len(numbers) % _STAMP_NUMBERS:
                raise InvalidCache("file stamps cut short")
        except InvalidCache as problem:
            self._discard(self._digests_path, str(problem))
            return None
        return KnownDigests(scheme, paths, digests, numbers)

    def save_known_digests(self, known: KnownDigests) -> None:
        """Record the article files' digests, so that the next build need not read them.
        In columns, the stamps as one table of numbers: read by every build, and at
        100,000 files the row per file took twice as long to read."""
        if self.enabled:
            document = [
                known.scheme,
                list(known.paths),
                list(known.digests),
                _number_text(known.stamps),
            ]
            _write(self._digests_path, "digests", document)

    def _load_document(self, path: Path, kind: str, decode: Callable[[object], T]) -> T | None:
        """A cache file's JSON document, decoded; an unusable one is discarded (None)."""
        loaded = self._load(path, kind) if self.enabled else None
        if loaded is None:
            return None
        try:
            return decode(loaded.document)
        except InvalidCache as problem:
            self._discard(path, str(problem))
            return None

    def load_manifest(self) -> Manifest | None:
        """What the last successful build into this output folder wrote, if known."""
        return self._load_document(self._pages_path, "pages", _decode_manifest)

    def has_manifest(self) -> bool:
        """Whether a build into this output folder was recorded, by this format or (from the
        file name alone: it is never read) by an older one such as the pickled formats."""
        return any(self.folder.glob(f"pages-{self._output_key}-v*"))

    def save_manifest(self, manifest: Manifest) -> None:
        """Record what this build's output files were made from."""
        if self.enabled:
            _write(self._pages_path, "pages", _encode_manifest(manifest))

    def load_print_index(self) -> PrintIndex | None:
        """The data prints of the last build into this output folder, and which pages show
        each article (see PrintIndex), if known."""
        return self._load_document(self._prints_path, "prints", _decode_print_index)

    def save_print_index(self, index: PrintIndex, manifest: Manifest) -> None:
        """Keep this build's data prints for the next build of the same shape, bound to
        the manifest saved with them."""
        if self.enabled:
            bound = dataclasses.replace(index, build_key=manifest.build_key)
            _write(self._prints_path, "prints", _encode_print_index(bound))

    def forget_output(self) -> None:
        """Drop what is recorded of builds into this output folder, even with the cache
        disabled: a build that writes there and then does not record it (`--no-cache`, or
        killed before saving) would leave the record wrong, and a later build trusting it
        would keep the pages of articles deleted in between, or call the site up to date.
        Without a record, the next build compares every page and walks the folder for files
        to remove."""
        if self.folder.is_symlink():
            return  # never followed, so never written through either
        for path in (self._pages_path, self._prints_path):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):  # none recorded
                os.unlink(path)


_PRINT_BYTES = 20  # blake2b digest size of a data print (incremental.Fingerprints)


def _number_text(numbers: array) -> str:
    """Whole numbers as base64 of their little-endian bytes (the cache may move between
    machines: a CI cache)."""
    little = array(numbers.typecode, numbers)
    if sys.byteorder == "big":
        little.byteswap()
    return base64.b64encode(little.tobytes()).decode("ascii")


def _numbers(value: object, typecode: str) -> array:
    """What _number_text wrote, as an array of `typecode`."""
    try:
        numbers = array(typecode, base64.b64decode(read_text(value), validate=True))
    except ValueError as error:  # bad base64, or not whole numbers of its item size
        raise InvalidCache(f"bad number table: {error}") from None
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def _encode_print_index(index: PrintIndex) -> object:
    """Prints and page tables as base64 of raw bytes: at 100,000 articles, a million
    numbers."""
    prints = base64.b64encode(b"".join(index.prints)).decode("ascii")
    return [
        index.shape,
        list(index.digests),
        prints,
        _number_text(index.starts),
        _number_text(index.shown),
        index.build_key,
    ]


def _decode_print_index(document: object) -> PrintIndex:
    if type(document) is not list or len(document) != 6:
        raise InvalidCache("print index expected")
    shape, digests, prints_text, starts_text, shown_text, build_key = document
    try:
        packed = base64.b64decode(read_text(prints_text), validate=True)
    except ValueError:
        raise InvalidCache("bad data prints") from None
    if len(packed) % _PRINT_BYTES:
        raise InvalidCache("bad data prints")
    prints = tuple(
        packed[start : start + _PRINT_BYTES] for start in range(0, len(packed), _PRINT_BYTES)
    )
    starts, shown = _numbers(starts_text, _U32), _numbers(shown_text, _U32)
    # Checked in bulk, not interned as read_text_lists would: one digest per article, none shared.
    if type(digests) is not list or not set(map(type, digests)) <= {str}:
        raise InvalidCache("article digests expected")
    digest_list = tuple(digests)
    if len(starts) != len(digest_list) + 1 or starts[0] != 0:
        raise InvalidCache("page table of the wrong size")
    if starts[-1] != len(shown) or any(a > b for a, b in itertools.pairwise(starts)):
        raise InvalidCache("page table out of order")
    if shown and max(shown) >= len(prints):
        raise InvalidCache("page number out of range")
    return PrintIndex(read_text(shape), digest_list, prints, starts, shown, read_text(build_key))


def _encode_manifest(manifest: Manifest) -> object:
    """In columns (paths, fingerprints, sizes, settings), each checked in one pass when
    read: a no-change build of a large archive does little else."""
    tables: dict[tuple[str, ...], int] = {}
    paths, fingerprints, sizes, settings = manifest.records.columns()
    return [
        manifest.build_key,
        manifest.config_key,
        write_optional_moment(manifest.valid_until),
        list(manifest.summary),
        [[item.source, item.reason] for item in manifest.skipped],
        list(paths),
        list(fingerprints),
        list(sizes),
        [tables.setdefault(read, len(tables)) for read in settings],
        [list(read) for read in tables],
    ]


def _all(kind: type, values: object) -> list[Any]:
    """`values` as a list of `kind` only."""
    if type(values) is not list or not all_of_type(kind, values):
        raise InvalidCache(f"list of {kind.__name__} expected")
    return values


def _decode_manifest(document: object) -> Manifest:
    if type(document) is not list or len(document) != 10:
        raise InvalidCache("manifest expected")
    build_key, config_key, valid_until, summary, skipped, *columns = document
    paths, fingerprints, sizes = _all(str, columns[0]), _all(str, columns[1]), _all(int, columns[2])
    indexes, tables = _all(int, columns[3]), _all(list, columns[4])
    settings = read_text_lists(tables)
    if not len(paths) == len(fingerprints) == len(sizes) == len(indexes) == len(set(paths)):
        raise InvalidCache("page records of different lengths")
    if indexes and not 0 <= min(indexes) <= max(indexes) < len(settings):
        raise InvalidCache("page settings out of range")
    # All paths in one text: the checks of is_output_path, at C speed.
    joined = "/" + "\n/".join(paths) + "\n"
    if paths and (
        joined.count("\n") != len(paths)
        or "/." in joined
        or "//" in joined
        or "/\n" in joined
        or "\0" in joined
    ):
        bad = next((path for path in paths if not is_output_path(path) or "\n" in path), "")
        raise InvalidCache(f"page path {bad!r} outside the output folder")
    if type(summary) is not list or len(summary) != 3:
        raise InvalidCache("summary expected")
    left_out = [
        Skipped(read_text(source), read_text(reason))
        for source, reason in read_pairs(skipped, "skipped article")
    ]
    records = PageRecords(paths, fingerprints, sizes, list(map(settings.__getitem__, indexes)))
    return Manifest(
        build_key=read_text(build_key),
        config_key=read_text(config_key),
        valid_until=read_optional_moment(valid_until),
        summary=(read_number(summary[0]), read_number(summary[1]), read_number(summary[2])),
        skipped=tuple(left_out),
        records=records,
    )
