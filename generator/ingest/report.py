"""What the user is told: one line per decision as it is carried out, and the summary line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO


@dataclass
class Outcome:
    """What an import did, for the report and the exit status."""

    counts: Counter[str] = field(default_factory=Counter)
    drafts: int = 0
    failed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    warc: bool = False
    cleaned: int = 0
    pages: int = 0


_TOLD = {
    "write": "wrote",
    "update": "updated",
    "unchanged": "unchanged",
    "merge": "merged",
    "duplicate": "duplicate",
    "kept": "kept",
}


def report_action(
    kind: str,
    path: Path,
    sources: tuple[str, ...],
    review: str | None,
    note: str,
    root: Path,
    dry_run: bool,
    out: TextIO,
) -> None:
    """One decision, as a line of standard output."""
    verb = _TOLD[kind]
    if dry_run and kind in ("write", "update"):
        verb = f"would {'write' if kind == 'write' else 'update'}"
    shown = _shown(path, root)
    line = f"{verb} {shown} (from {sources[0]})"
    if kind == "duplicate":
        line = (
            f"duplicate {sources[0]}: same story as {sources[1]}, listed "
            f"in {shown} under also_reported_by"
        )
    elif kind == "merge":
        line = f"duplicate {sources[0]}: same story as {shown}"
    if review:
        line += f": draft, {review}"
    if note:
        line += f": {note}"
    print(line, file=out)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def report_summary(outcome: Outcome, dry_run: bool, out: TextIO) -> None:
    """The last lines: records skipped by reason, then the counts."""
    counts = outcome.counts
    if outcome.skipped:
        detail = ", ".join(
            f"{count} {reason}"
            for reason, count in sorted(
                outcome.skipped.items(), key=lambda item: (-item[1], item[0])
            )
        )
        print(
            f"skipped {sum(outcome.skipped.values())} WARC records that are not HTML pages "
            f"with status 200: {detail}",
            file=out,
        )
    prefix = "dry run: would have " if dry_run else ""
    skipped = f", records skipped {sum(outcome.skipped.values())}" if outcome.warc else ""
    print(
        f"{prefix}imported {counts['write'] + counts['update']}, unchanged {counts['unchanged']}, "
        f"duplicates merged {counts['duplicate'] + counts['merge']}, drafts needing review "
        f"{outcome.drafts}, kept edited {counts['kept']}, failed {outcome.failed}{skipped}",
        file=out,
    )
