"""Transactional output: changed files are staged beside output/, then committed at once.

Nothing in output/ is touched until every page has been rendered. Commit writes a marker
into the staging folder, then moves the staged files in and deletes the files the site no
longer has. A build killed before the marker leaves output/ exactly as it was (the staging
folder is discarded next time); one killed after it is rolled forward by the next build.
Unchanged files are never rewritten, so deploy tools (rsync, S3 sync) see only real
changes, and a no-change rebuild writes nothing at all.

The output folder is newsdigest's alone: every folder it makes holds OUTPUT_MARKER, and a
build refuses a folder that is not empty and has no marker, or that is (or holds, or is
inside) part of the project. Inside it, nothing is written or deleted through a symbolic
link: files are moved and deleted relative to folder descriptors opened without following
links, and every name to delete (the commit marker's lines included) must be a plain
relative path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import Diagnostics, UserError, diagnostic
from ..core.layout import (
    CACHE_DIR,
    CONFIG_FILE,
    CONTENT_DIR,
    PREVIEW_DIR,
    STATIC_DIR,
    TEMPLATES_DIR,
    THEMES_DIR,
)
from ..core.lock import exclusive_lock

_COMMIT_MARKER = ".newsdigest-commit"
OUTPUT_MARKER = ".newsdigest-output"
_MARKER_TEXT = (
    b"This folder is written by `newsdigest build`: files in it are replaced and deleted.\n"
)
# Folders of the project an output folder must never be, hold or be inside.
_PROJECT_FOLDERS = (CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR, THEMES_DIR, CACHE_DIR, ".git")
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class OutputFile:
    """A file to publish, relative to the output folder."""

    path: str  # relative POSIX path inside output/
    data: bytes


def is_output_path(path: str) -> bool:
    """A relative POSIX path that stays inside the output folder: no empty, `.`, `..` or
    hidden parts (no page, feed or static file of a site has them), no NUL, not absolute."""
    return (
        bool(path)
        and "/." not in f"/{path}"
        and "//" not in path
        and not path.startswith("/")
        and not path.endswith("/")
        and "\0" not in path
    )


def _sibling(dest: Path, label: str) -> Path:
    return dest.parent / f".{dest.name}.{label}"


def staging_dir(dest: Path) -> Path:
    """Where a build stages its changed files (next to dest, so moves are renames)."""
    return _sibling(dest, "staging")


def _refuse(dest: Path, message: str, hint: str) -> UserError:
    return UserError(
        [diagnostic(dest, None, f"refusing to build into this folder: {message}", hint)]
    )


def check_output_folder(root: Path, dest: Path, recorded: bool) -> None:
    """Refuse an output folder whose files newsdigest must not replace or delete.

    Refused: a folder that is, holds or is inside the project's own folders (content/,
    templates/, static/, themes/, the cache, .git; the preview folder of `serve` inside the
    cache is the one exception) or another project; a folder that is not empty and holds
    no OUTPUT_MARKER, unless the cache records a build into it (`recorded`: output folders
    built before the marker existed); and a path inside the project that passes through a
    symbolic link (a linked output/ or cache folder: the project, not the user, made it).
    A link outside the project, in an --output the user named, is the user's and is followed.
    """
    _refuse_links_in_the_project(root, dest)
    target = dest.resolve()
    project = root.resolve()
    if target == project or target in project.parents:
        raise _refuse(
            dest, "it holds the project", "use --output with an empty or build-only folder"
        )
    preview = (project / CACHE_DIR / PREVIEW_DIR).resolve()
    for name in _PROJECT_FOLDERS:
        folder = (project / name).resolve()
        if target != preview and (target == folder or folder in target.parents):
            raise _refuse(
                dest,
                f"it is part of the project's {name}/ folder",
                "use --output with an empty or build-only folder",
            )
    if ".git" in target.parts:
        raise _refuse(dest, "it is inside a git repository's .git folder", "pick another folder")
    if (target / CONFIG_FILE).exists() or (target / CONTENT_DIR).is_dir():
        raise _refuse(dest, "it holds a newsdigest project", "pick an empty or build-only folder")
    if not target.exists():
        return
    if not target.is_dir():
        raise _refuse(dest, "it is a file, not a folder", "pick a folder")
    if _is_real_file(target / OUTPUT_MARKER) or recorded or not any(target.iterdir()):
        return
    raise _refuse(
        dest,
        f"it is not empty and newsdigest did not make it (it has no {OUTPUT_MARKER})",
        "name a new or empty folder; if an older newsdigest built this one, delete it and "
        "build again",
    )


def _refuse_links_in_the_project(root: Path, dest: Path) -> None:
    project = Path(os.path.abspath(root))
    try:
        inside = Path(os.path.abspath(dest)).relative_to(project)
    except ValueError:
        return
    step = project
    for part in inside.parts:
        step = step / part
        if step.is_symlink():
            raise _refuse(
                dest,
                f"{step.relative_to(project)} in the project is a symbolic link",
                "remove the link, or name the folder it points to with --output",
            )


def _busy(dest: Path, holder: str) -> UserError:
    who = f"process {holder} holds its lock" if holder else "its lock is held"
    return UserError(
        [
            diagnostic(
                dest,
                None,
                "another newsdigest build is writing this output folder",
                f"wait for it to finish; {who}",
            )
        ]
    )


@contextlib.contextmanager
def output_lock(dest: Path) -> Iterator[None]:
    """Hold an exclusive lock for the output folder, so two builds cannot interleave."""
    lock = _sibling(dest, "lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(lock, lambda holder: _busy(dest, holder)):
        yield


def _remove_entry(path: Path) -> None:
    """Delete a file, a link (not what it points to) or a whole real folder."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.is_symlink() or path.exists():
        path.unlink()


