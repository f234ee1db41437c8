"""Issue 6, point 6: `]]>`, `&`, `<`, control characters, U+FFFE and lone surrogates in titles,
tags and bodies: feeds stay well-formed (XML parser, feedparser bozo 0), and so do the HTML
pages and the sitemap (such characters are dropped as content is read)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import feedparser
import pytest
from conftest import REPO
from hostile.helpers import article, html_errors, make_site, parse_xml
from hypothesis import given
from hypothesis import strategies as st

from generator.__main__ import main
from generator.build.article import Article
from generator.build.blobs import Blob
from generator.build.config import load_config
from generator.build.pages.feeds import entry_of, render_feed
from generator.core.frontmatter import _UNSAFE_CHARACTERS, strip_unsafe_characters

# YAML escapes put characters in values that YAML would refuse as raw text.
TITLE_YAML = r'"Cdata ]]> amp & lt < ctl \x01\x08\x0b\x1f\x7f\x85 nonchar \uFFFE\uFFFF\uFDD0 end"'
CLEAN_TITLE = "Cdata ]]> amp & lt < ctl nonchar end"  # whitespace is collapsed too
BODY = "Body ]]> & < <![CDATA[ x ]]> \x01\x02\x0b\x0c\x1b ok \ufffe\uffff\U0001fffe done"
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U0001fffe]"
)


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(
        tmp_path_factory.mktemp("feeds") / "site",
        {
            "x.md": article(
                f'title: {TITLE_YAML}\nsummary: "s ]]> & < \\x02 \\uFFFE"\n'
                "date: 2025-01-01T10:00:00Z\n"
                'tags: ["amp & < ]]>", "ctl\\x03tag"]\nauthor: "A \\x04 & B"',
                BODY,
            )
        },
    )
    assert main(["build", "--root", str(root)]) == 0
    return root / "output"


def feeds(output: Path) -> list[Path]:
    return sorted(output.rglob("*.xml"))


def test_every_xml_file_is_well_formed(output: Path) -> None:
    found = feeds(output)
    assert {p.name for p in found} >= {"atom.xml", "rss.xml", "sitemap.xml"}
    assert len(found) >= 9  # site feeds, sitemap index and parts, and two feeds per tag
    for path in found:
        parse_xml(path)


def test_feeds_parse_cleanly_with_feedparser(output: Path) -> None:
    for path in feeds(output):
        if "sitemap" in path.name or path.parent.name == "editions":
            continue  # the editions feeds' entries are days, not articles
        if path.name == "opml.xml":
            continue  # the sources' reading list (OPML), not a feed
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        [entry] = feed.entries
        assert entry.title == CLEAN_TITLE
        assert entry.summary == "s ]]> & <"
        content = entry.content[0].value if "content" in entry else ""
        if content:
            assert "]]&gt;" in content and "done" in content and "&lt;" in content


def test_no_forbidden_character_reaches_any_file(output: Path) -> None:
    for path in output.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".xml", ".json", ".txt"}:
            text = path.read_bytes().decode("utf-8")
            assert not FORBIDDEN.search(text), (path, FORBIDDEN.search(text))


def test_html_pages_stay_valid(output: Path) -> None:
    pages = sorted(output.rglob("*.html"))
    assert len(pages) > 8
    for page in pages:
        assert html_errors(page) == [], page
    tag_dirs = {p.name for p in (output / "tags").iterdir() if p.is_dir()}
    assert tag_dirs == {"amp", "ctltag"}


def test_render_feed_drops_lone_surrogates_and_noncharacters() -> None:
    """Lone surrogates cannot come from a UTF-8 file or from libyaml, but a theme or a
    future importer might hand them over: the feed writer removes them itself."""
    config = load_config(REPO)
    hostile = "sur \ud800 \udfff ctl \x00\x1f nonchar \ufffe ]]> & < end"
    base = Article(
        source="x.md",
        slug="x",
        title=hostile,
        date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        updated=None,
        tags=(hostile,),
        summary_utf8=Blob.held(hostile.encode("utf-8", "surrogatepass")),
        body_utf8=Blob.held(
            f"<p>{hostile.replace('<', '&lt;').replace('&', '&amp;')}</p>".encode(
                "utf-8", "surrogatepass"
            )
        ),
        authors=(hostile,),
        url="/x/",
    )
    for kind in ("atom", "rss"):
        entries = [entry_of(base), entry_of(dataclasses.replace(base))]
        data = render_feed(config, kind, "/", hostile, hostile, entries)
        data.decode("utf-8")  # no surrogate made it into the bytes
        feed = feedparser.parse(data)
        assert feed.bozo == 0, feed.get("bozo_exception")
        assert feed.entries[0].title == "sur   ctl  nonchar  ]]> & < end"


@given(st.text(st.characters(blacklist_categories=())))
def test_no_forbidden_character_survives_reading_whatever_the_text(value: str) -> None:
    """Reading skips the character-by-character scan for texts that are printable apart
    from line breaks and tabs; whatever the text, the result must be what the scan gives."""
    cleaned = strip_unsafe_characters(value)
    assert cleaned == _UNSAFE_CHARACTERS.sub("", value)
    assert not FORBIDDEN.search(cleaned)
