"""Issue 6, point 9: a build that dies anywhere, by an exception in any stage or by SIGKILL,
leaves the previous output/ complete; the next build repairs everything; two builds at
once are refused with a clear message."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, Run, parse_html, tree_digest
from hostile.helpers import assert_located_errors, make_site, tree_state

import generator.build.output
from generator.__main__ import main
from generator.build.output import OUTPUT_MARKER, output_lock

TAGS = ["Harbour", "Council", "Weather", "Schools", "Transport", "Culture"]


def write_articles(root: Path, count: int, edition: str) -> None:
    """`count` articles over many days; `edition` changes every body (and adds articles)."""
    content = root / "content"
    shutil.rmtree(content, ignore_errors=True)
    content.mkdir(parents=True)
    for n in range(count):
        day = 1 + n % 8  # few editions: the pages are mostly articles
        month = 1 + n % 3
        tags = ", ".join(TAGS[(n + k) % len(TAGS)] for k in range(2))
        (content / f"{n:04d}.md").write_text(
            f"---\ntitle: Story number {n}\ndate: 2025-{month:02d}-{day:02d}T{n % 24:02d}:00:00Z\n"
            f"tags: [{tags}]\n---\n\n"
            + f"Paragraph of story {n}, {edition} edition. " * 3
            + "\n\nA second paragraph with more words in it.\n",
            encoding="utf-8",
        )


def project(root: Path, count: int, edition: str) -> Path:
    make_site(root, {})
    write_articles(root, count, edition)
    return root


def make_trees(base: Path, old_count: int, new_count: int) -> dict[str, object]:
    """An old site already built (with its cache), and the tree a clean build of the new
    content gives, to compare repaired outputs with."""
    old = project(base / "old", old_count, "first")
    assert main(["build", "--root", str(old), "--jobs", "1"]) == 0
    new = project(base / "new", new_count, "second")
    started = time.perf_counter()
    assert main(["build", "--root", str(new), "--jobs", "1", "--no-cache"]) == 0
    return {
        "old_root": old,
        "new_count": new_count,
        "old": tree_digest(old / "output"),
        "new": tree_digest(new / "output"),
        "seconds": time.perf_counter() - started,
    }


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A small site, for the many simulated crashes."""
    return make_trees(tmp_path_factory.mktemp("small"), 24, 30)


