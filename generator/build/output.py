"""Transactional output: changed files are staged beside output/, then committed at once.

Nothing in output/ is touched until every page has been rendered. Commit writes a marker
into the staging folder, then moves the staged files in and deletes the files the site no
longer has. A build killed before the marker leaves output/ exactly as it was (the staging
folder is discarded next time); one killed after it is rolled forward by the next build.
Unchanged files are never rewritten, so deploy tools (rsync, S3 sync) see only real
changes, and a no-change rebuild writes nothing at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import Diagnostics, UserError, diagnostic

_COMMIT_MARKER = ".newsdigest-commit"


@dataclass(frozen=True)
class OutputFile:
    """A file to publish, relative to the output folder."""

    path: str  # relative POSIX path inside output/
    data: bytes


def _sibling(dest: Path, label: str) -> Path:
    return dest.parent / f".{dest.name}.{label}"


def staging_dir(dest: Path) -> Path:
    """Where a build stages its changed files (next to dest, so moves are renames)."""
    return _sibling(dest, "staging")


@contextlib.contextmanager
def output_lock(dest: Path) -> Iterator[None]:
    """Hold an exclusive lock for the output folder, so two builds cannot interleave."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(_sibling(dest, "lock"), "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(
                [
                    diagnostic(
                        dest,
                        None,
                        "another newsdigest build is writing this output folder",
                        "wait for it to finish",
                    )
                ]
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def staged_output(dest: Path) -> Iterator[Path]:
    """An empty staging folder for dest, discarded if the build fails before commit.

    First finishes (rolls forward) or discards whatever an interrupted build left.
    """
    staging = staging_dir(dest)
    if (staging / _COMMIT_MARKER).is_file():
        _apply(staging, dest)
    elif staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        yield staging
    except BaseException:
        if staging.exists() and not (staging / _COMMIT_MARKER).exists():
            shutil.rmtree(staging)
        raise


def stage_file(staging: Path, dest: Path, relative: str, data: bytes) -> bool:
    """Stage one file unless dest already holds these exact bytes; True if it was staged.

    Safe to call from worker processes: each writes its own files.
    """
    old = os.path.join(dest, relative)
    try:
        if os.stat(old).st_size == len(data):
            with open(old, "rb") as handle:
                if handle.read() == data:
                    return False
    except OSError:
        pass  # no previous file: stage it
    target = os.path.join(staging, relative)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(data)
    return True


def existing_files(dest: Path) -> set[str]:
    """Every file currently in dest, as relative POSIX paths."""
    found: set[str] = set()
    prefix = len(str(dest)) + 1
    for current, _dirs, filenames in os.walk(dest):
        base = current[prefix:]
        found.update(f"{base}/{name}" if base else name for name in filenames)
    return found


def commit(staging: Path, dest: Path, keep: set[str], previously: set[str] | None) -> int:
    """Make dest hold the staged files plus the kept unchanged ones; return files removed.

    `previously` is what the last build wrote (from the cache), which spares walking the
    whole of dest; without it, dest is walked.
    """
    if not dest.exists():
        staging.rename(dest)  # first build: nothing to preserve, one rename is the commit
        return 0
    before = previously if previously is not None else existing_files(dest)
    removed = sorted(before - keep)
    (staging / _COMMIT_MARKER).write_text("\n".join(removed), encoding="utf-8")
    _apply(staging, dest)
    return len(removed)


def _apply(staging: Path, dest: Path) -> None:
    """Move staged files into dest and delete removed ones; safe to run again after a kill."""
    marker = staging / _COMMIT_MARKER
    removed = [line for line in marker.read_text(encoding="utf-8").splitlines() if line]
    for current, _dirs, filenames in os.walk(staging):
        base = Path(current)
        relative_base = base.relative_to(staging)
        for name in filenames:
            if base == staging and name == _COMMIT_MARKER:
                continue
            target = dest / relative_base / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(base / name, target)
    for name in removed:
        (dest / name).unlink(missing_ok=True)
    _prune_empty_parents(dest, removed)
    shutil.rmtree(staging)


def _prune_empty_parents(dest: Path, removed: Sequence[str]) -> None:
    """Remove folders left empty by deleted files (an article's own folder, its day...)."""
    for name in removed:
        parent = (dest / name).parent
        while parent != dest and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def collect_static_files(static_dirs: Sequence[Path]) -> dict[str, Path]:
    """Static files by output path; earlier folders (the site's own) override later ones."""
    problems = Diagnostics()
    files: dict[str, Path] = {}
    for folder in reversed(static_dirs):
        for current, dirnames, filenames in os.walk(folder):
            base = Path(current)
            for name in sorted(dirnames + filenames):
                if (base / name).is_symlink():
                    problems.add(
                        base / name,
                        None,
                        "symbolic link not followed",
                        "copy it into the folder instead",
                    )
            dirnames[:] = sorted(
                d for d in dirnames if not (base / d).is_symlink() and not d.startswith(".")
            )
            for name in sorted(filenames):
                path = base / name
                if not name.startswith(".") and not path.is_symlink():
                    files[path.relative_to(folder).as_posix()] = path
    problems.raise_if_any()
    return files


@dataclass(frozen=True)
class StagingSink:
    """The build's sink: stages each rendered file whose bytes differ from dest's."""

    staging: Path
    dest: Path

    def stage(self, path: str, data: bytes) -> bool:
        return stage_file(self.staging, self.dest, path, data)


class DiscardingSink:
    """`check`'s sink: every page is rendered, to meet every error a build would, and its
    bytes are dropped."""

    def stage(self, path: str, data: bytes) -> bool:
        return False
