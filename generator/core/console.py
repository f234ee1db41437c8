"""What the command line prints while it works: levels, colours and a progress bar.

Dependency-free. The bar is drawn only on a terminal (stderr is a TTY), never in CI or
when output is piped, and only for stages that run long enough to need it. Colours are
used only on a terminal and never when `NO_COLOR` is set (https://no-color.org). The
build reports progress through a callback (`Console.progress`), so the pipeline knows
nothing about terminals.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import TextIO

from .errors import Diagnostic, printable

QUIET, NORMAL, VERBOSE = 0, 1, 2
BAR_WIDTH = 28
BAR_DELAY = 0.25  # seconds a stage runs before its bar appears: short builds stay silent
REDRAW_EVERY = 0.08

_RESET = "\x1b[0m"
BOLD, RED, YELLOW, GREEN, DIM = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[2m"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


class Console:
    """Messages for one command run: `--quiet` keeps errors only, `--verbose` adds details."""

    def __init__(
        self,
        level: int = NORMAL,
        out: TextIO | None = None,
        err: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.level = level
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        env = os.environ if environ is None else environ
        terminal = _is_terminal(self.err) and env.get("TERM") != "dumb"
        self.color = terminal and not env.get("NO_COLOR")
        self.bars = terminal and level > QUIET and not env.get("CI")
        self._lock = threading.Lock()
        self._stage: str | None = None
        self._stage_started = 0.0
        self._last_draw = 0.0
        self._bar_visible = False

    def paint(self, text: str, style: str) -> str:
        """Text in a colour or weight, or as it is where colours are off."""
        return f"{style}{text}{_RESET}" if self.color else text

    def progress(self, stage: str, done: int, total: int) -> None:
        """The progress callback: `done` of `total` items of `stage` are finished."""
        if not self.bars or total <= 0:
            return
        with self._lock:
            now = time.monotonic()
            if stage != self._stage:
                self._stage, self._stage_started, self._last_draw = stage, now, 0.0
            if done >= total:
                self._clear()
                self._stage = None
                return
            if now - self._stage_started < BAR_DELAY or now - self._last_draw < REDRAW_EVERY:
                return
            self._last_draw = now
            filled = BAR_WIDTH * done // total
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            percent = 100 * done // total
            self.err.write(f"\r{stage:<8} [{bar}] {done}/{total} {percent:3d}%\x1b[K")
            self.err.flush()
            self._bar_visible = True

    def _clear(self) -> None:
        if self._bar_visible:
            self.err.write("\r\x1b[K")
            self.err.flush()
            self._bar_visible = False

    def _write(self, stream: TextIO, text: str) -> None:
        with self._lock:
            self._clear()
            print(text, file=stream, flush=True)

    def info(self, text: str) -> None:
        """A result worth a line (the build summary): shown unless `--quiet`."""
        if self.level >= NORMAL:
            self._write(self.out, text)

    def warn(self, text: str) -> None:
        """Something left out or odd, not an error (a skipped draft): shown unless `--quiet`.

        One line, whatever the file names in it hold (see printable)."""
        if self.level >= NORMAL:
            self._write(self.err, self.paint(printable(text), YELLOW))

    def detail(self, text: str) -> None:
        """Timings and the like: shown only with `--verbose`."""
        if self.level >= VERBOSE:
            self._write(self.err, self.paint(text, DIM))

    def error(self, text: str) -> None:
        """Always shown, on stderr."""
        self._write(self.err, self.paint(text, RED))

    def diagnostic(self, item: Diagnostic) -> None:
        """A user mistake as `path:line: message (hint)`, the location in bold on a terminal."""
        text = item.format()
        if self.color:
            location = item.location
            text = self.paint(location, BOLD) + self.paint(text[len(location) :], RED)
        self._write(self.err, text)
