"""`newsdigest import` as a user runs it: files written, messages, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import Run

from generator.core.frontmatter import FrontMatter, parse_front_matter
from generator.ingest import readers

RAW = Path(__file__).resolve().parent / "raw"
SEED = RAW / "seed-drones.txt"
REPO = Path(__file__).resolve().parent.parent
SEED_TITLE = (
    "Iran helping Russia build plant to manufacture drones for likely use in Ukraine, "
    "White House says"
)

STORY = [
    "The regional water board approved a plan on Monday to build a desalination plant on the "
    "northern coast, ending a debate that has divided the council for more than two years.",
    "The plant is expected to supply about a fifth of the region's drinking water when it opens "
    "in 2029, the board said in a statement after the vote.",
    "Environmental groups said they would challenge the decision in court, arguing that the brine "
    "released into the sea would harm fishing grounds near the harbour.",
    "The board said the design had been changed twice to reduce the impact on marine life and "
    "that independent scientists would monitor the outflow.",
]


def articles(root: Path) -> dict[Path, FrontMatter]:
    """Every article under content/, parsed the way the build parses it."""
    found = {}
    for path in sorted((root / "content").rglob("*.md")):
        parsed = parse_front_matter(path.read_text(encoding="utf-8"), path)
        assert isinstance(parsed, FrontMatter), parsed
        found[path] = parsed
    return found


def page(title: str, site: str, date: str, paragraphs: list[str], url: str = "") -> str:
    lines = [f"{title} | {site}", "Home | World | Local | Sport", "", title, f"Published: {date}"]
    if url:
        lines.append(f"Source: {site}")
    return "\n".join([*lines, "", *paragraphs, "", "Share", "Comments (0)"]) + "\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    return tmp_path


def test_seed_becomes_one_clean_article(run_cli: Callable, root: Path) -> None:
    result = run_cli("import", SEED, "--root", root)
    assert result.status == 0, result.err
    [(path, article)] = articles(root).items()
    assert path.relative_to(root).as_posix().startswith("content/2025/04/14-iran-helping-russia")
    fields = article.fields
    assert fields["title"] == SEED_TITLE
    assert dt.datetime.fromisoformat(fields["date"]) == dt.datetime(2025, 4, 14, 15, 45, 7)
    assert fields["tags"] == ["Iran", "Ukraine", "Russia", "White House"]
    assert fields["publisher"] == "MarketLink"
    assert "draft" not in fields
    body = article.body
    assert body.strip().startswith("Iran has been sending material to Russia")
    assert body.strip().endswith("to Tehran's drone program.")
    assert body.strip().count("\n\n") == 11  # the 12 story paragraphs, nothing else
    for furniture in (
        "Related",
        "Ranking",
        "Recommendation",
        "veryGood",
        "View",
        "Date:",
        "Current:",
        "Buckingham Palace",
        "Questlove",
        "Malia Obama",
        "In:",
    ):
        assert furniture not in body
    summary = fields["summary"]
    assert body.strip().startswith(summary.split(" The drone")[0])
    assert 40 <= len(summary.split()) <= 90 and summary.endswith(".")
    assert fields["imported_from"]["source"] == str(SEED)
    assert len(fields["imported_from"]["sha256"]) == 64
    assert "imported 1," in result.out and "failed 0" in result.out


def test_seed_through_python_dash_m(root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "import", str(SEED), "--root", str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert len(articles(root)) == 1


def test_imported_seed_is_shown_by_the_build(
    run_cli: Callable, site_copy: Callable[[str], Path]
) -> None:
    site = site_copy("empty")
    assert run_cli("import", SEED, "--root", site).status == 0
    assert run_cli("build", "--root", site).status == 0
    page_html = next((site / "output" / "2025" / "04" / "14").glob("*/index.html")).read_text()
    assert "Iran helping Russia build plant" in page_html
    assert "Alabuga Special Economic Zone" in page_html
    assert "Buckingham Palace" not in page_html


def test_reimport_changes_nothing(run_cli: Callable, root: Path) -> None:
    assert run_cli("import", SEED, "--root", root).status == 0
    before = {path: path.read_bytes() for path in articles(root)}
    again = run_cli("import", SEED, "--root", root)
    assert again.status == 0
    assert {path: path.read_bytes() for path in articles(root)} == before
    assert "imported 0, unchanged 1" in again.out


def test_edited_article_is_not_overwritten_without_force(run_cli: Callable, root: Path) -> None:
    assert run_cli("import", SEED, "--root", root).status == 0
    [path] = articles(root)
    edited = path.read_text(encoding="utf-8").replace(
        "Iran has been sending", "Tehran has been sending"
    )
    path.write_text(edited, encoding="utf-8")
    result = run_cli("import", SEED, "--root", root)
    assert path.read_text(encoding="utf-8") == edited
    assert "edited since import" in result.out and "--force" in result.out
    forced = run_cli("import", SEED, "--root", root, "--force")
    assert forced.status == 0
    assert "Iran has been sending" in path.read_text(encoding="utf-8")


def test_dry_run_writes_nothing(run_cli: Callable, root: Path) -> None:
    result = run_cli("import", SEED, "--root", root, "--dry-run")
    assert result.status == 0
    assert not list((root / "content").rglob("*"))
    assert "would write content/2025/04/14-" in result.out
    assert "dry run" in result.out


def test_extra_tags_and_folders_are_read_recursively(
    run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox" / "deep"
    inbox.mkdir(parents=True)
    shutil.copy(SEED, inbox / "a.txt")
    (inbox / "notes.pdf").write_bytes(b"%PDF-1.4 not an input")
    result = run_cli("import", tmp_path / "inbox", "--root", root, "--tags", "Digest, Iran")
    assert result.status == 0, result.err
    [article] = articles(root).values()
    assert article.fields["tags"] == ["Iran", "Ukraine", "Russia", "White House", "Digest"]


def test_standard_input(run_cli: Callable, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = SEED.open("rb")

    monkeypatch.setattr(sys, "stdin", Stdin)
    result = run_cli("import", "-", "--root", root)
    Stdin.buffer.close()
    assert result.status == 0
    [article] = articles(root).values()
    assert article.fields["imported_from"]["source"] == "<stdin>"


def test_bad_inputs_are_reported_and_the_rest_imported(
    run_cli: Callable, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.txt").write_bytes(b"  \n")
    (inputs / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    (inputs / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me story".encode("latin-1"))
    (inputs / "huge.txt").write_bytes(b"word " * 4000)
    record = {
        "url": "https://water.example/plant",
        "title": "Water board approves plant",
        "date": "2025-03-10T09:00:00+01:00",
        "publisher": "Coast Post",
        "text": "\n".join(STORY),
    }
    (inputs / "dump.jsonl").write_text(
        json.dumps(record)
        + "\n"
        + '{"title": "broken", "text": "unterminated\n'
        + json.dumps({"title": "no body"})
        + "\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(readers, "MAX_INPUT_BYTES", 12_000)
    result = run_cli("import", inputs, SEED, tmp_path / "missing.txt", "--root", root)
    assert result.status == 1
    errors = result.err.strip().splitlines()
    expected_starts = [
        f"{inputs / 'binary.txt'}: binary data",
        f"{inputs / 'dump.jsonl'}:2: malformed JSON",
        f"{inputs / 'dump.jsonl'}:3: record has no text or html",
        f"{inputs / 'empty.txt'}: empty input",
        f"{inputs / 'huge.txt'}: larger than",
        f"{inputs / 'latin1.txt'}: not valid utf-8",
        f"{tmp_path / 'missing.txt'}: no such file",
    ]
    assert len(errors) == len(expected_starts), errors
    for start in expected_starts:
        assert any(line.startswith(start) for line in errors), (start, errors)
    assert "Traceback" not in result.err
    titles = sorted(article.fields["title"] for article in articles(root).values())
    assert titles == [SEED_TITLE, "Water board approves plant"]
    assert "failed 7" in result.out.splitlines()[-1]


def test_jsonl_record_fields_win(run_cli: Callable, root: Path, tmp_path: Path) -> None:
    record = {
        "url": "https://water.example/plant",
        "title": "Water board approves plant - Coast Post",
        "date": "2025-03-10T09:00:00+01:00",
        "tags": ["Water", "Coast"],
        "text": "\n".join(STORY),
    }
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert run_cli("import", dump, "--root", root).status == 0
    [(path, article)] = articles(root).items()
    assert path.relative_to(root).as_posix() == "content/2025/03/10-water-board-approves-plant.md"
    assert article.fields["date"] == "2025-03-10T09:00:00+01:00"
    assert article.fields["publisher"] == "Coast Post"
    assert article.fields["original_url"] == "https://water.example/plant"
    assert article.fields["tags"] == ["Water", "Coast"]
    assert article.fields["imported_from"]["source"] == f"{dump}:1"


def test_undated_page_becomes_a_draft_for_review(
    run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "undated.txt"
    raw.write_text(
        "Water board approves plant | Coast Post\n\n" + "\n".join(STORY) + "\n", encoding="utf-8"
    )
    result = run_cli("import", raw, "--root", root)
    assert result.status == 0
    [(path, article)] = articles(root).items()
    assert path.relative_to(root).as_posix() == "content/undated/water-board-approves-plant.md"
    assert article.fields["draft"] is True
    assert "missing date" in article.fields["review"]
    assert "date" not in article.fields
    assert "drafts needing review 1" in result.out


def test_page_without_a_story_is_a_draft_without_invented_fields(
    run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "menu.txt"
    raw.write_text("Home | News | Sport\nSign in\nSubscribe\n", encoding="utf-8")
    assert run_cli("import", raw, "--root", root).status == 0
    [article] = articles(root).values()
    assert article.fields["draft"] is True
    assert article.fields["review"].startswith("missing title, date, body")
    assert not {"title", "date", "publisher", "summary", "tags"} & set(article.fields)


def test_near_duplicates_in_a_batch_become_one_article(
    run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    first = tmp_path / "a.txt"
    second = tmp_path / "b.txt"
    reworded = [*STORY[:3], STORY[3].replace("independent scientists", "outside scientists")]
    second.write_text(
        page("Water board approves plant", "Coast Post", "2025-03-10 09:00", STORY, url="x"),
        encoding="utf-8",
    )
    first.write_text(
        page(
            "Regional board backs desalination plant",
            "North News",
            "2025-03-10 11:30",
            reworded,
            url="x",
        ),
        encoding="utf-8",
    )
    result = run_cli("import", first, second, "--root", root)
    assert result.status == 0, result.err
    [article] = articles(root).values()
    assert article.fields["title"] == "Water board approves plant"  # the earlier one is kept
    assert article.fields["also_reported_by"] == [{"publisher": "North News"}]
    assert "duplicates merged 1" in result.out
    again = run_cli("import", first, second, "--root", root)
    assert "imported 0" in again.out


def test_duplicate_of_existing_article_is_merged_into_it(
    run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    first = tmp_path / "a.txt"
    first.write_text(
        page("Water board approves plant", "Coast Post", "2025-03-10 09:00", STORY, url="x"),
        encoding="utf-8",
    )
    assert run_cli("import", first, "--root", root).status == 0
    later = tmp_path / "b.txt"
    later.write_text(
        page(
            "Desalination plant gets green light",
            "Harbor Courier",
            "2025-03-11 08:00",
            STORY,
            url="x",
        ),
        encoding="utf-8",
    )
    result = run_cli("import", later, "--root", root)
    assert result.status == 0
    [article] = articles(root).values()
    assert article.fields["title"] == "Water board approves plant"
    assert article.fields["also_reported_by"] == [{"publisher": "Harbor Courier"}]
    assert run_cli("import", first, "--root", root).out.count("unchanged") >= 1
    assert len(articles(root)) == 1


def test_html_is_cleaned_and_sanitised(run_cli: Callable, root: Path) -> None:
    result = run_cli("import", RAW / "harbor-ferry.html", "--root", root)
    assert result.status == 0, result.err
    [article] = articles(root).values()
    fields, body = article.fields, article.body
    assert fields["title"] == "Harbor ferry service suspended after engine fire"
    assert fields["date"] == "2025-05-06T08:30:00-04:00"
    assert fields["publisher"] == "Bay Observer"
    assert fields["original_url"] == "https://bay-observer.example/news/ferry-fire"
    assert fields["tags"] == ["Transport"]
    assert "[operator](https://bay-observer.example/operator)" in body
    assert "a statement" in body
    lowered = body.casefold()
    for bad in (
        "javascript:",
        "<script",
        "onclick",
        "onmouseover",
        "alert(",
        "tracker",
        "harborwatcher",
        "ten years",
        "reply",
    ):
        assert bad not in lowered, bad
    assert "investigation into the cause" in body


def test_usage_error_exits_2(run_cli: Callable, root: Path) -> None:
    assert run_cli("import", SEED, "--format", "pdf", "--root", root).status == 2


def test_what_an_import_writes_always_builds_even_with_twin_headlines(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    """The fixtures hold two different stories with one headline and day: their files were
    numbered apart but their URLs were not, so the build refused both. Each file now names
    its slug (numbered like its file) and a permanent id, the same at every import."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text("title: T\nbase_url: https://t.example/\n", encoding="utf-8")
    fixtures = Path(__file__).resolve().parent.parent / "bench" / "clean_fixtures"
    assert run_cli("import", "--root", root, fixtures).status == 0
    written = {path: path.read_bytes() for path in (root / "content").rglob("*.md")}
    for data in written.values():
        front = yaml.safe_load(data.decode("utf-8").split("---\n")[1])
        assert front["slug"] and front["id"].startswith("urn:uuid:")
    assert run_cli("build", "--root", root).status == 0
    again = run_cli("import", "--root", root, fixtures)
    assert again.status == 0
    assert {path: path.read_bytes() for path in (root / "content").rglob("*.md")} == written


