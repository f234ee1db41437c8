"""The build pipeline: the one place that knows the order of the stages."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from . import __version__
from .cache import BuildCache, PageRecord, article_digest
from .config import SiteConfig, display_path, load_config
from .content import Article, BrokenDraft
from .errors import Diagnostics, UserError, diagnostic
from .output import (
    OutputFile,
    collect_static_files,
    commit,
    output_lock,
    stage_file,
    staged_output,
)
from .parallel import available_cpus, parse_articles, render_jobs
from .render import FEED_KINDS, REQUIRED_TEMPLATES, PageContext, plan_pages
from .search import render_search_index
from .site import Site, Skipped, assemble_site
from .sitemap import render_sitemap
from .theme import Theme, check_templates, create_environment, load_theme

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
    workers: int = field(default_factory=available_cpus)
    use_cache: bool = True
    # Told (stage, done, total) as articles are parsed and pages rendered: the CLI's progress bar.
    progress: Callable[[str, int, int], None] | None = field(default=None, compare=False)

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
    pages: int  # pages and feeds of the site
    rendered: int  # of those, how many had changed inputs and were rendered
    written: int  # files whose bytes changed (the rest of output/ was not touched)
    removed: int
    skipped: tuple[Skipped, ...]
    timings: tuple[tuple[str, float], ...] = field(default=())


class Stopwatch:
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
    shown_root = display_path(content_dir)
    for current, dirnames, filenames in os.walk(content_dir):
        relative = os.path.relpath(current, content_dir)
        shown_dir = shown_root if relative == "." else os.path.join(shown_root, relative)
        for name in dirnames + filenames:
            if not name.startswith(".") and os.path.islink(os.path.join(current, name)):
                problems.add(
                    os.path.join(shown_dir, name),
                    None,
                    "symbolic link not followed",
                    "move the file into content/ instead",
                )
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and not os.path.islink(os.path.join(current, d))
        )
        for name in filenames:
            path = os.path.join(current, name)
            if name.endswith(".md") and not name.startswith(".") and not os.path.islink(path):
                found.append((Path(path), os.path.join(shown_dir, name)))
    problems.raise_if_any()
    return sorted(found, key=lambda item: item[1])


def read_articles(
    config: SiteConfig,
    cached: Mapping[str, Article],
    workers: int,
    include_drafts: bool,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Article], dict[str, Article], list[Skipped]]:
    """Parse every article, reusing cached ones whose bytes did not change.

    Returns the articles, the cache for next time, and the drafts left out because they do
    not validate yet (reported as errors instead when drafts are included).
    """
    problems = Diagnostics()
    settings = config.parse_settings
    slots: list[Article | None] = []
    pending: list[tuple[bytes, str, str]] = []
    pending_slots: list[int] = []
    for path, shown in find_sources(config.root):
        try:
            raw = path.read_bytes()
        except OSError as error:
            problems.add(shown, None, f"cannot read file: {error.strerror or error}")
            continue
        digest = article_digest(raw, shown, settings)
        hit = cached.get(digest)
        if hit is None:
            pending.append((raw, shown, digest))
            pending_slots.append(len(slots))
        slots.append(hit)
    skipped = []
    parsed_all = parse_articles(pending, settings, workers, progress)
    for slot, parsed in zip(pending_slots, parsed_all, strict=True):
        if isinstance(parsed, Article):
            slots[slot] = parsed
        elif isinstance(parsed, BrokenDraft) and not include_drafts:
            found = "; ".join(problem.message for problem in parsed.problems)
            reason = f"draft, not valid yet: {found} (see `newsdigest check --drafts`)"
            skipped.append(Skipped(parsed.source, reason))
        else:
            problems.extend(parsed.problems if isinstance(parsed, BrokenDraft) else parsed)
    problems.raise_if_any()
    articles = [article for article in slots if article is not None]
    return articles, {article.digest: article for article in articles}, skipped


def load_site(
    options: BuildOptions, cache: BuildCache, watch: Stopwatch
) -> tuple[Site, dict[str, Article], bool]:
    """Everything up to a resolved Site (what `check` validates), the article cache for next
    time, and whether that cache differs from the one loaded."""
    config = watch.run("config", lambda: load_config(options.root, options.base_url))
    cached = cache.load_articles()
    articles, parsed, broken_drafts = watch.run(
        "read",
        lambda: read_articles(
            config, cached, options.workers, options.include_drafts, _told(options, "parse")
        ),
    )
    site = watch.run(
        "assemble",
        lambda: assemble_site(
            config,
            articles,
            include_drafts=options.include_drafts,
            include_future=options.include_future,
            now=options.now,
            skipped=broken_drafts,
        ),
    )
    return site, parsed, parsed.keys() != cached.keys()


def _told(options: BuildOptions, stage: str) -> Callable[[int, int], None] | None:
    """The progress callback of one stage, if the caller wants progress."""
    report = options.progress
    return None if report is None else lambda done, total: report(stage, done, total)


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


def _global_key(config: SiteConfig, theme: Theme) -> str:
    """What every page depends on: generator version, configuration and all templates."""
    hasher = hashlib.blake2b(digest_size=20)
    settings = {key: value for key, value in vars(config).items() if key != "root"}
    hasher.update(f"{__version__}\0{sorted(settings.items())!r}".encode())
    for folder in theme.template_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                hasher.update(f"\0{path.relative_to(folder)}\0".encode())
                hasher.update(path.read_bytes())
    return hasher.hexdigest()


def build_site(options: BuildOptions) -> BuildResult:
    """Load, resolve, render and publish the site; raise UserError on any user mistake."""
    watch = Stopwatch()
    _check_output_dir(options)
    dest = options.output_dir
    cache = BuildCache(options.root, dest, enabled=options.use_cache)
    site, parsed, cache_changed = load_site(options, cache, watch)
    theme = watch.run("theme", lambda: load_theme(site.config))
    environment = create_environment(
        theme, site.config, cache.folder / "jinja" if options.use_cache else None
    )
    watch.run("templates", lambda: check_templates(environment, theme, REQUIRED_TEMPLATES))
    static_files = watch.run("static", lambda: collect_static_files(theme.static_dirs))
    context = PageContext(site, _global_key(site.config, theme))
    jobs = watch.run("plan", lambda: plan_pages(site))
    if "search.html" not in environment.list_templates():  # a theme may have no search page
        jobs = [job for job in jobs if job.kind != "search"]
    with output_lock(dest), staged_output(dest) as staging:
        previous = cache.load_pages()
        fingerprints = watch.run("fingerprint", lambda: [context.fingerprint(job) for job in jobs])
        todo = [
            job
            for job, print_ in zip(jobs, fingerprints, strict=True)
            if not _still_valid(dest, job.path, print_, previous)
        ]
        rendered = watch.run(
            "render",
            lambda: render_jobs(
                context, environment, todo, staging, dest, options.workers, _told(options, "render")
            ),
        )
        html_urls = [job.url for job in jobs if job.kind not in FEED_KINDS and job.kind != "404"]
        extra = render_sitemap(site.config, site.articles, html_urls)
        extra.append(render_search_index(site.config, site.articles, site.tags))
        extra += [OutputFile(path, source.read_bytes()) for path, source in static_files.items()]
        sizes = {item.path: item.size for item in rendered}
        records = {
            job.path: PageRecord(
                print_, sizes[job.path] if job.path in sizes else previous[job.path].size
            )
            for job, print_ in zip(jobs, fingerprints, strict=True)
        }
        written = sum(item.staged for item in rendered)
        for output_file in extra:
            if output_file.path not in records:  # a generated page wins over a static file
                written += stage_file(staging, dest, output_file.path, output_file.data)
                records[output_file.path] = PageRecord("", len(output_file.data))
        removed = watch.run(
            "publish",
            lambda: commit(staging, dest, set(records), set(previous) if previous else None),
        )
        if records != previous:
            cache.save_pages(records)
    if cache_changed:
        # Store articles with their resolved URLs, so an unchanged site reuses them as they are.
        cache.save_articles({**parsed, **{article.digest: article for article in site.articles}})
    return BuildResult(
        articles=len(site.articles),
        tags=len(site.tags),
        editions=len(site.editions),
        pages=len(jobs),
        rendered=len(todo),
        written=written,
        removed=removed,
        skipped=site.skipped,
        timings=tuple(watch.timings),
    )


def _still_valid(
    dest: Path, path: str, fingerprint: str, previous: Mapping[str, PageRecord]
) -> bool:
    """A page need not be rendered if it was made from the same data and is still on disk."""
    record = previous.get(path)
    if record is None or record.fingerprint != fingerprint:
        return False
    try:
        return os.stat(os.path.join(dest, path)).st_size == record.size
    except OSError:
        return False


def check_site(options: BuildOptions) -> Site:
    """Validate content, configuration and templates without writing anything."""
    cache = BuildCache(options.root, options.output_dir, enabled=False)
    site, _, _ = load_site(options, cache, Stopwatch())
    theme = load_theme(site.config)
    check_templates(create_environment(theme, site.config, None), theme, REQUIRED_TEMPLATES)
    return site
