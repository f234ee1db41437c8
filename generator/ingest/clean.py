"""The one cleaning entry point: a raw document in, a cleaned result (or a diagnostic) out.

Every executor (this process, a Dask worker) and every pass calls `clean_page`, so that a
page is cleaned the same way wherever it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import urljoin

from ..core.errors import Diagnostic, diagnostic
from .dates import parse_iso
from .htmlclean import clean_html
from .metadata import split_site_suffix, split_tags, unique_tags
from .model import BatchContext, Extracted, RawDocument
from .sanitize import page_url, sanitize_markdown
from .textclean import clean_text


def clean_page(document: RawDocument, context: BatchContext) -> Extracted | Diagnostic:
    """Clean one page; a crash of the cleaner becomes a diagnostic naming the page."""
    try:
        return clean_document(document, context)
    except RecursionError:
        return diagnostic(document.source, None, "the cleaner failed: page nested too deeply")
    except Exception as error:  # noqa: BLE001 - one bad page must not stop the import
        message = str(error).strip().splitlines()
        detail = f": {message[0][:200]}" if message else ""
        return diagnostic(
            document.source, None, f"the cleaner failed ({type(error).__name__}{detail})"
        )


def clean_document(document: RawDocument, context: BatchContext) -> Extracted:
    """Run the cleaner for the page's format, then let the scraper's own fields win.

    The body is sanitised here, whatever the format: plain text and JSON Lines `text` can
    hold HTML and script links as well as a saved page can, and a site with
    `trust_html: true` would publish them as they are.
    """
    hints = document.hints
    url = page_url(str(hints["url"])) if isinstance(hints.get("url"), str) else None
    if document.format == "html":
        found = clean_html(document.text, context, url)
    else:
        found = clean_text(document.text, context)
    found = apply_hints(found, hints)
    return replace(found, body=sanitize_markdown(found.body, found.url))


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
        url = page_url(str(hints["url"])) or url
    tags = list(found.tags)
    hinted = hints.get("tags")
    if isinstance(hinted, str):
        tags = split_tags(hinted) + tags
    elif isinstance(hinted, list):
        tags = [str(tag) for tag in hinted if isinstance(tag, (str, int))] + tags
    image = found.image
    if isinstance(hints.get("image"), str):
        stated = page_url(urljoin(url or "", str(hints["image"])))
        image = stated or image
    authors, author = found.authors, found.author
    named = hints.get("authors")
    names = [named] if isinstance(named, str) else named if isinstance(named, list) else []
    stated_names = tuple(
        dict.fromkeys(" ".join(str(n).split()) for n in names if isinstance(n, str) and n.strip())
    )
    if stated_names:
        authors, author = stated_names, stated_names[0]
    return replace(
        found,
        title=title,
        publisher=publisher,
        date=date,
        url=url,
        tags=tuple(unique_tags(tags)),
        image=image,
        image_alt=found.image_alt if image == found.image else None,
        image_caption=found.image_caption if image == found.image else None,
        image_credit=found.image_credit if image == found.image else None,
        authors=authors,
        author=author,
    )
