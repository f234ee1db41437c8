"""Near-duplicate stories: word shingles, MinHash LSH to find candidates, exact Jaccard to decide.

LSH alone has false positives and negatives near the threshold; checking the candidates
with the exact Jaccard similarity of their shingle sets makes the decision deterministic.

Two ways in: `DuplicateIndex` (texts held in memory: content/ articles) and, for a batch
whose pages live in the store, `signatures` (per page: band keys and an exact digest,
small numbers that travel instead of texts) with `find_groups` over them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Hashable, Iterable, Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH

from .sanitize import strip_links

THRESHOLD = 0.8
SHINGLE_WORDS = 5
PERMUTATIONS = 128
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def shingles(body: str, size: int = SHINGLE_WORDS) -> frozenset[str]:
    """Overlapping runs of `size` words of the text, case and punctuation ignored."""
    words = [word.casefold() for word in _WORD.findall(strip_links(body))]
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(
        " ".join(words[index : index + size]) for index in range(len(words) - size + 1)
    )


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    """Share of shingles the two texts have in common."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


class DuplicateIndex:
    """Texts added under a key; `matches` gives the keys of near-duplicates of a new text."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self._threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)
        self._shingles: dict[Hashable, frozenset[str]] = {}

    def add(self, key: Hashable, items: frozenset[str]) -> None:
        """Index one text (ignored when empty: an empty body duplicates nothing)."""
        if items and key not in self._shingles:
            self._shingles[key] = items
            self._lsh.insert(key, minhash(items))

    def matches(self, items: frozenset[str]) -> list[Hashable]:
        """Keys whose texts have Jaccard similarity >= the threshold with `items`."""
        if not items:
            return []
        found = self._lsh.query(minhash(items))
        return [key for key in found if jaccard(items, self._shingles[key]) >= self._threshold]


def minhash(items: Iterable[str]) -> MinHash:
    """The MinHash of a shingle set (seeded: the same in every process)."""
    digest = MinHash(num_perm=PERMUTATIONS, seed=1)
    digest.update_batch([item.encode("utf-8") for item in items])
    return digest


_BANDING = MinHashLSH(threshold=THRESHOLD, num_perm=PERMUTATIONS)
BANDS = _BANDING.b
_RANGES = list(_BANDING.hashranges)


def signatures(bodies: Sequence[frozenset[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per shingle set: LSH band keys (pages, BANDS) uint64, an exact digest (pages, 2)
    uint64, and whether it is empty (pages,) bool (empty sets get zero rows)."""
    bands = np.zeros((len(bodies), BANDS), dtype=np.uint64)
    digests = np.zeros((len(bodies), 2), dtype=np.uint64)
    empty = np.zeros(len(bodies), dtype=bool)
    for row, items in enumerate(bodies):
        if not items:
            empty[row] = True
            continue
        values = minhash(items).hashvalues
        for band, (start, stop) in enumerate(_RANGES):
            bands[row, band] = int.from_bytes(
                hashlib.blake2b(values[start:stop].tobytes(), digest_size=8).digest(), "little"
            )
        whole = hashlib.blake2b("\n".join(sorted(items)).encode("utf-8"), digest_size=16)
        digests[row] = np.frombuffer(whole.digest(), dtype=np.uint64)
    return bands, digests, empty


def find_groups(
    bands: Sequence[np.ndarray],
    digests: Sequence[np.ndarray],
    empty: Sequence[np.ndarray],
    verify: Callable[[list[tuple[int, int]]], list[bool]],
) -> np.ndarray:
    """For every page (the chunks' arrays, in order), the smallest page index of its group.

    Pages sharing a band key are candidates; candidates with the same shingle set are one
    story at once, the others are checked with `verify` (exact Jaccard, on workers).
    """
    # One band's column at a time, never a copy of all bands: what the coordinator holds
    # per page while grouping is the signatures plus about 100 bytes.
    every_digest = np.concatenate(digests) if digests else np.zeros((0, 2), dtype=np.uint64)
    every_empty = np.concatenate(empty) if empty else np.zeros(0, dtype=bool)
    count = len(every_empty)
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

    live = np.flatnonzero(~every_empty)
    # Identical shingle sets: one story, no check needed; keep one representative each.
    representative = np.ones(count, dtype=bool)
    if len(live):
        order = live[np.lexsort((live, every_digest[live, 1], every_digest[live, 0]))]
        same = np.all(every_digest[order[1:]] == every_digest[order[:-1]], axis=1)
        for position in np.flatnonzero(same):
            first, second = int(order[position]), int(order[position + 1])
            union(first, second)
            representative[second] = False
    chosen = live[representative[live]]
    pairs: set[tuple[int, int]] = set()
    del every_digest
    for band in range(BANDS if len(chosen) > 1 else 0):  # one page has no pair
        keys = np.concatenate([item[:, band] for item in bands])[chosen]
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
