"""The `newsdigest` command line: argument parsing and exit codes, no logic of its own.

Exit status: 0 success, 1 user error (reported as `path:line: message`), 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .build import BuildOptions, build_site, check_site
from .errors import UserError
from .ingest.command import add_import_parser
from .newarticle import create_article

EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE = 0, 1, 2


def _add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        help="project folder holding site.yaml and content/ (default: .)",
    )


def _add_site_options(parser: argparse.ArgumentParser) -> None:
    _add_root(parser)
    parser.add_argument(
        "--drafts", action="store_true", help="include articles marked `draft: true`"
    )
    parser.add_argument(
        "--future", action="store_true", help="include articles dated in the future"
    )
    parser.add_argument(
        "--base-url", help="override site.yaml's base_url (for preview deployments)"
    )


def _options(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        root=args.root,
        output=getattr(args, "output", None),
        include_drafts=args.drafts,
        include_future=args.future,
        base_url=args.base_url,
        **({"workers": args.jobs} if getattr(args, "jobs", None) else {}),
        use_cache=not getattr(args, "no_cache", False),
    )


def _report_skipped(skipped: Sequence[object]) -> None:
    for item in skipped:
        print(f"skipped {item.source}: {item.reason}", file=sys.stderr)  # type: ignore[attr-defined]


def run_build(args: argparse.Namespace) -> int:
    """`newsdigest build`."""
    started = time.perf_counter()
    result = build_site(_options(args))
    _report_skipped(result.skipped)
    if args.timings:
        for stage, seconds in result.timings:
            print(f"  {stage:<10} {seconds * 1000:9.1f} ms", file=sys.stderr)
    output = _options(args).output_dir
    print(
        f"Built {result.pages} pages and feeds ({result.rendered} rendered, {result.written} files changed, "
        f"{result.removed} removed) from {result.articles} articles, {result.tags} tags, "
        f"{result.editions} editions into {output} in {time.perf_counter() - started:.2f} s"
    )
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """`newsdigest check`."""
    site = check_site(_options(args))
    _report_skipped(site.skipped)
    print(
        f"OK: {len(site.articles)} articles, {len(site.tags)} tags, {len(site.editions)} editions, no problems found"
    )
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    """`newsdigest new`."""
    tags = [tag.strip() for tag in args.tags.split(",") if tag.strip()] if args.tags else []
    path = create_article(args.root, args.title, tags, dt.datetime.now().astimezone())
    print(f"Created {path}")
    return EXIT_OK


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def make_parser() -> argparse.ArgumentParser:
    """The full command-line grammar."""
    parser = argparse.ArgumentParser(
        prog="newsdigest", description="Build a static site of cleaned news digests."
    )
    parser.add_argument("--version", action="version", version=f"newsdigest {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser(
        "build", help="build the site into output/", description="Build the site into output/."
    )
    _add_site_options(build)
    build.add_argument(
        "--output", type=Path, help="folder to write the site to (default: ROOT/output)"
    )
    build.add_argument("--timings", action="store_true", help="print how long each stage took")
    build.add_argument(
        "--jobs", type=_positive, metavar="N", help="worker processes (default: one per CPU)"
    )
    build.add_argument(
        "--no-cache", action="store_true", help="ignore and do not update .newsdigest-cache/"
    )
    build.set_defaults(handler=run_build)

    check = commands.add_parser(
        "check",
        help="validate everything, write nothing",
        description="Validate site.yaml, content and templates; write nothing.",
    )
    _add_site_options(check)
    check.set_defaults(handler=run_check)

    new = commands.add_parser(
        "new",
        help="create a new article file",
        description="Create content/YYYY/MM/DD-slug.md with front matter; never overwrites.",
    )
    _add_root(new)
    new.add_argument("title", help="the headline")
    new.add_argument("--tags", help="comma-separated tags, e.g. 'Economy,Climate'")
    new.set_defaults(handler=run_new)
    add_import_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status instead of raising for user errors."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UserError as error:
        for item in error.diagnostics:
            print(item.format(), file=sys.stderr)
        count = len(error.diagnostics)
        print(
            f"{count} problem{'s' if count != 1 else ''} found; nothing was written",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted; output/ was left as it was", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
