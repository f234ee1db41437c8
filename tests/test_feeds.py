"""Atom and RSS feeds, parsed with feedparser and checked against what the specs require.

The W3C Feed Validator cannot run offline (it is neither on PyPI nor in Debian), so the
checks below cover the errors it reports for feeds like ours.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from conftest import Run, tree_digest

BASE = "https://test.example.org/news/"
ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = ["atom.xml", "rss.xml", "tags/transport/atom.xml", "tags/transport/rss.xml"]
# Newest first, as tests/sites/basic has them (drafts and future articles left out).
ALL = [
    "2025/03/04/market-hall-reopens/",
    "2025/03/02/storm-closes-coastal-road/",
    "2025/03/01/library-extends-opening-hours/",
    "2025/03/01/harbour-ferry-gets-a-new-timetable/",
    "2025/02/27/council-debates-the-budget/",
]


def parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return parsed


@pytest.mark.parametrize("relative", FEEDS)
def test_feeds_parse_without_errors(basic_output: Path, relative: str) -> None:
    parsed = parse(basic_output / relative)
    assert parsed.version in {"atom10", "rss20"}
    assert parsed.entries


def test_every_feed_parses(basic_output: Path) -> None:
    feeds = sorted(basic_output.rglob("*.xml"))
    feeds = [p for p in feeds if p.name in {"atom.xml", "rss.xml"}]
    editions = [page.parent for page in basic_output.glob("[0-9]*/[0-9]*/[0-9]*/index.html")]
    assert len(editions) > 2
    assert all((edition / "atom.xml") in feeds for edition in editions)  # its archive
    # site-wide, four tags, an archive per edition, the editions', two sources
    assert len(feeds) == 2 + 2 * 4 + len(editions) + 2 + 2 * 2
    for path in feeds:
        parse(path)


def test_site_feeds_hold_the_newest_feed_limit_entries_newest_first(basic_output: Path) -> None:
    for name in ("atom.xml", "rss.xml"):
        entries = parse(basic_output / name).entries
        assert [e.link for e in entries] == [BASE + url for url in ALL[:3]]  # feed_limit: 3


def test_tag_feeds_hold_that_tags_articles(basic_output: Path) -> None:
    for name in ("atom.xml", "rss.xml"):
        parsed = parse(basic_output / "tags" / "transport" / name)
        assert [e.link for e in parsed.entries] == [BASE + url for url in (ALL[1], ALL[2], ALL[3])]
        assert "Transport" in parsed.feed.title
        assert parsed.feed.link == BASE + "tags/transport/"


def test_atom_entries(basic_output: Path) -> None:
    parsed = parse(basic_output / "atom.xml")
    assert parsed.feed.id == BASE + "atom.xml"
    assert parsed.feed.link == BASE
    storm = parsed.entries[1]
    assert storm.id == BASE + ALL[1]
    assert storm.title == "Storm closes coastal road"
    assert storm.published == "2025-03-02T07:15:00+01:00"
    assert storm.updated == "2025-03-03T09:00:00+01:00"
    assert storm.summary.startswith("High winds closed the coastal road")
    assert "<p>High winds" in storm.content[0].value
    assert [t.term for t in storm.tags] == ["Weather", "Transport"]
    # The feed is as new as its newest change, not as the build.
    assert parsed.feed.updated == "2025-03-04T00:00:00+01:00"


def test_rss_items(basic_output: Path) -> None:
    parsed = parse(basic_output / "rss.xml")
    assert parsed.feed.link == BASE
    for entry in parsed.entries:
        assert entry.id == entry.link
    root = ET.parse(basic_output / "rss.xml").getroot()
    channel = root.find("channel")
    for item in channel.iterfind("item"):
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "true"
        assert guid.text == item.findtext("link")
        assert email.utils.parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
    first = channel.find("item")
    assert first.findtext("pubDate") == "Tue, 04 Mar 2025 00:00:00 +0100"
    self_links = [
        link.get("href") for link in channel.iterfind(f"{ATOM}link") if link.get("rel") == "self"
    ]
    assert self_links == [BASE + "rss.xml"]
    assert email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate")) == dt.datetime(
        2025, 3, 4, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )


def test_atom_has_what_the_validator_requires(basic_output: Path) -> None:
    for relative in ("atom.xml", "tags/culture/atom.xml"):
        feed = ET.parse(basic_output / relative).getroot()
        assert feed.tag == f"{ATOM}feed"
        for required in ("id", "title", "updated"):
            assert feed.findtext(f"{ATOM}{required}"), required
        dt.datetime.fromisoformat(feed.findtext(f"{ATOM}updated"))
        links = {(link.get("rel"), link.get("href")) for link in feed.iterfind(f"{ATOM}link")}
        assert ("self", BASE + relative) in links
        has_feed_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
        for entry in feed.iterfind(f"{ATOM}entry"):
            for required in ("id", "title", "updated", "published"):
                value = entry.findtext(f"{ATOM}{required}")
                assert value, required
            for stamp in ("updated", "published"):
                parsed = dt.datetime.fromisoformat(entry.findtext(f"{ATOM}{stamp}"))
                assert parsed.tzinfo is not None
            assert has_feed_author or entry.find(f"{ATOM}author") is not None
            alternate = [
                link
                for link in entry.iterfind(f"{ATOM}link")
                if link.get("rel", "alternate") == "alternate"
            ]
            assert len(alternate) == 1


def test_no_build_timestamp_and_stable_ids(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    assert run_cli("build", "--root", root, "--output", root / "one").status == 0
    time.sleep(1.1)  # a clock-based date would now differ by at least a second
    assert run_cli("build", "--root", root, "--output", root / "two", "--no-cache").status == 0
    one, two = tree_digest(root / "one"), tree_digest(root / "two")
    feeds = [name for name in one if name.endswith(".xml")]
    assert len(feeds) >= 11
    for name in feeds:
        assert one[name] == two[name], name
    today = dt.datetime.now(dt.UTC)
    for stamp in (today.strftime("%Y-%m-%d"), today.strftime("%d %b %Y")):
        for name in feeds:
            assert stamp not in (root / "one" / name).read_text(encoding="utf-8"), name


def test_entry_ids_survive_unrelated_changes(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    assert run_cli("build", "--root", root).status == 0
    before = {e.title: e.id for e in parse(root / "output" / "atom.xml").entries}
    (root / "content" / "a6.md").write_text(
        "---\ntitle: A newer story\ndate: 2025-03-05T10:00:00+01:00\n---\n\nNews.\n",
        encoding="utf-8",
    )
    storm = root / "content" / "a3.md"
    storm.write_text(storm.read_text(encoding="utf-8") + "\nAn added paragraph.\n", "utf-8")
    assert run_cli("build", "--root", root).status == 0
    after = {e.title: e.id for e in parse(root / "output" / "atom.xml").entries}
    assert list(after)[0] == "A newer story"
    for title in set(before) & set(after):
        assert before[title] == after[title]


def test_empty_site_feeds_are_valid(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("empty")
    assert run_cli("build", "--root", root).status == 0
    for name in ("atom.xml", "rss.xml"):
        parsed = parse(root / "output" / name)
        assert parsed.entries == []
