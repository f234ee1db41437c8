"""Saved HTML pages: trafilatura finds the story, then the text cleaner's rules tidy it.

trafilatura scores best among open extractors, but it keeps some furniture (link boxes,
widgets inside the article element) and drops the time of day and offset from dates, so its
Markdown goes through the same line rules as plain text, and the page's own metadata
(JSON-LD, Open Graph, `<time>`) supplies precise dates and fills what trafilatura left empty.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

from .dates import parse_iso
from .metadata import (
    LeadImage,
    SplitTitle,
    absolute_image,
    author_names,
    lead_image,
    looks_like_domain,
    split_section_prefix,
    split_site_suffix,
    split_tags,
    unique_tags,
)
from .model import BatchContext, Extracted
from .sanitize import page_url, sanitize_markdown
from .textclean import (
    BYLINE,
    DATE,
    FURNITURE,
    INSET,
    LINKS,
    PROSE,
    TABLE,
    TAGS,
    Unit,
    classify,
    clean_text,
    find_dates,
    find_tags,
    is_section_label,
    line_key,
    make_unit,
    mark_link_boxes,
    render_body,
)

_ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "blogposting",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "webpage",
    "report",
}


# How the story is asked of trafilatura (bench/clean_quality.py runs it alone with these too).
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "output_format": "markdown",
    "include_links": True,
    "include_formatting": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "with_metadata": False,
    "deduplicate": False,
}


@dataclass(frozen=True)
class PageMetadata:
    """What the page declares about itself in machine-readable form."""

    title: str | None = None
    title_publisher: str | None = None
    publisher: str | None = None
    date: dt.datetime | dt.date | None = None
    updated: dt.datetime | dt.date | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    author: str | None = None
    authors: tuple[str, ...] = ()
    image: LeadImage | None = None


def clean_html(page: str, context: BatchContext, url: str | None = None) -> Extracted:
    """Clean one HTML page into its story and metadata."""
    try:
        tree = lxml.html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return Extracted(None, None, None, url, (), "")
    declared = read_page_metadata(tree)
    base = url or declared.url
    markdown = trafilatura.extract(page, url=base, **TRAFILATURA_OPTIONS) or ""
    if not all(_is_data_table(table) for table in _TABLE.findall(markdown)):
        # A page laid out in a table: its cells are the story, not a table of it.
        options = {**TRAFILATURA_OPTIONS, "include_tables": False}
        markdown = trafilatura.extract(page, url=base, **options) or ""
    found = trafilatura.extract_metadata(page, default_url=base, extensive=False)
    traf_title = found.title if found else None
    title = declared.title or (split_site_suffix(traf_title).title if traf_title else None)
    sitename = found.sitename if found else None
    # A host name is trafilatura's guess from the URL: the page's title names the site better.
    named = sitename if sitename and not looks_like_domain(sitename) else None
    publisher = declared.publisher or named or declared.title_publisher or sitename
    units = markdown_units(sanitize_markdown(markdown, base))
    body, text_date, text_updated, text_tags = _tidy(units, context, title)
    if _prose_words(units, context) < _FEW_PROSE_WORDS:
        # trafilatura kept a box or two and missed the story (an unusual article markup):
        # the text cleaner reads the whole page, and wins when it finds far more prose.
        second = clean_text(page_text(tree), context).body
        if len(second.split()) >= _SECOND_OPINION_RATIO * max(1, len(body.split())):
            body = second
    if text_date is None or not text_tags:
        # trafilatura drops short date and tag lines; read them from the page itself.
        page_units = [make_unit(text, 0) for text in visible_lines(tree)]
        page_kinds = [classify(unit, BatchContext()) for unit in page_units]
        if text_date is None:
            text_date, text_updated = find_dates(page_units, page_kinds, set())
        text_tags = text_tags or find_tags(page_units)
    date = declared.date or text_date
    traf_tags = tuple(unique_tags(list(found.tags or []))) if found else ()
    tags = declared.tags or traf_tags
    return Extracted(
        title=title,
        date=date,
        publisher=publisher,
        url=declared.url or url,
        tags=tuple(tags or text_tags),
        body=body,
        updated=declared.updated or text_updated,
        author=declared.author or (found.author if found else None),
        authors=declared.authors,
        **_image_fields(declared.image, base),
        lines=frozenset(line_key(unit.text) for unit in units),
    )


_FEW_PROSE_WORDS = 60  # prose words of trafilatura's result below which it may have missed
_SECOND_OPINION_RATIO = 2  # how much longer the text cleaner's story must be to be taken


def _prose_words(units: Sequence[Unit], context: BatchContext) -> int:
    return sum(
        unit.words for unit in units if unit.markdown != TABLE and classify(unit, context) == PROSE
    )


_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe"})
_BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset"}
    | {"figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header"}
    | {"hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul"}
)


def page_text(tree: Any) -> str:
    """The page's visible text, a block a line and table cells split by tabs (as html_text
    and the stdlib flatteners write it), for the text cleaner's second opinion."""
    parts: list[str] = []
    skipping = 0
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _SKIPPED or skipping:
                skipping += 1
                continue
            if tag in _BLOCKS:
                parts.append("\n")
            parts.append(element.text or "")
            continue
        if skipping:
            skipping -= 1
            if skipping:
                continue
        elif tag in _BLOCKS:
            parts.append("\n")
        elif tag in ("td", "th"):
            parts.append("\t")
        parts.append(element.tail or "")
    lines = (
        " ".join(line.split()) if "\t" not in line else line.strip()
        for line in "".join(parts).split("\n")
    )
    return "\n".join(line for line in lines if line)


