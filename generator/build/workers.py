"""Process pools for the two expensive stages: parsing articles and rendering pages.

Work is cut into batches and mapped in order, so results (and therefore output) are the
same whatever the number of workers. Small workloads run in-process: starting a pool
costs more than it saves below a few hundred items.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..core.errors import Diagnostic, diagnostic
from .article import BLOB_FIELDS, Article, BrokenDraft, parse_article
from .blobs import SpillFile
from .cache import ArticleDigester
from .config import ParseSettings
from .forked import ForkedCall
from .incremental import SettingsReader, settings_names
from .scan import ArticleFile, read_article_file

if TYPE_CHECKING:
    import jinja2

    from .pages import Page, SiteView

MIN_ITEMS_PER_WORKER = 200
T = TypeVar("T")
R = TypeVar("R")


# At most this many items a batch: a batch's results arrive in the parent all at once (a
# quarter of a 100,000-article archive's parses were 90 MB at a time), and results that
# arrive ahead of their turn wait there.
MAX_BATCH = 250


def _batches(items: Sequence[T], workers: int) -> list[Sequence[T]]:
    # A few batches per worker balances uneven pages without much pickling overhead.
    size = min(MAX_BATCH, max(1, -(-len(items) // (workers * 4))))
    return [items[start : start + size] for start in range(0, len(items), size)]


def _map(
    function: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple[object, ...],
    progress: Callable[[int, int], None] | None = None,
    keep: Callable[[R], R] | None = None,
) -> list[R]:
    """`function` over `items` in batches; `keep` sees each result as its batch arrives
    and returns what to keep of it (so that a batch's bulk can be put away before the next
    one comes)."""
    workers = min(workers, len(items) // MIN_ITEMS_PER_WORKER)
    if threading.active_count() > 1:
        # Forking while other threads run (the preview server's) can copy a lock some thread
        # holds into the child, where nobody will release it: stay in this process.
        workers = 1
    if workers <= 1:
        initializer(*initargs)
        try:
            if progress is None and keep is None:
                return function(items)
            # In slices only to report progress and keep as they come: the results are the
            # same.
            results: list[R] = []
            step = max(1, len(items) // 100)
            for start in range(0, len(items), step):
                batch = function(items[start : start + step])
                results.extend(batch if keep is None else map(keep, batch))
                if progress is not None:
                    progress(len(results), len(items))
            return results
        finally:
            # This process is no worker: keeping the state would keep the whole Site alive
            # after the build (in `serve`, until the next one; at exit, 0.1-0.4 s of freeing).
            _clear_worker_state()
    _trim_heap()
    # Imported here: an incremental build rarely needs a pool, and these are ~30 ms of start-up.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the parent's data (the whole Site) without pickling it for each worker.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), initializer, initargs),
    ) as pool:
        results = []
        for batch_result in pool.map(function, _batches(items, workers)):
            results.extend(batch_result if keep is None else map(keep, batch_result))
            if progress is not None:
                progress(len(results), len(items))
        return results


def _trim_heap() -> None:
    """Give the C heap's free pages back to the system before forking workers.

    Memory Python frees (the parse pool's pickled batches and results, the scan's reads,
    the last build's site in `serve`) stays in the heap, resident, and every forked worker
    maps it too;
    glibc's malloc_trim releases the free pages, also those between live blocks. Elsewhere
    (another C library, another system) there is nothing to do.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # AttributeError: not glibc
            ctypes.CDLL(None).malloc_trim(0)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# The process that started this worker, while it is one (None in the main process).
_parent: int | None = None


def _start_worker(
    parent: int, initializer: Callable[..., None], initargs: tuple[object, ...]
) -> None:
    """First thing in every pool worker: die with the build that forked it.

    A worker that outlives a killed build would go on writing pages into the staging folder
    of the next build. On Linux the kernel is asked to SIGKILL the worker when its parent
    dies; elsewhere (and as a second guard) workers check their parent before each batch
    and each file they stage (see _orphaned). The parent may already be gone by the time
    the request is made: then the worker leaves at once.
    """
    global _parent
    _parent = parent
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no usable libc: the parent check remains
            pass
    if _orphaned():
        os._exit(1)
    initializer(*initargs)


def _orphaned() -> bool:
    """True in a worker whose build has died (it was adopted by another process)."""
    return _parent is not None and os.getppid() != _parent


Parsed = Article | BrokenDraft | list[Diagnostic]

# Per-process state of a worker, set once by the pool initializer (a worker handles many
# batches; sending this with every batch would pickle the whole Site over and over).
_parse_state: tuple[ParseSettings, ArticleDigester] | None = None
_render_state: tuple[SiteView, jinja2.Environment, Sink] | None = None


def _clear_worker_state() -> None:
    global _parse_state, _render_state
    _parse_state = _render_state = None


def _init_parse(settings: ParseSettings) -> None:
    global _parse_state
    _parse_state = (settings, ArticleDigester(settings))


def _parse_batch(batch: Sequence[ArticleFile]) -> list[Parsed]:
    assert _parse_state is not None
    settings, digester = _parse_state
    if _orphaned():
        os._exit(1)
    results: list[Parsed] = []
    for path, relative, shown in batch:
        try:
            raw, digest = read_article_file(path, relative, digester)
        except OSError as error:
            reason = f"cannot read file: {error.strerror or error}"
            results.append([diagnostic(shown, None, reason)])
            continue
        parsed = parse_article(raw, shown, settings)
        results.append(replace(parsed, digest=digest) if isinstance(parsed, Article) else parsed)
    return results


# At most this many files are parsed ahead: more is a job for the parse pool.
AHEAD_AT_MOST = MIN_ITEMS_PER_WORKER


class ParsedAhead:
    """The parse of the article files a scan had to read, begun in a forked child (see
    forked.py) as soon as the build knows something changed.

    An edit build parses the one file that changed, and that parse (Python-Markdown's
    import and start-up, about 30 ms, the same at any archive size) would wait until the
    article cache is loaded and compared. Those files are the ones whose stamps changed
    since the last scan, so they are known right after it: the child parses them while
    this process loads the theme, the print index and the cache. What the child parsed is
    what `_parse_batch` would give here (the same function, the same bytes: a file written
    meanwhile is parsed as it is when read, as in a pool). Files the cache turns out to
    hold are not asked for; if the child fails, they are parsed here.
    """

    def __init__(self, files: Sequence[ArticleFile], settings: ParseSettings) -> None:
        self._files = list(files)
        self._child = None
        if 0 < len(self._files) <= AHEAD_AT_MOST:
            self._child = ForkedCall(lambda: pickle.dumps(_parse_alone(self._files, settings)))

    def results(self) -> dict[ArticleFile, Parsed]:
        """What the child parsed, by file; empty if there was no child or it failed."""
        answer = self._child.result() if self._child is not None else None
        if answer is None:
            return {}
        # Bytes from this build's own child through a pipe, as a pool's results come.
        parsed = pickle.loads(answer)
        return dict(zip(self._files, parsed, strict=True))

    def close(self) -> None:
        if self._child is not None:
            self._child.close()


def _parse_alone(files: Sequence[ArticleFile], settings: ParseSettings) -> list[Parsed]:
    _init_parse(settings)
    return _parse_batch(files)


def parse_articles(
    pending: Sequence[ArticleFile],
    settings: ParseSettings,
    workers: int,
    spill: SpillFile,
    progress: Callable[[int, int], None] | None = None,
    ahead: ParsedAhead | None = None,
) -> list[Parsed]:
    """Read and parse article files, in order, on up to `workers` processes, taking those
    parsed `ahead` from there. A file that cannot be read gives its diagnostic. Each
    article's body and search words go to `spill` as it arrives, so that the bodies of the
    whole archive are never in memory at once."""

    def spilled(parsed: Parsed) -> Parsed:
        if not isinstance(parsed, Article):
            return parsed
        # A fresh object, owned here: setting its fields is cheaper than replace().
        for name in BLOB_FIELDS:
            object.__setattr__(parsed, name, spill.put(getattr(parsed, name)))
        # Tags, authors and publishers: the same few hundred names across the archive, one
        # string each (unpickling made one per article).
        object.__setattr__(parsed, "tags", tuple(map(sys.intern, parsed.tags)))
        object.__setattr__(parsed, "authors", tuple(map(sys.intern, parsed.authors)))
        object.__setattr__(parsed, "publisher", sys.intern(parsed.publisher))
        return parsed

    ready = ahead.results() if ahead is not None and pending else {}
    rest = [file for file in pending if file not in ready]
    parsed_here = iter(
        _map(_parse_batch, rest, workers, _init_parse, (settings,), progress, spilled)
    )
    return [spilled(ready[file]) if file in ready else next(parsed_here) for file in pending]


@dataclass(frozen=True)
class Rendered:
    """What happened to one output file: its size, whether the sink took new bytes, and the
    settings its render read (see incremental.py)."""

    path: str
    size: int
    staged: bool
    settings: tuple[str, ...]


class Sink(Protocol):
    """Where rendered bytes go: the build's staging folder, or nowhere for `check`. Called in
    worker processes, each for its own files."""

    def stage(self, path: str, data: bytes) -> bool:
        """Take one file's bytes; True if they differ from what is published."""
        ...


def _init_render(view: SiteView, environment: jinja2.Environment, sink: Sink) -> None:
    global _render_state
    _render_state = (view, environment, sink)


def _render_batch(batch: Sequence[Page]) -> list[Rendered]:
    # The page kinds (Jinja, feedgen, lxml) load when something is rendered, not with the
    # pipeline: a build with nothing to render never needs them.
    from .pages import render_page

    assert _render_state is not None
    view, environment, sink = _render_state
    config = view.site.config
    results = []
    for page in batch:
        reader = SettingsReader(config)
        data = render_page(view, reader, environment, page)  # type: ignore[arg-type]
        if _orphaned():  # the build that owns the staging folder is gone: write nothing
            os._exit(1)
        staged = sink.stage(page.path, data)
        results.append(Rendered(page.path, len(data), staged, settings_names(reader.read)))
    return results


# A render pool renders at most this many pages, then a fresh one takes over. A forked
# worker copies each memory page of the parent's whose reference counts it writes, and
# keeps what it caches; by the end of a 100,000-article build each of two workers held
# 350 MB of its own. Starting a pool costs a few tenths of a second.
PAGES_PER_POOL = 20_000


def render_pages(
    view: SiteView,
    environment: jinja2.Environment,
    pages: Sequence[Page],
    sink: Sink,
    workers: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Rendered]:
    """Render pages into the sink, in order, on up to `workers` processes."""
    results: list[Rendered] = []
    for start in range(0, len(pages), PAGES_PER_POOL):
        told = None if progress is None else _offset(progress, start, len(pages))
        part = pages[start : start + PAGES_PER_POOL]
        results.extend(
            _map(_render_batch, part, workers, _init_render, (view, environment, sink), told)
        )
    return results


def _offset(
    progress: Callable[[int, int], None], start: int, total: int
) -> Callable[[int, int], None]:
    """Progress within one pool's pages, told as progress through all of them."""
    return lambda done, _of: progress(start + done, total)
