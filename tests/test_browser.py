"""The example site in a real browser: headless Chromium (Debian's package) driven by Playwright.

Pages load with no console errors and no failed requests, fit a 390 px phone screen, search
finds articles, and the theme follows the reader's light/dark preference. The site is served
from 127.0.0.1 by a plain static server, as any static host would; every request elsewhere is
refused and counted as a failure.

Skipped, with the reason, when Playwright or Chromium is missing: install them with
`pip install playwright` and `apt-get install chromium` (never `playwright install`).
Screenshots of every page kind, to judge the look: `python docs/screenshots.py`.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_example_site, parse_html

from generator.__main__ import main

CHROMIUM = os.environ.get("NEWSDIGEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    """A built site on a static server at 127.0.0.1 (a free port)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site_url(example_output: Path) -> Iterator[str]:
    """The built example site, served."""
    with _served(example_output) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if sync_playwright is None:
        pytest.skip("browser tests need Playwright for Python: pip install playwright")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium "
            "(or set NEWSDIGEST_CHROMIUM to its path)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


class Visit:
    """One page in a fresh context, with every console error and failed request recorded."""

    def __init__(self, browser: Any, site_url: str, **context_options: Any) -> None:
        self.site_url = site_url
        self.problems: list[str] = []
        self.context = browser.new_context(**context_options)
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on(
            "requestfailed",
            lambda request: self.problems.append(
                f"request failed: {request.url} ({request.failure})"
            ),
        )
        self.page.on(
            "response",
            lambda response: (
                self.problems.append(f"HTTP {response.status}: {response.url}")
                if response.status >= 400
                else None
            ),
        )

    def _only_local(self, route: Any) -> None:
        if route.request.url.startswith(self.site_url + "/"):
            route.continue_()
        else:
            self.problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type in {"error", "warning"}:
            self.problems.append(f"console {message.type}: {message.text}")

    def open(self, path: str) -> Any:
        response = self.page.goto(self.site_url + path, wait_until="load")
        assert response is not None and response.status == 200, path
        return self.page

    def overflow(self) -> int:
        """How many CSS pixels the page is wider than the viewport (0: no sideways scrolling)."""
        return self.page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, site_url: str) -> Iterator[Any]:
    opened: list[Visit] = []

    def make(**options: Any) -> Visit:
        opened.append(Visit(browser, site_url, **options))
        return opened[-1]

    yield make
    for item in opened:
        item.close()


def _sample_paths(output: Path) -> dict[str, str]:
    """One page of each kind in the example site, found through the home page's links."""
    home = parse_html(output / "index.html")
    article = home.find(".//main//article//a").get("href")
    page = parse_html(output / article.strip("/") / "index.html")
    tag = page.find(".//main//a[@class='tag']").get("href")
    time_ = page.find(".//main//time").get("datetime")
    edition = "/{}/{}/{}/".format(*time_[:10].split("-"))
    assert (output / edition.strip("/") / "index.html").is_file(), edition
    illustrated = next(
        "/" + path.parent.relative_to(output).as_posix() + "/"
        for path in sorted(output.glob("2*/*/*/*/index.html"))
        if parse_html(path).find(".//main//figure") is not None
    )
    return {
        "index": "/",
        "article": article,
        "illustrated article": illustrated,
        "tag": tag,
        "edition": edition,
        "search": "/search/",
    }


