"""Near-duplicate stories: word shingles, MinHash LSH to find candidates, exact Jaccard to decide.

LSH alone has false positives and negatives near the threshold; checking the candidates
with the exact Jaccard similarity of their shingle sets makes the decision deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable

from datasketch import MinHash, MinHashLSH

from .sanitize import strip_links

THRESHOLD = 0.8
SHINGLE_WORDS = 5
_PERMUTATIONS = 128
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
        self._lsh = MinHashLSH(threshold=threshold, num_perm=_PERMUTATIONS)
        self._shingles: dict[Hashable, frozenset[str]] = {}

    def add(self, key: Hashable, items: frozenset[str]) -> None:
        """Index one text (ignored when empty: an empty body duplicates nothing)."""
        if items and key not in self._shingles:
            self._shingles[key] = items
            self._lsh.insert(key, _minhash(items))

    def matches(self, items: frozenset[str]) -> list[Hashable]:
        """Keys whose texts have Jaccard similarity >= the threshold with `items`."""
        if not items:
            return []
        found = self._lsh.query(_minhash(items))
        return [key for key in found if jaccard(items, self._shingles[key]) >= self._threshold]


def _minhash(items: Iterable[str]) -> MinHash:
    digest = MinHash(num_perm=_PERMUTATIONS, seed=1)
    digest.update_batch([item.encode("utf-8") for item in items])
    return digest
