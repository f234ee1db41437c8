"""RSS, Atom and JSON Feed files as import input.

RSS and Atom are read with feedparser, the well-kept parser of every XML feed dialect in use
(RSS 0.9x-2.0, RDF, Atom 0.3/1.0), tolerant of the broken feeds publishers serve, and it
sanitises the HTML of entries. feedparser 6.0 does not read JSON Feed, which is plain JSON
with a few named fields (jsonfeed.org/version/1.1): the json module reads it and the fields
are taken one by one, checked for type. Entry HTML of either kind then goes through the
cleaner and its sanitiser like any page. Each entry becomes one HTML document whose fields (link, title, date,
the feed's title as publisher, categories as tags) are hints that win over what the
cleaner finds, as a JSON Lines record's do.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import feedparser

from ..core.errors import Diagnostic, diagnostic
from .model import RawDocument

FEED_EXTENSIONS = (".rss", ".atom", ".xml", ".json")
# Names other files share too (sitemaps, metadata): a folder's are read only when they are feeds.
SHARED_EXTENSIONS = (".xml", ".json")
_XML_FEED = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<\?[^>]*>\s*)*<(?:rss|feed|rdf:RDF)\b",
    re.DOTALL | re.IGNORECASE,
)


def looks_like_feed(head: bytes) -> bool:
    """An XML document whose root is rss, feed or rdf:RDF, or a JSON Feed."""
    head = head.lstrip(b"\xef\xbb\xbf")
    if head.lstrip().startswith(b"{"):
        return b"jsonfeed.org/version" in head
    return bool(_XML_FEED.match(head))


@dataclass(frozen=True)
class Entry:
    """One feed entry, as much as the feed says of it."""

    link: str | None
    title: str | None
    date: str | None  # ISO 8601, UTC: feedparser normalises every date format to that
    tags: tuple[str, ...]
    content: str  # HTML, sanitised by feedparser
    key: str  # what identifies it across fetches: its id, else its link, else a hash
    image: str | None = None  # the entry's lead image (Media RSS, an image enclosure, JSON Feed)
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title (the publisher) and its entries, in feed order."""

    title: str | None
    entries: tuple[Entry, ...]


