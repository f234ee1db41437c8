"""Search: the build-time index (a manifest and monthly parts; compact, deterministic,
sorted) and the search page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, Run, parse_html, text_of

from generator.core.text import BODY_WORDS_BUDGET, distinct_words, fold

STATIC = REPO / "themes" / "default" / "static"
BASE_PATH = "/news/"  # tests/sites/basic serves from a sub-folder


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _part_files(output: Path, base_path: str = BASE_PATH) -> list[Path]:
    """The files of the parts the manifest names, in its order."""
    manifest = _json(output / "search-index.json")
    return [output / part["url"].removeprefix(base_path) for part in manifest["parts"]]


def _index(output: Path, base_path: str = BASE_PATH) -> dict:
    """The whole index as search.js assembles it: the manifest's tags, its parts' entries."""
    manifest = _json(output / "search-index.json")
    articles = [item for path in _part_files(output, base_path) for item in _json(path)["articles"]]
    return {"version": manifest["version"], "tags": manifest["tags"], "articles": articles}


def test_index_lists_every_article_newest_first_with_tags_and_base_path(
    basic_output: Path,
) -> None:
    index = _index(basic_output)
    assert index["version"] == 2
    articles = index["articles"]
    assert [item["d"] for item in articles] == sorted(
        (item["d"] for item in articles), reverse=True
    )
    ferry = next(item for item in articles if item["t"] == "Harbour ferry gets a new timetable")
    # URLs carry the sub-path of base_url (https://test.example.org/news/), like the pages.
    assert ferry["u"].startswith("/news/2025/03/01/")
    assert (basic_output / ferry["u"].removeprefix("/news/") / "index.html").is_file()
    assert ferry["f"] == "March 1, 2025"  # CLDR `en`, in the site's timezone
    assert ferry["g"] == ["Transport", "City Hall"]  # by name, each in the manifest's tags
    tags = dict(index["tags"])
    assert all(name in tags for item in articles for name in item["g"])
    assert tags["City Hall"] == "/news/tags/city-hall/"
    assert all(url.startswith("/news/tags/") for url in tags.values())
    assert ferry["s"].startswith("The harbour ferry will run every twenty minutes")
    assert "paragraph" in ferry["w"].split()
    # Drafts and future articles are not in the index, just as they are not on the site.
    titles = " ".join(item["t"] for item in articles).lower()
    assert "draft" not in titles and "future" not in titles


def test_index_has_one_part_per_month_newest_first(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    # 23:30 UTC on the last day of February is already March in the site's Europe/Berlin.
    a5 = root / "content" / "a5.md"
    a5.write_text(
        a5.read_text(encoding="utf-8").replace("2025-02-27T12:00:00Z", "2025-02-28T23:30:00Z"),
        encoding="utf-8",
    )
    a2 = root / "content" / "a2.md"
    a2.write_text(
        a2.read_text(encoding="utf-8").replace("2025-03-01T18:30", "2025-01-15T18:30"),
        encoding="utf-8",
    )
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    manifest = _json(output / "search-index.json")
    assert [part["url"] for part in manifest["parts"]] == [
        "/news/search/index/2025-03.json",
        "/news/search/index/2025-01.json",
    ]
    assert sorted(p.name for p in (output / "search" / "index").iterdir()) == [
        "2025-01.json",
        "2025-03.json",
    ]
    march, january = (_json(path)["articles"] for path in _part_files(output))
    assert [part["articles"] for part in manifest["parts"]] == [len(march), len(january)]
    assert [item["t"] for item in january] == ["Library extends opening hours"]
    assert "Market hall reopens" in [item["t"] for item in march]
    assert march[-1]["t"] == "Council debates the budget"  # a5, in the site's March
    # Each part is in site order: newest first.
    assert [item["d"] for item in march] == sorted((item["d"] for item in march), reverse=True)


def test_index_is_compact_json_with_sorted_keys(basic_output: Path) -> None:
    files = [basic_output / "search-index.json", *_part_files(basic_output)]
    for path in files:
        raw = path.read_text(encoding="utf-8")
        # (No ", " test: a day's text may hold one, "March 4, 2025"; the dump below is exact.)
        assert "\n" not in raw.rstrip("\n") and '": ' not in raw
        value = json.loads(raw)
        dumped = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        assert dumped + "\n" == raw
    for item in _index(basic_output)["articles"]:
        assert len(item["w"]) <= BODY_WORDS_BUDGET


def test_index_is_byte_identical_across_builds_and_jobs(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    def search_files(output: Path) -> dict[str, bytes]:
        files = [output / "search-index.json", *(output / "search" / "index").iterdir()]
        return {path.relative_to(output).as_posix(): path.read_bytes() for path in files}

    root = site_copy("basic")
    assert run_cli("build", "--root", root, "--no-cache").status == 0
    first = search_files(root / "output")
    assert len(first) == 3
    other = tmp_path / "other"
    assert run_cli("build", "--root", root, "--output", other, "--jobs", "2").status == 0
    assert search_files(other) == first


def test_body_words_are_folded_distinct_and_budgeted() -> None:
    assert fold("Zürich ÉCOLE straße") == "zurich ecole straße"
    assert distinct_words("The cat and THE Cat, a dog.") == "the cat and dog"
    long_text = " ".join(f"word{n}" for n in range(5000))
    assert len(distinct_words(long_text)) <= BODY_WORDS_BUDGET


@pytest.mark.parametrize(
    "text",
    [
        "ΟΔΟΣ ΟΔΟΣ. Σ ΑΣ, ΣΑ",  # final sigma depends on the letters around it
        "e\u0301te\u0301 \u0301x x\u0301 café cafe\u0301",  # marks, also after a space
        "a\u00a8b x\u00a0y z\u2003w ﬁne İstanbul",  # folding that makes spaces or letters
        "one_two one-two, one.two; ONE two 3 ½ ٣٤",
        "dog cat. Dog cat, dog!",
    ],
)
def test_body_words_are_the_words_of_the_whole_text_in_order_of_first_use(text: str) -> None:
    """distinct_words folds and searches only distinct pieces: it must find what a search
    of the whole folded text finds, in the same order."""
    whole = dict.fromkeys(word for word in re.findall(r"\w+", fold(text)) if len(word) > 1)
    assert distinct_words(text, budget=10_000) == " ".join(whole)


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
    assert not (root / "output" / "search" / "index.html").exists()
    assert len(_index(root / "output")["articles"]) == 5  # other themes may use it
    sitemaps = "".join(p.read_text(encoding="utf-8") for p in root.glob("output/sitemap*.xml"))
    assert "/news/search-index.json" not in sitemaps and "/search/" not in sitemaps


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
