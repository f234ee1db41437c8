"""The values cache files hold, as JSON, and how each is checked as it is read back.

The cache folder is not trusted (see cache.py): every value read from it is of exactly the
type expected, or the file is refused with InvalidCache. The manifest, the print index and
the article cache (article_codec.py) all spell texts, numbers and date-times this way.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo


class InvalidCache(Exception):
    """A cache file that this newsdigest did not write as it is (the message says why)."""


class Unstorable(Exception):
    """A value the cache format has no spelling for (the article is then not cached)."""


def read_text(value: object) -> str:
    if type(value) is not str:
        raise InvalidCache("text expected")
    return value


def read_number(value: object) -> int:
    if type(value) is not int:
        raise InvalidCache("whole number expected")
    return value


def read_flag(value: object) -> bool:
    if type(value) is not bool:
        raise InvalidCache("true or false expected")
    return value


def all_of_type(kind: type, values: Iterable[object]) -> bool:
    """Every value is of exactly `kind` (bool is not taken for int), checked in one pass."""
    return {*map(type, values)} <= {kind}


def read_text_lists(values: Sequence[object]) -> list[tuple[str, ...]]:
    """Each value a list of texts, as a tuple: checked and converted a column at a time,
    in C (value by value, the tags and authors of 10,000 articles took 17 ms, twice this)."""
    if not all_of_type(list, values) or not all_of_type(str, itertools.chain.from_iterable(values)):  # type: ignore[call-overload]
        raise InvalidCache("list of texts expected")
    # Tags and authors: the same few hundred names across the archive, one string each.
    return list(map(tuple, map(map, itertools.repeat(sys.intern), values)))  # type: ignore[arg-type]


def write_moment(value: dt.datetime) -> object:
    """A datetime exactly, time zone object included (`%Z` shows a ZoneInfo's name).

    The common case, no zone or an unnamed fixed offset, is the ISO text alone, which
    `fromisoformat` reads back as the same value (UTC included: it returns the singleton).
    """
    zone = value.tzinfo
    if zone is None or type(zone) is dt.timezone:
        arguments = zone.__getinitargs__() if zone is not None else ()  # type: ignore[attr-defined]
        if value.fold == 0 and len(arguments) < 2:
            return value.isoformat()
        if zone is not None:
            offset = arguments[0]
            name = arguments[1] if len(arguments) > 1 else None
            naive = value.replace(tzinfo=None).isoformat()
            return [
                naive,
                value.fold,
                "offset",
                offset.days,
                offset.seconds,
                offset.microseconds,
                name,
            ]
    if type(zone) is ZoneInfo and zone.key:
        return [value.replace(tzinfo=None).isoformat(), value.fold, "zone", zone.key]
    if zone is None:
        return [value.isoformat(), value.fold, "naive"]
    raise Unstorable(f"time zone {zone!r}")


def read_moment(value: object) -> dt.datetime:
    try:
        if type(value) is str:
            return dt.datetime.fromisoformat(value)
        if type(value) is list and len(value) >= 3 and type(value[0]) is str:
            naive = dt.datetime.fromisoformat(value[0])
            fold, kind = value[1], value[2]
            if naive.tzinfo is not None or fold not in (0, 1) or type(fold) is not int:
                raise InvalidCache("date-time expected")
            if kind == "naive" and len(value) == 3:
                return naive.replace(fold=fold)
            if kind == "zone" and len(value) == 4 and type(value[3]) is str:
                return naive.replace(tzinfo=ZoneInfo(value[3]), fold=fold)
            if kind == "offset" and len(value) == 7:
                offset = dt.timedelta(*map(read_number, value[3:6]))
                name = value[6]
                if name is not None and type(name) is not str:
                    raise InvalidCache("zone name expected")
                zone = dt.timezone(offset) if name is None else dt.timezone(offset, name)
                return naive.replace(tzinfo=zone, fold=fold)
    except (ValueError, KeyError, OSError, TypeError, OverflowError) as error:
        raise InvalidCache(f"bad date-time: {error}") from None
    raise InvalidCache("date-time expected")


def read_optional_moment(value: object) -> dt.datetime | None:
    return None if value is None else read_moment(value)


def write_optional_moment(value: dt.datetime | None) -> object:
    return None if value is None else write_moment(value)


def read_pairs(value: object, what: str) -> list[list[Any]]:
    """A list of two-item lists (how JSON spells a list of pairs), each checked for its
    shape; `what` names one pair in the message."""
    if type(value) is not list:
        raise InvalidCache(f"list of {what}s expected")
    for pair in value:
        if type(pair) is not list or len(pair) != 2:
            raise InvalidCache(f"{what} expected")
    return value
