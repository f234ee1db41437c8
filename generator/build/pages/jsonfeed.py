"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): the site's and each tag's.

The same entries as the Atom and RSS feeds, for readers that prefer JSON. Each item links to
its page (`url`) and to the original report it was cleaned from (`external_url`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import jinja2

from ...core.urls import feed_url, to_uri
from ..config import SiteConfig
from ..images import absolute_image
from .feeds import Feed, FeedEntry, absolute_links, entry_of, feed_texts
from .kind import Page, SiteView

VERSION = "https://jsonfeed.org/version/1.1"


def _item(config: SiteConfig, entry: FeedEntry) -> dict[str, Any]:
    url = config.absolute_uri(entry.url)
    item: dict[str, Any] = {
        "id": entry.id or url,
        "url": url,
        "title": entry.title,
        "content_html": absolute_links(entry.content_html, url),
        "summary": entry.summary,
        "date_published": entry.published.isoformat(),
        "date_modified": entry.updated.isoformat(),
        "tags": list(entry.tags),
    }
    if entry.original_url:
        item["external_url"] = to_uri(entry.original_url)
    if entry.image:
        item["image"] = absolute_image(config, entry.image)
    if entry.authors:
        item["authors"] = [{"name": name} for name in entry.authors]
    if entry.lang:
        item["language"] = entry.lang
    return item


def render_json_feed(
    config: SiteConfig,
    base: str,
    title: str,
    description: str,
    entries: Sequence[FeedEntry],
    home: str | None = None,
) -> bytes:
    """One JSON Feed of the given entries, newest first (`home` as in render_feed)."""
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": title,
        "home_page_url": config.absolute_uri(home or base),
        "feed_url": config.absolute_uri(feed_url(base, "json")),
        "description": description or title,
        "language": config.language,
        "authors": [{"name": config.author or config.title}],
    }
    if config.websub_hub:
        feed["hubs"] = [{"type": "WebSub", "url": to_uri(config.websub_hub)}]
    feed["items"] = [_item(config, entry) for entry in entries]
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


class JsonFeed(Feed):
    """The site's JSON Feed and each tag's, planned and fed like the Atom feeds."""

    def __init__(self) -> None:
        super().__init__("json")

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        base, title, description, articles, _history = self.inputs(page, view)
        title, description = feed_texts(environment, config, title, description)
        entries = [entry_of(article) for article in articles]
        return render_json_feed(config, base, title, description, entries)


JSON_FEED = JsonFeed()
