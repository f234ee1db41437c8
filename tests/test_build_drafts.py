"""Drafts that do not validate yet (as the importer writes them for review) must not stop a
normal build, but must be reported in full when drafts are asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Run

BROKEN_DRAFT = '---\ndraft: true\nreview: "missing: title, date"\n---\n\nA story body.\n'


def test_broken_draft_is_skipped_and_named(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    (root / "content" / "review-me.md").write_text(BROKEN_DRAFT, encoding="utf-8")
    result = run_cli("build", "--root", root)
    assert result.status == 0
    assert (
        "review-me.md: draft, not valid yet: missing required field `title`; missing required field `date`"
        in result.err
    )
    assert (root / "output" / "index.html").is_file()


def test_broken_draft_is_an_error_with_drafts(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    (root / "content" / "review-me.md").write_text(BROKEN_DRAFT, encoding="utf-8")
    result = run_cli("check", "--root", root, "--drafts")
    assert result.status == 1
    assert "review-me.md:1: missing required field `date`" in result.err
    assert "review-me.md:1: missing required field `title`" in result.err


def test_broken_article_that_is_not_a_draft_still_fails(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    (root / "content" / "oops.md").write_text(
        BROKEN_DRAFT.replace("draft: true", "draft: false"), encoding="utf-8"
    )
    assert run_cli("build", "--root", root).status == 1
