"""`newsdigest serve`: build, serve on loopback, rebuild on change, reload open pages.

The preview is built into its own folder (.newsdigest-cache/serve/ by default), with
base_url set to the local address, so output/ never holds localhost links by accident and
both keep their page caches. Builds go through the same transactional publish as
`newsdigest build`: a failed build leaves the last good site in place, and the server goes
on serving it while the browser shows the errors as an overlay.

Live reload needs no change to the built files: HTML responses get one script tag
injected as they are served. The script listens to Server-Sent Events on
/__newsdigest/events, reloads when a newer build is published and shows build errors.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import http.server
import json
import os
import queue
import signal
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..build.config import display_path
from ..build.pipeline import BuildOptions, build_site
from ..core.console import Console
from ..core.errors import UserError, diagnostic
from ..core.layout import BUILTIN_THEMES, CACHE_DIR, CONFIG_FILE, PROJECT_INPUTS

INTERNAL = "/__newsdigest/"
EVENTS_PATH = INTERNAL + "events"
STATE_PATH = INTERNAL + "state"
SCRIPT_PATH = INTERNAL + "live.js"
KEEPALIVE_SECONDS = 15.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

LIVE_SCRIPT = r"""(function () {
  "use strict";
  var me = document.currentScript;
  var built = Number(me && me.getAttribute("data-build"));
  var box = null;
  function hide() { if (box) { box.remove(); box = null; } }
  function show(lines) {
    hide();
    box = document.createElement("div");
    box.id = "newsdigest-error-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,20,.94);color:#fff;font:14px/1.5 ui-monospace,monospace;padding:1.5rem";
    var title = document.createElement("p");
    title.style.cssText = "font-weight:bold;color:#ff8a80;margin:0 0 1rem";
    title.textContent = "newsdigest: the build failed. The last good version of the site is shown; fix the problem and save to rebuild.";
    var text = document.createElement("pre");
    text.style.cssText = "white-space:pre-wrap;margin:0";
    text.textContent = lines.join("\n");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.style.cssText = "margin-top:1rem;font:inherit";
    close.addEventListener("click", hide);
    box.append(title, text, close);
    document.body.appendChild(box);
  }
  var source = new EventSource("%(events)s");
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.errors) { show(state.errors); return; }
    hide();
    if (state.build !== built) window.location.reload();
  });
})();
"""


@dataclass(frozen=True)
class ServeOptions:
    """What `newsdigest serve` was asked for."""

    root: Path
    host: str = "127.0.0.1"
    port: int = 8000
    include_drafts: bool = False
    include_future: bool = False
    output: Path | None = None  # default: ROOT/.newsdigest-cache/serve
    workers: int | None = None

    @property
    def output_dir(self) -> Path:
        """Where the preview is built."""
        return self.output if self.output is not None else self.root / CACHE_DIR / "serve"


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


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # open event streams must not keep the process alive
    allow_reuse_address = True
    state: BuildState
    verbose: bool


def _inject(page: bytes, build: int) -> bytes:
    tag = f'<script src="{SCRIPT_PATH}" data-build="{build}"></script>\n'.encode()
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the preview folder, HTML with the live-reload script, the events."""

    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reload must show the new build
        super().end_headers()

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == EVENTS_PATH:
            self._stream_events()
        elif path == STATE_PATH:
            self._send(200, "application/json", json.dumps(self.server.state.snapshot()).encode())
        elif path == SCRIPT_PATH:
            script = LIVE_SCRIPT % {"events": EVENTS_PATH}
            self._send(200, "text/javascript; charset=utf-8", script.encode())
        elif (page := self._html_file(path)) is not None:
            self._send_page(200, page)
        elif not os.path.exists(self.translate_path(self.path)):
            self._not_found()
        else:
            super().do_GET()

    def _html_file(self, path: str) -> str | None:
        local = self.translate_path(path)
        if os.path.isdir(local):
            if not path.endswith("/"):
                return None  # the base class redirects /a to /a/
            local = os.path.join(local, "index.html")
        return local if local.endswith(".html") and os.path.isfile(local) else None

    def _send(self, status: int, media_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_page(self, status: int, path: str) -> None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:  # replaced by a rebuild between the check and the read
            self._not_found()
            return
        build = self.server.state.snapshot()["build"]
        self._send(status, "text/html; charset=utf-8", _inject(data, build))

    def _not_found(self) -> None:
        page = os.path.join(self.directory, "404.html")
        if os.path.isfile(page):
            self._send_page(404, page)
            return
        text = b"<!DOCTYPE html><title>Not found</title><body><h1>Not found</h1></body>"
        build = self.server.state.snapshot()["build"]
        self._send(404, "text/html; charset=utf-8", _inject(text, build))

    def _stream_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        state = self.server.state
        seen: dict[str, Any] | None = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not state.closed:
                current = state.wait(seen, KEEPALIVE_SECONDS)
                if current == seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    data = json.dumps(current)
                    self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
                    seen = current
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away


def local_url(host: str, port: int) -> str:
    """The address a browser uses for the server (a wildcard host is shown as localhost)."""
    if host in {"", "0.0.0.0", "::"}:
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def _bind(options: ServeOptions) -> _Server:
    family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
    server_class = type("_BoundServer", (_Server,), {"address_family": family})
    handler = functools.partial(_Handler, directory=str(options.output_dir))
    try:
        return server_class((options.host, options.port), handler)
    except OSError as error:
        where = f"{options.host}:{options.port}"
        if error.errno == errno.EADDRINUSE:
            message, hint = "address already in use", "stop the other server or pick another --port"
        else:
            message, hint = f"cannot listen there: {error.strerror or error}", "check --host"
        raise UserError([diagnostic(where, None, message, hint)]) from None


class _Either:
    """Stops a watcher when either event is set (watchfiles takes one `stop_event`)."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class DevServer:
    """The server, its watchers and its builder; `run()` blocks until `stop()` or Ctrl-C."""

    def __init__(self, options: ServeOptions, console: Console | None = None) -> None:
        self.options = options
        self.console = console or Console()
        options.output_dir.mkdir(parents=True, exist_ok=True)
        self.httpd = _bind(options)
        self.httpd.state = self.state = BuildState()
        self.httpd.verbose = self.console.level >= 2
        self.url = local_url(options.host, self.httpd.server_address[1])
        self._stop = threading.Event()
        self._rewatch = threading.Event()
        self._changes: queue.Queue[set[str]] = queue.Queue()
        self._threads: list[threading.Thread] = []

    def build_options(self) -> BuildOptions:
        """A normal build, with the cache, linking to the local address."""
        extra = {"workers": self.options.workers} if self.options.workers else {}
        return BuildOptions(
            root=self.options.root,
            output=self.options.output_dir,
            include_drafts=self.options.include_drafts,
            include_future=self.options.include_future,
            base_url=self.url,
            progress=self.console.progress,
            **extra,  # type: ignore[arg-type]
        )

    def rebuild(self, changed: Iterable[str] = ()) -> bool:
        """Build once; report the result in the terminal and to open pages."""
        started = time.perf_counter()
        names = sorted(changed)
        if names:
            shown = ", ".join(display_path(Path(name)) for name in names[:3])
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            self.console.info(f"changed: {shown}{more}")
        try:
            result = build_site(self.build_options())
        except UserError as error:
            for item in error.diagnostics:
                self.console.diagnostic(item)
            count = len(error.diagnostics)
            self.console.error(
                f"build failed ({count} problem{'s' if count != 1 else ''}); "
                "still serving the last good site"
            )
            self.state.failed(item.format() for item in error.diagnostics)
            return False
        except Exception as error:  # a bug of ours: keep serving, say so everywhere
            import traceback

            traceback.print_exc()
            self.state.failed([f"internal error: {error!r} (see the terminal)"])
            return False
        for item in result.skipped:
            self.console.warn(f"skipped {item.source}: {item.reason}")
        self.console.info(
            f"built {result.pages} pages ({result.rendered} rendered, {result.written} files "
            f"changed) in {time.perf_counter() - started:.2f} s"
        )
        self.state.succeeded()
        return True

    def watched_folders(self) -> list[Path]:
        """Folders whose changes trigger a rebuild (those that exist now)."""
        root = self.options.root
        candidates = [root / name for name in PROJECT_INPUTS if name != CONFIG_FILE] + [
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

    def _watch_folders(self) -> None:
        import watchfiles

        while not self._stop.is_set():
            self._rewatch.clear()
            folders = self.watched_folders()
            if not folders:
                self._rewatch.wait(0.5)
                continue
            for changes in watchfiles.watch(
                *folders,
                stop_event=_Either(self._stop, self._rewatch),
                rust_timeout=200,
                yield_on_timeout=False,
                raise_interrupt=False,
            ):
                self._changes.put({path for _kind, path in changes})

    def _watch_root(self) -> None:
        import watchfiles

        def relevant(_change: object, path: str) -> bool:
            return os.path.basename(path) in PROJECT_INPUTS

        for changes in watchfiles.watch(
            self.options.root,
            watch_filter=relevant,
            recursive=False,
            stop_event=self._stop,
            rust_timeout=200,
            raise_interrupt=False,
        ):
            if any(os.path.basename(path) != CONFIG_FILE for _kind, path in changes):
                self._rewatch.set()  # content/, templates/... appeared or went away
            self._changes.put({path for _kind, path in changes})

    def start(self) -> None:
        """Serve and watch in background threads."""
        targets = {
            "serve": functools.partial(self.httpd.serve_forever, poll_interval=0.1),
            "watch": self._watch_folders,
            "watch-root": self._watch_root,
        }
        for name, target in targets.items():
            thread = threading.Thread(target=target, daemon=True, name=f"newsdigest-{name}")
            thread.start()
            self._threads.append(thread)

    def run(self) -> None:
        """Build, serve, and rebuild on every change until `stop()` (or KeyboardInterrupt)."""
        try:
            self.start()  # watching before the first build: edits made during it are not lost
            self.rebuild()
            host = self.options.host
            if host not in LOOPBACK_HOSTS:
                self.console.warn(
                    f"listening on {host}: other machines on the network can read the preview"
                )
            self.console.info(
                f"Serving {self.options.root.resolve()} at {self.url} (Ctrl-C to stop)"
            )
            while not self._stop.is_set():
                try:
                    changed = self._changes.get(timeout=0.2)
                except queue.Empty:
                    continue
                time.sleep(0.05)  # let an editor finish writing the rest of its files
                while not self._changes.empty():
                    changed |= self._changes.get_nowait()
                self.rebuild(changed)
        finally:
            self.close()

    def stop(self) -> None:
        """Ask `run()` to return (from another thread)."""
        self._stop.set()

    def close(self) -> None:
        """Stop serving and watching; idempotent."""
        self._stop.set()
        self.state.close()
        if self._threads:
            self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads = []


def serve_site(options: ServeOptions, console: Console | None = None) -> None:
    """Run the preview server until Ctrl-C; raise UserError if it cannot listen."""
    server = DevServer(options, console)
    if threading.current_thread() is threading.main_thread():
        # `kill` (SIGTERM) stops the server as cleanly as Ctrl-C does.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
