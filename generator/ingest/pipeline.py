"""One import: read and clean every page with what the whole batch knows, merge duplicates,
decide what to write and write it, with the same code whether the tasks run in this process
or on a Dask cluster (see executor.py and stages.py).

The coordinator (this module) holds only numbers per page (signatures, group, date) and the
articles of the window it is writing; cleaned pages wait in a store on disk (the import
cache, see stages.py), not in any process's memory. Decisions are made
group by group in input order, so `--dry-run` and a real run share every decision, and the
same input gives the same files however many workers cleaned it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from ..core.errors import Diagnostic, diagnostic
from ..core.frontmatter import format_article, write_article
from ..core.layout import CACHE_DIR
from . import readers, stages
from .dates import parse_iso
from .dedupe import shingles
from .executor import LocalExecutor
from .htmlclean import clean_html
from .inputs import expand_inputs, make_chunks, read_stdin, scan_warc
from .metadata import split_site_suffix, split_tags, unique_tags
from .model import BatchContext, Extracted, RawDocument
from .sanitize import safe_url
from .summary import lede_summary
from .textclean import clean_text
from .writer import ContentIndex, Existing, read_content, target_path, with_digest

WINDOW = 512  # groups decided and written per round trip to the workers
CACHE_FOLDER = Path(CACHE_DIR) / "import"


@dataclass(frozen=True)
class Candidate:
    """A cleaned page on its way to becoming an article."""

    document: RawDocument
    found: Extracted
    shingles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Action:
    """One decision. `kind` is what the user is told:

    write (new file), update (our own file, refreshed), unchanged, merge (listed in an
    existing article's also_reported_by), duplicate (merged into another page of the
    batch), kept (an edited file we will not overwrite).
    """

    kind: str
    path: Path
    sources: tuple[str, ...]
    fields: Mapping[str, Any] | None = None
    body: str = ""
    review: str | None = None
    note: str = ""


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


def clean_document(document: RawDocument, context: BatchContext) -> Extracted:
    """Run the cleaner for the page's format, then let the scraper's own fields win."""
    hints = document.hints
    url = safe_url(str(hints["url"])) if isinstance(hints.get("url"), str) else None
    if document.format == "html":
        found = clean_html(document.text, context, url)
    else:
        found = clean_text(document.text, context)
    return apply_hints(found, hints)


def apply_hints(found: Extracted, hints: Mapping[str, object]) -> Extracted:
    """Fields a JSON Lines record states outright replace what the cleaner guessed."""
    title, publisher = found.title, found.publisher
    if isinstance(hints.get("title"), str) and str(hints["title"]).strip():
        split = split_site_suffix(str(hints["title"]))
        title, publisher = split.title, split.publisher or publisher
    if isinstance(hints.get("publisher"), str) and str(hints["publisher"]).strip():
        publisher = str(hints["publisher"]).strip()
    date = found.date
    if isinstance(hints.get("date"), str):
        date = parse_iso(str(hints["date"])) or date
    if date is None and isinstance(hints.get("fallback_date"), str):
        date = parse_iso(str(hints["fallback_date"]))  # a WARC record's crawl date
    url = found.url
    if isinstance(hints.get("url"), str):
        url = safe_url(str(hints["url"])) or url
    tags = list(found.tags)
    hinted = hints.get("tags")
    if isinstance(hinted, str):
        tags = split_tags(hinted) + tags
    elif isinstance(hinted, list):
        tags = [str(tag) for tag in hinted if isinstance(tag, (str, int))] + tags
    return replace(
        found, title=title, publisher=publisher, date=date, url=url, tags=tuple(unique_tags(tags))
    )


def sort_date(value: dt.datetime | dt.date | None) -> int:
    """The date that picks the page kept among duplicates, as UTC microseconds (undated last)."""
    if value is None:
        return int(stages.UNDATED)
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return stages.date_micros(value)


def clean_batch(documents: Sequence[RawDocument], content: ContentIndex) -> list[Candidate]:
    """Clean pages held in memory with what the batch knows (for tests and library use)."""
    executor = LocalExecutor()
    with tempfile.TemporaryDirectory(prefix="newsdigest-import-") as store:
        view = executor.share(content_view(content))
        first = executor.submit(stages.store_documents, documents, store)
        signatures, tables = _clean(executor, [first], view, Outcome())
        [(state, found)] = executor.gather(
            [executor.submit(stages.load_final, item.source, *tables) for item in signatures]
        )
    return [
        Candidate(document, page, shingles(page.body))
        for document, page in zip(state.documents, found, strict=True)
    ]


def content_view(content: ContentIndex) -> stages.ContentView:
    return stages.ContentView(
        content.titles, {sha: str(path) for sha, path in content.by_input.items()}, content.texts
    )


def _stream_signatures(
    executor: Any, handles: list[Any], outcome: Outcome, problems: list[tuple[int, Diagnostic]]
) -> list[stages.Signatures]:
    """Collect small per-chunk summaries as they finish, in chunk order."""
    found: list[stages.Signatures | None] = [None] * len(handles)
    for position, signatures in executor.stream(handles):
        problems.extend(signatures.problems)
        outcome.skipped.update(signatures.skipped)
        outcome.cleaned += signatures.cleaned
        found[position] = replace(signatures, problems=[], skipped=Counter())
    return [item for item in found if item is not None]


def _locator(signatures: Sequence[stages.Signatures]) -> np.ndarray:
    """First page index of every chunk (page index -> chunk with searchsorted)."""
    sizes = [len(item.empty) for item in signatures]
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def _where(starts: np.ndarray, page: int) -> tuple[int, int]:
    chunk = int(np.searchsorted(starts, page, side="right")) - 1
    return chunk, page - int(starts[chunk])


Place = tuple[stages.Piece | stages.Final, str | None]  # a chunk's pages, and its worker


def _verifier(
    executor: Any, places: list[Place], starts: np.ndarray, tables: tuple[Any, ...] = ()
) -> Callable[[list[tuple[int, int]]], list[bool]]:
    """Exact Jaccard of candidate pairs, computed on workers from the stored pages."""

    def verify(pairs: list[tuple[int, int]]) -> list[bool]:
        located = [(*_where(starts, a), *_where(starts, b)) for a, b in pairs]
        rows: dict[int, set[int]] = defaultdict(set)
        for a, row_a, b, row_b in located:
            rows[a].add(row_a)
            rows[b].add(row_b)
        picked: list[Any] = []
        for chunk, wanted in sorted(rows.items()):
            source, where = places[chunk]
            task = executor.submit(
                stages.pick_shingles, source, sorted(wanted), *tables, where=where
            )
            picked += [chunk, task]
        [result] = executor.gather([executor.submit(stages.jaccard_pairs, located, *picked)])
        return list(result)

    return verify


def _clean(
    executor: Any,
    firsts: list[Any],
    view: Any,
    outcome: Outcome,
    problems: list[tuple[int, Diagnostic]] | None = None,
) -> tuple[list[stages.Signatures], tuple[Any, Any, Any]]:
    """Pass 1 tasks in; the final pages' signatures and the batch tables out (the pages
    themselves stay in the store, where tasks given those tables find or remake them)."""
    problems = [] if problems is None else problems
    first = _stream_signatures(executor, firsts, outcome, problems)
    firsts.clear()  # the caller's list too: pass 1's results are all in `first` now
    starts = _locator(first)
    places: list[Place] = [(item.source, item.where) for item in first]
    groups = stages.find_groups(first, _verifier(executor, places, starts))
    del first
    partitions = max(1, min(16, 2 * executor.workers))
    slices = [groups[starts[n] : starts[n + 1]] for n in range(len(places))]
    voted = [
        executor.submit(stages.votes, piece, part, partitions, where=where)
        for (piece, where), part in zip(places, slices, strict=True)
    ]
    reduced_tables = []
    for which, reduce in ((0, stages.recurring_keys), (1, stages.title_table)):
        reduced = [
            executor.submit(
                reduce, *[executor.submit(stages.part, item, which, number) for item in voted]
            )
            for number in range(partitions)
        ]
        reduced_tables.append(executor.submit(stages.merge_sorted, *reduced))
    del voted
    recurring, titles = reduced_tables
    signatures = _stream_signatures(
        executor,
        [
            executor.submit(stages.second_pass, piece, part, recurring, titles, view, where=where)
            for (piece, where), part in zip(places, slices, strict=True)
        ],
        outcome,
        problems,
    )
    return signatures, (recurring, titles, view)


def import_pages(
    paths: list[str],
    root: Path,
    executor: Any,
    *,
    fmt: str = "auto",
    extra_tags: Sequence[str] = (),
    force: bool = False,
    dry_run: bool = False,
    cache: bool = True,
    out: TextIO,
    err: TextIO,
) -> Outcome:
    """The whole import: read, clean, merge, decide and write, reporting as it goes."""
    outcome = Outcome()
    max_bytes = readers.MAX_INPUT_BYTES
    [(inputs, expanded)] = executor.gather([executor.submit(expand_inputs, paths, fmt)])
    problems: list[tuple[int, Diagnostic]] = [(-2, item) for item in expanded]
    stdin = None
    if any(item.path is None for item in inputs):
        data = read_stdin(max_bytes)
        if isinstance(data, Diagnostic):
            problems.append((-2, data))
            inputs = [item for item in inputs if item.path is not None]
        else:
            stdin = data
    warcs = sorted({item.path for item in inputs if item.kind == "warc" and item.path})
    outcome.warc = bool(warcs)
    runs: dict[str, list[tuple[int, int]]] = {}
    for path, (found, problem) in zip(
        warcs, executor.gather([executor.submit(scan_warc, path) for path in warcs]), strict=True
    ):
        runs[path] = found
        if problem is not None:
            problems.append((-1, problem))
    chunks = make_chunks(inputs, runs, fmt, stdin, max_bytes)
    del stdin
    content = read_content(root / "content")
    view = executor.share(content_view(content))
    # Where cleaned pages wait: the cache (kept, so that a re-run resumes), or a folder of
    # this import's own when the cache is not to be used or updated.
    temporary = dry_run or not cache
    store = (
        tempfile.mkdtemp(prefix="newsdigest-import-")
        if temporary
        else str((root / CACHE_FOLDER).resolve())
    )
    finished = False
    try:
        firsts = [executor.submit(stages.first_pass, chunk, store) for chunk in chunks]
        del chunks
        signatures, tables = _clean(executor, firsts, view, outcome, problems)  # empties firsts
        for _, problem in sorted(problems, key=lambda item: item[0]):
            print(problem.format(), file=err)
        outcome.failed += len(problems)
        del problems
        planner = _Planner(content, root / "content", extra_tags, force, dry_run, outcome, out, err)
        _write_groups(executor, signatures, tables, planner)
        finished = True
    finally:
        if temporary or finished:  # an interrupted import keeps what a re-run can reuse
            _drop_store(executor, store, temporary)
    return outcome


def _write_groups(
    executor: Any,
    signatures: list[stages.Signatures],
    tables: tuple[Any, Any, Any],
    planner: _Planner,
) -> None:
    """Group the final pages, then decide and write group by group in input order, fetching
    the pages of WINDOW groups at a time: the coordinator never holds more than those."""
    starts = _locator(signatures)
    places: list[Place] = [(item.source, item.where) for item in signatures]
    roots = stages.find_groups(signatures, _verifier(executor, places, starts, tables))
    dates = (
        np.concatenate([item.dates for item in signatures if item.dates is not None])
        if signatures
        else np.zeros(0, dtype=np.int64)
    )
    sparse = {
        int(starts[n]) + row: value
        for n, item in enumerate(signatures)
        for row, value in (item.sparse or {}).items()
    }
    planner.outcome.pages = len(roots)
    signatures.clear()  # the caller's list too: only numbers per page are kept from here
    members = np.argsort(roots, kind="stable")
    bounds = (
        np.flatnonzero(np.r_[True, roots[members][1:] != roots[members][:-1]])
        if len(members)
        else np.zeros(0, dtype=np.int64)
    )
    bounds = np.r_[bounds, len(members)]
    del roots
    for start in range(0, len(bounds) - 1, WINDOW):
        edges = bounds[start : start + WINDOW + 1]
        ranked = [
            sorted(
                (int(page) for page in members[first:last]),
                key=lambda page: (int(dates[page]), page),
            )
            for first, last in zip(edges[:-1], edges[1:], strict=True)
        ]
        wanted: dict[int, list[int]] = defaultdict(list)
        for group in ranked:
            for page in group:
                chunk, row = _where(starts, page)
                wanted[chunk].append(row)
        handles = {
            chunk: executor.submit(
                stages.pick_pages, places[chunk][0], rows, *tables, where=places[chunk][1]
            )
            for chunk, rows in sorted(wanted.items())
        }
        fetched = dict(zip(handles, executor.gather(list(handles.values())), strict=True))
        del handles
        for group in ranked:
            candidates = []
            for page in group:
                chunk, row = _where(starts, page)
                document, found = fetched[chunk].pop(row)
                candidates.append(Candidate(document, found))
            previous, matches = sparse.pop(group[0], (None, ()))
            planner.group(
                candidates,
                Path(previous) if previous else None,
                sorted(Path(item) for item in matches),
            )
        del fetched
    planner.finish()


def _drop_store(executor: Any, store: str, temporary: bool) -> None:
    """Tidy the store on every machine: a temporary one goes, and so do workers' fallbacks."""
    with contextlib.suppress(OSError, TimeoutError):  # the cluster is gone: nothing to tidy
        executor.everywhere(stages.drop_spill, store, temporary)
    stages.drop_spill(store, temporary)


