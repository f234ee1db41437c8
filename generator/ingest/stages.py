"""The import's tasks: what runs on a worker (reading, cleaning, signatures, votes) and the
reductions the coordinator does with their small results.

The batch-wide signals of the cleaner (lines recurring on a site's other stories, other
articles' headlines) and duplicate detection need every page; here they are computed from
64-bit keys and MinHash band keys instead of texts:

1. `first_pass` (worker) reads a chunk, cleans every page alone and stores the pages (see
   "the store" below); it sends the coordinator each page's band keys and shingle-set
   digest, nothing else.
2. `find_groups` (coordinator) bands the signatures (LSH) into candidate pairs, has workers
   check each pair's exact Jaccard similarity (`jaccard_pairs`), and merges them into groups.
3. `votes` (worker) emits (site+line key, group) and (title key, group) pairs, split into
   partitions that `recurring_keys` / `title_table` reduce on workers; the coordinator only
   passes the futures along.
4. `second_pass` (worker) cleans again the pages those signals change, stores them, and
   sends their final signatures, which go through `find_groups` once more; the coordinator
   then fetches the pages it writes with `pick_pages`, a few chunks at a time.

Results are exact (LSH candidates checked with exact Jaccard on the shingle sets, as
`dedupe.DuplicateIndex` does), so the local and the distributed import decide alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from datasketch import MinHashLSH

from ..core.errors import Diagnostic, diagnostic
from .dedupe import _PERMUTATIONS, THRESHOLD, _minhash, jaccard, shingles
from .inputs import Chunk, read_chunk
from .model import BatchContext, Extracted, RawDocument
from .textclean import line_key
from .warc import Skipped

_LSH = MinHashLSH(threshold=THRESHOLD, num_perm=_PERMUTATIONS)
BANDS = _LSH.b
_RANGES = list(_LSH.hashranges)
UNDATED = np.iinfo(np.int64).max


def key64(text: str) -> int:
    """A stable 64-bit key of a text (the same in every process, unlike hash())."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _code_version() -> str:
    """Hash of the import's own source: a cached result is reused only by the same cleaner."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


@dataclass
class ChunkState:
    """One chunk's pages as cleaned in pass 1: what the store keeps between the steps."""

    number: int
    documents: list[RawDocument]
    found: list[Extracted]
    problems: list[tuple[int, Diagnostic]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    cleaned: int = 0  # pages actually cleaned (not read from the store) in this pass


@dataclass(frozen=True)
class Piece:
    """Where one chunk's pass-1 pages are kept, and the chunk to read again if they are not.

    Tasks pass pieces, never pages: a worker loads the chunk it works on from the store and
    forgets it when the task ends, so no process holds more than a few chunks at once.
    """

    number: int
    key: str
    store: str
    chunk: Chunk | None  # None: pages given in memory (`store_documents`), always stored


@dataclass(frozen=True)
class Final:
    """Where one chunk's final (pass-2) pages are kept; with the piece and its groups, and the
    batch tables passed to every task next to it, they can be made again."""

    piece: Piece
    groups: np.ndarray
    key: str


@dataclass(frozen=True)
class Signatures:
    """What the coordinator keeps of one chunk's pages: numbers, and where the pages are."""

    source: Piece | Final
    where: str | None  # the Dask worker that stored them (a hint for tasks that load them)
    bands: np.ndarray  # (pages, BANDS) uint64, zero rows for pages without text
    digests: np.ndarray  # (pages, 2) uint64, exact shingle-set digest
    empty: np.ndarray  # (pages,) bool
    problems: list[tuple[int, Diagnostic]]
    skipped: Counter[str]
    cleaned: int
    dates: np.ndarray | None = None  # (pages,) int64 µs, UNDATED when missing
    sparse: dict[int, Any] | None = None  # page -> (previous path, content matches)


# --- the cleaner, guarded -------------------------------------------------------------


def guarded_clean(document: RawDocument, context: BatchContext) -> Extracted | Diagnostic:
    """Clean one page; a crash of the cleaner becomes a diagnostic naming the page."""
    from .pipeline import clean_document

    try:
        return clean_document(document, context)
    except RecursionError:
        return diagnostic(document.source, None, "the cleaner failed: page nested too deeply")
    except Exception as error:  # noqa: BLE001 - one bad page must not stop the import
        message = str(error).strip().splitlines()
        detail = f": {message[0][:200]}" if message else ""
        return diagnostic(
            document.source, None, f"the cleaner failed ({type(error).__name__}{detail})"
        )


# --- the store: cleaned pages wait on disk, not in memory -------------------------------
#
# The store is the import cache (.newsdigest-cache/import/, so that an interrupted import
# resumes) or, with --no-cache and --dry-run, a temporary folder removed at the end. A
# worker that cannot write it (another machine without that folder) keeps its pieces in
# its own temporary folder; a piece found in neither is made again from the input.


def _spill_folders(store: str) -> tuple[Path, Path]:
    fallback = hashlib.sha256(store.encode("utf-8")).hexdigest()[:16]
    return Path(store), Path(tempfile.gettempdir()) / f"newsdigest-spill-{fallback}"


def _load(store: str, key: str) -> Any:
    for folder in _spill_folders(store):
        try:
            with (folder / key[:2] / f"{key}.pickle").open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            continue
    return None


def _save(store: str, key: str, value: Any) -> None:
    for folder in _spill_folders(store):
        path = folder / key[:2] / f"{key}.pickle"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                dir=path.parent, delete=False, suffix=".tmp"
            ) as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, path)
            return
        except OSError:
            continue  # the piece will be made again when a task needs it


