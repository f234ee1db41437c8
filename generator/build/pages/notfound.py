"""The 404 page static hosts serve for a missing URL."""

from __future__ import annotations

from typing import Any

from ...core.urls import NOT_FOUND_URL
from ..config import SiteConfig
from ..i18n import label
from ..site import Site
from .kind import Claim, HtmlKind, Page, Plan, SiteView


class NotFoundPage(HtmlKind):
    name = "404"
    templates = ("404.html",)

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, NOT_FOUND_URL)]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        return {}

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        return {"title": label("Page not found")}

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("the 404 page")


NOT_FOUND = NotFoundPage()
