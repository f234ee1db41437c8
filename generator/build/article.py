"""content/*.md -> validated Article values (front matter checked field by field, Markdown
rendered and sanitised, summary and reading time derived).

Everything here works on one file at a time and depends only on the file's bytes and the
parsing settings, which is what makes articles safe to cache and to parse in parallel.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from html import unescape
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import nh3

from ..core.errors import Diagnostic, diagnostic
from ..core.frontmatter import FrontMatter, parse_front_matter, strip_unsafe_characters
from ..core.limits import (
    MARKDOWN_STACK_FRAMES,
    MAX_ABBREVIATIONS,
    MAX_ARTICLE_BYTES,
    MAX_FENCE_SCAN,
    MAX_HTML_DEPTH,
    MAX_INLINE_SCAN,
    MAX_LIST_ITEM_COPY,
    MAX_TAGS_PER_ARTICLE,
    MAX_YEAR,
    MIN_YEAR,
)
from ..core.tags import tag_warnings
from ..core.text import distinct_words, html_to_text, lede
from ..core.urls import (
    CONTENT_URL_SCHEMES,
    URL_ATTRIBUTES,
    content_url_problem,
    is_safe_slug,
    slugify,
    url_attribute_allowed,
)
from .blobs import Blob
from .config import ParseSettings, parse_language
from .pymarkdown import Converters

WORDS_PER_MINUTE = 200

# Field spellings other generators use for the same meaning, so content can move over as is.
FIELD_ALIASES: Mapping[str, str] = {
    "description": "summary",
    "lastmod": "updated",
    "modified": "updated",
    "categories": "tags",
    "category": "tags",  # Jekyll's singular, used by most of its posts
}
# What the front matter may say about its `image`, beside the image itself.
IMAGE_TEXT_FIELDS = ("image_alt", "image_caption", "image_credit")

_FILE_NAME_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})-.+\.md")
KNOWN_FIELDS = frozenset(
    {"title", "date", "updated", "tags", "summary", "author", "authors", "publisher"}
    | {"original_url", "slug", "draft", "image", "lang"}
    | set(IMAGE_TEXT_FIELDS)
    | set(FIELD_ALIASES)
)

# Fields the build reads from `extra` (pages, feeds and the digest use them; themes may too).
# Articles sharing a `translation_key:` are one story in several languages (Hugo's
# translationKey); `publisher_feed:` is the feed of the article's publisher, for the OPML.
TRANSLATION_KEY = "translation_key"
PUBLISHER_FEED = "publisher_feed"
READ_FROM_EXTRA = frozenset(
    {"also_reported_by", "aliases", "id", "priority", PUBLISHER_FEED, TRANSLATION_KEY}
)


def _one_edit_from(key: str, known: frozenset[str]) -> str | None:
    """The known field one typo away from `key` (a letter added, dropped, changed, or two
    swapped: `tgas`, `titel`, `dat`), if there is exactly one; None for a field of its own."""
    if key in known:
        return None
    if key.casefold() in known:
        return key.casefold()

    def one_edit(a: str, b: str) -> bool:
        if abs(len(a) - len(b)) > 1:
            return False
        if len(a) == len(b):
            diff = [i for i in range(len(a)) if a[i] != b[i]]
            return len(diff) == 1 or (
                len(diff) == 2
                and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]]
                and a[diff[1]] == b[diff[0]]
            )
        short, long = (a, b) if len(a) < len(b) else (b, a)
        return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))

    found = sorted(name for name in known if len(name) > 2 and one_edit(key.casefold(), name))
    return found[0] if len(found) == 1 else None


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


@dataclass(frozen=True, slots=True)
class Article:
    """One article, validated; `url` is filled in later when the site resolves URLs.

    With slots: a build holds every article of the archive (and each render worker copies
    the memory pages it reads), and a dict of 31 fields took 830 bytes of each.
    """

    source: str
    slug: str
    title: str
    date: dt.datetime
    updated: dt.datetime | None
    tags: tuple[str, ...]
    # The summary, the body's HTML and its search words, read through `summary`,
    # `body_html` and `search_words`, in UTF-8 (a str with any non-ASCII character takes two
    # or four bytes a character). They are most of what a build would hold in memory, and
    # each render worker would copy, so they are kept in a file (see blobs.py) and read
    # where a page shows them.
    summary_utf8: Blob
    body_utf8: Blob
    authors: tuple[str, ...] = ()
    publisher: str = ""
    original_url: str = ""
    draft: bool = False
    image: str = ""  # a site path (`/images/x.jpg`) or an absolute http(s) URL
    image_alt: str = ""
    image_caption: str = ""
    image_credit: str = ""
    # The local image file's facts, filled in when the site is assembled (see images.py):
    # pixels (0 if unknown), bytes and media type; all empty for a remote image.
    image_width: int = 0
    image_height: int = 0
    image_length: int = 0
    image_type: str = ""
    lang: str = ""
    # False for a date given without a time (`date: 2026-12-01`, a file-name date): it is
    # midnight in the site's timezone for sorting and feeds, but pages show no time for it.
    date_has_time: bool = True
    updated_has_time: bool = True
    word_count: int = 0
    # The body's folded distinct words for the search index, read through `search_words`.
    search_words_utf8: Blob = field(default_factory=lambda: Blob.held(b""))
    # Things worth an editor's look that do not stop the build, as "LINE: message (hint)"
    # (the file is named when they are shown: a cached article may be shown from elsewhere).
    warnings: tuple[str, ...] = ()
    extra_items: tuple[tuple[str, Any], ...] = ()
    url: str = ""
    digest: str = ""  # content hash of the source file and parse settings (see cache.py)
    shape: str = ""  # hash of what the rest of the site can see of the article (see shape_of)
    # Lines of front-matter keys, so later stages (URL collisions, tag clashes) can point at them.
    field_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    @property
    def summary(self) -> str:
        """The summary: the `summary:` field, else the body's first words."""
        return self.summary_utf8.text()

    @property
    def body_html(self) -> str:
        """The body, rendered and sanitised."""
        return self.body_utf8.text()

    @property
    def search_words(self) -> str:
        """The body's distinct words, folded, for the search index."""
        return self.search_words_utf8.text()

    def extra_field(self, name: str) -> Any:
        """One field of `extra`, or None, without building the dict (the build reads a few
        of them for every article of every build)."""
        for key, value in self.extra_items:  # a loop, not next(): no generator per call
            if key == name:
                return value
        return None

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


