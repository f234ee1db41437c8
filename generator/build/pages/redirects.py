"""Old URLs keep working: a page at each `aliases:` path that sends readers and search engines
to the article's URL (a canonical link, a meta refresh and a plain link, so it works on every
static host), and `_redirects`, which Netlify and Cloudflare Pages turn into real 301s."""

from __future__ import annotations

from html import escape
from typing import Any

import jinja2

from ...core.urls import REDIRECTS, to_uri
from ..config import SiteConfig
from ..i18n import PageLanguage, label, languages_of
from ..site import Site
from .kind import Claim, Page, PageKind, Plan, SiteView


def render_redirect(config: SiteConfig, target: str, title: str, language: PageLanguage) -> bytes:
    """A page that moved: `target` is the article's site path, `language` the article's."""
    url = escape(config.absolute_url(target), quote=True)
    name = escape(title)
    moved = language.text(
        label('This article has moved to <a href="%(url)s">%(title)s</a>.', url=url, title=name)
    )
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language.code, quote=True)}">\n'
        '<head>\n<meta charset="utf-8">\n'
        f"<title>{name}</title>\n"
        f'<link rel="canonical" href="{url}">\n'
        f'<meta http-equiv="refresh" content="0; url={url}">\n'
        '<meta name="robots" content="noindex">\n'
        "</head>\n"
        f"<body>\n<p>{moved}</p>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


class RedirectPage(PageKind):
    name = "redirect"

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        return [Page(self.name, redirect.url, index=i) for i, redirect in enumerate(site.redirects)]

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        redirect = view.site.redirects[page.index]
        return {"article": view.site.articles[redirect.article]}

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        article = self.inputs(page, view)["article"]
        language = languages_of(environment).of(article.lang or config.language)
        return render_redirect(config, article.url, article.title, language)

    def claim(self, page: Page, site: Site) -> Claim:
        article = site.articles[site.redirects[page.index].article]
        return Claim(
            f"an alias of {article.source}",
            article.source,
            article.line_of("aliases"),
            "remove the alias, or change the page that has this URL",
        )


class RedirectRules(PageKind):
    """`_redirects`: one `old new 301` line per alias (sorted, so the bytes are stable)."""

    name = "redirect-rules"

    def plan(self, site: Site, planned: Plan) -> list[Page]:
        # Only with aliases: a site's own static/_redirects is left alone otherwise.
        return [Page(self.name, f"/{REDIRECTS}")] if site.redirects else []

    def inputs(self, page: Page, view: SiteView) -> dict[str, Any]:
        site = view.site
        return {"moves": [(item.url, site.articles[item.article].url) for item in site.redirects]}

    def render(
        self, page: Page, view: SiteView, config: SiteConfig, environment: jinja2.Environment
    ) -> bytes:
        base = config.base_path.rstrip("/")
        moves = self.inputs(page, view)["moves"]
        lines = [f"{to_uri(base + old)} {to_uri(base + new)} 301" for old, new in moves]
        return "".join(f"{line}\n" for line in lines).encode("utf-8")

    def claim(self, page: Page, site: Site) -> Claim:
        return Claim("the redirect rules")


REDIRECT_PAGE = RedirectPage()
REDIRECT_RULES = RedirectRules()
