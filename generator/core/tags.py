"""Tag hygiene: which strings are topics a reader browses by, and which are page furniture.

Pages carry junk in their tag fields: CMS identifiers (`@post-id:1913719`), two-letter codes
(`tc`), one field holding a whole comma list, library index forms ("Beshear, Andrew G
(1977- )"). Every tag becomes a page and two feeds, so junk multiplies. The importer applies
these rules to what it writes; the build runs the same rules on editor-written tags and only
warns, since an editor's choice is theirs to make. A project's `tags.yaml` adds its own
synonyms and, with `allow:`, a closed list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic, diagnostic
from .frontmatter import load_yaml_mapping

MAX_TAG_CHARS = 60  # longer is a sentence or a list, not a topic
_SEPARATORS = re.compile(r"[,;]")
# "Surname, Given (1977- )", "Surname, Given Middle (1950-2020)": a library's index form of a
# personal name. The parenthesised years are what tells it from "Noem, South Dakota".
_NAME = r"[^\W\d_][\w'’.-]*"
_INDEX_NAME = re.compile(
    rf"(?P<surname>{_NAME}(?: {_NAME})?), (?P<given>{_NAME}(?: {_NAME})*)"
    r"\s*\(\s*(?:\d{3,4})?\s*-\s*(?:\d{3,4})?\s*\)"
)
_URL = re.compile(r"://|^www\.|^[\w-]+(?:\.[\w-]+)+/", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[@_]|^[\w-]+[:=]\S|\d{5,}|^[0-9a-f]{8,}$|^\w+_\w+$", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
# Names content systems give their own bookkeeping, never a topic.
_CMS_INTERNAL = frozenset(
    {
        "uncategorized",
        "uncategorised",
        "untagged",
        "default",
        "featured",
        "homepage",
        "home page",
        "frontpage",
        "front page",
        "none",
        "null",
        "undefined",
        "nan",
        "n/a",
    }
)


def normal(name: str) -> str:
    """The tag with runs of white space made one space, and stray `#` and `.` trimmed."""
    return " ".join(name.split()).strip(" #.")


def key(name: str) -> str:
    """Tags differing only in case or spacing are one tag."""
    return " ".join(name.casefold().split())


def index_name(text: str) -> str:
    """Personal names written in index form turned round: "Beshear, Andrew G (1977- )" ->
    "Andrew G Beshear". Anything else is returned as it is."""
    return _INDEX_NAME.sub(lambda found: f"{found['given']} {found['surname']}", text)


def junk_reason(name: str) -> str | None:
    """Why `name` is not a topic (an identifier, a code, a URL, a counter, a CMS name), or None."""
    if _URL.search(name):
        return "a URL"
    if not _LETTER.search(name):
        return "a counter or number, not a topic"
    if _IDENTIFIER.search(name):
        return "an identifier, not a topic"
    if len(name) <= 1 or (len(name) <= 2 and not name.isupper()):
        return "too short to be a topic"
    if key(name) in _CMS_INTERNAL:
        return "a content system's internal name"
    if len(name) > MAX_TAG_CHARS:
        return f"longer than {MAX_TAG_CHARS} characters"
    return None


@dataclass(frozen=True)
class TagRules:
    """A project's own tag rules (tags.yaml): synonyms, and an optional closed list."""

    synonyms: Mapping[str, str] = field(default_factory=dict)  # key(alias) -> canonical
    allow: Mapping[str, str] | None = None  # key(name) -> spelling; None: every tag allowed

    def apply(self, name: str) -> str | None:
        """The canonical spelling of `name`, or None when the allow list leaves it out."""
        name = self.synonyms.get(key(name), name)
        if self.allow is None:
            return name
        return self.allow.get(key(name))


def split_tags(values: Iterable[str]) -> list[str]:
    """Every tag in `values`, a field holding "a, b; c" giving three, index names turned."""
    found: list[str] = []
    for value in values:
        for part in _SEPARATORS.split(index_name(str(value))):
            name = normal(part)
            if name:
                found.append(name)
    return found


def clean_tags(
    values: Iterable[str], rules: TagRules, limit: int | None = None
) -> tuple[list[str], list[tuple[str, str]]]:
    """Tags an importer may write: split, trimmed, junk dropped, synonyms mapped, the allow
    list applied, case-insensitive duplicates dropped, at most `limit`; and what was dropped
    with why (for the report)."""
    kept: dict[str, str] = {}
    dropped: list[tuple[str, str]] = []
    for name in split_tags(values):
        reason = junk_reason(name)
        if reason is not None:
            dropped.append((name, reason))
            continue
        final = rules.apply(name)
        if final is None:
            dropped.append((name, "not in the allow list of tags.yaml"))
        elif key(final) not in kept:
            if limit is None or len(kept) < limit:
                kept[key(final)] = final
            else:
                dropped.append((final, f"more than {limit} tags"))
    return list(kept.values()), dropped


