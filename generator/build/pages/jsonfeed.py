"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): the site's and each tag's.

The same entries as the Atom and RSS feeds, for readers that prefer JSON. Each item links to
its page (`url`) and to the original report it was cleaned from (`external_url`).
"""

from __future__ import annotations

import json
from typing import Any

import jinja2

from ...core.urls import feed_url, to_uri
from ..article import Article
from ..config import SiteConfig
from .feeds import Feed, absolute_links, entry_authors
from .kind import Page, SiteView

VERSION = "https://jsonfeed.org/version/1.1"


def _image(config: SiteConfig, article: Article) -> str | None:
    if not article.image:
        return None
    return (
        config.absolute_uri(article.image)
        if article.image.startswith("/")
        else to_uri(article.image)
    )


def _item(config: SiteConfig, article: Article) -> dict[str, Any]:
    url = config.absolute_uri(article.url)
    item: dict[str, Any] = {
        "id": url,
        "url": url,
        "title": article.title,
        "content_html": absolute_links(article.body_html, url),
        "summary": article.summary or article.title,
        "date_published": article.date.isoformat(),
        "date_modified": article.last_modified.isoformat(),
        "tags": list(article.tags),
    }
    if article.original_url:
        item["external_url"] = to_uri(article.original_url)
    image = _image(config, article)
    if image:
        item["image"] = image
    authors = entry_authors(article)
    if authors:
        item["authors"] = [{"name": name} for name in authors]
    if article.lang:
        item["language"] = article.lang
    return item


def render_json_feed(
    config: SiteConfig, base: str, title: str, description: str, articles: list[Article]
) -> bytes:
    """One JSON Feed of the given articles, newest first."""
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": title,
        "home_page_url": config.absolute_uri(base),
        "feed_url": config.absolute_uri(feed_url(base, "json")),
        "description": description or title,
        "language": config.language,
        "authors": [{"name": config.author or config.title}],
    }
    if config.websub_hub:
        feed["hubs"] = [{"type": "WebSub", "url": to_uri(config.websub_hub)}]
    feed["items"] = [_item(config, article) for article in articles]
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


class JsonFeed(Feed):
    """The site's JSON Feed and each tag's, planned and fed like the Atom feeds."""

    def __init__(self) -> None:
        super().__init__("json")

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        base, title, description, articles, _history = self.inputs(page, view)
        return render_json_feed(config, base, title, description, articles)


JSON_FEED = JsonFeed()