def _image_fields(declared: LeadImage | None, base: str | None) -> dict[str, str | None]:
    """The lead image as Extracted fields, its URL absolute against the page's: the one
    the import was given, else the one the page declares."""
    image = absolute_image(declared, base, page_url)
    if image is None:
        return {}
    return {
        "image": image.url,
        "image_alt": image.alt,
        "image_caption": image.caption,
        "image_credit": image.credit,
    }


_TABLE = re.compile(r"(?:^[ \t]*\|.*(?:\n|$))+", re.MULTILINE)
_TABLE_CELL_WORDS = 30  # a data table's cells are short; a layout table holds paragraphs


def _is_data_table(table: str) -> bool:
    """Rows of short cells (results, prices, timetables), not a page's layout grid."""
    rows = [row for row in table.splitlines() if row.strip() and "---" not in row]
    cells = [cell for row in rows for cell in row.split("|")]
    return len(rows) >= 2 and all(len(cell.split()) <= _TABLE_CELL_WORDS for cell in cells)


_SHORT_BLOCKS = ("p", "span", "div", "li", "time", "i", "em", "small", "dd", "td", "header")


# Containers whose dates and tags are other people's: reader comments, teaser boxes, footers.
_NOT_THE_STORY = re.compile(
    r"comment|respond|reply|disqus|discussion|related|teaser|recommend|sidebar|footer|"
    r"most-read|popular|trending|newsletter",
    re.IGNORECASE,
)
_NOT_THE_STORY_TAGS = frozenset({"aside", "footer", "nav"})


def _outside_furniture(tree: Any) -> Iterator[Any]:
    """The page's elements in document order, skipping whole comment and teaser containers."""
    stack = [tree]
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str):
            continue
        marks = f"{element.get('class') or ''} {element.get('id') or ''}"
        if element.tag in _NOT_THE_STORY_TAGS or _NOT_THE_STORY.search(marks):
            continue
        yield element
        stack.extend(reversed(element))


def visible_lines(tree: Any) -> list[str]:
    """Short texts of the page's elements, in document order: where date and tag lines live.

    A comment's time stamp is no date of the story: comment, teaser and footer containers
    are skipped, so a page that shows no date of its own gets none.
    """
    lines: list[str] = []
    wanted = frozenset(_SHORT_BLOCKS)
    for element in _outside_furniture(tree):
        if element.tag not in wanted:
            continue
        text = " ".join(element.text_content().split())
        if 0 < len(text) <= 160 and (not lines or lines[-1] != text):
            lines.append(text)
    return lines


