"""One import batch: clean every page with what the batch knows, merge duplicates, and plan
what to write. Planning writes nothing, so `--dry-run` and a real run share every decision.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import Diagnostic, diagnostic
from ..frontmatter import format_article, write_article
from .dates import parse_iso
from .dedupe import DuplicateIndex, shingles
from .htmlclean import clean_html
from .metadata import split_site_suffix, split_tags, unique_tags
from .model import BatchContext, Extracted, RawDocument
from .sanitize import safe_url
from .summary import lede_summary
from .textclean import clean_text, line_key
from .writer import ContentIndex, Existing, read_content, target_path, with_digest


@dataclass(frozen=True)
class Candidate:
    """A cleaned page on its way to becoming an article."""

    document: RawDocument
    found: Extracted
    shingles: frozenset[str]


@dataclass(frozen=True)
class Action:
    """One decision of the plan. `kind` is what the user is told:

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


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...]


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
    url = found.url
    if isinstance(hints.get("url"), str):
        url = safe_url(str(hints["url"])) or url
    tags = list(found.tags)
    hinted = hints.get("tags")
    if isinstance(hinted, str):
        tags = split_tags(hinted) + tags
    elif isinstance(hinted, list):
        tags = [str(tag) for tag in hinted if isinstance(tag, (str, int))] + tags
    return replace(found, title=title, publisher=publisher, date=date, url=url,
                   tags=tuple(unique_tags(tags)))


def clean_batch(documents: Sequence[RawDocument], content: ContentIndex) -> list[Candidate]:
    """Clean every page twice: once alone, then again with what the other pages reveal
    (lines recurring on the same site's other stories, other articles' headlines)."""
    first = [clean_document(document, BatchContext()) for document in documents]
    groups = _clusters([shingles(found.body) for found in first])
    site_lines: dict[str, Counter[str]] = defaultdict(Counter)
    for members in groups:
        per_site: dict[str, set[str]] = defaultdict(set)
        for index in members:
            site = _site(first[index])
            if site:
                per_site[site] |= first[index].lines
        for site, lines in per_site.items():
            site_lines[site].update(lines)
    group_of = {index: number for number, members in enumerate(groups) for index in members}
    titles: dict[str, set[int]] = defaultdict(set)
    for index, found in enumerate(first):
        if found.title:
            titles[line_key(found.title)].add(group_of[index])
    candidates: list[Candidate] = []
    for index, (document, found) in enumerate(zip(documents, first, strict=True)):
        site = _site(found)
        own = line_key(found.title or "")
        recurring = frozenset(
            line for line in found.lines if site and site_lines[site][line] >= 2
        )
        other_titles = frozenset(
            line for line in found.lines
            if line != own and line
            and ((titles.get(line, set()) - {group_of[index]}) or line in content.titles)
        )
        if recurring or other_titles:
            found = clean_document(document, BatchContext(recurring, other_titles))
        candidates.append(Candidate(document, found, shingles(found.body)))
    return candidates


def _site(found: Extracted) -> str | None:
    if found.publisher:
        return found.publisher.casefold()
    if found.url:
        host = urlsplit(found.url).hostname or ""
        return host.removeprefix("www.") or None
    return None


def _clusters(texts: Sequence[frozenset[str]]) -> list[list[int]]:
    """Groups of near-duplicate texts (in input order); a text without words stands alone."""
    index = DuplicateIndex()
    parent = list(range(len(texts)))

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for number, items in enumerate(texts):
        for other in index.matches(items):
            assert isinstance(other, int)
            parent[max(root(number), root(other))] = min(root(number), root(other))
        index.add(number, items)
    groups: dict[int, list[int]] = defaultdict(list)
    for number in range(len(texts)):
        groups[root(number)].append(number)
    return list(groups.values())


def _sort_key(candidate: Candidate) -> tuple[int, dt.datetime, int]:
    """Earliest date first (undated last), then input order: the page that is kept."""
    value = candidate.found.date
    if value is None:
        return (1, dt.datetime.min, candidate.document.order)
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return (0, value, candidate.document.order)


def _reference(found: Extracted) -> dict[str, str]:
    return {key: value for key, value in (("publisher", found.publisher), ("url", found.url))
            if value}


def article_fields(candidate: Candidate, extra_tags: Sequence[str],
                   also: Sequence[dict[str, str]]) -> tuple[dict[str, Any], str | None]:
    """Front matter for a cleaned page; only what was found, plus the review note."""
    found, document = candidate.found, candidate.document
    missing = [name for name, value in (("title", found.title), ("date", found.date),
                                        ("body", found.body.strip())) if not value]
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
        fields["review"] = f"{review}: check the source and fill it in, then remove draft and review"
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


