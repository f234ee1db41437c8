"""The import on a Dask LocalCluster gives the same files as the local import; failed tasks
are retried; an interrupted import resumes from .newsdigest-cache/import/; no process holds
more than a few chunks of cleaned pages, whatever the size of the input."""

from __future__ import annotations

import gc
import io
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import tree_digest
from test_warc import make_warc_module

from generator.ingest import decisions, dedupe, pipeline, store, tasks, warc
from generator.ingest import inputs as ingest_inputs
from generator.ingest.command import import_paths
from generator.ingest.executor import DaskExecutor, LocalExecutor
from generator.ingest.model import Extracted

pytest.importorskip("dask.distributed")

RAW = Path(__file__).resolve().parent / "raw"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A generated crawl (duplicates, a 404, a redirect, images) plus text and HTML files."""
    folder = tmp_path_factory.mktemp("inputs")
    crawl = make_warc_module().write_warc(folder / "crawl.warc.gz", 36)
    return [str(crawl), str(RAW)]


@pytest.fixture(scope="module")
def reference(
    inputs: list[str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[tuple[int, str, str], dict[str, str]]:
    """The local import's messages and files, made once for the module."""
    root = tmp_path_factory.mktemp("local")
    result = run(inputs, root, LocalExecutor(), cache=False)
    return result, tree_digest(root / "content")


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskExecutor]:
    executor = DaskExecutor(workers=2, processes=False)
    yield executor
    executor.close()


