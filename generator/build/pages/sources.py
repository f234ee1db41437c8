"""The sources: `/sources/`, every publisher that reported a story of the digest, and a page
and feeds (Atom, RSS, JSON Feed) for each, for readers who follow one outlet's stories.

Optional pages: a theme without sources.html and source.html has none, so themes made before
them keep building.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jinja2

from ...core.urls import SOURCES_URL, feed_url
from ..config import SiteConfig
from ..i18n import Label, label
from ..site import Publisher, Site
from .feeds import Feed, FeedInputs, entry_of, feed_texts, render_feed
from .jsonfeed import render_json_feed
from .kind import (
    FEED_TYPES,
    Claim,
    HtmlKind,
    Page,
    Plan,
    SiteView,
)
from .listings import GroupPage


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
        return {
            "title": label("Sources"),
            "description": label("The publishers %(site)s draws on", site=config.title),
        }

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("the sources page")


class SourcePage(GroupPage):
    """The stories one source reported (optional: only with the theme's source.html)."""

    name = "source"
    variable = "source"
    listed = True

    def groups(self, site: Site) -> Sequence[Publisher]:
        return site.publishers

    def describe(self, name: str) -> Label:
        return label("Stories reported by %(source)s", source=name)

    def planned(self, planned: Plan) -> bool:
        return _planned(self, planned)

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
        title = label("%(site)s: %(name)s", site=config.title, name=source.name)
        description = label("Stories reported by %(source)s", source=source.name)
        return source.url, title, description, articles, None

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        base, title, description, articles, _ = self.inputs(page, view)
        title, description = feed_texts(environment, config, title, description)
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
