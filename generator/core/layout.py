"""The project layout: where a newsdigest project keeps each thing, and where articles go.

Every other module asks here, so that renaming a folder (or adding one the preview server
must watch) is a change in one place.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

CONFIG_FILE = "site.yaml"
CONTENT_DIR = "content"
TEMPLATES_DIR = "templates"  # site-level templates overriding the theme's
STATIC_DIR = "static"  # site-level static files overriding the theme's
# Gettext catalogues (`de.po`, `pt_BR.po`) of a theme's labels; the site's own override the theme's.
TRANSLATIONS_DIR = "translations"
THEMES_DIR = "themes"
OUTPUT_DIR = "output"
CACHE_DIR = ".newsdigest-cache"
PREVIEW_DIR = "serve"  # inside CACHE_DIR: where `serve` builds its preview
UNDATED_DIR = "undated"  # imported pages whose date could not be found
TAGS_FILE = "tags.yaml"  # the project's tag synonyms and allow list (core.tags)
SOURCES_FILE = "sources.yaml"  # the feeds `newsdigest fetch` follows
FETCH_STATE_FILE = "fetch-state.json"  # what `fetch` has seen, kept with the project
FETCH_LOCK_FILE = ".newsdigest-fetch.lock"  # held while a fetch runs

# What a project is made of: a change to any of these can change the built site.
PROJECT_INPUTS = (CONFIG_FILE, CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR, TRANSLATIONS_DIR, THEMES_DIR)

_PACKAGE = Path(__file__).resolve().parent.parent
# newsdigest's own themes. Installed from a wheel they sit inside the package; in a
# checkout, beside it.
BUILTIN_THEMES = next(
    (path for path in (_PACKAGE / THEMES_DIR, _PACKAGE.parent / THEMES_DIR) if path.is_dir()),
    _PACKAGE.parent / THEMES_DIR,
)


def article_path(content: Path, day: dt.date | None, slug: str, number: int = 1) -> Path:
    """content/YYYY/MM/DD-slug.md (content/undated/slug.md without a date); `number` > 1
    gives the numbered alternative (-2, -3...) used when the first is taken."""
    stem = slug if day is None else f"{day:%d}-{slug}"
    if number > 1:
        stem = f"{stem}-{number}"
    folder = content / UNDATED_DIR if day is None else content / f"{day:%Y}" / f"{day:%m}"
    return folder / f"{stem}.md"
