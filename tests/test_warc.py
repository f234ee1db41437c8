"""`newsdigest import` of WARC files: pages taken, records skipped, dates, ids, bad files."""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import shutil
import sys
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from generator.core.frontmatter import FrontMatter, parse_front_matter
from generator.ingest import clean

BENCH = Path(__file__).resolve().parent.parent / "bench"
STORY = (
    "<p>The regional water board approved a plan on Monday to build a desalination plant on the "
    "northern coast, ending a debate that has divided the council for more than two years.</p>"
    "<p>The plant is expected to supply about a fifth of the region's drinking water when it "
    "opens in 2029, the board said in a statement after the vote.</p>"
    "<p>Environmental groups said they would challenge the decision in court, arguing that the "
    "brine released into the sea would harm fishing grounds near the harbour.</p>"
)


def make_warc_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_warc", BENCH / "make_warc.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_warc", module)
    spec.loader.exec_module(module)
    return module


def articles(root: Path) -> dict[str, FrontMatter]:
    found = {}
    for path in sorted((root / "content").rglob("*.md")):
        parsed = parse_front_matter(path.read_text(encoding="utf-8"), path)
        assert isinstance(parsed, FrontMatter), parsed
        found[path.relative_to(root).as_posix()] = parsed
    return found


def page(title: str, extra_head: str = "", body: str = STORY) -> bytes:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title} | Coast Post"
        f"</title>{extra_head}</head><body><nav>Home | News | Sport</nav><article>"
        f"<h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def write_records(path: Path, records: list[tuple[str, str, bytes, str, str]]) -> Path:
    """(uri, status line, body, content type, WARC-Date) as request+response pairs."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=path.suffix == ".gz")
        for number, (uri, status, body, kind, date) in enumerate(records):
            headers = {
                "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{number:012d}>",
                "WARC-Date": date,
            }
            writer.write_record(
                writer.create_warc_record(
                    uri,
                    "request",
                    warc_headers_dict={
                        **headers,
                        "WARC-Record-ID": f"<urn:uuid:10000000-0000-4000-8000-{number:012d}>",
                    },
                    http_headers=StatusAndHeaders(f"GET {uri} HTTP/1.1", [], is_http_request=True),
                )
            )
            writer.write_record(
                writer.create_warc_record(
                    uri,
                    "response",
                    payload=BytesIO(body),
                    length=len(body),
                    warc_headers_dict=headers,
                    http_headers=StatusAndHeaders(
                        status,
                        [("Content-Type", kind), ("Content-Length", str(len(body)))],
                        protocol="HTTP/1.1",
                    ),
                )
            )
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "site" / "content").mkdir(parents=True)
    return tmp_path / "site"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated crawl of 40 pages with republished stories and non-page records."""
    path = tmp_path_factory.mktemp("warc") / "crawl.warc.gz"
    return make_warc_module().write_warc(path, 40)


def test_generated_crawl_is_imported_and_other_records_counted(
    run_cli: Callable, root: Path, crawl: Path
) -> None:
    result = run_cli("import", crawl, "--root", root)
    assert result.status == 0, result.err
    summary = result.out.strip().splitlines()[-1]
    written = articles(root)
    assert summary.startswith(
        f"imported {len(written)}, unchanged 0, duplicates merged {40 - len(written)},"
    )
    assert 40 - len(written) >= 2  # the crawl republishes stories on other sites
    assert summary.endswith("failed 0, records skipped 49")
    assert (
        "skipped 49 WARC records that are not HTML pages with status 200: 44 request, "
        "2 not HTML, 1 HTTP 301, 1 HTTP 404, 1 warcinfo" in result.out
    )
    for article in written.values():
        fields = article.fields
        assert fields["original_url"].startswith("https://")
        assert fields["imported_from"]["source"].startswith(f"{crawl}#urn:uuid:")
        assert "draft" not in fields
    merged = [a for a in written.values() if a.fields.get("also_reported_by")]
    assert merged and all(len(a.fields["also_reported_by"]) >= 1 for a in merged)


