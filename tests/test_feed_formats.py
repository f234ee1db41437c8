"""JSON Feed, WebSub, the original report of each entry, absolute links in entry content and
the Google News sitemap: what news readers and aggregators read, checked with real clients
(feedparser for Atom and RSS) and the rules of each format."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from conftest import Run, copy_site, page_file, parse_html
from hostile.helpers import article, make_site
from imagefiles import jpeg
from imagefiles import write as write_image

from generator.__main__ import main
from generator.core.urls import to_uri

BASE = "https://test.example.org/news/"
ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
HUB = "https://hub.example.net/"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/basic with a WebSub hub."""
    from conftest import SITES

    root = copy_site(SITES / "basic", tmp_path_factory.mktemp("formats") / "site")
    config = root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"websub_hub: {HUB}\n", encoding="utf-8")
    assert main(["build", "--root", str(root)]) == 0
    return root / "output"


def _json_feed(path: Path) -> dict:
    feed = json.loads(path.read_text(encoding="utf-8"))
    # JSON Feed 1.1: version, title and items are required; every item has an id and
    # content_html or content_text; dates are RFC 3339; URLs are absolute.
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and isinstance(feed["items"], list)
    for key in ("home_page_url", "feed_url"):
        assert urlsplit(feed[key]).scheme == "https", key
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        for key in ("date_published", "date_modified"):
            assert dt.datetime.fromisoformat(item[key]).tzinfo is not None
        for key in ("url", "external_url", "image"):
            if key in item:
                assert urlsplit(item[key]).scheme in {"http", "https"}, (key, item[key])
        for author in item.get("authors", []):
            assert set(author) <= {"name", "url", "avatar"} and author["name"]
    return feed


def test_json_feeds_follow_the_spec_and_match_the_atom_feed(output: Path) -> None:
    for folder in [output, output / "tags" / "transport"]:
        feed = _json_feed(folder / "feed.json")
        atom = feedparser.parse((folder / "atom.xml").read_bytes())
        assert [item["id"] for item in feed["items"]] == [entry.id for entry in atom.entries]
        assert feed["feed_url"] == BASE + (folder / "feed.json").relative_to(output).as_posix()
        assert feed["hubs"] == [{"type": "WebSub", "url": HUB}]


def test_every_listing_page_announces_its_feeds_in_every_format(output: Path) -> None:
    for relative in ["index.html", "tags/transport/index.html"]:
        head = parse_html(output / relative).find("head")
        links = {
            link.get("type"): link.get("href")
            for link in head.iter("link")
            if link.get("rel") == "alternate"
        }
        for media_type in ("application/atom+xml", "application/rss+xml", "application/feed+json"):
            assert media_type in links, (relative, media_type)
            assert page_file(output, links[media_type], "/news/").is_file()


def test_atom_and_rss_name_the_websub_hub(output: Path) -> None:
    atom = ET.parse(output / "atom.xml").getroot()
    assert [
        link.get("href") for link in atom.iterfind(f"{ATOM}link") if link.get("rel") == "hub"
    ] == [HUB]
    channel = ET.parse(output / "rss.xml").getroot().find("channel")
    hubs = [
        link.get("href") for link in channel.iterfind(f"{ATOM}link") if link.get("rel") == "hub"
    ]
    assert hubs == [HUB]
    for name in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse((output / name).read_bytes())
        assert not parsed.bozo
        assert HUB in [link.href for link in parsed.feed.links if link.rel == "hub"]


