"""Finding publication dates in scraped text: labelled and bare, numeric and written out.

A date we are not sure of is worse than none (the article would be filed on the wrong day),
so ambiguous numeric forms such as 03/04/2025 are rejected rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "genn"),
    2: ("february", "feb", "februar", "février", "fevrier", "févr", "fevr", "febrero", "febbraio"),
    3: ("march", "mar", "märz", "maerz", "mär", "mars", "marzo"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile"),
    5: ("may", "mai", "mayo", "maggio", "mag"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "giu"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug"),
    8: ("august", "aug", "août", "aout", "agosto", "ago"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott"),
    11: ("november", "nov", "novembre", "noviembre"),
    12: (
        "december",
        "dec",
        "dezember",
        "dez",
        "décembre",
        "decembre",
        "déc",
        "diciembre",
        "dic",
        "dicembre",
    ),
}
# News dates outside these years are mistakes (and years 1 and 9999 cannot be moved to UTC).
FIRST_YEAR, LAST_YEAR = 1900, 2200
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}
_MONTH = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))

# Offsets for zone names that mean one thing; "ET" or "PT" (EST or EDT?) give none.
_ZONES = {
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "cet": 60,
    "cest": 120,
    "bst": 60,
    "est": -300,
    "edt": -240,
    "cst": -360,
    "cdt": -300,
    "pst": -480,
    "pdt": -420,
    "mez": 60,
    "mesz": 120,
}
_ZONE = r"(?P<zone>Z|[+-]\d{2}:?\d{2}|(?i:utc|gmt|cest|cet|bst|est|edt|cst|cdt|pst|pdt|mesz|mez)\b)"
_TIME = (
    r"(?:\s*(?:,|at|à|um|a las|alle|-|–|\||T)?\s*"
    r"(?P<hour>\d{1,2})(?:[:h.](?P<minute>\d{2}))(?::(?P<second>\d{2}))?(?:\.\d+)?"
    r"\s*(?P<ampm>[ap]\.?\s?m\.?)?\s*(?:uhr|h)?\s*" + _ZONE + r"?)?"
)
_PATTERNS = [
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)" + _TIME, re.I),
    re.compile(r"(?<!\d)(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})(?!\d)" + _TIME, re.I),
    re.compile(
        r"(?<![\d.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?!\d)" + _TIME, re.I
    ),
    re.compile(
        r"(?<!\d)(?P<first>\d{1,2})/(?P<second_>\d{1,2})/(?P<year>\d{4})(?!\d)" + _TIME, re.I
    ),
    re.compile(
        r"(?<!\w)(?P<day>\d{1,2})(?:st|nd|rd|th|er|º|\.)?\s*(?:de\s+)?(?P<monthname>"
        + _MONTH
        + r")\.?,?\s+(?:de\s+)?(?P<year>\d{4})(?!\d)"
        + _TIME,
        re.I,
    ),
    re.compile(
        r"(?<!\w)(?P<monthname>" + _MONTH + r")\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
        r"(?P<year>\d{4})(?!\d)" + _TIME,
        re.I,
    ),
]

_PUBLISHED = (
    r"published|posted|first published|publication date|date|dated|released|"
    r"veröffentlicht|erschienen|datum|publié|publié le|date de publication|publicado|"
    r"fecha|fecha de publicación|pubblicato|data"
)
_UPDATED = (
    r"updated|last updated|modified|last modified|aktualisiert|zuletzt aktualisiert|stand|"
    r"mis à jour|mise à jour|actualizado|actualización|aggiornato"
)
_LABEL = re.compile(
    r"^\W*(?:(?P<published>" + _PUBLISHED + r")|(?P<updated>" + _UPDATED + r"))"
    r"(?:\s+(?:on|am|le|el|il|at))?\s*[:：]?\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FoundDate:
    """A date seen on one line, and how it was introduced (label kind or 'bare')."""

    value: dt.datetime | dt.date
    kind: str  # "published", "updated" or "bare"
    line: int


def parse_date(text: str) -> dt.datetime | dt.date | None:
    """The first unambiguous date (with time and offset when given) in a piece of text."""
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            value = _from_match(match)
            if value is not None:
                return value
    return None


def classify_date_line(text: str) -> tuple[str, dt.datetime | dt.date] | None:
    """For a short line that states a date: ('published'|'updated'|'bare', value)."""
    label = _LABEL.match(text)
    value = parse_date(text)
    if value is None:
        return None
    if label and label.group("published"):
        return "published", value
    if label and label.group("updated"):
        return "updated", value
    return "bare", value


def _from_match(match: re.Match[str]) -> dt.datetime | dt.date | None:
    parts = match.groupdict()
    year = int(parts["year"])
    if parts.get("monthname"):
        month = MONTHS[parts["monthname"].casefold()]
        day = int(parts["day"])
    elif parts.get("first"):
        first, second = int(parts["first"]), int(parts["second_"])
        if first > 12 >= second:
            day, month = first, second
        elif second > 12 >= first:
            day, month = second, first
        else:
            return None  # 03/04/2025: March or April? Refuse to guess.
    else:
        month, day = int(parts["month"]), int(parts["day"])
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if parts.get("hour") is None:
        return date
    hour, minute = int(parts["hour"]), int(parts["minute"])
    second = int(parts["second"] or 0)
    ampm = (parts.get("ampm") or "").replace(".", "").replace(" ", "").casefold()
    if ampm:
        if not 1 <= hour <= 12:
            return date
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return date
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=_zone(parts.get("zone")))


def _zone(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    key = text.casefold()
    if key in _ZONES:
        return dt.timezone(dt.timedelta(minutes=_ZONES[key]))
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 14 or minutes > 59:
        return None
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def parse_iso(text: str) -> dt.datetime | dt.date | None:
    """Machine-readable dates from metadata (ISO 8601 and the loose forms sites emit)."""
    text = text.strip()
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return parse_date(text)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return None  # year 1 at +14:00 is before the first representable instant
    if len(text) <= 10:
        return value.date()
    return value