# The fields kept in files rather than in memory (see blobs.py), in the order of the class.
BLOB_FIELDS = tuple(item.name for item in fields(Article) if item.type == "Blob")
# What only the article's own appearances show (its page, its entry in a listing or feed):
# an edit of these changes those appearances, never which pages there are or what else they
# show. The title is one: nothing is planned, sorted or grouped by it (a slug made from it
# is a field of its own, in the shape), so a corrected headline is an edit like a corrected
# body. Also what is filled in later (URL, image facts), which the site's shape covers itself.
_NOT_SHAPE = frozenset(
    {*BLOB_FIELDS, "title", "word_count", "warnings", "field_lines", "digest", "shape", "url"}
    | {"image_width", "image_height", "image_length", "image_type"}
)
_SHAPE_FIELDS = tuple(item.name for item in fields(Article) if item.name not in _NOT_SHAPE)


def shape_of(article: Article) -> str:
    """A hash of every field of the article but its title and content: while the shapes of
    all articles hold, a build knows that only the pages showing an edited article change
    (see incremental.PrintIndex). Every field is in it unless listed in _NOT_SHAPE, so a
    field added later is safe by default."""
    text = repr(tuple(getattr(article, name) for name in _SHAPE_FIELDS))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


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
    date_has_time = False  # a date from the file name is a day
    named = _FILE_NAME_DATE.match(source.replace("\\", "/").rpartition("/")[2])
    if "date" not in fields and named is not None:
        # Jekyll's convention: the date is in the file name (2013-05-06-title.md).
        try:
            date = dt.datetime.fromisoformat(named.group(1)).replace(tzinfo=zone)
        except ValueError:
            problem("date", f"the date in the file name, {named.group(1)}, is not a real day")
    elif "date" not in fields:
        problem(
            "date",
            "missing required field `date`",
            "add `date: 2026-01-31` or `date: 2026-01-31T09:00:00+01:00`",
        )
    else:
        date = _parse_date(fields["date"], zone, lambda m, h=None: problem("date", m, h))
        date_has_time = _has_time(fields["date"])

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
    original_url = _url_field(fields, "original_url", problem, absolute=True)
    image = _read_image(fields, problem)
    image_texts = {key: _optional_text(fields, key, problem) for key in IMAGE_TEXT_FIELDS}
    if not image and "image" not in fields:
        for key in IMAGE_TEXT_FIELDS:
            if key in fields:
                problem(key, f"`{key}` is set but there is no `image`", "add `image:` or remove it")
    _check_also_reported_by(fields, problem)
    _url_field(fields, PUBLISHER_FEED, problem, absolute=True)  # kept in extra; checked here
    lang = _optional_text(fields, "lang", problem)
    if lang and parse_language(lang) is None:
        problem(
            "lang",
            f"unknown language code {lang!r}",
            "use a code such as `en`, `de`, `pt-BR` or `ja`",
        )
    lang = lang.replace("_", "-")  # BCP 47, as HTML's lang wants it
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

    try:
        body_html = render_markdown(front.body, settings)
    except BodyRefused as refused:
        line = front.body_line + refused.line - 1
        found = diagnostic(source, line, refused.message, refused.hint)
        return BrokenDraft(source, (found,)) if fields.get("draft") is True else [found]
    plain = html_to_text(body_html)
    if not summary:
        summary = lede(body_html, settings.summary_words)
    extra = tuple(sorted((key, value) for key, value in fields.items() if key not in KNOWN_FIELDS))
    warnings = tuple(
        f"{lines.get(key, 1)}: unknown field `{key}` is kept for templates only"
        f" (did you mean `{close}`?)"
        for key, _ in extra
        if (close := _one_edit_from(key, KNOWN_FIELDS | READ_FROM_EXTRA)) is not None
    ) + tuple(f"{lines.get('tags', 1)}: {warning}" for warning in tag_warnings(tags))
    if image and not image_texts["image_alt"]:
        warnings += (
            f"{lines.get('image', 1)}: `image` has no `image_alt`, so screen readers skip it"
            " (add `image_alt:` saying what the image shows)",
        )
    article = Article(
        source=source,
        slug=slug,
        title=" ".join(title.split()),
        date=date,
        updated=updated,
        tags=tags,
        summary_utf8=Blob.held(summary.encode("utf-8", "surrogatepass")),
        body_utf8=Blob.held(body_html.encode("utf-8", "surrogatepass")),
        authors=authors,
        publisher=publisher,
        original_url=original_url,
        draft=draft,
        image=image,
        **image_texts,
        lang=lang,
        date_has_time=date_has_time,
        updated_has_time=updated_value is None or _has_time(updated_value),
        word_count=len(plain.split()),
        search_words_utf8=Blob.held(distinct_words(plain).encode("utf-8", "surrogatepass")),
        extra_items=extra,
        warnings=warnings,
        # The same few key names in every article: one string each, not one per article.
        field_lines=tuple(sorted((sys.intern(key), line) for key, line in lines.items())),
    )
    object.__setattr__(article, "shape", shape_of(article))  # a fresh object, owned here
    return article


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
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        problem(f"invalid date {value!r}: the year must be from {MIN_YEAR} to {MAX_YEAR}", hint)
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def _has_time(value: Any) -> bool:
    """Whether a front-matter date gives a time of day, not a day alone (`2026-12-01`)."""
    try:
        dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return True
    return False


