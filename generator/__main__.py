"""The `newsdigest` command line: argument parsing and exit codes, no logic of its own.

Exit status: 0 success, 1 user error (reported as `path:line: message`), 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .build.pipeline import BuildOptions, build_site, check_site, render_selected
from .core.console import NORMAL, QUIET, VERBOSE, Console
from .core.errors import UserError, diagnostic
from .core.layout import CONTENT_DIR
from .ingest.command import add_fetch_parser, add_import_parser, add_review_parser

if TYPE_CHECKING:
    from .build.pages import Page
    from .build.site import Site

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


def _add_output_level(parser: argparse.ArgumentParser) -> None:
    level = parser.add_mutually_exclusive_group()
    level.add_argument(
        "-q", "--quiet", action="store_true", help="print errors only (no summary, no progress)"
    )
    level.add_argument(
        "-v", "--verbose", action="store_true", help="also print stage timings and what was skipped"
    )


def _console(args: argparse.Namespace) -> Console:
    """Messages at the level asked for; progress bars and colours only on a terminal."""
    if getattr(args, "quiet", False):
        return Console(QUIET)
    return Console(VERBOSE if getattr(args, "verbose", False) else NORMAL)


def _options(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        progress=args.console.progress,
        warn=args.console.warn,
        root=args.root,
        output=getattr(args, "output", None),
        include_drafts=args.drafts,
        include_future=args.future,
        base_url=args.base_url,
        **({"workers": args.jobs} if getattr(args, "jobs", None) else {}),
        use_cache=not getattr(args, "no_cache", False),
        left_for_exit=args.left_for_exit,
    )


def _report_skipped(console: Console, skipped: Sequence[object]) -> None:
    for item in skipped:
        console.warn(f"skipped {item.source}: {item.reason}")  # type: ignore[attr-defined]


def run_build(args: argparse.Namespace) -> int:
    """`newsdigest build`."""
    started = time.perf_counter()
    console: Console = args.console
    result = build_site(_options(args))
    _report_skipped(console, result.skipped)
    for stage, seconds in result.timings:
        line = f"  {stage:<10} {seconds * 1000:9.1f} ms"
        if args.timings:
            print(line, file=sys.stderr)
        else:
            console.detail(line)
    console.detail(
        f"  {result.pages - result.rendered} pages unchanged since the last build, not rendered"
    )
    output = _options(args).output_dir
    console.info(
        f"Built {result.pages} pages and feeds ({result.rendered} rendered, {result.written} files changed, "
        f"{result.removed} removed) from {_counted(result.articles, 'article')}, "
        f"{_counted(result.tags, 'tag')}, {_counted(result.editions, 'edition')} into {output} "
        f"in {time.perf_counter() - started:.2f} s"
    )
    return EXIT_OK


def _counted(number: int, noun: str) -> str:
    """'1 edition', '3 editions': the summary lines read as plain English."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def run_check(args: argparse.Namespace) -> int:
    """`newsdigest check`."""
    result = check_site(_options(args))
    _report_skipped(args.console, result.skipped)
    args.console.info(
        f"OK: {_counted(result.articles, 'article')}, {_counted(result.tags, 'tag')}, "
        f"{_counted(result.editions, 'edition')}, "
        f"{result.pages} pages and feeds ({result.rendered} rendered to check them), no problems found"
    )
    return EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    """`newsdigest new`."""
    from .newarticle import create_article  # each command imports only what it runs

    tags = [tag.strip() for tag in args.tags.split(",") if tag.strip()] if args.tags else []
    path = create_article(args.root, args.title, tags, dt.datetime.now(dt.UTC))
    print(f"Created {path}")
    return EXIT_OK


def run_edition(args: argparse.Namespace) -> int:
    """`newsdigest edition`: print one day's edition, ready to mail."""
    kind = f"email-{args.format}"
    day: dt.date | None = args.date

    def wanted(site: Site, page: Page) -> bool:
        if page.kind != kind:
            return False
        return page.index == 0 if day is None else site.editions[page.index].day == day

    found = render_selected(_options(args), wanted)
    if not found:
        which = "no edition yet" if day is None else f"no edition on {day:%Y-%m-%d}"
        hint = "pick a day that has articles (drafts and future ones count with --drafts, --future)"
        if day is None:
            hint = "add articles to content/"
        raise UserError(
            [
                diagnostic(
                    args.root / CONTENT_DIR,
                    None,
                    f"{which} (or the theme has no e-mail template)",
                    hint,
                )
            ]
        )
    [data] = found.values()
    sys.stdout.buffer.write(data)
    return EXIT_OK


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from None


