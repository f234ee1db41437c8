"""A site in German and Japanese, with a story in two languages, in a real browser: axe-core
finds no violation on its translated pages (the "Also in" links, `lang` on foreign-language
items), and the search script speaks the page's language.

Skipped like tests/test_browser.py when Playwright, Chromium or axe-core is missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hostile.helpers import article, make_site
from test_browser import (  # noqa: F401 - browser and visit are fixtures
    PHONE,
    _axe_script,
    _served,
    axe_violations,
    browser,
    visit,
)

from generator.__main__ import main

STORIES = {
    "a.md": article(
        "title: Fähre fährt wieder\ndate: 2025-12-02T14:05:00+01:00\npublisher: Hafenblatt\n"
        "translation_key: ferry\ntags: [Verkehr]\nalso_reported_by:\n"
        "  - publisher: Küstenfunk\n    url: https://funk.example.net/f\n    date: 2025-12-02",
        "Die Fähre fährt wieder nach Fahrplan.",
    ),
    "b.md": article(
        "title: Ferry runs again\ndate: 2025-12-02T13:00:00+01:00\nlang: en\n"
        "translation_key: ferry\npublisher: Harbour Times\ntags: [Verkehr]",
        "The ferry runs to timetable again.",
    ),
    "c.md": article(
        "title: Brücke gesperrt\ndate: 2025-11-30\npublisher: Küstenfunk\ntags: [Verkehr]",
        "Die Brücke bleibt gesperrt.",
    ),
}
PATHS = {
    "index": "/",
    "article": "/2025/12/02/fähre-fährt-wieder/",
    "translation": "/2025/12/02/ferry-runs-again/",
    "edition": "/2025/12/02/",
    "tag": "/tags/verkehr/",
    "month": "/2025/11/",
    "sources": "/sources/",
    "search": "/search/",
}


@pytest.fixture(scope="module", params=["de", "ja"])
def site_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    language = request.param
    root = make_site(
        tmp_path_factory.mktemp(f"browser-{language}") / "site",
        STORIES,
        f"title: Hafen Digest\nbase_url: https://d.example.org/\nlanguage: {language}\n"
        "timezone: Europe/Berlin\n",
    )
    assert main(["build", "--root", str(root)]) == 0
    with _served(root / "output") as url:
        yield url


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_translated_pages(scheme: str, visit: Any) -> None:  # noqa: F811
    script = _axe_script()
    if script is None:
        pytest.skip("the accessibility tests need axe-playwright-python (it ships axe-core)")
    found: dict[str, list[str]] = {}
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        for kind, path in PATHS.items():
            opened = visit(viewport=viewport, color_scheme=scheme)
            if violations := axe_violations(opened.open(path), script):
                found[f"{kind} {viewport['width']}"] = violations
            assert not opened.problems, opened.problems
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


def test_search_speaks_the_page_language(visit: Any) -> None:  # noqa: F811
    opened = visit()
    browser_page = opened.open("/search/?q=fähre")
    browser_page.wait_for_selector("#search-form[data-ready]")
    status = browser_page.locator("#search-status").inner_text()
    language = browser_page.evaluate("document.documentElement.lang")
    expected = {"de": "1 Artikel zu „fähre“ gefunden.", "ja": "「fähre」に一致する記事：1件"}
    assert status == expected[language]
    browser_page.fill("#search-input", "zzzz")
    browser_page.wait_for_function(
        "document.getElementById('search-status').textContent.includes('zzzz')"
    )
    none = {"de": "Keine Artikel zu „zzzz“ gefunden.", "ja": "「zzzz」に一致する記事はありません。"}
    assert browser_page.locator("#search-status").inner_text() == none[language]
    assert not opened.problems, opened.problems