class _Planner:
    """Decides each group's action in input order and carries it out at once."""

    def __init__(
        self,
        content: ContentIndex,
        content_dir: Path,
        extra_tags: Sequence[str],
        force: bool,
        dry_run: bool,
        outcome: Outcome,
        out: TextIO,
        err: TextIO,
    ) -> None:
        self.content, self.content_dir = content, content_dir
        self.extra_tags, self.force, self.dry_run = extra_tags, force, dry_run
        self.outcome, self.out, self.err = outcome, out, err
        # New paths planned here that are not on disk (a dry run's, or a failed write's):
        # target_path must not give them again. Written files need no entry, the disk has
        # them, so this stays empty in a real import whatever its size.
        self.taken: set[Path] = set()
        self.pending: dict[Path, list[tuple[dict[str, str], str]]] = defaultdict(list)

    def group(self, group: list[Candidate], previous: Path | None, matches: list[Path]) -> None:
        """`group` is sorted: the page kept first. `matches`: content/ articles like it."""
        kept, others = group[0], group[1:]
        kept_reference = _reference(kept.found)
        also = []
        for other in others:
            reference = _reference(other.found)
            if reference and reference != kept_reference and reference not in also:
                also.append(reference)
        existing = next((self.content.articles[path] for path in matches if path != previous), None)
        if previous is None and existing is not None:
            for candidate in group:
                reference = _reference(candidate.found)
                if reference:
                    self.pending[existing.path].append((reference, candidate.document.source))
            for candidate in group:
                self.act(Action("merge", existing.path, (candidate.document.source,)))
            return
        fields, review = article_fields(kept, self.extra_tags, also)
        body = kept.found.body
        if previous is not None:
            path = previous
        else:
            date = kept.found.date
            day = date.date() if isinstance(date, dt.datetime) else date
            path = target_path(
                self.content_dir, kept.found.title, day, kept.document.sha256, self.taken
            )
        self.act(
            _write_action(
                path,
                self.content.articles.get(path),
                fields,
                body,
                review,
                kept.document.source,
                self.force,
            )
        )
        for other in others:
            self.act(Action("duplicate", path, (other.document.source, kept.document.source)))

    def finish(self) -> None:
        for action in _merge_actions(self.content, self.pending, self.force):
            self.act(action)

    def act(self, action: Action) -> None:
        self.outcome.counts[action.kind] += 1
        if action.review and action.kind in ("write", "update", "unchanged"):
            self.outcome.drafts += 1
        if self.dry_run and action.kind == "write":
            self.taken.add(action.path)
        elif action.kind in ("write", "update") and action.fields is not None:
            problem = _write(action)
            if problem is not None:
                print(problem.format(), file=self.err)
                self.outcome.failed += 1
                self.taken.add(action.path)
        _report(action, self.content_dir.parent, self.dry_run, self.out)