def test_no_hub_without_the_setting(basic_output: Path) -> None:
    assert 'rel="hub"' not in (basic_output / "atom.xml").read_text(encoding="utf-8")
    assert "hubs" not in json.loads((basic_output / "feed.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def digest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Articles with an original report, an author, relative links and an image."""
    body = "See [the map](/maps/harbour/) and ![a chart](chart.png), [notes](#n) and [x](https://x.example/)."
    root = make_site(
        tmp_path_factory.mktemp("digest") / "site",
        {
            "a.md": article(
                "title: Ferry fares rise\ndate: 2025-03-02T10:00:00Z\nauthors: [Ana Ruiz]\n"
                "publisher: Harbour Times\noriginal_url: https://times.example.com/ferry-fares\n"
                "image: /img/ferry.jpg",
                body,
            ),
            "b.md": article("title: Older story\ndate: 2025-02-20T10:00:00Z", "Old."),
            "c.md": article("title: Two days earlier\ndate: 2025-02-28T11:00:00Z", "Body."),
        },
    )
    write_image(root / "static/img/ferry.jpg", jpeg(1200, 800))
    assert main(["build", "--root", str(root)]) == 0
    return root / "output"


def test_each_entry_names_its_author_and_the_original_report(digest: Path) -> None:
    rss = feedparser.parse((digest / "rss.xml").read_bytes())
    assert not rss.bozo
    entry = next(e for e in rss.entries if e.title == "Ferry fares rise")
    assert entry.author == "Ana Ruiz"  # dc:creator: RSS <author> needs an e-mail address
    assert entry.source.href == "https://times.example.com/ferry-fares"
    assert entry.source.title == "Harbour Times"
    atom = ET.parse(digest / "atom.xml").getroot()
    [first] = [
        e for e in atom.iterfind(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "Ferry fares rise"
    ]
    rels = {
        link.get("rel", "alternate"): link.get("href") for link in first.iterfind(f"{ATOM}link")
    }
    assert rels["via"] == "https://times.example.com/ferry-fares"
    assert rels["alternate"].startswith("https://")
    item = next(
        i for i in _json_feed(digest / "feed.json")["items"] if i["title"] == "Ferry fares rise"
    )
    assert item["external_url"] == "https://times.example.com/ferry-fares"
    assert item["authors"] == [{"name": "Ana Ruiz"}]
    assert item["image"].endswith("/img/ferry.jpg")


def test_entry_content_links_are_absolute(digest: Path) -> None:
    atom = feedparser.parse((digest / "atom.xml").read_bytes())
    entry = next(e for e in atom.entries if e.title == "Ferry fares rise")
    content = entry.content[0].value
    base = entry.link
    assert 'href="https://h.example.org/maps/harbour/"' in content
    assert f'src="{base}chart.png"' in content
    assert 'href="#n"' in content  # a fragment stays within the entry
    assert 'href="https://x.example/"' in content
    feed = json.loads((digest / "feed.json").read_text(encoding="utf-8"))
    html = next(i for i in feed["items"] if i["title"] == "Ferry fares rise")["content_html"]
    assert 'href="https://h.example.org/maps/harbour/"' in html


def _news(output: Path) -> list[ET.Element]:
    root = ET.parse(output / "news-sitemap.xml").getroot()
    assert root.tag == f"{SM}urlset"
    return list(root.iterfind(f"{SM}url"))


def test_the_news_sitemap_lists_the_two_days_before_the_newest_article(digest: Path) -> None:
    urls = _news(digest)
    titles = [url.findtext(f"{NEWS}news/{NEWS}title") for url in urls]
    # Counted back from the newest article (2 March 10:00), not from the clock.
    assert titles == ["Ferry fares rise", "Two days earlier"]
    for url in urls:
        news = url.find(f"{NEWS}news")
        assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Hostile Digest"
        assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
        dt.datetime.fromisoformat(news.findtext(f"{NEWS}publication_date"))
        assert page_file(digest, urlsplit(url.findtext(f"{SM}loc")).path).is_file()
    robots = (digest / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "Sitemap: https://h.example.org/news-sitemap.xml" in robots


def test_the_news_sitemap_holds_at_most_a_thousand_articles(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    articles = {
        f"a{n}.md": article(
            f"title: Story {n}\ndate: 2025-03-01T{n // 60 % 24:02d}:{n % 60:02d}:00Z"
        )
        for n in range(1100)
    }
    root = make_site(tmp_path / "site", articles)
    assert run_cli("build", "--root", root).status == 0
    assert len(_news(root / "output")) == 1000


def test_a_reader_can_page_back_through_the_whole_archive(example_output: Path) -> None:
    """RFC 5005: from the subscription feed, prev-archive links lead through one archive
    document per month; together they hold every article exactly once."""
    base = "https://digest.example.org/"

    def load(url: str) -> feedparser.FeedParserDict:
        parsed = feedparser.parse(page_file(example_output, urlsplit(url).path).read_bytes())
        assert not parsed.bozo, url
        return parsed

    def link(parsed: feedparser.FeedParserDict, rel: str) -> str | None:
        return next((item.href for item in parsed.feed.links if item.rel == rel), None)

    url = link(load(base + "atom.xml"), "prev-archive")
    seen: list[str] = []
    newer = None
    while url is not None:
        archive = load(url)
        assert link(archive, "current") == base + "atom.xml"
        assert link(archive, "next-archive") == newer
        assert b"<fh:archive/>" in page_file(example_output, urlsplit(url).path).read_bytes()
        seen += [entry.id for entry in archive.entries]
        newer, url = url, link(archive, "prev-archive")
    articles = [path for path in example_output.glob("[0-9]*/[0-9]*/[0-9]*/*/index.html")]
    assert len(seen) == len(set(seen)) == len(articles)


def test_the_editions_feeds_have_one_entry_a_day_holding_its_stories(
    example_output: Path,
) -> None:
    base = "https://digest.example.org/"
    editions = sorted(
        (path.parent for path in example_output.glob("[0-9]*/[0-9]*/[0-9]*/index.html")),
        reverse=True,
    )
    atom = feedparser.parse((example_output / "editions" / "atom.xml").read_bytes())
    rss = feedparser.parse((example_output / "editions" / "rss.xml").read_bytes())
    assert not atom.bozo and not rss.bozo
    expected = [base + path.relative_to(example_output).as_posix() + "/" for path in editions][:20]
    assert [entry.link for entry in atom.entries] == expected
    assert [entry.link for entry in rss.entries] == expected
    feed = _json_feed(example_output / "editions" / "feed.json")
    assert [item["url"] for item in feed["items"]] == expected
    assert feed["home_page_url"] == base
    for entry in atom.entries:
        day = example_output / urlsplit(entry.link).path.strip("/")
        stories = {
            base + path.parent.relative_to(example_output).as_posix() + "/"
            for path in day.glob("*/index.html")
        }
        linked = {link.split('"')[0] for link in entry.content[0].value.split('href="')[1:]}
        assert linked == {to_uri(url) for url in stories}
    home = parse_html(example_output / "index.html").find("head")
    announced = [link.get("href") for link in home.iter("link") if link.get("rel") == "alternate"]
    assert "/editions/atom.xml" in announced
