"""The import's store holds data, never code, and leaves nothing behind (issue 18).

A planted file where the store keeps pages (a pickle that would create a file when
loaded) is ignored with one warning line and the pages are cleaned again; temporary
folders are private, and those of a killed import are removed by the next one.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import tree_digest

from generator.ingest import store

STORY = (
    "The regional water board approved a plan on Monday to build a desalination plant on the "
    "northern coast, ending a debate that has divided the council for more than two years. "
    "Environmental groups said they would challenge the decision in court, arguing that the "
    "brine released into the sea would harm fishing grounds near the harbour."
)


class _Planted:
    """Unpickling this runs `open(marker, "w")`: proof that a loader executed the file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (open, (str(self.marker), "w"))


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    records = tmp_path / "in.jsonl"
    towns = ("Harbourside", "Millbrook", "Eastfield")
    rows = [
        {
            "title": f"{town} votes on the plant",
            "date": "2025-09-01",
            "text": " ".join(f"In {town} {sentence} in {town}." for sentence in STORY.split(". ")),
        }
        for town in towns
    ]
    records.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return root, records


def test_a_planted_pickle_in_the_store_is_never_run(
    run_cli: Callable, project: tuple[Path, Path], tmp_path: Path
) -> None:
    root, records = project
    first = run_cli("import", records, "--root", root)
    assert first.status == 0, first.err
    written = tree_digest(root / "content")
    entries = sorted((root / ".newsdigest-cache" / "import").rglob("*.json"))
    assert entries
    marker = tmp_path / "executed"
    payload = pickle.dumps(_Planted(marker))
    for entry in entries:
        entry.write_bytes(payload)  # where the store reads
        entry.with_suffix(".pickle").write_bytes(payload)  # where it used to read
    spill = Path(tempfile.gettempdir()) / "newsdigest-spill-0000000000000000"
    again = run_cli("import", records, "--root", root, "--force")
    assert not marker.exists(), "a store entry was executed"
    assert again.status == 0, again.err
    warnings = again.err.strip().splitlines()
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("warning: ") and "ignored" in warnings[0]
    assert "unchanged 3" in again.out.strip().splitlines()[-1]
    assert tree_digest(root / "content") == written
    assert not spill.exists()
    # The pages were cleaned again and stored as data: a third run reads them quietly.
    third = run_cli("import", records, "--root", root)
    assert (third.status, third.err) == (0, "")


@pytest.mark.parametrize(
    "entry",
    [
        b"not json",
        b'{"format": "newsdigest-import-store/1", "key": "K", "value": {"$": "os.system"}}',
        b'{"format": "newsdigest-import-store/1", "key": "other", "value": []}',
        b'{"format": "newsdigest-import-store/1", "key": "K", "value": '
        b'{"$": "Extracted", "v": {"title": 5}}}',
    ],
)
def test_a_foreign_entry_is_ignored_with_a_warning(
    entry: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "ab" * 32
    path = tmp_path / key[:2] / f"{key}.json"
    path.parent.mkdir()
    path.write_bytes(entry.replace(b'"K"', f'"{key}"'.encode()))
    store._warned.discard(str(tmp_path))
    assert store.load(str(tmp_path), key) is None
    assert store.load(str(tmp_path), key) is None
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"warning: {path}: ")


def test_a_full_disk_leaves_no_temporary_file_in_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    store.save(str(tmp_path / "cache"), "cd" * 32, ["page"])
    monkeypatch.setattr(os, "replace", real_replace)
    left = [path for path in (tmp_path / "cache").rglob("*") if path.is_file()]
    assert not left, left
    fallback = store._fallbacks.pop(str(tmp_path / "cache"), None)  # the private fallback
    assert fallback is not None and not [p for p in fallback.rglob("*.tmp")]
    store.drop(str(fallback), temporary=True)


def test_folders_of_a_killed_import_are_removed_by_the_next(
    run_cli: Callable, project: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`import --no-cache` killed with SIGKILL cannot tidy up: its private folder holds a lock
    that dies with it, and the next import removes folders whose lock is free."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    script = textwrap.dedent(
        f"""
        import sys, tempfile, time
        sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})
        tempfile.tempdir = {str(temporary)!r}
        from generator.ingest import store
        folder = store.private_folder()
        open(folder + "/page.json", "w").write("{{}}")
        print(folder, flush=True)
        time.sleep(600)
        """
    )
    killed = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert killed.stdout is not None
    left = Path(killed.stdout.readline().strip())
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    running = Path(store.private_folder())  # a live import's folder: kept
    store.sweep()
    assert left.exists()  # its owner still runs
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=60)
    root, records = project
    result = run_cli("import", records, "--root", root, "--no-cache")
    assert result.status == 0, result.err
    assert not left.exists()
    assert running.exists()
    store.drop(str(running), temporary=True)
    assert not list(temporary.iterdir())
