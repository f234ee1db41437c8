"""Score the import cleaner on the fixture pages in bench/clean_fixtures/.

    python bench/clean_quality.py [--verbose]

For each page, the body is compared with the expected story as bags of words (token-level
precision, recall and F1, summed over all pages of a format); title, date, publisher and
tags are scored as exact matches. Prints pages per second of cleaning as well.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.ingest.clean import clean_document  # noqa: E402
from generator.ingest.model import BatchContext, RawDocument  # noqa: E402
from generator.ingest.sanitize import strip_links  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "clean_fixtures"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Score:
    """One page's result."""

    name: str
    format: str
    true_positive: int
    predicted: int
    expected: int
    fields: dict[str, bool]


def tokens(text: str) -> Counter[str]:
    """Words of Markdown text, links reduced to their text, case ignored."""
    return Counter(word.casefold() for word in _WORD.findall(strip_links(text)))


def _iso(value: object) -> str | None:
    return None if value is None else value.isoformat()  # type: ignore[attr-defined]


def score_page(page: Path) -> Score:
    want = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    data = page.read_bytes()
    kind = "html" if page.suffix == ".html" else "text"
    document = RawDocument(
        page.name, data, kind, data.decode("utf-8"), hashlib.sha256(data).hexdigest(), 0
    )
    found = clean_document(document, BatchContext())
    got, expected = tokens(found.body), tokens("\n".join(want["body"]))
    fields = {
        "title": (found.title or None) == want["title"],
        "date": _iso(found.date) == want["date"],
        "publisher": found.publisher == want["publisher"],
        "tags": [tag.casefold() for tag in found.tags] == [tag.casefold() for tag in want["tags"]],
    }
    return Score(
        page.stem,
        kind,
        sum((got & expected).values()),
        sum(got.values()),
        sum(expected.values()),
        fields,
    )


def prf(scores: list[Score]) -> tuple[float, float, float]:
    tp = sum(score.true_positive for score in scores)
    precision = tp / max(1, sum(score.predicted for score in scores))
    recall = tp / max(1, sum(score.expected for score in scores))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="one line per page")
    args = parser.parse_args()
    pages = sorted(path for path in FIXTURES.iterdir() if path.suffix in (".txt", ".html"))
    started = time.perf_counter()
    scores = [score_page(page) for page in pages]
    seconds = time.perf_counter() - started
    if args.verbose:
        for score in scores:
            p, r, f = prf([score])
            wrong = [name for name, ok in score.fields.items() if not ok]
            print(
                f"{score.name:<22} P {p:.3f} R {r:.3f} F1 {f:.3f}  wrong: {', '.join(wrong) or '-'}"
            )
    print(
        f"pages: {len(scores)} ({sum(s.format == 'text' for s in scores)} text, "
        f"{sum(s.format == 'html' for s in scores)} HTML)"
    )
    for kind in ("text", "html"):
        subset = [score for score in scores if score.format == kind]
        p, r, f = prf(subset)
        print(f"body {kind:<5} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
    for field in ("title", "date", "publisher", "tags"):
        right = sum(score.fields[field] for score in scores)
        print(f"{field:<10} accuracy {right / len(scores):.3f} ({right}/{len(scores)})")
    print(f"speed: {len(scores) / seconds:.1f} pages per second ({seconds:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
