"""Progress and output: a bar only on a terminal, --quiet/--verbose, colours and NO_COLOR."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run

import generator.core.console as progress
from generator.build import workers
from generator.build.pipeline import BuildOptions, build_site
from generator.core.console import QUIET, VERBOSE, Console
from generator.core.errors import Diagnostic


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "BAR_DELAY", 0.0)
    monkeypatch.setattr(progress, "REDRAW_EVERY", 0.0)


def test_bar_on_a_terminal_is_drawn_then_cleared() -> None:
    err = Terminal()
    console = Console(err=err, out=io.StringIO(), environ={})
    for done in range(0, 11):
        console.progress("render", done, 10)
    text = err.getvalue()
    assert "render   [##############--------------] 5/10  50%" in text
    assert text.endswith("\r\x1b[K")  # nothing left on the line afterwards


@pytest.mark.parametrize(
    ("stream", "environ", "level"),
    [
        (io.StringIO(), {}, 1),  # piped
        (Terminal(), {"CI": "true"}, 1),  # CI
        (Terminal(), {"TERM": "dumb"}, 1),
        (Terminal(), {}, QUIET),
    ],
)
def test_no_bar_when_piped_in_ci_or_quiet(stream: io.StringIO, environ: dict, level: int) -> None:
    console = Console(level, err=stream, out=io.StringIO(), environ=environ)
    for done in range(11):
        console.progress("render", done, 10)
    assert stream.getvalue() == ""


def test_colours_only_on_a_terminal_and_never_with_no_color() -> None:
    problem = Diagnostic("content/a.md", 3, "invalid date", "use 2026-01-31")
    plain = "content/a.md:3: invalid date (use 2026-01-31)"
    for err, environ, coloured in [
        (Terminal(), {}, True),
        (Terminal(), {"NO_COLOR": "1"}, False),
        (io.StringIO(), {}, False),
    ]:
        Console(err=err, environ=environ).diagnostic(problem)
        text = err.getvalue()
        assert ("\x1b[" in text) is coloured
        assert text.replace("\x1b[1m", "").replace("\x1b[31m", "").replace("\x1b[0m", "") == (
            plain + "\n"
        )


def test_messages_by_level() -> None:
    for level, expected in [(QUIET, ["error"]), (1, ["info", "warn", "error"]), (VERBOSE, None)]:
        out, err = io.StringIO(), io.StringIO()
        console = Console(level, out=out, err=err, environ={})
        console.info("info")
        console.warn("warn")
        console.detail("detail")
        console.error("error")
        shown = (out.getvalue() + err.getvalue()).split()
        assert sorted(shown) == sorted(expected or ["info", "warn", "detail", "error"])


def test_build_reports_parse_and_render_progress(
    site_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The basic site's few files would be parsed ahead, in a child forked while the cache
    # loads, wherever no other thread runs (alone, or first in a run): nothing then waits on
    # a parse to report. None is parsed ahead here, so the parse runs where it reports.
    monkeypatch.setattr(workers, "AHEAD_AT_MOST", 0)
    seen: list[tuple[str, int, int]] = []
    root = site_copy("basic")
    build_site(BuildOptions(root=root, workers=1, progress=lambda *call: seen.append(call)))
    stages = {stage for stage, _done, _total in seen}
    assert stages == {"parse", "render"}
    for stage in stages:
        calls = [(done, total) for name, done, total in seen if name == stage]
        assert calls[-1][0] == calls[-1][1]  # ends complete
        assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_quiet_prints_nothing_on_success(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    result = run_cli("build", "--root", root, "--quiet")
    assert result.status == 0 and result.out == "" and result.err == ""
    assert run_cli("check", "--root", root, "-q").out == ""


def test_quiet_still_prints_errors(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    (root / "content" / "bad.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    result = run_cli("build", "--root", root, "--quiet")
    assert result.status == 1
    assert "bad.md:1: missing required field `date`" in result.err
    assert "\x1b[" not in result.err  # not a terminal: no colour codes


def test_verbose_adds_timings_and_unchanged_pages(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    run_cli("build", "--root", root)
    result = run_cli("build", "--root", root, "--verbose")
    assert result.status == 0
    assert re.search(r"^  \w+ +[\d.]+ ms$", result.err, re.MULTILINE), result.err
    assert "pages unchanged since the last build, not rendered" in result.err
    assert result.out.startswith("Built ")


def test_quiet_and_verbose_exclude_each_other(run_cli: Callable[..., Run]) -> None:
    result = run_cli("build", "--quiet", "--verbose")
    assert result.status == 2 and "not allowed with" in result.err
