"""The build pipeline: the one place that knows the order of the stages."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import jinja2

from ..core.errors import Diagnostics, UserError, diagnostic
from ..core.layout import CONTENT_DIR, OUTPUT_DIR
from .article import Article, BrokenDraft
from .cache import GENERATOR_FINGERPRINT, ArticleDigester, BuildCache, Manifest, PageRecord
from .config import SiteConfig, load_config
from .output import (
    OutputFile,
    collect_static_files,
    commit,
    output_lock,
    stage_file,
    staged_output,
)
from .pages.render import REQUIRED_TEMPLATES, PageContext, plan_pages
from .scan import Source, read_source, scan_sources, settled_digests
from .site import Site, Skipped, assemble_site
from .theme import Theme, check_templates, create_environment, load_theme
from .workers import available_cpus, parse_articles, render_jobs

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
        return self.output if self.output is not None else self.root / OUTPUT_DIR


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


def read_articles(
    config: SiteConfig,
    sources: Sequence[Source],
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
    digester = ArticleDigester(config.parse_settings)
    slots: list[Article | None] = [
        _shown_as(cached.get(source.digest), source.shown) for source in sources
    ]
    pending = []
    pending_slots = []
    for slot, (source, hit) in enumerate(zip(sources, slots, strict=True)):
        if hit is not None:
            continue
        try:
            raw, digest = read_source(source, digester)
        except OSError as error:  # reported with the parse errors below, all at once
            problems.add(source.shown, None, f"cannot read file: {error.strerror or error}")
            continue
        pending.append((raw, source.shown, digest))
        pending_slots.append(slot)
    skipped = []
    parsed_all = parse_articles(pending, config.parse_settings, workers, progress)
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


def _shown_as(article: Article | None, shown: str) -> Article | None:
    """A cached article, naming its file as this build shows it (the last build may have
    run in another working directory)."""
    if article is None or article.source == shown:
        return article
    return replace(article, source=shown)


def load_site(
    options: BuildOptions,
    config: SiteConfig,
    sources: Sequence[Source],
    cache: BuildCache,
    watch: Stopwatch,
) -> tuple[Site, dict[str, Article], bool]:
    """Parse and resolve the site (what `check` validates); also return the article cache
    for next time, and whether it differs from the one loaded."""
    cached = watch.run("cache", cache.load_articles)
    articles, parsed, broken_drafts = watch.run(
        "parse",
        lambda: read_articles(
            config,
            sources,
            cached,
            options.workers,
            options.include_drafts,
            _told(options, "parse"),
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


def _scan(root: Path, config: SiteConfig, cache: BuildCache) -> list[Source]:
    """Scan content/, reading only the files changed since the last scan; remember what
    this scan learnt for the next one (even if the build fails later: digests are facts
    about files, not about the site)."""
    digester = ArticleDigester(config.parse_settings)
    known = cache.load_known_digests(digester.scheme)
    started = time.time_ns()
    sources = scan_sources(root, digester, known)
    remembered = settled_digests(sources, digester.scheme, started)
    if remembered.files != known:
        cache.save_known_digests(remembered)
    return sources


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
    hasher.update(f"{GENERATOR_FINGERPRINT}\0{sorted(settings.items())!r}".encode())
    for folder in theme.template_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                hasher.update(f"\0{path.relative_to(folder)}\0".encode())
                hasher.update(path.read_bytes())
    return hasher.hexdigest()


def _build_key(
    options: BuildOptions,
    global_key: str,
    sources: Sequence[Source],
    static_files: Mapping[str, Path],
) -> str:
    """A hash of every input of a build: if it matches the last build's, so does the output."""
    hasher = hashlib.blake2b(global_key.encode(), digest_size=20)
    hasher.update(f"{options.include_drafts}{options.include_future}".encode())
    for source in sources:
        # The shown path, not the project one: the manifest keeps the skipped articles as
        # shown, and a build from another working directory must name them afresh.
        hasher.update(f"\0{source.shown}\0{source.digest}".encode())
    for path, file in sorted(static_files.items()):
        hasher.update(f"\0{path}\0".encode())
        hasher.update(file.read_bytes())
    return hasher.hexdigest()


def _output_intact(dest: Path, records: Mapping[str, PageRecord]) -> bool:
    """Every file the last build wrote is still there, at the size it was written."""
    try:
        return all(
            os.stat(os.path.join(dest, path)).st_size == record.size
            for path, record in records.items()
        )
    except OSError:
        return False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off Python's cycle collector for one build.

    A build creates hundreds of thousands of long-lived objects (articles, pages, records)
    and almost no cyclic garbage; the collector would traverse them again and again, 10-15%
    of an incremental build. Workers forked meanwhile inherit the pause, which measured no
    change in their peak memory. The previous state comes back afterwards, for `serve`.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_collector_paused()
