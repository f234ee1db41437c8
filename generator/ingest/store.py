"""The store: cleaned pages wait on disk between the import's passes, not in memory.

The store is the import cache (.newsdigest-cache/import/, so that an interrupted import
resumes) or, with --no-cache and --dry-run, a private temporary folder removed at the end.
A worker that cannot write it (another machine without that folder) keeps its pieces in a
private temporary folder of its own; a piece found in neither is made again from the input.

Entries hold data, never code: JSON of a closed set of types (the import's model classes,
dates, bytes), decoded field by field, so a planted or damaged file cannot run anything; it
is ignored with one warning line and the piece is made again. Temporary folders are made
with `tempfile.mkdtemp` (private to the user, unpredictable names) and hold a lock while
their import runs, so that the next import removes those a killed one left behind.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..core.errors import Diagnostic
from .model import Extracted, RawDocument

FORMAT = "newsdigest-import-store/1"
PREFIX = "newsdigest-import-"
_LOCK = "owner.lock"

try:
    import fcntl
except ImportError:  # Windows: folders of killed imports are left to the system's cleaner
    fcntl = None  # type: ignore[assignment]

# Per process: the fallback folder of each store, and the open locks of our own folders
# (held as long as this process lives, released by the system when it dies).
_fallbacks: dict[str, Path] = {}
_locks: dict[str, int] = {}
_warned: set[str] = set()


class Damaged(ValueError):
    """An entry that is not what this version of newsdigest writes."""


# --- encoding: a closed set of types, nothing else ----------------------------------------

_CLASSES: dict[str, type] = {"RawDocument": RawDocument, "Extracted": Extracted}
_DIAGNOSTIC = "Diagnostic"


def encode(value: Any) -> Any:
    """A JSON-ready form of `value` (model classes, dates and bytes tagged)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dt.datetime):
        return {"$": "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$": "date", "v": value.isoformat()}
    if isinstance(value, bytes):
        return {"$": "bytes", "v": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (frozenset, set)):
        return {"$": "set", "v": sorted(encode(item) for item in value)}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    if isinstance(value, Diagnostic):
        return {"$": _DIAGNOSTIC, "v": [value.path, value.line, value.message, value.hint]}
    if type(value).__name__ in _CLASSES and type(value) is _CLASSES[type(value).__name__]:
        return {
            "$": type(value).__name__,
            "v": {item.name: encode(getattr(value, item.name)) for item in fields(value)},
        }
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("store keys must be text")
        return {"$": "map", "v": {key: encode(item) for key, item in value.items()}}
    raise TypeError(f"the store cannot hold {type(value).__name__}")


