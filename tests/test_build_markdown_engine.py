"""The Markdown engine is Python-Markdown unless site.yaml asks for cmark; either way the
body is sanitised, and a bad engine or extension name is a site.yaml error."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import cmarkgfm
import html5lib
import markdown
import pytest
from conftest import REPO, Run, page_file, parse_html
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build.cmark import add_heading_ids, gfm_to_html

BODY = "| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))\n"


def _site_with(root: Path, setting: str) -> None:
    (root / "site.yaml").write_text(
        (root / "site.yaml").read_text(encoding="utf-8") + setting, encoding="utf-8"
    )
    (root / "content" / "table.md").write_text(
        f"---\ntitle: Table story\ndate: 2025-03-01\n---\n\n{BODY}", encoding="utf-8"
    )


def test_cmark_engine_renders_tables_and_stays_sanitised(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    _site_with(root, "\nmarkdown_engine: cmark\n")
    assert run_cli("build", "--root", root).status == 0
    page = parse_html(page_file(root / "output", "/2025/03/01/table-story/"))
    assert page.find(".//table//td") is not None
    assert page.find(".//script[@type!='application/ld+json']") is None
    assert all("javascript:" not in (a.get("href") or "") for a in page.iter("a"))


def test_unknown_engine_is_reported_with_its_line(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    _site_with(root, "\nmarkdown_engine: commonmark-turbo\n")
    result = run_cli("build", "--root", root)
    assert result.status == 1
    assert "site.yaml:" in result.err and "unknown markdown_engine 'commonmark-turbo'" in result.err


def test_unknown_markdown_extension_is_a_config_error(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    _site_with(root, "\nmarkdown_extensions: [extra, no_such_extension]\n")
    result = run_cli("check", "--root", root)
    assert result.status == 1
    assert "cannot load Markdown extensions" in result.err
    assert "Traceback" not in result.err


def test_cmark_engine_gives_cmarkgfms_html_and_frees_what_cmarkgfm_leaks() -> None:
    """newsdigest calls cmark-gfm itself because cmarkgfm's wrapper never frees the tree or
    the HTML (~30 KB an article): same HTML, and memory that stays put."""
    texts = [BODY, "# Title\n\n~~gone~~ www.example.com\n\n- [x] done\n", "plain *text* é"]
    texts += [path.read_text(encoding="utf-8") for path in sorted((REPO / "content").rglob("*.md"))]
    for text in texts:
        expected = cmarkgfm.github_flavored_markdown_to_html(
            text, options=cmarkgfm.Options.CMARK_OPT_UNSAFE | cmarkgfm.Options.CMARK_OPT_FOOTNOTES
        )
        assert gfm_to_html(text) == add_heading_ids(expected)
    long_text = "\n\n".join(
        f"Paragraph {n} with *emphasis* and a | table | cell." for n in range(300)
    )
    gfm_to_html(long_text)
    before = _resident_bytes()
    for _ in range(3000):
        gfm_to_html(long_text)
    assert _resident_bytes() - before < 20 * 2**20  # cmarkgfm's own wrapper: ~150 MB here


def _resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


HEADINGS = (
    "# Budget talks\n\n## Budget talks\n\n### Budget talks_1\n\n## Budget talks\n\n"
    "## Zürich & the *Ferry* `timetable`\n\n## Pages 1–3: “quotes”, (brackets) & ünïcödé\n\n"
    "## Harbour[^1] works\n\n#\n\n## 2026\n\n###### Deep one\n\nText.\n\n[^1]: A note.\n"
)


def _heading_ids(fragment: str) -> list[tuple[str, str | None]]:
    tree = html5lib.parse(fragment, namespaceHTMLElements=False)
    return [
        (element.tag, element.get("id"))
        for element in tree.iter()
        if element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}
    ]


def test_cmark_gives_headings_the_ids_python_markdown_gives() -> None:
    """A site that switches engines keeps its `#heading` links: same ids, same de-duplication."""
    expected = markdown.Markdown(extensions=["extra", "sane_lists", "toc"]).convert(HEADINGS)
    ids = _heading_ids(gfm_to_html(HEADINGS))
    assert ids == _heading_ids(expected)
    assert ("h2", "budget-talks_1") in ids and ("h2", "zurich-the-ferry-timetable") in ids


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcXYZ éüßø019 .,:;!?'()-–", min_size=1), max_size=6))
def test_heading_ids_match_python_markdown_for_any_plain_heading(titles: list[str]) -> None:
    text = "".join(f"## {title}\n\nParagraph.\n\n" for title in titles)
    expected = markdown.Markdown(extensions=["extra", "sane_lists", "toc"]).convert(text)
    assert _heading_ids(gfm_to_html(text)) == _heading_ids(expected)


@pytest.mark.parametrize("engine", ["python-markdown", "cmark"])
def test_every_in_page_link_of_an_article_finds_its_target(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run], engine: str
) -> None:
    """Footnote marks, back-links and heading anchors all land somewhere, with either engine."""
    root = site_copy("basic")
    (root / "site.yaml").write_text(
        (root / "site.yaml").read_text(encoding="utf-8") + f"\nmarkdown_engine: {engine}\n",
        encoding="utf-8",
    )
    (root / "content" / "notes.md").write_text(
        "---\ntitle: Notes story\ndate: 2025-03-01\n---\n\n"
        "See [the budget](#budget-talks).\n\n## Budget talks\n\n"
        "The port[^port] and the council[^council] disagree.\n\n"
        "[^port]: Port authority statement.\n[^council]: Council minutes.\n",
        encoding="utf-8",
    )
    assert run_cli("build", "--root", root).status == 0
    page = parse_html(page_file(root / "output", "/2025/03/01/notes-story/"))
    ids = {element.get("id") for element in page.iter() if element.get("id")}
    anchors = [a.get("href")[1:] for a in page.iter("a") if (a.get("href") or "").startswith("#")]
    footnote_links = [name for name in anchors if name != "budget-talks" and name in ids]
    assert "budget-talks" in anchors and "budget-talks" in ids
    assert len(footnote_links) >= 4  # two marks and two links back
    assert [name for name in anchors if name not in ids] == []
