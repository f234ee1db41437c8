"""Languages: a theme's labels in the reader's language, and dates as that language writes them.

Labels are gettext messages in the templates (`{{ _("Coverage") }}`, `{{ ngettext(...) }}`),
translated from catalogues (`translations/<language>.po`) that a theme ships and that a site
or a child theme overrides string by string: the first catalogue in the theme chain that
translates a string wins, and the English message itself stands where none does. Dates and
times come from Babel (CLDR data): how a language names December, orders day, month and year
or writes a time zone is knowledge others keep, not ours to spell out.

A page is in one language: its article's `lang`, else the site's `language`. Templates never
pass it along: the gettext callables and the date filters read it from the page rendered.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale
from babel import dates as babel_dates
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

from ..core.errors import Diagnostics
from .article import Article
from .config import SiteConfig, display_path, parse_language

CATALOGUE_SUFFIX = ".po"
SOURCE_LANGUAGE = "en"  # the language the templates' messages are written in
# Date formats a template may name besides CLDR's widths (short, medium, long, full): each a
# CLDR skeleton, which Babel turns into the order and words a language uses.
DATE_SKELETONS = {
    "month": "yMMMM",  # December 2026, Dezember 2026, 2026年12月
    "weekday": "MMMMEEEEd",  # Tuesday, December 1; Dienstag, 1. Dezember
}
# And two that are CLDR patterns (a skeleton of a month alone may abbreviate it).
DATE_PATTERNS = {"month_name": "LLLL", "year": "y"}
DATE_WIDTHS = frozenset({"short", "medium", "long", "full"})
_WEEKDAY = re.compile(r"E+|c{3,}")  # a weekday field of a CLDR pattern, any width


def catalogue_names(code: str) -> list[str]:
    """The catalogue file stems a language reads, the most specific first: `de-CH` reads
    `de_CH.po`, then `de.po`."""
    locale = parse_language(code)
    if locale is None:
        return []
    names = [str(locale)]
    if locale.script:
        names.append(f"{locale.language}_{locale.script}")
    names.append(locale.language)
    return list(dict.fromkeys(names))


def _read_catalogue(path: Path, problems: Diagnostics, *, checked: bool) -> Catalog | None:
    """A .po file as a Babel catalogue, or None (with its problem added) if it is not one;
    `checked`: each translation is also checked against its message (Babel finds its
    checkers through the installed packages' entry points, 30 ms the first time)."""
    shown = display_path(path)
    try:
        with path.open("rb") as handle:
            catalogue = read_po(handle, abort_invalid=True)
    except PoFileError as error:
        problems.add(shown, error.lineno, f"not a valid gettext catalogue: {error}")
        return None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        problems.add(shown, None, f"cannot read the catalogue: {error}")
        return None
    if not checked:
        return catalogue
    for message, errors in catalogue.check():
        for error in errors:
            problems.add(
                shown,
                message.lineno,
                f"the translation of {message.id!r} does not fit its message: {error}",
                "keep the message's placeholders, such as %(name)s, in the translation",
            )
    return catalogue


def _real_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


class Catalogues:
    """The label translations of a theme chain (most specific folder first), each language
    read and compiled the first time a page in it is rendered."""

    def __init__(self, directories: Iterable[Path]) -> None:
        self.directories = tuple(directories)
        self._translations: dict[str, gettext.NullTranslations] = {}

    def files(self, language: str) -> list[Path]:
        """The catalogues a language reads, the one that wins first."""
        return [
            folder / f"{name}{CATALOGUE_SUFFIX}"
            for folder in self.directories
            for name in catalogue_names(language)
            if _real_file(folder / f"{name}{CATALOGUE_SUFFIX}")
        ]

    def check(self, problems: Diagnostics) -> None:
        """Read every catalogue of the chain up front, so that all their mistakes show at
        once (a linked one was refused with the theme, as linked templates are)."""
        for folder in self.directories:
            for path in sorted(folder.glob(f"*{CATALOGUE_SUFFIX}")):
                if _real_file(path):
                    _read_catalogue(path, problems, checked=True)

    def translations(self, language: str) -> gettext.NullTranslations:
        """The translations of a language: its catalogues chained, the winning one first."""
        found = self._translations.get(language)
        if found is None:
            found = gettext.NullTranslations()  # the English messages themselves
            chain: list[gettext.NullTranslations] = []
            for path in self.files(language):
                # Not checked again: check() did, and reported its mistakes, in the build
                # that first saw these files (the config key covers them).
                problems = Diagnostics()
                catalogue = _read_catalogue(path, problems, checked=False)
                problems.raise_if_any()
                if catalogue is not None:
                    compiled = io.BytesIO()
                    write_mo(compiled, catalogue)
                    compiled.seek(0)
                    chain.append(Translations(compiled))
            for more in chain[1:]:
                chain[0].add_fallback(more)  # appended at the end of the chain
            if chain:
                found = chain[0]
            self._translations[language] = found
        return found

    def lacks(self, language: str) -> bool:
        """Whether a language shows English labels for want of a catalogue."""
        locale = parse_language(language)
        return (
            locale is not None and locale.language != SOURCE_LANGUAGE and not self.files(language)
        )


@dataclass(frozen=True)
class Label:
    """A text a page kind writes itself (a page's title or description), in English: it is
    translated, and its dates formatted, in the language of the page it is shown on."""

    message: str
    plural: str = ""
    count: int = 1
    variables: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class DateText:
    """A day in a Label, in one of the date filter's formats (a bare date is `long`)."""

    day: dt.date
    format: str = "long"


def label(message: str, **variables: Any) -> Label:
    """A label; `%(name)s` in it is filled from `variables` (dates in the page's language)."""
    return Label(message, variables=tuple(sorted(variables.items())))


def plural_label(singular: str, plural: str, count: int, **variables: Any) -> Label:
    """A label whose words follow a count (`%(num)d article`, `%(num)d articles`)."""
    return Label(singular, plural, count, tuple(sorted({"num": count, **variables}.items())))


class PageLanguage:
    """Labels and dates in one page's language."""

    def __init__(self, code: str, locale: Locale, translations: gettext.NullTranslations):
        self.code = code
        self.locale = locale
        self.translations = translations
        # Listings show the same few days again and again, and Babel takes 12-30 µs a date
        # or zone name: each is formatted once per build (a zone's name once per offset and
        # year, since a zone's names change with both).
        self._dates: dict[tuple[dt.date, str], str] = {}
        # Matching a skeleton to the language's patterns takes Babel ~0.3 ms: once a skeleton.
        self._skeletons: dict[str, str] = {}
        self._zones: dict[tuple[str, dt.timedelta | None, int], str] = {}

    def text(self, value: Label | DateText | str) -> str:
        """A Label translated and filled in, a DateText formatted (a plain string is shown
        as it is)."""
        if isinstance(value, DateText):
            return self.date(value.day, value.format)
        if not isinstance(value, Label):
            return value
        if value.plural:
            message = self.translations.ngettext(value.message, value.plural, value.count)
        else:
            message = self.translations.gettext(value.message)
        variables = {name: self._variable(item) for name, item in value.variables}
        return message % variables if variables else message

    def _variable(self, value: Any) -> Any:
        if isinstance(value, Label):  # a label within a label: a feed's name in its link
            return self.text(value)
        if isinstance(value, DateText):
            return self.date(value.day, value.format)
        if isinstance(value, dt.date):
            return self.date(value)
        return value

    def date(self, value: dt.date, format: str = "long") -> str:
        """A day as the language writes it: a CLDR width, one of DATE_SKELETONS or
        DATE_PATTERNS, or a CLDR pattern (`EEEE d MMMM`)."""
        key = (value, format)
        found = self._dates.get(key)
        if found is None:
            if format in DATE_WIDTHS:
                found = babel_dates.format_date(value, format, locale=self.locale)
            elif format in DATE_SKELETONS:
                pattern = self._skeletons.get(format)
                if pattern is None:
                    pattern = self._skeletons[format] = self._skeleton_pattern(
                        DATE_SKELETONS[format]
                    )
                found = babel_dates.format_date(value, pattern, locale=self.locale)
            else:
                pattern = DATE_PATTERNS.get(format, format)
                found = babel_dates.format_date(value, pattern, locale=self.locale)
            self._dates[key] = found
        return found

    def _skeleton_pattern(self, skeleton: str) -> str:
        """The language's pattern for a skeleton, its weekday as wide as the skeleton asks.

        CLDR lists few skeletons and says a matched pattern's fields take the requested
        widths; Babel keeps the pattern's own, so `MMMMEEEEd` would read "Mo., 23. November".
        """
        options = self.locale.datetime_skeletons
        pattern = str(options[babel_dates.match_skeleton(skeleton, options)].pattern)
        if "EEEE" not in skeleton:
            return pattern
        parts = pattern.split("'")  # the odd parts are quoted text, kept as they are
        parts[::2] = [_WEEKDAY.sub("EEEE", part) for part in parts[::2]]
        return "'".join(parts)

    def time(self, value: dt.datetime) -> str:
        """A time with its zone named: `14:05 MEZ`, `2:05 PM EST`, `14:05 GMT+01:00` where
        the language has no name for the zone (an aware datetime, already in the site's zone)."""
        shown = babel_dates.format_time(value, "short", locale=self.locale)
        key = (str(value.tzinfo), value.utcoffset(), value.year)
        zone = self._zones.get(key)
        if zone is None:
            zone = babel_dates.format_time(value, "z", locale=self.locale)
            if zone[:1] in "+-":  # CLDR's fallback is a bare offset, which names nothing
                zone = babel_dates.get_timezone_gmt(value, "long", locale=self.locale)
            self._zones[key] = zone
        return f"{shown} {zone}"

    def moment(self, value: dt.datetime, format: str = "long") -> str:
        """Date and time in the language's own order (`{1}, {0}`, `{1} {0}`)."""
        pattern = self.locale.datetime_formats.get(format, self.locale.datetime_formats["medium"])
        return (
            str(pattern)
            .replace("'", "")
            .replace("{1}", self.date(value.date(), format))
            .replace("{0}", self.time(value))
        )


class Languages:
    """Every page language of one build, made the first time a page in it is rendered."""

    def __init__(self, catalogues: Catalogues) -> None:
        self.catalogues = catalogues
        self._pages: dict[str, PageLanguage] = {}

    def of(self, code: str) -> PageLanguage:
        """The labels and dates of a language (an unknown code is read as English: the
        configuration and front matter refuse such codes before anything is rendered)."""
        found = self._pages.get(code)
        if found is None:
            locale = parse_language(code) or Locale.parse(SOURCE_LANGUAGE)
            found = PageLanguage(code, locale, self.catalogues.translations(code))
            self._pages[code] = found
        return found


def missing_catalogues(
    catalogues: Catalogues, config: SiteConfig, articles: Iterable[Article]
) -> list[str]:
    """One warning for each language the site's pages are in that no catalogue translates
    (the pages show English labels with that language's dates), naming where it is set."""
    places = {config.language: f"{config.config_path}:{config.line_of('language') or 1}"}
    for article in articles:
        if article.lang:
            places.setdefault(article.lang, f"{article.source}:{article.line_of('lang')}")
    return [
        f"{place}: no translation of the theme's labels for `{code}`: its pages show English"
        f" labels with {code} dates (add translations/{catalogue_names(code)[-1]}"
        f"{CATALOGUE_SUFFIX} to translate them)"
        for code, place in places.items()
        if catalogues.lacks(code)
    ]


def page_language(context: jinja2.runtime.Context) -> PageLanguage:
    """The language of the page a template renders: its PageMeta's, else the site's."""
    languages: Languages = context.environment.newsdigest_languages  # type: ignore[attr-defined]
    page = context.get("page")
    code = getattr(page, "lang", "") or context["config"].language
    return languages.of(code)


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str) -> str:
    return page_language(context).translations.gettext(message)


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, count: int) -> str:
    return page_language(context).translations.ngettext(singular, plural, count)