def tag_warnings(tags: Iterable[str]) -> list[str]:
    """What the importer would change about editor-written tags, as advice."""
    warnings = []
    for name in tags:
        turned = index_name(name)
        if turned != name:
            warnings.append(f"tag {name!r} is a name in index form; write it as {turned!r}")
        elif _SEPARATORS.search(name):
            warnings.append(f"tag {name!r} holds several tags; give each one its own entry")
        elif (reason := junk_reason(normal(name))) is not None:
            warnings.append(f"tag {name!r} looks like {reason}; remove it if it is not a topic")
    return warnings


def load_tag_rules(path: Path) -> TagRules | list[Diagnostic]:
    """Read a project's tags.yaml (missing: no rules); every mistake in it as path:line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return TagRules()
    except (OSError, UnicodeDecodeError) as error:
        return [diagnostic(path, None, f"cannot read tags.yaml: {error}")]
    loaded = load_yaml_mapping(text, path)
    if isinstance(loaded, Diagnostic):
        return [loaded]
    data, lines = loaded
    problems: list[Diagnostic] = []
    node_lines = _entry_lines(text)
    for name in sorted(set(data) - {"synonyms", "allow"}):
        problems.append(
            diagnostic(
                path, lines.get(name), f"unknown key `{name}`", "use `synonyms:` or `allow:`"
            )
        )
    allow: dict[str, str] | None = None
    if "allow" in data:
        entries = data["allow"]
        if not isinstance(entries, list):
            problems.append(
                diagnostic(path, lines.get("allow"), "`allow` must be a list of tag names")
            )
        else:
            allow = {}
            for number, entry in enumerate(entries):
                where = node_lines.get(("allow", number), lines.get("allow"))
                problem = _entry_problem(entry)
                if problem:
                    problems.append(diagnostic(path, where, f"allow: {problem}"))
                else:
                    allow.setdefault(key(normal(str(entry))), normal(str(entry)))
    synonyms: dict[str, str] = {}
    value = data.get("synonyms", {})
    if not isinstance(value, dict):
        problems.append(
            diagnostic(
                path,
                lines.get("synonyms"),
                "`synonyms` must map a tag to the spellings that mean it",
                "for example `Climate: [climate change, global warming]`",
            )
        )
        value = {}
    for canonical, aliases in value.items():
        where = node_lines.get(("synonyms", str(canonical)), lines.get("synonyms"))
        problem = _entry_problem(canonical)
        if problem:
            problems.append(diagnostic(path, where, f"synonyms: {problem}"))
            continue
        canonical = normal(str(canonical))
        if allow is not None and key(canonical) not in allow:
            problems.append(
                diagnostic(
                    path,
                    where,
                    f"synonyms: {canonical!r} is not in the allow list",
                    "add it to `allow:`, or its synonyms would all be dropped",
                )
            )
        items = aliases if isinstance(aliases, list) else [aliases]
        for alias in items:
            problem = _entry_problem(alias)
            if problem:
                problems.append(diagnostic(path, where, f"synonyms of {canonical!r}: {problem}"))
                continue
            alias_key = key(normal(str(alias)))
            earlier = synonyms.get(alias_key)
            if earlier is not None and earlier != canonical:
                problems.append(
                    diagnostic(
                        path,
                        where,
                        f"{normal(str(alias))!r} is a synonym of both {earlier!r} and {canonical!r}",
                        "keep it under one of them",
                    )
                )
            synonyms[alias_key] = canonical
    if problems:
        return problems
    return TagRules(synonyms, allow)


def _entry_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return f"each entry must be a tag name, not {type(value).__name__} {value!r}"
    if not normal(str(value)):
        return "an empty tag name"
    return None


def _entry_lines(text: str) -> dict[tuple[str, object], int]:
    """Lines of `allow` items (by position) and `synonyms` keys (by name), for messages.

    Composing makes nodes only (no objects), and load_yaml_mapping has already accepted it.
    """
    found: dict[tuple[str, object], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return found
    if not isinstance(root, yaml.MappingNode):
        return found
    for key_node, value_node in root.value:
        if key_node.value == "allow" and isinstance(value_node, yaml.SequenceNode):
            for number, item in enumerate(value_node.value):
                found[("allow", number)] = item.start_mark.line + 1
        elif key_node.value == "synonyms" and isinstance(value_node, yaml.MappingNode):
            for name_node, _ in value_node.value:
                found[("synonyms", str(name_node.value))] = name_node.start_mark.line + 1
    return found
