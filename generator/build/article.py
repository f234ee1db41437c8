"""content/*.md -> validated Article values (front matter checked field by field, Markdown
rendered and sanitised, summary and reading time derived).

Everything here works on one file at a time and depends only on the file's bytes and the
parsing settings, which is what makes articles safe to cache and to parse in parallel.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import nh3

from ..core.errors import Diagnostic, diagnostic
from ..core.frontmatter import FrontMatter, parse_front_matter, strip_unsafe_characters
from ..core.text import distinct_words, html_to_text, lede
from ..core.urls import is_safe_slug, slugify
from .config import ParseSettings

MAX_ARTICLE_BYTES = 5 * 1024 * 1024
WORDS_PER_MINUTE = 200

# Field spellings other generators use for the same meaning, so content can move over as is.
FIELD_ALIASES: Mapping[str, str] = {
    "description": "summary",
    "lastmod": "updated",
    "modified": "updated",
    "categories": "tags",
}
KNOWN_FIELDS = frozenset(
    {"title", "date", "updated", "tags", "summary", "author", "authors", "publisher"}
    | {"original_url", "slug", "draft", "image", "lang"}
    | set(FIELD_ALIASES)
)

_SANITISED_TAGS = frozenset(
    {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd"}
    | {"del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2"}
    | {"h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre"}
    | {"q", "s", "samp", "section", "small", "span", "strong", "sub", "summary", "sup", "table"}
    | {"tbody"}
    | {"td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var"}
)
_SANITISED_ATTRIBUTES: Mapping[str, set[str]] = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "aria-label"},  # cmark's footnote back-links say where they go
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "style", "scope"},
    "time": {"datetime"},
    "ol": {"start", "type"},
    "abbr": {"title"},
}
_SAFE_URL_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass(frozen=True)
class Article:
    """One article, validated; `url` is filled in later when the site resolves URLs."""

    source: str
    slug: str
    title: str
    date: dt.datetime
    updated: dt.datetime | None
    tags: tuple[str, ...]
    summary: str
    # The body's HTML in UTF-8, read through `body_html`: a str of text with any non-ASCII
    # character takes two or four bytes a character, and bodies are most of what a build
    # holds in memory (half of it at 10,000 articles) and of what the cache loads.
    body_utf8: bytes
    authors: tuple[str, ...] = ()
    publisher: str = ""
    original_url: str = ""
    draft: bool = False
    image: str = ""
    lang: str = ""
    word_count: int = 0
    search_words: str = ""  # the body's folded distinct words, for the search index
    extra_items: tuple[tuple[str, Any], ...] = ()
    url: str = ""
    digest: str = ""  # content hash of the source file and parse settings (see cache.py)
    # Lines of front-matter keys, so later stages (URL collisions, tag clashes) can point at them.
    field_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    @property
    def body_html(self) -> str:
        """The body, rendered and sanitised."""
        return self.body_utf8.decode("utf-8", "surrogatepass")

    @property
    def extra(self) -> dict[str, Any]:
        """Front-matter fields newsdigest does not know, kept for templates (`article.extra.x`)."""
        return dict(self.extra_items)

    @property
    def reading_minutes(self) -> int:
        """Estimated reading time, never zero."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def last_modified(self) -> dt.datetime:
        """The date feeds and sitemaps report as the last change."""
        return self.updated or self.date

    def line_of(self, key: str) -> int:
        """Line of a front-matter key in the source file (1 if the key is absent)."""
        return dict(self.field_lines).get(key, 1)


@dataclass(frozen=True)
class BrokenDraft:
    """A draft that does not validate yet (the importer writes such drafts for review).

    It stops the build only when drafts are asked for; otherwise it is listed as skipped.
    """

    source: str
    problems: tuple[Diagnostic, ...]


def parse_article(
    raw: bytes, source: str, settings: ParseSettings
) -> Article | BrokenDraft | list[Diagnostic]:
    """Parse an article from its bytes; `source` is the path shown in messages."""
    if len(raw) > MAX_ARTICLE_BYTES:
        return [diagnostic(source, None, f"file is larger than {MAX_ARTICLE_BYTES // 2**20} MiB")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        return [
            diagnostic(
                source,
                line,
                f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x})",
                "save the file as UTF-8",
            )
        ]
    # Before anything else, so the body, the summary made from it and the feeds never carry
    # characters that HTML and XML forbid (newlines are kept: line numbers do not move).
    front = parse_front_matter(strip_unsafe_characters(text), source)
    if isinstance(front, Diagnostic):
        return [front]
    return _validate(front, source, settings)


