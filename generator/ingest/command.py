"""`newsdigest import PATH...`: argument parsing, messages and the closing summary line."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .readers import FORMATS, read_inputs

if TYPE_CHECKING:
    from .pipeline import Plan

_TOLD = {"write": "wrote", "update": "updated", "unchanged": "unchanged",
         "merge": "merged", "duplicate": "duplicate", "kept": "kept"}


def add_import_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the `import` subcommand."""
    parser = subparsers.add_parser(
        "import",
        help="clean raw scraped pages into articles in content/",
        description="Clean scraped news pages (plain text, saved HTML, JSON Lines) into "
        "Markdown articles in content/. Folders are read recursively; '-' reads standard input.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="file, folder, or - for stdin")
    parser.add_argument("--format", choices=FORMATS, default="auto",
                        help="input format (default: by extension, else by content)")
    parser.add_argument("--tags", default="", help="comma-separated tags added to every article")
    parser.add_argument("--dry-run", action="store_true",
                        help="say what would be written, write nothing")
    parser.add_argument("--force", action="store_true",
                        help="replace articles an editor changed since they were imported")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="project folder holding content/ (default: .)")
    parser.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    """Read, clean, merge and write; exit status 1 when any input could not be imported."""
    return import_paths(args.paths, args.root, fmt=args.format,
                        tags=[tag.strip() for tag in args.tags.split(",") if tag.strip()],
                        dry_run=args.dry_run, force=args.force)


def import_paths(paths: list[str], root: Path, *, fmt: str = "auto", tags: list[str] | None = None,
                 dry_run: bool = False, force: bool = False, out: TextIO | None = None,
                 err: TextIO | None = None) -> int:
    """The import as a function, for the CLI and for tests."""
    # Imported here so that `newsdigest build` never loads trafilatura and lxml.
    from .pipeline import apply_plan, plan_import

    out = out or sys.stdout
    err = err or sys.stderr
    read = read_inputs(paths, fmt)
    for problem in read.diagnostics:
        print(problem.format(), file=err)
    plan = plan_import(read.documents, root, tags or [], force)
    written = [] if dry_run else apply_plan(plan)
    for problem in written:
        print(problem.format(), file=err)
    _report(plan, root, dry_run, out)
    failed = len(read.diagnostics) + len(written)
    counts = Counter(action.kind for action in plan.actions)
    drafts = sum(1 for action in plan.actions if action.review and action.kind in
                 ("write", "update", "unchanged"))
    prefix = "dry run: would have " if dry_run else ""
    print(
        f"{prefix}imported {counts['write'] + counts['update']}, unchanged {counts['unchanged']}, "
        f"duplicates merged {counts['duplicate'] + counts['merge']}, drafts needing review "
        f"{drafts}, kept edited {counts['kept']}, failed {failed}",
        file=out,
    )
    return 1 if failed else 0


def _report(plan: Plan, root: Path, dry_run: bool, out: TextIO) -> None:
    for action in plan.actions:
        verb = _TOLD[action.kind]
        if dry_run and action.kind in ("write", "update"):
            verb = f"would {'write' if action.kind == 'write' else 'update'}"
        path = _shown(action.path, root)
        line = f"{verb} {path} (from {action.sources[0]})"
        if action.kind == "duplicate":
            line = f"duplicate {action.sources[0]}: same story as {action.sources[1]}, listed " \
                   f"in {path} under also_reported_by"
        elif action.kind == "merge":
            line = f"duplicate {action.sources[0]}: same story as {path}"
        if action.review:
            line += f": draft, {action.review}"
        if action.note:
            line += f": {action.note}"
        print(line, file=out)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
