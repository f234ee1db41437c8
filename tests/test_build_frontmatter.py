"""Front-matter fields as a reader (and a template author) sees them.

tests/sites/frontmatter has a site-level templates/article.html that prints the fields.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SITES, Run, copy_site, parse_html, text_of


@pytest.fixture(scope="module")
def fm_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.__main__ import main

    root = copy_site(SITES / "frontmatter", tmp_path_factory.mktemp("fm") / "site")
    assert main(["build", "--root", str(root)]) == 0
    return root / "output"


def fields(output: Path, url_dir: str) -> dict[str, str]:
    doc = parse_html(output / url_dir / "index.html")
    return {dd.get("id"): text_of(dd) for dd in doc.iterfind(".//main/dl/dd")}


def test_date_only_is_midnight_in_the_site_timezone(fm_output: Path) -> None:
    assert fields(fm_output, "2025/06/01/date-only")["date"] == "2025-06-01T00:00:00-04:00"


def test_date_time_without_offset_is_in_the_site_timezone(fm_output: Path) -> None:
    assert fields(fm_output, "2025/06/02/no-offset")["date"] == "2025-06-02T09:30:00-04:00"


def test_date_with_offset_keeps_it_and_files_under_the_local_day(fm_output: Path) -> None:
    # 01:00 on 4 June in UTC+2 is still 3 June in New York: URL and edition follow the site day.
    values = fields(fm_output, "2025/06/03/with-offset")
    assert values["date"] == "2025-06-04T01:00:00+02:00"
    assert values["updated"] == "2025-06-05T12:00:00+00:00"
    edition = parse_html(fm_output / "2025/06/03/index.html")
    assert "With offset" in text_of(edition.find(".//main"))
    assert not (fm_output / "2025/06/04").exists()


def test_tags_differing_in_case_and_spacing_are_one_tag(fm_output: Path) -> None:
    assert fields(fm_output, "2025/06/05/tag-spellings")["tags"] == "Climate Change|Energy"
    tag_dirs = sorted(p.name for p in (fm_output / "tags").iterdir() if p.is_dir())
    assert tag_dirs == ["climate-change", "energy", "harbour"]
    index = parse_html(fm_output / "tags/index.html")
    counts = {
        text_of(li.find("a")): text_of(li.find("span")) for li in index.iterfind(".//main//li")
    }
    assert counts == {"Climate Change": "(1)", "Energy": "(2)", "Harbour": "(1)"}


def test_summary_is_the_lede_cut_at_a_sentence_near_60_words(fm_output: Path) -> None:
    summary = fields(fm_output, "2025/06/11/a-long-lede")["summary"]
    assert summary.startswith("The first sentence")
    assert summary.endswith("which is the target.")
    assert "fifth" not in summary and "second paragraph" not in summary
    assert 40 <= len(summary.split()) <= 75


def test_summary_without_sentence_end_is_cut_at_60_words(fm_output: Path) -> None:
    summary = fields(fm_output, "2025/06/12/one-endless-sentence")["summary"]
    assert summary.endswith("…")
    assert len(summary.split()) == 60


def test_author_and_authors(fm_output: Path) -> None:
    assert fields(fm_output, "2025/06/01/date-only")["authors"] == "Single Author"
    assert fields(fm_output, "2025/06/02/no-offset")["authors"] == "First Person|Second Person"


def test_hugo_and_jekyll_spellings(fm_output: Path) -> None:
    values = fields(fm_output, "2025/06/06/brought-over-from-hugo")
    assert values["summary"] == "A summary written as a Hugo description."  # description
    assert values["updated"] == "2025-06-07T10:00:00-04:00"  # lastmod
    assert values["tags"] == "Energy|Harbour"  # categories


def test_unknown_fields_reach_templates(fm_output: Path) -> None:
    values = fields(fm_output, "2025/06/08/unknown-fields-are-kept")
    assert values["something"] == "a custom value"
    assert values["rating"] == "4"
    assert values["lang"] == "de"
    assert values["image"] == "/images/photo.jpg"
    assert fields(fm_output, "2025/06/01/date-only")["something"] == "(none)"


def test_slug_overrides_the_title(fm_output: Path) -> None:
    assert (fm_output / "2025/06/09/short-slug/index.html").is_file()
    assert not list(fm_output.glob("2025/06/09/a-very-long*"))


def test_html_in_titles_and_summaries_is_escaped(fm_output: Path) -> None:
    path = next((fm_output / "2025/06/10").glob("*/index.html"))
    raw = path.read_text(encoding="utf-8")
    assert "<script>alert" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends" in raw
    doc = parse_html(path)
    assert text_of(doc.find(".//main/h1")) == "<script>alert(1)</script> & friends"
    assert doc.find(".//main//script") is None and doc.find(".//main//b") is None
    og = doc.find(".//head/meta[@property='og:title']")
    assert og.get("content") == "<script>alert(1)</script> & friends"
    # The listing pages escape it too.
    listing = (fm_output / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in listing


def test_markdown_body_is_sanitised(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    root = copy_site(SITES / "empty", tmp_path / "site")
    (root / "content" / "x.md").write_text(
        "---\ntitle: Sanitised\ndate: 2025-01-01\n---\n\n"
        'Hello <script>alert(1)</script> <a href="javascript:alert(1)" onclick="x()">link</a>'
        '\n\n<iframe src="https://evil.example"></iframe>\n',
        encoding="utf-8",
    )
    assert run_cli("build", "--root", root).status == 0
    doc = parse_html(root / "output/2025/01/01/sanitised/index.html")
    body = doc.find(".//main//div[@class='body']")
    assert body.find(".//script") is None and body.find(".//iframe") is None
    anchor = body.find(".//a")
    assert anchor.get("onclick") is None
    assert not (anchor.get("href") or "").startswith("javascript:")


def test_feeds_carry_the_front_matter_dates(fm_output: Path) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(fm_output / "atom.xml").getroot()
    entries = {e.findtext("a:title", namespaces=ns): e for e in feed.iterfind("a:entry", ns)}
    entry = entries["With offset"]
    assert entry.findtext("a:published", namespaces=ns) == "2025-06-04T01:00:00+02:00"
    assert entry.findtext("a:updated", namespaces=ns) == "2025-06-05T12:00:00+00:00"
