"""The build pipeline: the one place that knows the order of the stages."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .config import SiteConfig, display_path, load_config
from .content import Article, read_article
from .errors import Diagnostics, UserError, diagnostic
from .feeds import render_feeds
from .output import collect_static_files, output_lock, publish
from .render import REQUIRED_TEMPLATES, plan_pages, render_pages
from .site import Site, Skipped, assemble_site
from .sitemap import render_sitemap
from .theme import check_templates, create_environment, load_theme

CONTENT_DIR = "content"
T = TypeVar("T")


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked for on the command line."""

    root: Path
    output: Path | None = None
    include_drafts: bool = False
    include_future: bool = False
    base_url: str | None = None
    now: dt.datetime | None = None  # tests pin the clock that decides what is "future"

    @property
    def output_dir(self) -> Path:
        """Where the site is written: --output, else output/ in the project."""
        return self.output if self.output is not None else self.root / "output"


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the summary line and for tests."""

    articles: int
    tags: int
    editions: int
    pages: int
    written: int
    unchanged: int
    removed: int
    skipped: tuple[Skipped, ...]
    timings: tuple[tuple[str, float], ...] = field(default=())


class _Stopwatch:
    """Times each stage, so `--timings` can show where a build spends its time."""

    def __init__(self) -> None:
        self.timings: list[tuple[str, float]] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings.append((name, time.perf_counter() - start))

    def run(self, name: str, function: Callable[[], T]) -> T:
        with self.stage(name):
            return function()


def find_sources(root: Path) -> list[tuple[Path, str]]:
    """Every `*.md` under content/, sorted, with the path shown to the user.

    Hidden files and folders are skipped; symbolic links are refused, since they could pull
    in files from outside the project.
    """
    content_dir = root / CONTENT_DIR
    if not content_dir.is_dir():
        return []
    problems = Diagnostics()
    found = []
    for current, dirnames, filenames in os.walk(content_dir):
        base = Path(current)
        for name in dirnames + filenames:
            if not name.startswith(".") and (base / name).is_symlink():
                problems.add(
                    display_path(base / name),
                    None,
                    "symbolic link not followed",
                    "move the file into content/ instead",
                )
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not (base / d).is_symlink()
        )
        for name in filenames:
            path = base / name
            if name.endswith(".md") and not name.startswith(".") and not path.is_symlink():
                found.append((path, display_path(path)))
    problems.raise_if_any()
    return sorted(found)


def read_articles(config: SiteConfig) -> list[Article]:
    """Parse every article, collecting all problems before raising."""
    problems = Diagnostics()
    articles = []
    settings = config.parse_settings
    for path, shown in find_sources(config.root):
        parsed = read_article(path, shown, settings)
        if isinstance(parsed, Article):
            articles.append(parsed)
        else:
            problems.extend(parsed)
    problems.raise_if_any()
    return articles


def load_site(options: BuildOptions, stopwatch: _Stopwatch | None = None) -> Site:
    """Everything up to a resolved Site: what `check` validates."""
    watch = stopwatch or _Stopwatch()
    config = watch.run("config", lambda: load_config(options.root, options.base_url))
    articles = watch.run("read", lambda: read_articles(config))
    return watch.run(
        "assemble",
        lambda: assemble_site(
            config,
            articles,
            include_drafts=options.include_drafts,
            include_future=options.include_future,
            now=options.now,
        ),
    )


def _check_output_dir(options: BuildOptions) -> None:
    """Refuse an output folder whose replacement would destroy the project itself."""
    dest = options.output_dir.resolve()
    root = options.root.resolve()
    if (
        dest == root
        or dest in root.parents
        or (dest / "site.yaml").exists()
        or (dest / CONTENT_DIR).is_dir()
    ):
        raise UserError(
            [
                diagnostic(
                    dest,
                    None,
                    "refusing to build into this folder: it holds the project",
                    "use --output with an empty or build-only folder",
                )
            ]
        )


def build_site(options: BuildOptions) -> BuildResult:
    """Load, resolve, render and publish the site; raise UserError on any user mistake."""
    watch = _Stopwatch()
    _check_output_dir(options)
    site = load_site(options, watch)
    theme = watch.run("theme", lambda: load_theme(site.config))
    environment = create_environment(theme, site.config)
    watch.run("templates", lambda: check_templates(environment, theme, REQUIRED_TEMPLATES))
    jobs = watch.run("plan", lambda: plan_pages(site))
    pages = watch.run("render", lambda: render_pages(environment, site, jobs))
    feeds = watch.run("feeds", lambda: render_feeds(site))
    sitemap = watch.run(
        "sitemap", lambda: render_sitemap(site, [job.url for job in jobs if job.kind != "404"])
    )
    static_files = watch.run("static", lambda: collect_static_files(theme.static_dirs))
    with output_lock(options.output_dir):
        published = watch.run(
            "publish", lambda: publish([*pages, *feeds, *sitemap], static_files, options.output_dir)
        )
    return BuildResult(
        articles=len(site.articles),
        tags=len(site.tags),
        editions=len(site.editions),
        pages=len(pages),
        written=published.written,
        unchanged=published.unchanged,
        removed=published.removed,
        skipped=site.skipped,
        timings=tuple(watch.timings),
    )


def check_site(options: BuildOptions) -> Site:
    """Validate content, configuration and templates without writing anything."""
    site = load_site(options)
    theme = load_theme(site.config)
    check_templates(create_environment(theme, site.config), theme, REQUIRED_TEMPLATES)
    return site
