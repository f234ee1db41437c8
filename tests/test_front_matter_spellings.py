"""Front matter from other tools and typos lose nothing silently: a key one typo away from a
known one is a warning naming it (the build still succeeds), Jekyll's `category:` is read as
tags, and a date in the file name (`2013-05-06-title.md`) stands in for a missing `date:`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Run, parse_html, text_of
from hostile.helpers import make_site

SITE = "title: T\nbase_url: https://t.example/\ntimezone: UTC\n"


def test_a_typo_in_a_key_is_a_warning_naming_the_field(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(
        tmp_path / "site",
        {"a.md": "---\ntitle: A\ndate: 2025-01-01\ntgas: [Port]\nTitel: x\nmy_field: 1\n---\nB.\n"},
        SITE,
    )
    for command in ("check", "build"):
        result = run_cli(command, "--root", root)
        assert result.status == 0, result.err
        warnings = [line for line in result.err.splitlines() if "unknown field" in line]
        assert any(
            "a.md:4: unknown field `tgas` is kept for templates only (did you mean `tags`?)" in line
            for line in warnings
        ), result.err
        assert any("`Titel`" in line and "`title`" in line for line in warnings)
        assert not any("my_field" in line for line in warnings)  # a field of its own


def test_jekyll_category_and_file_name_dates_are_read(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "2013-05-06-harbour-opens.md": "---\ntitle: Harbour opens\ncategory: News\n---\nB.\n",
            "2013-02-30-bad-day.md": "---\ntitle: Bad day\n---\nB.\n",
        },
        SITE,
    )
    result = run_cli("build", "--root", root)
    assert result.status == 1
    assert (
        "2013-02-30-bad-day.md:1: the date in the file name, 2013-02-30, is not a real day"
        in result.err
    )
    (root / "content" / "2013-02-30-bad-day.md").unlink()
    assert run_cli("build", "--root", root).status == 0
    page = root / "output" / "2013" / "05" / "06" / "harbour-opens" / "index.html"
    assert page.is_file()
    assert (root / "output" / "tags" / "news" / "index.html").is_file()
    assert "News" in [text_of(a) for a in parse_html(page).iter("a")]
