"""Search: the build-time index (compact, deterministic, sorted) and the search page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from conftest import REPO, Run, parse_html, text_of

from generator.text import BODY_WORDS_BUDGET, distinct_words, fold

STATIC = REPO / "themes" / "default" / "static"


def _index(output: Path) -> dict:
    return json.loads((output / "search-index.json").read_text(encoding="utf-8"))


def test_index_lists_every_article_newest_first_with_tags_and_base_path(
    basic_output: Path,
) -> None:
    index = _index(basic_output)
    assert index["version"] == 1
    articles = index["articles"]
    assert [item["d"] for item in articles] == sorted(
        (item["d"] for item in articles), reverse=True
    )
    ferry = next(item for item in articles if item["t"] == "Harbour ferry gets a new timetable")
    # URLs carry the sub-path of base_url (https://test.example.org/news/), like the pages.
    assert ferry["u"].startswith("/news/2025/03/01/")
    assert (basic_output / ferry["u"].removeprefix("/news/") / "index.html").is_file()
    assert ferry["f"] == "1 March 2025"
    assert [index["tags"][n][0] for n in ferry["g"]] == ["Transport", "City Hall"]
    assert all(url.startswith("/news/tags/") for _name, url in index["tags"])
    assert ferry["s"].startswith("The harbour ferry will run every twenty minutes")
    assert "paragraph" in ferry["w"].split()
    # Drafts and future articles are not in the index, just as they are not on the site.
    titles = " ".join(item["t"] for item in articles).lower()
    assert "draft" not in titles and "future" not in titles


def test_index_is_compact_json_with_sorted_keys(basic_output: Path) -> None:
    raw = (basic_output / "search-index.json").read_text(encoding="utf-8")
    assert "\n" not in raw.rstrip("\n") and ", " not in raw[:200] and '": ' not in raw
    index = json.loads(raw)
    assert (
        json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n" == raw
    )
    for item in index["articles"]:
        assert len(item["w"]) <= BODY_WORDS_BUDGET


def test_index_is_byte_identical_across_builds_and_jobs(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    root = site_copy("basic")
    assert run_cli("build", "--root", root, "--no-cache").status == 0
    first = (root / "output" / "search-index.json").read_bytes()
    other = tmp_path / "other"
    assert run_cli("build", "--root", root, "--output", other, "--jobs", "2").status == 0
    assert (other / "search-index.json").read_bytes() == first


def test_body_words_are_folded_distinct_and_budgeted() -> None:
    assert fold("Zürich ÉCOLE straße") == "zurich ecole straße"
    assert distinct_words("The cat and THE Cat, a dog.") == "the cat and dog"
    long_text = " ".join(f"word{n}" for n in range(5000))
    assert len(distinct_words(long_text)) <= BODY_WORDS_BUDGET


def test_search_page_is_accessible_and_says_it_needs_javascript(basic_output: Path) -> None:
    page = basic_output / "search" / "index.html"
    doc = parse_html(page)
    assert text_of(doc.find(".//main/h1")) == "Search"
    form = doc.find(".//form[@id='search-form']")
    assert form.get("role") == "search" and form.get("data-index") == "/news/search-index.json"
    field = form.find(".//input[@id='search-input']")
    assert field.get("type") == "search" and field.get("name") == "q"
    assert form.find(".//label[@for='search-input']") is not None
    status = doc.find(".//*[@id='search-status']")
    assert status.get("role") == "status" and status.get("aria-live") == "polite"
    assert "needs JavaScript" in page.read_text(encoding="utf-8").split("<noscript>", 1)[1]
    scripts = [s.get("src") for s in doc.iterfind(".//script[@src]")]
    assert scripts == ["/news/search.js"]
    # Every page links to the search page.
    index = parse_html(basic_output / "index.html")
    assert "/news/search/" in [a.get("href") for a in index.iterfind(".//header//a")]
    assert (basic_output / "search.js").read_bytes() == (STATIC / "search.js").read_bytes()


def test_search_script_uses_no_other_host() -> None:
    script = (STATIC / "search.js").read_text(encoding="utf-8")
    assert not re.search(r"https?://", script)
    assert "import " not in script and "innerHTML" not in script  # results are built as text


def test_a_theme_without_search_template_builds_without_search_page(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    theme = root / "themes" / "plain"
    (theme / "templates").mkdir(parents=True)
    source = REPO / "themes" / "default" / "templates"
    for path in source.rglob("*.html"):
        if path.name != "search.html":
            target = theme / "templates" / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (theme / "theme.yaml").write_text("parent: null\n", encoding="utf-8")
    site_yaml = root / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "theme: plain\n", encoding="utf-8")
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    assert not (root / "output" / "search").exists()
    assert (root / "output" / "search-index.json").is_file()  # other themes may use it
    sitemap = (root / "output" / "sitemap.xml").read_text(encoding="utf-8")
    assert "/search/" not in sitemap


def test_an_edit_changes_only_that_articles_words_in_the_index(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    assert run_cli("build", "--root", root).status == 0
    before = {item["u"]: item["w"] for item in _index(root / "output")["articles"]}
    article = root / "content" / "a5.md"
    article.write_text(
        article.read_text(encoding="utf-8") + "\nZyzzogeton swarms reported.\n", encoding="utf-8"
    )
    assert run_cli("build", "--root", root).status == 0  # cached articles, one re-parsed
    after = {item["u"]: item["w"] for item in _index(root / "output")["articles"]}
    changed = [url for url in after if after[url] != before[url]]
    assert len(changed) == 1
    assert "zyzzogeton" in after[changed[0]].split()
