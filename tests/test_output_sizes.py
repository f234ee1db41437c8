"""Which of the last build's files are not as it wrote them, found by a forked child beside
the build (generator/build/sizes.py): the same answer as a stat here, whatever the child
does."""

from __future__ import annotations

import os
import threading
import time
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest
from forks import counting_forks

from generator.build import forked, sizes
from generator.build.sizes import MISSING, OutputSizes, output_sizes

PATHS = ["index.html", "a/b/page.html", "gone.html", "a", "../outside.html", "same.html"]
# What the last build recorded: index.html and same.html as they are, page.html at another
# size than it has now, gone.html where there is none.
WRITTEN = [1234, 5, 10, 1, 7, 3]


@pytest.fixture
def output(tmp_path: Path) -> Path:
    folder = tmp_path / "output"
    (folder / "a" / "b").mkdir(parents=True)
    (folder / "index.html").write_bytes(b"x" * 1234)
    (folder / "a" / "b" / "page.html").write_bytes(b"")
    (folder / "same.html").write_bytes(b"abc")
    (tmp_path / "outside.html").write_bytes(b"y" * 7)
    return folder


def _expected(folder: Path) -> frozenset[str]:
    """The paths whose file a stat here finds gone or of another size than WRITTEN."""
    found = set()
    for path, written in zip(PATHS, WRITTEN, strict=True):
        try:
            size = (folder / path).stat().st_size
        except OSError:
            size = MISSING
        if size != written:
            found.add(path)
    return frozenset(found)


def _in_child(monkeypatch: pytest.MonkeyPatch, instead: Callable[[], object]) -> None:
    """Make the child do `instead` where it would measure; this process measures as ever."""
    parent = os.getpid()
    real_measure = sizes._measure

    def measure(dest: Path, paths: list[str]) -> object:
        if os.getpid() != parent:
            instead()
        return real_measure(dest, paths)

    monkeypatch.setattr(sizes, "_measure", measure)


def test_a_child_finds_what_a_stat_here_finds(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = counting_forks(monkeypatch)
    with output_sizes(output, PATHS, WRITTEN) as measured:
        assert measured.changed() == _expected(output)
        assert measured.changed() == {"a/b/page.html", "gone.html", "a"}
    assert len(children) == 1
    with pytest.raises(ChildProcessError):  # reaped
        os.waitpid(children[0], os.WNOHANG)


def test_a_child_that_fails_is_measured_again_here(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = counting_forks(monkeypatch)
    _in_child(monkeypatch, lambda: os._exit(3))
    with output_sizes(output, PATHS, WRITTEN) as measured:
        assert measured.changed() == _expected(output)
    assert len(children) == 1


def test_a_child_nobody_waits_for_is_stopped_and_reaped(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails before it checks its output does not wait for the child."""
    children = counting_forks(monkeypatch)
    _in_child(monkeypatch, lambda: time.sleep(120))
    statuses = []
    real_waitpid = os.waitpid

    def waitpid(pid: int, options: int) -> tuple[int, int]:
        reaped = real_waitpid(pid, options)
        statuses.append(reaped[1])
        return reaped

    monkeypatch.setattr(os, "waitpid", waitpid)
    with pytest.raises(RuntimeError), output_sizes(output, PATHS, WRITTEN):
        raise RuntimeError("the build failed")
    assert len(children) == 1 and len(statuses) == 1
    assert os.WIFSIGNALED(statuses[0])


def test_no_child_is_forked_while_other_threads_run(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children = counting_forks(monkeypatch, alone=False)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        with output_sizes(output, PATHS, WRITTEN) as measured:
            assert measured.changed() == _expected(output)
    finally:
        release.set()
        other.join()
    assert children == []


def test_a_missing_output_folder_has_no_files(tmp_path: Path) -> None:
    measured = OutputSizes(tmp_path / "nothing", PATHS, WRITTEN)
    try:
        assert measured.changed() == frozenset(PATHS)
    finally:
        measured.close()


def test_an_answer_a_child_could_not_send_is_not_believed(
    output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child that sends a position past the list, or a part of one, is looked at here."""
    counting_forks(monkeypatch)
    for answer in (array("I", [0, 99]).tobytes(), b"\x01\x00"):
        monkeypatch.setattr(forked.ForkedCall, "result", lambda self, answer=answer: answer)
        with output_sizes(output, PATHS, WRITTEN) as measured:
            assert measured.changed() == _expected(output)


def test_the_answer_names_only_the_files_not_as_written(tmp_path: Path) -> None:
    """The child's answer holds the positions of the files not as written and nothing for
    the others: one number for 20,000 files here (an intact output's is empty), so it fits
    the pipe at any archive size and the child leaves as soon as it has looked."""
    folder = tmp_path / "output"
    folder.mkdir()
    paths = [f"page-{number}.html" for number in range(20_000)]
    for path in paths[:3]:
        (folder / path).write_bytes(b"12345")
    written = [5, 5, 4] + [MISSING] * (len(paths) - 3)  # the rest: gone, as recorded
    measured = OutputSizes(folder, paths, written)
    try:
        assert list(measured._positions()) == [2]
        assert measured.changed() == {paths[2]}
    finally:
        measured.close()


def test_one_recorded_size_per_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        OutputSizes(tmp_path, PATHS, WRITTEN[:-1])