def drop_spill(store: str, temporary: bool) -> None:
    """Remove this machine's fallback folder of `store`, and the store itself if temporary."""
    shutil.rmtree(_spill_folders(store)[1], ignore_errors=True)
    if temporary:
        shutil.rmtree(store, ignore_errors=True)


def _worker_address() -> str | None:
    """The Dask worker running this task, if any (tasks on its pieces are sent back to it)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return None


# --- pass 1 ------------------------------------------------------------------------------


def first_pass(chunk: Chunk, store: str) -> Signatures:
    """Read one chunk, clean every page alone, store the pages; their signatures out."""
    identity = chunk.identity() or repr((chunk.kind, chunk.names, chunk.offset, chunk.number))
    key = hashlib.sha256(f"1:{CODE_VERSION}:{identity}".encode()).hexdigest()
    piece = Piece(chunk.number, key, store, chunk)
    state = _load(store, key)
    if isinstance(state, ChunkState) and state.number == chunk.number:
        state.cleaned = 0
    else:
        state = _read_and_clean(chunk)
        _save(store, key, state)
    return _first_signatures(piece, state)


def _read_and_clean(chunk: Chunk) -> ChunkState:
    state = ChunkState(chunk.number, [], [])
    for order, item in read_chunk(chunk):
        if isinstance(item, Skipped):
            state.skipped[item.reason] += 1
        elif isinstance(item, Diagnostic):
            state.problems.append((order, item))
        else:
            found = guarded_clean(item, BatchContext())
            state.cleaned += 1
            if isinstance(found, Diagnostic):
                state.problems.append((order, found))
            else:
                state.documents.append(item)
                state.found.append(found)
    return state


def load_first(piece: Piece) -> ChunkState:
    """A chunk's pass-1 pages from the store, or cleaned again from the input."""
    state = _load(piece.store, piece.key)
    if isinstance(state, ChunkState) and state.number == piece.number:
        return state
    if piece.chunk is None:
        raise LookupError(f"chunk {piece.number} is missing from {piece.store}")
    state = _read_and_clean(piece.chunk)
    _save(piece.store, piece.key, state)
    return state


def store_documents(documents: Sequence[RawDocument], store: str) -> Signatures:
    """Pass 1 for documents already in memory (tests and library use)."""
    digest = hashlib.sha256(f"documents:{CODE_VERSION}".encode())
    state = ChunkState(0, [], [])
    for document in documents:
        digest.update(f"{document.source}\x00{document.sha256}\x00".encode())
        found = guarded_clean(document, BatchContext())
        if isinstance(found, Diagnostic):
            state.problems.append((document.order, found))
        else:
            state.documents.append(document)
            state.found.append(found)
    piece = Piece(0, digest.hexdigest(), store, None)
    _save(store, piece.key, state)
    return _first_signatures(piece, state)


