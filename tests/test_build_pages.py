"""The pages a reader sees, parsed with a real HTML5 parser (html5lib)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Run, page_file, parse_html, text_of
from hostile.helpers import article, make_site

BASE = "https://test.example.org/news/"  # tests/sites/basic serves from a sub-folder
BASE_PATH = "/news/"


def page(output: Path, url_path: str) -> ET.Element:
    path = page_file(output, url_path, BASE_PATH)
    assert path.is_file(), url_path
    return parse_html(path)


def article_titles(doc: ET.Element) -> list[str]:
    return [text_of(h2) for h2 in doc.iterfind(".//ol[@class='article-list']/li/article/h2")]


def link(doc: ET.Element, rel: str, scope: str = ".//main") -> str | None:
    found = doc.find(f"{scope}//a[@rel='{rel}']")
    return None if found is None else found.get("href")


def html_pages(output: Path) -> list[Path]:
    """The web pages (an edition's e-mail is HTML, but no page of the site)."""
    return sorted(path for path in output.rglob("*.html") if path.name != "email.html")


# --- the front page -------------------------------------------------------------------------


def test_the_front_page_is_a_digest_of_the_latest_edition(basic_output: Path) -> None:
    first = page(basic_output, "/news/")
    lead = first.find(".//main/section[@class='edition-lead']")
    assert "March 4, 2025" in text_of(lead.find("p[@class='kicker']"))  # CLDR `en`
    assert text_of(lead.find("article/h1")) == "Market hall reopens"  # the only story that day
    earlier = first.find(".//main/section[@class='earlier-editions']")
    days = [text_of(h3) for h3 in earlier.iter("h3")]
    assert days[0].startswith("Sunday, March 2, 2025")
    headlines = [text_of(a) for a in earlier.iter("a")]
    assert "Storm closes coastal road" in headlines
    for anchor in first.iterfind(".//main//a"):
        assert page_file(basic_output, anchor.get("href"), BASE_PATH).is_file(), anchor.get("href")


def test_index_is_paginated_from_the_oldest(basic_output: Path) -> None:
    # Five articles, two a page: page 1 holds the two oldest, page 2, the newest page, the
    # other three (it takes the rest, so it is never nearly empty). The front page before
    # them is the digest.
    first = page(basic_output, "/news/")
    assert link(first, "prev") is None
    assert link(first, "next") == "/news/page/2/"
    newest = page(basic_output, "/news/page/2/")
    assert article_titles(newest)[-1] == "Library extends opening hours"
    assert len(article_titles(newest)) == 3
    assert (link(newest, "prev"), link(newest, "next")) == ("/news/", "/news/page/1/")
    oldest = page(basic_output, "/news/page/1/")
    assert article_titles(oldest) == [
        "Harbour ferry gets a new timetable",
        "Council debates the budget",
    ]
    assert link(oldest, "prev") == "/news/page/2/"
    assert link(oldest, "next") is None
    assert text_of(oldest.find(".//main/h1")) == "Latest news, page 1"
    assert not (basic_output / "page" / "3").exists()


def test_index_summaries_and_dates(basic_output: Path) -> None:
    doc = page(basic_output, "/news/page/1/")
    item = doc.findall(".//ol[@class='article-list']/li/article")[-1]
    assert text_of(item.find(".//p[@class='summary']")) == "The council argued about money."
    assert item.find(".//time").get("datetime") == "2025-02-27T12:00:00+00:00"


def test_drafts_and_future_articles_are_not_published(basic_output: Path) -> None:
    everything = "".join(p.read_text(encoding="utf-8") for p in basic_output.rglob("*.*ml"))
    assert "Unfinished story" not in everything
    assert "lighthouse" not in everything


# --- article pages ---------------------------------------------------------------------------

FERRY = "/news/2025/03/01/harbour-ferry-gets-a-new-timetable/"


def test_article_page(basic_output: Path) -> None:
    doc = page(basic_output, FERRY)
    article = doc.find(".//main/article")
    assert text_of(article.find("header/h1")) == "Harbour ferry gets a new timetable"
    times = article.findall("header//time")
    assert [t.get("datetime") for t in times] == ["2025-03-01T08:00:00+01:00"]
    assert "1 min read" in text_of(article.find("header/p[@class='meta']"))
    assert "by Ada Lovelace" in text_of(article.find("header/p[@class='meta']"))
    tags = article.findall("header/ul[@class='tags']/li/a")
    assert [(text_of(a), a.get("href")) for a in tags] == [
        ("Transport", "/news/tags/transport/"),
        ("City Hall", "/news/tags/city-hall/"),
    ]
    for anchor in tags:
        assert page_file(basic_output, anchor.get("href"), BASE_PATH).is_file()
    source = article.find("section[@class='coverage']/ul/li/a")
    assert source.get("href") == "https://courier.example.com/ferry-timetable"
    assert text_of(source) == "Coast Courier"
    assert "twenty minutes" in text_of(article.find("div[@class='body']"))


def test_article_prev_next_follow_the_date_order(basic_output: Path) -> None:
    doc = page(basic_output, FERRY)
    newer, older = link(doc, "next"), link(doc, "prev")
    assert newer == "/news/2025/03/01/library-extends-opening-hours/"
    assert older == "/news/2025/02/27/council-debates-the-budget/"
    for href in (newer, older):
        assert page_file(basic_output, href, BASE_PATH).is_file()
    newest = page(basic_output, "/news/2025/03/04/market-hall-reopens/")
    assert link(newest, "next") is None
    oldest = page(basic_output, "/news/2025/02/27/council-debates-the-budget/")
    assert link(oldest, "prev") is None


def test_updated_article_shows_both_dates(basic_output: Path) -> None:
    doc = page(basic_output, "/news/2025/03/02/storm-closes-coastal-road/")
    times = doc.findall(".//main/article/header//time")
    assert [t.get("datetime") for t in times] == [
        "2025-03-02T07:15:00+01:00",
        "2025-03-03T09:00:00+01:00",
    ]
    modified = doc.find(".//head/meta[@property='article:modified_time']")
    assert modified.get("content") == "2025-03-03T09:00:00+01:00"


def test_article_json_ld(basic_output: Path) -> None:
    doc = page(basic_output, "/news/2025/03/02/storm-closes-coastal-road/")
    scripts = doc.findall(".//head/script[@type='application/ld+json']")
    assert len(scripts) == 1
    data = json.loads(scripts[0].text)
    assert data["@type"] == "NewsArticle"
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Storm closes coastal road"
    assert data["datePublished"] == "2025-03-02T07:15:00+01:00"
    assert data["dateModified"] == "2025-03-03T09:00:00+01:00"
    assert data["mainEntityOfPage"] == BASE + "2025/03/02/storm-closes-coastal-road/"
    assert data["isBasedOn"] == "https://courier.example.com/storm"
    assert data["keywords"] == ["Weather", "Transport"]


def test_article_with_several_authors(basic_output: Path) -> None:
    doc = page(basic_output, "/news/2025/03/01/library-extends-opening-hours/")
    assert "by Grace Hopper, Alan Turing" in text_of(doc.find(".//main/article/header"))
    data = json.loads(doc.find(".//script[@type='application/ld+json']").text)
    assert data["author"] == ["Grace Hopper", "Alan Turing"]


# --- tags ----------------------------------------------------------------------------------


def test_tag_index_lists_every_tag_with_its_count(basic_output: Path) -> None:
    doc = page(basic_output, "/news/tags/")
    items = doc.findall(".//ul[@class='tag-index']/li")
    found = [
        (text_of(li.find("a")), li.find("a").get("href"), text_of(li.find("span"))) for li in items
    ]
    # "culture"/"Culture", "transport"/"Transport" and "City  Hall"/"City Hall" are one tag each.
    assert found == [
        ("City Hall", "/news/tags/city-hall/", "(3)"),
        ("Culture", "/news/tags/culture/", "(2)"),
        ("Transport", "/news/tags/transport/", "(3)"),
        ("Weather", "/news/tags/weather/", "(1)"),
    ]


def _tagged_site(root: Path, count: int) -> Path:
    """A site of `count` articles tagged Transport, one a day, two a listing page."""
    site_yaml = "title: T\nbase_url: https://t.example.org/\ntimezone: UTC\nper_page: 2\n"
    stories = {
        f"2025/03/{day:02d}-story-{day}.md": article(
            f"title: Story {day}\ndate: 2025-03-{day:02d}T09:00:00Z\ntags: [Transport]"
        )
        for day in range(1, count + 1)
    }
    return make_site(root, stories, site_yaml)


def test_tag_pages_are_paginated_from_the_oldest(tmp_path: Path, run_cli: Run) -> None:
    root = _tagged_site(tmp_path / "site", 7)
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    newest = page_file(output, "/tags/transport/", "/")
    assert article_titles(parse_html(newest)) == ["Story 7", "Story 6", "Story 5"]
    assert link(parse_html(newest), "next") == "/tags/transport/page/2/"
    assert "7 articles" in text_of(parse_html(newest).find(".//main/p"))
    second = parse_html(page_file(output, "/tags/transport/page/2/", "/"))
    assert article_titles(second) == ["Story 4", "Story 3"]
    assert (link(second, "prev"), link(second, "next")) == (
        "/tags/transport/",
        "/tags/transport/page/1/",
    )
    oldest = parse_html(page_file(output, "/tags/transport/page/1/", "/"))
    assert article_titles(oldest) == ["Story 2", "Story 1"]
    assert "Transport: page 1" in text_of(oldest.find(".//title"))
    assert "articles" not in text_of(oldest.find(".//main/p"))  # the count grows: newest page only
    assert link(oldest, "next") is None
    assert not (output / "tags" / "transport" / "page" / "3").exists()


def test_an_older_listing_page_keeps_its_articles_and_its_url(tmp_path: Path, run_cli: Run) -> None:
    """A bookmark of an older page still shows what it showed: a new article goes to the
    newest page, which takes up to 2 * per_page - 1 before a new page splits off."""
    root = _tagged_site(tmp_path / "site", 6)
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    older = ("/page/1/", "/page/2/", "/tags/transport/page/1/", "/tags/transport/page/2/")
    before = {url: page_file(output, url, "/").read_bytes() for url in older}
    (root / "content" / "2025" / "03" / "07-story-7.md").write_text(
        article("title: Story 7\ndate: 2025-03-07T09:00:00Z\ntags: [Transport]"), "utf-8"
    )
    assert run_cli("build", "--root", root).status == 0
    assert {url: page_file(output, url, "/").read_bytes() for url in older} == before
    newest = parse_html(page_file(output, "/tags/transport/", "/"))
    assert article_titles(newest) == ["Story 7", "Story 6", "Story 5"]


def test_tag_pages_link_their_own_feeds(basic_output: Path) -> None:
    doc = page(basic_output, "/news/tags/culture/")
    alternates = {
        (el.get("type"), el.get("href")) for el in doc.iterfind(".//head/link[@rel='alternate']")
    }
    assert ("application/atom+xml", "/news/tags/culture/atom.xml") in alternates
    assert ("application/rss+xml", "/news/tags/culture/rss.xml") in alternates
    assert ("application/atom+xml", "/news/atom.xml") in alternates


# --- editions and archives -----------------------------------------------------------------


def test_daily_edition_is_a_digest_of_that_days_articles(basic_output: Path) -> None:
    """The lead story (ranked first) under the edition's own title, then the others."""
    doc = page(basic_output, "/news/2025/03/01/")
    headlines = [
        text_of(story.find("h2" if story.get("class") == "lead" else "h3"))
        for story in doc.iter("article")
        if story.get("class") in ("lead", "story")
    ]
    assert headlines == ["Library extends opening hours", "Harbour ferry gets a new timetable"]
    assert doc.find(".//main//article[@class='lead']/h2") is not None
    assert doc.find(".//main/h1/time").get("datetime") == "2025-03-01"
    summaries = [text_of(p) for p in doc.iterfind(".//p[@class='summary']")]
    assert summaries[0] == "The central library will stay open until ten at night on Thursdays."
    assert link(doc, "next") == "/news/2025/03/02/"
    assert link(doc, "prev") == "/news/2025/02/27/"


def test_editions_chain_from_newest_to_oldest(basic_output: Path) -> None:
    url: str | None = "/news/2025/03/04/"
    seen = []
    while url is not None:
        seen.append(url)
        url = link(page(basic_output, url), "prev")
    assert seen == [
        "/news/2025/03/04/",
        "/news/2025/03/02/",
        "/news/2025/03/01/",
        "/news/2025/02/27/",
    ]
    assert link(page(basic_output, "/news/2025/03/04/"), "next") is None


def test_edition_day_is_the_site_timezone_day(basic_output: Path) -> None:
    """2025-03-01T18:30+01:00 and 08:00+01:00 are both 1 March in Europe/Berlin."""
    assert not (basic_output / "2025" / "02" / "28").exists()


def test_month_and_year_archives(basic_output: Path) -> None:
    march = page(basic_output, "/news/2025/03/")
    assert text_of(march.find(".//main/h1")) == "March 2025"
    days = [a.get("href") for a in march.iterfind(".//section[@class='archive-day']/h2/a")]
    assert days == ["/news/2025/03/04/", "/news/2025/03/02/", "/news/2025/03/01/"]
    assert "4 articles in 3 editions" in text_of(march.find(".//main/p[@class='meta']"))
    year = page(basic_output, "/news/2025/")
    months = [
        (text_of(li.find("a")), li.find("a").get("href"), text_of(li.find("span")))
        for li in year.iterfind(".//ul[@class='archive-months']/li")
    ]
    assert months == [("March", "/news/2025/03/", "(4)"), ("February", "/news/2025/02/", "(1)")]


def test_404_page(basic_output: Path) -> None:
    doc = parse_html(basic_output / "404.html")
    assert text_of(doc.find(".//main/h1")) == "Page not found"
    home = doc.find(".//main//a")
    assert home.get("href") == "/news/"


# --- every page's head ----------------------------------------------------------------------


def test_every_page_has_canonical_og_and_feed_links(basic_output: Path) -> None:
    pages = html_pages(basic_output)
    assert len(pages) >= 20
    for path in pages:
        doc = parse_html(path)
        head = doc.find("head")
        relative = path.relative_to(basic_output).as_posix()
        expected = BASE + (
            relative[: -len("index.html")] if relative.endswith("index.html") else relative
        )
        canonical = head.findall("link[@rel='canonical']")
        assert [c.get("href") for c in canonical] == [expected], relative
        og = {m.get("property"): m.get("content") for m in head.iterfind("meta[@property]")}
        assert og["og:url"] == expected, relative
        assert og["og:title"] and og["og:type"] in {"website", "article"}, relative
        assert og["og:site_name"] == "Basic Test Digest"
        feeds = {el.get("href") for el in head.iterfind("link[@rel='alternate']")}
        assert {"/news/atom.xml", "/news/rss.xml"} <= feeds, relative
        assert doc.get("lang") == "en"
        assert text_of(head.find("title"))


def test_article_pages_are_og_articles(basic_output: Path) -> None:
    doc = page(basic_output, FERRY)
    assert doc.find(".//head/meta[@property='og:type']").get("content") == "article"


# --- the example site: every internal link resolves ------------------------------------------


def _internal_targets(doc: ET.Element) -> list[str]:
    targets = []
    for element in doc.iter():
        for attribute in ("href", "src"):
            value = element.get(attribute)
            if value is None or value.startswith("#"):
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                if value.startswith("https://digest.example.org/"):
                    targets.append(parts.path)
                continue
            targets.append(parts.path)
    return targets


def test_example_site_has_no_broken_internal_links(example_output: Path) -> None:
    pages = html_pages(example_output)
    assert len(pages) > 30
    broken = []
    checked = 0
    for path in pages:
        for target in _internal_targets(parse_html(path)):
            assert target.startswith("/"), (path, target)  # no relative links
            checked += 1
            if not page_file(example_output, target).is_file():
                broken.append((path.relative_to(example_output).as_posix(), target))
    assert checked > 500
    assert broken == []


def test_example_site_shows_every_kind_of_page(example_output: Path) -> None:
    for relative in (
        "index.html",
        "page/1/index.html",
        "tags/index.html",
        "2026/index.html",
        "2026/11/index.html",
        "404.html",
        "atom.xml",
        "rss.xml",
        "sitemap.xml",
        "robots.txt",
        "style.css",
    ):
        assert (example_output / relative).is_file(), relative
    editions = [p for p in (example_output / "2026" / "11").iterdir() if p.is_dir()]
    assert len(editions) >= 5


@pytest.mark.parametrize("relative", ["index.html", "tags/index.html", "2026/11/index.html"])
def test_example_pages_have_landmarks(example_output: Path, relative: str) -> None:
    doc = parse_html(example_output / relative)
    body = doc.find("body")
    assert body.find("header") is not None and body.find("footer") is not None
    assert len(body.findall("main")) == 1
    skip = body.find("a[@class='skip-link']")
    assert skip is not None and skip.get("href") == "#" + body.find("main").get("id")


def test_theme_links_follow_the_permalinks(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """The theme takes site-wide URLs from `links`, never spelling them out: with tags under
    /topics/, the footer and the 404 page link there, and no page links to /tags/."""
    root = make_site(
        tmp_path / "site",
        {"a.md": article("title: A\ndate: 2025-01-01\ntags: [Port]")},
        "title: T\nbase_url: https://t.example/\npermalinks:\n  tag: /topics/{slug}/\n",
    )
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    for page in ("index.html", "404.html"):
        hrefs = {a.get("href") for a in parse_html(output / page).iter("a")}
        assert "/topics/" in hrefs and "/tags/" not in hrefs, page
    assert (output / "topics" / "index.html").is_file()