def _read_tags(fields: Mapping[str, Any], problem: Callable[..., None]) -> tuple[str, ...]:
    tags: list[str] = []
    for key in ("tags", "categories", "category"):
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
    if len(unique) > MAX_TAGS_PER_ARTICLE:
        problem(
            "tags" if "tags" in fields else "categories",
            f"{len(unique):,} tags on one article; at most {MAX_TAGS_PER_ARTICLE} are allowed",
            "keep the tags readers browse by; every tag page lists the article with all its tags",
        )
        return ()
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


def _url_field(
    fields: Mapping[str, Any], key: str, problem: Callable[..., None], *, absolute: bool = False
) -> str:
    """A front-matter URL that passes the content URL policy, else "" and a problem."""
    url = _optional_text(fields, key, problem)
    reason = content_url_problem(url, absolute=absolute) if url else None
    if reason is None:
        return url
    problem(key, f"`{key}` {url[:80]!r} cannot be used: {reason}", _URL_HINT)
    return ""


def _read_image(fields: Mapping[str, Any], problem: Callable[..., None]) -> str:
    """`image`: a site path (a file under static/, checked once the site is assembled) or
    an absolute http(s) URL; a path without a leading `/` is read from the site's root."""
    url = _optional_text(fields, "image", problem)
    if not url:
        return ""
    reason = content_url_problem(url) or _image_url_problem(url)
    if reason is not None:
        hint = "use a site path such as `/images/photo.jpg` or `https://example.com/photo.jpg`"
        problem("image", f"`image` {url[:80]!r} cannot be used: {reason}", hint)
        return ""
    if not urlsplit(url).scheme:
        url = "/" + url.lstrip("/")
    return url.replace(" ", "%20")  # a space is not allowed in a URL, even in HTML