def _validate(
    front: FrontMatter, source: str, settings: ParseSettings
) -> Article | BrokenDraft | list[Diagnostic]:
    problems: list[Diagnostic] = []
    fields = front.fields
    lines = front.lines

    def problem(key: str, message: str, hint: str | None = None) -> None:
        problems.append(diagnostic(source, lines.get(key, 1), message, hint))

    def canonical(key: str) -> tuple[Any, str]:
        """The value under the field's own name, else under an alias other generators use."""
        if key in fields:
            return fields[key], key
        for alias, target in FIELD_ALIASES.items():
            if target == key and alias in fields:
                return fields[alias], alias
        return None, key

    zone = ZoneInfo(settings.timezone)

    title = fields.get("title")
    if title is None:
        problem("title", "missing required field `title`", "add `title: Your headline`")
    elif not isinstance(title, str) or not title.strip():
        problem(
            "title",
            f"`title` must be text, but YAML read {_describe(title)}",
            'put it in quotes: `title: "..."`',
        )
        title = None

    date = None
    if "date" not in fields:
        problem(
            "date",
            "missing required field `date`",
            "add `date: 2026-01-31` or `date: 2026-01-31T09:00:00+01:00`",
        )
    else:
        date = _parse_date(fields["date"], zone, lambda m, h=None: problem("date", m, h))

    updated_value, updated_key = canonical("updated")
    updated = None
    if updated_value is not None:
        updated = _parse_date(updated_value, zone, lambda m, h=None: problem(updated_key, m, h))
        if updated and date and updated < date:
            problem(
                updated_key,
                f"`{updated_key}` is before `date`",
                "the update must come after publication",
            )

    tags = _read_tags(fields, problem)
    summary_value, summary_key = canonical("summary")
    summary = ""
    if summary_value is not None:
        if isinstance(summary_value, str):
            summary = " ".join(summary_value.split())
        else:
            problem(
                summary_key,
                f"`{summary_key}` must be text, but YAML read {_describe(summary_value)}",
            )

    authors = _read_authors(fields, problem)
    publisher = _optional_text(fields, "publisher", problem)
    original_url = _optional_text(fields, "original_url", problem)
    if original_url and urlsplit(original_url).scheme not in {"http", "https"}:
        problem("original_url", f"`original_url` must be an http(s) URL, not {original_url!r}")
        original_url = ""
    image = _optional_text(fields, "image", problem)
    lang = _optional_text(fields, "lang", problem)
    draft = fields.get("draft", False)
    if not isinstance(draft, bool):
        problem("draft", f"`draft` must be true or false, not {draft!r}")
        draft = False

    slug = ""
    if "slug" in fields:
        slug_value = fields["slug"]
        if (
            not isinstance(slug_value, str)
            or not is_safe_slug(slug_value)
            or slugify(slug_value, len(slug_value)) != slug_value
        ):
            suggestion = slugify(str(slug_value))
            if not is_safe_slug(suggestion) or suggestion == slug_value:
                suggestion = "my-story"
            problem(
                "slug",
                f"`slug` {slug_value!r} cannot be used in a URL",
                f"use lower-case letters, digits and hyphens, e.g. `{suggestion}`",
            )
        else:
            slug = slug_value
    elif isinstance(title, str):
        slug = slugify(title)
        if not slug:
            problem(
                "title",
                "the title gives an empty URL slug",
                "add a `slug:` field, e.g. `slug: my-story`",
            )
        elif not is_safe_slug(slug):
            problem(
                "title",
                f"the title gives the URL slug {slug!r}, a name reserved by file systems",
                "add a `slug:` field, e.g. `slug: my-story`",
            )

    if problems and fields.get("draft") is True:
        return BrokenDraft(source, tuple(problems))
    if problems or title is None or date is None:
        return problems

    body_html = render_markdown(front.body, settings)
    plain = html_to_text(body_html)
    if not summary:
        summary = lede(body_html, settings.summary_words)
    extra = tuple(sorted((key, value) for key, value in fields.items() if key not in KNOWN_FIELDS))
    return Article(
        source=source,
        slug=slug,
        title=" ".join(title.split()),
        date=date,
        updated=updated,
        tags=tags,
        summary=summary,
        body_utf8=body_html.encode("utf-8", "surrogatepass"),
        authors=authors,
        publisher=publisher,
        original_url=original_url,
        draft=draft,
        image=image,
        lang=lang,
        word_count=len(plain.split()),
        search_words=distinct_words(plain),
        extra_items=extra,
        # The same few key names in every article: one string each, not one per article.
        field_lines=tuple(sorted((sys.intern(key), line) for key, line in lines.items())),
    )


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (YAML reads yes/no/on/off as booleans)"
    if value is None:
        return "an empty value"
    return f"{type(value).__name__} {value!r}"


