"""Hostile and careless inputs to `newsdigest import` (issue 18): every format sanitised,
one URL policy, bounded cost, one error line per bad record, file names that fit.

Whatever the importer writes must build: articles are checked with the build's own parser.
"""

from __future__ import annotations

import errno
import json
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build.article import Article, BrokenDraft, parse_article, render_markdown
from generator.build.config import ParseSettings
from generator.core.frontmatter import FrontMatter, parse_front_matter
from generator.ingest.command import import_paths
from generator.ingest.sanitize import page_url, safe_url, sanitize_markdown

REPO = Path(__file__).resolve().parent.parent
STORY = (
    "The regional water board approved a plan on Monday to build a desalination plant on the "
    "northern coast, ending a debate that has divided the council for more than two years. "
    "Environmental groups said they would challenge the decision in court, arguing that the "
    "brine released into the sea would harm fishing grounds near the harbour."
)
OTHER_STORY = (
    "Workers finished repairing the old harbour wall on Friday, three months after a winter "
    "storm tore a gap into it and flooded the fish market. The town paid for the work from "
    "its reserves and hopes the national flood fund will repay part of the cost next year."
)
TRUSTED = [
    ParseSettings(trust_html=True),
    ParseSettings(trust_html=True, markdown_engine="cmark"),
]


