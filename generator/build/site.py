"""assemble_site: settle everything on plain data before anything is rendered.

Drafts and future articles are filtered, articles sorted, URLs resolved, and tags, daily
editions and date archives built. Every mistake found here is reported together with the
page plan's (which checks that no two pages share a file), so rendering afterwards is a pure
function of the Site.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from ..core.errors import Diagnostics
from ..core.urls import (
    SOURCES_URL,
    expand_permalink,
    output_path_for,
    slugify,
)
from .article import Article, tag_key
from .config import SiteConfig
from .skipped import Skipped


@dataclass(frozen=True)
class Group:
    """Articles gathered under a name, newest first, with a page of their own."""

    name: str  # the most used spelling
    slug: str
    url: str
    articles: tuple[int, ...]  # indexes into Site.articles

    @property
    def count(self) -> int:
        """How many articles the group holds."""
        return len(self.articles)


@dataclass(frozen=True)
class Tag(Group):
    """A tag: the articles that carry it."""


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
class Publisher(Group):
    """A source: a publisher that reported stories of the digest (as the article's own
    `publisher` or in `also_reported_by`)."""


@dataclass(frozen=True)
class Redirect:
    """An article's old URL (from its `aliases:`), which must keep leading to it."""

    url: str  # the old site path
    article: int  # index into Site.articles


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
    publishers: tuple[Publisher, ...] = ()  # by name
    redirects: tuple[Redirect, ...] = ()  # old URLs of articles (`aliases:`), by old URL
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
    problems: Diagnostics,
) -> Site:
    """Filter, sort and resolve URLs, adding every mistake found to `problems` (the caller
    raises them together with the page plan's). Articles whose URL would leave output/ are
    reported and left out, so that the rest can still be planned."""
    now = now or dt.datetime.now(dt.UTC)
    kept: list[Article] = []
    left: list[Article] = []
    skipped = list(skipped)
    for article in articles:
        reason = _why_left_out(article, include_drafts, include_future, now)
        if reason is None:
            kept.append(article)
        else:
            left.append(article)
            skipped.append(Skipped(article.source, reason))
    next_change = _next_change(left, include_drafts)
    kept.sort(key=article_sort_key)
    zone = config.tzinfo
    resolved = []
    for article in (_with_url(config, article, zone) for article in kept):
        if output_path_for(article.url) is None:
            problems.add(
                article.source,
                article.line_of("slug"),
                f"permalink {article.url!r} would be written outside output/",
                "check the `article` permalink in site.yaml and the slug",
            )
        else:
            resolved.append(article)

    tags = _collect_tags(config, resolved, problems)
    editions = _collect_editions(config, resolved, zone)
    months = _collect_archives(config, editions, "month")
    years = _collect_archives(config, editions, "year")
    return Site(
        config=config,
        articles=tuple(resolved),
        tags=tags,
        editions=editions,
        months=months,
        years=years,
        skipped=tuple(sorted(skipped, key=lambda item: item.source)),
        next_change=next_change,
        publishers=_collect_publishers(resolved),
        redirects=_collect_redirects(resolved, problems),
    )


def _why_left_out(
    article: Article, include_drafts: bool, include_future: bool, now: dt.datetime
) -> str | None:
    """Why the site leaves an article out (a draft, or dated after `now`), None if it is in."""
    if article.draft and not include_drafts:
        return "draft (build with --drafts to include)"
    if article.date > now and not include_future:
        return f"dated in the future, {article.date.isoformat()} (build with --future to include)"
    return None


def _next_change(left_out: Iterable[Article], include_drafts: bool) -> dt.datetime | None:
    """When the first article left out for its date becomes due (and the site changes)."""
    dates = [article.date for article in left_out if include_drafts or not article.draft]
    return min(dates, default=None)


@dataclass(frozen=True)
class Outline:
    """A Site without its articles: what assembling settled (which articles are in, in what
    order, under which tags, days, months, years and sources), kept between builds.

    Assembling reads of each article only what its shape covers (article.shape_of): date,
    slug, tags, draft, publisher, aliases, sources. So while the configuration and options
    are those of `key`, no article was added or removed, every edited article kept its
    shape, and the clock has not crossed a date that puts an article in or out, the site
    assembles to this outline again (reassemble_site). What follows from the articles
    themselves (why one is left out, when the site next changes) is not kept: it is found
    again from them. At 100,000 articles, assembling was 0.8-1.7 s of every edit build;
    reading the outline and reassembling is 0.2-0.3 s.
    """

    key: str  # outline_key of the configuration and options assembled under
    kept: tuple[str, ...]  # digests of the site's articles, in site order
    left_out: tuple[str, ...]  # digests of the drafts and future articles left out
    tags: tuple[Tag, ...]
    editions: tuple[Edition, ...]
    months: tuple[Archive, ...]
    years: tuple[Archive, ...]
    publishers: tuple[Publisher, ...]
    redirects: tuple[Redirect, ...]


