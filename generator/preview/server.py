"""`newsdigest serve`: build, serve on loopback, rebuild on change, reload open pages.

The preview is built into its own folder (.newsdigest-cache/serve/ by default), with
base_url set to the local address, so output/ never holds localhost links by accident and
both keep their page caches. Builds go through the same transactional publish as
`newsdigest build`: a failed build leaves the last good site in place, and the server goes
on serving it while the browser shows the errors as an overlay.

This module is the loop that ties the parts together: it builds, hands each outcome to the
live-reload state (reload.py), serves through httpd.py and rebuilds on what watch.py reports.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import signal
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..build.config import display_path
from ..build.pipeline import BuildOptions, build_site
from ..core.console import Console
from ..core.errors import UserError, diagnostic
from ..core.layout import CACHE_DIR, CONFIG_FILE, PREVIEW_DIR
from .httpd import LOOPBACK_HOSTS, REQUEST_TIMEOUT_SECONDS, bind
from .reload import BuildState
from .watch import ProjectWatcher

SETTLE_SECONDS = 0.05  # after a change, let an editor finish writing the rest of its files


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
    request_timeout: float = REQUEST_TIMEOUT_SECONDS

    @property
    def output_dir(self) -> Path:
        """Where the preview is built."""
        return self.output if self.output is not None else self.root / CACHE_DIR / PREVIEW_DIR


def _require_project(root: Path) -> None:
    """Refuse a folder without site.yaml before anything is created or bound there: serving
    it could only ever show a build error."""
    if not (root / CONFIG_FILE).is_file():
        where = root.resolve()
        message = f"no {CONFIG_FILE} here; run `newsdigest init` to start a site, or pass --root"
        raise UserError([diagnostic(where, None, message)])


class DevServer:
    """The server, its watchers and its builder; `run()` blocks until `stop()` or Ctrl-C."""

    def __init__(self, options: ServeOptions, console: Console | None = None) -> None:
        _require_project(options.root)
        self.options = options
        self.console = console or Console()
        options.output_dir.mkdir(parents=True, exist_ok=True)
        self.state = BuildState()
        self.httpd = bind(
            options.host,
            options.port,
            str(options.output_dir),
            self.state,
            request_timeout=options.request_timeout,
            verbose=self.console.level >= 2,
        )
        self.url = self.httpd.url
        self._stop = threading.Event()
        self.watcher = ProjectWatcher(options.root, self._stop)
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
            warn=self.console.warn,
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

    def start(self) -> None:
        """Serve and watch in background threads."""
        targets = {
            "serve": functools.partial(self.httpd.serve_forever, poll_interval=0.1),
            **self.watcher.targets(),
        }
        for name, target in targets.items():
            thread = threading.Thread(target=target, daemon=True, name=f"newsdigest-{name}")
            thread.start()
            self._threads.append(thread)

    def run(self) -> None:
        """Build, serve, and rebuild on every change until `stop()` (or KeyboardInterrupt)."""
        changes = self.watcher.changes
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
                    changed = changes.get(timeout=0.2)
                except queue.Empty:
                    continue
                time.sleep(SETTLE_SECONDS)
                while not changes.empty():
                    changed |= changes.get_nowait()
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
    """Run the preview server until Ctrl-C; raise UserError if there is no project or the
    server cannot listen."""
    server = DevServer(options, console)
    if threading.current_thread() is threading.main_thread():
        # `kill` (SIGTERM) stops the server as cleanly as Ctrl-C does; and Ctrl-C stops it
        # even where it was started with SIGINT ignored (a shell's `cmd &` in a script: then
        # Python raises no KeyboardInterrupt, and the server could not be stopped by it).
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