class _Links(HTMLParser):
    """Every URL attribute and every element of rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction", "srcset", "poster"):
                self.urls.append(value or "")
            if name.startswith("on"):
                self.handlers.append(name)


def _scheme_seen_by_a_browser(url: str) -> str:
    plain = re.sub(r"[\x00-\x20\x7f]", "", url).casefold()
    match = re.match(r"([a-z][a-z0-9+.-]*):", plain)
    return match.group(1) if match else ""


def assert_inert(markdown: str) -> None:
    """Rendered as a site with `trust_html: true` renders it (both engines): no script, no
    event handler, no URL with a scheme other than http(s) or mailto."""
    for options in TRUSTED:
        links = _Links()
        links.feed(render_markdown(markdown, options))
        assert not {"script", "iframe", "object", "embed", "img", "svg"} & set(links.tags), (
            markdown,
            links.tags,
        )
        assert not links.handlers, (markdown, links.handlers)
        for url in links.urls:
            assert _scheme_seen_by_a_browser(url) in ("", "http", "https", "mailto"), (
                markdown,
                url,
            )


BYPASSES = [
    "[a](javascript:alert%281%29 'x')",
    '[a](javascript:alert(1) "x")',
    "[a](javascript:alert(1) (x))",
    "> [r]: javascript:alert(1)\n\n[x][r]",
    "> > [r]: javascript:alert(1)\n\n[x][r] and [r]",
    "- [r]: javascript:alert(1)\n\n[x][r]",
    "[r]:\n  javascript:alert(1)\n\n[x][r]",
    "[a](jav&#x61;script:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](JAVASCRIPT:alert(1))",
    "[a](JavaScript:alert(1))",
    "[a](java\tscript:alert(1))",
    "[a](java script:alert(1))",
    "[a](<java\tscript:alert(1)>)",
    "[a](<javascript:alert(1)>)",
    "[a](\x01javascript:alert(1))",
    "[a](java\nscript:alert(1))",
    "[a\nb](javascript:alert(1))",
    "[a [b] c](javascript:alert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "\\<script>alert(1)\\</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]


@pytest.mark.parametrize("markdown", BYPASSES)
def test_the_sanitiser_leaves_no_live_script(markdown: str) -> None:
    out = sanitize_markdown(markdown, "https://news.example/story/")
    assert_inert(out)
    assert_inert(sanitize_markdown(out, "https://news.example/story/"))  # idempotent enough


def test_safe_links_survive_the_sanitiser() -> None:
    base = "https://news.example/a/"
    assert sanitize_markdown("[x](/b)", base) == "[x](https://news.example/b)"
    assert sanitize_markdown("[x](c)", base) == "[x](https://news.example/a/c)"
    assert sanitize_markdown("[x](mailto:ed@news.example)", base) == ("[x](mailto:ed@news.example)")
    assert sanitize_markdown("[x](https://w.example/A_(b) 'T')", base) == (
        "[x](https://w.example/A_(b))"
    )
    assert sanitize_markdown("see [note] (below)", base) == "see [note] (below)"


@pytest.mark.parametrize(
    ("url", "link", "page"),
    [
        ("https://a.example/x", "https://a.example/x", "https://a.example/x"),
        ("HTTP://A.example", "HTTP://A.example", "HTTP://A.example"),
        ("/x", "/x", None),
        ("mailto:ed@a.example", "mailto:ed@a.example", None),
        ("javascript:alert(1)", None, None),
        ("jav&#x61;script:alert(1)", None, None),
        (" java\tscript:alert(1)", None, None),
        ("//evil.example/x", None, None),
        ("https://", "https://", None),
        ("ftp://a.example/f", None, None),
    ],
)
def test_one_url_policy(url: str, link: str | None, page: str | None) -> None:
    assert safe_url(url) == link
    assert page_url(url) == page


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "site" / "content").mkdir(parents=True)
    return tmp_path / "site"


def written(root: Path) -> dict[Path, FrontMatter]:
    found = {}
    for path in sorted((root / "content").rglob("*.md")):
        parsed = parse_front_matter(path.read_text(encoding="utf-8"), path)
        assert isinstance(parsed, FrontMatter), parsed
        found[path] = parsed
    return found


def assert_builds(root: Path) -> None:
    """Every written article is one the build accepts (drafts may await review)."""
    for path in sorted((root / "content").rglob("*.md")):
        result = parse_article(path.read_bytes(), str(path), ParseSettings())
        assert isinstance(result, (Article, BrokenDraft)), (path, result)
        if isinstance(result, BrokenDraft):
            assert "draft: true" in path.read_text(encoding="utf-8")


HOSTILE_BODY = (
    f"{STORY}\n\nThe council said the vote <script>alert(1)</script> was close, and the mayor "
    "<img src=x onerror=alert(1)> called it a turning point for the region and its farms.\n\n"
    "Critics of the plan [said](javascript:alert(1)) that the board had ignored the fishermen "
    "and [published](javascript:alert%281%29 'x') a report that nobody in the town had read.\n\n"
    "> [r]: javascript:alert(1)\n\nThe board answered that [its study][r] was public and that "
    f"it had held three hearings on the project in the last year.\n\n{STORY}\n"
)


@pytest.mark.parametrize("kind", ["text", "jsonl"])
def test_every_input_format_is_sanitised(
    kind: str, run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    if kind == "text":
        source = tmp_path / "page.txt"
        source.write_text(f"Water board approves plant\n\n{HOSTILE_BODY}", encoding="utf-8")
    else:
        source = tmp_path / "page.jsonl"
        record = {"title": "Water board approves plant", "date": "2025-09-01"}
        source.write_text(json.dumps({**record, "text": HOSTILE_BODY}) + "\n", encoding="utf-8")
    result = run_cli("import", source, "--root", root)
    assert result.status == 0, result.err
    [article] = written(root).values()
    assert "the mayor" in article.body and "Critics of the plan" in article.body
    assert "three hearings" in article.body
    assert_inert(article.body)
    assert_builds(root)


def test_only_urls_the_build_accepts_are_written(
    run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    """`url: "/x"` or `mailto:` used to become original_url, and every later build failed."""
    urls = ["/x", "mailto:ed@news.example", "javascript:alert(1)", "https://news.example/ok"]
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(
            json.dumps(
                {
                    "title": f"Story {town} votes on the plant",
                    "date": "2025-09-01",
                    "url": url,
                    "text": f"In {town}: {STORY}".replace("the ", f"the {town} "),
                }
            )
            + "\n"
            for town, url in zip(("Ayr", "Bude", "Cork", "Deal"), urls, strict=True)
        ),
        encoding="utf-8",
    )
    result = run_cli("import", source, "--root", root)
    assert result.status == 0, result.err
    originals = sorted(
        article.fields.get("original_url", "-") for article in written(root).values()
    )
    assert originals == ["-", "-", "-", "https://news.example/ok"]
    assert_builds(root)


def test_each_bad_record_is_one_error_line_and_the_rest_is_imported(
    run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    good = json.dumps({"title": "Water board approves plant", "date": "2025-09-01", "text": STORY})
    lines = [
        good,
        '{"title": "Big", "text": "' + STORY + '", "n": ' + "9" * 5000 + "}",
        '{"title": "Lone \\ud800 surrogate", "text": "' + STORY + '"}',
        '{"title": "Lone surrogate in text", "text": "' + STORY + ' \\udfff"}',
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    year_one = tmp_path / "year.jsonl"
    record = {"title": "Harbour wall repaired", "date": "0001-01-01T00:00:00+14:00"}
    year_one.write_text(json.dumps({**record, "text": OTHER_STORY}) + "\n")
    charset = tmp_path / "charset.html"
    charset.write_text(
        '<html><head><meta charset="undefined"></head><body><p>' + STORY + "</p></body></html>"
    )
    result = run_cli("import", source, year_one, charset, "--root", root)
    assert result.status == 1
    assert "Traceback" not in result.err
    errors = result.err.strip().splitlines()
    assert errors == [
        f"{source}:2: malformed JSON: a number too long to read",
        f"{source}:3: a lone UTF-16 surrogate (\\ud800) is not text "
        "(fix the scraper: JSON \\u escapes must come in valid pairs)",
        f"{source}:4: a lone UTF-16 surrogate (\\udfff) is not text "
        "(fix the scraper: JSON \\u escapes must come in valid pairs)",
        f"{charset}: unknown character encoding 'undefined'",
    ], errors
    summary = result.out.strip().splitlines()[-1]
    assert summary.startswith("imported 2,") and summary.endswith("failed 4"), summary
    titles = sorted(article.fields["title"] for article in written(root).values())
    assert titles == ["Harbour wall repaired", "Water board approves plant"]
    assert_builds(root)


def test_a_long_cjk_headline_gives_a_file_name_that_fits(
    run_cli: Callable, root: Path, tmp_path: Path
) -> None:
    """81 characters of a 4-byte script used to give a 300-byte file name: the report said
    both "wrote" and "failed". Names are cut by UTF-8 bytes, between characters."""
    title = "\U0002000b\u6728" * 40 + "\U0002000b"
    source = tmp_path / "in.jsonl"
    rows = [
        {"title": title, "date": "2025-09-01", "text": STORY},
        {"title": title, "date": "2025-09-01", "text": OTHER_STORY},
    ]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = run_cli("import", source, "--root", root)
    assert result.status == 0, result.err
    names = [path.name for path in written(root)]
    assert len(names) == 2
    for name in names:
        assert len(name.encode("utf-8")) <= 255
        name.encode("utf-8").decode("utf-8")  # whole characters only
    assert [line.startswith("wrote ") for line in result.out.splitlines()[:-1]] == [True, True]
    assert "failed 0" in result.out.splitlines()[-1]
    assert_builds(root)


def test_a_full_disk_is_one_error_line_and_leaves_no_temporary_file(
    run_cli: Callable, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"title": "Water board approves plant", "date": "2025-09-01", "text": STORY})
        + "\n",
        encoding="utf-8",
    )
    real = Path.write_bytes

    def full(self: Path, data: bytes) -> int:
        if self.is_relative_to(root / "content"):
            real(self, data[: len(data) // 2])  # what a full disk leaves: part of the file
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    result = run_cli("import", source, "--root", root, "--no-cache")
    assert result.status == 1
    [error] = result.err.strip().splitlines()
    assert error.endswith(": cannot write: No space left on device"), error
    assert not any(line.startswith("wrote ") for line in result.out.splitlines())
    assert "imported 0," in result.out and "failed 1" in result.out
    assert not [path for path in (root / "content").rglob("*") if path.is_file()]


def test_the_hostile_inputs_benchmark_finishes() -> None:
    """The worst inputs known, through the importer: each used to take minutes or hours.
    The limit only catches a hang; the script prints the times and ratios."""
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "hostile_inputs.py"), "--only", "import"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = done.stdout.strip().splitlines()[1:]
    assert len(rows) >= 8, done.stdout


_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=40)
    | st.sampled_from(["2025-09-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
_FIELDS = st.sampled_from(
    ["title", "headline", "date", "published", "url", "link", "publisher", "tags", "html"]
)
_BODY = st.one_of(
    st.just(STORY),
    st.text(min_size=1, max_size=300),
    st.sampled_from(BYPASSES).map(lambda attack: f"{STORY}\n\n{attack}\n\n{STORY}"),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    records=st.lists(
        st.fixed_dictionaries({"text": _BODY}, optional={}).flatmap(
            lambda base: st.dictionaries(_FIELDS, _VALUE, max_size=5).map(
                lambda extra: {**base, **extra}
            )
        )
        | _VALUE,
        min_size=1,
        max_size=4,
    ),
    raw=st.sampled_from(["", '{"n": ' + "7" * 5000 + "}", '{"text": "\\ud800x"}', "{"]),
)
def test_random_records_never_stop_the_import_and_always_build(
    records: list[object], raw: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "content").mkdir()
    source = root / "in.jsonl"
    lines = [json.dumps(record) for record in records] + [raw]
    source.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n")
    out, err = _Sink(), _Sink()
    status = import_paths([str(source)], root, out=out, err=err, cache=False)  # type: ignore[arg-type]
    assert status in (0, 1)
    assert "Traceback" not in err.text
    for line in err.text.splitlines():
        assert line.startswith(f"{source}:"), line
    assert_builds(root)
    for article in written(root).values():
        assert_inert(article.body)


class _Sink:
    """A text stream that keeps what is written (capsys does not fit hypothesis)."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass
