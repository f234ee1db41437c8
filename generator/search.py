"""search-index.json: what the default theme's search page searches, made at build time.

The index is plain JSON that any static host can serve, read by a small script
(themes/default/static/search.js): no search service, no third-party host. It is kept
compact: titles, summaries and tags whole, and of each body only its distinct words
(folded to lower case without accents, in order of first use, up to a budget; see
text.py), which is all a word search needs. Same site -> byte-identical index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .config import SiteConfig
from .content import Article, tag_key
from .output import OutputFile
from .site import Tag
from .urls import SEARCH_INDEX

INDEX_VERSION = 1


def render_search_index(
    config: SiteConfig, articles: Sequence[Article], tags: Sequence[Tag]
) -> OutputFile:
    """The search index of the given articles (in site order, newest first).

    The body words were extracted when each article was parsed (and cached with it), so
    this is only assembling and serialising.
    """
    base = config.base_path
    tag_numbers = {tag_key(tag.name): number for number, tag in enumerate(tags)}
    entries = [
        {
            "u": base + article.url.lstrip("/"),
            "t": article.title,
            "d": article.date.isoformat(),
            "f": f"{article.date:%-d %B %Y}",
            "g": [tag_numbers[tag_key(name)] for name in article.tags],
            "s": article.summary,
            "w": article.search_words,
        }
        for article in articles
    ]
    index = {
        "version": INDEX_VERSION,
        "tags": [[tag.name, base + tag.url.lstrip("/")] for tag in tags],
        "articles": entries,
    }
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return OutputFile(SEARCH_INDEX, (text + "\n").encode("utf-8"))
