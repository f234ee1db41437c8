"""Feeds of whole editions (`/editions/atom.xml`, `rss.xml`, `feed.json`): one entry a day,
its content the day's stories, for readers who want one item a day rather than forty."""

from __future__ import annotations

from html import escape
from typing import Any

import jinja2

from ...core.urls import EDITIONS_FEED_BASE, FRONT_PAGE_URL, feed_url
from ..article import Article
from ..config import SiteConfig
from ..site import Edition, Site
from .feeds import FeedEntry, image_of, render_feed
from .jsonfeed import render_json_feed
from .kind import FEED_TYPES, Claim, Page, PageKind, Plan, SiteView, editions_title


def edition_entry(edition: Edition, articles: list[Article]) -> FeedEntry:
    """One day's edition as a feed entry: each story's headline, summary and source."""
    items = []
    for article in articles:
        source = f" <em>({escape(article.publisher)})</em>" if article.publisher else ""
        items.append(
            f'<li><a href="{escape(article.url)}">{escape(article.title)}</a>{source}'
            f"<br>{escape(article.summary)}</li>"
        )
    title = f"Edition of {edition.day:%-d %B %Y}"
    illustrated = next((article for article in articles if article.image), None)
    count = f"{len(articles)} article{'s' if len(articles) != 1 else ''}"
    return FeedEntry(
        url=edition.url,
        title=title,
        published=min(article.date for article in articles),
        updated=max(article.last_modified for article in articles),
        summary=f"{count}: " + "; ".join(article.title for article in articles),
        content_html="<ul>\n" + "\n".join(items) + "\n</ul>",
        tags=tuple(dict.fromkeys(tag for article in articles for tag in article.tags)),
        **(image_of(illustrated) if illustrated is not None else {}),
    )


class EditionFeed(PageKind):
    """The newest `feed_limit` editions in one format."""

    def __init__(self, format_name: str) -> None:
        self.format = format_name
        self.name = f"editions-{format_name}"

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, feed_url(EDITIONS_FEED_BASE, self.format))]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        editions = view.site.editions[: view.site.config.feed_limit]
        return {"editions": [(edition, view.articles(edition.articles)) for edition in editions]}

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        entries = [edition_entry(*item) for item in self.inputs(page, view)["editions"]]
        title = editions_title(config)
        description = f"{config.title}, one entry a day with all of its stories"
        if self.format == "json":
            return render_json_feed(
                config, EDITIONS_FEED_BASE, title, description, entries, FRONT_PAGE_URL
            )
        return render_feed(
            config,
            self.format,
            EDITIONS_FEED_BASE,
            title,
            description,
            entries,
            home=FRONT_PAGE_URL,
        )

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim(f"the editions' {FEED_TYPES[self.format][1]} feed")


EDITION_FEEDS = tuple(EditionFeed(name) for name in FEED_TYPES)