def outline_key(config_key: str, include_drafts: bool, include_future: bool) -> str:
    """What an outline was assembled under: the configuration (pipeline's global key, which
    covers permalinks and timezone) and the options that filter articles."""
    text = f"{config_key}\0{include_drafts}\0{include_future}"
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def outline_of(site: Site, key: str, articles: Mapping[str, Article]) -> Outline:
    """The outline of `site`, assembled under `key` from `articles` (by digest: those in
    and those left out; files that did not parse are the caller's, passed in each time)."""
    sources = {item.source for item in site.skipped}
    left_out = itertools.compress(
        articles.values(), map(sources.__contains__, map(_SOURCE, articles.values()))
    )
    return Outline(
        key=key,
        kept=tuple(map(_DIGEST, site.articles)),
        left_out=tuple(map(_DIGEST, left_out)),
        tags=site.tags,
        editions=site.editions,
        months=site.months,
        years=site.years,
        publishers=site.publishers,
        redirects=site.redirects,
    )


_DIGEST = operator.attrgetter("digest")
_SOURCE = operator.attrgetter("source")


def reassemble_site(
    outline: Outline,
    key: str,
    config: SiteConfig,
    articles: Mapping[str, Article],
    cached: Mapping[str, Article],
    *,
    include_drafts: bool,
    include_future: bool,
    now: dt.datetime,
    skipped: Iterable[Skipped] = (),
) -> Site | None:
    """The Site assemble_site would make of `articles` (by digest), from the outline of an
    earlier build whose articles were `cached` (by digest); None where it cannot tell
    (see Outline), and the caller assembles."""
    if outline.key != key or len(articles) != len(outline.kept) + len(outline.left_out):
        return None
    placed = _placed(articles, cached, (outline.kept, outline.left_out))
    if placed is None:
        return None
    kept, left = placed
    # Their shapes kept, the articles in are not drafts (under the outline's options); the
    # clock must not have gone back before the newest, nor past any left out for its date.
    reasons = [_why_left_out(article, include_drafts, include_future, now) for article in left]
    if (kept and not include_future and kept[0].date > now) or None in reasons:
        return None
    # Those not the very article the cache held (edited, or parsed again) get their URL:
    # their shape kept, it is the URL the outline's build gave their file. The cached ones
    # keep theirs, which the cache checked (article_codec); assembling reports a bad one.
    zone = config.tzinfo
    for number in itertools.compress(
        range(len(kept)), map(operator.is_not, map(cached.get, outline.kept), kept)
    ):
        kept[number] = article = _with_url(config, kept[number], zone)
        if output_path_for(article.url) is None:
            return None
    left_out = [
        Skipped(article.source, reason)  # type: ignore[arg-type]  # no None among them
        for article, reason in zip(left, reasons, strict=True)
    ]
    return Site(
        config=config,
        articles=tuple(kept),
        tags=outline.tags,
        editions=outline.editions,
        months=outline.months,
        years=outline.years,
        skipped=tuple(sorted([*left_out, *skipped], key=lambda item: item.source)),
        next_change=_next_change(left, include_drafts),
        publishers=outline.publishers,
        redirects=outline.redirects,
    )


def _placed(
    articles: Mapping[str, Article],
    cached: Mapping[str, Article],
    places: Sequence[Sequence[str]],
) -> list[list[Article]] | None:
    """For each list of digests in `places`, the articles in those places: an unchanged
    one by its digest, an edited one in the place of the cached article of its file if
    the two have one shape. None if an article has no place, or a place no article."""
    found = [list(map(articles.get, digests)) for digests in places]
    # Looked for by identity: `None in` would call Article.__eq__ on every article (a
    # tenth of a second at 100,000).
    if not any(map(operator.is_, itertools.chain.from_iterable(found), itertools.repeat(None))):
        return found  # type: ignore[return-value]  # no None in any
    known = set(itertools.chain.from_iterable(places))
    edited = {
        article.source: article
        for article in itertools.compress(
            articles.values(), map(operator.not_, map(known.__contains__, articles))
        )
    }
    for digests, slots in zip(places, found, strict=True):
        for number in [number for number, article in enumerate(slots) if article is None]:
            was = cached.get(digests[number])
            article = edited.pop(was.source, None) if was is not None else None
            if was is None or article is None or article.shape != was.shape:
                return None
            slots[number] = article
    return None if edited else found  # type: ignore[return-value]


