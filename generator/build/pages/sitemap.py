"""sitemap.xml and robots.txt: how search engines find every page.

sitemap.xml is a sitemap index (https://www.sitemaps.org/protocol.html) naming the parts: one
per month of article pages and a few for the other pages. The protocol allows 50,000 URLs a
file, which a large archive exceeds, and in parts an edit rewrites one small file, not a list
of every page. Dates come from the content (`updated`, else `date`), never from the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape

from ...core.urls import SITEMAP
from ..config import SiteConfig

URL_LIMIT = 50_000  # URLs one sitemap file may list (the protocol's limit)
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'
_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _entries(
    config: SiteConfig, element: str, items: Iterable[tuple[str, dt.datetime | None]]
) -> list[str]:
    lines = []
    for url, lastmod in items:
        loc = f"<loc>{escape(config.absolute_url(url), quote=False)}</loc>"
        if lastmod is None:
            lines.append(f"  <{element}>{loc}</{element}>")
        else:
            lines.append(f"  <{element}>{loc}<lastmod>{lastmod.isoformat()}</lastmod></{element}>")
    return lines


def render_urlset(config: SiteConfig, pages: Iterable[tuple[str, dt.datetime | None]]) -> bytes:
    """One sitemap part: the given (site path, last change or None) pages."""
    lines = [_HEAD, f'<urlset xmlns="{_NAMESPACE}">', *_entries(config, "url", pages), "</urlset>"]
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
    """robots.txt: everything allowed, and where the sitemap is."""
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {config.absolute_url('/' + SITEMAP)}\n"
    return robots.encode("utf-8")
