"""`newsdigest init [DIR]`: start a site in a new or empty folder, never overwriting a file.

It writes site.yaml (every key shown, commented out with its default), two example articles
dated now, a .gitignore for what newsdigest makes, and CI workflows for GitHub Pages and for
checking pull requests. A file that is already there is reported and left alone, and then
nothing at all is written, so `init` cannot half-set-up a folder.
"""

from __future__ import annotations

import datetime as dt
import uuid
from importlib.resources import files
from pathlib import Path

from .core.errors import Diagnostic, UserError, diagnostic
from .core.frontmatter import parse_front_matter, write_article
from .core.layout import CONFIG_FILE, CONTENT_DIR, article_path

STARTER = files("generator.starter")
# What init writes, by where it goes in the site: (starter file, site path).
_PLAIN_FILES = (
    ("site.yaml", CONFIG_FILE),
    ("gitignore", ".gitignore"),
    ("github-pages.yml", ".github/workflows/pages.yml"),
    ("check-pull-request.yml", ".github/workflows/check.yml"),
)
_ARTICLES = ("welcome.md", "how-editions-work.md")


def init_site(root: Path, now: dt.datetime) -> list[Path]:
    """Write a new site into `root`; return the files written, in order."""
    planned: list[tuple[Path, str | None, dict[str, object] | None]] = []
    for name, target in _PLAIN_FILES:
        planned.append((root / target, STARTER.joinpath(name).read_text(encoding="utf-8"), None))
    for offset, name in enumerate(_ARTICLES):
        text = STARTER.joinpath("articles", name).read_text(encoding="utf-8")
        front = parse_front_matter(text, name)
        assert not isinstance(front, Diagnostic), front  # the package's own files
        date = (now - dt.timedelta(minutes=offset)).replace(microsecond=0)
        fields = {**front.fields, "id": f"urn:uuid:{uuid.uuid4()}", "date": date}
        path = article_path(root / CONTENT_DIR, date.date(), str(front.fields["slug"]))
        planned.append((path, front.body, fields))
    taken = [path for path, _, _ in planned if path.exists() or path.is_symlink()]
    if taken:
        raise UserError(
            [
                diagnostic(
                    path,
                    None,
                    "already exists; init writes nothing",
                    "run init in a new or empty folder",
                )
                for path in taken
            ]
        )
    for path, text, fields in planned:
        if fields is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as handle:  # never replaces a file
                handle.write(text or "")
        else:
            write_article(path, fields, text or "")
    return [path for path, _, _ in planned]
