"""WARC input (plain `.warc` or per-record gzipped `.warc.gz`), read as a stream with warcio.

A file is never loaded whole: `scan` walks it once and returns the byte offsets where runs of
records start, so that workers can each seek to one run and read only its records. A page is a
`response` record with HTTP status 200 and an HTML content type; every other record is
skipped with a short reason that the import counts in its summary.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..core.errors import Diagnostic, diagnostic
from .model import RawDocument

RECORDS_PER_CHUNK = 200
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Skipped:
    """A record that is not a page to import, and why (counted, not reported one by one)."""

    reason: str


def is_warc_name(name: str) -> bool:
    lowered = name.casefold()
    return lowered.endswith((".warc", ".warc.gz"))


def looks_like_warc(head: bytes) -> bool:
    """The first bytes of a file: a WARC header, or a gzip member holding one."""
    if head.startswith(b"WARC/"):
        return True
    if head.startswith(b"\x1f\x8b"):
        import zlib

        try:
            return zlib.decompressobj(31).decompress(head, 8).startswith(b"WARC/")
        except zlib.error:
            return False
    return False


def scan(
    path: str, per_chunk: int | None = None
) -> tuple[list[tuple[int, int]], Diagnostic | None]:
    """Byte offsets of runs of `per_chunk` records: [(offset, count), ...], read as a stream.

    A damaged or truncated file gives the runs before the damage and one diagnostic.
    """
    per_chunk = per_chunk or RECORDS_PER_CHUNK  # read now, so tests can make chunks small
    runs: list[tuple[int, int]] = []
    problem = None
    count = 0
    try:
        with open(path, "rb") as handle:
            records = ArchiveIterator(handle, no_record_parse=True)
            for _record in records:
                if count % per_chunk == 0:
                    runs.append((records.get_record_offset(), 0))
                count += 1
                offset, seen = runs[-1]
                runs[-1] = (offset, seen + 1)
    except ArchiveLoadFailed as error:
        hint = (
            "gzip each record on its own: `warcio recompress IN OUT`"
            if "non-chunked" in str(error)
            else None
        )
        problem = diagnostic(
            path,
            None,
            f"not a WARC file, or damaged after record {count}: {_first_line(error)}",
            hint,
        )
        runs = [] if hint else runs
    except (OSError, EOFError, ValueError) as error:
        problem = diagnostic(
            path,
            None,
            f"cannot read WARC after record {count}: {getattr(error, 'strerror', None) or error}",
        )
    if not runs and problem is None:
        problem = diagnostic(path, None, "empty WARC file", "nothing to import")
    return runs, problem


def read_records(
    path: str,
    offset: int,
    count: int,
    max_bytes: int,
) -> Iterator[tuple[int, RawDocument | Diagnostic | Skipped]]:
    """The `count` records starting at `offset`, as (record number in the run, item)."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            records = ArchiveIterator(handle)
            for number, record in enumerate(records):
                if number >= count:
                    return
                yield number, _page(name, record, max_bytes)
    except ArchiveLoadFailed as error:
        yield (
            count,
            diagnostic(name, None, f"damaged WARC record at byte {offset}: {_first_line(error)}"),
        )
    except (OSError, EOFError, ValueError) as error:
        yield (
            count,
            diagnostic(
                name, None, f"cannot read WARC: {getattr(error, 'strerror', None) or error}"
            ),
        )


def _page(name: str, record: object, max_bytes: int) -> RawDocument | Diagnostic | Skipped:
    from .readers import HTML_START, decode

    headers = record.rec_headers  # type: ignore[attr-defined]
    kind = record.rec_type  # type: ignore[attr-defined]
    if kind != "response":
        return Skipped(kind or "unknown")
    http = record.http_headers  # type: ignore[attr-defined]
    if http is None:
        return Skipped("response without HTTP")
    status = http.get_statuscode()
    if status != "200":
        return Skipped(f"HTTP {status}")
    content_type = http.get_header("Content-Type") or ""
    mime = content_type.split(";", 1)[0].strip().casefold()
    record_id = (headers.get_header("WARC-Record-ID") or "").strip().strip("<>")
    source = f"{name}#{record_id}" if record_id else f"{name}@{record.length}"  # type: ignore[attr-defined]
    if mime and mime not in _HTML_TYPES:
        return Skipped("not HTML")
    try:
        data = record.content_stream().read(max_bytes + 1)  # type: ignore[attr-defined]
    except Exception as error:  # a broken Content-Encoding or chunked body
        return diagnostic(source, None, f"cannot decode the HTTP body: {error}")
    if not mime and not HTML_START.match(data[:4096]):
        return Skipped("not HTML")
    if len(data) > max_bytes:
        return diagnostic(source, None, f"record larger than {max_bytes // (1024 * 1024)} MB")
    missing = getattr(record.raw_stream, "limit", 0)  # type: ignore[attr-defined]
    if isinstance(missing, int) and missing > 0:
        return diagnostic(source, None, f"truncated record: {missing} bytes missing")
    charset = _CHARSET.search(content_type)
    text = decode(source, None, data, "html", charset.group(1) if charset else None, lenient=True)
    if isinstance(text, Diagnostic):
        return text
    hints: dict[str, object] = {}
    uri = (headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if uri:
        hints["url"] = uri
    date = headers.get_header("WARC-Date")
    if date:
        hints["fallback_date"] = date.strip()
    return RawDocument(source, b"", "html", text, hashlib.sha256(data).hexdigest(), 0, hints)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def file_identity(path: str) -> tuple[str, int, int]:
    """What a cache key needs to notice a changed input without reading it."""
    stat = Path(path).stat()
    return (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
