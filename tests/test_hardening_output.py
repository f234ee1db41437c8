"""Issue 18, point 2: a wrong `--output` deletes nothing, and nothing is written or deleted
through a symbolic link or outside the output folder, whatever the commit marker says."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, copy_site, tree_digest
from hostile.helpers import assert_located_errors, tree_state

import generator.build.output as output_module
from generator.build.output import OUTPUT_MARKER
from generator.build.pipeline import BuildOptions, build_site
from generator.core.errors import UserError

SITES = Path(__file__).parent / "sites"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """tests/sites/basic with a .git folder, templates/, static/ and themes/ of its own."""
    project = copy_site(SITES / "basic", tmp_path / "site")
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / "templates").mkdir()
    (project / "static").mkdir()
    (project / "static" / "robots-extra.txt").write_text("kept\n")
    (project / "themes").mkdir()
    (project / "themes" / "README").write_text("themes go here\n")
    return project


def _refused(result: Run, dest: Path, words: str) -> None:
    assert result.status == 1, result.out
    [line] = assert_located_errors(result.err)
    assert line.startswith(f"{dest}: refusing to build into this folder: "), line
    assert words in line, line


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("content", "content/ folder"),
        ("content/sub", "content/ folder"),
        ("templates", "templates/ folder"),
        ("static", "static/ folder"),
        ("themes", "themes/ folder"),
        (".git", ".git/ folder"),
        (".newsdigest-cache", ".newsdigest-cache/ folder"),
        (".newsdigest-cache/articles-v5", ".newsdigest-cache/ folder"),
        (".", "it holds the project"),
        ("..", "it holds the project"),
    ],
)
def test_project_folders_are_refused(
    where: str, words: str, root: Path, run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    assert run_cli("build", "--root", root).status == 0
    before = tree_state(tmp_path)
    dest = root / where
    _refused(run_cli("build", "--root", root, "--output", dest), dest, words)
    assert tree_state(tmp_path) == before


def test_a_folder_newsdigest_did_not_make_is_refused(
    root: Path, run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "notes.txt").write_text("mine\n")
    (home / "Documents" / "thesis.tex").write_text("mine too\n")
    before = tree_state(tmp_path)
    _refused(run_cli("build", "--root", root, "--output", home), home, OUTPUT_MARKER)
    assert tree_state(tmp_path) == before
    other = copy_site(SITES / "basic", tmp_path / "other")
    _refused(run_cli("build", "--root", root, "--output", other), other, "project")
    a_file = tmp_path / "file"
    a_file.write_text("x\n")
    _refused(run_cli("build", "--root", root, "--output", a_file), a_file, "not a folder")


def test_new_empty_and_marked_folders_are_accepted(
    root: Path, run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for dest in (tmp_path / "new" / "site", empty):
        assert run_cli("build", "--root", root, "--output", dest).status == 0
        assert (dest / OUTPUT_MARKER).is_file() and (dest / "index.html").is_file()
        (dest / "stale.html").write_text("old page\n")
        assert run_cli("build", "--root", root, "--output", dest, "--no-cache").status == 0
        assert not (dest / "stale.html").exists() and (dest / OUTPUT_MARKER).is_file()


def test_an_output_built_before_the_marker_is_accepted_if_the_cache_recorded_it(
    root: Path, run_cli: Callable[..., Run]
) -> None:
    """An output/ an older newsdigest built has no marker: it is taken when the cache
    names it (here by the pickled format's file name, which is never read)."""
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    (output / OUTPUT_MARKER).unlink()
    cache = root / ".newsdigest-cache"
    [manifest] = cache.glob("pages-*-v*")
    legacy = manifest.with_name(manifest.name.rpartition("-v")[0] + "-v3.pickle")
    manifest.rename(legacy)
    assert run_cli("build", "--root", root).status == 0
    assert (output / OUTPUT_MARKER).is_file()
    # Without any record of it, the same folder is refused.
    (output / OUTPUT_MARKER).unlink()
    for path in cache.glob("pages-*"):
        path.unlink()
    _refused(run_cli("build", "--root", root), output, OUTPUT_MARKER)


def test_serve_preview_folder_inside_the_cache_still_works(root: Path) -> None:
    preview = root / ".newsdigest-cache" / "serve"
    for _ in range(2):
        result = build_site(BuildOptions(root=root, output=preview, workers=1))
        assert result.pages > 0
    assert (preview / "index.html").is_file()


def test_a_preview_through_a_linked_cache_folder_is_refused(root: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (root / ".newsdigest-cache").symlink_to(target)
    preview = root / ".newsdigest-cache" / "serve"
    with pytest.raises(UserError) as raised:
        build_site(BuildOptions(root=root, output=preview, workers=1))
    [problem] = raised.value.diagnostics
    assert ".newsdigest-cache in the project is a symbolic link" in problem.message
    assert list(target.iterdir()) == []


def test_a_linked_default_output_is_refused(
    root: Path, run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (root / "output").symlink_to(target)
    _refused(run_cli("build", "--root", root), root / "output", "symbolic link")
    assert list(target.iterdir()) == []


def test_links_inside_output_lead_nowhere(
    root: Path, run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.html"
    victim.write_text("precious\n")
    page = output / "index.html"
    page.unlink()
    page.symlink_to(victim)  # a page replaced by a link to a file outside
    (output / "gone").symlink_to(outside)  # a link to a folder outside, not part of the site
    (root / "content" / "a1.md").write_text(
        (root / "content" / "a1.md").read_text().replace("twenty", "thirty")
    )
    assert run_cli("build", "--root", root, "--no-cache").status == 0
    assert victim.read_text() == "precious\n"
    assert sorted(path.name for path in outside.iterdir()) == ["victim.html"]
    assert not page.is_symlink() and "<!DOCTYPE html>" in page.read_text()
    assert not (output / "gone").exists() and not (output / "gone").is_symlink()


def test_a_linked_folder_where_pages_go_is_refused(
    root: Path, run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "index.html").write_text("precious\n")
    folder = output / "tags"
    os.rename(folder, outside / "tags")
    folder.symlink_to(outside / "tags")
    before = tree_state(outside)
    digest = tree_digest(output)
    (root / "content" / "a1.md").write_text(
        (root / "content" / "a1.md").read_text().replace("twenty", "thirty")
    )
    result = run_cli("build", "--root", root, "--no-cache")
    assert result.status == 1
    [line] = assert_located_errors(result.err)
    assert line.startswith(f"{folder}: symbolic link inside the output folder")
    assert tree_state(outside) == before
    assert tree_digest(output) == digest
    assert not (root / ".output.staging").exists()


@pytest.mark.parametrize("linked_staging", [False, True])
def test_the_commit_marker_cannot_delete_outside(
    linked_staging: bool, root: Path, run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    assert run_cli("build", "--root", root).status == 0
    victims = [tmp_path / "victim.txt", root / "site.yaml", root / "content" / "a1.md"]
    victims[0].write_text("precious\n")
    before = {victim: victim.read_bytes() for victim in victims}
    staging = root / ".output.staging"
    planted = tmp_path / "planted" if linked_staging else staging
    planted.mkdir()
    (planted / "evil.html").symlink_to(victims[0])
    (planted / ".newsdigest-commit").write_text(
        f"{victims[0]}\n../site.yaml\n../content/a1.md\nx/../../site.yaml\n./../site.yaml\n"
    )
    if linked_staging:
        staging.symlink_to(planted)
    with open(root / "content" / "a2.md", "a", encoding="utf-8") as handle:
        handle.write("\nOne more paragraph, so that the build is not a no-change one.\n")
    assert run_cli("build", "--root", root).status == 0
    assert {victim: victim.read_bytes() for victim in victims} == before
    assert not (root / "output" / "evil.html").exists()
    assert not staging.exists()


def test_a_file_and_a_folder_of_one_name_is_a_clear_error(
    root: Path, run_cli: Callable[..., Run]
) -> None:
    """A static file `tags` where the tag index needs a folder `tags/`."""
    (root / "static" / "tags").write_text("a file\n")
    result = run_cli("build", "--root", root)
    assert result.status == 1
    [line] = assert_located_errors(result.err)
    assert line.startswith(str(root / "output" / "tags")), line
    assert "one of them as a folder" in line
    assert not (root / ".output.staging").exists()


def test_a_full_disk_leaves_no_temporary_file(
    root: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The commit marker and the cache files, each cut by ENOSPC: no `.tmp` file stays."""
    assert run_cli("build", "--root", root).status == 0
    digest = tree_digest(root / "output")
    real_open, real_write = open, os.write

    def full_open(path: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "w" in mode and ".newsdigest-commit" in str(path):
            handle = real_open(path, mode, *args, **kwargs)  # type: ignore[call-overload]
            handle.write(b"partial")
            handle.close()
            raise OSError(errno.ENOSPC, "No space left on device (simulated)")
        return real_open(path, mode, *args, **kwargs)  # type: ignore[call-overload]

    def full_write(descriptor: int, data: bytes) -> int:
        real_write(descriptor, bytes(data[:10]))
        raise OSError(errno.ENOSPC, "No space left on device (simulated)")

    (root / "content" / "a1.md").write_text(
        (root / "content" / "a1.md").read_text().replace("twenty", "thirty")
    )
    monkeypatch.setattr(output_module, "open", full_open, raising=False)
    result = run_cli("build", "--root", root)
    assert result.status == 1 and "No space left on device (simulated)" in result.err
    assert tree_digest(root / "output") == digest
    monkeypatch.undo()
    monkeypatch.setattr("generator.build.cache.os.write", full_write)
    result = run_cli("build", "--root", root)
    assert result.status == 1 and "No space left on device (simulated)" in result.err
    monkeypatch.undo()
    leftovers = [path for path in tmp_path.rglob("*") if ".tmp" in path.name]
    assert leftovers == []
    assert not (root / ".output.staging").exists()
    assert run_cli("build", "--root", root).status == 0