def _as_moment(value: Any) -> dt.date | None:
    """A date or datetime from a value a template holds (an ISO string from front matter
    too, such as a Coverage report's date), None if it is none."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat):
            try:
                return parse(text)
            except ValueError:
                continue
    return None


@jinja2.pass_context
def _date_filter(context: jinja2.runtime.Context, value: Any, format: str = "long") -> str:
    """`{{ day | date }}`, `| date("full")`, `| date("month")`: the day a value falls on in
    the site's timezone, in the page's language. A format with `%` is a strftime pattern in
    the C locale, as themes made before languages used it."""
    moment = _as_moment(value)
    if moment is None:
        return str(value)
    if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(context["config"].tzinfo)
    if "%" in format:
        return moment.strftime(format)
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    return page_language(context).date(day, format)


@jinja2.pass_context
def _datetime_filter(
    context: jinja2.runtime.Context, value: Any, timed: bool = True, format: str = "long"
) -> str:
    """`{{ article.date | datetime(article.date_has_time) }}`: date and time in the site's
    timezone with the zone named; the date alone for a date given without a time (or
    `timed` false), so that no page shows a made-up midnight."""
    moment = _as_moment(value)
    if moment is None:
        return str(value)
    if not isinstance(moment, dt.datetime) or not timed:
        return _date_filter(context, moment, format)
    zone = context["config"].tzinfo
    shown = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
    return page_language(context).moment(shown, format)


@jinja2.pass_context
def _language_name(context: jinja2.runtime.Context, code: str) -> str:
    """A language's name in itself (`Deutsch`, `日本語`), for links to a translation."""
    locale = parse_language(code)
    if locale is None:
        return code
    return locale.get_display_name(locale) or code


def install_languages(environment: jinja2.Environment, catalogues: Catalogues) -> None:
    """Give an environment the gettext callables (`_`, `gettext`, `ngettext`) and the date
    filters, all in the language of the page rendered."""
    environment.add_extension("jinja2.ext.i18n")
    environment.extend(newsdigest_languages=Languages(catalogues))
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    environment.filters.update(
        date=_date_filter, datetime=_datetime_filter, language_name=_language_name
    )


def languages_of(environment: jinja2.Environment) -> Languages:
    """The page languages an environment made by install_languages renders in."""
    return environment.newsdigest_languages  # type: ignore[attr-defined, no-any-return]
