"""The search index: what the default theme's search page searches, made at build time.

Plain JSON that any static host can serve, read by a small script
(themes/default/static/search.js): no search service, no third-party host. It is kept
compact: titles, summaries and tags whole, and of each body only its distinct words
(folded to lower case without accents, in order of first use, up to a budget; see
text.py), which is all a word search needs. Same site -> byte-identical index.

It comes in parts, one per month of article dates, named by a small manifest at
search-index.json: an edit rewrites one month's part rather than the entries of the whole
archive (15 MB at 10,000 articles), and deploys upload only that part. Entries name their
tags rather than number them, so a new tag, which shifts every tag's position, leaves the
parts of other months as they were.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import jinja2

from ...core.urls import SEARCH_INDEX, SEARCH_PAGE_URL, search_part_url, to_uri
from ..article import Article
from ..config import SiteConfig
from ..i18n import PageLanguage, label, languages_of
from ..site import Site
from .kind import Claim, HtmlKind, Page, PageKind, Plan, SiteView

INDEX_VERSION = 2


def _json(value: object) -> bytes:
    return (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
    ).encode("utf-8")


def render_search_manifest(
    config: SiteConfig,
    tags: Sequence[tuple[str, str]],
    parts: Sequence[tuple[str, int]],
) -> bytes:
    """search-index.json: every tag as (name, site path), and the parts, newest first, as
    (site path, number of articles)."""
    base = config.base_path
    manifest = {
        "version": INDEX_VERSION,
        "tags": [[name, to_uri(base + url.lstrip("/"))] for name, url in tags],
        "parts": [{"url": base + url.lstrip("/"), "articles": count} for url, count in parts],
    }
    return _json(manifest)


def render_search_part(
    config: SiteConfig, entries: Sequence[tuple[Article, Sequence[str]]], language: PageLanguage
) -> bytes:
    """One part of the index: the given articles (in site order) with their tags' names,
    and each one's day as the search page shows it (in the site's timezone and language).

    The body words were extracted when each article was parsed (and cached with it), so
    this is only assembling and serialising.
    """
    base = config.base_path
    zone = config.tzinfo
    articles = [
        {
            "u": to_uri(base + article.url.lstrip("/")),
            "t": article.title,
            "d": article.date.isoformat(),
            "f": language.date(article.date.astimezone(zone).date()),
            "g": list(tag_names),
            "s": article.summary,
            "w": article.search_words,
        }
        for article, tag_names in entries
    ]
    return _json({"articles": articles})


class SearchIndex(PageKind):
    """search-index.json: the tags and the parts (made even without a search page: another
    theme's script may read it)."""

    name = "search-index"

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, f"/{SEARCH_INDEX}")]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        site = view.site
        return {
            "tags": [(tag.name, tag.url) for tag in site.tags],
            "parts": [(search_part_url(m.start), m.article_count) for m in site.months],
        }

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        inputs = self.inputs(page, view)
        return render_search_manifest(config, inputs["tags"], inputs["parts"])

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("the search index")


class SearchPart(PageKind):
    """One month's part of the search index."""

    name = "search-part"

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [
            Page(self.name, search_part_url(month.start), index=i)
            for i, month in enumerate(site.months)
        ]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        return {"articles": view.month_articles(page.index)}

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        entries = [
            (article, [tag.name for tag in view.tags_of(article)])
            for article in view.month_articles(page.index)
        ]
        return render_search_part(config, entries, languages_of(environment).of(config.language))

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim(f"the search index of {site.months[page.index].start:%Y-%m}")


class SearchPage(HtmlKind):
    """The page the theme's search script runs on (only if the theme has search.html)."""

    name = "search"
    listed = True

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, SEARCH_PAGE_URL)] if self.template in planned.templates else []

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        return {}

    def context(self, page: Page, inputs: dict[str, Any], view: SiteView) -> dict[str, Any]:
        return {"search_index_url": f"/{SEARCH_INDEX}"}

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        return {
            "title": label("Search"),
            "description": label("Search the articles of %(site)s", site=config.title),
        }

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("the search page")


SEARCH_INDEX_FILE = SearchIndex()
SEARCH_PARTS = SearchPart()
SEARCH_PAGE = SearchPage()
