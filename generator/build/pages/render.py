"""plan_pages: every file a Site needs; PageContext: what each template sees; fingerprints.

A RenderJob names its kind and the Site object it shows by index, so jobs are tiny to send
to worker processes, and the context is rebuilt from the Site where the job runs. Feeds,
the search index and the sitemaps are jobs like pages, made without templates: each of
their files is fingerprinted too, so an edit rewrites only the parts that list what changed.

Templates see only what the context gives them (no global `site` object). That is what
makes a page's fingerprint, a hash of exactly that data, a safe reason to skip rendering
it again: if nothing a page shows has changed, its bytes cannot have changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jinja2

from ...core.errors import UserError
from ...core.urls import (
    ROBOTS,
    SEARCH_INDEX,
    SEARCH_PAGE_URL,
    SITEMAP,
    output_path_for,
    page_count,
    page_url,
    search_part_url,
    sitemap_articles_url,
    sitemap_pages_url,
    tags_index_url,
)
from ..article import Article, tag_key
from ..config import SiteConfig
from ..site import Archive, Edition, Site, Tag
from ..theme import locate_template_error
from .feeds import render_feed
from .search import render_search_manifest, render_search_part
from .sitemap import URL_LIMIT, render_robots, render_sitemap_index, render_urlset

REQUIRED_TEMPLATES = (
    "index.html",
    "article.html",
    "tags.html",
    "tag.html",
    "edition.html",
    "month.html",
    "year.html",
    "404.html",
)
FEED_KINDS = frozenset({"atom", "rss"})
# Files made without templates from data of the site: the search index (a manifest and one
# part per month), the sitemaps (an index, parts per month of articles and for other pages).
DATA_KINDS = frozenset(
    {"search-index", "search-part", "sitemap", "sitemap-articles", "sitemap-pages", "robots"}
)
SITE_WIDE = -1  # RenderJob.index of a feed that covers the whole site rather than one tag


@dataclass(frozen=True)
class RenderJob:
    """One output file: its kind, URL, the object it shows (by index) and page number."""

    kind: str
    url: str
    index: int = SITE_WIDE
    page: int = 1
    path: str = field(init=False, compare=False)  # relative path inside output/

    def __post_init__(self) -> None:
        path = output_path_for(self.url)
        if path is None:  # assemble_site refuses such URLs; this guards the invariant
            raise AssertionError(f"unsafe URL reached rendering: {self.url!r}")
        object.__setattr__(self, "path", path)

    @property
    def template(self) -> str:
        """The template an HTML page is rendered with."""
        return f"{self.kind}.html"


@dataclass(frozen=True)
class TagLink:
    """A tag as listings and articles show it: no counts, so a page does not depend on them."""

    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class FeedLink:
    """A feed a page points to with `<link rel="alternate">`."""

    title: str
    url: str
    media_type: str


@dataclass(frozen=True)
class Pagination:
    """Where a listing page sits in its sequence."""

    number: int
    count: int
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class PageMeta:
    """What every page's <head> needs: title, description, canonical URL, feeds."""

    kind: str
    title: str
    description: str
    url: str
    feeds: tuple[FeedLink, ...]
    og_type: str = "website"


def _listed_pages(site: Site, search_page: bool) -> list[RenderJob]:
    """The HTML pages other than articles that the sitemaps list (not the 404 page)."""
    per_page = site.config.per_page
    pages = page_count(len(site.articles), per_page)
    jobs = [RenderJob("index", page_url("/", n), page=n) for n in range(1, pages + 1)]
    jobs.append(RenderJob("tags", tags_index_url(site.config.permalinks["tag"])))
    for i, tag in enumerate(site.tags):
        pages = page_count(tag.count, per_page)
        jobs += [
            RenderJob("tag", page_url(tag.url, n), index=i, page=n) for n in range(1, pages + 1)
        ]
    jobs += [RenderJob("edition", edition.url, index=i) for i, edition in enumerate(site.editions)]
    jobs += [RenderJob("month", archive.url, index=i) for i, archive in enumerate(site.months)]
    jobs += [RenderJob("year", archive.url, index=i) for i, archive in enumerate(site.years)]
    if search_page:
        jobs.append(RenderJob("search", SEARCH_PAGE_URL))
    return jobs