def parse_feed(data: bytes, name: str) -> Feed | Diagnostic:
    """Parse a feed's bytes; a document that is no feed at all is one diagnostic."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _json_feed(data, name)
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    if parsed.get("bozo") and not parsed.get("entries"):
        reason = parsed.get("bozo_exception")
        detail = str(reason).strip().splitlines()[0][:200] if reason else "unknown format"
        return diagnostic(name, None, f"not a readable RSS, Atom or JSON feed: {detail}")
    if not parsed.get("version") and not parsed.get("entries"):
        return diagnostic(name, None, "not an RSS, Atom or JSON feed")
    title = _text(parsed.feed.get("title"))
    return Feed(title, tuple(_entry(item) for item in parsed.entries))


def _json_feed(data: bytes, name: str) -> Feed | Diagnostic:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        return diagnostic(name, None, f"not a readable JSON Feed: {type(error).__name__}")
    if (
        not isinstance(document, dict)
        or not str(document.get("version", "")).startswith("https://jsonfeed.org/version/")
        or not isinstance(document.get("items"), list)
    ):
        return diagnostic(
            name,
            None,
            "not a JSON Feed (no `version: https://jsonfeed.org/version/1.1` and `items`)",
        )
    entries = []
    for item in document["items"]:
        if not isinstance(item, dict):
            continue
        link = item.get("url") if isinstance(item.get("url"), str) else None
        title = _text(item.get("title"))
        content = next(
            (
                value
                for value in (
                    item.get("content_html"),
                    html.escape(str(item.get("content_text") or "")),
                    item.get("summary"),
                )
                if isinstance(value, str) and value.strip()
            ),
            "",
        )
        date = next(
            (
                value
                for value in (item.get("date_published"), item.get("date_modified"))
                if isinstance(value, str)
            ),
            None,
        )
        tags = tuple(tag for tag in item.get("tags") or [] if isinstance(tag, str) and tag)
        ident = str(item["id"]) if isinstance(item.get("id"), str | int) else None
        key = ident or link or hashlib.sha256(f"{title}\n{content}".encode()).hexdigest()
        image = next(
            (v for v in (item.get("image"), item.get("banner_image")) if isinstance(v, str)), None
        )
        people = item.get("authors") or ([item["author"]] if "author" in item else [])
        entries.append(Entry(link, title, date, tags, content, key, image, _names(people, "name")))
    return Feed(_text(document.get("title")), tuple(entries))


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(html.unescape(value).split())
    return value or None


def _entry(item: Any) -> Entry:
    link = item.get("link") if isinstance(item.get("link"), str) else None
    stamp = item.get("published_parsed") or item.get("updated_parsed")
    date = None
    if stamp is not None:
        date = dt.datetime.fromtimestamp(calendar.timegm(stamp), dt.UTC).isoformat()
    tags = tuple(
        term for tag in item.get("tags") or [] if isinstance(term := tag.get("term"), str) and term
    )
    contents = [part.get("value", "") for part in item.get("content") or []]
    content = max(contents, key=len, default="") or item.get("summary", "") or ""
    title = _text(item.get("title"))
    ident = item.get("id") if isinstance(item.get("id"), str) and item.get("id") else None
    key = ident or link or hashlib.sha256(f"{title}\n{content}".encode()).hexdigest()
    return Entry(
        link,
        title,
        date,
        tags,
        content,
        key,
        _feed_image(item),
        _names(item.get("authors"), "name"),
    )


def _feed_image(item: Any) -> str | None:
    """The entry's image as feedparser reads it: Media RSS content of an image, a Media RSS
    thumbnail, or an enclosure whose type is an image."""
    for media in item.get("media_content") or []:
        is_image = media.get("medium") == "image" or str(media.get("type", "")).startswith("image/")
        if is_image and isinstance(media.get("url"), str):
            return str(media["url"])
    for thumbnail in item.get("media_thumbnail") or []:
        if isinstance(thumbnail.get("url"), str):
            return str(thumbnail["url"])
    for enclosure in item.get("enclosures") or []:
        if str(enclosure.get("type", "")).startswith("image/") and isinstance(
            enclosure.get("href"), str
        ):
            return str(enclosure["href"])
    return None


def _names(people: Any, key: str) -> tuple[str, ...]:
    """Author names from a list of `{name: ...}` records (feedparser's and JSON Feed's)."""
    if not isinstance(people, list):
        return ()
    names = (_text(person.get(key)) for person in people if isinstance(person, dict))
    return tuple(dict.fromkeys(name for name in names if name))


def entry_page(entry: Entry) -> str:
    """The entry as a small HTML page the cleaner reads like any other."""
    title = html.escape(entry.title or "")
    # The image and the authors go where a publisher's page states them, so the HTML
    # cleaner reads them as it reads any page's (and makes the image URL absolute).
    head = "".join(
        [
            f'<meta property="og:image" content="{html.escape(entry.image)}">'
            if entry.image
            else "",
            *(f'<meta name="author" content="{html.escape(name)}">' for name in entry.authors),
        ]
    )
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head><body><article>"
        f"<h1>{title}</h1>{entry.content}</article></body></html>"
    )


def entry_hints(entry: Entry, publisher: str | None) -> dict[str, object]:
    """What the feed states outright about an entry: it wins over the cleaner's guesses."""
    found: dict[str, object] = {
        "url": entry.link,
        "title": entry.title,
        "date": entry.date,
        "publisher": publisher,
        "tags": list(entry.tags),
    }
    return {key: value for key, value in found.items() if value}


def feed_documents(name: str, data: bytes, order: int) -> Iterator[RawDocument | Diagnostic]:
    """One HTML document per entry of a feed file, named `file#N` in messages."""
    feed = parse_feed(data, name)
    if isinstance(feed, Diagnostic):
        yield feed
        return
    if not feed.entries:
        yield diagnostic(name, None, "the feed has no entries", "nothing to import")
        return
    for number, entry in enumerate(feed.entries, start=1):
        if not entry.content.strip() and not entry.title:
            yield diagnostic(f"{name}#{number}", None, "entry has neither title nor text")
            continue
        page = entry_page(entry)
        raw = page.encode("utf-8")
        yield RawDocument(
            f"{name}#{number}",
            raw,
            "html",
            page,
            hashlib.sha256(raw).hexdigest(),
            order + number,
            entry_hints(entry, feed.title),
        )
