"""sitemap.xml and robots.txt: how search engines find every page.

sitemap.xml is a sitemap index (https://www.sitemaps.org/protocol.html) naming the parts: one
per month of article pages and a few for the other pages. The protocol allows 50,000 URLs a
file, which a large archive exceeds, and in parts an edit rewrites one small file, not a list
of every page. Dates come from the content (`updated`, else `date`), never from the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

import jinja2

from ...core.text import xml_safe
from ...core.urls import (
    NEWS_SITEMAP,
    ROBOTS,
    SITEMAP,
    page_count,
    sitemap_articles_url,
    sitemap_pages_url,
)
from ..article import Article
from ..config import SiteConfig
from ..images import absolute_image
from ..site import Site
from .kind import Claim, Page, PageKind, Plan, SiteView

URL_LIMIT = 50_000  # URLs one sitemap file may list (the protocol's limit)
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


_IMAGE_NAMESPACE = "http://www.google.com/schemas/sitemap-image/1.1"


def _entries(
    config: SiteConfig,
    element: str,
    items: Iterable[tuple[str, dt.datetime | None]],
    images: Mapping[str, str] | None = None,
) -> list[str]:
    lines = []
    for url, lastmod in items:
        parts = [f"<loc>{escape(config.absolute_uri(url), quote=False)}</loc>"]
        if lastmod is not None:
            parts.append(f"<lastmod>{lastmod.isoformat()}</lastmod>")
        if images and url in images:
            loc = escape(absolute_image(config, images[url]), quote=False)
            parts.append(f"<image:image><image:loc>{loc}</image:loc></image:image>")
        lines.append(f"  <{element}>{''.join(parts)}</{element}>")
    return lines


def render_urlset(
    config: SiteConfig,
    pages: Iterable[tuple[str, dt.datetime | None]],
    images: Mapping[str, str] | None = None,
) -> bytes:
    """One sitemap part: the given (site path, last change or None) pages; with `images`
    (site path -> image), each page's image in the sitemap image extension."""
    namespaces = f'xmlns="{_NAMESPACE}"'
    if images:
        namespaces += f' xmlns:image="{_IMAGE_NAMESPACE}"'
    lines = [_HEAD, f"<urlset {namespaces}>", *_entries(config, "url", pages, images), "</urlset>"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_sitemap_index(
    config: SiteConfig, parts: Iterable[tuple[str, dt.datetime | None]]
) -> bytes:
    """sitemap.xml: the (site path, newest change in it or None) of every part."""
    lines = [
        _HEAD,
        f'<sitemapindex xmlns="{_NAMESPACE}">',
        *_entries(config, "sitemap", parts),
        "</sitemapindex>",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_robots(config: SiteConfig) -> bytes:
    """robots.txt: everything allowed, and where the sitemaps are."""
    lines = ["User-agent: *", "Allow: /", ""]
    lines += [f"Sitemap: {config.absolute_uri('/' + name)}" for name in (SITEMAP, NEWS_SITEMAP)]
    return ("\n".join(lines) + "\n").encode("utf-8")


_NEWS_NAMESPACE = "http://www.google.com/schemas/sitemap-news/0.9"
NEWS_WINDOW = dt.timedelta(days=2)  # Google News reads articles of the last two days
NEWS_LIMIT = 1000  # and at most 1,000 of them a sitemap


def render_news_sitemap(config: SiteConfig, articles: Iterable[Article]) -> bytes:
    """news-sitemap.xml: the given articles with their publication, date and title."""
    lines = [_HEAD, f'<urlset xmlns="{_NAMESPACE}" xmlns:news="{_NEWS_NAMESPACE}">']
    name = escape(config.title, quote=False)
    for article in articles:
        language = escape(article.lang or config.language, quote=False)
        lines += [
            "  <url>",
            f"    <loc>{escape(config.absolute_uri(article.url), quote=False)}</loc>",
            "    <news:news>",
            "      <news:publication>",
            f"        <news:name>{name}</news:name>",
            f"        <news:language>{language}</news:language>",
            "      </news:publication>",
            f"      <news:publication_date>{article.date.isoformat()}</news:publication_date>",
            f"      <news:title>{escape(xml_safe(article.title), quote=False)}</news:title>",
            "    </news:news>",
            "  </url>",
        ]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


class Robots(PageKind):
    name = "robots"

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, f"/{ROBOTS}")]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        return {}  # configuration only

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        return render_robots(config)

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("robots.txt")


class ArticleSitemap(PageKind):
    """The article pages of one month, in parts of at most `sitemap_limit` URLs."""

    name = "sitemap-articles"

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        limit = planned.sitemap_limit
        return [
            Page(self.name, sitemap_articles_url(month.start, n), index=i, number=n)
            for i, month in enumerate(site.months)
            for n in range(1, page_count(month.article_count, limit) + 1)
        ]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        return {"articles": view.sitemap_chunk(view.month_articles(page.index), page.number)}

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        articles = self.inputs(page, view)["articles"]
        return render_urlset(
            config,
            [(article.url, article.last_modified) for article in articles],
            {article.url: article.image for article in articles if article.image},
        )

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("a part of the sitemap")


class PageSitemap(PageKind):
    """The other pages the plan lists (listings, tags, editions, archives, search)."""

    name = "sitemap-pages"

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        count = page_count(len(planned.listed), planned.sitemap_limit)
        return [Page(self.name, sitemap_pages_url(n), number=n) for n in range(1, count + 1)]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        return {"urls": view.sitemap_chunk(view.plan.listed, page.number)}

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        urls = self.inputs(page, view)["urls"]
        return render_urlset(config, [(url, None) for url in urls])

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("a part of the sitemap")


class SitemapIndex(PageKind):
    """sitemap.xml: every part, in plan order, with its newest change (the other pages
    carry no dates)."""

    name = "sitemap"

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, f"/{SITEMAP}")]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        parts: list[tuple[str, dt.datetime | None]] = []
        for part in view.plan.pages:
            if part.kind == PAGE_SITEMAP.name:
                parts.append((part.url, None))
            elif part.kind == ARTICLE_SITEMAP.name:
                chunk = ARTICLE_SITEMAP.inputs(part, view)["articles"]
                parts.append((part.url, max(article.last_modified for article in chunk)))
        return {"parts": parts}

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        return render_sitemap_index(config, self.inputs(page, view)["parts"])

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("the sitemap")


class NewsSitemap(PageKind):
    """Google News' sitemap: the articles of the two days before the newest one (counted
    back from the newest article, not from the clock, so the same site gives the same file),
    at most NEWS_LIMIT."""

    name = "news-sitemap"

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, f"/{NEWS_SITEMAP}")]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        articles = view.site.articles  # newest first
        if not articles:
            return {"articles": []}
        since = articles[0].date - NEWS_WINDOW
        recent = [article for article in articles[:NEWS_LIMIT] if article.date >= since]
        return {"articles": recent}

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        return render_news_sitemap(config, self.inputs(page, view)["articles"])

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("the news sitemap")


ROBOTS_FILE = Robots()
NEWS_SITEMAP_FILE = NewsSitemap()
ARTICLE_SITEMAP = ArticleSitemap()
PAGE_SITEMAP = PageSitemap()
SITEMAP_INDEX = SitemapIndex()