def run(paths: list[str], root: Path, executor: object, **options: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    (root / "content").mkdir(parents=True, exist_ok=True)
    status = import_paths(paths, root, out=out, err=err, executor=executor, **options)
    return status, out.getvalue(), err.getvalue()


def test_two_workers_write_the_same_files_as_a_local_import(
    inputs: list[str], cluster: DaskExecutor, reference: tuple, tmp_path: Path
) -> None:
    local, files = reference
    spread = run(inputs, tmp_path / "dask", cluster, cache=False)
    assert local[0] == 0, local[2]
    assert spread == local  # exit status, every message, the summary
    assert "duplicates merged 0" not in local[1] and "HTTP 404" in local[1]
    assert len(files) >= 30
    assert tree_digest(tmp_path / "dask" / "content") == files
    # Run again on the cluster: nothing changes.
    again = run(inputs, tmp_path / "dask", cluster, cache=False)
    assert again[1].strip().splitlines()[-1].startswith("imported 0, unchanged ")
    assert tree_digest(tmp_path / "dask" / "content") == files


def test_failed_tasks_are_retried(
    inputs: list[str],
    cluster: DaskExecutor,
    reference: tuple,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A task that fails (as when its worker dies) runs again; the result is unchanged."""
    real = tasks.first_pass
    marker = tmp_path / "failed-once"  # tasks may be serialised: count outside the process

    def flaky(chunk, cache_dir):  # type: ignore[no-untyped-def]
        if chunk.number == 0 and not marker.exists():
            marker.write_text("0")
            raise ConnectionResetError("worker lost")
        return real(chunk, cache_dir)

    monkeypatch.setattr(tasks, "first_pass", flaky)
    spread = run(inputs, tmp_path / "dask", cluster, cache=False)
    assert marker.read_text() == "0"
    assert spread == reference[0]
    assert tree_digest(tmp_path / "dask" / "content") == reference[1]


def test_interrupted_import_resumes_without_cleaning_again(
    inputs: list[str], reference: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "resumed"
    real_write = decisions.write
    written: list[Path] = []

    def interrupted(action):  # type: ignore[no-untyped-def]
        if len(written) == 10:
            raise KeyboardInterrupt
        written.append(action.path)
        return real_write(action)

    monkeypatch.setattr(decisions, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(inputs, root, LocalExecutor())
    monkeypatch.setattr(decisions, "write", real_write)
    assert len(list((root / "content").rglob("*.md"))) == 10
    assert list((root / ".newsdigest-cache" / "import").rglob("*.json"))

    cleaned: list[str] = []
    real_clean = tasks.clean_page

    def counting(document, context):  # type: ignore[no-untyped-def]
        cleaned.append(document.source)
        return real_clean(document, context)

    monkeypatch.setattr(tasks, "clean_page", counting)
    status, out, err = run(inputs, root, LocalExecutor())
    assert status == 0, err
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("imported ") and ", unchanged 10," in summary
    # Pages whose batch context did not change come from the cache; only pages next to the
    # ten articles already written (their titles are now in content/) are cleaned again.
    assert len(cleaned) <= 10, cleaned
    assert tree_digest(root / "content") == reference[1]
    shutil.rmtree(root / ".newsdigest-cache")


HELD = 12  # pages a process may hold at once below: a window's and a few chunks'


def live_pages() -> int:
    """Cleaned pages alive in this process (with processes=False, workers' too)."""
    count = sum(1 for item in gc.get_objects() if type(item) is Extracted)
    if count > HELD:  # garbage not yet collected is not held: count again after collecting
        gc.collect()
        count = sum(1 for item in gc.get_objects() if type(item) is Extracted)
    return count


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
    """Chunks of ~4 pages, windows of 3 groups, and a record of the pages alive while the
    coordinator groups and writes; temporary folders go to tmp_path/tmp, to be checked."""
    monkeypatch.setattr(warc, "RECORDS_PER_CHUNK", 8)
    monkeypatch.setattr(ingest_inputs, "FILES_PER_CHUNK", 1)
    monkeypatch.setattr(pipeline, "WINDOW", 3)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    seen: list[int] = []
    real_groups, real_group = dedupe.find_groups, decisions.Planner.group

    def find_groups(*args):  # type: ignore[no-untyped-def]
        seen.append(live_pages())
        return real_groups(*args)

    def group(self, *args):  # type: ignore[no-untyped-def]
        seen.append(live_pages())
        return real_group(self, *args)

    monkeypatch.setattr(dedupe, "find_groups", find_groups)
    monkeypatch.setattr(decisions.Planner, "group", group)
    return seen


@pytest.mark.parametrize("where", ["local", "dask"])
def test_no_process_holds_all_the_pages(
    where: str,
    inputs: list[str],
    reference: tuple,
    cluster: DaskExecutor,
    tmp_path: Path,
    small_pieces: list[int],
) -> None:
    """Pages wait in the store on disk: while grouping and writing, the process (coordinator
    and, here, the workers' threads) holds at most a window's and a few chunks' pages."""
    executor = LocalExecutor() if where == "local" else cluster
    result = run(inputs, tmp_path / "site", executor, cache=False)
    assert result == reference[0]
    assert tree_digest(tmp_path / "site" / "content") == reference[1]
    pages = len(reference[1])
    assert pages >= 30 and small_pieces
    assert max(small_pieces) <= HELD, small_pieces  # all pages held would be > 30
    # --no-cache: the store was a temporary folder, now gone; the cache was not touched.
    assert not list((tmp_path / "tmp").iterdir())
    assert not (tmp_path / "site" / ".newsdigest-cache").exists()


def test_pages_missing_from_the_store_are_made_again(
    inputs: list[str], reference: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that cannot read what another stored (another machine, a failed write)
    cleans the chunk again from the input: same files."""
    real_load = store.load
    calls: list[str] = []

    def forgetful(store: str, key: str, *rest):  # type: ignore[no-untyped-def]
        calls.append(key)
        return real_load(store, key, *rest) if len(calls) % 2 else None

    monkeypatch.setattr(store, "load", forgetful)
    result = run(inputs, tmp_path / "site", LocalExecutor(), cache=False)
    assert len(calls) >= 4
    assert result == reference[0]
    assert tree_digest(tmp_path / "site" / "content") == reference[1]


def test_command_line_workers_in_a_fresh_process(
    inputs: list[str], reference: tuple, tmp_path: Path
) -> None:
    """`newsdigest import --workers 2` as a user runs it: a new interpreter, the scheduler and
    workers in processes of their own; same messages and files as the local import."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    command = [sys.executable, "-m", "generator", "import", *inputs, "--root", str(root)]
    done = subprocess.run(
        [*command, "--workers", "2", "--no-cache"], capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout) == reference[0][:2], done.stderr[-2000:]
    assert tree_digest(root / "content") == reference[1]
