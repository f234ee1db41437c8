"""The front page, the tag index and the tag pages: paginated listings of articles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ...core.urls import (
    FRONT_PAGE_URL,
    listing_page_count,
    listing_url,
    numbered_page_url,
    tags_index_url,
)
from ..article import Article, tag_key
from ..config import SiteConfig
from ..i18n import Label, label
from ..site import Edition, Group, Site, Tag, reporters
from .kind import (
    SITE_WIDE,
    Claim,
    HtmlKind,
    Page,
    Pagination,
    Plan,
    SiteView,
    feed_links,
    site_feed_links,
    site_links,
)


def listing_pagination(
    number: int, count: int, url_of: Callable[[int], str], above: str | None = None
) -> Pagination:
    """Where page `number` of a listing of `count` pages (each at `url_of(n)`) sits: what it
    holds of them, and nothing more (an older page must not change as the listing grows,
    unless the page just after it appears). `above` is a page newer than the listing's
    newest, which then is not the newest page itself: the front page's digest."""
    return Pagination(
        number=number,
        newest=number == count and above is None,
        prev_url=url_of(number + 1) if number < count else above,
        next_url=url_of(number - 1) if number > 1 else None,
    )


def listing_pages(
    name: str, count: int, url_of: Callable[[int], str], index: int = SITE_WIDE
) -> list[Page]:
    """The pages of a listing (page `n` at `url_of(n)`), the newest first."""
    return [
        Page(name, url_of(number), index=index, number=number) for number in range(count, 0, -1)
    ]


def _front_listing_url(number: int) -> str:
    """Every page of the front page's listing is numbered: `/` is the digest."""
    return numbered_page_url(FRONT_PAGE_URL, number)


def _group_url_of(group: Group, count: int) -> Callable[[int], str]:
    """Where page `n` of a group's `count` pages is: its newest at the group's URL."""
    return lambda number: listing_url(group.url, number, count)


def _group_pages(name: str, group: Group, count: int, index: int) -> list[Page]:
    return listing_pages(name, count, _group_url_of(group, count), index)


def _numbered(what: str, page: Page, base: str) -> str:
    return what if page.url == base else f"page {page.number} of {what}"


class FrontPage(HtmlKind):
    """The front page: the digest of the latest edition (with the newest `per_page`
    articles, for themes that list them), then every article, `per_page` a page, at
    `/page/<n>/`, numbered from the oldest (see core/urls.py)."""

    name = "index"
    listed = True
    templates = ("index.html",)

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        front = Page(self.name, FRONT_PAGE_URL, number=0)  # 0: before the listing's pages
        if not site.articles:
            return [front]
        count = page_count_of(site, len(site.articles))
        return [front, *listing_pages(self.name, count, _front_listing_url)]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        total = len(view.site.articles)
        count = view.listing_pages(total)
        if page.number == 0:
            return {
                "articles": view.articles(range(min(total, view.site.config.per_page))),
                "digest": digest(view),
                "pagination": Pagination(
                    number=0,
                    newest=True,
                    prev_url=None,
                    next_url=_front_listing_url(count) if total else None,
                ),
            }
        return {
            "articles": view.listing_page(range(total), page.number),
            "pagination": listing_pagination(
                page.number,
                count,
                _front_listing_url,
                above=FRONT_PAGE_URL,
            ),
        }

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        links = site_links(config, frozenset())
        found: dict[str, Any] = {"feeds": (*links.feeds, *links.editions)}
        if page.number:
            found["title"] = label(
                "%(title)s: page %(number)d", title=config.title, number=page.number
            )
        return found

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim(_numbered("the front page", page, FRONT_PAGE_URL))


class TagIndex(HtmlKind):
    """Every tag, with its article count."""

    name = "tags"
    listed = True
    templates = ("tags.html",)

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, tags_index_url(site.config.permalinks["tag"]))]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        return {"tags": view.site.tags}

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        return {"title": label("Tags")}

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("the tag index")


@dataclass(frozen=True)
class Heading:
    """What an older page of a group's listing shows of the group: its name and URL."""

    name: str
    url: str


