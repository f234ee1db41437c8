"""The sizes of the last build's files, measured by a forked child beside the build
(generator/build/sizes.py): the same figures as a stat here, whatever the child does."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build import forked, sizes
from generator.build.sizes import MISSING, OutputSizes, output_sizes

PATHS = ["index.html", "a/b/page.html", "gone.html", "a", "../outside.html"]


@pytest.fixture
def output(tmp_path: Path) -> Path:
    folder = tmp_path / "output"
    (folder / "a" / "b").mkdir(parents=True)
    (folder / "index.html").write_bytes(b"x" * 1234)
    (folder / "a" / "b" / "page.html").write_bytes(b"")
    (tmp_path / "outside.html").write_bytes(b"y" * 7)
    return folder


def _expected(folder: Path) -> list[int]:
    found = []
    for path in PATHS:
        try:
            found.append((folder / path).stat().st_size)
        except OSError:
            found.append(MISSING)
    return found


def _counting_forks(monkeypatch: pytest.MonkeyPatch, alone: bool = True) -> list[int]:
    """Count the children forked. `alone`: as in a build run from the command line, where
    no other thread runs (in this test process, earlier tests may have left some idle)."""
    if alone:
        monkeypatch.setattr(forked.threading, "active_count", lambda: 1)
    children: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        child = real_fork()
        if child:
            children.append(child)
        return child

    monkeypatch.setattr(os, "fork", fork)
    return children


def _in_child(monkeypatch: pytest.MonkeyPatch, instead: Callable[[], object]) -> None:
    """Make the child do `instead` where it would measure; this process measures as ever."""
    parent = os.getpid()
    real_measure = sizes._measure

    def measure(dest: Path, paths: list[str]) -> object:
        if os.getpid() != parent:
            instead()
        return real_measure(dest, paths)

    monkeypatch.setattr(sizes, "_measure", measure)


def test_a_child_measures_what_a_stat_here_finds(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = _counting_forks(monkeypatch)
    with output_sizes(output, PATHS) as measured:
        assert list(measured.sizes()) == _expected(output)
    assert len(children) == 1
    with pytest.raises(ChildProcessError):  # reaped
        os.waitpid(children[0], os.WNOHANG)


def test_a_child_that_fails_is_measured_again_here(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = _counting_forks(monkeypatch)
    _in_child(monkeypatch, lambda: os._exit(3))
    with output_sizes(output, PATHS) as measured:
        assert list(measured.sizes()) == _expected(output)
    assert len(children) == 1


def test_a_child_nobody_waits_for_is_stopped_and_reaped(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails before it checks its output does not wait for the child."""
    children = _counting_forks(monkeypatch)
    _in_child(monkeypatch, lambda: time.sleep(120))
    statuses = []
    real_waitpid = os.waitpid

    def waitpid(pid: int, options: int) -> tuple[int, int]:
        reaped = real_waitpid(pid, options)
        statuses.append(reaped[1])
        return reaped

    monkeypatch.setattr(os, "waitpid", waitpid)
    with pytest.raises(RuntimeError), output_sizes(output, PATHS):
        raise RuntimeError("the build failed")
    assert len(children) == 1 and len(statuses) == 1
    assert os.WIFSIGNALED(statuses[0])


def test_no_child_is_forked_while_other_threads_run(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = _counting_forks(monkeypatch, alone=False)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        with output_sizes(output, PATHS) as measured:
            assert list(measured.sizes()) == _expected(output)
    finally:
        release.set()
        other.join()
    assert children == []


def test_a_missing_output_folder_has_no_files(tmp_path: Path) -> None:
    measured = OutputSizes(tmp_path / "nothing", PATHS)
    try:
        assert list(measured.sizes()) == [MISSING] * len(PATHS)
    finally:
        measured.close()
