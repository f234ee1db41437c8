"""Site-wide and per-tag Atom and RSS feeds, written with feedgen.

Dates come from the content, never from the clock, and entries are appended in our own
order (feedgen prepends by default), so the same site always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import jinja2

from ...core.urls import FEED_FORMATS, FRONT_PAGE_URL, feed_url
from ..article import Article
from ..config import SiteConfig
from ..site import Site
from .kind import FEED_MEDIA_TYPES, SITE_WIDE, Claim, Page, PageKind, Plan, SiteView

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
    self_url = config.absolute_uri(feed_url(base, kind))
    from feedgen.feed import FeedGenerator  # imported on first use: most rebuilds need no feed

    generator = FeedGenerator()
    generator.id(self_url)
    generator.title(xml_safe(title))
    generator.subtitle(xml_safe(description or title))
    generator.description(xml_safe(description or title))
    # feedgen makes the *last* link RSS's <channel><link>, which must be the web page.
    generator.link(href=self_url, rel="self", type=FEED_MEDIA_TYPES[kind])
    generator.link(href=config.absolute_uri(base), rel="alternate", type="text/html")
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
    url = config.absolute_uri(article.url)
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


_LABELS = {"atom": "Atom", "rss": "RSS"}


class Feed(PageKind):
    """The site's feed and each tag's, in one format (Atom or RSS)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        pages = [
            Page(self.name, feed_url(tag.url, self.name), index=i)
            for i, tag in enumerate(site.tags)
        ]
        pages.append(Page(self.name, feed_url(FRONT_PAGE_URL, self.name)))
        return pages

    def inputs(self, page: Page, view: SiteView) -> tuple[str, str, str, list[Article]]:
        """Base URL, title, description and entries of the feed."""
        config = view.site.config
        limit = config.feed_limit
        if page.index == SITE_WIDE:
            return (
                FRONT_PAGE_URL,
                config.title,
                config.description,
                list(view.site.articles[:limit]),
            )
        tag = view.site.tags[page.index]
        return (
            tag.url,
            f"{config.title}: {tag.name}",
            f"Articles tagged {tag.name}",
            view.articles(tag.articles[:limit]),
        )

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        base, title, description, articles = self.inputs(page, view)
        return render_feed(config, self.name, base, title, description, articles)

    def claim(self, page: Page, site: Site) -> Claim:
        label = _LABELS[self.name]
        if page.index == SITE_WIDE:
            return Claim(f"the site's {label} feed")
        tag = site.tags[page.index]
        first = site.articles[tag.articles[0]]
        return Claim(
            f"the {label} feed of the tag {tag.name!r}",
            first.source,
            first.line_of("tags"),
            "rename the tag, or change `permalinks: tag` in site.yaml",
        )


FEEDS = tuple(Feed(name) for name in FEED_FORMATS)
