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
from pathlib import Path

from .cache import load_pickle, save_pickle
from .config import SiteConfig
from .content import Article, html_to_text, tag_key
from .output import OutputFile
from .site import Tag
from .urls import SEARCH_INDEX

INDEX_VERSION = 1
BODY_WORDS_BUDGET = 1200  # characters of distinct body words kept per article
_WORD = re.compile(r"\w+")
WORDS_CACHE = f"search-words-v{INDEX_VERSION}-{BODY_WORDS_BUDGET}.pickle"  # in .newsdigest-cache/


def fold(text: str) -> str:
    """Lower case without accents, as search.js folds the query (`Zürich` -> `zurich`).

    Removes combining marks (Unicode category M, search.js's `\\p{M}`) after NFKD. Only the
    few distinct characters of the text are classified, and a class of just those is
    removed in C: per-character Python work would cost seconds on a large site.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    marks = "".join(sorted(c for c in set(decomposed) if unicodedata.category(c).startswith("M")))
    if marks:
        decomposed = re.sub(f"[{re.escape(marks)}]+", "", decomposed)
    return decomposed.lower()


def distinct_words(text: str, budget: int = BODY_WORDS_BUDGET) -> str:
    """The folded distinct words of a text, space-separated, in order of first use."""
    # Whole-text operations that run in C: a per-word Python loop costs more than the rest
    # of an incremental build on a large site.
    unique = dict.fromkeys(_WORD.findall(fold(text)))
    joined = " ".join(word for word in unique if len(word) > 1)
    if len(joined) <= budget:
        return joined
    return joined[: budget + 1].rsplit(" ", 1)[0]


def render_search_index(
    config: SiteConfig,
    articles: Sequence[Article],
    tags: Sequence[Tag],
    cache_dir: Path | None = None,
) -> OutputFile:
    """The search index of the given articles (in site order, newest first).

    With `cache_dir`, the body words of each article are kept there by the article's content
    hash: extracting them is most of the index's cost, and most articles do not change.
    """
    cache_path = cache_dir / WORDS_CACHE if cache_dir is not None else None
    loaded = load_pickle(cache_path) if cache_path is not None else None
    cached: dict[str, str] = loaded if isinstance(loaded, dict) else {}
    words = {}
    base = config.base_path
    tag_numbers = {tag_key(tag.name): number for number, tag in enumerate(tags)}
    entries = []
    for article in articles:
        found = cached.get(article.digest) if article.digest else None
        if found is None:
            found = distinct_words(html_to_text(article.body_html))
        if article.digest:
            words[article.digest] = found
        entries.append(
            {
                "u": base + article.url.lstrip("/"),
                "t": article.title,
                "d": article.date.isoformat(),
                "f": f"{article.date:%-d %B %Y}",
                "g": [tag_numbers[tag_key(name)] for name in article.tags],
                "s": article.summary,
                "w": found,
            }
        )
    if cache_path is not None and words != cached:
        save_pickle(cache_path, words)
    index = {
        "version": INDEX_VERSION,
        "tags": [[tag.name, base + tag.url.lstrip("/")] for tag in tags],
        "articles": entries,
    }
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return OutputFile(SEARCH_INDEX, (text + "\n").encode("utf-8"))