def _signature_arrays(
    bodies: Sequence[frozenset[str]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bands = np.zeros((len(bodies), BANDS), dtype=np.uint64)
    digests = np.zeros((len(bodies), 2), dtype=np.uint64)
    empty = np.zeros(len(bodies), dtype=bool)
    for row, items in enumerate(bodies):
        if not items:
            empty[row] = True
            continue
        values = _minhash(items).hashvalues
        for band, (start, stop) in enumerate(_RANGES):
            bands[row, band] = int.from_bytes(
                hashlib.blake2b(values[start:stop].tobytes(), digest_size=8).digest(), "little"
            )
        whole = hashlib.blake2b("\n".join(sorted(items)).encode("utf-8"), digest_size=16)
        digests[row] = np.frombuffer(whole.digest(), dtype=np.uint64)
    return bands, digests, empty


def _first_signatures(piece: Piece, state: ChunkState) -> Signatures:
    bands, digests, empty = _signature_arrays([shingles(found.body) for found in state.found])
    return Signatures(
        piece,
        _worker_address(),
        bands,
        digests,
        empty,
        state.problems,
        state.skipped,
        state.cleaned,
    )


def pick_shingles(
    source: Piece | Final, rows: list[int], *tables: Any
) -> dict[int, frozenset[str]]:
    """Shingle sets of some pages of a chunk (pass 1, or final with the batch tables)."""
    if isinstance(source, Final):
        found = load_final(source, *tables)[1]
    else:
        found = load_first(source).found
    return {row: shingles(found[row].body) for row in rows}


def jaccard_pairs(
    pairs: list[tuple[int, int, int, int]], *picked: dict[int, frozenset[str]]
) -> list[bool]:
    """For pairs (chunk a, row a, chunk b, row b): is their Jaccard similarity >= threshold?"""
    table: dict[tuple[int, int], frozenset[str]] = {}
    for number, rows in zip(picked[::2], picked[1::2], strict=True):
        for row, items in rows.items():  # type: ignore[union-attr]
            table[(number, row)] = items  # type: ignore[index]
    return [jaccard(table[(a, ra)], table[(b, rb)]) >= THRESHOLD for a, ra, b, rb in pairs]


# --- groups: LSH banding and merging on the coordinator ---------------------------------


def find_groups(
    signatures: Sequence[Signatures], verify: Callable[[list[tuple[int, int]]], list[bool]]
) -> np.ndarray:
    """For every page (all chunks, in order), the smallest page index of its group.

    Pages sharing a band key are candidates; candidates with the same shingle set are one
    story at once, the others are checked with `verify` (exact Jaccard, on workers).
    """
    # One band's column at a time, never a copy of all bands: what the coordinator holds
    # per page while grouping is the signatures plus about 100 bytes.
    digests = (
        np.concatenate([item.digests for item in signatures])
        if signatures
        else np.zeros((0, 2), dtype=np.uint64)
    )
    empty = (
        np.concatenate([item.empty for item in signatures])
        if signatures
        else np.zeros(0, dtype=bool)
    )
    count = len(empty)
    parent = np.arange(count, dtype=np.int64)

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = int(parent[item])
        return item

    def union(first: int, second: int) -> None:
        a, b = root(first), root(second)
        if a != b:
            parent[max(a, b)] = min(a, b)

    live = np.flatnonzero(~empty)
    # Identical shingle sets: one story, no check needed; keep one representative each.
    representative = np.ones(count, dtype=bool)
    if len(live):
        order = live[np.lexsort((live, digests[live, 1], digests[live, 0]))]
        same = np.all(digests[order[1:]] == digests[order[:-1]], axis=1)
        for position in np.flatnonzero(same):
            first, second = int(order[position]), int(order[position + 1])
            union(first, second)
            representative[second] = False
    chosen = live[representative[live]]
    pairs: set[tuple[int, int]] = set()
    del digests
    for band in range(BANDS if len(chosen) > 1 else 0):  # one page has no pair
        keys = np.concatenate([item.bands[:, band] for item in signatures])[chosen]
        sorting = np.argsort(keys, kind="stable")
        order, sorted_keys = chosen[sorting], keys[sorting]
        del keys, sorting
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        stops = np.r_[starts[1:], len(order)]
        for start, stop in zip(starts, stops, strict=True):
            if stop - start < 2:
                continue
            members = sorted(int(item) for item in order[start:stop])
            pairs.update((a, b) for index, a in enumerate(members) for b in members[index + 1 :])
    ordered = sorted(pairs)
    for start in range(0, len(ordered), 20_000):
        batch = ordered[start : start + 20_000]
        for (a, b), similar in zip(batch, verify(batch), strict=True):
            if similar:
                union(a, b)
    # Every page's root (its group's smallest page), by pointer jumping on the whole array.
    while True:
        above = parent[parent]
        if np.array_equal(above, parent):
            return parent
        parent = above


# --- votes for the batch-wide signals ---------------------------------------------------


def site_of(found: Extracted) -> str | None:
    if found.publisher:
        return found.publisher.casefold()
    if found.url:
        host = urlsplit(found.url).hostname or ""
        return host.removeprefix("www.") or None
    return None


def votes(
    piece: Piece, groups: np.ndarray, partitions: int
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(site+line key, group) and (title key, group) pairs of the chunk, by partition."""
    state = load_first(piece)
    lines: list[tuple[int, int]] = []
    titles: list[tuple[int, int]] = []
    for found, group in zip(state.found, groups.tolist(), strict=True):
        site = site_of(found)
        if site:
            lines.extend((key64(f"{site}\x00{line}"), group) for line in found.lines)
        if found.title:
            titles.append((key64(line_key(found.title)), group))
    return _partition(lines, partitions), _partition(titles, partitions)


def _partition(pairs: list[tuple[int, int]], partitions: int) -> list[np.ndarray]:
    array = np.array(pairs, dtype=np.uint64).reshape(-1, 2)
    array = np.unique(array, axis=0) if len(array) else array
    slot = array[:, 0] % np.uint64(partitions)
    return [array[slot == number] for number in range(partitions)]


def part(item: tuple[list[np.ndarray], list[np.ndarray]], which: int, number: int) -> np.ndarray:
    return item[which][number]


def recurring_keys(*parts: np.ndarray) -> np.ndarray:
    """Site+line keys seen in two or more groups (stories) of that site."""
    pairs = np.unique(np.concatenate(parts), axis=0) if parts else np.zeros((0, 2), np.uint64)
    keys, counts = np.unique(pairs[:, 0], return_counts=True)
    return keys[counts >= 2]


def title_table(*parts: np.ndarray) -> np.ndarray:
    """Rows (title key, a group with that title, 1 if another group has it too)."""
    pairs = np.unique(np.concatenate(parts), axis=0) if parts else np.zeros((0, 2), np.uint64)
    if not len(pairs):
        return np.zeros((0, 3), dtype=np.uint64)
    keys, first, counts = np.unique(pairs[:, 0], return_index=True, return_counts=True)
    return np.stack([keys, pairs[first, 1], (counts > 1).astype(np.uint64)], axis=1)


def merge_sorted(*parts: np.ndarray) -> np.ndarray:
    if not parts:
        return np.zeros(0, dtype=np.uint64)
    merged = np.concatenate(parts)
    return merged[np.argsort(merged[:, 0] if merged.ndim == 2 else merged, kind="stable")]


# --- pass 2 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentView:
    """What workers need to know of content/: titles, input hashes and texts."""

    titles: frozenset[str]
    by_input: dict[str, str]
    texts: Any  # dedupe.DuplicateIndex keyed by path (str)


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    if not len(sorted_keys) or not len(keys):
        return np.zeros(len(keys), dtype=bool)
    where = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[where] == keys


def batch_context(
    found: Extracted,
    group: int,
    recurring: np.ndarray,
    titles: np.ndarray,
    content_titles: frozenset[str],
) -> BatchContext:
    """The same decisions as the single-process cleaner, from the reduced tables."""
    lines = sorted(found.lines)
    site = site_of(found)
    recurring_lines: frozenset[str] = frozenset()
    if site and lines:
        keys = np.array([key64(f"{site}\x00{line}") for line in lines], dtype=np.uint64)
        recurring_lines = frozenset(
            line for line, hit in zip(lines, _contains(recurring, keys), strict=True) if hit
        )
    own = line_key(found.title or "")
    candidates = [line for line in lines if line and line != own]
    other: set[str] = {line for line in candidates if line in content_titles}
    if candidates and len(titles):
        keys = np.array([key64(line) for line in candidates], dtype=np.uint64)
        where = np.minimum(np.searchsorted(titles[:, 0], keys), len(titles) - 1)
        rows = titles[where]
        for line, key, row in zip(candidates, keys, rows, strict=True):
            if row[0] == key and (row[2] or int(row[1]) != group):
                other.add(line)
    return BatchContext(recurring_lines, frozenset(other))


def _contexts(
    state: ChunkState,
    groups: np.ndarray,
    recurring: np.ndarray,
    titles: np.ndarray,
    content: ContentView,
) -> list[BatchContext]:
    return [
        batch_context(found, group, recurring, titles, content.titles)
        for found, group in zip(state.found, groups.tolist(), strict=True)
    ]


def _final_key(piece: Piece, contexts: Sequence[BatchContext]) -> str:
    """Pass 2's result depends on pass 1's and on each page's batch context, nothing else."""
    digest = hashlib.sha256(piece.key.encode())
    for context in contexts:
        digest.update(
            repr((sorted(context.recurring), sorted(context.other_titles))).encode("utf-8")
        )
    return digest.hexdigest()


def _clean_again(
    state: ChunkState, contexts: Sequence[BatchContext]
) -> tuple[list[Extracted], int]:
    """Clean again the pages whose batch context is not empty."""
    found = list(state.found)
    cleaned = 0
    for row, (document, context) in enumerate(zip(state.documents, contexts, strict=True)):
        if context.recurring or context.other_titles:
            again = guarded_clean(document, context)
            cleaned += 1
            if isinstance(again, Diagnostic):  # cannot happen unless pass 1 was lucky
                again = Extracted(None, None, None, None, (), "")
            found[row] = again
    return found, cleaned


def second_pass(
    piece: Piece,
    groups: np.ndarray,
    recurring: np.ndarray,
    titles: np.ndarray,
    content: ContentView,
) -> Signatures:
    """Clean again what the batch signals change, store the final pages; signatures out."""
    state = load_first(piece)
    contexts = _contexts(state, groups, recurring, titles, content)
    final = Final(piece, groups, _final_key(piece, contexts))
    found = _load(piece.store, final.key)
    cleaned = 0
    if not (isinstance(found, list) and len(found) == len(state.found)):
        found, cleaned = _clean_again(state, contexts)
        _save(piece.store, final.key, found)
    return _second_signatures(final, state, found, content, cleaned)


def load_final(
    final: Final, recurring: np.ndarray, titles: np.ndarray, content: ContentView
) -> tuple[ChunkState, list[Extracted]]:
    """A chunk's pass-1 state and final pages, from the store or made again."""
    state = load_first(final.piece)
    found = _load(final.piece.store, final.key)
    if isinstance(found, list) and len(found) == len(state.found):
        return state, found
    contexts = _contexts(state, final.groups, recurring, titles, content)
    found, _ = _clean_again(state, contexts)
    _save(final.piece.store, final.key, found)
    return state, found


def _second_signatures(
    final: Final,
    state: ChunkState,
    found: Sequence[Extracted],
    content: ContentView,
    cleaned: int,
) -> Signatures:
    """Final signatures, dates for choosing the page kept, and what content/ already has."""
    from .pipeline import sort_date

    bodies = [shingles(item.body) for item in found]
    bands, digests, empty = _signature_arrays(bodies)
    dates = np.array([sort_date(item.date) for item in found], dtype=np.int64)
    sparse: dict[int, Any] = {}
    for row, (document, items) in enumerate(zip(state.documents, bodies, strict=True)):
        previous = content.by_input.get(document.sha256)
        matches = (
            tuple(sorted(str(key) for key in content.texts.matches(items)))
            if items and content.texts is not None
            else ()
        )
        if previous is not None or matches:
            sparse[row] = (previous, matches)
    return Signatures(
        final, _worker_address(), bands, digests, empty, [], Counter(), cleaned, dates, sparse
    )


def pick_pages(
    final: Final,
    rows: list[int],
    recurring: np.ndarray,
    titles: np.ndarray,
    content: ContentView,
) -> dict[int, tuple[RawDocument, Extracted]]:
    """The cleaned pages the coordinator is about to write (or list as duplicates).

    Without their raw text, which writing does not need: only what the article shows
    travels to the coordinator.
    """
    state, found = load_final(final, recurring, titles, content)
    return {row: (replace(state.documents[row], text=""), found[row]) for row in rows}


def date_micros(value: dt.datetime) -> int:
    return (value - dt.datetime.min) // dt.timedelta(microseconds=1)
