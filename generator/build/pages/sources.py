"""The sources: `/sources/`, every publisher that reported a story of the digest, and a page
and feeds (Atom, RSS, JSON Feed) for each, for readers who follow one outlet's stories.

Optional pages: a theme without sources.html and source.html has none, so themes made before
them keep building.
"""

from __future__ import annotations

from typing import Any

import jinja2

from ...core.urls import SOURCES_URL, feed_url, page_url
from ..config import SiteConfig
from ..site import Site
from .feeds import Feed, FeedInputs, entry_of, render_feed
from .jsonfeed import render_json_feed
from .kind import (
    FEED_TYPES,
    Claim,
    HtmlKind,
    Page,
    Plan,
    SiteView,
    feed_links,
    site_feed_links,
)
from .listings import listing_pagination, page_count_of


def _planned(kind: HtmlKind | str, planned: Plan) -> bool:
    template = kind if isinstance(kind, str) else kind.template
    return template in planned.templates


class SourceIndex(HtmlKind):
    """Every source, with how many stories it reported."""

    name = "sources"
    listed = True

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, SOURCES_URL)] if _planned(self, planned) else []

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        return {"sources": view.site.publishers}

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        return {"title": "Sources", "description": f"The publishers {config.title} draws on"}

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("the sources page")


class SourcePage(HtmlKind):
    """The stories one source reported, newest first, `per_page` a page."""

    name = "source"
    listed = True

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        if not _planned(self, planned):
            return []
        return [
            Page(self.name, page_url(source.url, n), index=i, number=n)
            for i, source in enumerate(site.publishers)
            for n in range(1, page_count_of(site, source.count) + 1)
        ]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        source = view.site.publishers[page.index]
        return {
            "source": source,
            "articles": view.listing_page(source.articles, page.number),
            "count": view.listing_pages(source.count),
        }

    def context(self, page: Page, inputs: dict[str, Any], view: SiteView) -> dict[str, Any]:
        source = inputs["source"]
        return {
            "pagination": listing_pagination(page, source.url, inputs["count"]),
            "listing_feeds": feed_links(source.url, source.name),
        }

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        source = inputs["source"]
        title = source.name if page.number == 1 else f"{source.name}: page {page.number}"
        return {
            "title": title,
            "description": f"Stories reported by {source.name}",
            "feeds": (*feed_links(source.url, source.name), *site_feed_links(config)),
        }

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim(f"the page of the source {site.publishers[page.index].name!r}")


class SourceFeed(Feed):
    """Each source's feed in one format (made where its page is)."""

    def __init__(self, format_name: str) -> None:
        super().__init__(f"source-{format_name}")
        self.format = format_name

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        if not _planned("source.html", planned):
            return []
        return [
            Page(self.name, feed_url(source.url, self.format), index=i)
            for i, source in enumerate(site.publishers)
        ]

    def inputs(self, page: Page, view: SiteView) -> FeedInputs:
        config = view.site.config
        source = view.site.publishers[page.index]
        articles = view.articles(source.articles[: config.feed_limit])
        title = f"{config.title}: {source.name}"
        return source.url, title, f"Stories reported by {source.name}", articles, None

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        base, title, description, articles, _ = self.inputs(page, view)
        entries = [entry_of(article) for article in articles]
        if self.format == "json":
            return render_json_feed(config, base, title, description, entries)
        return render_feed(config, self.format, base, title, description, entries)

    def claim(self, page: Page, site: Site) -> Claim:
        name = site.publishers[page.index].name
        return Claim(f"the {FEED_TYPES[self.format][1]} feed of the source {name!r}")


SOURCE_INDEX = SourceIndex()
SOURCE_PAGE = SourcePage()
SOURCE_FEEDS = tuple(SourceFeed(name) for name in FEED_TYPES)
