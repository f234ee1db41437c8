"""What parsing one article costs, step by step, with each Markdown engine.

A cold build parses every article, so this is the floor under a cold build's time: the
build_bench report says how fast a build is, this script says where the parse stage's CPU
goes and why the default engine cannot match a Go generator. Figures are CPU milliseconds
per article (process time, medians of several passes over the same sample, the steps taking
turns within each pass), each also given as a ratio to the whole parse with
`markdown_engine: cmark`, measured in the same run.

Usage: python bench/parse_cost.py [--articles 1000] [--passes 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import make_corpus

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.build.article import parse_article, render_markdown, sanitise_html  # noqa: E402
from generator.build.config import ParseSettings, load_config  # noqa: E402
from generator.build.pymarkdown import Converters  # noqa: E402
from generator.core.frontmatter import parse_front_matter  # noqa: E402
from generator.core.text import distinct_words, html_to_text, lede  # noqa: E402

Step = tuple[str, Callable[[object], object], Sequence[object]]


def cpu_ms_per_item(steps: Sequence[Step], passes: int) -> list[tuple[str, float]]:
    """(name, median over passes of the CPU time per item of running the step over every
    item). The steps take turns within each pass, so a machine that slows down during the
    run slows every step alike and their ratios hold."""
    for _name, step, items in steps:
        step(items[0])  # first use imports and builds converters: not part of the steady cost
    samples: list[list[float]] = [[] for _ in steps]
    for _ in range(passes):
        for taken, (_name, step, items) in zip(samples, steps, strict=True):
            start = time.process_time()
            for item in items:
                step(item)
            taken.append((time.process_time() - start) / len(items) * 1000)
    return [
        (name, statistics.median(taken)) for (name, _, _), taken in zip(steps, samples, strict=True)
    ]


def measure(root: Path, count: int, passes: int) -> list[tuple[str, float]]:
    """(step, CPU ms per article) for the first `count` articles of the corpus at root."""
    settings = load_config(root).parsing
    python_markdown = dataclasses.replace(settings, markdown_engine="python-markdown")
    cmark = dataclasses.replace(settings, markdown_engine="cmark")
    trusted = {
        engine: dataclasses.replace(engine_settings, trust_html=True)
        for engine, engine_settings in (("python-markdown", python_markdown), ("cmark", cmark))
    }
    paths = sorted((root / "content").rglob("*.md"))[:count]
    raws = [path.read_bytes() for path in paths]
    fronts = [parse_front_matter(raw.decode("utf-8"), "x.md") for raw in raws]
    bodies = [front.body for front in fronts]
    html = [render_markdown(body, trusted["cmark"]) for body in bodies]
    clean = [sanitise_html(fragment) for fragment in html]

    full = Converters(settings.markdown_extensions, leave_out=False)

    def whole(engine: ParseSettings) -> Callable[[object], object]:
        return lambda raw: parse_article(raw, "x.md", engine)  # type: ignore[arg-type]

    steps: list[Step] = [
        ("whole parse, python-markdown", whole(python_markdown), raws),
        ("whole parse, cmark", whole(cmark), raws),
        (
            "Markdown -> HTML, python-markdown",
            lambda body: render_markdown(body, trusted["python-markdown"]),
            bodies,
        ),
        (
            "Markdown -> HTML, python-markdown, every processor run on every text",
            lambda body: full.for_text(body).convert(body),
            bodies,
        ),
        (
            "Markdown -> HTML, cmark",
            lambda body: render_markdown(body, trusted["cmark"]),
            bodies,
        ),
        (
            "front matter (YAML, checks)",
            lambda raw: parse_front_matter(raw.decode(), "x.md"),
            raws,
        ),
        ("sanitise (nh3)", sanitise_html, html),
        (
            "text, summary, search words",
            lambda fragment: distinct_words(html_to_text(fragment)) + lede(fragment, 60),
            clean,
        ),
    ]
    return cpu_ms_per_item(steps, passes)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="sample size")
    parser.add_argument("--passes", type=int, default=5, help="passes to take the median of")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        make_corpus.make_corpus(args.articles, args.seed, Path(scratch), ("newsdigest",))
        rows = measure(Path(scratch) / "newsdigest", args.articles, args.passes)
    baseline = dict(rows)["whole parse, cmark"]
    command = f"python bench/parse_cost.py --articles {args.articles} --passes {args.passes}"
    print(f"`{command}` (CPU per article, median of {args.passes} passes)\n")
    print("| step | CPU per article | / whole parse with cmark | for 10,000 articles |")
    print("|---|---|---|---|")
    for name, cost in rows:
        print(f"| {name} | {cost:.3f} ms | {cost / baseline:.2f} | {cost * 10:.1f} s |")


if __name__ == "__main__":
    main()
