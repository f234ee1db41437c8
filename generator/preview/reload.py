"""Live reload: the build state that every open page follows, and the stream that tells it.

The builder records each outcome in a BuildState; every open page holds one Server-Sent
Events stream on EVENTS_PATH and hears each change at once. The browser side is live.js, a
package file (so that it is JavaScript an editor and a linter can read), loaded through the
tag `script_tag` gives and served on SCRIPT_PATH.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Iterable
from importlib import resources
from typing import Any, BinaryIO

INTERNAL = "/__newsdigest/"  # the preview's own URLs; a site never builds pages under it
EVENTS_PATH = INTERNAL + "events"
STATE_PATH = INTERNAL + "state"
SCRIPT_PATH = INTERNAL + "live.js"
KEEPALIVE_SECONDS = 15.0  # a comment line this often shows a dead page's stream as broken
_EVENTS_TOKEN = "__NEWSDIGEST_EVENTS__"  # what live.js says where it needs EVENTS_PATH


class BuildState:
    """The outcome of the latest build, shared by the builder and every HTTP thread."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.build = 0  # successful builds so far; the page compares it with its own
        self.errors: tuple[str, ...] | None = None
        self.closed = False

    def snapshot(self) -> dict[str, Any]:
        """The state as the browser sees it."""
        with self._changed:
            return {"build": self.build, "errors": list(self.errors) if self.errors else None}

    def succeeded(self) -> None:
        """A new site is published."""
        with self._changed:
            self.build += 1
            self.errors = None
            self._changed.notify_all()

    def failed(self, lines: Iterable[str]) -> None:
        """The latest build failed; the previous site is still in place."""
        with self._changed:
            self.errors = tuple(lines)
            self._changed.notify_all()

    def close(self) -> None:
        """Wake every waiting event stream so that it ends."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def wait(self, seen: dict[str, Any] | None, timeout: float) -> dict[str, Any]:
        """The state once it differs from `seen`, or after `timeout` seconds either way."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self.closed and self.snapshot() == seen:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return self.snapshot()


def stream_events(out: BinaryIO, state: BuildState) -> None:
    """Send the state now and on every change, a keep-alive in between, until `state` closes
    or the page goes away (a write fails)."""
    seen: dict[str, Any] | None = None
    out.write(b"retry: 1000\n\n")
    while not state.closed:
        current = state.wait(seen, KEEPALIVE_SECONDS)
        if current == seen:
            out.write(b": keep-alive\n\n")
        else:
            data = json.dumps(current)
            out.write(f"event: state\ndata: {data}\n\n".encode())
            seen = current
        out.flush()


@functools.cache
def live_script() -> bytes:
    """live.js as served, read once from the package (an installed wheel carries it)."""
    text = resources.files(__package__).joinpath("live.js").read_text(encoding="utf-8")
    return text.replace(_EVENTS_TOKEN, EVENTS_PATH).encode()


def script_tag(build: int) -> bytes:
    """The tag that loads live.js into a page; `build` is the build the page comes from."""
    return f'<script src="{SCRIPT_PATH}" data-build="{build}"></script>\n'.encode()
