"""`/sources/opml.xml`: every source's feeds as an OPML 2.0 reading list, which feed readers
import in one step. Each source is an outline holding its feed on this site and, where an
article names it (`publisher_feed:`), the publisher's own feed.

Made only where the sources' pages and feeds are (the theme has source.html).
"""

from __future__ import annotations

import jinja2

from ...core.text import xml_safe
from ...core.urls import SOURCES_OPML_URL, content_url_problem, feed_url, slugify, to_uri
from ..article import PUBLISHER_FEED
from ..config import SiteConfig
from ..i18n import label, languages_of
from ..site import Site
from .kind import Claim, Page, PageKind, Plan, SiteView

OPML_SPEC = "http://opml.org/spec2.opml"


def publisher_feed(view: SiteView, index: int) -> str:
    """The publisher's own feed of source `index`: the first `publisher_feed:` that one of
    its own articles names (newest first), "" if none does."""
    source = view.site.publishers[index]
    for article in view.articles(source.articles):
        url = article.extra_field(PUBLISHER_FEED)
        if (  # the field first: most articles have none, and slugify is 5 us an article
            isinstance(url, str)
            and slugify(article.publisher) == source.slug
            and content_url_problem(url, absolute=True) is None
        ):
            return url
    return ""


class SourcesOpml(PageKind):
    """The sources' feeds as OPML."""

    name = "sources-opml"

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, SOURCES_OPML_URL)] if "source.html" in planned.templates else []

    def inputs(self, page: Page, view: SiteView) -> list[tuple[str, str, str]]:
        return [
            (source.name, source.url, publisher_feed(view, index))
            for index, source in enumerate(view.site.publishers)
        ]

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        # Here, not with the module: xml.sax.saxutils imports urllib.request (http, ssl,
        # email), 18 ms of every build that renders, and the list is rendered only when a
        # source comes or goes.
        from xml.sax.saxutils import escape, quoteattr

        def attribute(text: str) -> str:
            return quoteattr(xml_safe(text))

        language = languages_of(environment).of(config.language)
        title = language.text(label("%(site)s: sources", site=config.title))

        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<opml version="2.0">',
            "  <head>",
            f"    <title>{escape(xml_safe(title))}</title>",
            f"    <docs>{OPML_SPEC}</docs>",
            "  </head>",
            "  <body>",
        ]
        for name, url, own_feed in self.inputs(page, view):
            lines.append(f"    <outline text={attribute(name)} title={attribute(name)}>")
            ours = language.text(label("%(source)s on %(site)s", source=name, site=config.title))
            lines.append(
                f'      <outline type="rss" text={attribute(ours)}'
                f" xmlUrl={attribute(config.absolute_uri(feed_url(url, 'atom')))}"
                f" htmlUrl={attribute(config.absolute_uri(url))}/>"
            )
            if own_feed:
                lines.append(
                    f'      <outline type="rss" text={attribute(name)}'
                    f" xmlUrl={attribute(to_uri(own_feed))}/>"
                )
            lines.append("    </outline>")
        lines += ["  </body>", "</opml>", ""]
        return "\n".join(lines).encode("utf-8")

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("the OPML file of the sources")


SOURCES_OPML = SourcesOpml()
