"""The page kinds, in plan order: every file a site has besides its static files.

Each kind is one module (plan -> inputs -> render); this registry is the only list of them.
A new kind is one module, one line here and its template. Kinds are listed in the order
their plans depend on (the sitemaps list the pages planned before them), which is also the
order the process pool takes pages in: files made from much of the site (feeds, search
parts, listings) first and article pages last, since each worker reads the articles of a
run of article pages, which lie together in memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from typing import NamedTuple

import jinja2

from ...core.errors import Diagnostics
from ...core.urls import is_data_part_url
from ..article import Article
from ..cache import PrintIndex
from ..config import SiteConfig
from ..incremental import Fingerprints
from ..site import Site
from .archives import EDITION, EDITION_EMAILS, MONTH, YEAR
from .articles import ARTICLE
from .editionfeeds import EDITION_FEEDS
from .feeds import ARCHIVE_FEED, FEEDS
from .jsonfeed import JSON_FEED
from .kind import HtmlKind, Page, PageKind, Plan, SiteView
from .listings import FRONT_PAGE, TAG_INDEX, TAG_PAGE
from .notfound import NOT_FOUND
from .opml import SOURCES_OPML
from .redirects import REDIRECT_PAGE, REDIRECT_RULES
from .search import SEARCH_INDEX_FILE, SEARCH_PAGE, SEARCH_PARTS
from .sitemap import (
    ARTICLE_SITEMAP,
    NEWS_SITEMAP_FILE,
    PAGE_SITEMAP,
    ROBOTS_FILE,
    SITEMAP_INDEX,
    URL_LIMIT,
)
from .sources import SOURCE_FEEDS, SOURCE_INDEX, SOURCE_PAGE

KINDS: tuple[PageKind, ...] = (
    *FEEDS,
    JSON_FEED,
    ARCHIVE_FEED,
    *EDITION_FEEDS,
    NOT_FOUND,
    ROBOTS_FILE,
    NEWS_SITEMAP_FILE,
    REDIRECT_RULES,
    SEARCH_INDEX_FILE,
    SEARCH_PARTS,
    FRONT_PAGE,
    TAG_INDEX,
    TAG_PAGE,
    EDITION,
    *EDITION_EMAILS,
    MONTH,
    YEAR,
    SEARCH_PAGE,
    SOURCE_INDEX,
    SOURCE_PAGE,
    *SOURCE_FEEDS,
    SOURCES_OPML,
    REDIRECT_PAGE,
    PAGE_SITEMAP,
    ARTICLE_SITEMAP,
    SITEMAP_INDEX,
    ARTICLE,
)
KIND_NAMED = {kind.name: kind for kind in KINDS}
# The templates every theme must have; without an optional one, its pages are not made.
REQUIRED_TEMPLATES = tuple(sorted({name for kind in KINDS for name in kind.templates}))
OPTIONAL_TEMPLATES = frozenset(
    kind.template for kind in KINDS if isinstance(kind, HtmlKind) and not kind.templates
)

__all__ = [
    "KINDS",
    "REQUIRED_TEMPLATES",
    "Page",
    "Plan",
    "SiteView",
    "check_claims",
    "inputs_text",
    "plan_pages",
    "render_page",
]


def plan_pages(
    site: Site,
    *,
    templates: frozenset[str] = OPTIONAL_TEMPLATES,
    sitemap_limit: int = URL_LIMIT,
    problems: Diagnostics | None = None,
    claims: bool = True,
) -> Plan:
    """Every page, feed and data file of the site, in plan order. Kinds whose template is
    optional (search, sources) are planned only if `templates` has it.

    With `claims`, every URL (or file name) two pages would share is reported naming both
    claimants (see check_claims): added to `problems` if given (the caller raises them with
    the site's), else raised here. A build leaves them out when it knows the plan checked.
    """
    plan = Plan(templates=templates, sitemap_limit=sitemap_limit)
    for kind in KINDS:
        pages = list(kind.plan(site, plan))
        plan.pages.extend(pages)
        if kind.listed:
            plan.listed.extend(page.url for page in pages)
    if claims:
        found = Diagnostics() if problems is None else problems
        check_claims(site, plan.pages, found)
        if problems is None:
            found.raise_if_any()
    return plan


def inputs_text(view: SiteView, page: Page) -> str:
    """The text a page's fingerprint hashes for its inputs."""
    return view.key(KIND_NAMED[page.kind].inputs(page, view))


def site_shape(key: str, articles: Sequence[Article], pages: Sequence[Page]) -> str:
    """A hash of the site's shape (see page_prints): the global key (configuration and
    templates), each article's shape (article.shape_of)
    and what the site resolved of it (URL, image facts), in site order, and the planned
    pages. Two builds of one shape have the same pages showing the same articles in the
    same places; only the articles' contents can differ."""
    hasher = hashlib.blake2b(key.encode(), digest_size=20)
    hasher.update(
        "\0".join(
            f"{a.source}\1{a.shape}\1{a.url}\1{a.image_width},{a.image_height},{a.image_length},"
            f"{a.image_type}"
            for a in articles
        ).encode("utf-8", "surrogatepass")
    )
    hasher.update(b"\0\0")
    hasher.update(
        "\0".join(f"{page.kind}\1{page.url}\1{page.number}" for page in pages).encode(
            "utf-8", "surrogatepass"
        )
    )
    return hasher.hexdigest()


class PagePrints(NamedTuple):
    """What page_prints found: the data print of every planned page, in plan order; the
    index for the next build; and which pages were fingerprinted again (None: all of them),
    the others keeping the prints of the build that made `last`."""

    prints: list[bytes]
    index: PrintIndex
    refreshed: frozenset[int] | None


def page_prints(
    view: SiteView, prints: Fingerprints, shape: str, last: PrintIndex | None
) -> PagePrints:
    """The data print of every planned page, and the index that lets the next build of the
    same shape fingerprint only the pages of the articles it finds changed.

    With `last` made for this shape, the pages showing an article whose digest differs from
    last time are fingerprinted again, the others keep their prints; otherwise every page
    is, noting which articles each one's inputs hold.
    """
    pages = view.plan.pages
    articles = view.site.articles
    digests = tuple(article.digest for article in articles)

    def data_print(page: Page, text: str) -> bytes:
        return prints.data_print(page.kind, page.url, page.number, text)

    if last is not None and last.fits(shape, len(articles), len(pages)):
        found = list(last.prints)
        changed = (
            i for i, (now, was) in enumerate(zip(digests, last.digests, strict=True)) if now != was
        )
        refreshed = frozenset(page for i in changed for page in last.pages_of(i))
        for number in sorted(refreshed):
            found[number] = data_print(pages[number], inputs_text(view, pages[number]))
        index = dataclasses.replace(last, digests=digests, prints=tuple(found), build_key="")
        return PagePrints(found, index, refreshed)
    position = {id(article): i for i, article in enumerate(articles)}
    showing: list[list[int]] = [[] for _ in articles]
    found = []
    for number, page in enumerate(pages):
        text, references = view.key_and_references(KIND_NAMED[page.kind].inputs(page, view))
        found.append(data_print(page, text))
        for i in {position[r] for r in references if r in position}:
            showing[i].append(number)
    return PagePrints(found, PrintIndex.made(shape, digests, tuple(found), showing), None)


def check_claims(site: Site, pages: Sequence[Page], problems: Diagnostics) -> None:
    """No two pages may be one file, and no page's file may be another's folder."""
    owner: dict[str, Page] = {}
    shared: set[str] = set()
    for page in pages:
        earlier = owner.setdefault(page.path, page)
        if earlier is not page:
            shared.add(page.path)
            _report(site, page, earlier, False, problems)
    blocked: set[str] = set()
    for page in pages:
        folder = page.path.rpartition("/")[0]
        while folder:
            shadowed = owner.get(folder)
            if shadowed is not None:
                if folder not in blocked:  # once a file, not once for each page under it
                    blocked.add(folder)
                    _report(site, page, shadowed, True, problems)
                break
            folder = folder.rpartition("/")[0]
    for page in pages:
        # Reserved even where no part has the name yet: a new month would silently take it.
        if page.kind == ARTICLE.name and is_data_part_url(page.url) and page.path not in shared:
            claim = ARTICLE.claim(page, site)
            reserved = "a name reserved for the parts of the search index and the sitemap"
            problems.add(claim.source, claim.line, f"URL {page.url} is also {reserved}", claim.fix)


def _report(site: Site, page: Page, other: Page, folder: bool, problems: Diagnostics) -> None:
    """Report two pages that cannot both exist: one file (`folder` False), or `page` inside
    a folder named like `other`'s file. Blame the claimant a user can change (an article or
    a tag), `page` if both can."""
    claim = KIND_NAMED[page.kind].claim(page, site)
    rival = KIND_NAMED[other.kind].claim(other, site)
    if folder:
        text = f"URL {page.url} needs a folder where {rival.name} is a file ({other.url})"
    blamed_page, other_page = page, other
    if claim.source is None and rival.source is not None:
        claim, rival, blamed_page, other_page = rival, claim, other, page
    if not folder:
        verb = "already used by" if other_page.kind == ARTICLE.name else "also"
        text = f"URL {blamed_page.url} is {verb} {rival.name}"
    if claim.source is None:  # two pages every site has: only the permalinks can part them
        config = site.config
        fix = "change the permalinks in site.yaml"
        problems.add(config.config_path, config.line_of("permalinks"), text, fix)
        return
    both_articles = page.kind == other.kind == ARTICLE.name
    fix = "give one of the articles a different `slug:`" if both_articles else claim.fix
    problems.add(claim.source, claim.line, text, fix)


def render_page(
    view: SiteView, config: SiteConfig, environment: jinja2.Environment, page: Page
) -> bytes:
    """The bytes of one planned page (`config` may note the settings read)."""
    return KIND_NAMED[page.kind].render(page, view, config, environment)
