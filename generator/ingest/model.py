"""Data passed between the import steps. Frozen, so no step edits another's result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# What `newsdigest import --format` takes. Here, not with the readers, so that building the
# command line does not import them (and feedparser, charset_normalizer) for every command.
FORMATS = ("auto", "text", "html", "jsonl", "warc", "feed")


@dataclass(frozen=True)
class RawDocument:
    """One page to import: its bytes as read, where they came from, and hints from the input.

    `hints` carries fields a JSON Lines record states outright (url, title, date, ...);
    they win over what the cleaner finds in the page, since the scraper saw the real page.
    """

    source: str  # what the user sees in messages: a path, "path:line" or "<stdin>"
    data: bytes
    format: str  # "text" or "html"
    text: str
    sha256: str
    order: int
    hints: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class BatchContext:
    """What other pages of the batch tell the cleaner about one page.

    `recurring` are lines that also appear on other pages of the same site (menus, footers,
    promos); `other_titles` are the headlines of the other articles, which on this page can
    only be links to them.
    """

    recurring: frozenset[str] = frozenset()
    other_titles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Extracted:
    """What the cleaner found on one page; a field it could not find is None or empty."""

    title: str | None
    date: dt.datetime | dt.date | None
    publisher: str | None
    url: str | None
    tags: tuple[str, ...]
    body: str  # Markdown
    updated: dt.datetime | dt.date | None = None
    author: str | None = None
    # Every author the page declares (`author` is the first, or the byline's); the lead
    # image, an absolute URL, with its alt text, caption and credit.
    authors: tuple[str, ...] = ()
    image: str | None = None
    image_alt: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None
    # Comparison keys of every line the cleaner looked at, for the batch's cross-page signals.
    lines: frozenset[str] = frozenset()