def markdown_units(markdown: str) -> list[Unit]:
    """Blocks of trafilatura's Markdown as units, keeping heading and quote markers.

    A table (its rows start with `|`) is one unit whose text is the table itself: it is
    measured by its cells' words and rendered back whole.
    """
    units: list[Unit] = []
    rows: list[str] = []
    for number, line in enumerate([*markdown.splitlines(), ""], start=1):
        stripped = line.strip()
        if stripped.startswith("|"):
            rows.append(stripped)
            continue
        if rows:
            cells = " ".join(cell for row in rows for cell in row.split("|") if "---" not in cell)
            table = make_unit(cells, number - len(rows))
            units.append(replace(table, text="\n".join(rows), markdown=TABLE))
            rows = []
        if not stripped:
            continue
        prefix = ""
        if stripped.startswith("#"):
            hashes = len(stripped) - len(stripped.lstrip("#"))
            prefix, stripped = "#" * min(max(hashes, 2), 4) + " ", stripped.lstrip("# ")
        elif stripped.startswith(">"):
            prefix, stripped = "> ", stripped.lstrip("> ")
        if stripped:
            units.append(make_unit(stripped, number, prefix))
    return units


# Share of trafilatura's words the line rules must keep; below it, its body is kept whole.
_KEEP_SHARE = 0.5


def _tidy(
    units: Sequence[Unit],
    context: BatchContext,
    title: str | None,
) -> tuple[str, dt.datetime | dt.date | None, dt.datetime | dt.date | None, list[str]]:
    """Apply the text rules to trafilatura's blocks; returns body, dates and tags found."""
    kinds = [PROSE if unit.markdown == TABLE else classify(unit, context) for unit in units]
    headline: set[int] = set()
    if title:
        # The headline, often after a kicker or section link.
        first = next((index for index, kind in enumerate(kinds) if kind == PROSE), len(units))
        headline = {
            index for index in range(first) if line_key(units[index].text) == line_key(title)
        }
        for index in headline:
            kinds[index] = FURNITURE
    found = [index for index in range(len(units)) if index not in headline]
    opens = mark_link_boxes(units, kinds)
    barriers = [
        opened
        or kinds[index] == TAGS
        or (
            kinds[index] != PROSE
            and units[index].words <= 5
            and is_section_label(units[index].text)
        )
        for index, opened in enumerate(opens)
    ]
    chosen = _story_segments(kinds, barriers)
    date, updated = find_dates(units, kinds, set(chosen))
    if sum(units[index].words for index in chosen) < _KEEP_SHARE * sum(
        units[index].words for index in found
    ):
        # Our rules would throw away most of what trafilatura found: trust trafilatura.
        kinds = [FURNITURE if index in headline else PROSE for index in range(len(units))]
        chosen = found
    return render_body(units, kinds, chosen, marked_headings=True), date, updated, find_tags(units)


def _story_segments(kinds: Sequence[str], barriers: Sequence[bool]) -> list[int]:
    """Everything trafilatura kept up to the first box or section label, minus furniture;
    later segments only when they are plain prose (the story resuming after a box)."""
    cuts = [index for index, barrier in enumerate(barriers) if barrier]
    bounds = list(zip([0, *cuts], [*cuts, len(kinds)], strict=True))
    segments = [range(first, last) for first, last in bounds]
    prose = [sum(1 for index in segment if kinds[index] == PROSE) for segment in segments]
    main = next((number for number, count in enumerate(prose) if count), None)
    if main is None:
        return []
    dropped = (FURNITURE, DATE, TAGS, BYLINE, LINKS, INSET)
    chosen = [index for index in segments[main] if kinds[index] not in dropped]
    for segment, count in zip(segments[main + 1 :], prose[main + 1 :], strict=True):
        rest = [index for index in segment if kinds[index] != LINKS]
        if count >= 2 and all(kinds[index] not in (FURNITURE, BYLINE, DATE) for index in rest):
            chosen.extend(index for index in rest if kinds[index] not in dropped)
        else:
            break
    return chosen