@pytest.mark.parametrize(
    "kind", ["index", "article", "illustrated article", "tag", "edition", "search"]
)
def test_page_loads_cleanly_and_fits_a_phone(kind: str, visit: Any, example_output: Path) -> None:
    path = _sample_paths(example_output)[kind]
    page_visit = visit(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = page_visit.open(path)
    if kind == "search":
        page.wait_for_selector("#search-form[data-ready]")
    assert page_visit.problems == []
    assert page_visit.overflow() <= 0, f"{path} is wider than 390 px"
    assert page.locator("h1").first.is_visible()


def test_the_lead_image_loads_at_its_size_and_fits_a_phone(
    visit: Any, example_output: Path
) -> None:
    path = _sample_paths(example_output)["illustrated article"]
    page_visit = visit(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = page_visit.open(path)
    image = page.locator("main figure img")
    natural = image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert natural == [True, 960, 540]
    box = image.bounding_box()
    assert box is not None and 0 < box["width"] <= PHONE["width"]
    assert abs(box["height"] / box["width"] - 540 / 960) < 0.02  # width/height keep the shape
    assert page.locator("main figure figcaption").is_visible()
    assert page_visit.problems == []


def test_search_finds_an_article_by_a_word_of_its_body(visit: Any, example_output: Path) -> None:
    manifest = json.loads((example_output / "search-index.json").read_text(encoding="utf-8"))
    last_part = example_output / manifest["parts"][-1]["url"].lstrip("/")
    # The oldest article, in the last part: not simply the first thing listed anywhere.
    target = json.loads(last_part.read_text(encoding="utf-8"))["articles"][-1]
    word = max(target["w"].split(), key=len)
    page_visit = visit(viewport=PHONE)
    page = page_visit.open("/search/")
    page.wait_for_selector("#search-form[data-ready]")
    page.get_by_label("Search titles, summaries, text and tags").fill(word)
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    titles = page.locator("#search-results h2 a").all_inner_texts()
    assert target["t"] in titles, (word, titles)
    status = page.locator("#search-status").inner_text()
    assert status.startswith(f"{len(titles)} article") and word in status
    # The result shows the date and tags and links to the article, which opens.
    result = page.locator("#search-results li", has_text=target["t"])
    assert target["f"] in result.locator("time").inner_text()
    assert result.locator("a.tag").count() == len(target["g"])
    result.locator("h2 a").click()
    page.wait_for_url(f"**{target['u']}")
    assert page.locator("h1").inner_text() == target["t"]
    # The query is kept in the address, so a search can be shared or reloaded.
    page.go_back()
    page.wait_for_selector("#search-form[data-ready]")
    assert page.locator("#search-results li", has_text=target["t"]).count() == 1
    assert page_visit.problems == []


def test_search_joins_the_monthly_parts_newest_first(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = copy_example_site(tmp_path_factory.mktemp("months") / "site")
    stories = {
        "october": ("2026-10-05", "Quokka seen at the old harbour"),
        "november": ("2026-11-20", "Second quokka sighting"),
    }
    for name, (day, title) in stories.items():
        (root / "content" / f"{name}.md").write_text(
            f"---\ntitle: {title}\ndate: {day}T09:00:00\ntags: [Wildlife]\n---\n\nSeen.\n",
            encoding="utf-8",
        )
    assert main(["build", "--root", str(root)]) == 0
    manifest = json.loads((root / "output" / "search-index.json").read_text(encoding="utf-8"))
    assert len(manifest["parts"]) == 2
    with _served(root / "output") as url:
        page_visit = Visit(browser, url)
        requested: list[str] = []
        page_visit.page.on("request", lambda request: requested.append(request.url))
        page = page_visit.open("/search/?q=quokka")
        page.wait_for_selector("#search-form[data-ready]")
        # Equal scores (both in the title) keep the site's order across the parts.
        titles = page.locator("#search-results h2 a").all_inner_texts()
        assert titles == ["Second quokka sighting", "Quokka seen at the old harbour"]
        tag = page.locator("#search-results li", has_text="old harbour").locator("a.tag")
        assert tag.get_attribute("href") == "/tags/wildlife/"
        parts = [f"{url}/search/index/2026-11.json", f"{url}/search/index/2026-10.json"]
        assert set(parts) <= set(requested)
        assert page_visit.problems == []
        page_visit.close()


def test_search_says_when_nothing_matches(visit: Any) -> None:
    page_visit = visit()
    page = page_visit.open("/search/?q=zzzqqqxxx")
    page.wait_for_selector("#search-form[data-ready]")
    assert page.locator("#search-status").inner_text().startswith("No articles found")
    assert page.locator("#search-results li").count() == 0
    assert page_visit.problems == []


def test_search_page_says_it_needs_javascript_when_off(visit: Any) -> None:
    page = visit(java_script_enabled=False).open("/search/")
    assert "Search needs JavaScript" in page.locator("main").inner_text()


def _background(visit: Any, scheme: str) -> tuple[int, ...]:
    page = visit(color_scheme=scheme).open("/")
    colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return tuple(int(part) for part in colour[colour.index("(") + 1 : -1].split(",")[:3])


def test_theme_follows_the_light_or_dark_preference(visit: Any) -> None:
    light = _background(visit, "light")
    dark = _background(visit, "dark")
    assert light != dark
    assert sum(light) > 600 and sum(dark) < 150, (light, dark)


def _axe_script() -> str | None:
    try:
        import axe_playwright_python
    except ImportError:  # pragma: no cover - depends on the machine
        return None
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(browser_page: Any, script: str) -> list[str]:
    """axe-core's violations on an open page, one line each: rule, impact, first targets."""
    browser_page.evaluate(script)
    results = browser_page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): "
        f"{[' '.join(node['target']) for node in violation['nodes']][:3]}"
        for violation in results["violations"]
    ]


def _every_kind(output: Path) -> dict[str, str]:
    """One page of each HTML kind of the example site."""
    found = _sample_paths(output)
    source = next((output / "sources").glob("*/index.html")).parent.name
    found.update(
        {
            "tags": "/tags/",
            "month": found["edition"].rsplit("/", 2)[0] + "/",
            "year": found["edition"].split("/")[1].join("//"),
            "sources": "/sources/",
            "source": f"/sources/{source}/",
            "404": "/404.html",
            "an older page": "/page/1/",
        }
    )
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"]
)
def test_axe_finds_no_violation_on_any_page_kind(
    scheme: str, viewport: dict[str, int], visit: Any, example_output: Path
) -> None:
    """axe-core (the copy axe-playwright-python ships) on every page kind, light and dark,
    desktop and phone: no violation of any rule at any impact."""
    script = _axe_script()
    if script is None:
        pytest.skip("the accessibility tests need axe-playwright-python (it ships axe-core)")
    found: dict[str, list[str]] = {}
    for kind, path in _every_kind(example_output).items():
        browser_page = visit(viewport=viewport, color_scheme=scheme).open(path)
        if violations := axe_violations(browser_page, script):
            found[kind] = violations
    assert not found, json.dumps(found, indent=1)