def plan_pages(
    site: Site, *, search_page: bool = True, sitemap_limit: int = URL_LIMIT
) -> list[RenderJob]:
    """Every page, feed and data file of the site, in a fixed order.

    Without `search_page` (a theme may have no search.html) there is no search page, but
    the search index is still made: another theme's script may read it. Each sitemap part
    lists at most `sitemap_limit` URLs; give PageContext the same values.

    The order is for the process pool, which takes runs of jobs in this order: files made
    from much of the site (feeds, search parts, sitemaps, listings) come first and article
    pages last. Listed the other way round, the last run held every feed and search part
    while the other worker had nothing left to do; and each worker reads the articles of a
    run of article pages, which lie together in memory, so few pages of the parent's memory
    are copied into both workers.
    """
    listed = _listed_pages(site, search_page)
    jobs: list[RenderJob] = []
    for i, tag in enumerate(site.tags):
        jobs += [
            RenderJob("atom", f"{tag.url}atom.xml", index=i),
            RenderJob("rss", f"{tag.url}rss.xml", index=i),
        ]
    jobs += [
        RenderJob("atom", "/atom.xml"),
        RenderJob("rss", "/rss.xml"),
        RenderJob("404", "/404.html"),
        RenderJob("robots", f"/{ROBOTS}"),
        RenderJob("search-index", f"/{SEARCH_INDEX}"),
    ]
    for i, month in enumerate(site.months):
        jobs.append(RenderJob("search-part", search_part_url(month.start), index=i))
        jobs += [
            RenderJob("sitemap-articles", sitemap_articles_url(month.start, n), index=i, page=n)
            for n in range(1, page_count(month.article_count, sitemap_limit) + 1)
        ]
    jobs += [
        RenderJob("sitemap-pages", sitemap_pages_url(n), page=n)
        for n in range(1, page_count(len(listed), sitemap_limit) + 1)
    ]
    jobs.append(RenderJob("sitemap", f"/{SITEMAP}"))
    jobs += listed
    jobs += [RenderJob("article", article.url, index=i) for i, article in enumerate(site.articles)]
    return jobs


def _feed_links(prefix: str, title: str) -> tuple[FeedLink, ...]:
    return (
        FeedLink(f"{title} (Atom)", f"{prefix}atom.xml", "application/atom+xml"),
        FeedLink(f"{title} (RSS)", f"{prefix}rss.xml", "application/rss+xml"),
    )


def page_context(
    config: SiteConfig,
    job: RenderJob,
    inputs: dict[str, Any],
    tags_of: Callable[[Article], tuple[TagLink, ...]],
    site_feeds: tuple[FeedLink, ...],
) -> dict[str, Any]:
    """A template's variables, from the page's inputs only (never the whole Site)."""
    context: dict[str, Any] = {"config": config, "tags_of": tags_of, **inputs}
    context.pop("count", None)
    title, description, feeds, og_type = config.title, config.description, site_feeds, "website"
    if job.kind in {"index", "tag"}:
        base = "/" if job.kind == "index" else inputs["tag"].url
        count = inputs["count"]
        context["pagination"] = Pagination(
            number=job.page,
            count=count,
            prev_url=page_url(base, job.page - 1) if job.page > 1 else None,
            next_url=page_url(base, job.page + 1) if job.page < count else None,
        )
    if job.kind == "index" and job.page > 1:
        title = f"{config.title}: page {job.page}"
    elif job.kind == "article":
        article = inputs["article"]
        context["article_tags"] = tags_of(article)
        title, description, og_type = article.title, article.summary, "article"
    elif job.kind == "tags":
        title = "Tags"
    elif job.kind == "tag":
        tag = inputs["tag"]
        title = tag.name if job.page == 1 else f"{tag.name}: page {job.page}"
        description = f"Articles tagged {tag.name}"
        feeds = (*_feed_links(tag.url, tag.name), *feeds)
    elif job.kind == "edition":
        day = inputs["edition"].day
        title = f"Edition of {day:%-d %B %Y}"
        description = f"{len(inputs['articles'])} articles published on {day:%-d %B %Y}"
    elif job.kind in {"month", "year"}:
        archive = inputs["archive"]
        title = f"{archive.start:%B %Y}" if job.kind == "month" else f"{archive.start:%Y}"
        description = f"{archive.article_count} articles from {title}"
    elif job.kind == "404":
        title = "Page not found"
    elif job.kind == "search":
        context["search_index_url"] = f"/{SEARCH_INDEX}"
        title, description = "Search", f"Search the articles of {config.title}"
    context["page"] = PageMeta(job.kind, title, description, job.url, feeds, og_type)
    return context


