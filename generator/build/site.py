"""assemble_site: settle everything on plain data before anything is rendered.

Drafts and future articles are filtered, articles sorted, URLs resolved and checked for
collisions, and tags, daily editions and date archives built. Every mistake found here
is reported together, so rendering afterwards is a pure function of the Site.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ..core.errors import Diagnostics
from ..core.urls import (
    SEARCH_INDEX,
    SEARCH_PAGE_URL,
    expand_permalink,
    is_data_part_url,
    output_path_for,
    page_count,
    page_url,
    slugify,
    tags_index_url,
)
from .article import Article, tag_key
from .config import SiteConfig


@dataclass(frozen=True)
class Tag:
    """A tag with its display name (the most used spelling) and its articles, newest first."""

    name: str
    slug: str
    url: str
    articles: tuple[int, ...]  # indexes into Site.articles

    @property
    def count(self) -> int:
        """How many articles carry the tag."""
        return len(self.articles)


@dataclass(frozen=True)
class Edition:
    """One day's digest: the articles published on a calendar day in the site's timezone."""

    day: dt.date
    url: str
    articles: tuple[int, ...]


@dataclass(frozen=True)
class Archive:
    """A month or a year: the editions it holds, newest first."""

    kind: str  # "month" or "year"
    start: dt.date
    url: str
    editions: tuple[int, ...]  # indexes into Site.editions
    article_count: int


@dataclass(frozen=True)
class Skipped:
    """An article left out of this build, and why (shown in the build output)."""

    source: str
    reason: str


@dataclass(frozen=True)
class Site:
    """Everything the renderers need, sorted and resolved."""

    config: SiteConfig
    articles: tuple[Article, ...]  # newest first
    tags: tuple[Tag, ...]  # by name
    editions: tuple[Edition, ...]  # newest first
    months: tuple[Archive, ...]  # newest first
    years: tuple[Archive, ...]  # newest first
    skipped: tuple[Skipped, ...]
    # When the first article left out for its future date becomes due (and the site changes).
    next_change: dt.datetime | None = None


def article_sort_key(article: Article) -> tuple[float, str, str]:
    """Newest first; ties broken by slug then source path so order never depends on the disk."""
    return (-article.date.timestamp(), article.slug, article.source)


def assemble_site(
    config: SiteConfig,
    articles: Iterable[Article],
    *,
    include_drafts: bool = False,
    include_future: bool = False,
    now: dt.datetime | None = None,
    skipped: Iterable[Skipped] = (),
) -> Site:
    """Filter, sort and resolve URLs; raise UserError with every collision found."""
    now = now or dt.datetime.now(dt.UTC)
    problems = Diagnostics()
    kept: list[Article] = []
    skipped = list(skipped)
    next_change: dt.datetime | None = None
    for article in articles:
        if article.draft and not include_drafts:
            skipped.append(Skipped(article.source, "draft (build with --drafts to include)"))
        elif article.date > now and not include_future:
            next_change = article.date if next_change is None else min(next_change, article.date)
            skipped.append(
                Skipped(
                    article.source,
                    f"dated in the future, {article.date.isoformat()} (build with --future to include)",
                )
            )
        else:
            kept.append(article)
    kept.sort(key=article_sort_key)
    zone = config.tzinfo
    resolved = tuple(_with_url(config, article, zone) for article in kept)
    for article in resolved:
        if output_path_for(article.url) is None:
            problems.add(
                article.source,
                article.line_of("slug"),
                f"permalink {article.url!r} would be written outside output/",
                "check the `article` permalink in site.yaml and the slug",
            )

    tags = _collect_tags(config, resolved, problems)
    editions = _collect_editions(config, resolved, zone)
    months = _collect_archives(config, editions, "month")
    years = _collect_archives(config, editions, "year")
    _check_url_collisions(resolved, tags, editions, months, years, problems)
    _check_fixed_urls(config, resolved, tags, problems)
    problems.raise_if_any()
    return Site(
        config=config,
        articles=resolved,
        tags=tags,
        editions=editions,
        months=months,
        years=years,
        skipped=tuple(sorted(skipped, key=lambda item: item.source)),
        next_change=next_change,
    )


def _date_values(day: dt.date) -> dict[str, str]:
    return {"year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"}


def _with_url(config: SiteConfig, article: Article, zone: dt.tzinfo) -> Article:
    local_day = article.date.astimezone(zone).date()
    url = expand_permalink(
        config.permalinks["article"], {**_date_values(local_day), "slug": article.slug}
    )
    # Cached articles come back with last build's URL: reuse them rather than copy.
    return article if article.url == url else replace(article, url=url)


def _collect_tags(
    config: SiteConfig, articles: Sequence[Article], problems: Diagnostics
) -> tuple[Tag, ...]:
    members: dict[str, list[int]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    first_source: dict[str, Article] = {}
    for index, article in enumerate(articles):
        for name in article.tags:
            key = tag_key(name)
            members[key].append(index)
            spellings[key][name] += 1
            first_source.setdefault(key, article)
    by_slug: dict[str, str] = {}
    tags = []
    for key in sorted(members):
        # The most used spelling wins; ties go to the alphabetically first, for stable output.
        name = min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]
        slug = slugify(name)
        if slug in by_slug:
            other = by_slug[slug]
            article = first_source[key]
            problems.add(
                article.source,
                article.line_of("tags"),
                f"tags {other!r} and {name!r} would share the URL /tags/{slug}/",
                "rename one of them, or spell them the same way",
            )
            continue
        by_slug[slug] = name
        url = expand_permalink(config.permalinks["tag"], {"slug": slug})
        tags.append(Tag(name=name, slug=slug, url=url, articles=tuple(members[key])))
    return tuple(sorted(tags, key=lambda tag: (tag.name.casefold(), tag.slug)))


def _collect_editions(
    config: SiteConfig, articles: Sequence[Article], zone: dt.tzinfo
) -> tuple[Edition, ...]:
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        by_day[article.date.astimezone(zone).date()].append(index)
    return tuple(
        Edition(
            day=day,
            url=expand_permalink(config.permalinks["edition"], _date_values(day)),
            articles=tuple(by_day[day]),
        )
        for day in sorted(by_day, reverse=True)
    )


def _collect_archives(
    config: SiteConfig, editions: Sequence[Edition], kind: str
) -> tuple[Archive, ...]:
    groups: dict[dt.date, list[int]] = defaultdict(list)
    for index, edition in enumerate(editions):
        start = (
            edition.day.replace(day=1) if kind == "month" else edition.day.replace(month=1, day=1)
        )
        groups[start].append(index)
    return tuple(
        Archive(
            kind=kind,
            start=start,
            url=expand_permalink(config.permalinks[kind], _date_values(start)),
            editions=tuple(groups[start]),
            article_count=sum(len(editions[index].articles) for index in groups[start]),
        )
        for start in sorted(groups, reverse=True)
    )


def _check_url_collisions(
    articles: Sequence[Article],
    tags: Sequence[Tag],
    editions: Sequence[Edition],
    months: Sequence[Archive],
    years: Sequence[Archive],
    problems: Diagnostics,
) -> None:
    """Two things may never be written to one URL: report both claimants."""
    owners: dict[str, str] = {}
    for article in articles:
        previous = owners.get(article.url)
        if previous is not None:
            problems.add(
                article.source,
                article.line_of("slug" if "slug" in dict(article.field_lines) else "title"),
                f"URL {article.url} is already used by {previous}",
                "give one of the articles a different `slug:`",
            )
        else:
            owners[article.url] = article.source
    generated = [(tag.url, f"the tag page of {tag.name!r}") for tag in tags]
    generated += [(edition.url, f"the edition of {edition.day}") for edition in editions]
    generated += [
        (archive.url, f"the {archive.kind} archive {archive.start:%Y-%m}")
        for archive in (*months, *years)
    ]
    for url, description in generated:
        if url in owners:
            problems.add(
                owners[url],
                1,
                f"URL {url} is also {description}",
                "change the slug or the permalinks in site.yaml",
            )


def _check_fixed_urls(
    config: SiteConfig, articles: Sequence[Article], tags: Sequence[Tag], problems: Diagnostics
) -> None:
    """An article may not take the URL of a page every site has (a permalink `/{slug}/` and
    the title "Tags" would otherwise silently replace the tag index)."""
    fixed = {
        "/": "the front page",
        "/404.html": "the 404 page",
        "/atom.xml": "the site's Atom feed",
        "/rss.xml": "the site's RSS feed",
        "/sitemap.xml": "the sitemap",
        "/robots.txt": "robots.txt",
        SEARCH_PAGE_URL: "the search page",
        f"/{SEARCH_INDEX}": "the search index",
        tags_index_url(config.permalinks["tag"]): "the tag index",
    }
    pages = page_count(len(articles), config.per_page)
    fixed.update({page_url("/", n): f"page {n} of the front page" for n in range(2, pages + 1)})
    for tag in tags:
        fixed[f"{tag.url}atom.xml"] = f"the Atom feed of the tag {tag.name!r}"
        fixed[f"{tag.url}rss.xml"] = f"the RSS feed of the tag {tag.name!r}"
        for n in range(2, page_count(tag.count, config.per_page) + 1):
            fixed[page_url(tag.url, n)] = f"page {n} of the tag {tag.name!r}"
    for article in articles:
        taken = fixed.get(article.url)
        if taken is None and is_data_part_url(article.url):
            taken = "a name reserved for the parts of the search index and the sitemap"
        if taken is not None:
            problems.add(
                article.source,
                article.line_of("slug" if "slug" in dict(article.field_lines) else "title"),
                f"URL {article.url} is also {taken}",
                "give the article a different `slug:`",
            )
