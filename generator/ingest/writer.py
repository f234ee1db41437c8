"""What is already in content/, and writing articles without harming an editor's work.

Every imported article records in `imported_from` the hash of its raw input and the hash of
the article as we wrote it (`article_sha256`). A later import can therefore tell three
cases apart: the same input again (nothing to do), a file still exactly as we wrote it
(safe to update), and a file an editor has changed (never overwritten without --force).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.frontmatter import FrontMatter, format_article, parse_front_matter
from ..core.layout import article_path
from ..core.urls import MAX_SLUG_BYTES, slugify
from .dedupe import DuplicateIndex, shingles
from .textclean import line_key

DIGEST_KEY = "article_sha256"
# One file name is at most 255 bytes on most file systems, and write_article first writes
# `.{name}.tmp-{pid}`: 16 bytes more than the name (a pid has at most 7 digits on Linux).
MAX_NAME_BYTES = 255 - 16


@dataclass(frozen=True)
class Existing:
    """An article file found in content/."""

    path: Path
    fields: Mapping[str, Any]
    body: str
    untouched: bool  # still byte for byte what an import wrote


@dataclass(frozen=True)
class ContentIndex:
    """Existing articles by input hash, by title, and by text for duplicate checks."""

    articles: dict[Path, Existing]
    by_input: dict[str, Path]
    titles: frozenset[str]
    texts: DuplicateIndex


def article_digest(fields: Mapping[str, Any], body: str) -> str:
    """Hash of the article as written, leaving out the hash itself."""
    plain = dict(fields)
    origin = plain.get("imported_from")
    if isinstance(origin, Mapping):
        plain["imported_from"] = {key: value for key, value in origin.items() if key != DIGEST_KEY}
    return hashlib.sha256(format_article(plain, body).encode("utf-8")).hexdigest()


def with_digest(fields: Mapping[str, Any], body: str) -> dict[str, Any]:
    """The fields with `imported_from.article_sha256` filled in."""
    result = dict(fields)
    origin = dict(result.get("imported_from") or {})
    origin.pop(DIGEST_KEY, None)
    result["imported_from"] = origin
    origin[DIGEST_KEY] = article_digest(result, body)
    return result


def article_files(content: Path) -> list[Path]:
    """The `*.md` files under content/ that the build reads, sorted: hidden files and folders
    are skipped and symbolic links not followed, as the build's scan does (it refuses them)."""
    found: list[Path] = []
    pending = [content] if content.is_dir() and not content.is_symlink() else []
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            if entry.is_dir():
                pending.append(Path(entry.path))
            elif entry.name.endswith(".md"):
                found.append(Path(entry.path))
    return sorted(found)


def linked_part(path: Path, content: Path) -> Path | None:
    """content/ itself, or a folder or file of `path` below it, that is a symbolic link.

    Writing there would put the article outside content/ (or somewhere the build refuses).
    """
    if content.is_symlink():
        return content
    current = content
    for part in path.relative_to(content).parts:
        current = current / part
        if current.is_symlink():
            return current
    return None


def read_content(content: Path) -> ContentIndex:
    """Index every article under content/ (unreadable files are the build's to report)."""
    articles: dict[Path, Existing] = {}
    by_input: dict[str, Path] = {}
    titles: set[str] = set()
    texts = DuplicateIndex()
    for path in article_files(content):
        try:
            raw = path.read_bytes()
            front = parse_front_matter(raw.decode("utf-8"), path)
        except (OSError, UnicodeDecodeError):
            continue
        if not isinstance(front, FrontMatter):
            continue
        body = front.body.strip()
        fields = dict(front.fields)
        origin = fields.get("imported_from")
        untouched = False
        if isinstance(origin, Mapping):
            if isinstance(origin.get("sha256"), str):
                by_input.setdefault(origin["sha256"], path)
            untouched = origin.get(DIGEST_KEY) == article_digest(
                fields, body
            ) and raw == format_article(fields, body).encode("utf-8")
        articles[path] = Existing(path, fields, body, untouched)
        if isinstance(fields.get("title"), str):
            titles.add(line_key(fields["title"]))
        if not fields.get("draft"):
            texts.add(path, shingles(body))
    return ContentIndex(articles, by_input, frozenset(titles), texts)


def target_path(
    content: Path, title: str | None, date: dt.date | None, sha256: str, taken: set[Path]
) -> tuple[Path, str]:
    """content/YYYY/MM/DD-slug.md, or content/undated/slug.md, numbered when taken; and the
    slug its URL takes, numbered alike (two stories of one day and headline would otherwise
    share a URL, and the build would refuse both)."""
    slug = slugify(title or "") or f"article-{sha256[:8]}"
    number = 1
    path = article_path(content, date, _fit(slug, date, number), number)
    while path in taken or path.exists():
        number += 1
        path = article_path(content, date, _fit(slug, date, number), number)
    fitted, suffix = _fit(slug, date, number), f"-{number}" if number > 1 else ""
    while len((fitted + suffix).encode("utf-8")) > MAX_SLUG_BYTES:  # the build's own bound
        fitted = fitted[:-1].rstrip("-")
    return path, fitted + suffix


def _fit(slug: str, date: dt.date | None, number: int) -> str:
    """The slug cut so that the file name fits MAX_NAME_BYTES of UTF-8, never inside a
    character (80 characters of CJK or other 4-byte scripts are 320 bytes)."""
    room = MAX_NAME_BYTES - len(article_path(Path(), date, "", number).name.encode("utf-8"))
    data = slug.encode("utf-8")
    if len(data) <= room:
        return slug
    cut = data[:room].decode("utf-8", errors="ignore")  # drops only a partial last character
    return cut.rstrip("-") or cut
