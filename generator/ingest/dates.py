"""Finding publication dates in scraped text: labelled and bare, numeric and written out.

A date we are not sure of is worse than none (the article would be filed on the wrong day),
so ambiguous numeric forms such as 03/04/2025 are rejected rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "januar",
        "jänner",
        "janvier",
        "janv",
        "enero",
        "ene",
        "gennaio",
        "genn",
        "janeiro",
        "januari",
    ),
    2: (
        "february",
        "feb",
        "februar",
        "février",
        "fevrier",
        "févr",
        "fevr",
        "febrero",
        "febbraio",
        "fevereiro",
        "fev",
        "februari",
    ),
    3: ("march", "mar", "märz", "maerz", "mär", "mars", "marzo", "março", "marco", "maart", "mrt"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile"),
    5: ("may", "mai", "mayo", "maggio", "mag", "maio", "mei"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "augustus"),
    9: (
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "set",
        "setembro",
    ),
    10: (
        "october",
        "oct",
        "oktober",
        "okt",
        "octobre",
        "octubre",
        "ottobre",
        "ott",
        "outubro",
        "out",
    ),
    11: ("november", "nov", "novembre", "noviembre", "novembro"),
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
        "dezembro",
    ),
}
# News dates outside these years are mistakes (and years 1 and 9999 cannot be moved to UTC).
FIRST_YEAR, LAST_YEAR = 1900, 2200
# Swedish, Polish and Russian (genitive, as dates write them), Turkish, Arabic.
_MORE_MONTHS = (
    "januari stycznia января ocak يناير",
    "februari lutego февраля şubat فبراير",
    "mars marca марта mart مارس",
    "april kwietnia апреля nisan أبريل",
    "maj maja мая mayıs مايو",
    "juni czerwca июня haziran يونيو",
    "juli lipca июля temmuz يوليو",
    "augusti sierpnia августа ağustos أغسطس",
    "september września сентября eylül سبتمبر",
    "oktober października октября ekim أكتوبر",
    "november listopada ноября kasım نوفمبر",
    "december grudnia декабря aralık ديسمبر",
)
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}
MONTHS.update(
    {name: number for number, names in enumerate(_MORE_MONTHS, start=1) for name in names.split()}
)
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
    r"(?:\s*(?:,|at|à|às|as|um|om|a las|alle|alle ore|ore|kl\.?|-|–|\||T)?\s*"
    r"(?P<hour>\d{1,2})(?:[:h.](?P<minute>\d{2}))(?::(?P<second>\d{2}))?(?:\.\d+)?"
    r"\s*(?P<ampm>[ap]\.?\s?m\.?)?\s*(?:uhr|h)?\s*" + _ZONE + r"?)?"
)
_PATTERNS = [
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)" + _TIME, re.I),
    re.compile(r"(?<!\d)(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})(?!\d)" + _TIME, re.I),
    re.compile(
        r"(?<![\d.])(?P<dayfirst>\d{1,2})\.(?P<then>\d{1,2})\.(?P<year>\d{4})(?!\d)" + _TIME,
        re.I,
    ),
    re.compile(
        r"(?<!\d)(?P<first>\d{1,2})/(?P<second_>\d{1,2})/(?P<year>\d{4})(?!\d)" + _TIME, re.I
    ),
    # 11/13/19: a two-digit year, read only where day and month cannot be swapped.
    re.compile(
        r"(?<![\d/])(?P<first>\d{1,2})/(?P<second_>\d{1,2})/(?P<short_year>\d{2})(?![\d/])" + _TIME,
        re.I,
    ),
    # 2023.12.20. 오후 5:40 (Korean; 오전/오후 are read as am/pm first; two-digit month and
    # day, so that a version number such as 2024.1.5 is not taken for a date)
    re.compile(
        r"(?<![\w.])(?P<year>\d{4})\.\s?(?P<month>\d{2})\.\s?(?P<day>\d{2})(?!\d)\.?" + _TIME,
        re.I,
    ),
    # 2026年5月19日 11時42分 (Japanese, Chinese), 2024년 3월 5일 (Korean)
    re.compile(
        r"(?P<year>\d{4})\s*[年년]\s*(?P<month>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日일]"
        r"(?:\s*(?:[(（][^)）]{1,3}[)）])?\s*(?P<hour>\d{1,2})\s*[時:]\s*(?P<minute>\d{2})\s*分?"
        r"(?:\s*(?P<ampm>[ap]m))?)?"
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
    r"fecha|fecha de publicación|pubblicato|data|publicado em|gepubliceerd|geplaatst|"
    r"配信|公開|掲載|発表|发布|發布|publicerad|opublikowano|опубликовано|giriş|yayınlanma|نشر في|نشر|"
    r"기사입력|입력|등록"
)
_UPDATED = (
    r"updated|last updated|modified|last modified|aktualisiert|zuletzt aktualisiert|stand|"
    r"mis à jour|mise à jour|actualizado|actualización|aggiornato|atualizado|atualizado em|"
    r"bijgewerkt|更新|uppdaterad|aktualizacja|zaktualizowano|обновлено|güncelleme|تحديث|수정"
)
_LABEL = re.compile(
    r"^\W*(?:(?P<published>" + _PUBLISHED + r")|(?P<updated>" + _UPDATED + r"))"
    r"(?:\s+(?:on|am|le|el|il|at|em|op|om|às))?\s*[:：]?\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FoundDate:
    """A date seen on one line, and how it was introduced (label kind or 'bare')."""

    value: dt.datetime | dt.date
    kind: str  # "published", "updated" or "bare"
    line: int


# Labels in English say nothing about the order of 03/04; the others read day first.
_ENGLISH_LABEL = re.compile(
    r"^\W*(?:published|posted|first published|publication date|date|dated|released|updated|"
    r"last updated|modified|last modified)\b",
    re.IGNORECASE,
)
# "Por Sergio Navarro 10/03/2024": a byline in a language that writes the day first.
_DAY_FIRST_BYLINE = re.compile(r"^\W*(?:por|von|par|di|door|av|przez|от|tarafından)\s", re.I)
# "By A | Published 19 Feb | Updated 20 Feb": a line of parts, an update label mid-part too.
_PARTS = re.compile(r"\s+[|·•]\s+|\s*[|｜]\s*|\s{3,}")
_INNER_UPDATE = re.compile(r"(?<=\S)\s+(?=(?:" + _UPDATED + r")\b)", re.IGNORECASE)
_ANY_LABEL = re.compile(r"(?:^|\s|\|)(?:" + _PUBLISHED + "|" + _UPDATED + r")(?:\b|\s|$)", re.I)


def parse_date(text: str, day_first: bool = False) -> dt.datetime | dt.date | None:
    """The earliest unambiguous date in a piece of text (with time and offset when given).

    `day_first` reads 03/04/2025 as 3 April (the line's label is not English); without it
    such a date is refused rather than guessed.
    """
    if "오" in text:
        text = _KOREAN_HALF_DAY.sub(_korean_half_day, text)
    day_first = day_first or bool(_DAY_FIRST_TIME.search(text))
    found: list[tuple[int, int, dt.datetime | dt.date]] = []
    for order, pattern in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            value = _from_match(match, day_first)
            if value is not None:
                found.append((match.start(), order, value))
                break
    return min(found, key=lambda item: item[:2])[2] if found else None


_KOREAN_HALF_DAY = re.compile(r"(오전|오후)\s*(\d{1,2}:\d{2})")
# "07h00", "16 Uhr", "à 20:13": a time only day-first languages write (French, Portuguese,
# Spanish, German, Dutch, Italian), so 04/06/2024 beside it is 4 June.
_DAY_FIRST_TIME = re.compile(
    r"\d{1,2}h\d{2}\b|\buhr\b|\s(?:às|à|a las|alle|um|om|kl\.?)\s+\d{1,2}[:.h]\d{2}", re.I
)


def _korean_half_day(match: re.Match[str]) -> str:
    return f"{match.group(2)} {'am' if match.group(1) == '오전' else 'pm'}"


def date_line_parts(text: str) -> list[tuple[str, dt.datetime | dt.date]]:
    """Every date a line states, each with its label kind ('published', 'updated', 'bare')."""
    results = []
    for part in _PARTS.split(text):
        for piece in _INNER_UPDATE.split(part):
            label = _LABEL.match(piece)
            day_first = bool(label) and not _ENGLISH_LABEL.match(piece)
            day_first = day_first or bool(_DAY_FIRST_BYLINE.match(piece))
            value = parse_date(piece, day_first)
            if value is None:
                continue
            if label and label.group("published"):
                results.append(("published", value))
            elif label and label.group("updated"):
                results.append(("updated", value))
            else:
                results.append(("bare", value))
    return results


def classify_date_line(text: str) -> tuple[str, dt.datetime | dt.date] | None:
    """For a short line that states a date: ('published'|'updated'|'bare', value).

    A line with several ("Published ... | Updated ...") answers with its publication date.
    """
    parts = date_line_parts(text)
    for wanted in ("published", "bare", "updated"):
        for kind, value in parts:
            if kind == wanted:
                return kind, value
    return None


def has_date_label(text: str) -> bool:
    """True when a line names a publication or update date somewhere ("By X | Published")."""
    return bool(_ANY_LABEL.search(text))


def _from_match(match: re.Match[str], day_first: bool = False) -> dt.datetime | dt.date | None:
    parts = match.groupdict()
    year = int(parts["year"]) if parts.get("year") else 2000 + int(parts["short_year"])
    if parts.get("monthname"):
        month = MONTHS[parts["monthname"].casefold()]
        day = int(parts["day"])
    elif parts.get("first"):
        first, second = int(parts["first"]), int(parts["second_"])
        if first > 12 >= second:
            day, month = first, second
        elif second > 12 >= first:
            day, month = second, first
        elif day_first and not parts.get("short_year"):
            day, month = first, second
        else:
            return None  # 03/04/2025: March or April? Refuse to guess.
    elif parts.get("dayfirst"):
        day, month = int(parts["dayfirst"]), int(parts["then"])
        if month > 12 >= day:
            day, month = month, day  # 11.14.2019: only a month-first reading is a date
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
    second = int(parts.get("second") or 0)
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
