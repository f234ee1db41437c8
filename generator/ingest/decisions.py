"""Decisions: what each group of cleaned pages becomes (a new file, an update of our own
file, a merge into an existing article's also_reported_by, a duplicate, or an edited file
kept as it is), carried out and reported in input order.

The same decisions are made in a dry run, which only leaves out the writing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..core.errors import Diagnostic, diagnostic
from ..core.frontmatter import format_article, write_article
from ..core.importing import REVIEW_FIELD, REVIEW_IMPORTED
from ..core.tags import clean_tags
from ..core.tags import key as tag_key
from .model import Extracted, RawDocument
from .policy import Policy, excerpt, with_link
from .report import Outcome, report_action
from .sanitize import page_url
from .summary import lede_summary
from .writer import ContentIndex, Existing, linked_part, target_path, with_digest


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


class Planner:
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
        policy: Policy | None = None,
    ) -> None:
        self.policy = policy or Policy()
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
        fields, review = article_fields(kept, self.extra_tags, also, self.policy)
        body = kept.found.body
        if self.policy.settings.body == "excerpt":
            words = self.policy.settings.excerpt_words
            body = with_link(excerpt(body, words), fields.get("original_url"), kept.found.publisher)
        if previous is not None:
            path = previous
            existing = self.content.articles.get(path)
            if (
                review == REVIEW_WAITING
                and existing is not None
                and not existing.fields.get("draft")
            ):
                # Published before (under `publish: now`, or approved): a re-import that
                # refreshes it must not take it off the site again.
                fields = {k: v for k, v in fields.items() if k not in ("draft", REVIEW_FIELD)}
                review = None
            earlier = existing.fields.get("slug") if existing is not None else None
            slug = earlier if isinstance(earlier, str) and earlier else None
        else:
            date = kept.found.date
            day = date.date() if isinstance(date, dt.datetime) else date
            path, slug = target_path(
                self.content_dir, kept.found.title, day, kept.document.sha256, self.taken
            )
        if slug is not None:
            fields = with_slug(fields, slug)
        written = self.act(
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
            if written:
                self.act(Action("duplicate", path, (other.document.source, kept.document.source)))
            else:  # its story is in no file: say so, rather than "listed in" a missing one
                self.outcome.failed += 1
                print(
                    diagnostic(
                        other.document.source,
                        None,
                        f"not imported: same story as {kept.document.source}, "
                        "whose article could not be written",
                    ).format(),
                    file=self.err,
                )

    def finish(self) -> None:
        for action in _merge_actions(self.content, self.pending, self.force):
            self.act(action)

    def act(self, action: Action) -> bool:
        """Carry out one decision and report it; False (and one error line) when its file
        could not be written: then it is counted as failed, not as written."""
        if self.dry_run and action.kind == "write":
            self.taken.add(action.path)
        elif action.kind in ("write", "update") and action.fields is not None:
            problem = _refuse_links(action.path, self.content_dir) or write(action)
            if problem is not None:
                print(problem.format(), file=self.err)
                self.outcome.failed += 1
                self.taken.add(action.path)
                return False
        self.outcome.counts[action.kind] += 1
        if action.review and action.kind in ("write", "update", "unchanged"):
            self.outcome.drafts += 1
        report_action(
            action.kind,
            action.path,
            action.sources,
            action.review,
            action.note,
            self.content_dir.parent,
            self.dry_run,
            self.out,
        )
        return True


def _refuse_links(path: Path, content_dir: Path) -> Diagnostic | None:
    """Never write through a symbolic link: it could lead outside content/."""
    linked = linked_part(path, content_dir)
    if linked is None:
        return None
    return diagnostic(
        path,
        None,
        f"not written: {linked} is a symbolic link (the build does not follow it either)",
        "make it a real folder inside content/",
    )


def write(action: Action) -> Diagnostic | None:
    """Write one planned file; a file that cannot be written is reported, the rest go on."""
    assert action.fields is not None
    try:
        write_article(action.path, action.fields, action.body, overwrite=action.kind == "update")
    except FileExistsError:
        return diagnostic(action.path, None, "appeared while importing; not replaced")
    except OSError as error:
        return diagnostic(action.path, None, f"cannot write: {error.strerror or error}")
    except ValueError as error:  # a value the article format cannot hold: a bug, named
        return diagnostic(action.path, None, f"cannot write ({type(error).__name__}: {error})")
    return None


def _reference(found: Extracted) -> dict[str, str]:
    url = page_url(found.url) if found.url else None
    return {key: value for key, value in (("publisher", found.publisher), ("url", url)) if value}


REVIEW_WAITING = "waiting for review"  # what the report says of a `review: imported` draft


def article_fields(
    candidate: Candidate,
    extra_tags: Sequence[str],
    also: Sequence[dict[str, str]],
    policy: Policy | None = None,
) -> tuple[dict[str, Any], str | None]:
    """Front matter for a cleaned page; only what was found, plus the review note."""
    policy = policy or Policy()
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
    url = page_url(found.url) if found.url else None
    if found.title:
        fields["title"] = found.title
    # A permanent id for feeds, the same for the same source page at every import.
    name = url or f"sha256:{document.sha256}"
    fields["id"] = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
    if found.date:
        fields["date"] = found.date
    if found.updated and found.date and _after(found.updated, found.date):
        fields["updated"] = found.updated
    authors = list(dict.fromkeys([*found.authors, *filter(None, [found.author])]))
    if len(authors) > 1:
        fields["authors"] = authors
    elif authors:
        fields["author"] = authors[0]
    # The page's tags, then the editor's --tags, which always survive the limit.
    limit = policy.settings.max_tags
    given, _ = clean_tags(extra_tags, policy.tags, limit)
    chosen = {tag_key(tag) for tag in given}
    every, _ = clean_tags([*found.tags, *given], policy.tags)
    room = limit - len(given)
    tags = []
    for tag in every:
        if tag_key(tag) in chosen or room > 0:
            tags.append(tag)
            room -= tag_key(tag) not in chosen
    if tags:
        fields["tags"] = tags
    if found.publisher:
        fields["publisher"] = found.publisher
    if url:  # the build accepts only absolute http(s) here: anything else is left out
        fields["original_url"] = url
    if found.image:  # the source's own image stays on its host: a remote URL
        fields["image"] = found.image
        for key, value in (
            ("image_alt", found.image_alt),
            ("image_caption", found.image_caption),
            ("image_credit", found.image_credit),
        ):
            if value:
                fields[key] = value
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
    elif policy.settings.publish == "review":
        review = REVIEW_WAITING
        fields["draft"] = True
        fields[REVIEW_FIELD] = REVIEW_IMPORTED
    if also:
        fields["also_reported_by"] = list(also)
    fields["imported_from"] = {"source": document.source, "sha256": document.sha256}
    return fields, review


def with_slug(fields: dict[str, Any], slug: str) -> dict[str, Any]:
    """The fields with `slug:` written after the title: the URL is then the file's own, and
    an editor's later headline correction moves nothing."""
    ordered = {key: value for key, value in fields.items() if key != "slug"}
    items = list(ordered.items())
    at = 1 if items and items[0][0] == "title" else 0
    return dict([*items[:at], ("slug", slug), *items[at:]])


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
