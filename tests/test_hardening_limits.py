"""Issue 18, item 4: inputs that used to cost minutes are refused with a `path:line`
message naming the limit (core/limits.py), or finish; the limits do not refuse what real
articles hold. Time limits here only catch hangs (bench/hostile_inputs.py has the figures).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run
from hostile.helpers import SITE_YAML, article, assert_located_errors, make_site
from test_hardening_property import time_limit

from generator.core import limits

FRONT = "title: Costly\ndate: 2025-01-01T10:00:00Z"
BODY_LINE = 6  # the first body line of `article(FRONT, body)`


def run_both(root: Path, run_cli: Callable[..., Run]) -> list[Run]:
    """`check`, then `build`, each with a limit that only a hang reaches."""
    results = []
    for command in ("check", "build"):
        with time_limit(120):
            results.append(
                run_cli(command, "--root", root, *(("--jobs", "1"))[: 2 * (command == "build")])
            )
    return results


def assert_refused(
    tmp_path: Path,
    run_cli: Callable[..., Run],
    text: str,
    line: int,
    message: str,
    settings: str = "",
) -> None:
    root = make_site(tmp_path / "site", {"a.md": text}, SITE_YAML + settings)
    for result in run_both(root, run_cli):
        assert result.status == 1, result.err
        [located] = assert_located_errors(result.err)
        assert f"content/a.md:{line}: {message}" in located, located
    assert not (root / "output").exists()


def assert_builds(
    tmp_path: Path, run_cli: Callable[..., Run], text: str, settings: str = ""
) -> None:
    root = make_site(tmp_path / "site", {"a.md": text}, SITE_YAML + settings)
    for result in run_both(root, run_cli):
        assert result.status == 0, result.err
    assert (root / "output" / "2025/01/01/costly/index.html").is_file()


def test_too_many_tags_are_refused(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """1,000 tags took 132 s and wrote 103 MB: every tag page lists all the article's tags."""
    tags = ", ".join(f"t{n}" for n in range(1000))
    message = "1,000 tags on one article; at most 50 are allowed"
    assert_refused(tmp_path, run_cli, article(f"{FRONT}\ntags: [{tags}]"), 4, message)