def read_page_metadata(tree: Any) -> PageMetadata:
    """JSON-LD first (it is the most explicit), then Open Graph and article meta tags."""
    ld = dict(_json_ld_article(tree))
    meta = {}
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().casefold()
        content = (element.get("content") or "").strip()
        if key and content:
            meta.setdefault(key, content)
    tags = [
        element.get("content", "")
        for element in tree.iter("meta")
        if (element.get("property") or "").casefold() == "article:tag"
    ]
    keywords = ld.get("keywords")
    if isinstance(keywords, str):
        tags.extend(split_tags(keywords))
    elif isinstance(keywords, list):
        tags.extend(str(item) for item in keywords)
    if not tags and meta.get("news_keywords"):
        tags = split_tags(meta["news_keywords"])
    title_element = tree.find(".//title")
    title_text = _text(title_element.text_content()) if title_element is not None else None
    page_title = split_site_suffix(title_text) if title_text else None
    publisher = _name(ld.get("publisher")) or _text(meta.get("og:site_name"))
    raw_title = (
        _text(ld.get("headline")) or _text(meta.get("og:title")) or _text(meta.get("twitter:title"))
    )
    title = _headline(tree, raw_title or title_text, publisher, page_title)
    if title is None and raw_title:
        title = split_section_prefix(split_site_suffix(raw_title).title)[1]
    if title is None and page_title:
        title = split_section_prefix(page_title.title)[1]
    published = (
        _text(ld.get("datePublished"))
        or meta.get("article:published_time")
        or meta.get("og:published_time")
        or _first_time(tree)
    )
    modified = _text(ld.get("dateModified")) or meta.get("article:modified_time")
    canonical = next(
        (
            link.get("href")
            for link in tree.iter("link")
            if (link.get("rel") or "").casefold() == "canonical" and link.get("href")
        ),
        None,
    )
    url = _text(ld.get("url")) or meta.get("og:url") or canonical
    return PageMetadata(
        image=lead_image(ld.get("image"), meta),
        authors=author_names(ld.get("author")) or tuple(filter(None, [meta.get("author")])),
        title=title,
        title_publisher=_title_publisher(title_text, title, page_title),
        publisher=publisher,
        date=parse_iso(published) if published else None,
        updated=parse_iso(modified) if modified else None,
        url=page_url(url) if url else None,
        tags=tuple(unique_tags(tags)),
        author=_name(ld.get("author")) or meta.get("author"),
    )


_HEADLINE_LENGTH = 12  # characters: shorter h1 elements are section names or logos


def _headline(
    tree: Any, raw: str | None, publisher: str | None, page_title: SplitTitle | None
) -> str | None:
    """The page's `<h1>` when the declared title contains it: the headline as shown, without
    the kicker, section or site name that titles carry ("Kempten: ... | Tagblatt")."""
    if not raw:
        return None
    wanted = line_key(raw)
    sites = {line_key(name) for name in (publisher, page_title and page_title.publisher) if name}
    shown = [" ".join(element.text_content().split()) for element in tree.iter("h1")]
    matching = [
        text
        for text in shown
        if len(text) >= _HEADLINE_LENGTH
        and line_key(text) in wanted
        and line_key(text) not in sites
        and line_key(text)
    ]
    return max(matching, key=len) if matching else None


def _title_publisher(
    title_text: str | None, title: str | None, page_title: SplitTitle | None
) -> str | None:
    """The site name the `<title>` adds to the headline, after it or before it."""
    if page_title and page_title.publisher:
        return page_title.publisher
    if title_text and title and title_text.endswith(title) and title_text != title:
        prefix = title_text[: -len(title)].strip(" -|:–—·•")
        if prefix and 1 <= len(prefix.split()) <= 5 and not prefix.endswith((".", "?", "!")):
            return prefix
    return None


def _json_ld_article(tree: Any) -> Iterator[tuple[str, Any]]:
    """Fields of the first JSON-LD object whose @type is an article type."""
    for script in tree.iter("script"):
        if (script.get("type") or "").casefold() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, RecursionError):
            continue
        for item in _walk(data):
            kinds = item.get("@type")
            names = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(name, str) and name.casefold() in _ARTICLE_TYPES for name in names):
                yield from item.items()
                return


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        yield from _walk(data.get("@graph", []))


def _text(value: Any) -> str | None:
    """A declared string with entities decoded and spacing collapsed: CMSs put `&#8211;` and
    `&nbsp;` into JSON-LD and meta tags, where nothing decodes them."""
    if not isinstance(value, str):
        return None
    text = " ".join(html.unescape(value).split())
    return text or None


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return _text(value)


def _first_time(tree: Any) -> str | None:
    for element in tree.iter("time"):
        stamp = element.get("datetime") or element.text_content()
        if stamp and stamp.strip():
            return stamp
    return None
