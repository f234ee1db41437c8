"""The one error type that reaches the user: a Diagnostic with a path and a line.

Every stage collects Diagnostics instead of raising on the first problem, so that an
editor sees all of their mistakes in one run. Tracebacks are reserved for our own bugs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# C0 and C1 controls and the Unicode line and paragraph separators: a file name holding a
# newline could otherwise print a line of its own, such as a fake `::error::` annotation
# that a CI system would act on.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """Text as one line of a terminal or a CI log: control characters as Python escapes
    (`\\n`, `\\x1b`), everything else as it is."""
    if text.isprintable():
        return text
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], text)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A user mistake, located as precisely as we can (line is 1-based, None if unknown)."""

    path: str
    line: int | None
    message: str
    hint: str | None = None

    @property
    def location(self) -> str:
        """`path:line` (or the path alone), as printed."""
        path = printable(self.path)
        return path if self.line is None else f"{path}:{self.line}"

    def format(self) -> str:
        """Render as `path:line: message (hint)`, the form editors and IDEs can jump to.

        Always one line: control characters anywhere in it are escaped (see printable).
        """
        text = f"{self.location}: {printable(self.message)}"
        if self.hint:
            text += f" ({printable(self.hint)})"
        return text


def diagnostic(
    path: Path | str, line: int | None, message: str, hint: str | None = None
) -> Diagnostic:
    """Build a Diagnostic, normalising the path to the string shown to the user."""
    return Diagnostic(str(path), line, message, hint)


class UserError(Exception):
    """Raised when a stage found user mistakes; carries all of them, sorted and deduplicated."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sorted(set(diagnostics), key=_sort_key))
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    def __reduce__(self) -> tuple[type[UserError], tuple[tuple[Diagnostic, ...]]]:
        # Keeps the diagnostics intact when a worker process sends the error back.
        return (UserError, (self.diagnostics,))


def _sort_key(item: Diagnostic) -> tuple[str, int, str]:
    return (item.path, item.line or 0, item.message)


class Diagnostics:
    """Collects the mistakes of one stage, then raises them together."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []

    def add(
        self, path: Path | str, line: int | None, message: str, hint: str | None = None
    ) -> None:
        """Record one mistake and keep going."""
        self._items.append(diagnostic(path, line, message, hint))

    def extend(self, items: Iterable[Diagnostic]) -> None:
        """Record mistakes found elsewhere (e.g. in a worker process)."""
        self._items.extend(items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        """End the stage with a UserError if anything was recorded."""
        if self._items:
            raise UserError(self._items)
