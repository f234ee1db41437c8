"""output/ as a deploy tool sees it: deterministic, transactional, untouched when unchanged."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from conftest import Run, copy_example_site, tree_digest, tree_inodes

from generator.build.output import OUTPUT_MARKER


def _changed(out: str) -> int:
    match = re.search(r"(\d+) files changed", out)
    assert match, out
    return int(match.group(1))


def test_same_input_gives_byte_identical_output(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    """Two copies of the example site in different folders, serial and parallel, cached or not."""
    first = copy_example_site(tmp_path / "a")
    second = copy_example_site(tmp_path / "elsewhere" / "b")
    assert run_cli("build", "--root", first, "--jobs", "1").status == 0
    assert run_cli("build", "--root", second, "--jobs", "2", "--no-cache").status == 0
    one, two = tree_digest(first / "output"), tree_digest(second / "output")
    assert len(one) > 50
    assert one == two
    # A rebuild from a warm cache into a fresh folder gives the same bytes again.
    assert run_cli("build", "--root", first, "--output", tmp_path / "again").status == 0
    assert tree_digest(tmp_path / "again") == one


def test_output_holds_no_absolute_paths_of_the_build_machine(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = copy_example_site(tmp_path / "site")
    assert run_cli("build", "--root", root).status == 0
    for path in (root / "output").rglob("*"):
        if path.is_file():
            assert str(tmp_path) not in path.read_text(encoding="utf-8", errors="replace"), path


def test_second_build_changes_nothing_and_keeps_inodes(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    first = run_cli("build", "--root", root)
    assert first.status == 0
    output = root / "output"
    digest, inodes = tree_digest(output), tree_inodes(output)
    mtimes = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    second = run_cli("build", "--root", root)
    assert second.status == 0
    assert _changed(second.out) == 0
    assert "0 removed" in second.out
    assert tree_digest(output) == digest
    assert tree_inodes(output) == inodes
    assert {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()} == mtimes
    third = run_cli("build", "--root", root, "--no-cache")
    assert _changed(third.out) == 0
    assert tree_inodes(output) == inodes


def test_editing_one_article_rewrites_only_what_shows_it(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    before = tree_digest(output)
    article = root / "content" / "a5.md"  # the oldest article: on few pages, in no feed
    article.write_text(
        article.read_text(encoding="utf-8").replace("six hours", "seven hours"), "utf-8"
    )
    result = run_cli("build", "--root", root)
    assert result.status == 0
    after = tree_digest(output)
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert "2025/02/27/council-debates-the-budget/index.html" in changed
    assert "index.html" not in changed and "style.css" not in changed
    assert _changed(result.out) == len(changed)


def test_removed_article_disappears_from_output(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    assert run_cli("build", "--root", root).status == 0
    page = root / "output/2025/02/27/council-debates-the-budget/index.html"
    assert page.is_file()
    (root / "content" / "a5.md").unlink()
    result = run_cli("build", "--root", root)
    assert result.status == 0
    assert not page.exists()
    # Its edition and month archive went with it.
    assert [p for p in (root / "output/2025/02").rglob("*") if p.is_file()] == []
    assert " 0 removed" not in result.out


def test_removed_article_leaves_no_empty_folders(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    assert run_cli("build", "--root", root).status == 0
    (root / "content" / "a5.md").unlink()
    assert run_cli("build", "--root", root).status == 0
    assert not (root / "output/2025/02").exists()


def test_failed_build_leaves_the_previous_site_exactly(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    digest, inodes = tree_digest(output), tree_inodes(output)
    (root / "content" / "a6.md").write_text("---\ntitle: no\ndate: 2025-03-05\n---\n", "utf-8")
    (root / "content" / "a1.md").write_text("---\ntitle: Fine\ndate: 2025-02-30\n---\n", "utf-8")
    result = run_cli("build", "--root", root)
    assert result.status == 1
    assert "2 problems found" in result.err
    assert tree_digest(output) == digest
    assert tree_inodes(output) == inodes


def test_render_error_leaves_the_previous_site_exactly(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    digest, inodes = tree_digest(output), tree_inodes(output)
    (root / "templates").mkdir()
    (root / "templates" / "tag.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n{{ tag.nonexistent.deeper }}\n'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    result = run_cli("build", "--root", root)
    assert result.status == 1
    assert "Traceback" not in result.err
    assert result.err.splitlines()[0].startswith(str(root / "templates" / "tag.html") + ":3: ")
    assert tree_digest(output) == digest
    assert tree_inodes(output) == inodes
    # Once fixed, the build succeeds and no staging folder lingers in output/.
    (root / "templates" / "tag.html").unlink()
    assert run_cli("build", "--root", root).status == 0
    assert [name for name in os.listdir(output) if name.startswith(".")] == [OUTPUT_MARKER]
