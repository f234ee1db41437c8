"""Make imported Markdown inert: no raw HTML, no script URLs in links.

Python-Markdown passes raw HTML through (even trafilatura's backslash-escaped `\\<script>`),
so any tag-like text is stripped with nh3 and what is left of `<` is written as `&lt;`.
Links keep only web and mail schemes; relative links are made absolute against the page.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import nh3

_TAG_LIKE = re.compile(r"\\?<(?=[A-Za-z/!?])")
_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>[^\]\n]*)\]\((?P<target><[^>\n]*>|[^)\s]*)(?:\s+\"[^\"\n]*\")?\)"
)
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*\S+.*$", re.MULTILINE)
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", ""})
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def safe_url(url: str, base: str | None = None) -> str | None:
    """An absolute http(s)/mailto URL, or None for script, data and other schemes."""
    url = _CONTROL.sub("", html.unescape(url.strip().strip("<>")))
    if not url:
        return None
    scheme = urlsplit(url).scheme.casefold()
    if scheme not in _SAFE_SCHEMES:
        return None
    if not scheme:
        if not base or url.startswith("//"):
            return None if url.startswith("//") else url if url.startswith(("/", "#")) else None
        url = urljoin(base, url)
    return url


def sanitize_markdown(text: str, base: str | None = None) -> str:
    """Drop unsafe links (keeping their text) and neutralise any HTML left in the text."""
    if _TAG_LIKE.search(text):
        cleaned = nh3.clean(
            text.replace("\\<", "<"), tags=set(), clean_content_tags={"script", "style"}
        )
        text = _TAG_LIKE.sub("&lt;", html.unescape(cleaned))

    def link(match: re.Match[str]) -> str:
        url = safe_url(match.group("target"), base)
        label = match.group("text")
        if url is None or match.group("bang"):
            return label  # images are not part of a digest entry; unsafe links lose the URL
        return f"[{label}]({url})"

    text = _LINK.sub(link, text)
    return _REFERENCE.sub("", text)


def strip_links(text: str) -> str:
    """Link text only, for measuring prose and writing summaries."""
    return _LINK.sub(lambda match: match.group("text"), text)
