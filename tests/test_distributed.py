"""The import on a Dask LocalCluster gives the same files as the local import; failed tasks
are retried; an interrupted import resumes from .newsdigest-cache/import/."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import tree_digest
from test_warc import make_warc_module

from generator.ingest import pipeline, stages
from generator.ingest.command import import_paths
from generator.ingest.executor import DaskExecutor, LocalExecutor

pytest.importorskip("dask.distributed")

RAW = Path(__file__).resolve().parent / "raw"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A generated crawl (duplicates, a 404, a redirect, images) plus text and HTML files."""
    folder = tmp_path_factory.mktemp("inputs")
    crawl = make_warc_module().write_warc(folder / "crawl.warc.gz", 36)
    return [str(crawl), str(RAW)]


@pytest.fixture(scope="module")
def reference(inputs: list[str], tmp_path_factory: pytest.TempPathFactory
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
        inputs: list[str], cluster: DaskExecutor, reference: tuple, tmp_path: Path) -> None:
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


def test_failed_tasks_are_retried(inputs: list[str], cluster: DaskExecutor, reference: tuple,
                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A task that fails (as when its worker dies) runs again; the result is unchanged."""
    real = stages.first_pass
    marker = tmp_path / "failed-once"  # tasks may be serialised: count outside the process

    def flaky(chunk, cache_dir):  # type: ignore[no-untyped-def]
        if chunk.number == 0 and not marker.exists():
            marker.write_text("0")
            raise ConnectionResetError("worker lost")
        return real(chunk, cache_dir)

    monkeypatch.setattr(stages, "first_pass", flaky)
    spread = run(inputs, tmp_path / "dask", cluster, cache=False)
    assert marker.read_text() == "0"
    assert spread == reference[0]
    assert tree_digest(tmp_path / "dask" / "content") == reference[1]


def test_interrupted_import_resumes_without_cleaning_again(
        inputs: list[str], reference: tuple, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "resumed"
    real_write = pipeline._write
    written: list[Path] = []

    def interrupted(action):  # type: ignore[no-untyped-def]
        if len(written) == 10:
            raise KeyboardInterrupt
        written.append(action.path)
        return real_write(action)

    monkeypatch.setattr(pipeline, "_write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(inputs, root, LocalExecutor())
    monkeypatch.setattr(pipeline, "_write", real_write)
    assert len(list((root / "content").rglob("*.md"))) == 10
    assert list((root / ".newsdigest-cache" / "import").rglob("*.pickle"))

    cleaned: list[str] = []
    real_clean = stages.guarded_clean

    def counting(document, context):  # type: ignore[no-untyped-def]
        cleaned.append(document.source)
        return real_clean(document, context)

    monkeypatch.setattr(stages, "guarded_clean", counting)
    status, out, err = run(inputs, root, LocalExecutor())
    assert status == 0, err
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("imported ") and ", unchanged 10," in summary
    # Pages whose batch context did not change come from the cache; only pages next to the
    # ten articles already written (their titles are now in content/) are cleaned again.
    assert len(cleaned) <= 10, cleaned
    assert tree_digest(root / "content") == reference[1]
    shutil.rmtree(root / ".newsdigest-cache")
