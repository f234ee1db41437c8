"""Site-wide and per-tag Atom and RSS feeds, written with feedgen.

Dates come from the content, never from the clock, and entries are appended in our own
order (feedgen prepends by default), so the same site always gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from feedgen.feed import FeedGenerator

from .content import Article
from .render import OutputFile
from .site import Site
from .urls import output_path_for

# XML 1.0 forbids C0 controls (but tab, LF, CR), lone surrogates and U+FFFE/U+FFFF.
_NOT_XML_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Remove characters XML cannot carry, which would make the whole feed unreadable."""
    return _NOT_XML_CHARACTER.sub("", text)


def render_feeds(site: Site) -> list[OutputFile]:
    """Atom and RSS for the whole site and for every tag."""
    limit = site.config.feed_limit
    files = _feed_pair(site, "/", site.config.title, site.config.description, site.articles[:limit])
    for tag in site.tags:
        articles = [site.articles[i] for i in tag.articles[:limit]]
        title = f"{site.config.title}: {tag.name}"
        files += _feed_pair(site, tag.url, title, f"Articles tagged {tag.name}", articles)
    return files


def _feed_pair(
    site: Site, base: str, title: str, description: str, articles: Sequence[Article]
) -> list[OutputFile]:
    config = site.config
    files = []
    for kind, name in (("atom", "atom.xml"), ("rss", "rss.xml")):
        feed_url = config.absolute_url(base + name)
        generator = FeedGenerator()
        generator.id(feed_url)
        generator.title(xml_safe(title))
        generator.subtitle(xml_safe(description or title))
        generator.description(xml_safe(description or title))
        generator.link(href=config.absolute_url(base), rel="alternate")
        generator.link(href=feed_url, rel="self")
        generator.language(config.language)
        generator.author({"name": xml_safe(config.author or config.title)})
        generator.generator("newsdigest")
        newest = max((article.last_modified for article in articles), default=None)
        if newest is not None:
            generator.updated(newest)
            generator.lastBuildDate(newest)
        else:
            # An empty feed still needs a date; the Unix epoch is honest and stable.
            generator.updated("1970-01-01T00:00:00+00:00")
            generator.lastBuildDate("1970-01-01T00:00:00+00:00")
        for article in articles:
            _add_entry(generator, site, article)
        data = generator.atom_str(pretty=True) if kind == "atom" else generator.rss_str(pretty=True)
        path = output_path_for(base + name)
        assert path is not None, base  # tag URLs were checked by assemble_site
        files.append(OutputFile(PurePosixPath(path), data))
    return files


def _add_entry(generator: FeedGenerator, site: Site, article: Article) -> None:
    config = site.config
    url = config.absolute_url(article.url)
    entry = generator.add_entry(order="append")
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(xml_safe(article.title))
    entry.link(href=url, rel="alternate")
    entry.published(article.date)
    entry.updated(article.last_modified)
    entry.summary(xml_safe(article.summary) or xml_safe(article.title))
    entry.content(xml_safe(article.body_html), type="html")
    for name in article.authors or ((article.publisher,) if article.publisher else ()):
        entry.author({"name": xml_safe(name)})
    for tag in article.tags:
        entry.category(term=xml_safe(tag))
