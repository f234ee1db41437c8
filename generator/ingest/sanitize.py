"""Make imported Markdown inert: no raw HTML, no script URLs in links; one URL policy.

Python-Markdown passes raw HTML through (even trafilatura's backslash-escaped `\\<script>`),
so any tag-like text is stripped with nh3 and what is left of `<` is written as `&lt;`.
Links keep only web and mail schemes and relative URLs; relative links are made absolute
against the page. Whatever the first pass does not recognise as a link (a title in single
quotes, brackets inside the text, a reference definition inside a quote or a list) is made
plain text by the second pass, which escapes every link opening whose URL is not allowed
and removes every reference definition: what a Markdown parser could read as a link is
either a link we checked or text.

Every pass is linear in the text: no pattern here scans ahead further than the next
bracket, parenthesis or line end from any position.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import nh3

from ..core.urls import content_url_problem

_TAG_LIKE = re.compile(r"\\?<(?=[A-Za-z/!?])")
# [text](target "title"): the text holds no brackets and the target at most one level of
# parentheses, so that a failed match costs no more than the distance to the next bracket.
_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>[^\[\]\n]*)\]\("
    r"\s*(?P<target><[^<>\n]*>|(?:[^()\s]|\([^()\s]*\))*)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\)"
)
# A reference definition `[label]: url`, also inside quotes and list items (`> [r]: ...`).
_DEFINITION = re.compile(
    r"^(?P<prefix>(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))*)[ \t]*"
    r"\[(?:[^\[\]\\\n]|\\.){1,999}\]:.*$",
    re.MULTILINE,
)
_OPENING = re.compile(r"\]\s*\(\s*<?")
WEB_SCHEMES = frozenset({"http", "https"})
LINK_SCHEMES = WEB_SCHEMES | {"mailto"}
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")  # what browsers drop from a URL before parsing
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_ALLOWED = LINK_SCHEMES | {""}
_POINTY_END = re.compile(r"[>\n]")
_TARGET_END = re.compile(r"[()\"'<>]")


def _scheme(url: str) -> str | None:
    """The scheme a browser would see ("" for a relative URL), None when unclear."""
    plain = _IGNORED.sub("", html.unescape(url)).casefold()
    match = _SCHEME.match(plain)
    if match:
        return match.group(1)
    head = re.split(r"[/?#]", plain, maxsplit=1)[0]
    return None if ":" in head or "&" in head or "\\" in head else ""


def safe_url(url: str, base: str | None = None) -> str | None:
    """A link the importer may write: http(s) or mailto, or relative (made absolute against
    `base`); None for script, data and any other scheme, or a relative URL without a base
    that is not a path on the site itself."""
    url = _IGNORED.sub("", html.unescape(url.strip().strip("<>")))
    if not url:
        return None
    scheme = _scheme(url)
    if scheme is None or (scheme and scheme not in LINK_SCHEMES):
        return None
    if not scheme:
        if not base or url.startswith("//"):
            return None if url.startswith("//") else url if url.startswith(("/", "#")) else None
        url = urljoin(base, url)
        if _scheme(url) not in LINK_SCHEMES:
            return None
    # Last, the build's own policy: whatever the importer writes, the build accepts.
    return url if content_url_problem(url) is None else None


def page_url(url: str) -> str | None:
    """A URL the build accepts for `original_url` and `also_reported_by`: absolute http(s)
    with a host. None for anything else (relative, mailto, scripts)."""
    url = safe_url(url)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in WEB_SCHEMES or not parts.hostname:
        return None
    return url if content_url_problem(url, absolute=True) is None else None


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
    text = _DEFINITION.sub(lambda match: match.group("prefix").rstrip(), text)
    return _escape_openings(text)


def _escape_openings(text: str) -> str:
    """`](` starts a link target for a Markdown parser: escape the `(` when the target is not
    an allowed URL, so that it stays text whatever the first pass missed.

    The target is read as far as any parser could take its scheme: up to `>` after `<`,
    else up to a quote or parenthesis. Spaces, tabs and line breaks are kept in it and
    ignored by the scheme check: some parsers take `java script:` whole, and browsers drop
    tabs and line breaks from URLs.
    """
    parts: list[str] = []
    done = 0
    for match in _OPENING.finditer(text):
        start = match.end()
        stop = _POINTY_END if match.group(0).endswith("<") else _TARGET_END
        end = stop.search(text, start, start + 2048)
        candidate = text[start : end.start() if end else min(len(text), start + 2048)]
        if candidate and _scheme(candidate) in _ALLOWED:
            continue
        paren = text.index("(", match.start())
        parts += [text[done:paren], "\\"]
        done = paren
    parts.append(text[done:])
    return "".join(parts)


def strip_links(text: str) -> str:
    """Link text only, for measuring prose and writing summaries."""
    return _LINK.sub(lambda match: match.group("text"), text)