def test_the_most_tags_allowed_build(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    tags = ", ".join(f"t{n}" for n in range(limits.MAX_TAGS_PER_ARTICLE))
    assert_builds(tmp_path, run_cli, article(f"{FRONT}\ntags: [{tags}, T0, ' t1 ']"))


@pytest.mark.parametrize("engine", ["python-markdown", "cmark"])
def test_unclosed_html_nesting_is_refused(
    engine: str, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    """120,000 unclosed `<div>`s took 36 s in the sanitiser's HTML parser."""
    text = article(FRONT, "Intro.\n\n" + "<div>" * 120_000)
    message = "the body nests elements more than 256 levels deep"
    assert_refused(tmp_path, run_cli, text, BODY_LINE + 2, message, f"markdown_engine: {engine}\n")


def test_deep_but_closed_html_builds(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    depth = limits.MAX_HTML_DEPTH - 2
    body = ("<div>" * depth + "deep" + "</div>" * depth + "\n\n") * 200 + "<p>a<p>b<li>c\n" * 300
    assert_builds(tmp_path, run_cli, article(FRONT, body))


def test_too_many_abbreviations_are_refused(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """8,000 definitions took 35 s in Python-Markdown's abbreviation extension."""
    body = "HTML and CSS.\n\n" + "\n".join(f"*[A{n}]: x" for n in range(8000))
    line = BODY_LINE + 2 + limits.MAX_ABBREVIATIONS
    assert_refused(tmp_path, run_cli, article(FRONT, body), line, "more than 200 abbreviation")


def test_the_most_abbreviations_allowed_build(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    body = "A0 and A1.\n\n" + "\n".join(f"*[A{n}]: x" for n in range(limits.MAX_ABBREVIATIONS))
    assert_builds(tmp_path, run_cli, article(FRONT, body))


@pytest.mark.parametrize(
    "body",
    ['<div markdown="1">\n' * 1000 + "x\n" + "</div>\n" * 1000, "* " * 10_000 + "x"],
    ids=["div-markdown-1000", "list-10000"],
)
def test_nesting_that_exhausts_the_renderer_is_refused(
    body: str, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    """These raised RecursionError (a traceback) in Python-Markdown."""
    message = "the body nests lists, quotes or `<div markdown>` blocks too deeply to render"
    assert_refused(tmp_path, run_cli, article(FRONT, body), BODY_LINE, message)


def test_nesting_real_articles_use_builds(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    body = "".join("    " * level + "- level\n" for level in range(12))
    body += (
        "\n\n" + "> " * 20 + "quoted\n\n" + '<div markdown="1">\n' * 8 + "*x*\n" + "</div>\n" * 8
    )
    assert_builds(tmp_path, run_cli, article(FRONT, body))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[a](" * 20_000, "this paragraph has too many `[`, `(`, `<` or backquotes left open"),
        ("[a](\n" * 20_000, "this paragraph has too many `[`, `(`, `<` or backquotes left open"),
        ("<a " * 20_000, "this paragraph has too many `[`, `(`, `<` or backquotes left open"),
        (" ".join("`" * k for k in range(1, 1000)), "this paragraph has too many"),
        ("\n".join("~~~" + "~" * k for k in range(1000)), "too many code fences"),
        ("- x\n" + ("    - " + "y" * 60 + "\n") * 35_000, "this list item goes on for too many"),
        ("".join("    " * n + "- x\n" for n in range(1200)), "this list item goes on for too many"),
    ],
    ids=["links", "links-on-lines", "html", "backquote-runs", "fences", "long-item", "indented"],
)
def test_rescans_python_markdown_would_take_minutes_over_are_refused(
    body: str, message: str, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    assert_refused(tmp_path, run_cli, article(FRONT, body), BODY_LINE, message)


@pytest.mark.parametrize(
    "body",
    ["[a](" * 20_000, "<div>" * 2000 + "</div>" * 2000, " ".join("`" * k for k in range(1, 1000))],
    ids=["links", "html", "backquote-runs"],
)
def test_cmark_reads_what_python_markdown_cannot(
    body: str, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    """cmark is linear: the hint's advice holds (deep HTML is still refused, for nh3)."""
    text = article(FRONT, body)
    if body.startswith("<div>"):
        message = "the body nests elements more than"
        assert_refused(tmp_path, run_cli, text, BODY_LINE, message, "markdown_engine: cmark\n")
    else:
        assert_builds(tmp_path, run_cli, text, "markdown_engine: cmark\n")


def test_link_heavy_prose_and_code_build(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """A round-up of 500 links in one list, long paragraphs full of links and brackets, and
    code with comparisons stay well inside the limits."""
    roundup = "\n".join(
        f"- [Story {n} (part {n % 3})](https://e.example/{n}) [sic]" for n in range(500)
    )
    paragraph = " ".join(
        f"See [this](https://e.example/{n} 'x') (and `code {n}`)." for n in range(300)
    )
    code = "```\n" + "\n".join(f"if (a[{n}] < b) {{ x = `y`; }}" for n in range(500)) + "\n```"
    fences = "\n\n".join(f"~~~python\nprint({n})\n~~~" for n in range(150))
    body = "\n\n".join([roundup, paragraph, code, fences, "An unclosed [bracket and (paren."])
    assert_builds(tmp_path, run_cli, article(FRONT, body))


def test_a_refused_body_leaves_the_next_article_intact() -> None:
    """Articles share a Python-Markdown converter per process; one stopped halfway by the
    nesting limit kept state that cost the next article its links and heading ids."""
    from generator.build.article import parse_article
    from generator.build.config import ParseSettings

    settings = ParseSettings()
    fine = article(FRONT, "See [the talks](#budget-talks).\n\n## Budget talks\n\nText.")
    for body in ('<div markdown="1">\n' * 1000 + "x\n" + "</div>\n" * 1000, "* " * 10_000 + "x"):
        deep = article(FRONT, body)
        assert isinstance(parse_article(deep.encode(), "deep.md", settings), list)
        parsed = parse_article(fine.encode(), "fine.md", settings)
        assert '<a href="#budget-talks"' in parsed.body_html, parsed.body_html
        assert '<h2 id="budget-talks">' in parsed.body_html, parsed.body_html