@contextlib.contextmanager
def staged_output(dest: Path) -> Iterator[Path]:
    """An empty staging folder for dest, discarded if the build fails before commit.

    First finishes (rolls forward) or discards whatever an interrupted build left.
    """
    staging = staging_dir(dest)
    if not staging.is_symlink() and staging.is_dir() and (staging / _COMMIT_MARKER).is_file():
        _apply(staging, dest)
    else:
        _remove_entry(staging)
    staging.mkdir(parents=True)
    try:
        yield staging
    except BaseException:
        if staging.exists() and not (staging / _COMMIT_MARKER).exists():
            shutil.rmtree(staging)
        raise


def stage_file(staging: Path, dest: Path, relative: str, data: bytes) -> bool:
    """Stage one file unless dest already holds these exact bytes; True if it was staged.

    Safe to call from worker processes: each writes its own files. The old file is read
    without following a link: a link in its place is replaced by the real file.
    """
    old = os.path.join(dest, relative)
    try:
        descriptor = os.open(old, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        pass  # no previous file (or a link): stage it
    else:
        try:
            status = os.fstat(descriptor)
            if stat.S_ISREG(status.st_mode) and status.st_size == len(data):
                with open(descriptor, "rb", closefd=False) as handle:
                    if handle.read() == data:
                        return False
        finally:
            os.close(descriptor)
    target = os.path.join(staging, relative)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        raise UserError(
            [
                diagnostic(
                    dest / relative,
                    None,
                    "two files of the site need this path, one of them as a folder",
                    "give one of the pages, tags or static files another URL",
                )
            ]
        ) from None
    return True


def existing_files(dest: Path) -> set[str]:
    """Every file currently in dest (links included, whatever they point to), as relative
    POSIX paths."""
    found: set[str] = set()
    prefix = len(str(dest)) + 1
    for current, dirnames, filenames in os.walk(dest):
        base = current[prefix:]
        links = [name for name in dirnames if os.path.islink(os.path.join(current, name))]
        found.update(f"{base}/{name}" if base else name for name in [*filenames, *links])
    return found


def commit(staging: Path, dest: Path, keep: set[str], previously: set[str] | None) -> int:
    """Make dest hold the staged files plus the kept unchanged ones; return files removed.

    `previously` is what the last build wrote (from the cache), which spares walking the
    whole of dest; without it, dest is walked.
    """
    if not _is_real_file(dest / OUTPUT_MARKER):
        _write_new(staging / OUTPUT_MARKER, _MARKER_TEXT)
    if not dest.exists():
        staging.rename(dest)  # first build: nothing to preserve, one rename is the commit
        return 0
    _refuse_links_in_the_way(staging, dest)
    before = previously if previously is not None else existing_files(dest)
    removed = sorted(name for name in before - keep if name != OUTPUT_MARKER)
    _write_new(staging / _COMMIT_MARKER, "\n".join(removed).encode("utf-8", "surrogateescape"))
    _apply(staging, dest)
    return len(removed)


def _is_real_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _write_new(path: Path, data: bytes) -> None:
    """Write a whole file or none: a marker cut short by a full disk would be taken for a
    complete one (and a truncated list of deletions could name another file)."""
    temporary = path.with_name(f"{path.name}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _refuse_links_in_the_way(staging: Path, dest: Path) -> None:
    """Stop before anything moves if dest has a symbolic link where a staged file's folder
    goes: newsdigest never writes through one, and replacing it would drop the unchanged
    files the build expects to find behind it."""
    problems = Diagnostics()
    for current, dirnames, _files in os.walk(staging):
        relative = os.path.relpath(current, staging)
        if relative != "." and os.path.islink(os.path.join(dest, relative)):
            problems.add(
                dest / relative,
                None,
                "symbolic link inside the output folder: newsdigest does not write through it",
                "delete the link, then build again",
            )
            dirnames.clear()
    problems.raise_if_any()


class _Folders:
    """Folders inside dest, each opened relative to its parent without following a link,
    so that a link in dest can never lead a move or a deletion outside it."""

    def __init__(self, dest: Path) -> None:
        self._open: dict[str, int] = {
            "": os.open(dest, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        }

    def get(self, relative: str, create: bool) -> int | None:
        """The folder's descriptor; with `create`, whatever stands in its way (a file or a
        link of the old site: the new one cannot need both) is replaced by a real folder."""
        found = self._open.get(relative)
        if found is not None:
            return found
        parent_path, _, name = relative.rpartition("/")
        parent = self.get(parent_path, create)
        if parent is None:
            return None
        try:
            descriptor = os.open(name, _FOLDER_FLAGS, dir_fd=parent)
        except OSError as error:
            if not create or error.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
                if create:
                    raise
                return None
            if error.errno != errno.ENOENT:
                os.unlink(name, dir_fd=parent)
            os.mkdir(name, 0o755, dir_fd=parent)
            descriptor = os.open(name, _FOLDER_FLAGS, dir_fd=parent)
        self._open[relative] = descriptor
        return descriptor

    def close(self) -> None:
        for descriptor in self._open.values():
            os.close(descriptor)
        self._open.clear()


def _apply(staging: Path, dest: Path) -> None:
    """Move staged files into dest and delete removed ones; safe to run again after a kill.

    Only regular files are moved (a staging folder left by someone else may hold links),
    and only plain relative names are deleted, whatever the commit marker says.
    """
    marker = staging / _COMMIT_MARKER
    text = marker.read_bytes().decode("utf-8", "surrogateescape")
    removed = [name for name in text.splitlines() if is_output_path(name)]
    dest.mkdir(parents=True, exist_ok=True)
    folders = _Folders(dest)
    try:
        for current, dirnames, filenames in os.walk(staging):
            relative = os.path.relpath(current, staging)
            relative = "" if relative == "." else relative
            dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(current, d))]
            moves = [
                name
                for name in filenames
                if not (relative == "" and name == _COMMIT_MARKER)
                and stat.S_ISREG(os.lstat(os.path.join(current, name)).st_mode)
            ]
            if not moves:
                continue
            folder = folders.get(relative, create=True)
            assert folder is not None
            for name in moves:
                _move_in(os.path.join(current, name), name, folder)
        for name in removed:
            parent_path, _, base = name.rpartition("/")
            folder = folders.get(parent_path, create=False)
            if folder is not None:
                with contextlib.suppress(FileNotFoundError, IsADirectoryError, PermissionError):
                    os.unlink(base, dir_fd=folder)
        _prune_empty_parents(folders, removed)
    finally:
        folders.close()
    shutil.rmtree(staging)


def _move_in(source: str, name: str, folder: int) -> None:
    """Move one staged file into place; an old folder of the same name goes first."""
    try:
        os.replace(source, name, dst_dir_fd=folder)
    except OSError as error:
        if error.errno not in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST):
            raise
        shutil.rmtree(name, dir_fd=folder)
        os.replace(source, name, dst_dir_fd=folder)


def _prune_empty_parents(folders: _Folders, removed: Sequence[str]) -> None:
    """Remove folders left empty by deleted files (an article's own folder, its day...)."""
    for name in removed:
        parent_path = name.rpartition("/")[0]
        while parent_path:
            above, _, base = parent_path.rpartition("/")
            folder = folders.get(above, create=False)
            if folder is None:
                break
            try:
                os.rmdir(base, dir_fd=folder)  # fails on a folder that is not empty, or a link
            except OSError:
                break
            parent_path = above


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


@dataclass(frozen=True)
class CollectingSink:
    """Keeps the rendered bytes by output path, in this process (for printing a page)."""

    found: dict[str, bytes]

    def stage(self, path: str, data: bytes) -> bool:
        self.found[path] = data
        return True
