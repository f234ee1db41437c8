"""Site-wide and per-tag Atom and RSS feeds, written with feedgen.

Dates come from the content, never from the clock, and entries are appended in our own
order (feedgen prepends by default), so the same site always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from ..article import Article
from ..config import SiteConfig

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# XML 1.0 forbids C0 controls (but tab, LF, CR), lone surrogates and U+FFFE/U+FFFF.
_NOT_XML_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Remove characters XML cannot carry, which would make the whole feed unreadable."""
    return _NOT_XML_CHARACTER.sub("", text)


def render_feed(
    config: SiteConfig,
    kind: str,
    base: str,
    title: str,
    description: str,
    articles: Sequence[Article],
) -> bytes:
    """One Atom (`kind="atom"`) or RSS 2.0 feed of the given articles, newest first."""
    feed_url = config.absolute_url(f"{base}{kind}.xml")
    from feedgen.feed import FeedGenerator  # imported on first use: most rebuilds need no feed

    generator = FeedGenerator()
    generator.id(feed_url)
    generator.title(xml_safe(title))
    generator.subtitle(xml_safe(description or title))
    generator.description(xml_safe(description or title))
    # feedgen makes the *last* link RSS's <channel><link>, which must be the web page.
    media_type = "application/atom+xml" if kind == "atom" else "application/rss+xml"
    generator.link(href=feed_url, rel="self", type=media_type)
    generator.link(href=config.absolute_url(base), rel="alternate", type="text/html")
    generator.language(config.language)
    generator.author({"name": xml_safe(config.author or config.title)})
    generator.generator("newsdigest")
    # The feed's date is its newest entry's, never the clock's; an empty feed gets the epoch.
    newest = max((article.last_modified for article in articles), default=_EPOCH)
    generator.updated(newest)
    generator.lastBuildDate(newest)
    for article in articles:
        _add_entry(generator, config, article)
    return generator.atom_str(pretty=True) if kind == "atom" else generator.rss_str(pretty=True)


def _add_entry(generator: Any, config: SiteConfig, article: Article) -> None:
    url = config.absolute_url(article.url)
    entry = generator.add_entry(order="append")
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(xml_safe(article.title))
    entry.link(href=url, rel="alternate")
    entry.published(article.date)
    entry.updated(article.last_modified)
    entry.summary(xml_safe(article.summary) or xml_safe(article.title))
    entry.content(xml_safe(article.body_html), type="html")
    for name in article.authors or ((article.publisher,) if article.publisher else ()):
        entry.author({"name": xml_safe(name)})
    for tag in article.tags:
        entry.category(term=xml_safe(tag))