def _write(action: Action) -> Diagnostic | None:
    """Write one planned file; a file that cannot be written is reported, the rest go on."""
    assert action.fields is not None
    try:
        write_article(action.path, action.fields, action.body, overwrite=action.kind == "update")
    except FileExistsError:
        return diagnostic(action.path, None, "appeared while importing; not replaced")
    except OSError as error:
        return diagnostic(action.path, None, f"cannot write: {error.strerror or error}")
    return None


_TOLD = {
    "write": "wrote",
    "update": "updated",
    "unchanged": "unchanged",
    "merge": "merged",
    "duplicate": "duplicate",
    "kept": "kept",
}


def _report(action: Action, root: Path, dry_run: bool, out: TextIO) -> None:
    verb = _TOLD[action.kind]
    if dry_run and action.kind in ("write", "update"):
        verb = f"would {'write' if action.kind == 'write' else 'update'}"
    path = _shown(action.path, root)
    line = f"{verb} {path} (from {action.sources[0]})"
    if action.kind == "duplicate":
        line = (
            f"duplicate {action.sources[0]}: same story as {action.sources[1]}, listed "
            f"in {path} under also_reported_by"
        )
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


def _reference(found: Extracted) -> dict[str, str]:
    return {
        key: value for key, value in (("publisher", found.publisher), ("url", found.url)) if value
    }


