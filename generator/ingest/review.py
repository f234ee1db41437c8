"""`newsdigest review`: what imported articles wait for an editor, and approving them.

An article waits when its front matter has `review:` (the importer writes `review: imported`
under `import: {publish: review}`, and a note naming what is missing when the title, date or
body could not be found). Approving removes the `review:` and `draft:` lines and nothing else:
the rest of the file, the editor's edits included, stays byte for byte as it was.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..core.errors import Diagnostic, diagnostic
from ..core.frontmatter import FrontMatter, parse_front_matter
from ..core.importing import REVIEW_FIELD, REVIEW_IMPORTED
from ..core.layout import CONTENT_DIR
from .dedupe import DuplicateIndex, shingles
from .textclean import line_key
from .writer import article_files

SHORT_BODY_WORDS = 80  # fewer words than a short news story: maybe a teaser or a paywall
POSSIBLE_DUPLICATE = 0.5  # shingle Jaccard: half the text shared is worth a look
_FENCE = re.compile(r"^---[ \t]*\r?\n?$")


@dataclass(frozen=True)
class Waiting:
    """One article waiting for review, and what looks doubtful about it."""

    path: Path
    title: str
    source: str
    doubts: tuple[str, ...]


def _read(path: Path) -> FrontMatter | Diagnostic:
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return diagnostic(path, None, f"cannot read: {error}")
    return parse_front_matter(text, path)


def _source(fields: dict[str, Any]) -> str:
    parts = [
        str(fields[name])
        for name in ("publisher", "original_url")
        if isinstance(fields.get(name), str)
    ]
    origin = fields.get("imported_from")
    if not parts and isinstance(origin, dict) and isinstance(origin.get("source"), str):
        parts.append(origin["source"])
    return " ".join(parts) or "unknown source"


def waiting_articles(root: Path) -> list[Waiting]:
    """Every article under content/ with a `review:` mark, in path order."""
    read: dict[Path, FrontMatter] = {}
    for path in article_files(root / CONTENT_DIR):
        front = _read(path)
        if isinstance(front, FrontMatter):
            read[path] = front
    texts = DuplicateIndex(POSSIBLE_DUPLICATE)
    titles: dict[str, list[Path]] = {}
    urls: dict[str, list[Path]] = {}
    for path, front in read.items():
        texts.add(path, shingles(front.body))
        if isinstance(front.fields.get("title"), str):
            titles.setdefault(line_key(front.fields["title"]), []).append(path)
        if isinstance(front.fields.get("original_url"), str):
            urls.setdefault(front.fields["original_url"], []).append(path)
    found = []
    for path, front in read.items():
        fields = dict(front.fields)
        if REVIEW_FIELD not in fields:
            continue
        doubts = []
        note = fields[REVIEW_FIELD]
        if note != REVIEW_IMPORTED:
            doubts.append(str(note).split(":")[0])
        missing = [
            name for name in ("title", "date", "publisher", "original_url") if not fields.get(name)
        ]
        if missing:
            doubts.append("no " + ", ".join(missing))
        words = len(front.body.split())
        if words < SHORT_BODY_WORDS:
            doubts.append(f"short body ({words} words)")
        others = {
            *texts.matches(shingles(front.body)),
            *titles.get(line_key(str(fields.get("title", ""))), []),
            *urls.get(str(fields.get("original_url", "")), []),
        } - {path}
        if others:
            shown = ", ".join(str(item) for item in sorted(others))  # type: ignore[arg-type]
            doubts.append(f"possible duplicate of {shown}")
        title = fields.get("title")
        found.append(
            Waiting(
                path,
                title if isinstance(title, str) else "(no title)",
                _source(fields),
                tuple(doubts),
            )
        )
    return found


def list_waiting(root: Path, out: TextIO) -> int:
    """Print one line per waiting article and a count; the exit status is 0."""
    waiting = waiting_articles(root)
    for item in waiting:
        line = f"{item.path}: {item.title!r} from {item.source}"
        if item.doubts:
            line += "; doubtful: " + "; ".join(item.doubts)
        print(line, file=out)
    if waiting:
        print(
            f"{len(waiting)} article{'s' if len(waiting) != 1 else ''} waiting for review; "
            "publish with `newsdigest review --approve PATH...`",
            file=out,
        )
    else:
        print("nothing waiting for review", file=out)
    return 0


def approve(root: Path, paths: list[str], out: TextIO, err: TextIO) -> int:
    """Publish each article: remove its review and draft lines. All paths are checked first;
    any problem is reported and then nothing is changed (exit status 1)."""
    content = (root / CONTENT_DIR).resolve()
    planned: list[tuple[Path, bytes]] = []
    problems: list[Diagnostic] = []
    for name in paths:
        result = _approved(Path(name), content)
        if isinstance(result, Diagnostic):
            problems.append(result)
        else:
            planned.append((Path(name), result))
    if problems:
        for problem in problems:
            print(problem.format(), file=err)
        print(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found; nothing was approved",
            file=err,
        )
        return 1
    for path, data in planned:
        temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        print(f"approved {path}: published at the next build", file=out)
    return 0


def _approved(path: Path, content: Path) -> bytes | Diagnostic:
    """The file's bytes without its review and draft lines, or why it cannot be approved."""
    resolved = path.resolve()
    if path.is_symlink() or content not in resolved.parents:
        return diagnostic(
            path,
            None,
            f"not an article in {content}",
            "give the path of a file inside content/ (links are not followed)",
        )
    if resolved.suffix != ".md" or not resolved.is_file():
        return diagnostic(
            path, None, "no such article file", "give the path of a .md file in content/"
        )
    front = _read(resolved)
    if isinstance(front, Diagnostic):
        return front
    fields = front.fields
    if REVIEW_FIELD not in fields:
        return diagnostic(path, 1, "not waiting for review (it has no `review:` line)")
    missing = [name for name in ("title", "date") if not fields.get(name)] + (
        ["body"] if not front.body.strip() else []
    )
    if missing:
        return diagnostic(
            path,
            front.lines[REVIEW_FIELD],
            f"still missing {', '.join(missing)}",
            "fill it in, then approve it",
        )
    text = resolved.read_bytes().decode("utf-8")
    lines = text.splitlines(keepends=True)
    closing = next(
        (number for number, line in enumerate(lines[1:], start=2) if _FENCE.match(line)), None
    )
    assert closing is not None  # parse_front_matter found it
    starts = sorted({*front.lines.values(), closing})
    removed: set[int] = set()
    for name in (REVIEW_FIELD, "draft"):
        if name in front.lines:
            first = front.lines[name]
            last = next(start for start in starts if start > first)  # the next key, or the fence
            removed.update(range(first, last))
    result = "".join(line for number, line in enumerate(lines, start=1) if number not in removed)
    check = parse_front_matter(result, path)
    expected = {key: value for key, value in fields.items() if key not in (REVIEW_FIELD, "draft")}
    if (
        isinstance(check, Diagnostic) or dict(check.fields) != expected or check.body != front.body
    ):  # a layout we cannot edit line by line (flow style, comments): the editor's to do
        return diagnostic(
            path,
            front.lines[REVIEW_FIELD],
            "cannot remove the review and draft lines without touching the rest",
            "delete the `review:` and `draft:` lines by hand",
        )
    return result.encode("utf-8")
