"""Content-hash caches under .newsdigest-cache/: parsed articles, what each output file was
made from, and the digest of each article file as last computed.

Keys are hashes of content, never modification times: an article's key covers its bytes,
its path in the project, the parse settings and the generator version; a page's fingerprint
covers the data it shows, the templates and the configuration. The stamps kept with the file
digests (see FileStamp and sources.py) only spare re-reading files that cannot have been
written since their digest was taken. A cache that cannot be read is simply ignored: it can
only make a build faster, never different.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .. import __version__
from ..core.layout import CACHE_DIR
from .article import Article
from .config import ParseSettings
from .site import Skipped

_FORMAT = 4  # bump when the pickled layout changes


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
    them are compared and unpickled in every build of a large archive).

    The change time cannot be set back by any tool (unlike the modification time, which
    `touch`, `cp -p` and `rsync -t` restore), and the inode number changes when an editor
    saves by replacing the file. (POSIX semantics: on Windows `st_ctime` is the creation
    time, but newsdigest's output lock already needs a POSIX system.)
    """

    inode: int
    size: int
    modified_ns: int
    changed_ns: int


@dataclass(frozen=True)
class KnownDigests:
    """Digests of article files as last computed, with the stamp each file had before it
    was read, under one digest scheme (see ArticleDigester.scheme)."""

    scheme: str
    files: Mapping[str, tuple[FileStamp, str]]  # by path in the project (Source.relative)


@dataclass(frozen=True)
class Manifest:
    """What the last successful build into an output folder was made from and wrote.

    `build_key` hashes every input (configuration, templates, static files, article bytes,
    options); while it is unchanged, `valid_until` has not passed (the first future article
    it left out) and the files are still there, the output is up to date as it is.
    """

    build_key: str
    valid_until: dt.datetime | None
    summary: tuple[int, int, int]  # articles, tags, editions
    skipped: tuple[Skipped, ...]
    records: Mapping[str, PageRecord]


@dataclass(frozen=True)
class PageRecord:
    """What an output file was rendered from (its fingerprint), its size when written, and
    the settings its render read (which its fingerprint covers; see incremental.py)."""

    fingerprint: str
    size: int
    settings: tuple[str, ...] = ()


def _load_pickle(path: Path) -> object | None:
    """A cached value, or None if it is missing or unreadable (a cache can only be ignored)."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (
        OSError,
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        TypeError,
        ValueError,
    ):
        return None


def _save_pickle(path: Path, value: object) -> None:
    """Write atomically, so a killed build leaves the old cache or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with temporary.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


class BuildCache:
    """Both caches of one project; `enabled=False` makes every lookup miss and saves nothing.

    Articles are kept in shards by digest, so that after editing one article only the
    shards it left and joined are written again, not the whole archive.
    """

    SHARDS = 64

    def __init__(self, root: Path, output: Path, enabled: bool = True) -> None:
        self.enabled = enabled
        self.folder = root / CACHE_DIR
        output_key = hashlib.blake2b(str(output.resolve()).encode(), digest_size=8).hexdigest()
        self._articles_dir = self.folder / f"articles-v{_FORMAT}"
        self._pages_path = self.folder / f"pages-{output_key}-v{_FORMAT}.pickle"
        self._digests_path = self.folder / f"digests-v{_FORMAT}.pickle"
        self._loaded_shards: dict[int, frozenset[str]] = {}

    def _shard_path(self, shard: int) -> Path:
        return self._articles_dir / f"{shard:02x}.pickle"

    @classmethod
    def _shard_of(cls, digest: str) -> int:
        return int(digest[:4], 16) % cls.SHARDS

    def load_articles(self) -> dict[str, Article]:
        """Parsed articles by digest, from the last build."""
        articles: dict[str, Article] = {}
        if not self.enabled:
            return articles
        for shard in range(self.SHARDS):
            loaded = _load_pickle(self._shard_path(shard))
            if isinstance(loaded, dict):
                articles.update(loaded)
                self._loaded_shards[shard] = frozenset(loaded)
        return articles

    def save_articles(self, articles: Mapping[str, Article]) -> None:
        """Keep exactly the articles of this build (deleted files drop out)."""
        if not self.enabled:
            return
        self._remove_other_formats()
        shards: list[dict[str, Article]] = [{} for _ in range(self.SHARDS)]
        for digest, article in articles.items():
            shards[self._shard_of(digest)][digest] = article
        for shard, content in enumerate(shards):
            if frozenset(content) != self._loaded_shards.get(shard, frozenset()):
                _save_pickle(self._shard_path(shard), content)
                self._loaded_shards[shard] = frozenset(content)

    def _remove_other_formats(self) -> None:
        """Delete caches an older (or newer) newsdigest wrote: this one can never read them,
        and at 100,000 articles they hold hundreds of megabytes."""
        for stale in [
            *self.folder.glob("articles-v*"),
            *self.folder.glob("pages-*-v*.pickle"),
            *self.folder.glob("digests-v*.pickle"),
        ]:
            version = stale.name.removesuffix(".pickle").rpartition("-v")[2]
            if not version.isdigit() or int(version) == _FORMAT:
                continue
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)

    def load_known_digests(self, scheme: str) -> Mapping[str, tuple[FileStamp, str]]:
        """The article files' digests last recorded under this scheme, by path in the project."""
        loaded = _load_pickle(self._digests_path) if self.enabled else None
        if isinstance(loaded, KnownDigests) and loaded.scheme == scheme:
            return loaded.files
        return {}

    def save_known_digests(self, known: KnownDigests) -> None:
        """Record the article files' digests, so that the next build need not read them."""
        if self.enabled:
            _save_pickle(self._digests_path, known)

    def load_manifest(self) -> Manifest | None:
        """What the last successful build into this output folder wrote, if known."""
        loaded = _load_pickle(self._pages_path) if self.enabled else None
        return loaded if isinstance(loaded, Manifest) else None

    def save_manifest(self, manifest: Manifest) -> None:
        """Record what this build's output files were made from."""
        if self.enabled:
            _save_pickle(self._pages_path, manifest)
