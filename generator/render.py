"""plan_pages: the list of HTML pages a Site needs; render_pages: templates -> bytes.

A RenderJob names its template and the Site object it shows by index, so jobs are tiny to
send to worker processes, and the page context is rebuilt from the Site on the worker.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import jinja2

from .content import Article, tag_key
from .errors import UserError
from .site import Archive, Edition, Site, Tag
from .theme import locate_template_error
from .urls import output_path_for

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


@dataclass(frozen=True)
class RenderJob:
    """One page: which template, at which URL, showing which object (by index) and page number."""

    kind: str
    template: str
    url: str
    index: int = 0
    page: int = 1


@dataclass(frozen=True)
class OutputFile:
    """A file to publish, relative to the output folder."""

    path: PurePosixPath
    data: bytes


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


def page_url(base: str, number: int) -> str:
    """`/tags/x/` for the first page, `/tags/x/page/2/` after it."""
    return base if number == 1 else f"{base}page/{number}/"


def page_count(total: int, per_page: int) -> int:
    """Listing pages needed for `total` items; an empty listing still has one page."""
    return max(1, math.ceil(total / per_page))


def plan_pages(site: Site) -> list[RenderJob]:
    """Every HTML page of the site, in a fixed order."""
    per_page = site.config.per_page
    jobs = [
        RenderJob("index", "index.html", page_url("/", n), page=n)
        for n in range(1, page_count(len(site.articles), per_page) + 1)
    ]
    jobs += [
        RenderJob("article", "article.html", article.url, index=i)
        for i, article in enumerate(site.articles)
    ]
    jobs.append(RenderJob("tags", "tags.html", _tags_index_url(site)))
    for i, tag in enumerate(site.tags):
        jobs += [
            RenderJob("tag", "tag.html", page_url(tag.url, n), index=i, page=n)
            for n in range(1, page_count(tag.count, per_page) + 1)
        ]
    jobs += [
        RenderJob("edition", "edition.html", edition.url, index=i)
        for i, edition in enumerate(site.editions)
    ]
    jobs += [
        RenderJob("month", "month.html", archive.url, index=i)
        for i, archive in enumerate(site.months)
    ]
    jobs += [
        RenderJob("year", "year.html", archive.url, index=i) for i, archive in enumerate(site.years)
    ]
    jobs.append(RenderJob("404", "404.html", "/404.html"))
    return jobs


def _tags_index_url(site: Site) -> str:
    """The tag index sits at the parent of the tag permalink: `/tags/{slug}/` -> `/tags/`."""
    pattern = site.config.permalinks["tag"]
    prefix = pattern.split("{slug}", 1)[0]
    return prefix if prefix.endswith("/") else "/tags/"


def tag_feed_links(tag: Tag) -> tuple[FeedLink, ...]:
    """The per-tag Atom and RSS feeds, beside the tag page."""
    return (
        FeedLink(f"{tag.name} (Atom)", f"{tag.url}atom.xml", "application/atom+xml"),
        FeedLink(f"{tag.name} (RSS)", f"{tag.url}rss.xml", "application/rss+xml"),
    )


def site_feed_links(site: Site) -> tuple[FeedLink, ...]:
    """The site-wide feeds, linked from every page."""
    return (
        FeedLink(f"{site.config.title} (Atom)", "/atom.xml", "application/atom+xml"),
        FeedLink(f"{site.config.title} (RSS)", "/rss.xml", "application/rss+xml"),
    )


class PageContext:
    """Builds the variables a template sees for a job; read-only views over the Site."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._tags_by_key = {tag_key(tag.name): tag for tag in site.tags}
        self._feeds = site_feed_links(site)

    def tags_of(self, article: Article) -> list[Tag]:
        """The Tag objects (with URLs) of an article, in the article's own order."""
        return [self._tags_by_key[tag_key(name)] for name in article.tags]

    def articles(self, indexes: Iterable[int]) -> list[Article]:
        """Resolve article indexes to articles."""
        return [self.site.articles[i] for i in indexes]

    def _listing(
        self, base: str, indexes: Sequence[int], number: int
    ) -> tuple[list[Article], Pagination]:
        per_page = self.site.config.per_page
        count = page_count(len(indexes), per_page)
        chosen = indexes[(number - 1) * per_page : number * per_page]
        pagination = Pagination(
            number=number,
            count=count,
            prev_url=page_url(base, number - 1) if number > 1 else None,
            next_url=page_url(base, number + 1) if number < count else None,
        )
        return self.articles(chosen), pagination

    def build(self, job: RenderJob) -> dict[str, Any]:
        """The template context of one page."""
        site = self.site
        config = site.config
        context: dict[str, Any] = {"site": site, "config": config, "tags_of": self.tags_of}
        title, description, feeds, og_type = (
            config.title,
            config.description,
            self._feeds,
            "website",
        )
        if job.kind == "index":
            context["articles"], context["pagination"] = self._listing(
                "/", range(len(site.articles)), job.page
            )
            if job.page > 1:
                title = f"{config.title}: page {job.page}"
        elif job.kind == "article":
            article = site.articles[job.index]
            newer = site.articles[job.index - 1] if job.index > 0 else None
            older = site.articles[job.index + 1] if job.index + 1 < len(site.articles) else None
            context.update(
                article=article, newer=newer, older=older, article_tags=self.tags_of(article)
            )
            title, description, og_type = article.title, article.summary, "article"
        elif job.kind == "tags":
            context["tags"] = site.tags
            title = "Tags"
        elif job.kind == "tag":
            tag = site.tags[job.index]
            context["tag"] = tag
            context["articles"], context["pagination"] = self._listing(
                tag.url, tag.articles, job.page
            )
            title = f"{tag.name}" if job.page == 1 else f"{tag.name}: page {job.page}"
            description = f"Articles tagged {tag.name}"
            feeds = (*tag_feed_links(tag), *feeds)
        elif job.kind == "edition":
            edition = site.editions[job.index]
            context.update(
                edition=edition,
                articles=self.articles(edition.articles),
                newer_edition=site.editions[job.index - 1] if job.index > 0 else None,
                older_edition=site.editions[job.index + 1]
                if job.index + 1 < len(site.editions)
                else None,
            )
            title = f"Edition of {edition.day:%-d %B %Y}"
            description = f"{len(edition.articles)} articles published on {edition.day:%-d %B %Y}"
        elif job.kind in {"month", "year"}:
            archive = (site.months if job.kind == "month" else site.years)[job.index]
            context.update(archive=archive, editions=self._editions_of(archive))
            if job.kind == "year":
                context["months"] = [
                    month for month in site.months if month.start.year == archive.start.year
                ]
            title = f"{archive.start:%B %Y}" if job.kind == "month" else f"{archive.start:%Y}"
            description = f"{archive.article_count} articles from {title}"
        elif job.kind == "404":
            title = "Page not found"
        context["page"] = PageMeta(job.kind, title, description, job.url, feeds, og_type)
        return context

    def _editions_of(self, archive: Archive) -> list[tuple[Edition, list[Article]]]:
        return [
            (self.site.editions[i], self.articles(self.site.editions[i].articles))
            for i in archive.editions
        ]


def render_job(environment: jinja2.Environment, context: PageContext, job: RenderJob) -> OutputFile:
    """Render one page; template mistakes become a UserError naming template and line."""
    path = output_path_for(job.url)
    if path is None:  # assemble_site already refused such URLs; this guards the invariant.
        raise AssertionError(f"unsafe URL reached rendering: {job.url!r}")
    try:
        html = environment.get_template(job.template).render(context.build(job))
    except jinja2.TemplateError as error:
        raise UserError([locate_template_error(error, error.__traceback__)]) from None
    return OutputFile(path, html.encode("utf-8"))


def render_pages(
    environment: jinja2.Environment, site: Site, jobs: Sequence[RenderJob]
) -> list[OutputFile]:
    """Render jobs in order."""
    context = PageContext(site)
    return [render_job(environment, context, job) for job in jobs]
