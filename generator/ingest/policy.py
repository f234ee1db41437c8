"""What a project asks of its imports: site.yaml's `import:` block and tags.yaml.

Read once per import, before any page is cleaned, so that a mistake in either file stops
the import with `path:line` messages instead of writing articles under the wrong rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import Diagnostic, diagnostic
from ..core.frontmatter import load_yaml_mapping
from ..core.importing import ImportSettings, read_import_settings
from ..core.layout import CONFIG_FILE, TAGS_FILE
from ..core.tags import TagRules, load_tag_rules
from .sanitize import sanitize_markdown

_HEADING_OR_TABLE = re.compile(r"^\s*(?:#|\|)")


@dataclass(frozen=True)
class Policy:
    """The settings and tag rules one import applies to every article it writes."""

    settings: ImportSettings = field(default_factory=ImportSettings)
    tags: TagRules = field(default_factory=TagRules)
    site_url: str | None = None  # site.yaml's base_url: `fetch` names it to publishers


def load_policy(root: Path) -> Policy | list[Diagnostic]:
    """The project's policy; a project without site.yaml or tags.yaml gets the defaults."""
    problems: list[Diagnostic] = []
    settings = ImportSettings()
    site_url = None
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = None
    except (OSError, UnicodeDecodeError) as error:
        return [diagnostic(path, None, f"cannot read site.yaml: {error}")]
    if text is not None:
        loaded = load_yaml_mapping(text, path)
        if isinstance(loaded, Diagnostic):
            return [loaded]
        data, lines = loaded
        settings, found = read_import_settings(data.get("import"), str(path), lines.get("import"))
        problems.extend(found)
        if isinstance(data.get("base_url"), str):
            site_url = data["base_url"]
    rules = load_tag_rules(root / TAGS_FILE)
    if isinstance(rules, list):
        problems.extend(rules)
        rules = TagRules()
    return problems or Policy(settings, rules, site_url)


def excerpt(body: str, words: int) -> str:
    """The story's first paragraphs, up to `words` words (the first one cut at a word when it
    alone is longer), skipping headings and tables."""
    kept: list[str] = []
    count = 0
    for paragraph in (part.strip() for part in body.split("\n\n")):
        if not paragraph or _HEADING_OR_TABLE.match(paragraph):
            continue
        size = len(paragraph.split())
        if count + size > words:
            if not kept:
                kept.append(" ".join(paragraph.split()[:words]) + " …")
            break
        kept.append(paragraph)
        count += size
    return "\n\n".join(kept)


def with_link(text: str, url: str | None, publisher: str | None) -> str:
    """An excerpt with the link to the whole article after it."""
    if not url:
        return text
    label = (publisher or "the original").replace("[", "(").replace("]", ")")
    # The publisher's name is page text: made inert like the rest of the body.
    return f"{text}\n\n{sanitize_markdown(f'[Read the whole article at {label}]({url})')}"