def test_status_type_and_date_rules(run_cli: Callable, root: Path, tmp_path: Path) -> None:
    dated = page(
        "Water board approves desalination plant",
        '<meta property="article:published_time" content="2025-03-10T09:00:00+01:00">',
    )
    undated = page(
        "Ferry timetable changes for the winter season",
        body=STORY.replace("desalination plant", "ferry terminal").replace(
            "water board", "ferry company"
        ),
    )
    warc = write_records(
        tmp_path / "mixed.warc",
        [
            (
                "https://coast.example/a",
                "200 OK",
                dated,
                "text/html; charset=utf-8",
                "2025-11-01T12:00:00Z",
            ),
            ("https://coast.example/b", "200 OK", undated, "text/html", "2025-11-02T08:30:00Z"),
            (
                "https://coast.example/gone",
                "404 Not Found",
                page("Gone"),
                "text/html",
                "2025-11-01T12:00:00Z",
            ),
            (
                "https://coast.example/moved",
                "301 Moved Permanently",
                b"",
                "text/html",
                "2025-11-01T12:00:00Z",
            ),
            (
                "https://coast.example/logo.png",
                "200 OK",
                b"\x89PNG\r\n" * 10,
                "image/png",
                "2025-11-01T12:00:00Z",
            ),
        ],
    )
    result = run_cli("import", warc, "--root", root)
    assert result.status == 0, result.err
    written = {a.fields["original_url"]: a.fields for a in articles(root).values()}
    assert set(written) == {"https://coast.example/a", "https://coast.example/b"}
    # The page's own date wins; the crawl date is only a fallback.
    assert dt.datetime.fromisoformat(written["https://coast.example/a"]["date"]) == dt.datetime(
        2025, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    assert dt.datetime.fromisoformat(written["https://coast.example/b"]["date"]) == dt.datetime(
        2025, 11, 2, 8, 30, tzinfo=dt.UTC
    )
    assert (
        written["https://coast.example/b"]["imported_from"]["source"]
        == f"{warc}#urn:uuid:00000000-0000-4000-8000-000000000001"
    )
    assert (
        "skipped 8 WARC records that are not HTML pages with status 200: 5 request, "
        "1 HTTP 301, 1 HTTP 404, 1 not HTML" in result.out
    )
    assert result.out.strip().endswith("records skipped 8")


def test_warc_found_by_content_and_forced_format(
    run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    records = [
        (
            "https://coast.example/a",
            "200 OK",
            page("Water board approves desalination plant"),
            "text/html",
            "2025-11-01T12:00:00Z",
        )
    ]
    source = write_records(tmp_path / "plain.warc", records)
    unnamed = tmp_path / "crawl-0001.dat"
    unnamed.write_bytes(write_records(tmp_path / "gz.warc.gz", records).read_bytes())
    result = run_cli("import", unnamed, "--root", root)
    assert result.status == 0, result.err
    assert len(articles(root)) == 1
    shutil.rmtree(root / "content")
    (root / "content").mkdir()
    renamed = tmp_path / "crawl.bin"
    renamed.write_bytes(source.read_bytes())
    result = run_cli("import", renamed, "--format", "warc", "--root", root)
    assert result.status == 0, result.err
    assert len(articles(root)) == 1
    shutil.rmtree(root / "content")
    (root / "content").mkdir()
    whole = tmp_path / "whole.warc.gz"  # gzipped as one stream: warcio needs one per record
    whole.write_bytes(gzip.compress(source.read_bytes()))
    result = run_cli("import", whole, "--root", root)
    assert result.status == 1
    assert "warcio recompress" in result.err


def test_damaged_warc_is_reported_and_other_inputs_imported(
    run_cli: Callable, root: Path, tmp_path: Path, crawl: Path
) -> None:
    broken = tmp_path / "broken.warc.gz"
    data = crawl.read_bytes()
    broken.write_bytes(data[: len(data) // 2] + b"\x1f\x8b\x08garbage")
    not_warc = tmp_path / "notes.warc"
    not_warc.write_text("just some notes\n", encoding="utf-8")
    result = run_cli("import", broken, not_warc, "--root", root)
    assert result.status == 1
    errors = result.err.strip().splitlines()
    assert any(line.startswith(f"{not_warc}: not a WARC file") for line in errors), errors
    assert all(line.startswith((str(broken), str(not_warc))) for line in errors), errors
    assert "Traceback" not in result.err
    assert len(articles(root)) >= 10  # the records before the damage


def test_page_that_crashes_the_cleaner_is_named_and_the_rest_imported(
    run_cli: Callable, root: Path, crawl: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = clean.clean_html

    def fragile(text: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if "Story number 7 " in text:
            raise ValueError("unexpected markup\nsecond line")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(clean, "clean_html", fragile)
    result = run_cli("import", crawl, "--root", root)
    assert result.status == 1
    [error] = result.err.strip().splitlines()
    assert error.startswith(f"{crawl}#urn:uuid:")
    assert error.endswith(": the cleaner failed (ValueError: unexpected markup)")
    assert "failed 1" in result.out.strip().splitlines()[-1]
    assert len(articles(root)) >= 30
