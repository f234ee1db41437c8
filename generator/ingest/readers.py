"""Reading inputs: files, folders and standard input, as text, HTML or JSON Lines.

Every problem with one input becomes a Diagnostic and the other inputs are still read, so
a batch of thousands of scrapes is not stopped by one truncated file.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import Diagnostic, diagnostic
from .model import RawDocument

MAX_INPUT_BYTES = 10 * 1024 * 1024
FORMATS = ("auto", "text", "html", "jsonl")
_EXTENSIONS = {".txt": "text", ".text": "text", ".md": "text", ".html": "html", ".htm": "html",
               ".xhtml": "html", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta)\b",
                         re.IGNORECASE | re.DOTALL)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BODY_FIELDS = ("html", "text", "content", "body")
_HINT_FIELDS = {
    "url": ("url", "link", "original_url"),
    "title": ("title", "headline"),
    "date": ("date", "published", "published_at", "datePublished", "pubdate"),
    "publisher": ("publisher", "site", "site_name", "source", "sitename"),
    "tags": ("tags", "keywords", "topics"),
}


@dataclass(frozen=True)
class ReadResult:
    """Documents ready to clean, and the inputs that could not be read."""

    documents: tuple[RawDocument, ...]
    diagnostics: tuple[Diagnostic, ...]


def read_inputs(paths: list[str], fmt: str = "auto", stdin: BinaryIO | None = None) -> ReadResult:
    """Expand folders (recursively, in name order) and read every input."""
    documents: list[RawDocument] = []
    problems: list[Diagnostic] = []
    for name, reader in _expand(paths, problems):
        data = _read_limited(name, reader, problems, stdin)
        if data is None:
            continue
        for item in _parse(name, data, fmt, len(documents)):
            if isinstance(item, Diagnostic):
                problems.append(item)
            else:
                documents.append(item)
    return ReadResult(tuple(documents), tuple(problems))


def _expand(paths: list[str], problems: list[Diagnostic]) -> Iterator[tuple[str, Path | None]]:
    for name in paths:
        if name == "-":
            yield "<stdin>", None
            continue
        path = Path(name)
        if path.is_dir():
            found = sorted(
                child for child in path.rglob("*")
                if child.is_file() and child.suffix.casefold() in _EXTENSIONS
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
            )
            if not found:
                problems.append(diagnostic(path, None, "folder holds no .txt, .html or .jsonl files"))
            yield from ((str(child), child) for child in found)
        elif path.is_file():
            yield str(path), path
        else:
            problems.append(diagnostic(path, None, "no such file or folder"))


def _read_limited(name: str, path: Path | None, problems: list[Diagnostic],
                  stdin: BinaryIO | None) -> bytes | None:
    """Read at most the size limit (plus one byte to notice an oversized input)."""
    try:
        if path is None:
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read(MAX_INPUT_BYTES + 1)
        else:
            with path.open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as error:
        problems.append(diagnostic(name, None, f"cannot read: {error.strerror or error}"))
        return None
    if len(data) > MAX_INPUT_BYTES:
        problems.append(diagnostic(name, None, f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB",
                                   "split it, or import its JSON Lines in parts"))
        return None
    return data


def detect_format(name: str, data: bytes) -> str:
    """By extension, else by content: JSON object lines, an HTML document, or text."""
    suffix = Path(name).suffix.casefold()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if head.lstrip().startswith(b"{"):
        return "jsonl"
    if _HTML_START.match(head):
        return "html"
    return "text"


def _parse(name: str, data: bytes, fmt: str, order: int) -> Iterator[RawDocument | Diagnostic]:
    kind = detect_format(name, data) if fmt == "auto" else fmt
    if kind == "jsonl":
        yield from _parse_jsonl(name, data, order)
        return
    text = decode(name, None, data, kind)
    if isinstance(text, Diagnostic):
        yield text
        return
    yield RawDocument(name, data, kind, text, hashlib.sha256(data).hexdigest(), order)


def decode(name: str, line: int | None, data: bytes, kind: str) -> str | Diagnostic:
    """Bytes to text, refusing empty, binary and undecodable input with a clear reason."""
    if not data.strip():
        return diagnostic(name, line, "empty input", "nothing to import")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return diagnostic(name, line, "binary data, not text or HTML")
    encoding = "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif kind == "html":
        declared = _CHARSET.search(data[:4096])
        if declared:
            encoding = declared.group(1).decode("ascii").casefold()
            encoding = "utf-8-sig" if encoding in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(encoding)
    except LookupError:
        return diagnostic(name, line, f"unknown character encoding {encoding!r}")
    except UnicodeDecodeError as error:
        return diagnostic(name, line, f"not valid {error.encoding} text (byte {error.start})",
                          "convert it to UTF-8")
    controls = sum(1 for char in text[:8192] if ord(char) < 32 and char not in "\t\n\r\f")
    if controls > 0.05 * min(len(text), 8192):
        return diagnostic(name, line, "binary data, not text or HTML")
    return text


def _parse_jsonl(name: str, data: bytes, order: int) -> Iterator[RawDocument | Diagnostic]:
    """One record per line; a bad line is reported with its number and the rest are read."""
    if not data.strip():
        yield diagnostic(name, None, "empty input", "nothing to import")
        return
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        text = decode(name, number, raw, "jsonl")
        if isinstance(text, Diagnostic):
            yield text
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            yield diagnostic(name, number, f"malformed JSON: {error.msg} (column {error.colno})")
            continue
        except RecursionError:
            yield diagnostic(name, number, "malformed JSON: nested too deeply")
            continue
        if not isinstance(record, dict):
            yield diagnostic(name, number, "a JSON Lines record must be an object {...}")
            continue
        field = next((key for key in _BODY_FIELDS if isinstance(record.get(key), str)
                      and record[key].strip()), None)
        if field is None:
            yield diagnostic(name, number, "record has no text or html",
                             'give the page in a "text" or "html" field')
            continue
        body = record[field]
        kind = "html" if field == "html" or _HTML_START.match(body[:4096].encode()) else "text"
        hints = {key: value for key, names in _HINT_FIELDS.items()
                 for value in [next((record[n] for n in names if record.get(n)), None)]
                 if value is not None}
        yield RawDocument(f"{name}:{number}", raw, kind, body,
                          hashlib.sha256(raw).hexdigest(), order + number, hints)
