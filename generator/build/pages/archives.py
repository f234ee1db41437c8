"""Daily editions and their month and year archives."""

from __future__ import annotations

from typing import Any

from ...core.urls import EMAIL_FILES
from ..config import SiteConfig
from ..i18n import DateText, label, plural_label
from ..site import Site
from .kind import Claim, HtmlKind, Page, Plan, SiteView
from .listings import edition_digest


class EditionPage(HtmlKind):
    """One day's digest: the articles published that day in the site's timezone, its lead
    story first and the others by section, as the front page shows the newest day."""

    name = "edition"
    listed = True
    templates = ("edition.html",)

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, edition.url, index=i) for i, edition in enumerate(site.editions)]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        editions = view.site.editions
        index = page.index
        edition = editions[index]
        return {
            "edition": edition,
            "articles": view.articles(edition.articles),
            "digest": edition_digest(view, index),
            "newer_edition": editions[index - 1] if index > 0 else None,
            "older_edition": editions[index + 1] if index + 1 < len(editions) else None,
        }

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        day = inputs["edition"].day
        return {
            "title": label("Edition of %(day)s", day=day),
            "description": plural_label(
                "%(num)d article published on %(day)s",
                "%(num)d articles published on %(day)s",
                len(inputs["articles"]),
                day=day,
            ),
        }

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim(f"the edition of {site.editions[page.index].day}")


class ArchivePage(HtmlKind):
    """A month or a year: its editions, newest first, each with its articles."""

    listed = True

    def __init__(self, name: str) -> None:
        self.name = name
        self.templates = (f"{name}.html",)

    def _archives(self, site: Site) -> tuple[Any, ...]:
        return site.months if self.name == "month" else site.years

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [
            Page(self.name, archive.url, index=i) for i, archive in enumerate(self._archives(site))
        ]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        site = view.site
        archive = self._archives(site)[page.index]
        editions = [
            (site.editions[i], view.articles(site.editions[i].articles)) for i in archive.editions
        ]
        found: dict[str, Any] = {"archive": archive, "editions": editions}
        if self.name == "year":
            found["months"] = [
                month for month in site.months if month.start.year == archive.start.year
            ]
        return found

    def meta(self, page: Page, inputs: dict[str, Any], config: SiteConfig) -> dict[str, Any]:
        archive = inputs["archive"]
        period = DateText(archive.start, "month" if self.name == "month" else "year")
        return {
            "title": period,
            "description": plural_label(
                "%(num)d article from %(period)s",
                "%(num)d articles from %(period)s",
                archive.article_count,
                period=period,
            ),
        }

    def claim(self, page: Page, site: Site) -> Claim:
        archive = self._archives(site)[page.index]
        shown = f"{archive.start:%Y-%m}" if self.name == "month" else f"{archive.start:%Y}"
        return Claim(f"the {self.name} archive {shown}")


class EditionEmail(EditionPage):
    """A daily edition ready to mail (inline styles, no scripts, absolute links), as HTML
    or as its plain-text part, beside the edition's page. Optional: made only if the theme
    has the template (`email.html`, `email.txt`)."""

    listed = False
    templates = ()

    def __init__(self, part: str) -> None:
        self.part = part
        self.name = f"email-{part}"

    @property
    def template(self) -> str:
        return EMAIL_FILES[self.part]

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        if self.template not in planned.templates:
            return []
        return [
            Page(self.name, f"{edition.url}{EMAIL_FILES[self.part]}", index=i)
            for i, edition in enumerate(site.editions)
        ]

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim(f"the e-mail of the edition of {site.editions[page.index].day}")


EDITION = EditionPage()
EDITION_EMAILS = tuple(EditionEmail(part) for part in EMAIL_FILES)
MONTH = ArchivePage("month")
YEAR = ArchivePage("year")
