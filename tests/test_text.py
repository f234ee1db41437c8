"""The plain text of rendered articles: summaries read as the page does."""

from __future__ import annotations

import pytest

from generator.core.text import html_to_text, lede


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>the new <em>budget</em>, officials said.</p>", "the new budget, officials said."),
        ('<p>Read <a href="/x/">the report</a>; it is long.</p>', "Read the report; it is long."),
        ("<p>H<sub>2</sub>O and E=mc<sup>2</sup>.</p>", "H2O and E=mc2."),
        ("<p>one</p><p>two</p>", "one two"),  # blocks still stand apart
        ("<p>line<br>next</p>", "line next"),
        ("<ul><li>a</li><li>b</li></ul>", "a b"),
    ],
)
def test_inline_markup_leaves_no_space_before_punctuation(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_the_summary_of_a_paragraph_with_markup_keeps_its_punctuation() -> None:
    html = "<p>The council approved <strong>the budget</strong>, <em>narrowly</em>. More later.</p>"
    assert lede(html, 60) == "The council approved the budget, narrowly. More later."


def test_a_slug_fits_a_file_name_whatever_the_script() -> None:
    from generator.core.urls import MAX_SLUG_BYTES, slugify

    for title in ("𝔞" * 90, "日本語の見出し " * 20, "word " * 40, "𐌰𐌱𐌲 " * 40):
        slug = slugify(title)
        assert slug and len(slug.encode("utf-8")) <= MAX_SLUG_BYTES, title[:10]
        assert slug == slugify(slug)  # stable: a slug slugifies to itself
    assert slugify("Market hall reopens") == "market-hall-reopens"