def _parse_date(value: Any, zone: ZoneInfo, problem: Callable[..., None]) -> dt.datetime | None:
    """ISO 8601 date or date-time; an offset-less value is in the site's timezone."""
    hint = "use `2026-01-31`, `2026-01-31T09:00:00` or `2026-01-31T09:00:00+01:00`"
    if not isinstance(value, str):
        problem(f"date must be an ISO 8601 date, but YAML read {_describe(value)}", hint)
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError as error:
        reason = (
            str(error)
            if "out of range" in str(error) or "must be in" in str(error)
            else "not an ISO 8601 date"
        )
        problem(f"invalid date {value!r}: {reason}", hint)
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def _read_tags(fields: Mapping[str, Any], problem: Callable[..., None]) -> tuple[str, ...]:
    tags: list[str] = []
    for key in ("tags", "categories"):
        value = fields.get(key)
        if value is None:
            continue
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list):
            problem(
                key, f"`{key}` must be a list such as `[Economy, Climate]`, not {_describe(value)}"
            )
            continue
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                problem(
                    key,
                    f"each entry of `{key}` must be text, not {_describe(item)}",
                    "put it in quotes",
                )
                continue
            name = " ".join(str(item).split())
            if not name:
                problem(key, f"`{key}` has an empty entry", "remove it")
            elif not slugify(name):
                problem(
                    key,
                    f"tag {name!r} has no letters or digits to make a URL from",
                    "rename the tag",
                )
            else:
                tags.append(name)
    unique: dict[str, str] = {}
    for name in tags:
        unique.setdefault(tag_key(name), name)
    return tuple(unique.values())


def tag_key(name: str) -> str:
    """Tags differing only in case or spacing are one tag."""
    return " ".join(name.casefold().split())


def _read_authors(fields: Mapping[str, Any], problem: Callable[..., None]) -> tuple[str, ...]:
    names: list[str] = []
    for key in ("author", "authors"):
        value = fields.get(key)
        if value is None:
            continue
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            problem(key, f"`{key}` must be a name or a list of names")
            continue
        names.extend(" ".join(item.split()) for item in items if item.strip())
    return tuple(dict.fromkeys(names))


def _optional_text(fields: Mapping[str, Any], key: str, problem: Callable[..., None]) -> str:
    value = fields.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        problem(key, f"`{key}` must be text, but YAML read {_describe(value)}", "put it in quotes")
        return ""
    return value.strip()


_converters: dict[tuple[str, ...], Any] = {}  # one Python-Markdown converter per extension set


def render_markdown(text: str, settings: ParseSettings) -> str:
    """Markdown -> HTML, sanitised unless the site trusts its editors' raw HTML.

    Python-Markdown is the default; `markdown_engine: cmark` (cmark-gfm, in C, about 20x
    faster) is opt-in, since its syntax differs (no attribute lists, definition lists or
    abbreviations; footnotes and heading ids are made to match).
    """
    if settings.markdown_engine == "cmark":
        from .cmark import gfm_to_html  # cmarkgfm is optional, checked when site.yaml is loaded

        rendered = gfm_to_html(text)
    else:
        converter = _converters.get(settings.markdown_extensions)
        if converter is None:
            extensions = list(settings.markdown_extensions)
            import markdown  # imported on first use: a fully cached build never needs it

            converter = markdown.Markdown(extensions=extensions, output_format="html")
            _converters[settings.markdown_extensions] = converter
        rendered = converter.reset().convert(text)
    return rendered if settings.trust_html else sanitise_html(rendered)


def sanitise_html(html: str) -> str:
    """Drop scripts, event handlers and dangerous URLs with nh3 (a real HTML sanitiser)."""
    return nh3.clean(
        html,
        tags=set(_SANITISED_TAGS),
        attributes={tag: set(names) for tag, names in _SANITISED_ATTRIBUTES.items()},
        url_schemes=set(_SAFE_URL_SCHEMES),
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
    )
