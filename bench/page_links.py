"""What every HTML page pays for the site's links in its language: SiteView.site_links (made
once per language and kept) against making and translating them for each page, as a page
would without the SiteView's copy. Both measured in the same run; the ratio is the claim.

    PYTHONPATH=. python bench/page_links.py [--language de] [--pages 50000]
"""

from __future__ import annotations

import argparse
import dataclasses
import timeit
from pathlib import Path
from types import SimpleNamespace

from generator.build.i18n import Catalogues, Languages
from generator.build.pages.kind import Plan, SiteView, shown_feeds, site_feed_links, site_links

TRANSLATIONS = Path(__file__).resolve().parent.parent / "themes" / "default" / "translations"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--language", default="de")
    parser.add_argument("--pages", type=int, default=50_000)
    args = parser.parse_args()
    language = Languages(Catalogues([TRANSLATIONS])).of(args.language)
    config = SimpleNamespace(title="Hafen Digest", permalinks={"tag": "/tags/{slug}/"})
    templates = frozenset({"search.html", "sources.html", "source.html"})
    view = SiteView(SimpleNamespace(tags=[], config=config), Plan(templates, 50_000))  # type: ignore[arg-type]

    def kept() -> object:
        return view.site_links(config, language), shown_feeds(site_feed_links(config), language)  # type: ignore[arg-type]

    def per_page() -> object:
        links = site_links(config, templates)  # type: ignore[arg-type]
        shown = dataclasses.replace(
            links,
            feeds=shown_feeds(links.feeds, language),
            editions=shown_feeds(links.editions, language),
        )
        return shown, shown_feeds(site_feed_links(config), language)  # type: ignore[arg-type]

    if kept() != per_page():
        raise SystemExit("the kept links differ from those made per page")
    results = {}
    for name, function in (("per page", per_page), ("kept", kept)):
        best = min(timeit.repeat(function, number=args.pages, repeat=5))
        results[name] = best / args.pages * 1e6
        print(f"{name:>8}: {results[name]:.2f} us a page")
    print(f"kept / per page: {results['kept'] / results['per page']:.2f}")


if __name__ == "__main__":
    main()
