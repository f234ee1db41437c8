"""Inputs cut into chunks: the unit of work of the import, locally or on Dask workers.

A chunk is a run of WARC records (found by `warc.scan`), a group of small files, or the bytes
of standard input. Chunks are numbered in input order and every page gets an `order` made
of its chunk number and its position in the chunk, so that the order of pages (which breaks
ties between duplicates) is the same however many workers clean them.

Everything here that touches an input runs where the input is readable: on a worker when
the import is distributed, so the coordinator needs only the paths.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import Diagnostic, diagnostic
from . import readers
from .feedinput import SHARED_EXTENSIONS, looks_like_feed
from .model import RawDocument
from .warc import Skipped, file_identity, is_warc_name, looks_like_warc, read_records, scan

FILES_PER_CHUNK = 32
POSITION_BITS = 24  # up to 16 million pages in one chunk


@dataclass(frozen=True)
class Input:
    """One input file (or standard input, path None) and how to read it."""

    name: str
    path: str | None
    kind: str  # "warc" or "file"


@dataclass(frozen=True)
class Chunk:
    """A unit of work. `number` is its place among all chunks, in input order."""

    number: int
    kind: str  # "warc", "files", "bytes" or "documents" (pages already read: fetch's)
    names: tuple[str, ...]
    fmt: str
    max_bytes: int
    offset: int = 0
    count: int = 0
    data: bytes | None = None
    documents: tuple[RawDocument, ...] = ()

    def identity(self) -> str | None:
        """A key that changes when any input of the chunk changes (None: unreadable)."""
        if self.kind == "documents":
            listed = [
                (item.source, item.sha256, sorted(item.hints.items())) for item in self.documents
            ]
            return hashlib.sha256(repr((self.kind, listed)).encode("utf-8")).hexdigest()
        if self.kind == "bytes":
            digest = hashlib.sha256(repr((self.kind, self.fmt, self.max_bytes)).encode("utf-8"))
            digest.update(self.data or b"")
            return digest.hexdigest()
        try:
            files = [file_identity(name) for name in self.names]
        except OSError:
            return None
        text = repr((self.kind, files, self.fmt, self.max_bytes, self.offset, self.count))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def expand_inputs(paths: list[str], fmt: str) -> tuple[list[Input], list[Diagnostic]]:
    """Folders (recursively, in name order), files and '-' as inputs; missing paths reported."""
    inputs: list[Input] = []
    problems: list[Diagnostic] = []
    for name in paths:
        if name == "-":
            inputs.append(Input("<stdin>", None, "file"))
            continue
        path = Path(name)
        if path.is_dir():
            found = sorted(
                child
                for child in path.rglob("*")
                if child.is_file()
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
                and _importable(child)
            )
            if not found:
                problems.append(
                    diagnostic(
                        path,
                        None,
                        "folder holds no .txt, .html, .jsonl, .warc or feed (.rss, .atom, .xml, .json) files",
                    )
                )
            inputs.extend(Input(str(child), str(child), _kind(child, fmt)) for child in found)
        elif path.is_file():
            inputs.append(Input(str(path), str(path), _kind(path, fmt)))
        else:
            problems.append(diagnostic(path, None, "no such file or folder"))
    return inputs, problems


def _importable(path: Path) -> bool:
    suffix = path.suffix.casefold()
    if suffix in SHARED_EXTENSIONS:  # a sitemap.xml or scraper metadata beside the pages
        try:
            with path.open("rb") as handle:
                return looks_like_feed(handle.read(4096))
        except OSError:
            return True  # reading it will say what is wrong
    return is_warc_name(path.name) or suffix in readers.EXTENSIONS


def _kind(path: Path, fmt: str) -> str:
    if fmt == "warc" or (fmt == "auto" and is_warc_name(path.name)):
        return "warc"
    if fmt == "auto" and path.suffix.casefold() not in readers.EXTENSIONS:
        try:
            with path.open("rb") as handle:
                head = handle.read(4096)
        except OSError:
            return "file"
        return "warc" if looks_like_warc(head) else "file"
    return "file"


def scan_warc(path: str) -> tuple[list[tuple[int, int]], Diagnostic | None]:
    """Runs of records of one WARC file (a task of its own: it reads the whole file once)."""
    return scan(path)


def make_chunks(
    inputs: list[Input],
    runs: dict[str, list[tuple[int, int]]],
    fmt: str,
    stdin: bytes | None,
    max_bytes: int,
) -> list[Chunk]:
    """Chunks in input order: WARC runs as scanned, other files in groups."""
    chunks: list[Chunk] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            chunks.append(Chunk(len(chunks), "files", tuple(pending), fmt, max_bytes))
            pending.clear()

    for item in inputs:
        if item.path is None:
            flush()
            chunks.append(
                Chunk(len(chunks), "bytes", (item.name,), fmt, max_bytes, data=stdin or b"")
            )
        elif item.kind == "warc":
            flush()
            chunks.extend(
                Chunk(len(chunks) + index, "warc", (item.path,), fmt, max_bytes, offset, count)
                for index, (offset, count) in enumerate(runs.get(item.path, []))
            )
        else:
            pending.append(item.path)
            if len(pending) == FILES_PER_CHUNK:
                flush()
    flush()
    return chunks


def document_chunks(
    documents: list[RawDocument], first: int, fmt: str, max_bytes: int
) -> list[Chunk]:
    """Pages already read (by `fetch`), FILES_PER_CHUNK to a chunk, numbered from `first`."""
    return [
        Chunk(
            first + number,
            "documents",
            ("fetched pages",),
            fmt,
            max_bytes,
            documents=tuple(documents[start : start + FILES_PER_CHUNK]),
        )
        for number, start in enumerate(range(0, len(documents), FILES_PER_CHUNK))
    ]


def read_stdin(max_bytes: int) -> bytes | Diagnostic:
    """Standard input, up to the size limit (read by the coordinator, the only one who has it)."""
    import sys

    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        return diagnostic(
            "<stdin>",
            None,
            f"larger than {max_bytes // (1024 * 1024)} MB",
            "split it, or import its JSON Lines in parts",
        )
    return data


def read_chunk(chunk: Chunk) -> Iterator[tuple[int, RawDocument | Diagnostic | Skipped]]:
    """Every item of the chunk with its order; documents carry that order too."""
    base = chunk.number << POSITION_BITS
    for position, item in enumerate(_items(chunk)):
        if isinstance(item, RawDocument):
            item = RawDocument(
                item.source, b"", item.format, item.text, item.sha256, base + position, item.hints
            )
        yield base + position, item


def _items(chunk: Chunk) -> Iterator[RawDocument | Diagnostic | Skipped]:
    if chunk.kind == "warc":
        for _number, item in read_records(
            chunk.names[0], chunk.offset, chunk.count, chunk.max_bytes
        ):
            yield item
        return
    if chunk.kind == "bytes":
        yield from readers.parse(chunk.names[0], chunk.data or b"", chunk.fmt, 0)
        return
    if chunk.kind == "documents":
        yield from chunk.documents
        return
    for name in chunk.names:
        data = readers.read_file(name, chunk.max_bytes)
        if isinstance(data, Diagnostic):
            yield data
        else:
            yield from readers.parse(name, data, chunk.fmt, 0)