class GroupPage(HtmlKind):
    """The articles of one group (a tag, a source), newest first, `per_page` a page (pages
    numbered from the oldest), with the group's own feeds. Subclasses say which groups,
    what templates call one, and how to describe it."""

    variable: str  # the name templates see the group under ("tag", "source")

    def groups(self, site: Site) -> Sequence[Group]:
        raise NotImplementedError

    def describe(self, name: str) -> Label:
        """The description of a group's page ("Articles tagged X")."""
        raise NotImplementedError

    def planned(self, planned: Plan) -> bool:
        """Whether the theme makes these pages (always, unless the template is optional)."""
        return True

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        if not self.planned(planned):
            return []
        return [
            page
            for i, group in enumerate(self.groups(site))
            for page in _group_pages(self.name, group, page_count_of(site, group.count), i)
        ]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        group = self.groups(view.site)[page.index]
        count = view.listing_pages(group.count)
        pagination = listing_pagination(page.number, count, _group_url_of(group, count))
        return {
            # Older pages show the group without its count, which grows with every article
            # and would change every one of them.
            self.variable: group if pagination.newest else Heading(group.name, group.url),
            "articles": view.listing_page(group.articles, page.number),
            "pagination": pagination,
        }

    def context(self, page: Page, inputs: dict[str, Any], view: SiteView) -> dict[str, Any]:
        group = inputs[self.variable]
        return {"listing_feeds": feed_links(group.url, group.name)}

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        group = inputs[self.variable]
        return {
            "title": group.name
            if inputs["pagination"].newest
            else label("%(title)s: page %(number)d", title=group.name, number=page.number),
            "description": self.describe(group.name),
            "feeds": (*feed_links(group.url, group.name), *site_feed_links(config)),
        }


class TagPage(GroupPage):
    """The articles of one tag."""

    name = "tag"
    variable = "tag"
    listed = True
    templates = ("tag.html",)

    def groups(self, site: Site) -> Sequence[Tag]:
        return site.tags

    def describe(self, name: str) -> Label:
        return label("Articles tagged %(tag)s", tag=name)

    def claim(self, page: Page, site: Site) -> Claim:
        tag = site.tags[page.index]
        first = site.articles[tag.articles[0]]
        what = f"the tag page of {tag.name!r}"
        if page.url != tag.url:
            what = f"page {page.number} of the tag {tag.name!r}"
        return Claim(
            what,
            first.source,
            first.line_of("tags"),
            "rename the tag, or change `permalinks: tag` in site.yaml",
        )


EARLIER_EDITIONS = 6  # earlier editions the front page shows after the latest
EARLIER_HEADLINES = 3  # of each, its top stories


@dataclass(frozen=True)
class EditionDigest:
    """One edition as a digest: its lead story, then its other stories grouped into the
    `sections:` of site.yaml (in their order; "" holds the stories no section takes)."""

    edition: Edition
    lead: Article
    sections: tuple[tuple[str, tuple[Article, ...]], ...]


@dataclass(frozen=True)
class Digest(EditionDigest):
    """The front page: the newest edition as a digest, and the top stories of the editions
    before it."""

    earlier: tuple[tuple[Edition, tuple[Article, ...]], ...]


def rank_key(article: Article) -> tuple[int, int, float, str]:
    """Stories first by `priority:` (higher first), then by how many sources reported them,
    then newest first."""
    priority = article.extra_field("priority")
    if not isinstance(priority, int) or isinstance(priority, bool):
        priority = 0
    return (-priority, -len(reporters(article)), -article.date.timestamp(), article.slug)


def edition_digest(view: SiteView, index: int) -> EditionDigest:
    """Edition `index`'s stories ranked, the first as the lead, the rest by section: the
    front page and each edition's page (and its e-mails) show a day the same way."""
    return view.remembered("edition digest", index, lambda: _rank_edition(view, index))


def _rank_edition(view: SiteView, index: int) -> EditionDigest:
    edition = view.site.editions[index]
    lead, *rest = sorted(view.articles(edition.articles), key=rank_key)
    sections: list[tuple[str, tuple[Article, ...]]] = []
    for section in view.site.config.sections:
        wanted = {tag_key(tag) for tag in section.tags}
        stories = tuple(a for a in rest if wanted & {tag_key(tag) for tag in a.tags})
        if stories:
            sections.append((section.title, stories))
            # By identity: comparing articles as values compares their whole bodies.
            taken = {id(story) for story in stories}
            rest = [a for a in rest if id(a) not in taken]
    if rest:
        sections.append(("", tuple(rest)))
    return EditionDigest(edition=edition, lead=lead, sections=tuple(sections))


def digest(view: SiteView) -> Digest | None:
    """The digest of the site's newest edition, or None for an empty site."""
    site = view.site
    if not site.editions:
        return None
    latest, *earlier = site.editions[: EARLIER_EDITIONS + 1]
    day = edition_digest(view, 0)
    return Digest(
        edition=day.edition,
        lead=day.lead,
        sections=day.sections,
        earlier=tuple(
            (
                edition,
                tuple(sorted(view.articles(edition.articles), key=rank_key)[:EARLIER_HEADLINES]),
            )
            for edition in earlier
        ),
    )


def page_count_of(site: Site, total: int) -> int:
    """Listing pages for `total` articles under the site's `per_page`."""
    return listing_page_count(total, site.config.per_page)


FRONT_PAGE = FrontPage()
TAG_INDEX = TagIndex()
TAG_PAGE = TagPage()
