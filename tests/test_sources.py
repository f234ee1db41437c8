"""Sources: every publisher that reported a story gets a page and feeds, and each article
lists its coverage: who reported it, with links to the reports and to the source pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from conftest import Run, parse_html, text_of
from hostile.helpers import article, make_site

from generator.__main__ import main
from generator.build.article import Article
from generator.build.blobs import Blob
from generator.build.site import reporters


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(
        tmp_path_factory.mktemp("sources") / "site",
        {
            "a.md": article(
                "title: Ferry fares rise\ndate: 2025-03-02T10:00:00Z\npublisher: Harbour Times\n"
                "original_url: https://times.example.com/fares\nalso_reported_by:\n"
                "  - publisher: Coast Radio\n    url: https://radio.example.net/fares\n"
                "    date: 2025-03-02\n  - publisher: harbour times\n"
            ),
            "b.md": article(
                "title: Bridge closes\ndate: 2025-03-01T10:00:00Z\npublisher: Coast Radio"
            ),
            "c.md": article("title: No source\ndate: 2025-02-28T10:00:00Z"),
        },
    )
    assert main(["build", "--root", str(root)]) == 0
    return root / "output"


def test_the_sources_page_lists_every_publisher_with_its_count(output: Path) -> None:
    items = [text_of(li) for li in parse_html(output / "sources" / "index.html").iter("li")]
    assert "Coast Radio (2)" in items
    assert "Harbour Times (1)" in items  # one source however it is spelt
    assert not (output / "sources" / "harbour-times-2").exists()


def test_each_source_has_a_page_of_its_stories_and_feeds(output: Path) -> None:
    page = parse_html(output / "sources" / "coast-radio" / "index.html")
    titles = [text_of(h2) for h2 in page.iter("h2")]
    assert titles == ["Ferry fares rise", "Bridge closes"]
    for name in ("atom.xml", "rss.xml"):
        feed = feedparser.parse((output / "sources" / "coast-radio" / name).read_bytes())
        assert not feed.bozo
        assert [entry.title for entry in feed.entries] == ["Ferry fares rise", "Bridge closes"]
    assert (output / "sources" / "coast-radio" / "feed.json").is_file()


def test_an_article_lists_its_coverage(output: Path) -> None:
    page = parse_html(output / "2025" / "03" / "02" / "ferry-fares-rise" / "index.html")
    [section] = [s for s in page.iter("section") if s.get("class") == "coverage"]
    links = {a.get("href"): text_of(a) for a in section.iter("a")}
    assert links["https://times.example.com/fares"] == "Harbour Times"
    assert links["https://radio.example.net/fares"] == "Coast Radio"
    assert links["/sources/coast-radio/"] == "all stories from Coast Radio"
    assert "March 2, 2025" in text_of(section)  # the front matter's 2025-03-02, by Babel


def test_a_theme_without_source_templates_builds_without_source_pages(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(
        tmp_path / "site",
        {"a.md": article("title: A\ndate: 2025-03-02T10:00:00Z\npublisher: Harbour Times")},
        "title: T\nbase_url: https://t.example/\ntheme: plain\n",
    )
    templates = root / "themes" / "plain" / "templates"
    templates.mkdir(parents=True)
    for name in ("index", "article", "tags", "tag", "edition", "month", "year", "404"):
        (templates / f"{name}.html").write_text("<p>{{ page.title }}</p>\n", encoding="utf-8")
    assert run_cli("build", "--root", root).status == 0
    assert not (root / "output" / "sources").exists()


@pytest.mark.parametrize(
    ("publisher", "extra", "expected"),
    [
        ("Harbour Times", (), ["Harbour Times"]),
        ("", (), []),
        (" \t\u3000", (), []),  # only whitespace, an ideographic space included
        ("", (("also_reported_by", "Coast Radio"),), []),  # not a list: not read
        (
            " ",
            (("also_reported_by", [{"publisher": "Coast Radio"}, {"publisher": "  "}, "x"]),),
            ["Coast Radio"],
        ),
    ],
)
def test_the_publishers_of_an_article_are_its_own_then_the_others_not_blank(
    publisher: str, extra: tuple[tuple[str, object], ...], expected: list[str]
) -> None:
    story = Article(
        source="content/a.md",
        slug="a",
        title="A",
        date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        updated=None,
        tags=(),
        summary_utf8=Blob.held(b""),
        body_utf8=Blob.held(b""),
        digest="cd" * 20,
        publisher=publisher,
        extra_items=extra,
    )
    assert reporters(story) == expected