def article_fields(
    candidate: Candidate, extra_tags: Sequence[str], also: Sequence[dict[str, str]]
) -> tuple[dict[str, Any], str | None]:
    """Front matter for a cleaned page; only what was found, plus the review note."""
    found, document = candidate.found, candidate.document
    missing = [
        name
        for name, value in (
            ("title", found.title),
            ("date", found.date),
            ("body", found.body.strip()),
        )
        if not value
    ]
    fields: dict[str, Any] = {}
    if found.title:
        fields["title"] = found.title
    if found.date:
        fields["date"] = found.date
    if found.updated and found.date and _after(found.updated, found.date):
        fields["updated"] = found.updated
    if found.author:
        fields["author"] = found.author
    tags = unique_tags([*found.tags, *extra_tags])
    if tags:
        fields["tags"] = tags
    if found.publisher:
        fields["publisher"] = found.publisher
    if found.url:
        fields["original_url"] = found.url
    summary = lede_summary(found.body)
    if summary:
        fields["summary"] = summary
    review = None
    if missing:
        review = "missing " + ", ".join(missing)
        fields["draft"] = True
        fields["review"] = (
            f"{review}: check the source and fill it in, then remove draft and review"
        )
    if also:
        fields["also_reported_by"] = list(also)
    fields["imported_from"] = {"source": document.source, "sha256": document.sha256}
    return fields, review


