"""Reading one input's bytes as text, HTML or JSON Lines (WARC files: see warc.py).

Every problem with one input becomes a Diagnostic and the other inputs are still read, so
a batch of thousands of scrapes is not stopped by one truncated file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import charset_normalizer

from ..core.errors import Diagnostic, diagnostic
from .feedinput import FEED_EXTENSIONS, feed_documents, looks_like_feed
from .model import RawDocument

MAX_INPUT_BYTES = 10 * 1024 * 1024
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    **dict.fromkeys(FEED_EXTENSIONS, "feed"),
}
HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta)\b", re.IGNORECASE | re.DOTALL
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_CHARSET_SCAN = 16384  # bytes: long <head> sections put the declaration past 1 kB
_DETECT_BYTES = 65536
_MULTIBYTE = ("cp932", "shift_jis", "euc_jp", "iso2022", "gb", "big5", "euc_kr", "cp949", "hz")
# Labels browsers read as a wider codec than Python's codec of the same name (WHATWG
# Encoding Standard): a page "in ISO-8859-1" is windows-1252, "Shift_JIS" is cp932.
_BROWSER_CODECS = {
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "l1": "windows-1252",
    "ascii": "windows-1252",
    "us-ascii": "windows-1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "iso-8859-8-i": "iso-8859-8",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "gb2312": "gbk",
    "gb_2312-80": "gbk",
    "x-gbk": "gbk",
    "chinese": "gbk",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "x-mac-roman": "mac_roman",
}
_SURROGATE = re.compile("[\ud800-\udfff]")
_BODY_FIELDS = ("html", "text", "content", "body")
_HINT_FIELDS = {
    "url": ("url", "link", "original_url"),
    "title": ("title", "headline"),
    "date": ("date", "published", "published_at", "datePublished", "pubdate"),
    "publisher": ("publisher", "site", "site_name", "source", "sitename"),
    "tags": ("tags", "keywords", "topics"),
    "image": ("image", "image_url", "top_image", "lead_image"),  # trafilatura, news-please
    "authors": ("authors", "author"),
}


def read_file(name: str, max_bytes: int) -> bytes | Diagnostic:
    """Read at most the size limit (plus one byte to notice an oversized input)."""
    try:
        with open(name, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        return diagnostic(name, None, f"cannot read: {error.strerror or error}")
    if len(data) > max_bytes:
        return diagnostic(
            name,
            None,
            f"larger than {max_bytes // (1024 * 1024)} MB",
            "split it, or import its JSON Lines in parts",
        )
    return data


def detect_format(name: str, data: bytes) -> str:
    """By extension, else by content: JSON object lines, an HTML document, or text."""
    suffix = Path(name).suffix.casefold()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if looks_like_feed(head):
        return "feed"
    if head.lstrip().startswith(b"{"):
        return "jsonl"
    if HTML_START.match(head):
        return "html"
    return "text"


def parse(name: str, data: bytes, fmt: str, order: int) -> Iterator[RawDocument | Diagnostic]:
    kind = detect_format(name, data) if fmt == "auto" else fmt
    if kind == "warc":
        yield diagnostic(name, None, "a WARC file must be given by its path, not on standard input")
        return
    if kind == "jsonl":
        yield from _parse_jsonl(name, data, order)
        return
    if kind == "feed":
        yield from feed_documents(name, data, order)
        return
    text = decode(name, None, data, kind)
    if isinstance(text, Diagnostic):
        yield text
        return
    yield RawDocument(name, data, kind, text, hashlib.sha256(data).hexdigest(), order)


def decode(
    name: str,
    line: int | None,
    data: bytes,
    kind: str,
    charset: str | None = None,
    lenient: bool = False,
) -> str | Diagnostic:
    """Bytes to text, refusing empty, binary and undecodable input with a clear reason.

    `charset` is what the transport declared (a WARC record's HTTP Content-Type); it wins over
    the page's `<meta charset>`. `lenient` (crawled pages) reads undeclared non-UTF-8 HTML as
    windows-1252, as browsers do, instead of refusing it.
    """
    if not data.strip():
        return diagnostic(name, line, "empty input", "nothing to import")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return diagnostic(name, line, "binary data, not text or HTML")
    encoding = "utf-8-sig"
    declared_any = False
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif kind == "html":
        declared = _CHARSET.search(data[:_CHARSET_SCAN]) or _XML_ENCODING.match(data)
        if charset:
            encoding = charset.casefold()
        elif declared:
            encoding = declared.group(1).decode("ascii").casefold()
        declared_any = bool(charset or declared)
        encoding = _BROWSER_CODECS.get(encoding, encoding)
        encoding = "utf-8-sig" if encoding in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(encoding)
    except LookupError:
        return diagnostic(name, line, f"unknown character encoding {encoding!r}")
    except UnicodeDecodeError as error:
        if kind == "html" and declared_any and encoding != "utf-8-sig":
            # A few bytes outside the declared charset: a browser shows U+FFFD for them.
            text = data.decode(encoding, errors="replace")
        elif kind == "html" or lenient:
            # Declared UTF-8 (or nothing) but not UTF-8: what the bytes look like decides.
            text = _detected(data)
        else:
            return diagnostic(
                name,
                line,
                f"not valid {error.encoding} text (byte {error.start})",
                "convert it to UTF-8",
            )
    except UnicodeError:  # a codec that decodes nothing, such as Python's "undefined"
        return diagnostic(name, line, f"unknown character encoding {encoding!r}")
    controls = sum(1 for char in text[:8192] if ord(char) < 32 and char not in "\t\n\r\f")
    if controls > 0.05 * min(len(text), 8192):
        return diagnostic(name, line, "binary data, not text or HTML")
    return text


def _detected(data: bytes) -> str:
    """Text of a page whose bytes are not what it declares: a CJK charset when the bytes'
    patterns show one, else windows-1252, the fallback of browsers."""
    best = charset_normalizer.from_bytes(data[:_DETECT_BYTES]).best()
    guess = best.encoding.casefold() if best is not None and best.encoding else ""
    if guess.startswith(_MULTIBYTE):
        # Multi-byte charsets are told apart by their byte patterns; the single-byte ones
        # are not (French in cp1250 looks as likely as in cp1252), so those are windows-1252.
        return data.decode(guess, errors="replace")
    return data.decode("windows-1252", errors="replace")


def _lone_surrogate(value: object) -> str | None:
    """The first lone surrogate in any string of a JSON value (it cannot be written as
    UTF-8), or None. Iterative: a deep record cannot overflow the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found = _SURROGATE.search(item)
            if found:
                return found.group(0)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


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
        except ValueError:  # Python refuses integers of more than 4,300 digits
            yield diagnostic(name, number, "malformed JSON: a number too long to read")
            continue
        surrogate = _lone_surrogate(record)
        if surrogate is not None:
            yield diagnostic(
                name,
                number,
                f"a lone UTF-16 surrogate (\\u{ord(surrogate):04x}) is not text",
                "fix the scraper: JSON \\u escapes must come in valid pairs",
            )
            continue
        if not isinstance(record, dict):
            yield diagnostic(name, number, "a JSON Lines record must be an object {...}")
            continue
        field = next(
            (
                key
                for key in _BODY_FIELDS
                if isinstance(record.get(key), str) and record[key].strip()
            ),
            None,
        )
        if field is None:
            yield diagnostic(
                name,
                number,
                "record has no text or html",
                'give the page in a "text" or "html" field',
            )
            continue
        body = record[field]
        kind = "html" if field == "html" or HTML_START.match(body[:4096].encode()) else "text"
        hints = {
            key: value
            for key, names in _HINT_FIELDS.items()
            for value in [next((record[n] for n in names if record.get(n)), None)]
            if value is not None
        }
        yield RawDocument(
            f"{name}:{number}",
            raw,
            kind,
            body,
            hashlib.sha256(raw).hexdigest(),
            order + number,
            hints,
        )