def _image_url_problem(url: str) -> str | None:
    """Why a URL the content policy allows still cannot name an image file."""
    try:
        parts = urlsplit(url)
    except ValueError:  # `http://[::1`: a host in brackets that is not an IPv6 address
        return "it is not a valid URL"
    if parts.scheme == "mailto":
        return "an e-mail address is not an image"
    if url.startswith("//") or (parts.scheme and not parts.netloc):
        return "it needs `https:` and a host, or must be a path on this site"
    if not parts.scheme and (parts.query or parts.fragment):
        return "a path on this site names a file: no `?` or `#` part"
    if not parts.scheme and any(segment in {".", ".."} for segment in parts.path.split("/")):
        return "`.` and `..` may not appear in the path"
    return None


_URL_HINT = "use an http(s) address such as `https://example.com/story`, or a site path `/about/`"


def _check_also_reported_by(fields: Mapping[str, Any], problem: Callable[..., None]) -> None:
    """`also_reported_by`, which the default theme turns into links: entries and their URLs.

    It stays an extra field (templates read `article.extra.also_reported_by`), but its
    shape is checked here, since the theme would otherwise fail on it or link its URLs.
    """
    key = "also_reported_by"
    value = fields.get(key)
    if value is None:
        return
    shape = "a list of `{publisher: Name, url: https://...}` entries"
    if not isinstance(value, list):
        problem(key, f"`{key}` must be {shape}, but YAML read {_describe(value)}")
        return
    for number, entry in enumerate(value, 1):
        if not isinstance(entry, dict):
            problem(key, f"entry {number} of `{key}` must be a mapping, not {_describe(entry)}")
            continue
        for name in ("publisher", "url"):
            if name in entry and not isinstance(entry[name], str):
                problem(
                    key,
                    f"`{name}` of entry {number} of `{key}` must be text, "
                    f"but YAML read {_describe(entry[name])}",
                    "put it in quotes",
                )
        url = entry.get("url")
        if isinstance(url, str) and (reason := content_url_problem(url)) is not None:
            problem(
                key, f"`url` of entry {number} of `{key}` {url[:80]!r} cannot be used: {reason}"
            )


