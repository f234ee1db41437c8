"""Watching a project: which folders count, and the sets of changed paths they produce.

Two watchers run side by side: one over the input folders that exist (content/, templates/,
static/, themes/ and the bundled themes), one over the project root alone for site.yaml and
for input folders that appear or go away, which restarts the first over the new set.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from ..core.layout import BUILTIN_THEMES, CONFIG_FILE, PROJECT_INPUTS

RUST_TIMEOUT_MS = 200  # how often a watcher looks at its stop event


class _Either:
    """Stops a watcher when either event is set (watchfiles takes one `stop_event`)."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class ProjectWatcher:
    """Puts the set of changed paths on `changes` whenever an input of the project changes,
    until `stop` is set. `targets()` are the loops to run, each in its own thread."""

    def __init__(self, root: Path, stop: threading.Event) -> None:
        self.root = root
        self.changes: queue.Queue[set[str]] = queue.Queue()
        self._stop = stop
        self._rewatch = threading.Event()

    def folders(self) -> list[Path]:
        """Folders whose changes trigger a rebuild (those that exist now)."""
        candidates = [self.root / name for name in PROJECT_INPUTS if name != CONFIG_FILE] + [
            BUILTIN_THEMES
        ]
        found: dict[Path, Path] = {}
        for folder in candidates:
            if folder.is_dir():
                found.setdefault(folder.resolve(), folder)
        # A folder inside another watched one is covered already.
        return [
            path
            for resolved, path in found.items()
            if not any(other in resolved.parents for other in found)
        ]

    def targets(self) -> dict[str, Callable[[], None]]:
        """The watch loops by name."""
        return {"watch": self._watch_folders, "watch-root": self._watch_root}

    def _watch_folders(self) -> None:
        import watchfiles

        while not self._stop.is_set():
            self._rewatch.clear()
            folders = self.folders()
            if not folders:
                self._rewatch.wait(0.5)
                continue
            for changes in watchfiles.watch(
                *folders,
                stop_event=_Either(self._stop, self._rewatch),
                rust_timeout=RUST_TIMEOUT_MS,
                yield_on_timeout=False,
                raise_interrupt=False,
            ):
                self.changes.put({path for _kind, path in changes})

    def _watch_root(self) -> None:
        import watchfiles

        def relevant(_change: object, path: str) -> bool:
            return os.path.basename(path) in PROJECT_INPUTS

        for changes in watchfiles.watch(
            self.root,
            watch_filter=relevant,
            recursive=False,
            stop_event=self._stop,
            rust_timeout=RUST_TIMEOUT_MS,
            raise_interrupt=False,
        ):
            if any(os.path.basename(path) != CONFIG_FILE for _kind, path in changes):
                self._rewatch.set()  # content/, templates/... appeared or went away
            self.changes.put({path for _kind, path in changes})
