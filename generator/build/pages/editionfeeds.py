"""Feeds of whole editions (`/editions/atom.xml`, `rss.xml`, `feed.json`): one entry a day,
its content the day's stories, for readers who want one item a day rather than forty."""

from __future__ import annotations

from html import escape
from typing import Any

import jinja2

from ...core.urls import EDITIONS_FEED_BASE, FRONT_PAGE_URL, feed_url
from ..article import Article
from ..config import SiteConfig
from ..i18n import PageLanguage, label, languages_of, plural_label
from ..site import Edition, Site
from .feeds import FeedEntry, image_of, render_feed
from .jsonfeed import render_json_feed
from .kind import FEED_TYPES, Claim, Page, PageKind, Plan, SiteView, editions_title


def edition_entry(edition: Edition, articles: list[Article], language: PageLanguage) -> FeedEntry:
    """One day's edition as a feed entry: each story's headline, summary and source; its
    title and summary in the feed's language."""
    items = []
    for article in articles:
        source = f" <em>({escape(article.publisher)})</em>" if article.publisher else ""
        items.append(
            f'<li><a href="{escape(article.url)}">{escape(article.title)}</a>{source}'
            f"<br>{escape(article.summary)}</li>"
        )
    illustrated = next((article for article in articles if article.image), None)
    stories = plural_label("%(num)d story", "%(num)d stories", len(articles))
    headlines = "; ".join(article.title for article in articles)
    return FeedEntry(
        url=edition.url,
        title=language.text(label("Edition of %(day)s", day=edition.day)),
        published=min(article.date for article in articles),
        updated=max(article.last_modified for article in articles),
        summary=language.text(
            label("%(stories)s: %(headlines)s", stories=stories, headlines=headlines)
        ),
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
        language = languages_of(environment).of(config.language)
        editions = self.inputs(page, view)["editions"]
        entries = [edition_entry(edition, articles, language) for edition, articles in editions]
        title = language.text(editions_title(config))
        description = language.text(
            label("%(site)s, one entry a day with all of its stories", site=config.title)
        )
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
