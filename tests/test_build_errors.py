"""Every user mistake: `path:line: message` on stderr, exit 1, no traceback, old output/ intact.

One folder per case under tests/sites_invalid/<case>/, with the exact expected
diagnostics in expected.txt (one per line, in the order they are printed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SITES_INVALID, Run, copy_site, tree_digest, tree_inodes

from generator.build.output import OUTPUT_MARKER

CASES = sorted(path.name for path in SITES_INVALID.iterdir() if path.is_dir())


def _previous_output(root: Path) -> Path:
    """A previous build's output/ that a failed build must leave exactly as it was."""
    output = root / "output"
    (output / "2024" / "01").mkdir(parents=True)
    (output / OUTPUT_MARKER).write_text("written by newsdigest\n")  # as every build leaves
    (output / "index.html").write_text("<!DOCTYPE html><title>old site</title>\n")
    (output / "2024" / "01" / "index.html").write_bytes(b"old month \x00\xff")
    (output / "atom.xml").write_text("<feed/>\n")
    return output


def test_every_case_has_expected_text() -> None:
    assert len(CASES) >= 14
    for case in CASES:
        assert (SITES_INVALID / case / "expected.txt").is_file(), case


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_is_reported_and_output_survives(
    case: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., Run],
) -> None:
    root = copy_site(SITES_INVALID / case, tmp_path / "site")
    output = _previous_output(root)
    before, inodes = tree_digest(output), tree_inodes(output)
    expected = (SITES_INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    monkeypatch.chdir(root)

    result = run_cli("build", "--root", ".")

    assert result.status == 1
    assert "Traceback" not in result.err
    count = len(expected)
    summary = f"{count} problem{'s' if count != 1 else ''} found; nothing was written"
    assert result.err.splitlines() == [*expected, summary]
    assert result.out == ""
    assert tree_digest(output) == before
    assert tree_inodes(output) == inodes


def test_paths_are_shown_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Run]
) -> None:
    """Run from the folder above the project: paths include the project folder."""
    copy_site(SITES_INVALID / "several_errors", tmp_path / "proj")
    monkeypatch.chdir(tmp_path)
    result = run_cli("build", "--root", "proj")
    assert result.status == 1
    lines = result.err.splitlines()
    assert lines[0].startswith("proj/content/a-no-title.md:1: missing required field `title`")
    assert len(lines) == 6


def test_missing_site_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Run]
) -> None:
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    result = run_cli("build", "--root", ".")
    assert result.status == 1
    assert result.err.splitlines()[0].startswith("site.yaml: site.yaml not found")


def test_empty_content_builds_an_empty_site(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("empty")
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    assert "0 articles, 0 tags, 0 editions" in result.out
    output = root / "output"
    for name in ("index.html", "404.html", "tags/index.html", "atom.xml", "rss.xml"):
        assert (output / name).is_file(), name
    assert (output / "sitemap.xml").is_file() and (output / "robots.txt").is_file()


def test_no_content_folder_builds_an_empty_site(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("empty")
    (root / "content" / ".gitkeep").unlink()
    (root / "content").rmdir()
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    assert (root / "output" / "index.html").is_file()
