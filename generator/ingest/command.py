"""`newsdigest import PATH...`: argument parsing, where the work runs, and the summary line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .model import FORMATS

if TYPE_CHECKING:
    from .executor import Executor


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def add_import_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the `import` subcommand."""
    parser = subparsers.add_parser(
        "import",
        help="clean raw scraped pages into articles in content/",
        description="Clean scraped news pages (plain text, saved HTML, JSON Lines, WARC) and "
        "feed files (RSS, Atom, JSON Feed: one article per entry) into Markdown articles in "
        "content/. Folders are read recursively; '-' reads standard input.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="file, folder, or - for stdin")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="auto",
        help="input format (default: by extension, else by content)",
    )
    parser.add_argument("--tags", default="", help="comma-separated tags added to every article")
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would be written, write nothing"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace articles an editor changed since they were imported",
    )
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="project folder holding content/ (default: .)"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="clean on a local Dask cluster of N worker processes",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="clean on a running Dask cluster, e.g. tcp://host:8786 (inputs "
        "must be readable from its workers under the same paths)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="neither use nor update .newsdigest-cache/import/ (the record of "
        "pages already cleaned, which lets an interrupted import resume)",
    )
    parser.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    """Read, clean, merge and write; exit status 1 when any input could not be imported."""
    return import_paths(
        args.paths,
        args.root,
        fmt=args.format,
        tags=[tag.strip() for tag in args.tags.split(",") if tag.strip()],
        dry_run=args.dry_run,
        force=args.force,
        workers=args.workers,
        scheduler=args.scheduler,
        cache=not args.no_cache,
    )


def import_paths(
    paths: list[str],
    root: Path,
    *,
    fmt: str = "auto",
    tags: list[str] | None = None,
    dry_run: bool = False,
    force: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    cache: bool = True,
    executor: Executor | None = None,
) -> int:
    """The import as a function, for the CLI and for tests (which may pass an executor)."""
    # Imported here so that `newsdigest build` never loads trafilatura, lxml or Dask.
    from .executor import DaskExecutor, LocalExecutor
    from .pipeline import import_pages
    from .policy import load_policy
    from .report import report_summary

    out = out or sys.stdout
    err = err or sys.stderr
    policy = load_policy(root)
    if isinstance(policy, list):  # the rules articles would be written under are unclear
        for problem in policy:
            print(problem.format(), file=err)
        print(f"{len(policy)} problems found; nothing was imported", file=err)
        return 1
    owned = executor is None
    if executor is None:
        try:
            executor = DaskExecutor(scheduler, workers) if scheduler or workers else LocalExecutor()
        except ImportError:
            print("--workers and --scheduler need Dask: pip install 'dask[distributed]'", file=err)
            return 2
        except (OSError, TimeoutError) as error:
            print(
                f"{scheduler or 'local cluster'}: cannot start or reach the Dask cluster: {error}",
                file=err,
            )
            return 1
    try:
        outcome = import_pages(
            list(paths),
            root,
            executor,
            fmt=fmt,
            extra_tags=tags or [],
            force=force,
            dry_run=dry_run,
            cache=cache,
            policy=policy,
            out=out,
            err=err,
        )
    finally:
        if owned:
            executor.close()
    report_summary(outcome, dry_run, out)
    return 1 if outcome.failed else 0


def add_review_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the `review` subcommand."""
    parser = subparsers.add_parser(
        "review",
        help="list imported articles waiting for an editor, or approve them",
        description="List the articles in content/ marked `review:` (title, source, and what "
        "looks doubtful: missing fields, a short body, a possible duplicate). With --approve, "
        "publish the given articles: their `review:` and `draft:` lines are removed, nothing "
        "else in the file changes.",
    )
    parser.add_argument(
        "--approve", nargs="+", metavar="PATH", help="article files in content/ to publish"
    )
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="project folder holding content/ (default: .)"
    )
    parser.set_defaults(handler=run_review)


def run_review(args: argparse.Namespace) -> int:
    """List what waits, or approve: exit status 1 when a path could not be approved."""
    from .review import approve, list_waiting

    if args.approve:
        return approve(args.root, args.approve, sys.stdout, sys.stderr)
    return list_waiting(args.root, sys.stdout)


def add_fetch_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the `fetch` subcommand."""
    parser = subparsers.add_parser(
        "fetch",
        help="read the feeds in sources.yaml and import their new articles",
        description="Download each feed listed in sources.yaml (and the OPML files it names), "
        "follow every entry not seen before to its article page, clean and import it. Polite: "
        "conditional GET, a delay per host, robots.txt, a timeout and a size limit. "
        "fetch-state.json remembers what was seen. One run at a time per project.",
    )
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="project folder holding content/ (default: .)"
    )
    parser.add_argument(
        "--sources", type=Path, help="the subscriptions file (default: ROOT/sources.yaml)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace articles an editor changed since they were imported",
    )
    parser.set_defaults(handler=run_fetch_command)


def run_fetch_command(args: argparse.Namespace) -> int:
    """Fetch and import; exit status 1 when any feed or page failed."""
    from .fetch import run_fetch

    return run_fetch(
        args.root, out=sys.stdout, err=sys.stderr, sources_path=args.sources, force=args.force
    )
