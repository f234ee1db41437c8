"""Hostile inputs: each named case through the code it attacks, timed next to an ordinary
input of about the same size through the same code, measured in the same run.

    python bench/hostile_inputs.py                 # every case
    python bench/hostile_inputs.py --only import   # the cases whose name contains "import"

Every stage should be at most linear in its input, so a hostile case should cost a small
multiple of the ordinary one, and finish in seconds (tests/test_import_hostile.py runs the
import cases with a limit that only catches hangs). CASES is a plain table: add a row for a
new input (build-side cases too).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.__main__ import main as newsdigest  # noqa: E402
from generator.ingest.clean import clean_page  # noqa: E402
from generator.ingest.metadata import split_tags  # noqa: E402
from generator.ingest.model import BatchContext, RawDocument  # noqa: E402
from generator.ingest.readers import parse  # noqa: E402
from generator.ingest.sanitize import sanitize_markdown  # noqa: E402

PROSE = (
    "The regional water board approved a plan on Monday to build a desalination plant on the "
    "northern coast, ending a debate that has divided the council for more than two years."
)


@dataclass(frozen=True)
class Case:
    """One hostile input and an ordinary one of about its size, through the same code."""

    name: str
    hostile: Callable[[], object]
    ordinary: Callable[[], object]


def _page(kind: str, text: str) -> Callable[[], object]:
    document = RawDocument("bench", b"", kind, text, "0" * 64, 0)
    return lambda: clean_page(document, BatchContext())


def _html(body: str) -> str:
    return f"<html><head><title>Bench</title></head><body>{body}<p>{PROSE}</p></body></html>"


def _jsonl(line: str) -> Callable[[], object]:
    data = (line + "\n").encode("utf-8", "surrogatepass")
    return lambda: list(parse("bench.jsonl", data, "jsonl", 0))


def _build(body: str, front: str = "", settings: str = "") -> Callable[[], object]:
    """`newsdigest build` of a project with one article; a refusal is a `path:line` line."""

    def run() -> object:
        with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
            root = Path(folder)
            (root / "content").mkdir()
            (root / "site.yaml").write_text(
                "title: Bench\nbase_url: https://b.example/\ntimezone: UTC\n" + settings
            )
            (root / "content" / "a.md").write_text(
                f"---\ntitle: Bench\ndate: 2025-01-01T10:00:00Z\n{front}---\n\n{body}\n"
            )
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                status = newsdigest(["build", "--root", str(root), "--jobs", "1", "--no-cache"])
            if "Traceback" in err.getvalue() or status not in (0, 1):
                raise RuntimeError(err.getvalue())
            return status

    return run


_PLAIN = "\n\n".join([PROSE * 4] * 800)  # about 585 KiB of ordinary paragraphs
_TAGS = "tags: [" + ", ".join(f"t{n}" for n in range(1000)) + "]\n"
_FEW_TAGS = "tags: [" + ", ".join(f"t{n}" for n in range(5)) + "]\n"

CASES: list[Case] = [
    Case("build: 1,000 tags on one article", _build(PROSE, _TAGS), _build(PROSE, _FEW_TAGS)),
    Case("build: '<div>' * 120,000", _build("<div>" * 120_000), _build(_PLAIN)),
    Case(
        "build: '<div>' * 120,000, cmark",
        _build("<div>" * 120_000, settings="markdown_engine: cmark\n"),
        _build(_PLAIN, settings="markdown_engine: cmark\n"),
    ),
    Case(
        "build: 8,000 abbreviations",
        _build("\n".join(f"*[A{n}]: x" for n in range(8000))),
        _build("\n".join(f"A{n} x" for n in range(8000))),
    ),
    Case(
        "build: '<div markdown=\"1\">' nested 1,000 deep",
        _build('<div markdown="1">\n' * 1000 + "x\n" + "</div>\n" * 1000),
        _build("<div>x</div>\n" * 1000),
    ),
    Case(
        "build: a list nested 300 deep in front matter",
        _build(PROSE, "x: " + "[" * 300 + "]" * 300 + "\n"),
        _build(PROSE, "x: [" + "1, " * 300 + "1]\n"),
    ),
    Case("build: '[a](' * 20,000 in a paragraph", _build("[a](" * 20_000), _build("a b " * 20_000)),
    Case(
        "build: 1,000 backquote runs of different lengths",
        _build(" ".join("`" * k for k in range(1, 1000))),
        _build("word " * 100_000),
    ),
    Case(
        "build: 1,000 unclosed code fences of different lengths",
        _build("\n".join("```" + "`" * k for k in range(1000))),
        _build("word\n" * 100_000),
    ),
    Case(
        "build: a nested list of 35,000 lines",
        _build("- x\n" + ("    - " + "y" * 60 + "\n") * 35_000),
        _build(("- " + "y" * 60 + "\n") * 35_000),
    ),
    Case(
        "build: a list indented 1,200 levels",
        _build("".join("    " * level + "- x\n" for level in range(1200))),
        _build(("- " + "y" * 60 + "\n") * 35_000),
    ),
    Case("build: '* ' * 10,000", _build("* " * 10_000 + "x"), _build("* x\n" * 5_000)),
    Case(
        "import text: a line of 40,000 digits",
        _page("text", "1" * 40_000 + "!\n\n" + PROSE),
        _page("text", "word " * 8_000 + "\n\n" + PROSE),
    ),
    Case(
        "import text: 8,000 headline-like lines above the story",
        _page(
            "text", "".join(f"Headline {n} about the vote today\n" for n in range(8_000)) + PROSE
        ),
        _page("text", "".join(f"{PROSE}\n\n" for _ in range(1_600))),
    ),
    Case(
        "import html: '[a](' * 20,000 in a paragraph",
        _page("html", _html("<p>" + "[a](" * 20_000 + "</p>")),
        _page("html", _html("<p>" + "a b " * 20_000 + "</p>")),
    ),
    Case(
        "import html: '<div>' * 120,000",
        _page("html", _html("<div>" * 120_000)),
        _page("html", _html("<p>" + "word " * 120_000 + "</p>")),
    ),
    Case(
        "import sanitiser: '[a](' * 20,000",
        lambda: sanitize_markdown("[a](" * 20_000),
        lambda: sanitize_markdown("[a](/x) " * 10_000),
    ),
    Case(
        "import sanitiser: '[' * 100,000",
        lambda: sanitize_markdown("[" * 100_000 + "!"),
        lambda: sanitize_markdown("word " * 20_000),
    ),
    Case(
        "import sanitiser: '](' * 50,000",
        lambda: sanitize_markdown("](" * 50_000),
        lambda: sanitize_markdown("[a](/x) " * 12_500),
    ),
    Case(
        "import tags: 100,000 spaces",
        lambda: split_tags(" " * 100_000 + "!"),
        lambda: split_tags("tag, " * 20_000),
    ),
    Case(
        "import jsonl: a number of 5,000 digits",
        _jsonl(json.dumps({"text": PROSE})[:-1] + ', "n": ' + "9" * 5_000 + "}"),
        _jsonl(json.dumps({"text": PROSE, "n": "9" * 5_000})),
    ),
]


def _seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()
    cases = [case for case in CASES if args.only in case.name]
    width = max(len(case.name) for case in cases)
    print(f"{'case':{width}}  hostile s  ordinary s  ratio")
    for case in cases:
        ordinary = _seconds(case.ordinary)
        hostile = _seconds(case.hostile)
        ratio = hostile / ordinary if ordinary > 0 else float("inf")
        print(f"{case.name:{width}}  {hostile:9.3f}  {ordinary:10.3f}  {ratio:5.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
