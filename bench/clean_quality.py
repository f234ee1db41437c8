"""Score the import cleaner on the fixture pages in bench/clean_fixtures/ and the blind set.

    python bench/clean_quality.py [--verbose]            # bench/clean_fixtures
    python bench/clean_quality.py --blind dev [--verbose] # bench/blind, the tuning split
    python bench/clean_quality.py --blind holdout         # aggregate only, never per case
    python bench/clean_quality.py --set blind --set blind2 --blind dev   # both blind sets

Fixtures: the body is compared with the expected story as bags of words (token-level
precision, recall and F1, summed over all pages of a format); title, date, publisher and
tags are scored as exact matches. Prints pages per second of cleaning as well.

Blind set (bench/blind/, written by someone who never saw the cleaner): every case is cleaned
from its HTML and from seven flattenings of it, and the HTML is also given to trafilatura alone
in the same run, twice. The flattenings: the set's own `lynx -dump -width=80` (hard-wrapped,
indented), `w3m -dump` and `plain` (the set writer's stdlib html.parser text, one block a line,
table cells split by tabs); and four made here, in the run, from the case's HTML by the real
tools (`pip install '.[bench]'`): `html_text` (`html_text.extract_text`, the issue's
*standard* flattening), `html2text` (its default Markdown, wrapped at 78 columns, links
inline), `nodes` (`BeautifulSoup(html, "html.parser").get_text("\n")`: every text node on
its own line) and `glued` (lxml `text_content()`, scripts and styles removed: block text run
together). A tool that is not installed is named and its column skipped. trafilatura runs
with its defaults
(`trafilatura.extract(html)`: plain text, comments and tables included) and with the options
our HTML cleaner passes it (`TRAFILATURA_OPTIONS`). Body scores are the mean over pages of the
4-gram shingle F1 (the issue's measure; CJK characters count as words) and the pooled
token F1 above; title, date, publisher and author are exact matches ("day": the calendar day
only, all a flattened page can show); "empty" counts pages
whose body came out empty.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lxml.html  # noqa: E402
import trafilatura  # noqa: E402

from generator.ingest.clean import clean_document  # noqa: E402
from generator.ingest.dates import parse_iso  # noqa: E402
from generator.ingest.htmlclean import TRAFILATURA_OPTIONS  # noqa: E402
from generator.ingest.model import BatchContext, RawDocument  # noqa: E402
from generator.ingest.readers import decode  # noqa: E402
from generator.ingest.sanitize import strip_links  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "clean_fixtures"
BENCH = Path(__file__).resolve().parent
SETS = ("blind", "blind2")  # bench/blind/ and bench/blind2/, both written blind
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Han, kana and Hangul characters are words of their own: CJK text has no spaces.
_CJK_OR_WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]|"
    r"[^\W_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]+"
)
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s|>\s?|[-*+]\s|\d+\.\s)|\|?\s*:?-{3,}:?\s*\|?", re.M)
FILE_KINDS = ("lynx", "w3m", "plain")  # flattenings the set ships as files


def _html_text(html: str) -> str:
    import html_text

    return html_text.extract_text(html)


def _html2text(html: str) -> str:
    import html2text

    return html2text.html2text(html)


def _nodes(html: str) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser").get_text("\n")


def _glued(html: str) -> str:
    tree = lxml.html.document_fromstring(html)
    for element in tree.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    return tree.text_content()


# Flattenings made in the run from each case's HTML, and the package each one needs.
MADE = {
    "html_text": (_html_text, "html_text"),
    "html2text": (_html2text, "html2text"),
    "nodes": (_nodes, "bs4"),
    "glued": (_glued, "lxml"),
}
STANDARD = "html_text"  # the standard flattening (target 0.92; the others 0.88)


def available_flattenings() -> tuple[str, ...]:
    """The made flattenings whose tool imports; a missing one is said once, not a crash."""
    import importlib.util

    found = []
    for name, (_, package) in MADE.items():
        if importlib.util.find_spec(package) is None:
            print(f"note: {package} is not installed: no {name!r} column (pip install '.[bench]')")
        else:
            found.append(name)
    return tuple(found)


KINDS = ("html", *FILE_KINDS, *MADE)
BASELINES = ("trafilatura-default", "trafilatura-our-options")
FIELDS = ("title", "date", "day", "publisher", "author")


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


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """Word 4-grams of Markdown text (links reduced to their text, markers dropped, case ignored)."""
    words = [word.casefold() for word in _CJK_OR_WORD.findall(_MARKUP.sub(" ", strip_links(text)))]
    if len(words) < size:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[index : index + size]) for index in range(len(words) - size + 1))


def shingle_f1(got: str, want: str) -> float:
    """F1 of the two texts' 4-gram multisets: order matters locally, so a shuffled or
    glued-on block costs more than under a bag of words."""
    found, expected = shingles(got), shingles(want)
    common = sum((found & expected).values())
    if not common:
        return 0.0
    precision, recall = common / sum(found.values()), common / sum(expected.values())
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class BlindScore:
    """One blind case cleaned from one input kind (or by one baseline)."""

    kind: str
    shingle_f1: float
    tokens: Score
    empty: bool
    fields: dict[str, bool]
    seconds: float


def _same(got: object, want: object) -> bool:
    if want is None:
        return got in (None, "")
    if got is None:
        return False
    if not isinstance(got, str):
        got = got.isoformat()  # type: ignore[attr-defined]
    return " ".join(str(got).split()) == " ".join(str(want).split())


def _same_date(found: Any, want: dict) -> bool:
    """The same instant (2026-02-19T14:05:00Z is 14:05+00:00), or the same day for a date."""
    if want["date"] is None or found.date is None:
        return want["date"] is None and found.date is None
    expected = parse_iso(want["date"])
    return type(found.date) is type(expected) and found.date == expected


def _day(value: object) -> str | None:
    """The calendar day of a date, a datetime or an ISO string: all a flattened page shows."""
    if value is None:
        return None
    text = value if isinstance(value, str) else value.isoformat()  # type: ignore[attr-defined]
    return text[:10]


def _blind_score(name: str, kind: str, body: str, want: dict, fields: dict, seconds: float):
    expected_text = "\n".join(want["body"])
    got, expected = tokens(body), tokens(expected_text)
    token_score = Score(
        name,
        kind,
        sum((got & expected).values()),
        sum(got.values()),
        sum(expected.values()),
        {},
    )
    return BlindScore(
        kind, shingle_f1(body, expected_text), token_score, not body.strip(), fields, seconds
    )


def _files(case: dict) -> dict[str, str]:
    """The case's file names: bench/blind lists them, bench/blind2 names them by its id."""
    if "files" in case:
        return case["files"]
    stem = case["id"]
    names = {kind: f"{stem}.{kind}.txt" for kind in FILE_KINDS}
    return {**names, "html": case["html"], "truth": case["truth"]}