class BodyRefused(Exception):
    """A body that would cost a Markdown library far more than its size: line (in the
    body, from 1), message and hint for the article's diagnostic."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


_converters: dict[tuple[str, ...], Converters] = {}  # per extension set


def render_markdown(text: str, settings: ParseSettings) -> str:
    """Markdown -> HTML, sanitised unless the site trusts its editors' raw HTML.

    Python-Markdown is the default; `markdown_engine: cmark` (cmark-gfm, in C, about 20x
    faster) is opt-in, since its syntax differs (no attribute lists, definition lists or
    abbreviations; footnotes and heading ids are made to match).
    """
    if settings.markdown_engine == "cmark":
        from .cmark import gfm_to_html  # cmarkgfm is optional, checked when site.yaml is loaded

        # Untrusted output goes through nh3, which applies the URL policy to every link;
        # trusted output is checked link by link in cmark's tree (raw HTML stays as written).
        rendered = _with_stack_budget(
            text, lambda: gfm_to_html(text, None if not settings.trust_html else _url_allowed)
        )
    else:
        _refuse_costly_markdown(text, settings.markdown_extensions)
        converters = _converters.get(settings.markdown_extensions)
        if converters is None:
            converters = _converters[settings.markdown_extensions] = Converters(
                settings.markdown_extensions
            )
        converter = converters.for_text(text)
        try:
            rendered = _with_stack_budget(text, lambda: converter.convert(text))
        except BodyRefused:
            converters.forget(converter)
            raise
    if not settings.trust_html:
        if _html_too_deep(rendered) is not None:
            offset = _html_too_deep(text)  # the same tags in the source, to point at their line
            raise BodyRefused(
                _line_at(text, 0 if offset is None else offset),
                f"the body nests elements more than {MAX_HTML_DEPTH} levels deep",
                "close the HTML elements you open (`</div>`), and nest lists and quotes less",
            )
        rendered = sanitise_html(rendered)
    if not settings.remote_images:
        _refuse_remote_images(text, rendered)  # what is left after sanitising
    return rendered


# An image, video or frame the browser would load from another host (`src` or `srcset`
# naming an absolute or protocol-relative URL).
_MEDIA_TAG = re.compile(
    r"<(?:img|source|video|audio|iframe|embed|object|track|input)\b[^>]*>", re.IGNORECASE
)
_SOURCE_ATTRIBUTE = re.compile(
    r"\s(?:src|srcset|data|poster)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE
)
_REMOTE_URL = re.compile(r"(?:^|[\s,\"'])((?:https?:)?//[^\s,\"']+)", re.IGNORECASE)


def _refuse_remote_images(text: str, rendered: str) -> None:
    """With `remote_images: false`, a body that would load something from another host is
    refused at the line that names it."""
    found = next(
        (
            remote.group(1)
            for tag in _MEDIA_TAG.finditer(rendered)
            for attribute in _SOURCE_ATTRIBUTE.finditer(tag.group())
            if (remote := _REMOTE_URL.search(attribute.group(1)))
        ),
        None,
    )
    if found is None:
        return
    url = unescape(found)
    offset = text.find(url)
    if offset < 0:  # written with escapes the rendering resolved: the first mention of its host
        offset = max(0, text.find(urlsplit(url).netloc))
    raise BodyRefused(
        text.count("\n", 0, offset) + 1,
        f"the body shows {url[:80]!r} from another site, and site.yaml says `remote_images: false`",
        "put a copy in static/ and use its path (`![...](/images/...)`), or link to it instead",
    )


def _url_allowed(url: str) -> bool:
    return content_url_problem(url) is None


def _nh3_url_filter(tag: str, name: str, value: str) -> str | None:
    return value if name not in URL_ATTRIBUTES or url_attribute_allowed(name, value) else None


def _line_at(text: str, offset: int) -> int:
    """Line (from 1) of the first character after offset that is not a space or newline."""
    stripped = len(text) - offset - len(text[offset:].lstrip())
    return text.count("\n", 0, offset + stripped) + 1


def _with_stack_budget(text: str, render: Callable[[], str]) -> str:
    """Run a renderer with MARKDOWN_STACK_FRAMES of Python stack, whatever its caller's depth.

    Python-Markdown recurses per level of nesting; a fixed budget makes "too deep" the
    same answer in the main process and in a worker, and a clear refusal, not a traceback.
    """
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + MARKDOWN_STACK_FRAMES)
    try:
        return render()
    except RecursionError:
        raise BodyRefused(
            _line_at(text, 0),
            "the body nests lists, quotes or `<div markdown>` blocks too deeply to render",
            "keep nesting to a few dozen levels",
        ) from None
    finally:
        sys.setrecursionlimit(previous)


_ABBREVIATION = re.compile(r"^\*\[.*?\] ?:", re.MULTILINE)
_ABBREVIATION_EXTENSIONS = frozenset({"abbr", "extra"})
_INLINE_TOKEN = re.compile(r"[\[\]()<>]|`+|\n[ \t]*\n")
_FENCE_LINE = re.compile(r"^(`{3,}|~{3,})([^\n]*)$", re.MULTILINE)
_FENCE_EXTENSIONS = frozenset({"fenced_code", "extra"})


def _refuse_costly_markdown(text: str, extensions: tuple[str, ...]) -> None:
    """Refuse what Python-Markdown would take minutes over (limits in core/limits.py)."""
    names = {name.rsplit(".", 1)[-1] for name in extensions}
    if names & _ABBREVIATION_EXTENSIONS and "*[" in text:
        for number, match in enumerate(_ABBREVIATION.finditer(text), 1):
            if number > MAX_ABBREVIATIONS:
                raise BodyRefused(
                    text.count("\n", 0, match.start()) + 1,
                    f"more than {MAX_ABBREVIATIONS} abbreviation definitions (`*[...]: ...`)",
                    "keep the abbreviations this article uses",
                )
    if names & _FENCE_EXTENSIONS and (offset := _fence_scan_overrun(text)) is not None:
        raise BodyRefused(
            text.count("\n", 0, offset) + 1,
            "too many code fences (```` ``` ```` or `~~~`) that are never closed: Python-Markdown "
            f"would read the rest of the body from each (more than {MAX_FENCE_SCAN:,} characters)",
            "close each code block with the same fence that opens it",
        )
    if (offset := _list_item_overrun(text)) is not None:
        raise BodyRefused(
            _line_at(text, offset),
            "this list item goes on for too many lines: Python-Markdown copies the item so far "
            f"for each line it adds (more than {MAX_LIST_ITEM_COPY:,} characters)",
            "split it into several items or paragraphs (a blank line ends an item)",
        )
    if (offset := _inline_scan_overrun(text)) is not None:
        raise BodyRefused(
            _line_at(text, offset),
            "this paragraph has too many `[`, `(`, `<` or backquotes left open: Python-Markdown "
            f"would rescan it from each of them (more than {MAX_INLINE_SCAN:,} characters)",
            "close or escape them (`\\[`), split the paragraph, or use `markdown_engine: cmark`",
        )


_LIST_ITEM = re.compile(r" {0,3}(?:[*+-]|\d+[.)])[ \t]")


def _list_item_overrun(text: str) -> int | None:
    """Offset of the list item whose lines make Python-Markdown copy more than
    MAX_LIST_ITEM_COPY characters: each line after an item's first is added to the item
    by copying the item so far (a nested list of 20,000 lines took 3.4 s, 35,000 took 31 s)."""
    copied, item, start, offset = 0, -1, 0, 0
    for line in text.split("\n"):
        if _LIST_ITEM.match(line):
            item, start = len(line), offset
        elif not line.strip():
            item = -1  # a blank line ends the block the item is gathered in
        elif item >= 0:
            copied += item
            item += len(line) + 1
            if copied > MAX_LIST_ITEM_COPY:
                return start
        offset += len(line) + 1
    return None


def _fence_scan_overrun(text: str) -> int | None:
    """Offset of the first unclosed code fence if, together, the unclosed ones make the
    fenced-code step read more than MAX_FENCE_SCAN characters (each reads to the end)."""
    if "```" not in text and "~~~" not in text:
        return None
    opened: dict[str, int] = {}
    unclosed: list[int] = []
    for match in _FENCE_LINE.finditer(text):
        fence, rest = match.groups()
        if fence in opened and not rest.strip(" "):
            del opened[fence]
        elif fence not in opened:
            opened[fence] = match.start()
        else:
            unclosed.append(match.start())  # the same fence again, with text after it
    starts = sorted([*opened.values(), *unclosed])
    if sum(len(text) - start for start in starts) > MAX_FENCE_SCAN:
        return starts[0]
    return None


def _inline_scan_overrun(text: str) -> int | None:
    """Offset where the characters scanned from openers to their closers pass the budget.

    One pass over the brackets only: each `[` and `(` is closed by its matching `]` or `)`,
    every open `<` by the next `>`, a run of backquotes by the next run of the same length,
    and openers still open at a blank line are charged to there. The running total counts
    open ones up to the current position, so the answer (where the paragraph that passes
    the budget starts) comes as soon as the budget is passed.
    """
    # Each opener scans at most to the end of the text: with few openers (almost every
    # article) the budget cannot be passed, and the scan below is skipped.
    openers = text.count("[") + text.count("(") + text.count("<") + text.count("`")
    if openers * len(text) <= MAX_INLINE_SCAN:
        return None
    closed = 0  # characters scanned by openers already closed
    count = total = 0  # openers still open, and the sum of their offsets
    brackets: dict[str, list[int]] = {"[": [], "(": []}
    angles: list[int] = []
    runs: dict[int, int] = {}  # backquote run length -> offset of the open run
    paragraph = 0
    for match in _INLINE_TOKEN.finditer(text):
        token, at = match.group(), match.start()
        opened: list[int] = []
        if token in brackets:
            brackets[token].append(at)
            count, total = count + 1, total + at
        elif token == "<":
            angles.append(at)
            count, total = count + 1, total + at
        elif token in "])":
            stack = brackets["[" if token == "]" else "("]
            if stack:
                opened = [stack.pop()]
        elif token == ">":
            opened, angles = angles, []
        elif token[0] == "`":
            if len(token) in runs:
                opened = [runs.pop(len(token))]
            else:
                runs[len(token)] = at
                count, total = count + 1, total + at
        else:  # a blank line ends the paragraph and every scan in it
            opened = [*brackets["["], *brackets["("], *angles, *runs.values()]
            brackets, angles, runs = {"[": [], "(": []}, [], {}
            paragraph = match.end()
        if opened:
            closed += len(opened) * at - sum(opened)
            count, total = count - len(opened), total - sum(opened)
        if closed + count * at - total > MAX_INLINE_SCAN:
            return paragraph
    return None


_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# Elements that never stay open: void ones, and those a following sibling closes (`<p>`,
# `<li>`, table parts), which HTML parsers do not pile up.
_NOT_NESTING = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "rt", "rp"}
    | {"tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption"}
)


def _html_too_deep(html: str) -> int | None:
    """Offset of the tag that opens element MAX_HTML_DEPTH + 1, counting open elements as an
    HTML parser does (a closing tag closes the elements opened after its own), or None."""
    if html.count("<") <= MAX_HTML_DEPTH:
        return None
    stack: list[str] = []
    open_names: dict[str, int] = {}
    for match in _HTML_TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if name in _NOT_NESTING:
            continue
        if not closing:
            stack.append(name)
            open_names[name] = open_names.get(name, 0) + 1
            if len(stack) > MAX_HTML_DEPTH:
                return match.start()
        elif open_names.get(name):
            while (top := stack.pop()) != name:
                open_names[top] -= 1
            open_names[name] -= 1
    return None


def sanitise_html(html: str) -> str:
    """Drop scripts, event handlers and URLs that fail the content URL policy, with nh3 (a
    real HTML sanitiser)."""
    return nh3.clean(
        html,
        tags=set(_SANITISED_TAGS),
        attributes={tag: set(names) for tag, names in _SANITISED_ATTRIBUTES.items()},
        attribute_filter=_nh3_url_filter,
        url_schemes=set(CONTENT_URL_SCHEMES),
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
    )
