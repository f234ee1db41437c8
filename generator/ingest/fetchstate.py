"""fetch-state.json: what `fetch` has seen of each feed, so the next run asks only for news.

Data only, never code: JSON written atomically, read back field by field. A file that is not
what this version writes (damaged, edited, from another program) is set aside with one
warning and the run starts afresh: every entry is fetched again and the import reports the
articles it already has as unchanged, so nothing is lost but a little politeness.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

VERSION = 1
MAX_SEEN = 5000  # entries remembered per feed: far more than any feed lists at once
DONE, GONE = "done", "gone"  # imported; vanished (404/410), not asked for again


@dataclass
class FeedState:
    """One feed's validators for conditional GET, its entries seen, and its last error."""

    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    error: str | None = None
    seen: dict[str, str] = field(default_factory=dict)  # entry key -> DONE or GONE

    def remember(self, key: str, how: str) -> None:
        self.seen.pop(key, None)
        self.seen[key] = how  # newest last: the oldest are forgotten first
        while len(self.seen) > MAX_SEEN:
            del self.seen[next(iter(self.seen))]


def _text(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError("not text")
    return value


def load_state(path: Path) -> tuple[dict[str, FeedState], str | None]:
    """The state by feed URL, and a warning when the file was there but unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        return {}, f"{path}: unreadable ({type(error).__name__}); starting afresh"
    try:
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ValueError("not a fetch state of this version")
        feeds = data.get("feeds")
        if not isinstance(feeds, dict):
            raise ValueError("no feeds")
        states = {}
        for url, item in feeds.items():
            if not isinstance(item, dict) or not isinstance(item.get("seen", {}), dict):
                raise ValueError("a feed entry is not a mapping")
            failures = item.get("failures", 0)
            if isinstance(failures, bool) or not isinstance(failures, int) or failures < 0:
                raise ValueError("failures is not a count")
            seen = {}
            for key, how in item.get("seen", {}).items():
                if how not in (DONE, GONE):
                    raise ValueError("unknown entry state")
                seen[str(key)] = how
            states[str(url)] = FeedState(
                _text(item.get("etag")),
                _text(item.get("last_modified")),
                failures,
                _text(item.get("error")),
                seen,
            )
    except ValueError as error:
        return {}, f"{path}: not a fetch state newsdigest wrote ({error}); starting afresh"
    return states, None


def save_state(path: Path, states: dict[str, FeedState]) -> None:
    """Write the state atomically: a run killed while writing leaves the previous one."""
    data = {
        "version": VERSION,
        "feeds": {
            url: {
                "etag": state.etag,
                "last_modified": state.last_modified,
                "failures": state.failures,
                "error": state.error,
                "seen": state.seen,
            }
            for url, state in sorted(states.items())
        },
    }
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        temporary.write_text(
            json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