def _after(later: dt.datetime | dt.date, earlier: dt.datetime | dt.date) -> bool:
    def key(value: dt.datetime | dt.date) -> tuple[dt.date, dt.time]:
        if isinstance(value, dt.datetime):
            return (value.date(), value.time())
        return (value, dt.time())

    return key(later) > key(earlier)


def _write_action(
    path: Path,
    existing: Existing | None,
    fields: dict[str, Any],
    body: str,
    review: str | None,
    source: str,
    force: bool,
) -> Action:
    if existing is None:
        return Action("write", path, (source,), with_digest(fields, body), body, review)
    if not existing.untouched and not force:
        return Action(
            "kept",
            path,
            (source,),
            note="edited since import; not overwritten (use --force to replace it)",
        )
    # Keep what other imports added to this article: their duplicates merged into it.
    earlier = existing.fields.get("also_reported_by")
    if isinstance(earlier, list) and existing.untouched:
        merged = list(fields.get("also_reported_by", []))
        merged += [item for item in earlier if item not in merged]
        fields = {**fields, "also_reported_by": merged} if merged else fields
        if merged:
            fields = _move_last(fields, "imported_from")
    final = with_digest(fields, body)
    current = format_article(existing.fields, existing.body)
    if existing.untouched and format_article(final, body) == current:
        return Action("unchanged", path, (source,), review=review)
    return Action("update", path, (source,), final, body, review)


def _move_last(fields: dict[str, Any], key: str) -> dict[str, Any]:
    value = fields.pop(key)
    fields[key] = value
    return fields


def _merge_actions(
    content: ContentIndex, merges: Mapping[Path, list[tuple[dict[str, str], str]]], force: bool
) -> list[Action]:
    """Add new sources to existing articles' also_reported_by, unless an editor owns them."""
    actions: list[Action] = []
    for path, references in sorted(merges.items()):
        existing = content.articles[path]
        listed = list(existing.fields.get("also_reported_by") or [])
        own = {
            key: existing.fields[name]
            for key, name in (("publisher", "publisher"), ("url", "original_url"))
            if existing.fields.get(name)
        }
        new = []
        for reference, _ in references:
            if reference != own and reference not in listed and reference not in new:
                new.append(reference)
        sources = tuple(source for _, source in references)
        if not new:
            continue
        if not existing.untouched and not force:
            actions.append(
                Action(
                    "kept",
                    path,
                    sources,
                    note="duplicate of this edited article; "
                    "add it to also_reported_by by hand, or use --force",
                )
            )
            continue
        fields = {key: value for key, value in existing.fields.items() if key != "imported_from"}
        fields["also_reported_by"] = listed + new
        if "imported_from" in existing.fields:
            fields["imported_from"] = existing.fields["imported_from"]
            fields = with_digest(fields, existing.body)
        actions.append(
            Action(
                "update",
                path,
                sources,
                fields,
                existing.body,
                note="also reported by "
                + ", ".join(item.get("publisher") or item.get("url", "") for item in new),
            )
        )
    return actions
