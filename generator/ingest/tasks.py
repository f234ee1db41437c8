"""The import's tasks: what runs on a worker (reading, cleaning, signatures, votes), and the
reductions of their small results that run as tasks too.

The batch-wide signals of the cleaner (lines recurring on a site's other stories, other
articles' headlines) and duplicate detection need every page; here they are computed from
64-bit keys and MinHash band keys instead of texts:

1. `first_pass` (worker) reads a chunk, cleans every page alone and stores the pages (see
   store.py); it sends the coordinator each page's band keys and shingle-set
   digest, nothing else.
2. `dedupe.find_groups` (coordinator) bands the signatures (LSH) into candidate pairs, has
   workers check each pair's exact Jaccard similarity (`jaccard_pairs`), and merges them
   into groups.
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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from ..core.errors import Diagnostic
from . import store
from .clean import clean_page
from .dedupe import THRESHOLD, jaccard, shingles
from .dedupe import signatures as signature_arrays
from .inputs import Chunk, read_chunk
from .model import BatchContext, Extracted, RawDocument
from .textclean import line_key
from .warc import Skipped
from .writer import ContentIndex

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


def _save_state(folder: str, key: str, state: ChunkState) -> None:
    store.save(
        folder,
        key,
        {
            "number": state.number,
            "documents": state.documents,
            "found": state.found,
            "problems": state.problems,
            "skipped": dict(state.skipped),
        },
    )


def _load_state(folder: str, key: str, number: int) -> ChunkState | None:
    """Chunk `number`'s pass-1 pages as stored (`cleaned` 0: none were cleaned now)."""

    def check(value: Any) -> bool:
        return (
            isinstance(value, dict)
            and sorted(value) == ["documents", "found", "number", "problems", "skipped"]
            and value["number"] == number
            and _all(value["documents"], RawDocument)
            and _all(value["found"], Extracted)
            and len(value["documents"]) == len(value["found"])
            and isinstance(value["problems"], list)
            and all(
                isinstance(item, list)
                and len(item) == 2
                and isinstance(item[0], int)
                and isinstance(item[1], Diagnostic)
                for item in value["problems"]
            )
            and isinstance(value["skipped"], dict)
            and all(isinstance(count, int) for count in value["skipped"].values())
        )

    value = store.load(folder, key, check)
    if value is None:
        return None
    return ChunkState(
        number,
        value["documents"],
        value["found"],
        [(order, problem) for order, problem in value["problems"]],
        Counter(value["skipped"]),
    )


def _load_pages(folder: str, key: str, count: int) -> list[Extracted] | None:
    """A chunk's final pages as stored, if there are `count` of them."""
    return store.load(folder, key, lambda value: _all(value, Extracted) and len(value) == count)


def _all(value: Any, kind: type) -> bool:
    return isinstance(value, list) and all(isinstance(item, kind) for item in value)


def _worker_address() -> str | None:
    """The Dask worker running this task, if any (tasks on its pieces are sent back to it)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return None


# --- pass 1 ------------------------------------------------------------------------------


def first_pass(chunk: Chunk, folder: str) -> Signatures:
    """Read one chunk, clean every page alone, store the pages; their signatures out."""
    identity = chunk.identity() or repr((chunk.kind, chunk.names, chunk.offset, chunk.number))
    key = hashlib.sha256(f"1:{CODE_VERSION}:{identity}".encode()).hexdigest()
    piece = Piece(chunk.number, key, folder, chunk)
    state = _load_state(folder, key, chunk.number)
    if state is None:
        state = _read_and_clean(chunk)
        _save_state(folder, key, state)
    return _first_signatures(piece, state)


def _read_and_clean(chunk: Chunk) -> ChunkState:
    state = ChunkState(chunk.number, [], [])
    for order, item in read_chunk(chunk):
        if isinstance(item, Skipped):
            state.skipped[item.reason] += 1
        elif isinstance(item, Diagnostic):
            state.problems.append((order, item))
        else:
            found = clean_page(item, BatchContext())
            state.cleaned += 1
            if isinstance(found, Diagnostic):
                state.problems.append((order, found))
            else:
                state.documents.append(item)
                state.found.append(found)
    return state


def load_first(piece: Piece) -> ChunkState:
    """A chunk's pass-1 pages from the store, or cleaned again from the input."""
    state = _load_state(piece.store, piece.key, piece.number)
    if state is not None:
        return state
    if piece.chunk is None:
        raise LookupError(f"chunk {piece.number} is missing from {piece.store}")
    state = _read_and_clean(piece.chunk)
    _save_state(piece.store, piece.key, state)
    return state


def store_documents(documents: Sequence[RawDocument], folder: str) -> Signatures:
    """Pass 1 for documents already in memory (tests and library use)."""
    digest = hashlib.sha256(f"documents:{CODE_VERSION}".encode())
    state = ChunkState(0, [], [])
    for document in documents:
        digest.update(f"{document.source}\x00{document.sha256}\x00".encode())
        found = clean_page(document, BatchContext())
        if isinstance(found, Diagnostic):
            state.problems.append((document.order, found))
        else:
            state.documents.append(document)
            state.found.append(found)
    piece = Piece(0, digest.hexdigest(), folder, None)
    _save_state(folder, piece.key, state)
    return _first_signatures(piece, state)


def _first_signatures(piece: Piece, state: ChunkState) -> Signatures:
    bands, digests, empty = signature_arrays([shingles(found.body) for found in state.found])
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


def content_view(content: ContentIndex) -> ContentView:
    """The part of the content index that workers use, with paths as plain strings."""
    return ContentView(
        content.titles, {sha: str(path) for sha, path in content.by_input.items()}, content.texts
    )


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
            again = clean_page(document, context)
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
    found = _load_pages(piece.store, final.key, len(state.found))
    cleaned = 0
    if found is None:
        found, cleaned = _clean_again(state, contexts)
        store.save(piece.store, final.key, found)
    return _second_signatures(final, state, found, content, cleaned)


def load_final(
    final: Final, recurring: np.ndarray, titles: np.ndarray, content: ContentView
) -> tuple[ChunkState, list[Extracted]]:
    """A chunk's pass-1 state and final pages, from the store or made again."""
    state = load_first(final.piece)
    found = _load_pages(final.piece.store, final.key, len(state.found))
    if found is not None:
        return state, found
    contexts = _contexts(state, final.groups, recurring, titles, content)
    found, _ = _clean_again(state, contexts)
    store.save(final.piece.store, final.key, found)
    return state, found


def _second_signatures(
    final: Final,
    state: ChunkState,
    found: Sequence[Extracted],
    content: ContentView,
    cleaned: int,
) -> Signatures:
    """Final signatures, dates for choosing the page kept, and what content/ already has."""
    bodies = [shingles(item.body) for item in found]
    bands, digests, empty = signature_arrays(bodies)
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


def sort_date(value: dt.datetime | dt.date | None) -> int:
    """The date that picks the page kept among duplicates, as UTC microseconds (undated last)."""
    if value is None:
        return int(UNDATED)
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return (value - dt.datetime.min) // dt.timedelta(microseconds=1)
