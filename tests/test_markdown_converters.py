"""The default engine leaves out, per text, the Python-Markdown processors that text cannot
use (build/pymarkdown.py); the HTML must be what the full converter makes, byte for byte."""

from __future__ import annotations

from typing import Any

import markdown
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from generator.build.pymarkdown import Converters

DEFAULT = ("extra", "sane_lists", "toc")

# Pieces of Markdown that each wake one or more processors, and plain words between them.
PIECES = [
    *("word", "Zürich", " ", "  ", "\n", "\n\n", "\t", "\r\n", "    ", "1. ", "- ", "* ", "+ "),
    *("*", "**", "_", "__", "`", "``", "\\", "\\*", "[", "]", "(", ")", "!", "^", "<", ">", "&"),
    *("#", "## ", "=", "-", "---", ":", ": ", "|", "{", "}", "~", "~~~", "```", "@", "'", '"'),
    *("[link](http://example.org/a)", "![alt](/i.png)", "[ref]", "[ref]: /r", "<http://x.y>"),
    *("<a@b.c>", "&amp;", "&#169;", "<b>bold</b>", '<div markdown="1">', "</div>", "<!-- c -->"),
    *("[^1]", "[^1]: note", "*[HTML]: Hyper", "HTML", "{: .c #i}", "Term\n: Definition"),
    *("| a | b |\n|---|---|\n| 1 | 2 |", "> quote", "[TOC]", "```python\ncode\n```", "a  \nb"),
]


def full_html(extensions: tuple[str, ...], text: str) -> str:
    return markdown.Markdown(extensions=list(extensions), output_format="html").convert(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
@example("word\t\nnext")  # the tab becomes spaces, and the spaces a line break
@example("word  \r\nnext")
def test_the_html_is_the_full_converters_for_any_text(text: str) -> None:
    converters = Converters(DEFAULT)
    assert converters.for_text(text).convert(text) == full_html(DEFAULT, text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_one_converter_after_another_gives_each_text_its_own_html(text: str) -> None:
    """Variants are kept and reused: what one text leaves in a converter must not reach the
    next (footnotes, abbreviations, heading ids)."""
    converters = Converters(("extra", "toc", "smarty"))
    for first in ("[^1]\n\n[^1]: a", "*[HTML]: x\n\nHTML", "# A\n\n# A", text):
        converters.for_text(first).convert(first)
    assert converters.for_text(text).convert(text) == full_html(("extra", "toc", "smarty"), text)


def test_prose_with_links_and_emphasis_skips_what_it_cannot_use() -> None:
    """The point of the module: plain prose is not run through code, HTML or table
    processors (the HTML is the same; this only says the shortcut is taken)."""
    converters = Converters(DEFAULT)
    prose = converters.for_text("A *big* day in [Bern](https://example.org/).\n")
    assert "backtick" not in prose.inlinePatterns
    assert "html" not in prose.inlinePatterns
    assert "table" not in prose.parser.blockprocessors
    assert "link" in prose.inlinePatterns and "em_strong" in prose.inlinePatterns
    code = converters.for_text("Run `make` | <b>now</b>\n")
    assert "backtick" in code.inlinePatterns and "html" in code.inlinePatterns
    assert "table" in code.parser.blockprocessors


class _Stars(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return [line.replace(":star:", "*star*") for line in lines]


class StarExtension(Extension):
    """A third-party extension that writes Markdown the source did not contain."""

    def extendMarkdown(self, md: Any) -> None:  # noqa: N802 (Python-Markdown's name)
        md.preprocessors.register(_Stars(md), "stars", 27)


def test_a_third_party_processor_turns_the_shortcut_off() -> None:
    extensions = ("extra", "test_markdown_converters:StarExtension")
    text = "A :star: day\n"
    html = Converters(extensions).for_text(text).convert(text)
    assert html == full_html(extensions, text) == "<p>A <em>star</em> day</p>"


def test_python_markdowns_own_extensions_are_found_without_reading_package_metadata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Looking names up among entry points reads every installed package's metadata (4 to
    20 ms a process); names of other extensions are still looked up that way."""
    text = "| a |\n|---|\n| 1 |\n\n*[A]: x\n\nA :star:\n"
    expected = full_html(DEFAULT, text)
    looked_up: list[str] = []

    def entry_points() -> list[Any]:
        looked_up.append("entry points")
        return []

    monkeypatch.setattr(markdown.util, "get_installed_extensions", entry_points)
    assert Converters(DEFAULT).for_text(text).convert(text) == expected
    assert looked_up == []
    Converters(("test_markdown_converters:StarExtension",)).for_text(text)
    assert looked_up  # one lookup per converter made
