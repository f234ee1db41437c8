"""The importer's shape (see generator/ingest/__init__.py): typed executors, public APIs
between its modules, and content/ read and written the way the build reads it."""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.ingest import executor
from generator.ingest.writer import read_content

INGEST = Path(__file__).resolve().parent.parent / "generator" / "ingest"
STORY = (
    "The regional water board approved a plan on Monday to build a desalination plant on the "
    "northern coast, ending a debate that has divided the council for more than two years. "
    "The plant is expected to supply about a fifth of the region's drinking water in 2029."
)


def test_every_executor_satisfies_the_interface() -> None:
    assert isinstance(executor.LocalExecutor(), executor.Executor)
    members = {name for name in vars(executor.Executor) if not name.startswith("_")}
    for kind in (executor.LocalExecutor, executor.DaskExecutor):
        missing = {name for name in members - {"workers"} if not callable(getattr(kind, name))}
        assert not missing, f"{kind.__name__} lacks {missing}"


def test_no_module_imports_another_modules_private_names() -> None:
    wrong = []
    for path in sorted(INGEST.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                wrong += [
                    f"{path.name}: {alias.name} from {node.module}"
                    for alias in node.names
                    if alias.name.startswith("_")
                ]
    assert not wrong, wrong


def _article(path: Path, title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\ndate: 2025-01-02\n---\n{STORY}\n", encoding="utf-8")


def test_content_is_read_as_the_build_reads_it(tmp_path: Path) -> None:
    """Hidden files and folders are skipped and symbolic links not followed, as the build's
    scan does: the importer indexes exactly the articles the build would publish."""
    content = tmp_path / "content"
    _article(content / "2025" / "01" / "02-real.md", "Real")
    _article(content / ".hidden" / "02-secret.md", "Hidden folder")
    _article(content / "2025" / ".02-draft.md", "Hidden file")
    outside = tmp_path / "outside"
    _article(outside / "02-elsewhere.md", "Outside")
    os.symlink(outside, content / "linked-folder")
    os.symlink(outside / "02-elsewhere.md", content / "2025" / "linked.md")
    index = read_content(content)
    assert sorted(path.relative_to(content).as_posix() for path in index.articles) == [
        "2025/01/02-real.md"
    ]


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    row = {"title": "Water board approves plant", "date": "2025-09-01", "text": STORY}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return path


def test_nothing_is_written_through_a_symlinked_folder(
    run_cli: Callable, tmp_path: Path, record: Path
) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "content" / "2025")
    result = run_cli("import", record, "--root", root)
    assert result.status == 1
    assert not list(outside.rglob("*")), "wrote outside content/"
    [error] = result.err.strip().splitlines()
    assert "content/2025 is a symbolic link" in error, error
    assert error.startswith(str(root / "content" / "2025" / "09" / "01-water-board"))
    summary = result.out.strip().splitlines()
    assert summary == [
        "imported 0, unchanged 0, duplicates merged 0, drafts needing review 0, "
        "kept edited 0, failed 1"
    ], summary
