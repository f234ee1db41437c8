"""Parsing ahead (workers.ParsedAhead): the article files whose bytes changed since the last
scan are parsed in a forked child while the build loads its cache. It may only make builds
faster: output/ is what a cold build writes, whether the child parsed, failed, was not
needed or was not started."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from conftest import copy_example_site, tree_digest
from forks import counting_forks, fork_as_if_alone

from generator.build import forked, scan, workers
from generator.build.pipeline import BuildOptions, BuildResult, build_site
from generator.core.errors import UserError

NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
EDITED = "18-overnight-tram.md"


def _build(root: Path, **options: object) -> BuildResult:
    return build_site(BuildOptions(root=root, now=NOW, **options))  # type: ignore[arg-type]


def _cold_digest(root: Path, scratch: Path) -> dict[str, str]:
    if scratch.exists():
        shutil.rmtree(scratch)
    _build(root, output=scratch, use_cache=False)
    return tree_digest(scratch)


def _article(root: Path, name: str) -> Path:
    return next((root / "content").rglob(name))


def _append(root: Path, name: str, text: str) -> None:
    path = _article(root, name)
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example site, built once, its files' stamps remembered at once (as files older
    than a couple of seconds are), forking allowed as in a build run from the command line."""
    monkeypatch.setattr(scan, "SETTLE_NS", 0)
    fork_as_if_alone(monkeypatch)
    root = copy_example_site(tmp_path / "site")
    _build(root)
    return root


def _parses_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parse_article is called for in this process (a child's calls are its own)."""
    parent = os.getpid()
    shown: list[str] = []
    real = workers.parse_article

    def counting(raw: bytes, source: str, settings: object) -> object:
        if os.getpid() == parent:
            shown.append(Path(source).name)
        return real(raw, source, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(workers, "parse_article", counting)
    return shown


def _asked_ahead(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The files each build asks to be parsed ahead, by name."""
    asked: list[list[str]] = []

    class Recording(workers.ParsedAhead):
        def __init__(self, files: Sequence[tuple[str, str, str]], settings: object) -> None:
            asked.append([Path(path).name for path, _relative, _shown in files])
            super().__init__(files, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(workers, "ParsedAhead", Recording)
    return asked


def _in_child(monkeypatch: pytest.MonkeyPatch, instead: Callable[[], object]) -> None:
    """Make the child that parses ahead do `instead` where it would parse."""
    parent = os.getpid()
    real = workers._parse_alone

    def parse_alone(files: Sequence[tuple[str, str, str]], settings: object) -> object:
        if os.getpid() != parent:
            instead()
        return real(files, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(workers, "_parse_alone", parse_alone)


def _edit_title(root: Path) -> None:
    path = _article(root, "17-walk-in-flu-clinics.md")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title:", "title: Updated headline\nold_title:", 1), "utf-8")


def _retag(root: Path) -> None:
    path = _article(root, "16-central-library-late-opening.md")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("tags:", "tags: [Libraries]\nold_tags:", 1), "utf-8")


def _add(root: Path) -> None:
    (root / "content" / "new.md").write_text(
        "---\ntitle: A brand new story\ndate: 2026-11-23T10:00:00\ntags: [Transport]\n---\n\nFresh.\n",
        encoding="utf-8",
    )


CHANGES: dict[str, tuple[Callable[[Path], None], str]] = {
    "edit body": (lambda root: _append(root, EDITED, "\nOne more paragraph.\n"), EDITED),
    "edit title": (_edit_title, "17-walk-in-flu-clinics.md"),
    "change tags": (_retag, "16-central-library-late-opening.md"),
    "add file": (_add, "new.md"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_file_is_parsed_in_the_child_alone(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    make_change, changed = CHANGES[change]
    asked = _asked_ahead(monkeypatch)
    here = _parses_here(monkeypatch)
    make_change(site)
    assert _build(site).written
    assert asked == [[changed]]
    assert here == []  # the child parsed it
    assert tree_digest(site / "output") == _cold_digest(site, tmp_path / "cold")


def test_a_child_that_fails_leaves_the_parse_to_this_process(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_child(monkeypatch, lambda: os._exit(3))
    here = _parses_here(monkeypatch)
    _append(site, EDITED, "\nOne more paragraph.\n")
    assert _build(site).written
    assert here == [EDITED]
    assert tree_digest(site / "output") == _cold_digest(site, tmp_path / "cold")


def test_a_parse_error_found_in_the_child_is_reported_as_ever(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = _parses_here(monkeypatch)
    path = _article(site, EDITED)
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "titel:", 1), "utf-8")
    with pytest.raises(UserError) as raised:
        _build(site)
    assert here == []
    assert any(problem.path.endswith(EDITED) for problem in raised.value.diagnostics)


def test_files_only_touched_are_not_parsed_ahead(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _asked_ahead(monkeypatch)
    path = _article(site, EDITED)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    _append(site, "17-walk-in-flu-clinics.md", "\nMore.\n")
    _build(site)
    assert asked == [["17-walk-in-flu-clinics.md"]]


def test_more_changed_files_than_a_child_takes_are_parsed_here(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "AHEAD_AT_MOST", 1)
    children = _counting_children(monkeypatch)
    here = _parses_here(monkeypatch)
    _append(site, EDITED, "\nOne more paragraph.\n")
    _append(site, "17-walk-in-flu-clinics.md", "\nMore.\n")
    _build(site)
    assert sorted(here) == ["17-walk-in-flu-clinics.md", EDITED]
    assert children == ["sizes"]  # the output check's child only


def test_a_child_whose_parse_nobody_needs_is_stopped_and_reaped(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails before it parses (here: a broken template) does not wait."""
    children = _counting_children(monkeypatch)
    forked_pids = counting_forks(monkeypatch)
    _in_child(monkeypatch, lambda: time.sleep(120))
    (site / "templates").mkdir()
    (site / "templates" / "base.html").write_text("{% block %}", encoding="utf-8")
    _append(site, EDITED, "\nOne more paragraph.\n")
    with pytest.raises(UserError):
        _build(site)
    assert children == ["sizes", "ahead"]
    for pid in forked_pids:
        with pytest.raises(ChildProcessError):  # reaped
            os.waitpid(pid, os.WNOHANG)


def _counting_children(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which of the build's children are forked: the output check's, the parse's."""
    children: list[str] = []
    real_init = forked.ForkedCall.__init__

    def init(self: forked.ForkedCall, compute: Callable[[], bytes]) -> None:
        owner = getattr(compute, "__qualname__", "")
        children.append("ahead" if "ParsedAhead" in owner else "sizes")
        real_init(self, compute)

    monkeypatch.setattr(forked.ForkedCall, "__init__", init)
    return children