def test_jsonl_record_image_and_authors_are_kept(
    run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    """A scraper's record states the lead image (relative to the page) and the authors."""
    record = {
        "url": "https://water.example/news/plant",
        "title": "Water board approves plant",
        "date": "2025-03-10T09:00:00+01:00",
        "image_url": "/img/plant.jpg",
        "authors": ["Ana Ruiz", "Bo Lindqvist", "Ana Ruiz"],
        "text": "\n".join(STORY),
    }
    unsafe = {**record, "url": "https://water.example/news/b", "title": "Second plant vote"}
    unsafe.update(image="javascript:alert(1)", text="\n".join(OTHER_STORY))
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps(record) + "\n" + json.dumps(unsafe) + "\n", encoding="utf-8")
    assert run_cli("import", dump, "--root", root).status == 0
    found = {article.fields["title"]: article.fields for article in articles(root).values()}
    first = found["Water board approves plant"]
    assert first["image"] == "https://water.example/img/plant.jpg"
    assert first["authors"] == ["Ana Ruiz", "Bo Lindqvist"]
    assert "image" not in found["Second plant vote"]


OTHER_STORY = [
    "Engineers finished repairing the spillway of the Millbrook dam three weeks ahead of "
    "schedule, the county's water authority said on Tuesday.",
    "The work, which began after cracks were found in the concrete during a routine inspection "
    "last spring, cost about 4 million euros, less than the budget set aside for it.",
    "The reservoir behind the dam will be refilled slowly over the winter, and the footpath "
    "across the crest reopens to walkers at the weekend.",
]