def decode(value: Any) -> Any:
    """The value `encode` was given; raises Damaged for anything it does not write."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict) or set(value) != {"$", "v"}:
        raise Damaged("unexpected value")
    tag, data = value["$"], value["v"]
    try:
        if tag == "datetime":
            return dt.datetime.fromisoformat(_text(data))
        if tag == "date":
            return dt.date.fromisoformat(_text(data))
        if tag == "bytes":
            return base64.b64decode(_text(data), validate=True)
        if tag == "set":
            return frozenset(decode(_list(data)))
        if tag == "map":
            if not isinstance(data, dict):
                raise Damaged("a map must be an object")
            return {key: decode(item) for key, item in data.items()}
        if tag == _DIAGNOSTIC:
            path, line, message, hint = _list(data)
            if not (isinstance(line, int) or line is None) or not (
                isinstance(hint, str) or hint is None
            ):
                raise Damaged("bad diagnostic")
            return Diagnostic(_text(path), line, _text(message), hint)
        if tag in _CLASSES:
            return _instance(_CLASSES[tag], data)
    except (TypeError, ValueError) as error:
        raise Damaged(str(error)) from None
    raise Damaged(f"unknown tag {tag!r}")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise Damaged("text expected")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise Damaged("list expected")
    return value


_OPTIONAL_TEXT = (str, type(None))
_DATES = (dt.datetime, dt.date, type(None))
# What every field of the model classes may hold once decoded.
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "source": (str,),
    "data": (bytes,),
    "format": (str,),
    "text": (str,),
    "sha256": (str,),
    "order": (int,),
    "hints": (dict,),
    "title": _OPTIONAL_TEXT,
    "date": _DATES,
    "publisher": _OPTIONAL_TEXT,
    "url": _OPTIONAL_TEXT,
    "tags": (list,),
    "body": (str,),
    "updated": _DATES,
    "author": _OPTIONAL_TEXT,
    "authors": (list,),
    "image": _OPTIONAL_TEXT,
    "image_alt": _OPTIONAL_TEXT,
    "image_caption": _OPTIONAL_TEXT,
    "image_credit": _OPTIONAL_TEXT,
    "lines": (frozenset,),
}


def _instance(kind: type, data: Any) -> Any:
    names = [item.name for item in fields(kind)]
    if not isinstance(data, dict) or sorted(data) != sorted(names):
        raise Damaged(f"fields of {kind.__name__} expected")
    values = {name: decode(data[name]) for name in names}
    for name, value in values.items():
        if not isinstance(value, _FIELD_TYPES[name]) or isinstance(value, bool):
            raise Damaged(f"{kind.__name__}.{name} has the wrong type")
    for name in ("tags", "authors"):
        if name in values:
            if not all(isinstance(item, str) for item in values[name]):
                raise Damaged(f"{name} must be text")
            values[name] = tuple(values[name])
    return kind(**values)


# --- folders ------------------------------------------------------------------------------


def _entry(folder: Path, key: str) -> Path:
    if not key.isalnum():
        raise ValueError(f"bad store key {key!r}")
    return folder / key[:2] / f"{key}.json"


def load(store: str, key: str, check: Callable[[Any], bool] = lambda value: True) -> Any:
    """What was saved under `key` (if `check` accepts it), or None: then it is made again."""
    for folder in (Path(store), _fallbacks.get(store)):
        if folder is None:
            continue
        path = _entry(folder, key)
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        try:
            document = json.loads(raw)
            if not isinstance(document, dict) or document.get("format") != FORMAT:
                raise Damaged("not a store entry")
            if document.get("key") != key:
                raise Damaged("entry saved under another key")
            value = decode(document.get("value"))
            if not check(value):
                raise Damaged("entry of another shape")
        except (ValueError, RecursionError):  # Damaged, JSON and Unicode errors
            _warn(store, path)
            continue
        return value
    return None


def _warn(store: str, path: Path) -> None:
    """One line per store and process, however many entries are damaged."""
    if store not in _warned:
        _warned.add(store)
        print(
            f"warning: {path}: not an entry this newsdigest wrote (damaged or planted); "
            "ignored, and such pages are cleaned again",
            file=sys.stderr,
        )


def save(store: str, key: str, value: Any) -> None:
    """Keep `value` under `key`; when no folder can be written, it will be made again."""
    data = json.dumps({"format": FORMAT, "key": key, "value": encode(value)}).encode("utf-8")
    if _write(_entry(Path(store), key), data):
        return
    if store not in _fallbacks:
        try:
            _fallbacks[store] = Path(private_folder())
        except OSError:
            return
    _write(_entry(_fallbacks[store], key), data)


def _write(path: Path, data: bytes) -> bool:
    """Write a file atomically; a failed write (disk full) leaves no temporary file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    except OSError:
        return False
    try:
        with open(handle, "wb") as file:
            file.write(data)
        os.replace(name, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(name)
        return False
    return True


def private_folder() -> str:
    """A new folder only this user can read, in the system's temporary folder, locked while
    this process lives; folders of dead processes are removed first."""
    sweep()
    folder = tempfile.mkdtemp(prefix=PREFIX)
    if fcntl is not None:
        handle = os.open(os.path.join(folder, _LOCK), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(handle, fcntl.LOCK_EX)
        _locks[folder] = handle
    return folder


def sweep() -> None:
    """Remove the private folders that imports killed before their end left behind."""
    if fcntl is None:
        return
    base = tempfile.gettempdir()
    try:
        names = [name for name in os.listdir(base) if name.startswith(PREFIX)]
    except OSError:
        return
    for name in names:
        folder = os.path.join(base, name)
        if folder in _locks:
            continue
        try:
            status = os.lstat(folder)
            if not os.path.isdir(folder) or os.path.islink(folder) or status.st_uid != os.getuid():
                continue
            handle = os.open(os.path.join(folder, _LOCK), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # not ours, or not made by private_folder
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # its import is still running
        finally:
            os.close(handle)
        shutil.rmtree(folder, ignore_errors=True)


def drop(store: str, temporary: bool) -> None:
    """Remove this process's fallback folder of `store`, and the store itself if temporary."""
    fallback = _fallbacks.pop(store, None)
    for folder in ([str(fallback)] if fallback else []) + ([store] if temporary else []):
        handle = _locks.pop(folder, None)
        shutil.rmtree(folder, ignore_errors=True)
        if handle is not None:
            os.close(handle)
