"""How the article cache spells an Article: one JSON record per article, its bodies raw
after the document, read back a column at a time and checked value by value.

Apart from cache.py because only a build that loads or saves articles needs it: it is
made from the Article dataclass, whose module brings the article parser and its sanitiser
(nh3), and a build with nothing to do never loads those (see pipeline.py).
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import datetime as dt
import itertools
import json
import operator
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..core.urls import all_output_urls
from .article import BLOB_FIELDS, Article
from .blobs import Blob, BlobFile
from .cache_values import (
    InvalidCache,
    Unstorable,
    all_of_type,
    read_flag,
    read_moment,
    read_number,
    read_optional_moment,
    read_pairs,
    read_text,
    read_text_lists,
    write_moment,
    write_optional_moment,
)

# Front-matter values newsdigest does not know (Article.extra_items) are whatever PyYAML's
# safe loader makes. JSON spells str, int, float, bool and None itself; every other value is
# an array whose first item names its type, so no JSON array is ever ambiguous.
_CONTAINERS: Mapping[type, str] = {list: "list", tuple: "tuple", set: "set", frozenset: "frozenset"}
_BUILDERS: Mapping[str, Callable[[list[Any]], object]] = {
    "list": list,
    "tuple": tuple,
    "set": set,
    "frozenset": frozenset,
}


# Python refuses to turn longer integers into text (and JSON is text): such a value (a
# 5,000-digit YAML number) leaves its article out of the cache.
_MAX_INTEGER_BITS = 14_000  # about 4,200 digits; the limit is 4,300
# The integers every JSON parser the cache is read with returns as integers (orjson turns
# longer ones into floats without a word): longer ones are written as tagged text.
_WIDEST_INT = (-(2**63), 2**63 - 1)


def _encode_value(value: object) -> object:
    kind = type(value)
    if kind is int and value.bit_length() > _MAX_INTEGER_BITS:  # type: ignore[attr-defined]
        raise Unstorable("an integer too long to write")
    if kind is int and not _WIDEST_INT[0] <= value <= _WIDEST_INT[1]:  # type: ignore[operator]
        return ["int", str(value)]  # orjson would read it back as a float
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind in _CONTAINERS:
        return [_CONTAINERS[kind], *map(_encode_value, value)]  # type: ignore[call-overload]
    if kind is dict:
        pairs = [part for pair in value.items() for part in map(_encode_value, pair)]  # type: ignore[attr-defined]
        return ["dict", *pairs]
    if kind is bytes:
        return ["bytes", base64.b64encode(value).decode("ascii")]  # type: ignore[arg-type]
    if kind is dt.datetime:
        return ["datetime", write_moment(value)]  # type: ignore[arg-type]
    if kind is dt.date:
        return ["date", value.isoformat()]  # type: ignore[attr-defined]
    raise Unstorable(f"value of type {kind.__name__}")


def _decimal(text: str) -> bool:
    """An integer as _encode_value writes one: ASCII digits, one minus sign at most (str.isdigit
    also takes other scripts' digits, and int() would read them)."""
    digits = text.removeprefix("-")
    return digits.isascii() and digits.isdigit()


def _value(value: object) -> object:
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind is not list or not value or type(value[0]) is not str:  # type: ignore[index]
        raise InvalidCache("tagged value expected")
    tag, items = value[0], value[1:]  # type: ignore[index]
    try:
        if tag in _BUILDERS:
            return _BUILDERS[tag]([_value(item) for item in items])
        if tag == "dict" and len(items) % 2 == 0:
            decoded = [_value(item) for item in items]
            return dict(zip(decoded[::2], decoded[1::2], strict=True))
        if tag == "int" and len(items) == 1 and _decimal(read_text(items[0])):
            return int(items[0])
        if tag == "bytes" and len(items) == 1:
            return base64.b64decode(read_text(items[0]), validate=True)
        if tag == "datetime" and len(items) == 1:
            return read_moment(items[0])
        if tag == "date" and len(items) == 1:
            return dt.date.fromisoformat(read_text(items[0]))
    except (TypeError, ValueError) as error:  # unhashable keys, bad base64 or dates
        raise InvalidCache(f"bad {tag} value: {error}") from None
    raise InvalidCache(f"unknown value type {tag!r}")


def _extra(value: object) -> tuple[tuple[str, Any], ...]:
    return tuple((read_text(key), _value(item)) for key, item in read_pairs(value, "field"))


def _encode_extra(value: tuple[tuple[str, Any], ...]) -> object:
    return [[key, _encode_value(item)] for key, item in value]


# Field lines are the same few pairs in most articles: they are stored as JSON text, and
# each distinct text is read (and checked) once per process.
_known_lines: dict[str, tuple[tuple[str, int], ...]] = {}


_lines_texts: dict[tuple[tuple[str, int], ...], str] = {}


def _encode_lines(value: tuple[tuple[str, int], ...]) -> str:
    text = _lines_texts.get(value)
    if text is None:
        _lines_texts[value] = text = json.dumps(value, separators=(",", ":"))
    return text


def _lines(value: object) -> tuple[tuple[str, int], ...]:
    found = _known_lines.get(value) if type(value) is str else None
    if found is not None:
        return found
    try:
        pairs = json.loads(read_text(value))
    except (ValueError, RecursionError):
        raise InvalidCache("field lines expected") from None
    # The same few key names in every article: one string each, as parsing makes them.
    found = tuple(
        (sys.intern(read_text(key)), read_number(line))
        for key, line in read_pairs(pairs, "field line")
    )
    _known_lines[value] = found  # type: ignore[index]
    return found


def _moments(values: Sequence[object]) -> list[dt.datetime]:
    """A column of date-times: ISO texts alone (the common case, see write_moment) read
    by one map in C; any other column value by value."""
    if all_of_type(str, values):
        try:
            return list(map(dt.datetime.fromisoformat, values))  # type: ignore[arg-type]
        except ValueError:
            pass  # reported below, with the value's own message
    return list(map(read_moment, values))


def _optional_moments(values: Sequence[object]) -> list[dt.datetime | None]:
    """A column of date-times or None; a column of None only (most articles have no
    `updated:`) is read as it is."""
    if values.count(None) == len(values):
        return list(values)  # type: ignore[arg-type]
    return list(map(read_optional_moment, values))


def _lines_column(values: Sequence[object]) -> list[tuple[tuple[str, int], ...]]:
    """A column of field lines: each text already read is looked up in one map in C."""
    try:
        found = list(map(_known_lines.get, values))  # type: ignore[arg-type]
    except TypeError:  # a value that is not a text (and so not hashable)
        found = [None] * len(values)
    if None in found:
        return list(map(_lines, values))
    return found  # type: ignore[return-value]


def _extras(values: Sequence[object]) -> list[tuple[tuple[str, Any], ...]]:
    """A column of unknown front-matter fields; a column without any (most archives) is
    checked and made in C."""
    if all_of_type(list, values) and not any(values):
        return [()] * len(values)
    return list(map(_extra, values))


def _each(decode: Callable[[object], Any]) -> Callable[[Sequence[object]], list[Any]]:
    """A column decoder that decodes value by value."""

    def decode_column(values: Sequence[object]) -> list[Any]:
        return list(map(decode, values))

    return decode_column


_Codec = tuple[Callable[[Any], object], Callable[[Sequence[object]], list[Any]]]
# How each kind of Article field is written (value by value) and read (a column of every
# article's values at a time), by its annotation (None: stored as it is, a text checked in
# bulk). A new field with a type not listed here fails at import, in every test, until it
# is given a codec.
_CODECS: Mapping[str, _Codec | None] = {
    "str": None,
    "int": (read_number, _each(read_number)),
    "bool": (read_flag, _each(read_flag)),
    "dt.datetime": (write_moment, _moments),
    "dt.datetime | None": (write_optional_moment, _optional_moments),
    "tuple[str, ...]": (list, read_text_lists),
    "tuple[tuple[str, Any], ...]": (_encode_extra, _extras),
    "tuple[tuple[str, int], ...]": (_encode_lines, _lines_column),
}
# Fields held in Blobs (the body, the search words): stored raw after the JSON document,
# in this order, and read only when a page shows them.
_BLOBS = BLOB_FIELDS
_NAMES = tuple(field.name for field in dataclasses.fields(Article) if field.name not in _BLOBS)
_TYPES = {field.name: str(field.type) for field in dataclasses.fields(Article)}
_CODED = tuple(
    (index, name, *codec)
    for index, name in enumerate(_NAMES)
    if (codec := _CODECS[_TYPES[name]]) is not None
)
_VALUES = operator.attrgetter(*_NAMES)
_BLOB_VALUES = operator.attrgetter(*_BLOBS)
_PUBLISHER = _NAMES.index("publisher")
_URL = _NAMES.index("url")
_DIGEST_OF = operator.attrgetter("digest")
_DIGEST_PREFIX = operator.itemgetter(slice(0, 4))  # what names an article's shard
# Fields whose stored value is the value, checked a column at a time (the type exactly: a
# bool is no int), and what a wrong one is reported as.
_BULK: Mapping[str, tuple[type, str]] = {
    "str": (str, "text expected"),
    "int": (int, "whole number expected"),
    "bool": (bool, "true or false expected"),
}
_CHECKED = tuple(
    (index, *_BULK[_TYPES[name]]) for index, name in enumerate(_NAMES) if _TYPES[name] in _BULK
)
_DECODED = tuple(
    (index, decode_column)
    for index, name, _encode, decode_column in _CODED
    if _TYPES[name] not in _BULK
)
# What sets each field of an Article, fields in _NAMES order and then the blobs.
_SLOT_SETTERS = tuple(getattr(Article, name).__set__ for name in (*_NAMES, *_BLOBS))


def _encode_article(article: Article) -> list[object]:
    record = list(_VALUES(article))
    for index, _name, encode, _decode in _CODED:
        record[index] = encode(record[index])
    return record


def _decode_articles(records: Sequence[object], blobs: Sequence[Sequence[Blob]]) -> list[Article]:
    """Articles from their records and, field by field, their blobs.

    A column at a time: the records are turned into columns (in C), the plain ones checked
    in one pass each, the others decoded value by value, and each column set into its slot
    of every article (the setters called from C; a frozen dataclass's __init__ would spend
    a third of the load on object.__setattr__). Half the time of decoding record by record.
    """
    if not all_of_type(list, records) or {*map(len, records)} - {len(_NAMES)}:
        raise InvalidCache("article record expected")
    columns: list[Sequence[object]] = list(zip(*records, strict=True)) or [()] * len(_NAMES)
    for index, kind, problem in _CHECKED:
        if not all_of_type(kind, columns[index]):
            raise InvalidCache(problem)
    # Resolved URLs (those left out have none): an edit build that reassembles the site
    # takes them as they are (see site.reassemble_site), so none may lead out of output/.
    if not all_output_urls([url for url in columns[_URL] if url]):  # type: ignore[misc]
        raise InvalidCache("article URL outside the output folder")
    for index, decode_column in _DECODED:
        columns[index] = decode_column(columns[index])
    # A few hundred names, one string each.
    columns[_PUBLISHER] = list(map(sys.intern, columns[_PUBLISHER]))  # type: ignore[arg-type]
    articles = list(map(object.__new__, itertools.repeat(Article, len(records))))
    for setter, column in zip(_SLOT_SETTERS, (*columns, *blobs), strict=True):
        collections.deque(map(setter, articles, column), 0)
    return articles


def decode_shard(
    shard: int, shards: int, document: object, file: BlobFile, tail_start: int, tail_end: int
) -> dict[str, Article]:
    """The articles of shard file number `shard` (of `shards`) by digest, each checked: its
    JSON `document`, and the bodies in `file` between `tail_start` and `tail_end`. Raises
    InvalidCache if the file is not one this codec wrote for that shard."""
    if type(document) is not list:
        raise InvalidCache("list of articles expected")
    if not all_of_type(list, document) or {*map(len, document)} - {3}:
        raise InvalidCache("article entry expected")
    digests, sizes, records = tuple(zip(*document, strict=True)) if document else ((), (), ())
    if not all_of_type(str, digests):
        raise InvalidCache("text expected")
    if not all_of_type(list, sizes) or {*map(len, sizes)} - {len(_BLOBS)}:
        raise InvalidCache("article entry expected")
    try:  # each distinct prefix once, in C: a few hundred per shard
        prefixes = {*map(int, map(_DIGEST_PREFIX, digests), itertools.repeat(16))}
    except ValueError:
        raise InvalidCache("article digest expected") from None
    if {prefix % shards for prefix in prefixes} - {shard}:
        raise InvalidCache("article entry expected")
    lengths = list(itertools.chain.from_iterable(sizes))
    if not all_of_type(int, lengths):
        raise InvalidCache("whole number expected")
    # The bodies lie one after another after the document, in article and field order.
    offsets = list(itertools.accumulate(lengths, initial=tail_start))
    if (lengths and min(lengths) < 0) or offsets[-1] > tail_end:
        raise InvalidCache("article body out of place")
    if offsets[-1] != tail_end:
        raise InvalidCache("unexpected bytes after the article bodies")
    blobs = list(map(Blob, itertools.repeat(file), offsets, lengths))
    fields = len(_BLOBS)
    articles = _decode_articles(records, [blobs[i::fields] for i in range(fields)])
    if tuple(map(_DIGEST_OF, articles)) != digests:
        raise InvalidCache("article filed under another digest")
    return dict(zip(digests, articles, strict=True))


def shard_of(digest: str, shards: int) -> int:
    """The number of the shard file an article's digest files it in."""
    return int(_DIGEST_PREFIX(digest), 16) % shards


def encode_shard(articles: Mapping[str, Article]) -> tuple[list[object], bytes]:
    """The document and the bytes after it of a shard file holding `articles` (by digest);
    an article with a value the format cannot spell is left out (parsed again next time,
    which is all it costs)."""
    document, tail = [], []
    for digest, article in articles.items():
        try:
            record = _encode_article(article)
        except Unstorable:
            continue
        blobs = _BLOB_VALUES(article)
        document.append([digest, [len(blob) for blob in blobs], record])
        tail.extend(blob.data() for blob in blobs)
    return document, b"".join(tail)