def run_init(args: argparse.Namespace) -> int:
    """`newsdigest init`."""
    from .init import init_site

    written = init_site(args.folder, dt.datetime.now(dt.UTC))
    for path in written:
        args.console.detail(f"  wrote {path}")
    folder = args.folder
    step = "" if folder.resolve() == Path.cwd().resolve() else f"cd {folder} && "
    args.console.info(
        f"Created a site in {folder} ({len(written)} files). Next: set title and base_url in "
        f"{folder / 'site.yaml'}, then `{step}newsdigest build` (or `newsdigest serve` to preview)."
    )
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    """`newsdigest serve`."""
    from .preview.server import ServeOptions, serve_site  # only `serve` needs watchfiles

    options = ServeOptions(
        root=args.root,
        host=args.host,
        port=args.port,
        include_drafts=args.drafts,
        include_future=args.future,
        output=args.output,
    )
    serve_site(options, args.console)
    args.console.info("stopped")
    return EXIT_OK


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535 (0: any free port)")
    return value


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
    _add_output_level(build)
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
    _add_output_level(check)
    check.set_defaults(handler=run_check)

    serve = commands.add_parser(
        "serve",
        help="preview the site locally, rebuilding and reloading on change",
        description="Build the site, serve it on this machine, rebuild when content, theme or "
        "site.yaml change, and reload open pages. Build errors are shown in the terminal and "
        "in the browser; the last good site keeps being served. Ctrl-C stops.",
    )
    _add_root(serve)
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    serve.add_argument("--drafts", action="store_true", help="include drafts")
    serve.add_argument("--future", action="store_true", help="include future-dated articles")
    serve.add_argument(
        "--output",
        type=Path,
        help="folder for the preview build (default: ROOT/.newsdigest-cache/serve)",
    )
    _add_output_level(serve)
    serve.set_defaults(handler=run_serve)

    new = commands.add_parser(
        "new",
        help="create a new article file",
        description="Create content/YYYY/MM/DD-slug.md with front matter; never overwrites.",
    )
    _add_root(new)
    new.add_argument("title", help="the headline")
    new.add_argument("--tags", help="comma-separated tags, e.g. 'Economy,Climate'")
    new.set_defaults(handler=run_new)
    edition = commands.add_parser(
        "edition",
        help="print a day's edition, ready to mail",
        description="Print one daily edition (default: the newest) as e-mail HTML (inline "
        "styles, no scripts, absolute links) or as its plain-text part, for a mailer or a "
        "cron job. Writes nothing.",
    )
    _add_site_options(edition)
    edition.add_argument("date", nargs="?", type=_day, metavar="DATE", help="YYYY-MM-DD")
    edition.add_argument("--format", choices=("html", "text"), default="html")
    edition.set_defaults(handler=run_edition)

    init = commands.add_parser(
        "init",
        help="start a new site in a folder",
        description="Write site.yaml (every key shown), two example articles, a .gitignore and "
        "CI workflows into DIR (default: the current folder). Never overwrites a file: if any "
        "is there already, nothing is written.",
    )
    init.add_argument("folder", nargs="?", type=Path, default=Path("."), metavar="DIR")
    _add_output_level(init)
    init.set_defaults(handler=run_init)
    add_import_parser(commands)
    add_review_parser(commands)
    add_fetch_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None, left_for_exit: list[object] | None = None) -> int:
    """Entry point; returns the exit status instead of raising for user errors. A caller
    that ends the process next gives `left_for_exit`, which keeps what builds made rather
    than free it (see pipeline._hand_over)."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    args.left_for_exit = left_for_exit
    handler: Callable[[argparse.Namespace], int] = args.handler
    args.console = console = _console(args)
    try:
        return handler(args)
    except UserError as error:
        for item in error.diagnostics:
            console.diagnostic(item)
        count = len(error.diagnostics)
        console.error(f"{count} problem{'s' if count != 1 else ''} found; nothing was written")
        return EXIT_USER_ERROR
    except OSError as error:
        # The file system refused (permissions, full disk, read-only mount, a file where a
        # folder should be): the user's to fix. Output is staged, so output/ still holds a
        # whole site, and a publish cut short is finished by the next build.
        if console.level >= VERBOSE:
            raise
        where = error.filename or "newsdigest"
        console.error(
            f"{where}: {error.strerror or error}; check the path, its permissions and free "
            "space, then run again (-v shows where it happened)"
        )
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted; output/ was left as it was", file=sys.stderr)
        return 130


def run() -> NoReturn:
    """The command line's entry point: `main`, then leave without tearing the interpreter
    down, the build's objects never freed (they are left here). Freeing a build's objects one
    by one (every article and page of the archive) took 165 ms of a 1.5 s rebuild of 10,000
    articles, for memory the system takes back at once. Everything a command writes is
    closed by then, but for the standard streams, which are flushed here."""
    left: list[object] = []
    status = main(left_for_exit=left)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that went away (`newsdigest review | head`)
        status = status or 1
    os._exit(status)


if __name__ == "__main__":
    run()