@pytest.fixture(scope="module")
def big_trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A few hundred articles, so a real kill can land in every stage."""
    return make_trees(tmp_path_factory.mktemp("big"), 200, 220)


def fresh_copy(trees: dict[str, object], dest: Path) -> Path:
    """The old project, with its output/ and cache, about to be rebuilt with new content."""
    shutil.copytree(trees["old_root"], dest, symlinks=True)
    write_articles(dest, int(trees["new_count"]), "second")
    return dest


def assert_complete(output: Path, trees: dict[str, object]) -> None:
    """Every file of the old site is there, and each file is the old or the new version."""
    old, new = trees["old"], trees["new"]
    now = tree_digest(output)
    assert set(old) <= set(now) <= set(old) | set(new)
    for name, digest in now.items():
        assert digest in {old.get(name), new.get(name)}, name
    assert parse_html(output / "index.html").find(".//main") is not None
    assert [name for name in os.listdir(output) if name.startswith(".")] == [OUTPUT_MARKER]


STAGES = [
    "generator.build.pipeline.load_config",
    "generator.build.pipeline.read_articles",
    "generator.build.site.assemble_site",
    "generator.build.pipeline.load_theme",
    "generator.build.pipeline.check_templates",
    "generator.build.pipeline.collect_static_files",
    "generator.build.pages.plan_pages",
    "generator.build.workers._render_batch",
    "generator.build.output.stage_file",
    "generator.build.pages.sitemap.render_urlset",
    "generator.build.pipeline.stage_file",
    "generator.build.pipeline.commit",
    "generator.build.output._apply",
]
# After these, the next build is checked to give exactly a clean build's tree (the others
# fail before anything is staged, so there is nothing left to repair).
REPAIRED = {
    "generator.build.workers._render_batch",
    "generator.build.pipeline.commit",
    "generator.build.output._apply",
}


@pytest.mark.parametrize("target", STAGES)
def test_exception_in_a_stage_leaves_the_previous_site(
    target: str, trees: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fresh_copy(trees, tmp_path / "site")
    output = root / "output"
    before = tree_state(tmp_path)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"simulated crash in {target}")

    monkeypatch.setattr(target, crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        main(["build", "--root", str(root), "--jobs", "1"])
    assert tree_digest(output) == trees["old"]
    changed = [
        name
        for name, value in tree_state(tmp_path).items()
        if before.get(name) != value and not name.startswith(("site/output", "site/content"))
    ]
    # Staging is gone, unless the crash came after the commit marker: then it waits to be
    # rolled forward by the next build.
    marker = tmp_path / "site/.output.staging/.newsdigest-commit"
    assert marker.exists() or [name for name in changed if ".staging" in name] == []
    if target in REPAIRED:
        monkeypatch.undo()
        assert main(["build", "--root", str(root), "--jobs", "1"]) == 0
        assert tree_digest(output) == trees["new"]


def test_crash_half_way_through_publishing_is_rolled_forward(
    trees: dict[str, object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., Run],
) -> None:
    """Dies after moving some files in: output/ is a mix of whole old and new files (never a
    half-written one), and the next build finishes the job."""
    root = fresh_copy(trees, tmp_path / "site")
    real_replace = os.replace
    calls = 0

    def replace_then_die(source: object, target: object, **folders: int) -> None:
        nonlocal calls
        calls += 1
        if calls > 25:
            raise OSError(28, "No space left on device (simulated)")
        real_replace(source, target, **folders)

    monkeypatch.setattr(generator.build.output.os, "replace", replace_then_die)
    result = run_cli("build", "--root", root, "--jobs", "1")
    monkeypatch.undo()
    assert result.status == 1
    assert "No space left on device (simulated)" in result.err
    assert "Traceback" not in result.err
    assert calls > 25
    assert_complete(root / "output", trees)
    assert tree_digest(root / "output") != trees["old"]  # some new files did go in
    assert main(["build", "--root", str(root), "--jobs", "1"]) == 0
    assert tree_digest(root / "output") == trees["new"]


def test_ctrl_c_is_a_clean_exit(
    trees: dict[str, object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., Run],
) -> None:
    root = fresh_copy(trees, tmp_path / "site")

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.build.workers._render_batch", interrupt)
    result = run_cli("build", "--root", root, "--jobs", "1")
    assert result.status == 130
    assert "Traceback" not in result.err
    assert tree_digest(root / "output") == trees["old"]


def test_sigkill_at_random_moments_leaves_a_usable_site(
    big_trees: dict[str, object], tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    chooser = random.Random(6)
    # Python start-up plus the build: kill anywhere from start-up to the last file.
    span = 0.3 + float(big_trees["seconds"]) * 1.1
    for attempt in range(3):
        root = fresh_copy(big_trees, tmp_path / f"site{attempt}")
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "build", "--root", str(root), "--jobs", "2"],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(chooser.uniform(0.05, span))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert_complete(root / "output", big_trees)
        # Render workers forked by the killed build may outlive it for a moment, holding
        # its lock; a retry after "another build is writing" is what a user would do.
        for _ in range(50):
            result = run_cli("build", "--root", root, "--jobs", "2")
            if "another newsdigest build" not in result.err:
                break
            time.sleep(0.1)
        assert result.status == 0, result.err
        assert tree_digest(root / "output") == big_trees["new"]
        assert not (root / ".output.staging").exists()


def test_second_build_at_once_is_refused_clearly(
    site_copy: Callable[[str], Path],
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = site_copy("basic")
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    digest = tree_digest(output)
    (root / "content" / "a1.md").write_text(
        (root / "content" / "a1.md").read_text().replace("twenty", "thirty")
    )
    monkeypatch.chdir(root)
    with output_lock(output):
        result = run_cli("build", "--root", ".")
    assert result.status == 1
    [line] = assert_located_errors(result.err)
    assert line == (
        "output: another newsdigest build is writing this output folder "
        f"(wait for it to finish; process {os.getpid()} holds its lock)"
    )
    assert tree_digest(output) == digest
    # The lock is released with its holder: the next build goes through.
    assert run_cli("build", "--root", ".").status == 0
    assert tree_digest(output) != digest


def test_check_needs_no_lock(site_copy: Callable[[str], Path], run_cli: Callable[..., Run]) -> None:
    """`check` writes nothing, so it runs while a build holds the output folder."""
    root = site_copy("basic")
    with output_lock(root / "output"):
        assert run_cli("check", "--root", root).status == 0
