"""search-index.json: what the default theme's search page searches, made at build time.

The index is plain JSON that any static host can serve, read by a small script
(themes/default/static/search.js): no search service, no third-party host. It is kept
compact: titles, summaries and tags whole, and of each body only its distinct words
(folded to lower case without accents, in order of first use, up to a budget), which is
all a word search needs. Same site -> byte-identical index.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence

from .config import SiteConfig
from .content import Article, html_to_text, tag_key
from .output import OutputFile
from .site import Tag

SEARCH_INDEX = "search-index.json"
INDEX_VERSION = 1
BODY_WORDS_BUDGET = 1200  # characters of distinct body words kept per article
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case without accents, as search.js folds the query (`Zürich` -> `zurich`)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def distinct_words(text: str, budget: int = BODY_WORDS_BUDGET) -> str:
    """The folded distinct words of a text, space-separated, in order of first use."""
    seen: dict[str, None] = {}
    used = 0
    for word in _WORD.findall(fold(text)):
        if word in seen or len(word) < 2:
            continue
        used += len(word) + 1
        if used > budget:
            break
        seen[word] = None
    return " ".join(seen)


def render_search_index(
    config: SiteConfig, articles: Sequence[Article], tags: Sequence[Tag]
) -> OutputFile:
    """The search index of the given articles (in site order, newest first)."""
    base = config.base_path
    tag_numbers = {tag_key(tag.name): number for number, tag in enumerate(tags)}
    entries = []
    for article in articles:
        entries.append(
            {
                "u": base + article.url.lstrip("/"),
                "t": article.title,
                "d": article.date.isoformat(),
                "f": f"{article.date:%-d %B %Y}",
                "g": [tag_numbers[tag_key(name)] for name in article.tags],
                "s": article.summary,
                "w": distinct_words(html_to_text(article.body_html)),
            }
        )
    index = {
        "version": INDEX_VERSION,
        "tags": [[tag.name, base + tag.url.lstrip("/")] for tag in tags],
        "articles": entries,
    }
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return OutputFile(SEARCH_INDEX, (text + "\n").encode("utf-8"))
