"""sitemap.xml (a sitemap index), its parts and robots.txt, parsed with a real XML parser; and
what an edit rewrites of the sitemap and search parts."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import Run, page_file

from generator.build import pages as page_kinds
from generator.build.pages import plan_pages
from generator.build.pages.sitemap import URL_LIMIT

BASE = "https://test.example.org/news/"  # tests/sites/basic serves from a sub-folder
BASE_PATH = "/news/"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
MONTH_PART = re.compile(r"sitemap-articles-(\d{4})-(\d{2})(?:-\d+)?\.xml")


def _parts(index: ET.Element) -> list[tuple[str, str | None]]:
    """(loc, lastmod) of each part a sitemap index names."""
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    return [
        (item.findtext("sm:loc", namespaces=NS), item.findtext("sm:lastmod", namespaces=NS))
        for item in index.iterfind("sm:sitemap", NS)
    ]


def _urls(part: ET.Element) -> list[tuple[str, str | None]]:
    """(loc, lastmod) of each page a sitemap part lists."""
    assert part.tag == f"{{{NS['sm']}}}urlset"
    return [
        (item.findtext("sm:loc", namespaces=NS), item.findtext("sm:lastmod", namespaces=NS))
        for item in part.iterfind("sm:url", NS)
    ]


def _read_sitemaps(output: Path) -> tuple[list[tuple[str, str | None]], dict[str, list]]:
    """The parts named by output/sitemap.xml, and the pages each of them lists."""
    parts = _parts(ET.parse(output / "sitemap.xml").getroot())
    listed = {}
    for loc, _lastmod in parts:
        path = page_file(output, urlsplit(loc).path, BASE_PATH)
        listed[loc] = _urls(ET.parse(path).getroot())
    return parts, listed


def test_sitemap_index_names_parts_listing_every_page_once(basic_output: Path) -> None:
    parts, listed = _read_sitemaps(basic_output)
    locs = [loc for urls in listed.values() for loc, _ in urls]
    assert len(locs) == len(set(locs))
    for loc in locs:
        assert loc.startswith(BASE), loc
        assert page_file(basic_output, urlsplit(loc).path, BASE_PATH).is_file(), loc
    pages = {
        BASE + p.relative_to(basic_output).as_posix().removesuffix("index.html")
        for p in basic_output.rglob("*.html")
        if p.name not in {"404.html", "email.html"}
    }
    assert set(locs) == pages
    # Parts sit beside sitemap.xml: a sitemap may only list URLs under its own folder.
    assert all(loc.startswith(BASE) and "/" not in loc.removeprefix(BASE) for loc, _ in parts)
    assert all(len(urls) <= URL_LIMIT for urls in listed.values())


def test_article_pages_are_in_the_part_of_their_month_with_dates(basic_output: Path) -> None:
    parts, listed = _read_sitemaps(basic_output)
    articles = {}
    for loc, newest in parts:
        month = MONTH_PART.fullmatch(loc.removeprefix(BASE))
        if month is None:  # the other pages: no dates of their own
            assert all(lastmod is None for _, lastmod in listed[loc]) and newest is None
            continue
        year, number = month.groups()
        for url, lastmod in listed[loc]:
            assert url.startswith(f"{BASE}{year}/{number}/"), (loc, url)  # site timezone
            articles[url] = lastmod
        # The index tells crawlers when a part last changed: its newest article's date.
        assert newest == max(listed[loc], key=lambda item: dt.datetime.fromisoformat(item[1]))[1]
    assert [MONTH_PART.fullmatch(loc.removeprefix(BASE)) is not None for loc, _ in parts] == [
        False,
        True,
        True,
    ]  # the other pages, then months newest first
    assert len(articles) == 5  # every article exactly once; drafts and future ones not at all
    assert articles[BASE + "2025/03/02/storm-closes-coastal-road/"] == "2025-03-03T09:00:00+01:00"
    assert articles[BASE + "2025/03/04/market-hall-reopens/"] == "2025-03-04T00:00:00+01:00"


def test_robots_txt_names_the_sitemap(basic_output: Path) -> None:
    lines = (basic_output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {BASE}sitemap.xml" in lines
    assert "User-agent: *" in lines


def test_parts_are_split_to_stay_within_the_url_limit(
    site_copy: Callable[[str], Path],
    basic_output: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The protocol's 50,000 URLs a file, tried with a limit of 3 rather than 50,000 pages."""
    root = site_copy("basic")
    monkeypatch.setattr(
        page_kinds,
        "plan_pages",
        lambda site, **options: plan_pages(site, **options, sitemap_limit=3),
    )
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    files = {
        "/" + path.name: ET.parse(path).getroot() for path in sorted(output.glob("sitemap*.xml"))
    }
    parts = _parts(files.pop("/sitemap.xml"))
    assert [loc.removeprefix(BASE) for loc, _ in parts] == [
        *(f"sitemap-pages-{n}.xml" for n in range(1, 8)),  # 21 other pages
        "sitemap-articles-2025-03.xml",  # 4 articles in March
        "sitemap-articles-2025-03-2.xml",
        "sitemap-articles-2025-02.xml",
    ]
    listed = {loc: _urls(files["/" + loc.removeprefix(BASE)]) for loc, _ in parts}
    assert all(1 <= len(urls) <= 3 for urls in listed.values())
    assert [len(urls) for urls in listed.values()][-3:] == [3, 1, 1]
    # Split or not, the same pages in the same order.
    _, whole = _read_sitemaps(basic_output)
    assert [url for urls in listed.values() for url in urls] == [
        url for urls in whole.values() for url in urls
    ]


def test_editing_one_article_rewrites_one_search_part_and_one_sitemap_part(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"

    def parts() -> dict[str, tuple[bytes, int]]:
        found = [*output.glob("search/index/*.json"), *output.glob("sitemap-*.xml")]
        assert len(found) == 5  # two months of search parts; months and other pages' sitemaps
        return {
            p.relative_to(output).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in found
        }

    def stamps() -> dict[str, int]:
        files = [p for p in output.rglob("*") if p.is_file()]
        return {p.relative_to(output).as_posix(): p.stat().st_mtime_ns for p in files}

    before, files_before = parts(), stamps()
    article = root / "content" / "a3.md"  # 2 March 2025, in Europe/Berlin
    text = article.read_text(encoding="utf-8")
    text = text.replace("updated: 2025-03-03T09:00:00+01:00", "updated: 2025-03-05T10:00:00+01:00")
    article.write_text(text + "\nZyzzogeton swarms reported.\n", encoding="utf-8")
    result = run_cli("build", "--root", root)
    assert result.status == 0
    after, files_after = parts(), stamps()
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == ["search/index/2025-03.json", "sitemap-articles-2025-03.xml"]
    assert "zyzzogeton" in after["search/index/2025-03.json"][0].decode("utf-8")
    # What else changed: the article, the sitemap index (the part's new date) and the feeds
    # that carry the article. The build says so.
    rewritten = sorted(name for name in files_after if files_before.get(name) != files_after[name])
    others = [
        name
        for name in rewritten
        if name not in changed and not name.endswith(("atom.xml", "rss.xml", "feed.json"))
    ]
    assert others == ["2025/03/02/storm-closes-coastal-road/index.html", "sitemap.xml"]
    assert f"{len(rewritten)} files changed" in result.out
    assert len(rewritten) <= 22