def plan_import(documents: Sequence[RawDocument], root: Path, extra_tags: Sequence[str] = (),
                force: bool = False) -> Plan:
    """Decide, for every page, what the import does; nothing is written here."""
    content_dir = root / "content"
    content = read_content(content_dir)
    candidates = clean_batch(documents, content)
    actions: list[Action] = []
    taken: set[Path] = set()
    pending_merges: dict[Path, list[tuple[dict[str, str], str]]] = defaultdict(list)
    for members in _clusters([candidate.shingles for candidate in candidates]):
        group = sorted((candidates[index] for index in members), key=_sort_key)
        kept, others = group[0], group[1:]
        kept_reference = _reference(kept.found)
        also = []
        for other in others:
            reference = _reference(other.found)
            if reference and reference != kept_reference and reference not in also:
                also.append(reference)
        previous = content.by_input.get(kept.document.sha256)
        existing = _existing_duplicate(content, kept, previous)
        if previous is None and existing is not None:
            for candidate in group:
                reference = _reference(candidate.found)
                if reference:
                    pending_merges[existing.path].append((reference, candidate.document.source))
            actions.extend(Action("merge", existing.path, (candidate.document.source,))
                           for candidate in group)
            continue
        fields, review = article_fields(kept, extra_tags, also)
        body = kept.found.body
        if previous is not None:
            path = previous
        else:
            date = kept.found.date
            day = date.date() if isinstance(date, dt.datetime) else date
            path = target_path(content_dir, kept.found.title, day, kept.document.sha256, taken)
        taken.add(path)
        actions.append(_write_action(path, content.articles.get(path), fields, body, review,
                                     kept.document.source, force))
        actions.extend(Action("duplicate", path, (other.document.source, kept.document.source))
                       for other in others)
    actions.extend(_merge_actions(content, pending_merges, force))
    return Plan(tuple(actions))


def _existing_duplicate(content: ContentIndex, kept: Candidate,
                        previous: Path | None) -> Existing | None:
    """An article already in content/ telling the same story (not this page's own import)."""
    matches = sorted(path for path in content.texts.matches(kept.shingles)
                     if isinstance(path, Path) and path != previous)
    return content.articles[matches[0]] if matches else None


def _write_action(path: Path, existing: Existing | None, fields: dict[str, Any], body: str,
                  review: str | None, source: str, force: bool) -> Action:
    if existing is None:
        return Action("write", path, (source,), with_digest(fields, body), body, review)
    if not existing.untouched and not force:
        return Action("kept", path, (source,), note="edited since import; not overwritten "
                      "(use --force to replace it)")
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


def _merge_actions(content: ContentIndex, merges: Mapping[Path, list[tuple[dict[str, str], str]]],
                   force: bool) -> list[Action]:
    """Add new sources to existing articles' also_reported_by, unless an editor owns them."""
    actions: list[Action] = []
    for path, references in sorted(merges.items()):
        existing = content.articles[path]
        listed = list(existing.fields.get("also_reported_by") or [])
        own = {key: existing.fields[name] for key, name in
               (("publisher", "publisher"), ("url", "original_url")) if existing.fields.get(name)}
        new = []
        for reference, _ in references:
            if reference != own and reference not in listed and reference not in new:
                new.append(reference)
        sources = tuple(source for _, source in references)
        if not new:
            continue
        if not existing.untouched and not force:
            actions.append(Action("kept", path, sources, note="duplicate of this edited article; "
                                  "add it to also_reported_by by hand, or use --force"))
            continue
        fields = {key: value for key, value in existing.fields.items() if key != "imported_from"}
        fields["also_reported_by"] = listed + new
        if "imported_from" in existing.fields:
            fields["imported_from"] = existing.fields["imported_from"]
            fields = with_digest(fields, existing.body)
        actions.append(Action("update", path, sources, fields, existing.body,
                              note="also reported by " + ", ".join(
                                  item.get("publisher") or item.get("url", "") for item in new)))
    return actions


def apply_plan(plan: Plan) -> list[Diagnostic]:
    """Write the planned files; a file that cannot be written is reported, the rest go on."""
    problems: list[Diagnostic] = []
    for action in plan.actions:
        if action.kind not in ("write", "update") or action.fields is None:
            continue
        try:
            write_article(action.path, action.fields, action.body,
                          overwrite=action.kind == "update")
        except FileExistsError:
            problems.append(diagnostic(action.path, None, "appeared while importing; not replaced"))
        except OSError as error:
            problems.append(diagnostic(action.path, None,
                                       f"cannot write: {error.strerror or error}"))
    return problems
