"""Diagnostic: the one shape in which a user mistake is shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.errors import Diagnostic, Diagnostics, UserError, diagnostic


def test_format_with_line_and_hint() -> None:
    item = diagnostic(Path("content/a.md"), 3, "missing required field `date`", "add `date:`")
    assert item.format() == "content/a.md:3: missing required field `date` (add `date:`)"


def test_format_without_line_or_hint() -> None:
    assert Diagnostic("site.yaml", None, "site.yaml not found").format() == (
        "site.yaml: site.yaml not found"
    )


def test_user_error_sorts_by_path_then_line_and_drops_duplicates() -> None:
    items = [
        diagnostic("b.md", 2, "two"),
        diagnostic("a.md", 10, "ten"),
        diagnostic("a.md", 9, "nine"),
        diagnostic("b.md", 2, "two"),
        diagnostic("a.md", None, "whole file"),
    ]
    error = UserError(items)
    assert [d.format() for d in error.diagnostics] == [
        "a.md: whole file",
        "a.md:9: nine",
        "a.md:10: ten",
        "b.md:2: two",
    ]
    assert str(error).splitlines()[1] == "a.md:9: nine"


def test_collector_raises_everything_at_once() -> None:
    problems = Diagnostics()
    problems.raise_if_any()  # nothing recorded: no error
    assert not problems
    problems.add("x.md", 1, "first")
    problems.extend([diagnostic("y.md", 2, "second")])
    assert problems
    with pytest.raises(UserError) as raised:
        problems.raise_if_any()
    assert len(raised.value.diagnostics) == 2
