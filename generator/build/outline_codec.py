"""How the cache spells a site's Outline (see site.py): one JSON document of texts, whole
numbers and lists, checked value by value as it is read back.

Apart from cache.py because the Outline is made of the site model's types, which a build
with nothing to do never loads (see pipeline.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from ..core.urls import output_path_for
from .cache_values import InvalidCache, all_of_type, read_number, read_pairs, read_text
from .site import Archive, Edition, Group, Outline, Publisher, Redirect, Tag, is_redirect_path

# The items of the document: Outline's fields, in their order.
FIELDS = tuple(field.name for field in dataclasses.fields(Outline))


def encode_outline(outline: Outline) -> list[object]:
    """The outline as a JSON document (its groups by the numbers of their members)."""
    return [
        outline.key,
        list(outline.kept),
        list(outline.left_out),
        [_encode_group(tag) for tag in outline.tags],
        [
            [edition.day.isoformat(), edition.url, list(edition.articles)]
            for edition in outline.editions
        ],
        [_encode_archive(month) for month in outline.months],
        [_encode_archive(year) for year in outline.years],
        [_encode_group(publisher) for publisher in outline.publishers],
        [[redirect.url, redirect.article] for redirect in outline.redirects],
    ]


def _encode_group(group: Group) -> list[object]:
    return [group.name, group.slug, group.url, list(group.articles)]


def _encode_archive(archive: Archive) -> list[object]:
    return [archive.start.isoformat(), archive.url, list(archive.editions), archive.article_count]


def decode_outline(document: object) -> Outline:
    """What encode_outline wrote; InvalidCache for anything else, including members that
    are not articles (or editions) of the outline, and an article listed twice."""
    if type(document) is not list or len(document) != len(FIELDS):
        raise InvalidCache("site outline expected")
    key, kept, left_out, tags, editions, months, years, publishers, redirects = document
    for digests in (kept, left_out):
        if type(digests) is not list or not all_of_type(str, digests):
            raise InvalidCache("article digests expected")
    if len({*kept, *left_out}) != len(kept) + len(left_out):
        raise InvalidCache("an article listed twice")
    articles = len(kept)
    decoded_editions = tuple(
        Edition(_day(day), _url(url), _members(members, articles))
        for day, url, members in _rows(editions, 3)
    )
    return Outline(
        key=read_text(key),
        kept=tuple(kept),
        left_out=tuple(left_out),
        tags=_groups(Tag, tags, articles),
        editions=decoded_editions,
        months=_archives("month", months, len(decoded_editions)),
        years=_archives("year", years, len(decoded_editions)),
        publishers=_groups(Publisher, publishers, articles),
        redirects=tuple(
            Redirect(_old_url(url), _member(article, articles))
            for url, article in read_pairs(redirects, "redirect")
        ),
    )


def _url(value: object) -> str:
    """The URL of a group's page: pages are planned at it, so it must lead into output/."""
    url = read_text(value)
    if output_path_for(url) is None:
        raise InvalidCache(f"page URL {url!r} outside the output folder")
    return url


def _old_url(value: object) -> str:
    url = read_text(value)
    if not is_redirect_path(url):
        raise InvalidCache(f"redirect from {url!r}, not a path of the site")
    return url


def _rows(value: object, width: int) -> list[list[Any]]:
    """A list of lists of `width` items each."""
    if type(value) is not list or not all(type(row) is list and len(row) == width for row in value):
        raise InvalidCache("site outline expected")
    return value


def _member(value: object, count: int) -> int:
    number = read_number(value)
    if not 0 <= number < count:
        raise InvalidCache("group member out of range")
    return number


def _members(value: object, count: int) -> tuple[int, ...]:
    """Numbers of articles (or editions) of the outline: `count` of them."""
    if type(value) is not list or not all_of_type(int, value):
        raise InvalidCache("group members expected")
    if value and not (min(value) >= 0 and max(value) < count):
        raise InvalidCache("group member out of range")
    return tuple(value)


def _day(value: object) -> dt.date:
    try:
        return dt.date.fromisoformat(read_text(value))
    except ValueError:
        raise InvalidCache("date expected") from None


def _groups(kind: type[Tag] | type[Publisher], value: object, articles: int) -> tuple[Any, ...]:
    return tuple(
        kind(read_text(name), read_text(slug), _url(url), _members(members, articles))
        for name, slug, url, members in _rows(value, 4)
    )


def _archives(kind: str, value: object, editions: int) -> tuple[Archive, ...]:
    return tuple(
        Archive(kind, _day(start), _url(url), _members(members, editions), read_number(count))
        for start, url, members, count in _rows(value, 4)
    )
