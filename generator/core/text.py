"""The plain text of rendered articles: word counts, ledes for summaries, and the folded
distinct words the search index keeps.

These run on HTML that Markdown produced (and nh3 re-serialised): well-formed, with no
markup inside attribute values, so patterns are enough and far faster than a parser. They
run once per article at parse time, so their results are cached with the article.
"""

from __future__ import annotations

import html
import re
import unicodedata

BODY_WORDS_BUDGET = 1200  # characters of distinct body words the search index keeps

_INVISIBLE = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
# Phrasing elements sit inside a line of text: removed without a space, so that "the
# <em>budget</em>, officials said" reads "the budget, officials said" (other tags end a block
# or a line, and stand for a space).
_INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span"
    r"|strong|sub|sup|time|u|var)\b[^>]*>",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])[\"'”’)\]]*\s+")
_LONG_WORD = re.compile(r"\w\w+")  # one-letter words are not worth an index entry


def html_to_text(fragment: str) -> str:
    """The visible text of an HTML fragment (for word counts and search)."""
    visible = _INLINE_TAG.sub("", _INVISIBLE.sub(" ", fragment))
    return " ".join(html.unescape(_TAG.sub(" ", visible)).split())


def lede(fragment: str, target_words: int) -> str:
    """The first paragraph, cut at the sentence boundary nearest `target_words` words."""
    first = _PARAGRAPH.search(fragment)
    return cut_at_sentence(html_to_text(first.group(1) if first else fragment), target_words)


def cut_at_sentence(text: str, target_words: int) -> str:
    """Shorten text to about `target_words` words, preferring to end on a full sentence."""
    words = text.split()
    if len(words) <= target_words:
        return text
    best_end, best_distance = None, None
    for match in _SENTENCE_END.finditer(text):
        count = len(text[: match.start()].split())
        distance = abs(count - target_words)
        if count >= target_words // 2 and (best_distance is None or distance < best_distance):
            best_end, best_distance = match.start(), distance
        if count > target_words * 1.5:
            break
    if best_end is not None:
        return text[:best_end].strip()
    return " ".join(words[:target_words]).rstrip(",;:") + "…"


def first_sentence(text: str) -> str:
    """The first sentence of a text (all of it if it has no sentence end)."""
    match = _SENTENCE_END.search(text)
    return text[: match.start()].strip() if match else text


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
    # of an incremental build on a large site. Only the distinct space-separated pieces are
    # folded and searched (a third of the text): no word spans a space, folding does not
    # look across one, and a word's first piece comes first, so the order of first use is
    # kept (checked against the whole-text version for every code point).
    pieces = " ".join(dict.fromkeys(text.split()))
    joined = " ".join(dict.fromkeys(_LONG_WORD.findall(fold(pieces))))
    if len(joined) <= budget:
        return joined
    return joined[: budget + 1].rsplit(" ", 1)[0]


# XML 1.0 forbids C0 controls (but tab, LF, CR), lone surrogates and U+FFFE/U+FFFF.
_NOT_XML_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Remove characters XML cannot carry, which would make a whole feed or sitemap unreadable."""
    return _NOT_XML_CHARACTER.sub("", text)
