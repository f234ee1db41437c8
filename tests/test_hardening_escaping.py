"""Issue 6, points 1 and 8: hostile titles and summaries are text everywhere a reader meets
them, and template syntax inside content is printed, never run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from conftest import Run, page_file, parse_html, text_of
from hostile.helpers import article, html_errors, make_site, parse_xml

TITLE = "</title><script>alert(1)</script>"
SUMMARY = 'a" onmouseover="alert(2)'
SITE_TITLE = "Digest </title><script>alert(3)</script> & Co"
TEMPLATE_TITLE = "{{ 7 * 7 }} and {% include 'base.html' %}"
TEMPLATE_BODY = (
    "Price: {{ 6 * 7 }} dollars; {{ config.base_url }}; {% include 'base.html' %}; "
    "{% for x in range(3) %}loop{% endfor %}; {# comment #}"
)
HOSTILE_YAML = (
    f"title: {SITE_TITLE!r}\n"
    "description: 'desc\" onload=\"alert(4)'\n"
    "base_url: https://h.example.org/\n"
    "timezone: UTC\n"
    "author: '<img src=x onerror=alert(5)>'\n"
    "menu:\n  - title: '<b>Menu</b>'\n    url: '/tags/'\n"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.__main__ import main

    root = make_site(
        tmp_path_factory.mktemp("escaping") / "site",
        {
            "hostile.md": article(
                f"title: {TITLE!r}\nsummary: {SUMMARY!r}\ndate: 2025-03-02T10:00:00Z\n"
                "tags: [Hostile, '\"><svg onload=alert(6)>']\nauthor: '<i>Mallory</i>'\n"
                "publisher: '</a><script>alert(7)</script>'",
                "A body paragraph.",
            ),
            "older.md": article("title: Older story\ndate: 2025-03-01T10:00:00Z\ntags: [Hostile]"),
            "template.md": article(
                f"title: {TEMPLATE_TITLE!r}\nsummary: '{{{{ config }}}}'\ndate: 2025-03-03T10:00:00Z",
                TEMPLATE_BODY,
            ),
        },
        HOSTILE_YAML,
    )
    assert main(["build", "--root", str(root)]) == 0
    return root / "output"


def hostile_page(output: Path) -> Path:
    return output / "2025/03/02/title-script-alert-1-script/index.html"


def all_pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def test_every_page_is_valid_html_without_injected_elements(built: Path) -> None:
    pages = all_pages(built)
    assert len(pages) > 10
    for path in pages:
        assert html_errors(path) == [], path
        doc = parse_html(path)
        for script in doc.iter("script"):
            # Only the theme's own scripts: JSON-LD and the search page's script file.
            assert script.get("type") == "application/ld+json" or script.get("src"), path
            assert "alert" not in (script.get("src") or ""), path
        for element in doc.iter():
            assert element.tag not in {"svg", "img", "iframe"}, (path, element.tag)
            for name in element.attrib:
                assert not name.lower().startswith("on"), (path, element.tag, name)


def test_title_and_summary_are_text_in_the_head(built: Path) -> None:
    doc = parse_html(hostile_page(built))
    assert text_of(doc.find(".//head/title")) == f"{TITLE} · {SITE_TITLE}"
    assert text_of(doc.find(".//main//h1")) == TITLE
    meta = {m.get("name") or m.get("property"): m.get("content") for m in doc.iter("meta")}
    assert meta["description"] == SUMMARY
    assert meta["og:title"] == TITLE
    assert meta["og:description"] == SUMMARY
    assert meta["og:site_name"] == SITE_TITLE
    assert '"><svg onload=alert(6)>' in [
        m.get("content") for m in doc.iter("meta") if m.get("property") == "article:tag"
    ]


def test_json_ld_cannot_close_its_script_element(built: Path) -> None:
    raw = hostile_page(built).read_text(encoding="utf-8")
    start = raw.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    payload = raw[start : raw.index("</script>", start)]
    # tojson escapes < > & ' so neither </script> nor <!-- can appear inside.
    assert "<" not in payload and ">" not in payload and "&" not in payload
    data = json.loads(payload)
    assert data["headline"] == TITLE
    assert data["description"] == SUMMARY
    assert data["publisher"]["name"] == SITE_TITLE
    assert '"><svg onload=alert(6)>' in data["keywords"]


def test_listings_show_the_title_as_link_text(built: Path) -> None:
    listings = [built / "index.html", built / "2025/03/02/index.html", built / "2025/03/index.html"]
    listings.append(built / "tags/hostile/index.html")
    for path in listings:
        doc = parse_html(path)
        texts = [text_of(a) for a in doc.iter("a")]
        assert TITLE in texts, path
    edition = parse_html(built / "2025/03/02/index.html")
    summaries = [text_of(p) for p in edition.iter("p") if p.get("class") == "summary"]
    assert SUMMARY in summaries
    # The neighbour's "newer/older" link shows the title as text too.
    older = parse_html(built / "2025/03/01/older-story/index.html")
    assert any(TITLE in text_of(a) for a in older.iter("a"))


def test_names_from_front_matter_and_site_yaml_are_text(built: Path) -> None:
    doc = parse_html(hostile_page(built))
    body = text_of(doc.find(".//body"))
    assert "by <i>Mallory</i>" in body
    assert "</a><script>alert(7)</script>" in body
    assert "<b>Menu</b>" in [text_of(a) for a in doc.iter("a")]
    tags = parse_html(built / "tags/index.html")
    assert '"><svg onload=alert(6)>' in [text_of(a) for a in tags.iter("a")]


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml", "tags/hostile/atom.xml"])
def test_feeds_carry_the_exact_text(built: Path, name: str) -> None:
    parse_xml(built / name)
    feed = feedparser.parse((built / name).read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    entry = next(e for e in feed.entries if "alert(1)" in e.title)
    assert entry.title == TITLE
    assert entry.summary == SUMMARY
    if not name.startswith("tags"):
        assert feed.feed.title == SITE_TITLE


def test_search_index_and_sitemap_stay_well_formed(built: Path) -> None:
    sitemaps = sorted(built.glob("sitemap*.xml"))
    assert len(sitemaps) >= 3  # the index, the other pages, a month of articles
    for path in sitemaps:
        parse_xml(path)
    titles = [
        entry["t"]
        for path in built.glob("search/index/*.json")
        for entry in json.loads(path.read_text(encoding="utf-8"))["articles"]
    ]
    assert TITLE in titles
    manifest = json.loads((built / "search-index.json").read_text(encoding="utf-8"))
    assert '"><svg onload=alert(6)>' in [name for name, _url in manifest["tags"]]


def test_template_syntax_in_content_is_printed_literally(built: Path) -> None:
    path = built / "2025/03/03/7-7-and-include-base-html/index.html"
    doc = parse_html(path)
    assert text_of(doc.find(".//main//h1")) == TEMPLATE_TITLE
    body = text_of(doc.find(".//main//div[@class='body']"))
    assert "{{ 6 * 7 }}" in body and "42" not in body
    assert "{{ config.base_url }}" in body and "https://h.example.org/" not in body
    assert "{% include 'base.html' %}" in body
    assert "{% for x in range(3) %}loop{% endfor %}" in body and "looploop" not in body
    assert "{# comment #}" in body
    meta = {m.get("name"): m.get("content") for m in doc.iter("meta")}
    assert meta["description"] == "{{ config }}"
    # An included base.html would bring a second <html>/<header>; there is exactly one.
    assert len(list(doc.iter("header"))) == 2  # the site header and the article's own
    feed = feedparser.parse((built / "atom.xml").read_bytes())
    assert TEMPLATE_TITLE in [entry.title for entry in feed.entries]


def test_check_accepts_the_hostile_site(
    built: Path, run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    """Hostile text is content, not an error: `check` says OK too."""
    root = built.parent
    result = run_cli("check", "--root", root)
    assert result.status == 0, result.err
    assert page_file(built, "/2025/03/02/title-script-alert-1-script/").is_file()
