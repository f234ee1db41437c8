"""One import, pass by pass (the tasks are in tasks.py, where they run in executor.py):

1. inputs: expand paths, scan WARC files into runs of records, cut everything into chunks;
2. pass 1 (tasks.first_pass): read and clean every page alone, into the store;
3. group the pages (dedupe.find_groups) and vote for the batch-wide signals (lines that
   recur on a site, other articles' headlines);
4. pass 2 (tasks.second_pass): clean again the pages those signals change, group again;
5. decide and write (decisions.Planner), group by group in input order, a window of
   groups' pages fetched at a time; report every decision (report.py).

The coordinator (this module) holds only numbers per page (signatures, group, date) and the
articles of the window it is writing; cleaned pages wait in the store on disk. Decisions
are made in input order, so `--dry-run` and a real run share every decision, and the same
input gives the same files however many workers cleaned it.
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from ..core.errors import Diagnostic
from ..core.layout import CACHE_DIR, CONTENT_DIR
from . import dedupe, readers, store, tasks
from .decisions import Candidate, Planner
from .dedupe import shingles
from .executor import Executor, LocalExecutor
from .inputs import document_chunks, expand_inputs, make_chunks, read_stdin, scan_warc
from .model import RawDocument
from .policy import Policy
from .report import Outcome
from .writer import ContentIndex, read_content

WINDOW = 512  # groups decided and written per round trip to the workers
CACHE_FOLDER = Path(CACHE_DIR) / "import"


def clean_batch(documents: Sequence[RawDocument], content: ContentIndex) -> list[Candidate]:
    """Clean pages held in memory with what the batch knows (for tests and library use)."""
    executor = LocalExecutor()
    folder = store.private_folder()
    try:
        view = executor.share(tasks.content_view(content))
        first = executor.submit(tasks.store_documents, documents, folder)
        signatures, tables = _clean(executor, [first], view, Outcome())
        [(state, found)] = executor.gather(
            [executor.submit(tasks.load_final, item.source, *tables) for item in signatures]
        )
    finally:
        store.drop(folder, temporary=True)
    return [
        Candidate(document, page, shingles(page.body))
        for document, page in zip(state.documents, found, strict=True)
    ]


def _stream_signatures(
    executor: Executor, handles: list[Any], outcome: Outcome, problems: list[tuple[int, Diagnostic]]
) -> list[tasks.Signatures]:
    """Collect small per-chunk summaries as they finish, in chunk order."""
    found: list[tasks.Signatures | None] = [None] * len(handles)
    for position, signatures in executor.stream(handles):
        problems.extend(signatures.problems)
        outcome.skipped.update(signatures.skipped)
        outcome.cleaned += signatures.cleaned
        found[position] = replace(signatures, problems=[], skipped=Counter())
    return [item for item in found if item is not None]


def _locator(signatures: Sequence[tasks.Signatures]) -> np.ndarray:
    """First page index of every chunk (page index -> chunk with searchsorted)."""
    sizes = [len(item.empty) for item in signatures]
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def _where(starts: np.ndarray, page: int) -> tuple[int, int]:
    chunk = int(np.searchsorted(starts, page, side="right")) - 1
    return chunk, page - int(starts[chunk])


Place = tuple[tasks.Piece | tasks.Final, str | None]  # a chunk's pages, and its worker


def _verifier(
    executor: Executor, places: list[Place], starts: np.ndarray, tables: tuple[Any, ...] = ()
) -> Callable[[list[tuple[int, int]]], list[bool]]:
    """Exact Jaccard of candidate pairs, computed on workers from the stored pages."""

    def verify(pairs: list[tuple[int, int]]) -> list[bool]:
        located = [(*_where(starts, a), *_where(starts, b)) for a, b in pairs]
        rows: dict[int, set[int]] = defaultdict(set)
        for a, row_a, b, row_b in located:
            rows[a].add(row_a)
            rows[b].add(row_b)
        picked: list[Any] = []
        for chunk, wanted in sorted(rows.items()):
            source, where = places[chunk]
            task = executor.submit(
                tasks.pick_shingles, source, sorted(wanted), *tables, where=where
            )
            picked += [chunk, task]
        [result] = executor.gather([executor.submit(tasks.jaccard_pairs, located, *picked)])
        return list(result)

    return verify


def _clean(
    executor: Executor,
    firsts: list[Any],
    view: Any,
    outcome: Outcome,
    problems: list[tuple[int, Diagnostic]] | None = None,
) -> tuple[list[tasks.Signatures], tuple[Any, Any, Any]]:
    """Pass 1 tasks in; the final pages' signatures and the batch tables out (the pages
    themselves stay in the store, where tasks given those tables find or remake them)."""
    problems = [] if problems is None else problems
    first = _stream_signatures(executor, firsts, outcome, problems)
    firsts.clear()  # the caller's list too: pass 1's results are all in `first` now
    starts = _locator(first)
    places: list[Place] = [(item.source, item.where) for item in first]
    groups = _groups(first, _verifier(executor, places, starts))
    del first
    partitions = max(1, min(16, 2 * executor.workers))
    slices = [groups[starts[n] : starts[n + 1]] for n in range(len(places))]
    voted = [
        executor.submit(tasks.votes, piece, part, partitions, where=where)
        for (piece, where), part in zip(places, slices, strict=True)
    ]
    reduced_tables = []
    for which, reduce in ((0, tasks.recurring_keys), (1, tasks.title_table)):
        reduced = [
            executor.submit(
                reduce, *[executor.submit(tasks.part, item, which, number) for item in voted]
            )
            for number in range(partitions)
        ]
        reduced_tables.append(executor.submit(tasks.merge_sorted, *reduced))
    del voted
    recurring, titles = reduced_tables
    signatures = _stream_signatures(
        executor,
        [
            executor.submit(tasks.second_pass, piece, part, recurring, titles, view, where=where)
            for (piece, where), part in zip(places, slices, strict=True)
        ],
        outcome,
        problems,
    )
    return signatures, (recurring, titles, view)


def import_pages(
    paths: list[str],
    root: Path,
    executor: Executor,
    *,
    fmt: str = "auto",
    extra_tags: Sequence[str] = (),
    force: bool = False,
    dry_run: bool = False,
    cache: bool = True,
    policy: Policy | None = None,
    documents: Sequence[RawDocument] = (),
    out: TextIO,
    err: TextIO,
) -> Outcome:
    """The whole import: read, clean, merge, decide and write, reporting as it goes.

    `documents` are pages already in memory (fetched ones), imported after `paths`.
    """
    outcome = Outcome()
    max_bytes = readers.MAX_INPUT_BYTES
    [(inputs, expanded)] = executor.gather([executor.submit(expand_inputs, paths, fmt)])
    problems: list[tuple[int, Diagnostic]] = [(-2, item) for item in expanded]
    stdin = None
    if any(item.path is None for item in inputs):
        data = read_stdin(max_bytes)
        if isinstance(data, Diagnostic):
            problems.append((-2, data))
            inputs = [item for item in inputs if item.path is not None]
        else:
            stdin = data
    warcs = sorted({item.path for item in inputs if item.kind == "warc" and item.path})
    outcome.warc = bool(warcs)
    runs: dict[str, list[tuple[int, int]]] = {}
    for path, (found, problem) in zip(
        warcs, executor.gather([executor.submit(scan_warc, path) for path in warcs]), strict=True
    ):
        runs[path] = found
        if problem is not None:
            problems.append((-1, problem))
    chunks = make_chunks(inputs, runs, fmt, stdin, max_bytes)
    chunks += document_chunks(list(documents), len(chunks), fmt, max_bytes)
    del stdin
    content = read_content(root / CONTENT_DIR)
    view = executor.share(tasks.content_view(content))
    # Where cleaned pages wait: the cache (kept, so that a re-run resumes), or a private
    # folder of this import's own when the cache is not to be used or updated.
    temporary = dry_run or not cache
    folder = store.private_folder() if temporary else str((root / CACHE_FOLDER).resolve())
    finished = False
    try:
        firsts = [executor.submit(tasks.first_pass, chunk, folder) for chunk in chunks]
        del chunks
        signatures, tables = _clean(executor, firsts, view, outcome, problems)  # empties firsts
        for _, problem in sorted(problems, key=lambda item: item[0]):
            print(problem.format(), file=err)
        outcome.failed += len(problems)
        del problems
        planner = Planner(
            content, root / CONTENT_DIR, extra_tags, force, dry_run, outcome, out, err, policy
        )
        _write_groups(executor, signatures, tables, planner)
        finished = True
    finally:
        if temporary or finished:  # an interrupted import keeps what a re-run can reuse
            _drop_store(executor, folder, temporary)
    return outcome


def _write_groups(
    executor: Executor,
    signatures: list[tasks.Signatures],
    tables: tuple[Any, Any, Any],
    planner: Planner,
) -> None:
    """Group the final pages, then decide and write group by group in input order, fetching
    the pages of WINDOW groups at a time: the coordinator never holds more than those."""
    starts = _locator(signatures)
    places: list[Place] = [(item.source, item.where) for item in signatures]
    roots = _groups(signatures, _verifier(executor, places, starts, tables))
    dates = (
        np.concatenate([item.dates for item in signatures if item.dates is not None])
        if signatures
        else np.zeros(0, dtype=np.int64)
    )
    sparse = {
        int(starts[n]) + row: value
        for n, item in enumerate(signatures)
        for row, value in (item.sparse or {}).items()
    }
    planner.outcome.pages = len(roots)
    signatures.clear()  # the caller's list too: only numbers per page are kept from here
    members = np.argsort(roots, kind="stable")
    bounds = (
        np.flatnonzero(np.r_[True, roots[members][1:] != roots[members][:-1]])
        if len(members)
        else np.zeros(0, dtype=np.int64)
    )
    bounds = np.r_[bounds, len(members)]
    del roots
    for start in range(0, len(bounds) - 1, WINDOW):
        edges = bounds[start : start + WINDOW + 1]
        ranked = [
            sorted(
                (int(page) for page in members[first:last]),
                key=lambda page: (int(dates[page]), page),
            )
            for first, last in zip(edges[:-1], edges[1:], strict=True)
        ]
        wanted: dict[int, list[int]] = defaultdict(list)
        for group in ranked:
            for page in group:
                chunk, row = _where(starts, page)
                wanted[chunk].append(row)
        handles = {
            chunk: executor.submit(
                tasks.pick_pages, places[chunk][0], rows, *tables, where=places[chunk][1]
            )
            for chunk, rows in sorted(wanted.items())
        }
        fetched = dict(zip(handles, executor.gather(list(handles.values())), strict=True))
        del handles
        for group in ranked:
            candidates = []
            for page in group:
                chunk, row = _where(starts, page)
                document, found = fetched[chunk].pop(row)
                candidates.append(Candidate(document, found))
            previous, matches = sparse.pop(group[0], (None, ()))
            planner.group(
                candidates,
                Path(previous) if previous else None,
                sorted(Path(item) for item in matches),
            )
        del fetched
    planner.finish()


def _groups(
    signatures: Sequence[tasks.Signatures], verify: Callable[[list[tuple[int, int]]], list[bool]]
) -> np.ndarray:
    """Every page's group (its smallest page index), over all chunks' signatures."""
    return dedupe.find_groups(
        [item.bands for item in signatures],
        [item.digests for item in signatures],
        [item.empty for item in signatures],
        verify,
    )


def _drop_store(executor: Executor, folder: str, temporary: bool) -> None:
    """Tidy the store on every machine: a temporary one goes, and so do workers' fallbacks."""
    with contextlib.suppress(OSError, TimeoutError):  # the cluster is gone: nothing to tidy
        executor.everywhere(store.drop, folder, temporary)
    store.drop(folder, temporary)
