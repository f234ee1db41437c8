"""The build pipeline: the one place that knows the order of the stages.

config -> manifest -> scan -> theme -> static -> (no change? stop) -> (templates changed?
templates) -> prints -> cache -> parse -> assemble -> images -> plan -> fingerprint -> verify
-> render -> publish -> save. `build` and `check` both run it (see `run`); only `build`
writes.

What the stages after the no-change check use (Jinja, the page kinds with feedgen and lxml,
the article model and its parser, the site model, the parse and render workers, image
sizes, translations) is imported where they start: a build with nothing to do never loads
it, which was a third of its time (and the article and site models, with the sanitiser,
about 75 of its 175 ms of imports).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import operator
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from ..core.errors import Diagnostics
from ..core.layout import OUTPUT_DIR
from .blobs import SpillFile
from .cache import (
    GENERATOR_FINGERPRINT,
    ArticleDigester,
    BuildCache,
    Manifest,
    PageRecord,
    PageRecords,
    PrintIndex,
    bytecode_folder,
)
from .config import SiteConfig, load_config
from .forked import available_cpus
from .incremental import Fingerprints, build_key, global_key
from .output import (
    CollectingSink,
    DiscardingSink,
    StagingSink,
    check_output_folder,
    collect_static_files,
    commit,
    output_lock,
    stage_file,
    staged_output,
)
from .scan import Scan, Source, scan_sources, settled_digests, worth_remembering
from .sizes import output_sizes
from .skipped import Skipped
from .theme import check_templates, create_environment, load_theme

if TYPE_CHECKING:
    from .article import Article
    from .pages import Page, Plan
    from .site import Outline, Site
    from .workers import ParsedAhead

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
    # Told warnings that are not errors (an unusable cache file): the CLI's console.
    warn: Callable[[str], None] | None = field(default=None, compare=False)
    # Given by a caller that ends the process right after the build (the command line):
    # what the build made is handed to it rather than freed (see _hand_over).
    left_for_exit: list[object] | None = field(default=None, compare=False)

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
    spill: SpillFile,
    progress: Callable[[int, int], None] | None = None,
    ahead: ParsedAhead | None = None,
) -> tuple[list[Article], dict[str, Article], list[Skipped]]:
    """Parse every article, reusing cached ones whose bytes did not change (and those
    parsed `ahead`); the bodies of those parsed go to `spill`.

    Returns the articles, the cache for next time, and the drafts left out because they do
    not validate yet (reported as errors instead when drafts are included).
    """
    from .article import Article, BrokenDraft
    from .workers import parse_articles

    problems = Diagnostics()
    slots: list[Article | None] = [
        _shown_as(cached.get(source.digest), source.shown) for source in sources
    ]
    # Files, not bytes: each is read where it is parsed, so the bytes of all of them are
    # never held at once (a file that cannot be read is reported with the parse errors).
    pending = []
    pending_slots = []
    for slot, (source, hit) in enumerate(zip(sources, slots, strict=True)):
        if hit is None:
            pending.append(source.file)
            pending_slots.append(slot)
    skipped = []
    parsed_all = parse_articles(pending, config.parsing, workers, spill, progress, ahead)
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


def resolve_site(
    options: BuildOptions,
    config: SiteConfig,
    sources: Sequence[Source],
    cache: BuildCache,
    templates: frozenset[str],
    static_files: Mapping[str, Path],
    spill: SpillFile,
    watch: Stopwatch,
    config_key: str,
    last_shape: str | None,
    ahead: ParsedAhead,
) -> ResolvedSite:
    """Parse the articles (their bodies into `spill`), assemble the Site and plan its
    pages, reporting the mistakes of both at once.

    The plan's claims (no two pages one file) are checked unless the site has
    `last_shape`, the shape of the last successful build (see pages.site_shape): the same
    shape is the same planned pages, which that build checked (at 100,000 articles, 0.3 s
    of every edit)."""
    from .images import resolve_images
    from .pages import check_claims, plan_pages, site_shape
    from .site import outline_key, outline_of

    cached = watch.run("cache", cache.load_articles)
    articles, parsed, broken_drafts = watch.run(
        "parse",
        lambda: read_articles(
            config,
            sources,
            cached,
            options.workers,
            options.include_drafts,
            spill,
            _told(options, "parse"),
            ahead,
        ),
    )
    problems = Diagnostics()
    key = outline_key(config_key, options.include_drafts, options.include_future)
    with watch.stage("assemble"):
        last_outline = cache.load_outline()
        site = _assembled(
            options, config, articles, parsed, cached, broken_drafts, problems, key, last_outline
        )
        outline = outline_of(site, key, parsed)
    site = watch.run("images", lambda: resolve_images(site, static_files, problems))
    with watch.stage("plan"):
        plan = plan_pages(site, templates=templates, problems=problems, claims=False)
        shape = site_shape(config_key, site.articles, plan.pages)
        if shape != last_shape:
            check_claims(site, plan.pages, problems)
    problems.raise_if_any()
    if options.warn is not None:
        for line in moved_articles(site, cached):
            options.warn(line)
    # The cache keeps articles with their resolved URLs and image facts, so that an unchanged
    # site reuses them as they are; and the copies from before resolving (every article, in
    # a cold build) are let go now rather than held through rendering.
    parsed.update(zip(map(_DIGEST, site.articles), site.articles, strict=True))
    # Changed: other articles, or the same shown with another URL or path (a new permalink,
    # a build from another folder), which would otherwise be copied again in every build.
    changed = parsed.keys() != cached.keys() or any(
        article is not cached.get(digest) for digest, article in parsed.items()
    )
    return ResolvedSite(
        site, plan, shape, parsed, changed, None if outline == last_outline else outline
    )


def _assembled(
    options: BuildOptions,
    config: SiteConfig,
    articles: Sequence[Article],
    parsed: Mapping[str, Article],
    cached: Mapping[str, Article],
    broken_drafts: Sequence[Skipped],
    problems: Diagnostics,
    key: str,
    last_outline: Outline | None,
) -> Site:
    """The site of `articles` (`parsed`, by digest): from the last build's outline where
    that build's articles were `cached` and the outline still holds (site.reassemble_site),
    else assembled, its mistakes added to `problems`."""
    from .site import assemble_site, reassemble_site

    now = options.now or dt.datetime.now(dt.UTC)
    if last_outline is not None:
        site = reassemble_site(
            last_outline,
            key,
            config,
            parsed,
            cached,
            include_drafts=options.include_drafts,
            include_future=options.include_future,
            now=now,
            skipped=broken_drafts,
        )
        if site is not None:
            return site
    return assemble_site(
        config,
        articles,
        include_drafts=options.include_drafts,
        include_future=options.include_future,
        now=now,
        skipped=broken_drafts,
        problems=problems,
    )


class ResolvedSite(NamedTuple):
    """What resolve_site settles: the site, its plan and shape, the article cache for next
    time (the site's articles as resolved, and those it left out) with whether it differs
    from the one loaded, and the site's outline if it differs from the one loaded."""

    site: Site
    plan: Plan
    shape: str
    articles: dict[str, Article]
    articles_changed: bool
    outline: Outline | None


MOVES_LISTED = 20  # more moved articles than this are one line: permalinks changed
_DIGEST = operator.attrgetter("digest")
_SOURCE = operator.attrgetter("source")


def moved_articles(site: Site, cached: Mapping[str, Article]) -> list[str]:
    """Warnings for articles whose URL changed since the last build (a new slug, title or
    date), naming the `aliases:` line that keeps old links, feeds and bookmarks working.

    Only an article that is not the very one the cache held (by digest) can have moved:
    resolving keeps an article whose URL stands as it is. Those are found in C, and only
    their files' last URLs are looked up: at 100,000 articles, a dictionary of every
    article's last URL was 0.2 s of every edit build."""
    articles = site.articles
    fresh = list(
        itertools.compress(
            articles, map(operator.is_not, map(cached.get, map(_DIGEST, articles)), articles)
        )
    )
    if not fresh:
        return []
    sources = {article.source for article in fresh}
    before = cached.values()
    was = {
        article.source: article.url
        for article in itertools.compress(before, map(sources.__contains__, map(_SOURCE, before)))
        if article.url
    }
    moved = [
        (article, was[article.source])
        for article in fresh
        if was.get(article.source, article.url) != article.url
        and not _aliased(article, was[article.source])
    ]
    if len(moved) > MOVES_LISTED:
        return [
            f"{len(moved)} articles have new URLs since the last build (did the permalinks "
            "change?); their old links now lead nowhere unless each gets `aliases:`"
        ]
    return [
        f"{article.source}:{article.line_of('title')}: the URL changed from {old} to "
        f"{article.url} since the last build; add `aliases: [{old}]` to keep old links working"
        for article, old in moved
    ]


def _aliased(article: Article, url: str) -> bool:
    aliases = article.extra_field("aliases")
    return url in aliases if isinstance(aliases, list) else aliases == url


def _scan(root: Path, config: SiteConfig, cache: BuildCache, remember: bool) -> Scan:
    """Scan content/, reading only the files changed since the last scan; with `remember`,
    keep what this scan learnt for the next one (even if the build fails later: digests are
    facts about files, not about the site)."""
    digester = ArticleDigester(config.parsing)
    known = cache.load_known_digests(digester.scheme)
    started = time.time_ns()
    scan = scan_sources(root, digester, known)
    if remember and worth_remembering(scan, known):
        remembered = settled_digests(scan, digester.scheme, started)
        if remembered.paths or (known is not None and known.paths):
            cache.save_known_digests(remembered)
    return scan


def _told(options: BuildOptions, stage: str) -> Callable[[int, int], None] | None:
    """The progress callback of one stage, if the caller wants progress."""
    report = options.progress
    return None if report is None else lambda done, total: report(stage, done, total)


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


def build_site(options: BuildOptions) -> BuildResult:
    """`newsdigest build`: render what changed and publish it into the output folder."""
    return run(options, write=True)


def check_site(options: BuildOptions) -> BuildResult:
    """`newsdigest check`: every stage of a build, rendering into nothing."""
    return run(options, write=False)


def render_selected(options: BuildOptions, select: Selection) -> dict[str, bytes]:
    """The bytes of the pages `select` picks, by output path, rendered in memory through the
    same stages as a build (`newsdigest edition` prints one this way); nothing is written."""
    found: dict[str, bytes] = {}
    run(replace(options, workers=1), write=False, select=select, collect=found)
    return found


# Picks pages to render: given the Site and a planned Page, whether to render it.
Selection = Callable[["Site", "Page"], bool]


@_collector_paused()
def run(
    options: BuildOptions,
    *,
    write: bool,
    select: Selection | None = None,
    collect: dict[str, bytes] | None = None,
) -> BuildResult:
    """Load, resolve, render and (with `write`) publish the site; raise UserError on any
    user mistake.

    `check` runs this same list without `write`: it renders every page a build would render
    (those whose fingerprint differs from the last successful build's; all of them without a
    cache) into a sink that drops the bytes, and writes nothing, not even the cache. So
    every error a build can meet, check meets too. With `select` (and without `write`), the
    pages it picks are rendered whatever changed, into `collect`.
    """
    watch = Stopwatch()
    dest = options.output_dir
    cache = BuildCache(options.root, dest, enabled=options.use_cache, warn=options.warn)
    if write:
        check_output_folder(options.root, dest, cache.has_manifest())
    now = options.now or dt.datetime.now(dt.UTC)
    config = watch.run("config", lambda: load_config(options.root, options.base_url))
    with contextlib.ExitStack() as held:
        if write:
            held.enter_context(output_lock(dest))
        previous = watch.run("manifest", cache.load_manifest)
        # What the last build wrote is looked at from now on, beside the scan (see sizes.py).
        recorded = previous.records if write and previous is not None else PageRecords.of({})
        on_disk = held.enter_context(output_sizes(dest, recorded.paths, recorded.sizes))
        scan = watch.run("scan", lambda: _scan(options.root, config, cache, remember=write))
        sources = scan.sources
        theme = watch.run("theme", lambda: load_theme(config))
        static_files = watch.run("static", lambda: collect_static_files(theme.static_dirs))
        prints = Fingerprints(GENERATOR_FINGERPRINT, config, theme)
        config_key = global_key(prints, config)
        key = build_key(
            config_key,
            options.include_drafts,
            options.include_future,
            sources,
            static_files,
        )
        if (
            select is None
            and previous is not None
            and previous.build_key == key
            and (previous.valid_until is None or now < previous.valid_until)
            and (not write or not watch.run("verify", on_disk.changed))
        ):
            articles, tags, editions = previous.summary
            pages = previous.records.rendered()
            return BuildResult(
                articles, tags, editions, pages, 0, 0, 0, previous.skipped, tuple(watch.timings)
            )
        from .workers import ParsedAhead, render_pages

        # The files whose bytes changed since the last scan: an edit's few are parsed from
        # now on, on the other CPU, while the cache loads.
        ahead = ParsedAhead([source.file for source in scan.changed], config.parsing)
        held.callback(ahead.close)
        del scan
        from .i18n import languages_of, missing_catalogues
        from .pages import REQUIRED_TEMPLATES, SiteView, page_prints

        # Checked only now, and only if the key of what every page depends on changed: it
        # covers every template and catalogue file, the generator (which names the required
        # templates) and the configuration the environment is made from, so while it holds,
        # these are the templates the last successful build checked (reading the catalogues
        # again was 30-45 ms of every edit build, at any archive size).
        bytecode = bytecode_folder() if options.use_cache and write else None
        environment = create_environment(theme, config, bytecode)
        if previous is None or previous.config_key != config_key:
            watch.run("templates", lambda: check_templates(environment, theme, REQUIRED_TEMPLATES))
        templates = frozenset(environment.list_templates())
        # On the project's disk for a build; `check` writes nothing there, not even this.
        spill = SpillFile(cache.spill_folder if write else None)
        last_prints = watch.run("prints", cache.load_print_index)
        site, plan, shape, parsed, cache_changed, outline = resolve_site(
            replace(options, now=now),
            config,
            sources,
            cache,
            templates,
            static_files,
            spill,
            watch,
            config_key,
            last_prints.shape if last_prints is not None else None,
            ahead,
        )
        del sources
        if options.warn is not None:
            for article in site.articles:
                for warning in article.warnings:
                    options.warn(f"{article.source}:{warning}")
            catalogues = languages_of(environment).catalogues
            for warning in missing_catalogues(catalogues, config, site.articles):
                options.warn(warning)
        old_records = previous.records if previous is not None else PageRecords.of({})
        view = SiteView(site, plan)
        fingerprinted = watch.run(
            "fingerprint",
            lambda: page_prints(view, prints, shape, last_prints),
        )
        data_prints, print_index = fingerprinted.prints, fingerprinted.index
        with watch.stage("verify"):
            not_as_written = on_disk.changed() if write else None
            unvouched = _unvouched(previous, last_prints, config_key, fingerprinted.refreshed)
            page_paths = [page.path for page in plan.pages]
            in_place = (
                select is None and unvouched is not None and old_records.lead_with(page_paths)
            )
            if select is not None:
                numbers = [number for number, page in enumerate(plan.pages) if select(site, page)]
            else:
                numbers = _outdated(
                    page_paths,
                    old_records,
                    in_place,
                    data_prints,
                    prints,
                    unvouched,
                    not_as_written,
                )
            todo = [plan.pages[number] for number in numbers]
        render = _told(options, "render")
        if not write:
            sink = DiscardingSink() if collect is None else CollectingSink(collect)
            watch.run(
                "render",
                lambda: render_pages(view, environment, todo, sink, options.workers, render),
            )
            _hand_over(options, locals())
            return _result(site, plan, todo, 0, 0, watch)
        with staged_output(dest) as staging:
            rendered = watch.run(
                "render",
                lambda: render_pages(
                    view, environment, todo, StagingSink(staging, dest), options.workers, render
                ),
            )
            made = {item.path: item for item in rendered}
            remade = {
                number: PageRecord(
                    prints.fingerprint(data_prints[number], item.settings), item.size, item.settings
                )
                for number in numbers
                if (item := made.get(page_paths[number])) is not None
            }
            written = sum(item.staged for item in rendered)
            generated = set(page_paths)
            statics = {}
            for path, source in static_files.items():
                if path not in generated:  # a generated page wins over a static file
                    data = source.read_bytes()
                    written += stage_file(staging, dest, path, data)
                    statics[path] = PageRecord("", len(data), ())
            if in_place:
                records = old_records.patched(len(page_paths), remade, statics)
            else:
                by_path = {
                    path: remade[number] if number in remade else old_records[path]
                    for number, path in enumerate(page_paths)
                }
                records = PageRecords.of(by_path | statics)
            # Dropped just before publishing, written again after: a build killed in
            # between (or one with --no-cache, which records nothing) leaves no record of
            # this folder rather than a wrong one, which would keep the pages of articles
            # deleted since. A build that fails before this point keeps the last record.
            cache.forget_output()
            removed = watch.run(
                "publish",
                lambda: commit(staging, dest, set(records), set(old_records) if previous else None),
            )
        manifest = Manifest(
            build_key=key,
            config_key=config_key,
            valid_until=site.next_change,
            summary=(len(site.articles), len(site.tags), len(site.editions)),
            skipped=site.skipped,
            records=records,
        )
        with watch.stage("save"):
            cache.save_manifest(manifest)
            cache.save_print_index(print_index, manifest)
            if cache_changed:
                cache.save_articles(parsed)
            if outline is not None:
                cache.save_outline(outline)
    _hand_over(options, locals())
    return _result(site, plan, todo, written, removed, watch)


def _hand_over(options: BuildOptions, made: dict[str, object]) -> None:
    """Give what a build `made` (run's locals) to a caller about to end the process
    (BuildOptions.left_for_exit), out of the cycle collector's sight. At 100,000 articles,
    freeing the articles, pages and records object by object as run returned took 0.17 s of
    a 3.5 s edit build, and kept instead, the collector's first pass once back on walked
    them all (0.25 s), for memory the system takes back at once when the process ends."""
    if options.left_for_exit is not None:
        options.left_for_exit.append(made)
        gc.freeze()


def _result(
    site: Site, plan: Plan, todo: Sequence[Page], written: int, removed: int, watch: Stopwatch
) -> BuildResult:
    return BuildResult(
        articles=len(site.articles),
        tags=len(site.tags),
        editions=len(site.editions),
        pages=len(plan.pages),
        rendered=len(todo),
        written=written,
        removed=removed,
        skipped=site.skipped,
        timings=tuple(watch.timings),
    )


def _unvouched(
    previous: Manifest | None,
    last_prints: PrintIndex | None,
    config_key: str,
    refreshed: frozenset[int] | None,
) -> frozenset[int] | None:
    """The pages (by plan position) whose records need a fingerprint check, None for all.

    The others kept the data print their record was fingerprinted from, under the same
    configuration (which the settings a page reads are part of): so it is where the print
    index was saved with the manifest and fingerprinting kept its prints. At 100,000
    articles, hashing every page again was a quarter of a second of every edit."""
    if (
        previous is None
        or last_prints is None
        or last_prints.build_key != previous.build_key
        or previous.config_key != config_key
    ):
        return None
    return refreshed


def _outdated(
    page_paths: Sequence[str],
    old_records: PageRecords,
    in_place: bool,
    data_prints: Sequence[bytes],
    prints: Fingerprints,
    unvouched: frozenset[int] | None,
    not_as_written: frozenset[str] | None,
) -> list[int]:
    """The plan positions of the pages to render: those without a record of the last build,
    those whose file was found `not_as_written` in output/ (None: not looked at, as in a
    check), and those whose record was not made from the same data and settings. A record
    not `unvouched` for (None: all are) kept its data print under the same configuration,
    so it is not hashed again (see _unvouched).

    `in_place`: the last build's records lead with this plan's pages, in order
    (PageRecords.lead_with). Then only the unvouched pages and those not as written are
    looked at, each record found by position: at 100,000 articles, looking up every page
    was 0.3 s of an edit. Otherwise every page is, its record found by path."""
    missing = not_as_written or frozenset()
    candidates: Iterable[int] = range(len(page_paths))
    if in_place:
        suspects = set(unvouched or ())
        if missing:
            suspects.update(number for number, path in enumerate(page_paths) if path in missing)
        candidates = sorted(suspects)
    outdated = []
    for number in candidates:
        record = old_records.at(number) if in_place else old_records.get(page_paths[number])
        if (
            record is None
            or page_paths[number] in missing
            or (
                (unvouched is None or number in unvouched)
                and record.fingerprint != prints.fingerprint(data_prints[number], record.settings)
            )
        ):
            outdated.append(number)
    return outdated
