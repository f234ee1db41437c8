"""The store: cleaned pages wait on disk between the import's passes, not in memory.

The store is the import cache (.newsdigest-cache/import/, so that an interrupted import
resumes) or, with --no-cache and --dry-run, a temporary folder removed at the end. A
worker that cannot write it (another machine without that folder) keeps its pieces in
its own temporary folder; a piece found in neither is made again from the input.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any


def _spill_folders(store: str) -> tuple[Path, Path]:
    fallback = hashlib.sha256(store.encode("utf-8")).hexdigest()[:16]
    return Path(store), Path(tempfile.gettempdir()) / f"newsdigest-spill-{fallback}"


def load(store: str, key: str) -> Any:
    """What was saved under `key`, or None when it is in no folder of the store."""
    for folder in _spill_folders(store):
        try:
            with (folder / key[:2] / f"{key}.pickle").open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            continue
    return None


def save(store: str, key: str, value: Any) -> None:
    """Keep `value` under `key`; when no folder can be written, it will be made again."""
    for folder in _spill_folders(store):
        path = folder / key[:2] / f"{key}.pickle"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                dir=path.parent, delete=False, suffix=".tmp"
            ) as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, path)
            return
        except OSError:
            continue  # the piece will be made again when a task needs it


def drop(store: str, temporary: bool) -> None:
    """Remove this machine's fallback folder of `store`, and the store itself if temporary."""
    shutil.rmtree(_spill_folders(store)[1], ignore_errors=True)
    if temporary:
        shutil.rmtree(store, ignore_errors=True)
