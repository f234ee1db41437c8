"""The `import:` block of site.yaml: how imported articles are published.

It lives in core because two layers read it: the build validates site.yaml as a whole (a
typo in `import:` is a `path:line` error like any other), and the importer, which never
imports the build, acts on it. Both call `read_import_settings`, so each setting is spelt,
checked and defaulted here only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import Diagnostic, diagnostic

REVIEW_FIELD = "review"
REVIEW_IMPORTED = "imported"  # the mark of an imported article waiting for an editor
PUBLISH_CHOICES = ("review", "now")
BODY_CHOICES = ("full", "excerpt")


@dataclass(frozen=True)
class ImportSettings:
    """What site.yaml's `import:` says, defaults filled in.

    The defaults are those of a site whose site.yaml predates the setting: imported
    articles are published at once, as they were before it existed, so that an upgrade does
    not silently stop a site's scheduled imports from appearing. `newsdigest init` writes
    `publish: review` into a new site's site.yaml.
    """

    publish: str = "now"
    body: str = "full"
    excerpt_words: int = 120
    max_tags: int = 5


_EXPECTED = {
    "publish": "`review` (drafts an editor approves) or `now`",
    "body": "`full` (the cleaned text) or `excerpt` (first paragraphs and a link)",
    "excerpt_words": "a whole number above 0",
    "max_tags": "a whole number above 0",
}


def read_import_settings(
    value: Any, path: str, line: int | None
) -> tuple[ImportSettings, list[Diagnostic]]:
    """The settings from the value of `import:` (None when absent), and its mistakes."""
    if value is None:
        return ImportSettings(), []
    if not isinstance(value, Mapping):
        return ImportSettings(), [
            diagnostic(
                path,
                line,
                "`import` must be a mapping such as `{publish: review, body: full}`",
            )
        ]
    problems = []
    settings: dict[str, Any] = {}
    for name, item in value.items():
        if name not in _EXPECTED:
            problems.append(
                diagnostic(
                    path,
                    line,
                    f"unknown key `import.{name}`",
                    f"known keys: {', '.join(_EXPECTED)}",
                )
            )
            continue
        choices = {"publish": PUBLISH_CHOICES, "body": BODY_CHOICES}.get(name)
        if choices is not None:
            good = item in choices
        else:
            good = isinstance(item, int) and not isinstance(item, bool) and item > 0
        if good:
            settings[name] = item
        else:
            problems.append(
                diagnostic(path, line, f"`import.{name}` must be {_EXPECTED[name]}, not {item!r}")
            )
    return ImportSettings(**settings), problems
