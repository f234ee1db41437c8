"""sitemap.xml and robots.txt: how search engines find every page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape

from .config import SiteConfig
from .content import Article
from .output import OutputFile


def render_sitemap(
    config: SiteConfig, articles: Iterable[Article], page_urls: Iterable[str]
) -> list[OutputFile]:
    """A sitemap of the given HTML pages (articles carry lastmod) and a robots.txt naming it."""
    lastmod: dict[str, dt.datetime] = {article.url: article.last_modified for article in articles}
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for url in page_urls:
        lines.append(f"  <url><loc>{escape(config.absolute_url(url), quote=False)}</loc>")
        if url in lastmod:
            lines.append(f"    <lastmod>{lastmod[url].isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {config.absolute_url('/sitemap.xml')}\n"
    return [
        OutputFile("sitemap.xml", ("\n".join(lines) + "\n").encode("utf-8")),
        OutputFile("robots.txt", robots.encode("utf-8")),
    ]
