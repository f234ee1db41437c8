"""Issue 18, point 8 (the build's part): inputs that used to hang, read gigabytes, publish
outside files or forge lines of output."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, Run
from hostile.helpers import article, assert_located_errors, make_site

import generator.build.scan as scan
from generator.build.article import MAX_ARTICLE_BYTES

GOOD = article("title: Fine\ndate: 2025-03-01")


def test_a_pipe_in_content_is_refused_without_blocking(tmp_path: Path) -> None:
    """In a child process: if the build opened the pipe to read it, it would wait forever."""
    root = make_site(tmp_path / "site", {"good.md": GOOD})
    os.mkfifo(root / "content" / "pipe.md")
    for command in ("check", "build"):
        done = subprocess.run(
            [sys.executable, "-m", "generator", command, "--root", str(root)],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,  # a hang, not a slow machine
        )
        assert done.returncode == 1
        [line] = assert_located_errors(done.stderr)
        assert (
            line
            == f"{root / 'content' / 'pipe.md'}: not a regular file (a pipe, socket or device?)"
        )


def test_a_huge_file_is_refused_before_it_is_read(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(tmp_path / "site", {"good.md": GOOD})
    huge = root / "content" / "huge.md"
    with open(huge, "wb") as handle:
        handle.truncate(3 * 2**30)  # sparse: 3 GiB that take no disk
    read = []
    real_read = os.read
    monkeypatch.setattr(scan.os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    result = run_cli("check", "--root", root)
    assert result.status == 1
    [line] = assert_located_errors(result.err)
    assert line == f"{huge}: file is larger than {MAX_ARTICLE_BYTES // 2**20} MiB"
    assert sum(read) < 2 * MAX_ARTICLE_BYTES  # the good file only


def test_a_file_that_grows_after_the_scan_is_read_only_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "growing.md"
    with open(path, "wb") as handle:
        handle.truncate(MAX_ARTICLE_BYTES * 3)
    assert len(scan._read_bytes(str(path))) == MAX_ARTICLE_BYTES + 1


def test_a_linked_themes_folder_is_refused(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    outside = tmp_path / "outside" / "mytheme"
    (outside / "static").mkdir(parents=True)
    (outside / "static" / "secret.txt").write_text("not for publishing\n")
    root = make_site(
        tmp_path / "site",
        {"good.md": GOOD},
        "title: T\nbase_url: https://h.example.org/\ntheme: mytheme\n",
    )
    (root / "themes").symlink_to(tmp_path / "outside")
    for command in ("check", "build"):
        result = run_cli(command, "--root", root)
        assert result.status == 1
        [line] = assert_located_errors(result.err)
        assert line.startswith(f"{root / 'themes'}: symbolic link not followed")
    assert not (root / "output").exists()


def test_a_file_name_cannot_forge_lines_of_output(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    """A newline in a name would start a line of its own, e.g. a GitHub Actions command."""
    name = "bad\n::error file=site.yaml::forged\x1b[2K.md"
    root = make_site(tmp_path / "site", {name: "no front matter\n", "good.md": GOOD})
    for command in ("check", "build"):
        result = run_cli(command, "--root", root)
        assert result.status == 1
        line, summary = result.err.splitlines()
        assert line.startswith(
            f"{root / 'content'}/bad\\n::error file=site.yaml::forged\\x1b[2K.md:1: "
        )
        assert not any(text.startswith("::") for text in result.err.splitlines())
    draft = "draft\n::warning::forged.md"
    (root / "content" / name).unlink()
    (root / "content" / draft).write_text(article("draft: true"))
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    assert "draft\\n::warning::forged.md" in result.err
    assert not any(text.startswith("::") for text in result.err.splitlines())
