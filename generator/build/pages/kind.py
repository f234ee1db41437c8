"""What every page kind shares: the planned Page, the PageKind interface and the SiteView.

A page kind owns three things: its plan (which URLs it produces from the Site), its inputs
(the exact data its output is made from, which is what its fingerprint hashes) and its
render (bytes, nothing written). Templates and renderers see only what `inputs` returns plus
the configuration, never the whole Site: that is what makes a fingerprint of the inputs a
safe reason to skip rendering a page again.

A Page names the object it shows by index into the Site, so pages are tiny to send to
worker processes; the SiteView, rebuilt from the Site where a page is rendered, turns the
indexes back into articles, tags and editions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import count, repeat
from typing import Any, NamedTuple, TypeVar

import jinja2

from ...core.errors import UserError
from ...core.urls import (
    EDITIONS_FEED_BASE,
    FRONT_PAGE_URL,
    SEARCH_PAGE_URL,
    SOURCES_OPML_URL,
    SOURCES_URL,
    feed_url,
    listing_page_count,
    listing_slice,
    output_path_for,
    slugify,
    tags_index_url,
)
from ..article import TRANSLATION_KEY, Article, tag_key
from ..cache import tuples_of
from ..config import SiteConfig
from ..i18n import Label, PageLanguage, label, languages_of
from ..site import Archive, Edition, Publisher, Site, Tag, reporters
from ..theme import locate_template_error

T = TypeVar("T")
# Values whose repr() is their fingerprint text (exact types: a subclass may print itself
# differently; those go the long way).
_PLAIN = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})

SITE_WIDE = -1  # Page.index of a page that shows the whole site rather than one object


class _PageFields(NamedTuple):
    kind: str
    url: str
    index: int
    number: int
    path: str  # relative path inside output/, from the URL


class Page(_PageFields):
    """One planned output file: its kind, URL, the object it shows (by index) and its
    number in a sequence (listing pages, sitemap parts).

    A tuple: every build plans every page (133,000 at 100,000 articles), and a frozen
    dataclass, its path set in __post_init__, took three times as long to make."""

    __slots__ = ()

    def __new__(cls, kind: str, url: str, index: int = SITE_WIDE, number: int = 1) -> Page:
        path = output_path_for(url)
        if path is None:  # the site refuses such URLs; this guards the invariant
            raise AssertionError(f"unsafe URL reached the plan: {url!r}")
        return tuple.__new__(cls, (kind, url, index, number, path))

    @classmethod
    def each(cls, kind: str, urls: Sequence[str]) -> list[Page]:
        """One page of `kind` per URL, showing the object at the same index: made a list
        at a time, without a call of __new__ per page (at 100,000 articles, 0.1 s of every
        build)."""
        paths = list(map(output_path_for, urls))
        if None in paths:
            raise AssertionError(f"unsafe URL reached the plan: {urls[paths.index(None)]!r}")
        rows = zip(repeat(kind), urls, count(), repeat(1), paths)
        return list(tuples_of(cls, rows))

    def __getnewargs__(self) -> tuple[str, str, int, int]:  # what a worker is sent
        return self.kind, self.url, self.index, self.number


@dataclass(frozen=True)
class Claim:
    """Who a page's URL belongs to, for the message when two pages want the same file.

    `name` says what the page is ("the tag index", an article's file); `source` and `line`
    are where a user can change its URL (an article or a tag's file), None for the pages
    every site has.
    """

    name: str
    source: str | None = None
    line: int | None = None
    fix: str = "change the permalinks in site.yaml"


@dataclass
class Plan:
    """The pages planned (so far, while planning), in plan order, the URLs the sitemaps
    list, and the choices the plan was made with."""

    templates: frozenset[str]  # the theme's templates: kinds with an optional one check it
    sitemap_limit: int  # URLs a sitemap part may list
    pages: list[Page] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)


class PageKind:
    """One kind of output file. Subclasses set `name` and implement the three steps."""

    name: str
    listed: bool = False  # whether the sitemaps list its pages
    templates: tuple[str, ...] = ()  # the templates a theme must have for it

    def plan(self, site: Site, planned: Plan) -> Iterable[Page]:
        """The pages of this kind (`planned` holds those of the kinds before it). Made from
        nothing of an article outside its shape (article.shape_of: not its title, summary
        or body), or an edit of those would leave the last build's plan and prints wrong."""
        raise NotImplementedError

    def inputs(self, page: Page, view: SiteView) -> Any:
        """What the page is made from besides templates and configuration.

        Articles are given as the Article objects, never as values taken from their title,
        summary or body: while the site keeps its shape, a build fingerprints again only the
        pages whose inputs hold an edited article (see pages.page_prints).
        """
        raise NotImplementedError

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        """The page's bytes. `config` notes the settings read (see incremental.py)."""
        raise NotImplementedError

    def claim(self, page: Page, site: Site) -> Claim:
        """Whose the page's URL is (only asked when two pages want one URL)."""
        raise NotImplementedError


@dataclass(frozen=True)
class TagLink:
    """A tag as listings and articles show it: no counts, so a page does not depend on them."""

    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class FeedLink:
    """A feed a page points to with `<link rel="alternate">`: `title` names it for
    autodiscovery (a Label until the page's language shows it), `label` is its format's
    name for a visible link ("Atom")."""

    title: str | Label
    url: str
    media_type: str
    label: str


@dataclass(frozen=True)
class Pagination:
    """Where a listing page sits in its sequence (see core/urls.py: numbered from the
    oldest). No count of pages: it grows as articles arrive, and every page showing it
    would change with it."""

    number: int
    newest: bool  # the listing's own URL, which shows its latest articles
    prev_url: str | None  # the newer page
    next_url: str | None  # the older page


@dataclass(frozen=True)
class PageMeta:
    """What every page's <head> needs: title, description, canonical URL, feeds."""

    kind: str
    title: str
    description: str
    url: str
    feeds: tuple[FeedLink, ...]
    og_type: str = "website"
    lang: str = ""  # the page's language (an article's `lang`, else the site's `language`)


# Each feed format: its media type and the name readers know it by.
FEED_TYPES = {
    "atom": ("application/atom+xml", "Atom"),
    "rss": ("application/rss+xml", "RSS"),
    "json": ("application/feed+json", "JSON Feed"),
}


def feed_links(base: str, title: str | Label) -> tuple[FeedLink, ...]:
    """The feeds of a listing in every format (the site's at `/`, a tag's at its URL), for
    autodiscovery."""
    return tuple(
        FeedLink(
            f"{title} ({kind})"
            if isinstance(title, str)
            else label("%(feed)s (%(format)s)", feed=title, format=kind),
            feed_url(base, name),
            media_type,
            kind,
        )
        for name, (media_type, kind) in FEED_TYPES.items()
    )


def shown_feeds(feeds: Iterable[FeedLink], language: PageLanguage) -> tuple[FeedLink, ...]:
    """Feed links with their titles in a page's language."""
    return tuple(
        feed
        if isinstance(feed.title, str)
        else dataclasses.replace(feed, title=language.text(feed.title))
        for feed in feeds
    )


@dataclass(frozen=True)
class SiteLinks:
    """The site-wide URLs every template may link to (the theme never spells them out, so a
    `permalinks: tag` of `/topics/{slug}/` moves its links too). None: not made here."""

    front: str
    tags: str
    search: str | None
    sources: str | None
    opml: str | None  # the sources' feeds as OPML (made with the sources' pages)
    feeds: tuple[FeedLink, ...]  # the site's own, every format
    editions: tuple[FeedLink, ...]  # the daily editions' feeds


def site_links(config: SiteConfig, templates: frozenset[str]) -> SiteLinks:
    """The SiteLinks of a site whose theme has `templates`."""
    return SiteLinks(
        front=FRONT_PAGE_URL,
        tags=tags_index_url(config.permalinks["tag"]),
        search=SEARCH_PAGE_URL if "search.html" in templates else None,
        sources=SOURCES_URL if "sources.html" in templates else None,
        opml=SOURCES_OPML_URL if "source.html" in templates else None,
        feeds=site_feed_links(config),
        editions=feed_links(EDITIONS_FEED_BASE, editions_title(config)),
    )


def editions_title(config: SiteConfig) -> Label:
    """What the editions' feeds are called, in the feeds and in the links to them."""
    return label("%(site)s: daily editions", site=config.title)


def site_feed_links(config: SiteConfig) -> tuple[FeedLink, ...]:
    """The site's own feeds, which every page links to."""
    return feed_links(FRONT_PAGE_URL, config.title)


class HtmlKind(PageKind):
    """A page rendered with the theme's template of the kind's name."""

    @property
    def template(self) -> str:
        """The theme template the kind renders with (`<name>.html` unless it says)."""
        return f"{self.name}.html"

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        """What differs from the site's defaults in PageMeta (title, description, feeds,
        lang...); a title or description may be a Label, shown in the page's language."""
        return {}

    def context(self, page: Page, inputs: dict[str, Any], view: SiteView) -> dict[str, Any]:
        """Template variables beyond the inputs, config, tags_of and page."""
        return {}

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        inputs = self.inputs(page, view)
        context: dict[str, Any] = {
            "config": config,
            "tags_of": view.tags_of,
            "sources_of": sources_of,
            **inputs,
        }
        context.update(self.context(page, inputs, view))
        meta: dict[str, Any] = {
            "title": config.title,
            "description": config.description,
            "feeds": site_feed_links(config),
        }
        meta.update(self.meta(page, inputs, config))
        meta["lang"] = meta.get("lang") or config.language
        language = languages_of(environment).of(meta["lang"])
        for name in ("title", "description"):
            meta[name] = language.text(meta[name])
        meta["feeds"] = shown_feeds(meta["feeds"], language)
        context["links"] = view.site_links(config, language)
        context["page"] = PageMeta(kind=self.name, url=page.url, **meta)
        try:
            return environment.get_template(self.template).render(context).encode("utf-8")
        except jinja2.TemplateError as error:
            raise UserError([locate_template_error(error, error.__traceback__)]) from None


def sources_of(article: Article) -> list[str]:
    """The publishers that reported an article, each once: its own first (a template
    helper; the article's fingerprint covers everything it reads)."""
    return list(dict.fromkeys(reporters(article)))


class SiteView:
    """The Site as page kinds read it: articles by index, tags with their links, and the
    text that stands for each value in a fingerprint (made once per build, not per page).

    """

    def __init__(self, site: Site, plan: Plan) -> None:
        self.site = site
        self.plan = plan
        self._tags_by_key = {tag_key(tag.name): tag for tag in site.tags}
        self._article_keys: dict[int, str] = {}
        # By a tag's spelling in front matter: its link, and that link as fingerprint text.
        self._spelled: dict[str, tuple[TagLink, str]] = {}
        self._tag_links: dict[int, tuple[TagLink, ...]] = {}  # by id(): live as long as the Site
        self._month_articles: dict[int, list[Article]] = {}
        self._remembered: dict[tuple[str, int], Any] = {}  # see remembered()
        self._field_names: dict[type, tuple[str, ...]] = {}  # of dataclasses, for key()
        # While key_and_references() runs: the ids of the values key() is given in lists and
        # of the articles it meets (a superset of the articles; see key_and_references).
        self._references: list[int] | None = None
        self._source_pages: dict[str, str | None] = {}  # by spelling of a publisher's name
        self._source_urls: dict[str, str] | None = None  # by slug, made on first use
        self._translations: dict[str, list[Article]] | None = None  # by translation_key
        self._site_links: dict[tuple[str, str, str], SiteLinks] = {}

    def site_links(self, config: SiteConfig, language: PageLanguage) -> SiteLinks:
        """The site's links as a page in `language` shows them, made once per language: every
        page has them, and translating their feeds' titles took 50 µs a page. The key holds
        the settings site_links reads, read through `config` so that each page notes them."""
        key = (language.code, config.title, config.permalinks["tag"])
        found = self._site_links.get(key)
        if found is None:
            links = site_links(config, self.plan.templates)
            found = dataclasses.replace(
                links,
                feeds=shown_feeds(links.feeds, language),
                editions=shown_feeds(links.editions, language),
            )
            self._site_links[key] = found
        return found

    def _tag_spelled(self, name: str) -> tuple[TagLink, str]:
        """The link of a tag as an article spells it, and its fingerprint text: made once
        per spelling, since every article's tags are looked up in every build."""
        found = self._spelled.get(name)
        if found is None:
            tag = self._tags_by_key[tag_key(name)]
            found = (TagLink(tag.name, tag.slug, tag.url), repr((tag.name, tag.slug, tag.url)))
            self._spelled[name] = found
        return found

    def tags_of(self, article: Article) -> tuple[TagLink, ...]:
        """The tags of an article, with their URLs, in the article's own order."""
        links = self._tag_links.get(id(article))
        if links is None:
            links = tuple(self._tag_spelled(name)[0] for name in article.tags)
            self._tag_links[id(article)] = links
        return links

    def source_page(self, name: str) -> str | None:
        """The URL of the page of the source a publisher's name (any spelling) stands for,
        None if the theme makes no source pages."""
        if "source.html" not in self.plan.templates:
            return None
        if self._source_urls is None:
            self._source_urls = {source.slug: source.url for source in self.site.publishers}
        if name not in self._source_pages:
            self._source_pages[name] = self._source_urls.get(slugify(name))
        return self._source_pages[name]

    def translations_of(self, article: Article) -> list[Article]:
        """The versions of an article in other languages: the articles that share its
        `translation_key:` (one per language, the first in site order), itself included,
        or [] when it has none."""
        if self._translations is None:
            self._translations = {}
            for other in self.site.articles:
                key = other.extra_field(TRANSLATION_KEY)
                if isinstance(key, str | int) and not isinstance(key, bool):
                    versions = self._translations.setdefault(str(key), [])
                    language = other.lang or self.site.config.language
                    if all(
                        (found.lang or self.site.config.language) != language for found in versions
                    ):
                        versions.append(other)
        key = article.extra_field(TRANSLATION_KEY)
        if not isinstance(key, str | int) or isinstance(key, bool):
            return []
        versions = self._translations.get(str(key), [])
        return versions if len(versions) > 1 and article in versions else []

    def articles(self, indexes: Iterable[int]) -> list[Article]:
        """Resolve article indexes to articles."""
        return [self.site.articles[i] for i in indexes]

    def listing_page(self, indexes: Sequence[int], number: int) -> list[Article]:
        """The articles on page `number` of a listing of these (article indexes)."""
        return self.articles(
            indexes[listing_slice(len(indexes), self.site.config.per_page, number)]
        )

    def listing_pages(self, total: int) -> int:
        """How many pages a listing of `total` articles has."""
        return listing_page_count(total, self.site.config.per_page)

    def month_articles(self, index: int) -> list[Article]:
        """The articles of one month archive, in site order (its editions are newest first)."""
        found = self._month_articles.get(index)
        if found is None:
            site = self.site
            found = [
                site.articles[i]
                for edition in site.months[index].editions
                for i in site.editions[edition].articles
            ]
            self._month_articles[index] = found
        return found

    def remembered(self, what: str, index: int, make: Callable[[], T]) -> T:
        """`make()`, made once per build for (what, index): a value several pages show,
        such as an edition's digest, which its page, its two e-mails and the front page
        all rank (three quarters of an incremental build's fingerprint stage)."""
        key = (what, index)
        if key not in self._remembered:
            self._remembered[key] = make()
        return self._remembered[key]

    def sitemap_chunk(self, items: Sequence[Any], number: int) -> Sequence[Any]:
        """Part `number` of a list split into sitemap files."""
        limit = self.plan.sitemap_limit
        return items[(number - 1) * limit : number * limit]

    def key(self, value: Any) -> str:
        """A deterministic text standing for an input value, cheap for large articles."""
        kind = type(value)
        if kind in _PLAIN:  # most values: tested first, by exact type
            return repr(value)
        if kind is list or kind is tuple:
            # Lists of articles are most of what pages show: their keys are looked up directly
            # (the id of a live article cannot be that of another live object).
            known = self._article_keys
            if self._references is not None:
                self._references.extend(map(id, value))
            return "[" + ",".join([known.get(id(item)) or self.key(item) for item in value]) + "]"
        if isinstance(value, Article):
            if self._references is not None:
                self._references.append(id(value))
            key = self._article_keys.get(id(value))
            if key is None:
                # The digest covers every parsed field; URL and tags depend on the rest of the
                # site, the image's facts on its file (a new photo under the same name).
                image = f"{value.image_width}x{value.image_height},{value.image_length}"
                key = f"A({value.digest},{value.url},{image},{self._tags_text(value)})"
                self._article_keys[id(value)] = key
            return key
        # Tags, editions and archives by what a page can show of them, not by the positions
        # they hold: those shift whenever an article is added, and the articles a page shows
        # are among its inputs anyway.
        if isinstance(value, Tag | Publisher):
            letter = "T" if isinstance(value, Tag) else "P"
            return f"{letter}({value.name},{value.slug},{value.url},{value.count})"
        if isinstance(value, Edition):
            return f"E({value.day},{value.url},{len(value.articles)})"
        if isinstance(value, Archive):
            start, count, editions = value.start, value.article_count, len(value.editions)
            return f"R({value.kind},{start},{value.url},{count},{editions})"
        if isinstance(value, dict):
            return "{" + ",".join(f"{name}:{self.key(value[name])}" for name in sorted(value)) + "}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            # Records made of the above (a front-page Digest, a Label): field by field, never
            # repr(), which would print whole article bodies.
            names = self._field_names.get(kind)
            if names is None:
                names = tuple(
                    item.name for item in dataclasses.fields(value) if not item.name.startswith("_")
                )
                self._field_names[kind] = names
            fields = [f"{name}={self.key(getattr(value, name))}" for name in names]
            return f"{kind.__name__}(" + ",".join(fields) + ")"
        if isinstance(value, list | tuple):
            return "[" + ",".join([self.key(item) for item in value]) + "]"
        return repr(value)  # strings, numbers, dates

    def key_and_references(self, value: Any) -> tuple[str, list[int]]:
        """key(value), and the ids of the articles in it (with, possibly, ids of other
        values in its lists: the caller keeps those that are ids of articles)."""
        self._references = found = []
        try:
            return self.key(value), found
        finally:
            self._references = None

    def _tags_text(self, article: Article) -> str:
        """What tags_of(article) shows, as text for a fingerprint (printing TagLinks made
        per article cost half the fingerprint stage)."""
        return ",".join(self._tag_spelled(name)[1] for name in article.tags)
