"""Article pages: one per article, linking to the newer and the older one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..article import Article
from ..config import SiteConfig
from ..site import Site
from .kind import Claim, HtmlKind, Page, Plan, SiteView


class ArticlePage(HtmlKind):
    name = "article"
    templates = ("article.html",)

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return Page.each(self.name, [article.url for article in site.articles])

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        articles = view.site.articles
        index = page.index
        return {
            "article": articles[index],
            "newer": articles[index - 1] if index > 0 else None,
            "older": articles[index + 1] if index + 1 < len(articles) else None,
            "translations": view.translations_of(articles[index]),
        }

    def context(self, page: Page, inputs: dict[str, Any], view: SiteView) -> dict[str, Any]:
        article = inputs["article"]
        return {"article_tags": view.tags_of(article), "coverage": coverage(article, view)}

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        article = inputs["article"]
        return {
            "title": article.title,
            "description": article.summary,
            "og_type": "article",
            "lang": article.lang,
        }

    def claim(self, page: Page, site: Site) -> Claim:
        article = site.articles[page.index]
        return Claim(
            article.source,
            article.source,
            article.line_of("slug" if "slug" in dict(article.field_lines) else "title"),
            "give the article a different `slug:`",
        )


@dataclass(frozen=True)
class Report:
    """One source's report of a story, for the article page's Coverage block."""

    publisher: str
    url: str  # the report itself, "" if not known
    date: str  # as the front matter gives it, "" if not known
    source_page: str | None  # the source's page on this site, if the theme makes them


def coverage(article: Article, view: SiteView) -> list[Report]:
    """Every source that reported the story: the article's own first, then the others."""
    found = []
    if article.publisher or article.original_url:
        found.append((article.publisher, article.original_url, ""))
    others = article.extra_field("also_reported_by")
    for other in others if isinstance(others, list) else ():
        if isinstance(other, dict):
            found.append(
                (
                    str(other.get("publisher") or ""),
                    str(other.get("url") or ""),
                    str(other.get("date") or ""),
                )
            )
    return [
        Report(name, url, date, view.source_page(name) if name else None)
        for name, url, date in found
    ]


ARTICLE = ArticlePage()
