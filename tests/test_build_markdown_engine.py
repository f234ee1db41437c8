"""The Markdown engine is Python-Markdown unless site.yaml asks for cmark; either way the
body is sanitised, and a bad engine or extension name is a site.yaml error."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import cmarkgfm
from conftest import REPO, Run, page_file, parse_html

from generator.cmark import gfm_to_html

BODY = "| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))\n"


def _site_with(root: Path, setting: str) -> None:
    (root / "site.yaml").write_text(
        (root / "site.yaml").read_text(encoding="utf-8") + setting, encoding="utf-8"
    )
    (root / "content" / "table.md").write_text(
        f"---\ntitle: Table story\ndate: 2025-03-01\n---\n\n{BODY}", encoding="utf-8"
    )


def test_cmark_engine_renders_tables_and_stays_sanitised(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    _site_with(root, "\nmarkdown_engine: cmark\n")
    assert run_cli("build", "--root", root).status == 0
    page = parse_html(page_file(root / "output", "/2025/03/01/table-story/"))
    assert page.find(".//table//td") is not None
    assert page.find(".//script[@type!='application/ld+json']") is None
    assert all("javascript:" not in (a.get("href") or "") for a in page.iter("a"))


def test_unknown_engine_is_reported_with_its_line(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    _site_with(root, "\nmarkdown_engine: commonmark-turbo\n")
    result = run_cli("build", "--root", root)
    assert result.status == 1
    assert "site.yaml:" in result.err and "unknown markdown_engine 'commonmark-turbo'" in result.err


def test_unknown_markdown_extension_is_a_config_error(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    _site_with(root, "\nmarkdown_extensions: [extra, no_such_extension]\n")
    result = run_cli("check", "--root", root)
    assert result.status == 1
    assert "cannot load Markdown extensions" in result.err
    assert "Traceback" not in result.err


def test_cmark_engine_gives_cmarkgfms_html_and_frees_what_cmarkgfm_leaks() -> None:
    """newsdigest calls cmark-gfm itself because cmarkgfm's wrapper never frees the tree or
    the HTML (~30 KB an article): same HTML, and memory that stays put."""
    texts = [BODY, "# Title\n\n~~gone~~ www.example.com\n\n- [x] done\n", "plain *text* é"]
    texts += [path.read_text(encoding="utf-8") for path in sorted((REPO / "content").rglob("*.md"))]
    for text in texts:
        expected = cmarkgfm.github_flavored_markdown_to_html(
            text, options=cmarkgfm.Options.CMARK_OPT_UNSAFE
        )
        assert gfm_to_html(text) == expected
    long_text = "\n\n".join(
        f"Paragraph {n} with *emphasis* and a | table | cell." for n in range(300)
    )
    gfm_to_html(long_text)
    before = _resident_bytes()
    for _ in range(3000):
        gfm_to_html(long_text)
    assert _resident_bytes() - before < 20 * 2**20  # cmarkgfm's own wrapper: ~150 MB here


def _resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
