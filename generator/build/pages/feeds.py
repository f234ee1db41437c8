"""Site-wide and per-tag Atom and RSS feeds, written with feedgen.

Dates come from the content, never from the clock, and entries are appended in our own
order (feedgen prepends by default), so the same site always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape, unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import jinja2
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree  # feedgen's own XML library

from ...core.text import xml_safe
from ...core.urls import FRONT_PAGE_URL, feed_url, to_uri
from ..article import Article
from ..config import SiteConfig
from ..i18n import DateText, Label, label, languages_of
from ..images import absolute_image, guessed_type
from ..site import Site
from .kind import FEED_TYPES, SITE_WIDE, Claim, Page, PageKind, Plan, SiteView

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


_ATOM = "http://www.w3.org/2005/Atom"
# href and src attributes in sanitised HTML (nh3 writes every attribute in double quotes).
_LINK_ATTRIBUTE = re.compile(r'(<[a-zA-Z][^>]*?\s(?:href|src)=")([^"]*)(")')


def absolute_links(html: str, base: str) -> str:
    """Entry content with relative links and images made absolute against the article's
    URI: feed readers show content away from the site, where `/2025/x/` and `img.png` lead
    nowhere."""

    def absolute(match: re.Match[str]) -> str:
        value = unescape(match.group(2))
        if not value or value.startswith("#") or urlsplit(value).scheme:
            return match.group(0)
        joined = escape(to_uri(urljoin(base, value)), quote=True)
        return f"{match.group(1)}{joined}{match.group(3)}"

    return _LINK_ATTRIBUTE.sub(absolute, html)


class _WebSubHub(BaseExtension):
    """The WebSub hub link feedgen has no field for: `<link rel="hub">` in Atom and
    `<atom:link rel="hub">` in RSS, before the entries."""

    def __init__(self) -> None:
        self.hub = ""

    def _add(self, parent: Any, tag: str) -> None:
        if self.hub:
            link = etree.SubElement(parent, tag, rel="hub", href=self.hub)
            first_entry = next(
                (i for i, child in enumerate(parent) if child.tag in {"item", "entry"}),
                len(parent) - 1,
            )
            parent.insert(first_entry, link)

    def extend_atom(self, feed: Any) -> Any:
        self._add(feed, "link")  # feedgen's Atom elements are unqualified, under xmlns=Atom
        return feed

    def extend_rss(self, feed: Any) -> Any:
        self._add(feed[0], f"{{{_ATOM}}}link")  # into <channel>, as atom:link
        return feed


_HISTORY = "http://purl.org/syndication/history/1.0"


@dataclass(frozen=True)
class History:
    """RFC 5005 archive links of an Atom feed, so a reader can page back through the whole
    archive: the subscription feed names the newest month's archive; each archive names the
    subscription feed and its neighbours (site paths)."""

    current: str
    prev_archive: str | None = None
    next_archive: str | None = None
    archive: bool = False  # this document is an archive (`<fh:archive/>`)


class _ArchiveLinks(BaseExtension):
    """Writes a History into an Atom feed (feedgen knows none of these link relations)."""

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []
        self.archive = False

    def extend_ns(self) -> dict[str, str]:
        return {"fh": _HISTORY} if self.archive else {}

    def extend_atom(self, feed: Any) -> Any:
        first_entry = next((i for i, child in enumerate(feed) if child.tag == "entry"), len(feed))
        elements = [
            feed.makeelement("link", {"rel": rel, "href": href}) for rel, href in self.links
        ]
        if self.archive:
            elements.insert(0, feed.makeelement(f"{{{_HISTORY}}}archive", {}))
        for offset, element in enumerate(elements):
            feed.insert(first_entry + offset, element)
        return feed


class _Provenance(BaseEntryExtension):
    """Where a digest entry was first reported: RSS `<source url="...">Publisher</source>`,
    Atom `<link rel="via">`. (feedgen's own `source()` writes an Atom `<source>`, which
    claims the entry was copied from that page's feed, and its entry links lose their `rel`.)"""

    def __init__(self) -> None:
        self.url = ""
        self.name = ""

    def extend_rss(self, item: Any) -> Any:
        if self.url:
            source = etree.SubElement(item, "source", url=self.url)
            source.text = self.name or self.url
        return item

    def extend_atom(self, entry: Any) -> Any:
        if self.url:
            etree.SubElement(entry, "link", rel="via", href=self.url)
        return entry


_MEDIA = "http://search.yahoo.com/mrss/"


class _MediaNamespace(BaseExtension):
    """Declares Media RSS's `media:` prefix on the feed, for _LeadImage's remote images."""

    def extend_ns(self) -> dict[str, str]:
        return {"media": _MEDIA}


class _LeadImage(BaseEntryExtension):
    """The entry's lead image. A local file is an enclosure in both formats (RSS requires
    its length and type, which only a local file gives); another site's image is an Atom
    enclosure link without length, and in RSS Media RSS's `media:content`. (feedgen's own
    entry links lose their `rel`, `type` and `length` when written as Atom, so an enclosure
    became a second `alternate` link.)"""

    def __init__(self) -> None:
        self.url = ""
        self.media_type = ""
        self.length = 0
        self.size = (0, 0)

    def _attributes(self, names: Sequence[str], values: Sequence[object]) -> dict[str, str]:
        return {name: str(value) for name, value in zip(names, values, strict=True) if value}

    def extend_atom(self, entry: Any) -> Any:
        names, values = ("rel", "href", "type", "length"), ("enclosure", self.url)
        etree.SubElement(
            entry, "link", self._attributes(names, (*values, self.media_type, self.length))
        )
        return entry

    def extend_rss(self, item: Any) -> Any:
        if self.length:
            names = ("url", "length", "type")
            etree.SubElement(
                item, "enclosure", self._attributes(names, (self.url, self.length, self.media_type))
            )
        else:
            names = ("url", "medium", "type", "width", "height")
            values = (self.url, "image", self.media_type, *self.size)
            etree.SubElement(item, f"{{{_MEDIA}}}content", self._attributes(names, values))
        return item


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed in any format: an article, or a whole edition."""

    url: str  # site path of the page the entry stands for
    title: str
    published: dt.datetime
    updated: dt.datetime
    summary: str
    content_html: str  # links may be relative: each format makes them absolute
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    original_url: str = ""  # the report a digest entry was cleaned from
    publisher: str = ""
    image: str = ""  # a site path or another site's URL (see images.py)
    image_type: str = ""  # of a local image: its media type, bytes and pixels
    image_length: int = 0
    image_width: int = 0
    image_height: int = 0
    image_alt: str = ""
    lang: str = ""
    id: str = ""  # a permanent id (`urn:uuid:...`); without one, the page's absolute URI


# A permanent id is a URI (RFC 4287): `urn:uuid:...`, `tag:...`, `https://...`.
_PERMANENT_ID = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[!#-~]+")


def permanent_id(article: Article) -> str:
    """The article's `id:` if it is a URI (what `new` and `import` write), else "": feeds
    then use the URL, which a later headline correction must not change."""
    value = article.extra_field("id")
    return value if isinstance(value, str) and _PERMANENT_ID.fullmatch(value) else ""


def entry_of(article: Article) -> FeedEntry:
    """An article as a feed entry: by its authors, else the publisher that reported it."""
    return FeedEntry(
        url=article.url,
        title=article.title,
        published=article.date,
        updated=article.last_modified,
        summary=article.summary or article.title,
        content_html=article.body_html,
        authors=article.authors or ((article.publisher,) if article.publisher else ()),
        tags=article.tags,
        original_url=article.original_url,
        publisher=article.publisher,
        lang=article.lang,
        id=permanent_id(article),
        **image_of(article),
    )


def image_of(article: Article) -> dict[str, Any]:
    """An article's lead image as FeedEntry fields."""
    return {
        "image": article.image,
        "image_type": article.image_type,
        "image_length": article.image_length,
        "image_width": article.image_width,
        "image_height": article.image_height,
        "image_alt": article.image_alt,
    }


def render_feed(
    config: SiteConfig,
    kind: str,
    base: str,
    title: str,
    description: str,
    entries: Sequence[FeedEntry],
    history: History | None = None,
    home: str | None = None,
) -> bytes:
    """One Atom (`kind="atom"`) or RSS 2.0 feed of the given entries, newest first; `home`
    is the page it follows (default: `base`, where it sits)."""
    self_url = config.absolute_uri(feed_url(base, kind))
    from feedgen.feed import FeedGenerator  # imported on first use: most rebuilds need no feed

    generator = FeedGenerator()
    generator.register_extension("websub", _WebSubHub, None, atom=True, rss=True)
    generator.websub.hub = to_uri(config.websub_hub)
    if history is not None and kind == "atom":
        generator.register_extension("history", _ArchiveLinks, None, atom=True, rss=False)
        generator.history.archive = history.archive
        generator.history.links = [
            (rel, config.absolute_uri(path))
            for rel, path in (
                ("current", history.current if history.archive else None),
                ("prev-archive", history.prev_archive),
                ("next-archive", history.next_archive),
            )
            if path is not None
        ]
    if kind == "rss":
        generator.load_extension("dc", atom=False, rss=True)
        if any(entry.image and not entry.image_length for entry in entries):
            generator.register_extension("media", _MediaNamespace, None, atom=False, rss=True)
    generator.id(self_url)
    generator.title(xml_safe(title))
    generator.subtitle(xml_safe(description or title))
    generator.description(xml_safe(description or title))
    # feedgen makes the *last* link RSS's <channel><link>, which must be the web page.
    generator.link(href=self_url, rel="self", type=FEED_TYPES[kind][0])
    generator.link(href=config.absolute_uri(home or base), rel="alternate", type="text/html")
    generator.language(config.language)
    generator.author({"name": xml_safe(config.author or config.title)})
    generator.generator("newsdigest")
    # The feed's date is its newest entry's, never the clock's; an empty feed gets the epoch.
    newest = max((entry.updated for entry in entries), default=_EPOCH)
    generator.updated(newest)
    generator.lastBuildDate(newest)
    for entry in entries:
        _add_entry(generator, config, kind, entry)
    return generator.atom_str(pretty=True) if kind == "atom" else generator.rss_str(pretty=True)


def _add_entry(generator: Any, config: SiteConfig, kind: str, item: FeedEntry) -> None:
    url = config.absolute_uri(item.url)
    entry = generator.add_entry(order="append")
    entry.register_extension("provenance", _Provenance, atom=True, rss=True)
    entry.id(item.id or url)
    entry.guid(item.id or url, permalink=not item.id)
    entry.title(xml_safe(item.title))
    entry.link(href=url, rel="alternate")
    entry.published(item.published)
    entry.updated(item.updated)
    entry.summary(xml_safe(item.summary))
    entry.content(xml_safe(absolute_links(item.content_html, url)), type="html")
    authors = [xml_safe(name) for name in item.authors]
    for name in authors:
        entry.author({"name": name})
    _add_image(entry, config, item)
    entry.provenance.url = to_uri(item.original_url)
    entry.provenance.name = xml_safe(item.publisher)
    if kind == "rss":
        for name in authors:
            entry.dc.dc_creator(name)
    for tag in item.tags:
        entry.category(term=xml_safe(tag))


def _add_image(entry: Any, config: SiteConfig, item: FeedEntry) -> None:
    if item.image:
        entry.register_extension("lead_image", _LeadImage, atom=True, rss=True)
        entry.lead_image.url = absolute_image(config, item.image)
        entry.lead_image.media_type = item.image_type or guessed_type(item.image)
        entry.lead_image.length = item.image_length
        entry.lead_image.size = (item.image_width, item.image_height)


class Feed(PageKind):
    """The site's feed and each tag's, in one format (Atom or RSS; JSON Feed in jsonfeed.py)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        pages = [
            Page(self.name, feed_url(tag.url, self.name), index=i)
            for i, tag in enumerate(site.tags)
        ]
        pages.append(Page(self.name, feed_url(FRONT_PAGE_URL, self.name)))
        return pages

    def inputs(self, page: Page, view: SiteView) -> FeedInputs:
        """Base URL, title, description, entries and archive links of the feed."""
        site = view.site
        config = site.config
        limit = config.feed_limit
        if page.index == SITE_WIDE:
            history = None
            if self.name == "atom":
                newest = feed_url(site.editions[0].url, "atom") if site.editions else None
                history = History(current=page.url, prev_archive=newest)
            articles = list(site.articles[:limit])
            return FRONT_PAGE_URL, config.title, config.description, articles, history
        tag = site.tags[page.index]
        return (
            tag.url,
            label("%(site)s: %(name)s", site=config.title, name=tag.name),
            label("Articles tagged %(tag)s", tag=tag.name),
            view.articles(tag.articles[:limit]),
            None,
        )

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        base, title, description, articles, history = self.inputs(page, view)
        title, description = feed_texts(environment, config, title, description)
        entries = [entry_of(article) for article in articles]
        return render_feed(config, self.name, base, title, description, entries, history)

    def claim(self, page: Page, site: Site) -> Claim:
        label = FEED_TYPES[self.name][1]
        if page.index == SITE_WIDE:
            return Claim(f"the site's {label} feed")
        tag = site.tags[page.index]
        first = site.articles[tag.articles[0]]
        return Claim(
            f"the {label} feed of the tag {tag.name!r}",
            first.source,
            first.line_of("tags"),
            "rename the tag, or change `permalinks: tag` in site.yaml",
        )


class ArchiveFeed(Feed):
    """One daily edition's articles, all of them, as an RFC 5005 archive document beside
    the edition's page (`/2025/03/06/atom.xml`).

    By day, the digest's own unit, rather than by month: a month of a busy digest is a
    thousand entries with their full text, megabytes a client must fetch whole, and an
    edited article meant rendering all of them again (at 10,000 articles, 130 ms of the
    140 ms its pages took). A day's document stays the size of one edition.
    """

    def __init__(self) -> None:
        super().__init__("archive-atom")

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [
            Page(self.name, feed_url(edition.url, "atom"), index=i)
            for i, edition in enumerate(site.editions)
        ]

    def inputs(self, page: Page, view: SiteView) -> FeedInputs:
        editions = view.site.editions
        edition, i = editions[page.index], page.index
        config = view.site.config
        history = History(
            current=feed_url(FRONT_PAGE_URL, "atom"),
            prev_archive=feed_url(editions[i + 1].url, "atom") if i + 1 < len(editions) else None,
            next_archive=feed_url(editions[i - 1].url, "atom") if i > 0 else None,
            archive=True,
        )
        title = label("%(site)s: %(name)s", site=config.title, name=DateText(edition.day))
        return edition.url, title, title, view.articles(edition.articles), history

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        base, title, description, articles, history = self.inputs(page, view)
        title, description = feed_texts(environment, config, title, description)
        entries = [entry_of(article) for article in articles]
        return render_feed(config, "atom", base, title, description, entries, history)

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim(f"the archive feed of the edition of {site.editions[page.index].day}")


def feed_texts(
    environment: jinja2.Environment, config: SiteConfig, *texts: str | Label
) -> tuple[str, ...]:
    """A feed's title and description in the site's language (a feed has one language)."""
    language = languages_of(environment).of(config.language)
    return tuple(language.text(text) for text in texts)


# (base, title, description, entries, archive links): title and description may be Labels,
# which feed_texts shows in the feed's language.
FeedInputs = tuple[str, str | Label, str | Label, list[Article], History | None]
FEEDS = (Feed("atom"), Feed("rss"))
ARCHIVE_FEED = ArchiveFeed()