class PageContext:
    """Builds, for any job, the data its template (or feed, or data file) is made from.

    `search_page` and `sitemap_limit` must be those the jobs were planned with: the
    sitemaps of the other pages list exactly the pages planned.
    """

    def __init__(
        self,
        site: Site,
        global_key: str,
        *,
        search_page: bool = True,
        sitemap_limit: int = URL_LIMIT,
    ) -> None:
        self.site = site
        self.global_key = global_key
        self.search_page = search_page
        self.sitemap_limit = sitemap_limit
        self._listed_urls: list[str] | None = None
        self._tags_by_key = {tag_key(tag.name): tag for tag in site.tags}
        self._site_feeds = _feed_links("/", site.config.title)
        self._article_keys: dict[int, str] = {}
        # By a tag's spelling in front matter: its link, and that link as fingerprint text.
        self._spelled: dict[str, tuple[TagLink, str]] = {}
        self._tag_links: dict[
            int, tuple[TagLink, ...]
        ] = {}  # by id(): articles live as long as the Site

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

    def articles(self, indexes: Iterable[int]) -> list[Article]:
        """Resolve article indexes to articles."""
        return [self.site.articles[i] for i in indexes]

    def _slice(self, indexes: Sequence[int], number: int) -> list[Article]:
        per_page = self.site.config.per_page
        return self.articles(indexes[(number - 1) * per_page : number * per_page])

    def feed_inputs(self, job: RenderJob) -> tuple[str, str, str, list[Article]]:
        """Base URL, title, description and entries of a feed job."""
        config = self.site.config
        limit = config.feed_limit
        if job.index == SITE_WIDE:
            return "/", config.title, config.description, list(self.site.articles[:limit])
        tag = self.site.tags[job.index]
        return (
            tag.url,
            f"{config.title}: {tag.name}",
            f"Articles tagged {tag.name}",
            self.articles(tag.articles[:limit]),
        )

    def inputs(self, job: RenderJob) -> dict[str, Any]:
        """The parts of the Site one HTML page is made from (besides config and templates).

        The page's context is derived from these alone (see `page_context`), which is what
        lets the fingerprint hash just these few objects.
        """
        site = self.site
        per_page = site.config.per_page
        if job.kind == "index":
            total = page_count(len(site.articles), per_page)
            return {"articles": self._slice(range(len(site.articles)), job.page), "count": total}
        if job.kind == "article":
            index = job.index
            return {
                "article": site.articles[index],
                "newer": site.articles[index - 1] if index > 0 else None,
                "older": site.articles[index + 1] if index + 1 < len(site.articles) else None,
            }
        if job.kind == "tags":
            return {"tags": site.tags}
        if job.kind == "tag":
            tag = site.tags[job.index]
            count = page_count(tag.count, per_page)
            return {"tag": tag, "articles": self._slice(tag.articles, job.page), "count": count}
        if job.kind == "edition":
            index = job.index
            edition = site.editions[index]
            return {
                "edition": edition,
                "articles": self.articles(edition.articles),
                "newer_edition": site.editions[index - 1] if index > 0 else None,
                "older_edition": site.editions[index + 1]
                if index + 1 < len(site.editions)
                else None,
            }
        if job.kind in {"month", "year"}:
            archive = (site.months if job.kind == "month" else site.years)[job.index]
            editions = [
                (site.editions[i], self.articles(site.editions[i].articles))
                for i in archive.editions
            ]
            found: dict[str, Any] = {"archive": archive, "editions": editions}
            if job.kind == "year":
                found["months"] = [
                    month for month in site.months if month.start.year == archive.start.year
                ]
            return found
        return {}

    def _month_articles(self, index: int) -> list[Article]:
        """The articles of one month archive, in site order (its editions are newest first)."""
        site = self.site
        return [
            site.articles[i]
            for edition in site.months[index].editions
            for i in site.editions[edition].articles
        ]

    def _chunk(self, items: Sequence[Any], number: int) -> Sequence[Any]:
        limit = self.sitemap_limit
        return items[(number - 1) * limit : number * limit]

    def _listed(self) -> list[str]:
        """The URLs the sitemaps of other pages list, in plan order."""
        if self._listed_urls is None:
            self._listed_urls = [job.url for job in _listed_pages(self.site, self.search_page)]
        return self._listed_urls

    def _sitemap_parts(self) -> list[tuple[str, dt.datetime | None]]:
        """Every sitemap part with its newest change (the other pages carry no dates)."""
        pages = page_count(len(self._listed()), self.sitemap_limit)
        parts: list[tuple[str, dt.datetime | None]] = [
            (sitemap_pages_url(n), None) for n in range(1, pages + 1)
        ]
        for index, month in enumerate(self.site.months):
            articles = self._month_articles(index)
            for n in range(1, page_count(len(articles), self.sitemap_limit) + 1):
                newest = max(article.last_modified for article in self._chunk(articles, n))
                parts.append((sitemap_articles_url(month.start, n), newest))
        return parts

    def data_inputs(self, job: RenderJob) -> dict[str, Any]:
        """What a search index or sitemap file is made from (besides config)."""
        site = self.site
        if job.kind == "search-part":
            return {"articles": self._month_articles(job.index)}
        if job.kind == "search-index":
            return {
                "tags": [(tag.name, tag.url) for tag in site.tags],
                "parts": [(search_part_url(m.start), m.article_count) for m in site.months],
            }
        if job.kind == "sitemap-articles":
            return {"articles": self._chunk(self._month_articles(job.index), job.page)}
        if job.kind == "sitemap-pages":
            return {"urls": self._chunk(self._listed(), job.page)}
        if job.kind == "sitemap":
            return {"parts": self._sitemap_parts()}
        return {}  # robots.txt: config only

    def _render_data(self, job: RenderJob) -> bytes:
        config = self.site.config
        inputs = self.data_inputs(job)
        if job.kind == "search-part":
            entries = [
                (article, [tag.name for tag in self.tags_of(article)])
                for article in inputs["articles"]
            ]
            return render_search_part(config, entries)
        if job.kind == "search-index":
            return render_search_manifest(config, inputs["tags"], inputs["parts"])
        if job.kind == "sitemap-articles":
            pages = [(article.url, article.last_modified) for article in inputs["articles"]]
            return render_urlset(config, pages)
        if job.kind == "sitemap-pages":
            return render_urlset(config, [(url, None) for url in inputs["urls"]])
        if job.kind == "sitemap":
            return render_sitemap_index(config, inputs["parts"])
        return render_robots(config)

    def build(self, job: RenderJob) -> dict[str, Any]:
        """The template context of one HTML page."""
        return page_context(self.site.config, job, self.inputs(job), self.tags_of, self._site_feeds)

    def fingerprint(self, job: RenderJob) -> str:
        """A hash of everything the job's output is made from, plus templates and config."""
        if job.kind in FEED_KINDS:
            data: Any = self.feed_inputs(job)
        elif job.kind in DATA_KINDS:
            data = self.data_inputs(job)
        else:
            data = self.inputs(job)
        # Not job.index: a position shifts when an article is added, while the data shown
        # (which the inputs identify) may not change at all.
        text = f"{self.global_key}\0{job.kind}\0{job.url}\0{job.page}\0{self._key(data)}"
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()

    def _key(self, value: Any) -> str:
        """A deterministic text standing for a context value, cheap for large articles."""
        if isinstance(value, Article):
            key = self._article_keys.get(id(value))
            if key is None:
                # The digest covers every parsed field; URL and tags depend on the rest of the site.
                key = f"A({value.digest},{value.url},{self._tags_text(value)})"
                self._article_keys[id(value)] = key
            return key
        # Tags, editions and archives by what a page can show of them, not by the positions
        # they hold: those shift whenever an article is added, and the articles a page shows
        # are among its inputs anyway.
        if isinstance(value, Tag):
            return f"T({value.name},{value.slug},{value.url},{value.count})"
        if isinstance(value, Edition):
            return f"E({value.day},{value.url},{len(value.articles)})"
        if isinstance(value, Archive):
            start, count, editions = value.start, value.article_count, len(value.editions)
            return f"R({value.kind},{start},{value.url},{count},{editions})"
        if isinstance(value, dict):
            return (
                "{" + ",".join(f"{name}:{self._key(value[name])}" for name in sorted(value)) + "}"
            )
        if isinstance(value, list | tuple):
            # Lists of articles are most of what pages show: their keys are looked up directly
            # (the id of a live article cannot be that of another live object).
            known = self._article_keys
            return "[" + ",".join(known.get(id(item)) or self._key(item) for item in value) + "]"
        if isinstance(value, SiteConfig) or callable(value):
            return ""  # covered by the global key
        return repr(value)  # small frozen dataclasses, strings, numbers, dates

    def _tags_text(self, article: Article) -> str:
        """What tags_of(article) shows, as text for a fingerprint (printing TagLinks made
        per article cost half the fingerprint stage)."""
        return ",".join(self._tag_spelled(name)[1] for name in article.tags)

    def render(self, environment: jinja2.Environment, job: RenderJob) -> bytes:
        """The bytes of one output file; template mistakes become `template:line:` errors."""
        if job.kind in FEED_KINDS:
            base, title, description, articles = self.feed_inputs(job)
            return render_feed(self.site.config, job.kind, base, title, description, articles)
        if job.kind in DATA_KINDS:
            return self._render_data(job)
        try:
            return environment.get_template(job.template).render(self.build(job)).encode("utf-8")
        except jinja2.TemplateError as error:
            raise UserError([locate_template_error(error, error.__traceback__)]) from None