RSS_WITH_MEDIA = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Coast Post</title><link>https://water.example/</link><description>News</description>
<item><title>Water board approves plant</title>
<link>https://water.example/news/plant</link><guid>https://water.example/news/plant</guid>
<pubDate>Mon, 10 Mar 2025 08:00:00 +0000</pubDate><dc:creator>Ana Ruiz</dc:creator>
<media:content url="https://img.water.example/plant.jpg" medium="image"/>
<description>{body}</description></item></channel></rss>
"""


def test_a_feed_entrys_image_and_author_are_kept(
    run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    from html import escape

    feed = tmp_path / "feed.xml"
    body = escape("".join(f"<p>{line}</p>" for line in STORY))
    feed.write_text(RSS_WITH_MEDIA.format(body=body), encoding="utf-8")
    jsonfeed = tmp_path / "feed.json"
    jsonfeed.write_text(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "Coast Post",
                "items": [
                    {
                        "id": "2",
                        "url": "https://water.example/news/dam",
                        "title": "Dam repairs finished early",
                        "date_published": "2025-03-11T08:00:00Z",
                        "image": "https://img.water.example/dam.jpg",
                        "authors": [{"name": "Bo Lindqvist"}],
                        "content_html": "".join(f"<p>{line}</p>" for line in OTHER_STORY),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert run_cli("import", feed, jsonfeed, "--root", root).status == 0
    found = {article.fields["title"]: article.fields for article in articles(root).values()}
    assert found["Water board approves plant"]["image"] == "https://img.water.example/plant.jpg"
    assert found["Water board approves plant"]["author"] == "Ana Ruiz"
    assert found["Dam repairs finished early"]["image"] == "https://img.water.example/dam.jpg"
    assert found["Dam repairs finished early"]["author"] == "Bo Lindqvist"
