"""`newsdigest new`: start an article with valid front matter, never overwriting one."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from .build.config import load_config
from .core.errors import UserError, diagnostic
from .core.frontmatter import write_article
from .core.layout import CONTENT_DIR, article_path
from .core.urls import slugify


def create_article(root: Path, title: str, tags: list[str], now: dt.datetime) -> Path:
    """Write content/YYYY/MM/DD-slug.md dated `now`; refuse if the file already exists.

    The date is written in site.yaml's timezone, the one the build files the article under.
    """
    now = now.astimezone(load_config(root).tzinfo)
    slug = slugify(title)
    if not slug:
        raise UserError(
            [
                diagnostic(
                    "<title>",
                    None,
                    f"title {title!r} gives an empty URL slug",
                    "use letters or digits in the title",
                )
            ]
        )
    path = article_path(root / CONTENT_DIR, now.date(), slug)
    # The slug and the id are written out so that a later headline correction moves nothing:
    # the URL comes from `slug`, feed ids from `id`.
    fields = {
        "title": title,
        "slug": slug,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "date": now.replace(microsecond=0),
        "tags": tags,
        "draft": True,
    }
    try:
        write_article(path, fields, "Write the lede here: who, what, when, where.\n")
    except FileExistsError:
        raise UserError(
            [
                diagnostic(
                    path,
                    None,
                    "file already exists; nothing was changed",
                    "choose another title or edit that file",
                )
            ]
        ) from None
    return path
