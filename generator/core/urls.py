"""The one URL and path scheme: slugs, permalink patterns, and paths confined to output/."""

from __future__ import annotations

import datetime as dt
import functools
import html
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlsplit

# Symbols that carry meaning in tag names ("C++" is not "C", "C#" is not "C").
_SPOKEN_SYMBOLS = {"+": "-plus-", "#": "-sharp-"}
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_RESERVED_SEGMENTS = frozenset({"", ".", "..", "con", "prn", "aux", "nul"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


MAX_SLUG_BYTES = 200  # UTF-8 bytes, leaving room under 255 for the importer's "DD-" and "-2"


def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case, script-preserving slug: keeps letters of any alphabet, joins words with '-'.

    Returns "" when nothing usable is left; callers decide whether that is an error.
    """
    normalised = unicodedata.normalize("NFKC", text).casefold()
    normalised = normalised.replace("'", "").replace("\u2019", "")  # "Iran's" -> "irans"
    for symbol, spoken in _SPOKEN_SYMBOLS.items():
        normalised = normalised.replace(symbol, spoken)
    slug = _NOT_WORD.sub("-", normalised).replace("_", "-")
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    # A slug is a folder name in output/, and file systems allow 255 bytes: 80 characters
    # of a four-byte script are 320. Cut at a word, else at a character, never inside one.
    while len(slug.encode("utf-8")) > MAX_SLUG_BYTES:
        shorter = slug.rsplit("-", 1)[0]
        slug = shorter if shorter != slug and shorter else slug[:-1]
    return slug


def is_safe_slug(slug: str) -> bool:
    """A slug may become one path segment: no separators, no dot-segments, no reserved names."""
    return (
        slug.casefold() not in _RESERVED_SEGMENTS
        and "/" not in slug
        and "\\" not in slug
        and "%" not in slug
        and not slug.startswith(".")
        and all(unicodedata.category(char)[0] != "C" for char in slug)
    )


# What RFC 3986 lets stand in a URI as it is: unreserved and reserved characters, and "%" of
# an escape already made.
_URI_CHARACTERS = "/:@!$&'()*+,;=-._~%?#[]"


def to_uri(iri: str) -> str:
    """An IRI as an RFC 3986 URI: every other character percent-encoded as UTF-8.

    Slugs keep letters of any alphabet, so URLs are IRIs (`/über-uns/`); feeds, sitemaps and
    JSON must carry URIs (`/%C3%BCber-uns/`), which validators and strict clients require.
    HTML may keep the readable IRI.
    """
    return iri if iri.isascii() and " " not in iri else quote(iri, safe=_URI_CHARACTERS)


def placeholders(pattern: str) -> set[str]:
    """The `{name}` placeholders a permalink pattern uses."""
    return set(_PLACEHOLDER.findall(pattern))


def expand_permalink(pattern: str, values: Mapping[str, str]) -> str:
    """Fill a pattern such as `/{year}/{month}/{day}/{slug}/`; the result is a site path."""
    literals, names = _permalink_parts(pattern)
    filled = [literals[0]]
    for name, literal in zip(names, literals[1:], strict=True):
        filled += (values[name], literal)
    return "".join(filled)


@functools.cache
def _permalink_parts(pattern: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A pattern as the texts between its placeholders and the placeholders' names: split
    once, not matched again for each of 100,000 articles."""
    pieces = _PLACEHOLDER.split(pattern)
    return tuple(pieces[0::2]), tuple(pieces[1::2])


def output_path_for(url_path: str) -> str | None:
    """Map a site URL path to a relative POSIX file path, or None if it would leave output/.

    `/a/b/` becomes `a/b/index.html`; `/feed.xml` stays `feed.xml`.
    """
    if not url_path.startswith("/") or "\\" in url_path or "%" in url_path or "\x00" in url_path:
        return None
    if "/." not in url_path and "//" not in url_path:
        # Every URL the site makes: no segment is empty or starts with a dot, so the path is
        # the URL itself. Twice per article and once per page, in every build.
        return url_path[1:] + "index.html" if url_path.endswith("/") else url_path[1:]
    parts = [part for part in url_path.split("/") if part]
    if any(part in {".", ".."} for part in parts):
        return None
    if url_path.endswith("/"):
        parts.append("index.html")
    if not parts:
        return None
    return "/".join(parts)


def all_output_urls(urls: Sequence[str]) -> bool:
    """Whether every URL maps to a file in output/ (output_path_for), each text checked.

    For URLs the site makes (no `\\`, `%`, NUL, newline, empty or dot segment) in one
    joined text, at C speed: an article cache's URLs are checked this way as it is read
    (100,000 calls of output_path_for were 0.1 s). Any other URL is checked on its own."""
    joined = "\n" + "\n".join(urls)
    # Each URL after its own newline, and that newline followed by "/": none holds another.
    if joined.count("\n") == joined.count("\n/") == len(urls) and not any(
        mark in joined for mark in ("\\", "%", "\0", "/.", "//")
    ):
        return True
    return all(output_path_for(url) is not None for url in urls)


FRONT_PAGE_URL = "/"
EDITIONS_FEED_BASE = "/editions/"  # the feeds of whole editions, one entry a day
# A daily edition's e-mail, beside the edition's page: HTML and its plain-text part.
EMAIL_FILES = {"html": "email.html", "text": "email.txt"}
SOURCES_URL = "/sources/"  # every publisher that reported a story, each with a page below
SOURCES_OPML_URL = "/sources/opml.xml"  # the sources' feeds as an OPML reading list
NOT_FOUND_URL = "/404.html"
SEARCH_PAGE_URL = "/search/"
SEARCH_INDEX = "search-index.json"  # relative to the site root: the manifest of the parts
SITEMAP = "sitemap.xml"  # relative to the site root: the sitemap index
NEWS_SITEMAP = "news-sitemap.xml"  # relative to the site root: Google News' sitemap
ROBOTS = "robots.txt"
REDIRECTS = "_redirects"  # the redirect rules Netlify and Cloudflare Pages read


# Each feed format by the file name its feeds have, beside the listing they follow.
FEED_FILES = {"atom": "atom.xml", "rss": "rss.xml", "json": "feed.json"}


def feed_url(base: str, name: str) -> str:
    """A listing's feed in one format: `/atom.xml` for the site, `/tags/x/feed.json` for a tag."""
    return f"{base}{FEED_FILES[name]}"


def search_part_url(month: dt.date) -> str:
    """One month's part of the search index: `/search/index/2025-12.json`."""
    return f"/search/index/{month:%Y-%m}.json"


def sitemap_articles_url(month: dt.date, number: int) -> str:
    """A sitemap of one month's article pages: `/sitemap-articles-2025-12.xml`, then `-2`...

    Sitemaps sit at the site root because a sitemap may only list URLs under its own folder.
    """
    suffix = "" if number == 1 else f"-{number}"
    return f"/sitemap-articles-{month:%Y-%m}{suffix}.xml"


def sitemap_pages_url(number: int) -> str:
    """A sitemap of the other pages (listings, tags, editions, archives, search)."""
    return f"/sitemap-pages-{number}.xml"


_DATA_PART = re.compile(
    r"/search/index/\d{4}-\d{2}\.json|/sitemap-(articles-\d{4}-\d{2}(-\d+)?|pages-\d+)\.xml"
)


def is_data_part_url(url: str) -> bool:
    """Whether a URL has the shape of a search-index or sitemap part (reserved for them)."""
    return _DATA_PART.fullmatch(url) is not None


# Listings (the front page, a tag, a source) are paginated from the oldest article: page 1
# holds the first `per_page` articles ever listed, page 2 the next, and the newest page, at
# the listing's own URL, holds the rest (per_page to 2 * per_page - 1 of them, so it is never
# nearly empty). A new article changes the newest page only: the others keep their articles
# and their URLs, so bookmarks and search engines find what they found before, and a build
# that adds one article to a 100,000-article archive renders a handful of listing pages,
# not thousands (counted from the newest, every page shifts by one). Nikola's static indexes
# and Serendipity's stable archives do the same. The front page is the digest of the latest
# edition, not a listing: its pages are all numbered (`/page/<n>/`), the newest included.


def listing_page_count(total: int, per_page: int) -> int:
    """Pages of a listing of `total` articles: one while it has fewer than 2 * per_page."""
    return max(1, total // per_page)


def numbered_page_url(base: str, number: int) -> str:
    """`/tags/x/page/<number>/`: every page of a group's listing but its newest, and every
    page of the front page's."""
    return f"{base}page/{number}/"


def listing_url(base: str, number: int, count: int) -> str:
    """Page `number` of `count`: the newest is the listing's own URL (`/tags/x/`)."""
    return base if number == count else numbered_page_url(base, number)


def listing_slice(total: int, per_page: int, number: int) -> slice:
    """Which of a listing's `total` articles (newest first, as sites list them) page
    `number` shows."""
    count = listing_page_count(total, per_page)
    if number == count:
        return slice(0, total - (count - 1) * per_page)
    return slice(total - number * per_page, total - (number - 1) * per_page)


def page_count(total: int, per_page: int) -> int:
    """Parts needed for `total` items at `per_page` each (sitemaps); never fewer than one."""
    return max(1, math.ceil(total / per_page))


def tags_index_url(tag_pattern: str) -> str:
    """The tag index sits at the parent of the tag permalink: `/tags/{slug}/` -> `/tags/`."""
    prefix = tag_pattern.split("{slug}", 1)[0]
    return prefix if prefix.endswith("/") else "/tags/"


# The one policy for URLs that come from content (front matter, Markdown links and images,
# imported fields): these schemes, or none at all (a relative URL). Every other scheme can
# run code (`javascript:`, `vbscript:`), carry a whole page (`data:`) or reach the reader's
# machine (`file:`), and a news digest needs none of them.
CONTENT_URL_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Browsers drop tabs and newlines anywhere in a URL and controls and spaces at its ends;
# dropping every control and space (and the escapes Python-Markdown and HTML use for them)
# before judging errs on the side of refusing: `java\tscript:`, `\x01javascript:`.
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
# A browser decodes character references once; decoding up to three times refuses any
# doubly encoded scheme too, and a fixed count keeps `&amp;amp;amp;...` from costing n².
_URL_DECODINGS = 3


def content_url_problem(url: str, *, absolute: bool = False) -> str | None:
    """Why a URL from content may not reach a page, a feed or a file; None if it may.

    The URL is judged as a browser reads it in an HTML attribute: character references
    decoded (`jav&#x61;script:`, `&#106;avascript:`, `&colon;`; repeatedly, so that no
    spelling hides a scheme), tabs, newlines and controls dropped, the scheme in any case.
    Allowed: http, https, mailto and relative URLs. A protocol-relative `//host/path` is
    relative here, because it is an http(s) link to that host, no more dangerous than
    `https://host/path`, which is allowed. With `absolute`, only an http(s) URL with a host
    passes (fields that name another site's page, such as `original_url`).
    """
    seen = url
    for _ in range(_URL_DECODINGS):
        decoded = html.unescape(seen)
        if decoded == seen:
            break
        seen = decoded
    else:
        return "it hides its text behind character references (`&amp;amp;...`)"
    seen = _URL_IGNORED.sub("", seen)
    if not seen:
        return "the URL is empty"
    match = _URL_SCHEME.match(seen)
    scheme = match.group(1).casefold() if match else ""
    if scheme and scheme not in CONTENT_URL_SCHEMES:
        return f"the scheme `{scheme}:` is not allowed (only http, https, mailto and relative URLs)"
    if absolute and (scheme not in {"http", "https"} or not urlsplit(seen).netloc):
        return "it must be an absolute http(s) URL, such as `https://example.com/story`"
    return None


# Attributes that hold a URL: whatever makes them (Markdown, an attribute list, raw HTML),
# their values pass the content URL policy or the attribute is dropped.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "action", "formaction", "poster", "cite", "background", "data"}
    | {"xlink:href", "longdesc", "usemap", "ping", "manifest", "codebase", "lowsrc", "dynsrc"}
)


def url_attribute_allowed(name: str, value: str) -> bool:
    """A URL attribute passes if its URL does; a srcset if each of its candidates does."""
    if name.casefold() != "srcset":
        return content_url_problem(value) is None
    return all(
        content_url_problem(candidate.split()[0]) is None
        for candidate in value.split(",")
        if candidate.strip()
    )