def _inputs(folder: Path, files: dict[str, str], made: Sequence[str]) -> dict[str, bytes]:
    """Each input kind's bytes: the HTML and the set's files as stored, and the flattenings
    made here from the HTML as the import decodes it (blind2 has legacy charsets)."""
    inputs = {kind: (folder / files[kind]).read_bytes() for kind in ("html", *FILE_KINDS)}
    html = decode(files["html"], None, inputs["html"], "html")
    if not isinstance(html, str):
        raise SystemExit(f"{folder / files['html']}: {html}")
    for kind in made:
        inputs[kind] = MADE[kind][0](html).encode("utf-8")
    return inputs


def score_blind_case(folder: Path, case: dict, made: Sequence[str] = ()) -> list[BlindScore]:
    """Clean one case from every input kind, and run both trafilatura baselines on its HTML.

    Pages are decoded as the import decodes them (blind2 has pages in legacy charsets)."""
    files = _files(case)
    name = case.get("name") or case["id"]
    want = json.loads((folder / files["truth"]).read_text(encoding="utf-8"))
    results = []
    html = ""
    for kind, data in _inputs(folder, files, made).items():
        source = files.get(kind, f"{name}.{kind}.txt")
        text = decode(source, None, data, "html" if kind == "html" else "text")
        if not isinstance(text, str):
            raise SystemExit(f"{folder / source}: {text}")
        html = text if kind == "html" else html
        document = RawDocument(
            source,
            data,
            "html" if kind == "html" else "text",
            text,
            hashlib.sha256(data).hexdigest(),
            0,
        )
        started = time.perf_counter()
        found = clean_document(document, BatchContext())
        seconds = time.perf_counter() - started
        fields = {"title": _same(found.title, want["title"]), "date": _same_date(found, want)}
        fields["day"] = _same(_day(found.date), _day(want["date"]))
        fields.update({field: _same(getattr(found, field), want[field]) for field in FIELDS[3:]})
        results.append(_blind_score(name, kind, found.body, want, fields, seconds))
    for baseline, options in zip(BASELINES, ({}, TRAFILATURA_OPTIONS), strict=True):
        started = time.perf_counter()
        body = trafilatura.extract(html, **options) or ""
        seconds = time.perf_counter() - started
        results.append(_blind_score(name, baseline, body, want, {}, seconds))
    return results


def report_blind(folder: Path, split: str, verbose: bool, made: Sequence[str]) -> None:
    """Print the split's table; per-case lines only for the tuning split."""
    manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
    cases = [case for case in manifest["cases"] if case["split"] == split]
    score_blind_case(folder, cases[0])  # warm-up: trafilatura's first call pays its set-up
    kinds = ("html", *FILE_KINDS, *made)
    by_kind: dict[str, list[BlindScore]] = {kind: [] for kind in (*kinds, *BASELINES)}
    for case in cases:
        scores = score_blind_case(folder, case, made)
        for score in scores:
            by_kind[score.kind].append(score)
        if verbose and split == "dev":
            cells = "  ".join(f"{score.kind[:9]} {score.shingle_f1:.2f}" for score in scores)
            print(f"{(case.get('name') or case['id'])[:40]:<40} {cells}")
    print(f"\nbench/{folder.name}, split {split}: {len(cases)} cases")
    print(
        "| input | shingle F1 | token F1 | empty | title | date | day | publisher | author "
        "| pages/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for kind, scores in by_kind.items():
        f1 = sum(score.shingle_f1 for score in scores) / max(1, len(scores))
        token_f1 = prf([score.tokens for score in scores])[2]
        empty = sum(score.empty for score in scores)
        cells = [
            f"{sum(score.fields[field] for score in scores)}/{len(scores)}"
            if kind in KINDS
            else "-"
            for field in FIELDS
        ]
        speed = len(scores) / max(1e-9, sum(score.seconds for score in scores))
        label = f"{kind} (standard)" if kind == STANDARD else kind
        print(
            f"| {label} | {f1:.3f} | {token_f1:.3f} | {empty} | {' | '.join(cells)} | {speed:.1f} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="one line per page (not holdout)")
    parser.add_argument(
        "--blind",
        choices=("dev", "holdout"),
        action="append",
        help="score this split of bench/blind/ instead of the fixtures (repeatable)",
    )
    parser.add_argument(
        "--set", choices=SETS, action="append", help="which blind set (default: blind)"
    )
    args = parser.parse_args()
    if args.blind:
        made = available_flattenings()
        for name in args.set or ["blind"]:
            for split in args.blind:
                report_blind(BENCH / name, split, args.verbose, made)
        return 0
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
