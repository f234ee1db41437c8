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

from ..article import Article
from ..config import SiteConfig

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
        "tags": [[name, base + url.lstrip("/")] for name, url in tags],
        "parts": [{"url": base + url.lstrip("/"), "articles": count} for url, count in parts],
    }
    return _json(manifest)


def render_search_part(
    config: SiteConfig, entries: Sequence[tuple[Article, Sequence[str]]]
) -> bytes:
    """One part of the index: the given articles (in site order) with their tags' names.

    The body words were extracted when each article was parsed (and cached with it), so
    this is only assembling and serialising.
    """
    base = config.base_path
    articles = [
        {
            "u": base + article.url.lstrip("/"),
            "t": article.title,
            "d": article.date.isoformat(),
            "f": f"{article.date:%-d %B %Y}",
            "g": list(tag_names),
            "s": article.summary,
            "w": article.search_words,
        }
        for article, tag_names in entries
    ]
    return _json({"articles": articles})