@functools.lru_cache(maxsize=4096)
def _date_values(day: dt.date) -> Mapping[str, str]:
    """The permalink values of a day: a few thousand days, each shared by many articles,
    so each is made once (read-only, as it is shared)."""
    return MappingProxyType(
        {"year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"}
    )


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
    # Gathered by spelling first, then each spelling keyed once: a few hundred names over
    # hundreds of thousands of uses.
    by_spelling: dict[str, list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        for name in article.tags:
            by_spelling[name].append(index)
    members: dict[str, list[int]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for name, indexes in by_spelling.items():
        key = tag_key(name)
        members[key].extend(indexes)
        spellings[key][name] = len(indexes)
    first_source: dict[str, Article] = {}
    for key, indexes in members.items():
        if len(spellings[key]) > 1:
            indexes.sort()  # in site order, as if gathered in one pass
        first_source[key] = articles[indexes[0]]
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


_NOT_IN_A_PATH = re.compile(r"[\s\x00-\x1f\x7f?#]")


def is_redirect_path(alias: str) -> bool:
    """Whether an old URL can be redirected from: a path in output/ without a space,
    control character, query or fragment (each becomes a line of `_redirects`, where a
    space or a newline would start another rule)."""
    return output_path_for(alias) is not None and _NOT_IN_A_PATH.search(alias) is None


def _collect_redirects(articles: Sequence[Article], problems: Diagnostics) -> tuple[Redirect, ...]:
    """Every `aliases:` entry: a site path (`/2025/03/old-slug/`) the article had before."""
    found = []
    for index, article in enumerate(articles):
        aliases = article.extra_field("aliases")
        if aliases is None:
            continue
        line = article.line_of("aliases")
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
            problems.add(
                article.source,
                line,
                "`aliases` must be a list of old URLs",
                "for example `aliases: [/2025/03/04/old-headline/]`",
            )
            continue
        for alias in aliases:
            if alias == article.url or not is_redirect_path(alias):
                problems.add(
                    article.source,
                    line,
                    f"alias {alias!r} is not a path on this site (or is the article's own URL)",
                    "give the old URL's path, starting with `/`, such as `/2025/03/04/old-headline/`",
                )
            else:
                found.append(Redirect(alias, index))
    return tuple(sorted(found, key=lambda item: item.url))


def reporters(article: Article) -> list[str]:
    """Every publisher that reported an article: its own, then `also_reported_by`'s."""
    publisher = article.publisher
    others = article.extra_field("also_reported_by")
    if not isinstance(others, list):  # most articles: one publisher or none
        return [publisher] if publisher and not publisher.isspace() else []
    names = [publisher] if publisher else []
    names += [
        other["publisher"]
        for other in others
        if isinstance(other, dict) and isinstance(other.get("publisher"), str)
    ]
    return [name for name in names if name.strip()]


def _collect_publishers(articles: Sequence[Article]) -> tuple[Publisher, ...]:
    """Publishers by slug (spellings of one name are one source; the most used wins)."""
    members: dict[str, list[int]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    slugs: dict[str, str] = {}  # a few hundred names across 10,000s of articles
    for index, article in enumerate(articles):
        for name in dict.fromkeys(reporters(article)):
            slug = slugs.get(name)
            if slug is None:
                slug = slugs[name] = slugify(name)
            if slug and (not members[slug] or members[slug][-1] != index):
                members[slug].append(index)
                spellings[slug][name] += 1
    publishers = [
        Publisher(
            name=min(spellings[slug].items(), key=lambda item: (-item[1], item[0]))[0],
            slug=slug,
            url=f"{SOURCES_URL}{slug}/",
            articles=tuple(members[slug]),
        )
        for slug in members
        if members[slug]
    ]
    return tuple(sorted(publishers, key=lambda item: (item.name.casefold(), item.slug)))


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
