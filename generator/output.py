"""publish: write a complete site into a staging folder, then swap it in for output/.

A build that fails or is killed never leaves a half-written output/: the previous site
stays in place until the new one is complete. Files whose bytes did not change are
hard-linked from the previous output, so they keep their inode and modification time and
deploy tools (rsync, S3 sync) see only real changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import Diagnostics, UserError, diagnostic
from .render import OutputFile


@dataclass(frozen=True)
class PublishResult:
    """How many files changed, and how many were carried over untouched."""

    written: int
    unchanged: int
    removed: int


def _sibling(dest: Path, label: str) -> Path:
    return dest.parent / f".{dest.name}.{label}"


@contextlib.contextmanager
def output_lock(dest: Path) -> Iterator[None]:
    """Hold an exclusive lock for the output folder, so two builds cannot interleave."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    lock_path = _sibling(dest, "lock")
    with open(lock_path, "a+b") as handle:
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


def recover_interrupted_swap(dest: Path) -> None:
    """If a build died between the two renames of the swap, put the previous site back."""
    previous = _sibling(dest, "previous")
    if previous.is_dir():
        if dest.exists():
            shutil.rmtree(previous)
        else:
            previous.rename(dest)
    staging = _sibling(dest, "staging")
    if staging.exists():
        shutil.rmtree(staging)


def collect_static_files(static_dirs: Sequence[Path]) -> dict[PurePosixPath, Path]:
    """Static files by output path; earlier folders (the site's own) override later ones."""
    problems = Diagnostics()
    files: dict[PurePosixPath, Path] = {}
    for folder in reversed(static_dirs):
        for current, dirnames, filenames in os.walk(folder):
            base = Path(current)
            for name in sorted(dirnames):
                if (base / name).is_symlink():
                    problems.add(
                        base / name,
                        None,
                        "symbolic link not followed",
                        "copy the folder into the theme instead",
                    )
            dirnames[:] = sorted(
                d for d in dirnames if not (base / d).is_symlink() and not d.startswith(".")
            )
            for name in sorted(filenames):
                path = base / name
                if name.startswith("."):
                    continue
                if path.is_symlink():
                    problems.add(
                        path,
                        None,
                        "symbolic link not followed",
                        "copy the file into the theme instead",
                    )
                    continue
                files[PurePosixPath(path.relative_to(folder).as_posix())] = path
    problems.raise_if_any()
    return files


def publish(
    files: Iterable[OutputFile], static_files: dict[PurePosixPath, Path], dest: Path
) -> PublishResult:
    """Stage every file, then replace dest with the staged folder in two quick renames."""
    recover_interrupted_swap(dest)
    staging = _sibling(dest, "staging")
    staging.mkdir(parents=True)
    written = unchanged = 0
    generated: set[PurePosixPath] = set()
    for output_file in files:
        generated.add(output_file.path)
        if _stage(staging, dest, output_file.path, output_file.data):
            written += 1
        else:
            unchanged += 1
    for relative, source in sorted(static_files.items()):
        if relative in generated:
            continue  # a generated page wins over a static file of the same name
        generated.add(relative)
        if _stage(staging, dest, relative, source.read_bytes()):
            written += 1
        else:
            unchanged += 1
    removed = _count_removed(dest, generated)
    if dest.exists():
        previous = _sibling(dest, "previous")
        dest.rename(previous)
        staging.rename(dest)
        shutil.rmtree(previous)
    else:
        staging.rename(dest)
    return PublishResult(written, unchanged, removed)


def _stage(staging: Path, dest: Path, relative: PurePosixPath, data: bytes) -> bool:
    """Place one file in staging; return False if it was linked unchanged from dest."""
    target = staging.joinpath(*relative.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    old = dest.joinpath(*relative.parts)
    try:
        if old.stat().st_size == len(data) and old.read_bytes() == data:
            os.link(old, target)
            return False
    except OSError:
        pass  # no previous file (or not linkable): write it fresh
    target.write_bytes(data)
    return True


def _count_removed(dest: Path, kept: set[PurePosixPath]) -> int:
    if not dest.is_dir():
        return 0
    return sum(
        1
        for path in dest.rglob("*")
        if path.is_file() and PurePosixPath(path.relative_to(dest).as_posix()) not in kept
    )
