"""Article pages: one per article, linking to the newer and the older one."""

from __future__ import annotations

from typing import Any

from ..config import SiteConfig
from ..site import Site
from .kind import Claim, HtmlKind, Page, Plan, SiteView


class ArticlePage(HtmlKind):
    name = "article"
    templates = ("article.html",)

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, article.url, index=i) for i, article in enumerate(site.articles)]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        articles = view.site.articles
        index = page.index
        return {
            "article": articles[index],
            "newer": articles[index - 1] if index > 0 else None,
            "older": articles[index + 1] if index + 1 < len(articles) else None,
        }

    def context(self, page: Page, inputs: dict[str, Any], view: SiteView) -> dict[str, Any]:
        return {"article_tags": view.tags_of(inputs["article"])}

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        article = inputs["article"]
        return {"title": article.title, "description": article.summary, "og_type": "article"}

    def claim(self, page: Page, site: Site) -> Claim:
        article = site.articles[page.index]
        return Claim(
            article.source,
            article.source,
            article.line_of("slug" if "slug" in dict(article.field_lines) else "title"),
            "give the article a different `slug:`",
        )


ARTICLE = ArticlePage()