def build_site(options: BuildOptions) -> BuildResult:
    """Load, resolve, render and publish the site; raise UserError on any user mistake."""
    watch = Stopwatch()
    _check_output_dir(options)
    dest = options.output_dir
    now = options.now or dt.datetime.now(dt.UTC)
    cache = BuildCache(options.root, dest, enabled=options.use_cache)
    config = watch.run("config", lambda: load_config(options.root, options.base_url))
    sources = watch.run("scan", lambda: _scan(options.root, config, cache))
    theme = watch.run("theme", lambda: load_theme(config))
    environment = create_environment(
        theme, config, cache.folder / "jinja" if options.use_cache else None
    )
    watch.run("templates", lambda: check_templates(environment, theme, REQUIRED_TEMPLATES))
    static_files = watch.run("static", lambda: collect_static_files(theme.static_dirs))
    global_key = _global_key(config, theme)
    build_key = _build_key(options, global_key, sources, static_files)
    with output_lock(dest):
        previous = watch.run("manifest", cache.load_manifest)
        if (
            previous is not None
            and previous.build_key == build_key
            and (previous.valid_until is None or now < previous.valid_until)
            and watch.run("verify", lambda: _output_intact(dest, previous.records))
        ):
            articles, tags, editions = previous.summary
            pages = sum(1 for record in previous.records.values() if record.fingerprint)
            return BuildResult(
                articles, tags, editions, pages, 0, 0, 0, previous.skipped, tuple(watch.timings)
            )
        options = replace(options, now=now)
        site, parsed, cache_changed = load_site(options, config, sources, cache, watch)
        del sources  # the raw bytes of every article are no longer needed: free them early
        with staged_output(dest) as staging:
            result, records = _render_and_publish(
                options,
                site,
                theme,
                environment,
                global_key,
                static_files,
                staging,
                previous,
                watch,
            )
        manifest = Manifest(
            build_key=build_key,
            valid_until=site.next_change,
            summary=(result.articles, result.tags, result.editions),
            skipped=site.skipped,
            records=records,
        )
        with watch.stage("save"):
            cache.save_manifest(manifest)
            if cache_changed:
                # Articles are stored with their resolved URLs, so an unchanged site reuses
                # them as they are.
                resolved = {article.digest: article for article in site.articles}
                cache.save_articles({**parsed, **resolved})
    return replace(result, timings=tuple(watch.timings))


def _render_and_publish(
    options: BuildOptions,
    site: Site,
    theme: Theme,
    environment: jinja2.Environment,
    global_key: str,
    static_files: Mapping[str, Path],
    staging: Path,
    previous: Manifest | None,
    watch: Stopwatch,
) -> tuple[BuildResult, dict[str, PageRecord]]:
    """Render what changed into staging, add the static files, commit."""
    dest = options.output_dir
    old_records = previous.records if previous is not None else {}
    search_page = "search.html" in environment.list_templates()  # a theme may have none
    context = PageContext(site, global_key, search_page=search_page)
    jobs = watch.run("plan", lambda: plan_pages(site, search_page=search_page))
    fingerprints = watch.run("fingerprint", lambda: [context.fingerprint(job) for job in jobs])
    todo = watch.run(
        "verify",
        lambda: [
            job
            for job, print_ in zip(jobs, fingerprints, strict=True)
            if not _still_valid(dest, job.path, print_, old_records)
        ],
    )
    rendered = watch.run(
        "render",
        lambda: render_jobs(
            context, environment, todo, staging, dest, options.workers, _told(options, "render")
        ),
    )
    sizes = {item.path: item.size for item in rendered}
    records = {
        job.path: PageRecord(
            print_, sizes[job.path] if job.path in sizes else old_records[job.path].size
        )
        for job, print_ in zip(jobs, fingerprints, strict=True)
    }
    extra = [OutputFile(path, source.read_bytes()) for path, source in static_files.items()]
    written = sum(item.staged for item in rendered)
    for output_file in extra:
        if output_file.path not in records:  # a generated page wins over a static file
            written += stage_file(staging, dest, output_file.path, output_file.data)
            records[output_file.path] = PageRecord("", len(output_file.data))
    removed = watch.run(
        "publish",
        lambda: commit(staging, dest, set(records), set(old_records) if previous else None),
    )
    result = BuildResult(
        articles=len(site.articles),
        tags=len(site.tags),
        editions=len(site.editions),
        pages=len(jobs),
        rendered=len(todo),
        written=written,
        removed=removed,
        skipped=site.skipped,
    )
    return result, records


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
    watch = Stopwatch()
    config = load_config(options.root, options.base_url)
    sources = scan_sources(options.root, ArticleDigester(config.parse_settings))
    cache = BuildCache(options.root, options.output_dir, enabled=False)
    site, _, _ = load_site(options, config, sources, cache, watch)
    theme = load_theme(site.config)
    check_templates(create_environment(theme, site.config, None), theme, REQUIRED_TEMPLATES)
    return site
