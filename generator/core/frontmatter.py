"""Splitting, loading and writing YAML front matter, with line numbers for every key.

The build reads articles and the importer writes them through this one module, so what
one writes the other reads back unchanged (they round-trip).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic, diagnostic
from .limits import MAX_FRONT_MATTER_BYTES, MAX_NUMBER_CHARS, MAX_YAML_DEPTH

try:  # libyaml is ~10x faster; fall back to pure Python where it is not compiled in.
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

# Characters that neither HTML nor XML 1.0 may carry: C0 and C1 controls (but tab, LF, CR),
# lone surrogates and noncharacters. Scraped text brings them in; left alone they make a
# feed unreadable and a page invalid, so they are dropped as text is read.
_UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_FENCE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


class _FrontMatterLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that keeps dates as text, so we parse them ourselves with line numbers.

    PyYAML would otherwise raise a bare ValueError on `2025-02-30` and silently turn
    offset-less date-times into naive values.
    """


class _RefusedValue(yaml.constructor.ConstructorError):
    """A value YAML can spell but front matter may not hold, with its own hint."""

    def __init__(self, problem: str, hint: str, node: yaml.Node) -> None:
        super().__init__(None, None, problem, node.start_mark)
        self.hint = hint


_TYPES_HINT = "front matter holds text, numbers, true/false, dates as text, lists and mappings"


def _tag_name(tag: str) -> str:
    """`tag:yaml.org,2002:binary` as the file spells it: `!!binary`."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml") else tag


def _refuse_tag(loader: _FrontMatterLoader, node: yaml.Node) -> Any:
    """Tags for bytes, sets, ordered pairs and Python objects: nothing a page can show."""
    raise _RefusedValue(
        f"the YAML tag `{_tag_name(node.tag)}` is not allowed in front matter",
        f"remove the tag; {_TYPES_HINT}",
        node,
    )


_KIND_NAMES = {"int": "integer", "float": "number", "bool": "true/false value"}


def _number_constructor(kind: str) -> Any:
    """The safe constructor of `kind`, refusing long or malformed numbers with their line."""
    construct = _BaseLoader.yaml_constructors[f"tag:yaml.org,2002:{kind}"]

    def checked(loader: _FrontMatterLoader, node: yaml.Node) -> Any:
        value = str(node.value)
        if kind != "bool" and len(value) > MAX_NUMBER_CHARS:
            raise _RefusedValue(
                f"a number of {len(value):,} characters is too long (at most {MAX_NUMBER_CHARS})",
                'if it is text, put it in quotes: `key: "..."`',
                node,
            )
        try:
            return construct(loader, node)
        except (ValueError, KeyError, OverflowError):
            raise _RefusedValue(
                f"`{value[:40]}` is not a valid {_KIND_NAMES[kind]}"
                f" (tagged `{_tag_name(node.tag)}`)",
                "remove the tag, or write a number such as `3` or `2.5`",
                node,
            ) from None

    return checked


class _FrontMatterDumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Safe dumper that writes dates as plain ISO 8601, the form editors type themselves."""


_RESOLVERS_WITHOUT_TIMESTAMP = {
    first: [(tag, regex) for tag, regex in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
# Both directions agree that a date is text, so the dumper need not quote it.
_FrontMatterLoader.yaml_implicit_resolvers = _RESOLVERS_WITHOUT_TIMESTAMP
_FrontMatterDumper.yaml_implicit_resolvers = _RESOLVERS_WITHOUT_TIMESTAMP
# An explicit `!!timestamp` is text too, checked by the article's date parser like any date.
_FrontMatterLoader.add_constructor(_TIMESTAMP_TAG, _BaseLoader.construct_yaml_str)
for _kind in ("int", "float", "bool"):
    _FrontMatterLoader.add_constructor(f"tag:yaml.org,2002:{_kind}", _number_constructor(_kind))
for _kind in ("binary", "set", "omap", "pairs"):
    _FrontMatterLoader.add_constructor(f"tag:yaml.org,2002:{_kind}", _refuse_tag)
_FrontMatterLoader.add_constructor(None, _refuse_tag)  # unknown tags, `!!python/...` among them


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.date) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value.isoformat())


_FrontMatterDumper.add_representer(dt.datetime, _represent_datetime)
_FrontMatterDumper.add_representer(dt.date, _represent_datetime)


def strip_unsafe_characters(text: str) -> str:
    """Drop control characters, lone surrogates and noncharacters (see _UNSAFE_CHARACTERS)."""
    # All of those are non-printable, and nearly every text is printable apart from its line
    # breaks and tabs: that check runs in C at memory speed, 20x faster than the pattern.
    if text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        return text
    return _UNSAFE_CHARACTERS.sub("", text)


def _strip_unsafe_values(value: Any) -> Any:
    """strip_unsafe_characters over every text in loaded YAML (escapes such as "\\x01")."""
    if isinstance(value, str):
        return strip_unsafe_characters(value)
    if isinstance(value, list):
        return [_strip_unsafe_values(item) for item in value]
    if isinstance(value, dict):
        return {_strip_unsafe_values(k): _strip_unsafe_values(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class FrontMatter:
    """Raw front-matter values, the line of each key, and the Markdown body after it."""

    fields: Mapping[str, Any]
    lines: Mapping[str, int]
    body: str
    body_line: int


def parse_front_matter(text: str, path: Path | str) -> FrontMatter | Diagnostic:
    """Split `---` fenced YAML from the body; return a Diagnostic if it cannot be read."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first = _FENCE.match(text)
    if not first:
        return diagnostic(
            path,
            1,
            "no front matter found",
            "start the file with a line `---`, then YAML, then `---`",
        )
    closing = _FENCE.search(text, first.end())
    if not closing:
        return diagnostic(
            path, 1, "front matter is not closed", "add a line `---` after the YAML block"
        )
    yaml_text = text[first.end() : closing.start()]
    if len(yaml_text.encode("utf-8", "surrogatepass")) > MAX_FRONT_MATTER_BYTES:
        return diagnostic(
            path, 1, f"front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KiB"
        )
    yaml_first_line = 1  # yaml_text starts with the newline that ends the opening fence
    body_start = closing.end()
    if text.startswith("\r\n", body_start):
        body_start += 2
    elif text.startswith("\n", body_start):
        body_start += 1
    body_line = text.count("\n", 0, body_start) + 1
    loaded = load_yaml_mapping(yaml_text, path, yaml_first_line)
    if isinstance(loaded, Diagnostic):
        return loaded
    fields, lines = loaded
    return FrontMatter(fields, lines, text[body_start:], body_line)


def load_yaml_mapping(
    yaml_text: str, path: Path | str, first_line: int = 1
) -> tuple[dict[str, Any], dict[str, int]] | Diagnostic:
    """Safely load a YAML mapping; return it with the file line of each top-level key."""
    loader = _FrontMatterLoader(yaml_text)
    try:
        deep_line = _too_deep_line(yaml_text)
        if deep_line is not None:
            return diagnostic(
                path,
                first_line + deep_line,
                f"YAML nested more than {MAX_YAML_DEPTH} levels deep",
                "front matter needs only a few levels",
            )
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            return diagnostic(
                path,
                first_line + node.start_mark.line,
                "front matter must be a mapping of `key: value`",
            )
        alias_line = _first_alias_line(node)
        if alias_line is not None:
            return diagnostic(
                path,
                first_line + alias_line,
                "YAML anchors and aliases (&name, *name) are not allowed in front matter",
                "write the value out in full",
            )
        data = _strip_unsafe_values(loader.construct_document(node))
    except _RefusedValue as error:
        line = first_line + error.problem_mark.line if error.problem_mark else first_line
        return diagnostic(path, line, str(error.problem), error.hint)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if (
            error.context_mark is not None
            and error.problem_mark is not None
            and error.problem_mark.index >= len(yaml_text.rstrip())
        ):
            # The parser only noticed at the end of the block (an unclosed `[` or quote):
            # point at where the unfinished construct began, not at the closing `---`.
            mark = error.context_mark
        line = first_line + mark.line if mark else first_line
        problem = error.problem or "invalid YAML"
        if error.context:
            problem = f"{problem} {error.context}"
        return diagnostic(
            path, line, f"invalid YAML: {problem}", "check indentation, colons and quotes"
        )
    except yaml.YAMLError as error:
        return diagnostic(path, first_line, f"invalid YAML: {error}")
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            line = first_line + key_node.start_mark.line
            if key_node.value in lines:
                # YAML keeps the last silently: a second `title:` far down would win unseen.
                return diagnostic(
                    path,
                    line,
                    f"key `{key_node.value}` appears twice (first on line {lines[key_node.value]})",
                    "remove one of them",
                )
            lines[key_node.value] = line
    bad_keys = [key for key in data if not isinstance(key, str)]
    if bad_keys:
        return diagnostic(path, first_line, f"front-matter keys must be text, not {bad_keys[0]!r}")
    return data, lines


def _too_deep_line(yaml_text: str) -> int | None:
    """Line where nesting passes MAX_YAML_DEPTH, found with libyaml's (iterative) parser.

    Each level needs a bracket, an indicator or a line of its own, so ordinary front matter
    is let through without the extra parse.
    """
    bound = sum(yaml_text.count(char) for char in "[{-?:") + yaml_text.count("\n") + 1
    if bound <= MAX_YAML_DEPTH:
        return None
    scanner = _FrontMatterLoader(yaml_text)
    try:
        depth = 0
        while scanner.check_event():
            event = scanner.get_event()
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return event.start_mark.line
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        # libyaml 0.2.6 (PyYAML >= 6.0.3) caps nesting at 1,000 itself, and its scanner reads
        # far ahead of the events: a deep `[[[...` fails there before we count level 65.
        # Its cap is far above ours, so that failure is our "too deep"; anything else is
        # left for the real parse to report.
        if "nesting depth" in (error.problem or "") and error.problem_mark is not None:
            return error.problem_mark.line
    finally:
        scanner.dispose()
    return None


def _first_alias_line(root: yaml.Node) -> int | None:
    """Find a reused node: aliases let a tiny file expand into gigabytes (billion laughs)."""
    seen: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return node.start_mark.line
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return None


def format_article(fields: Mapping[str, Any], body: str) -> str:
    """Serialise front matter and body in the exact form parse_front_matter reads."""
    yaml_text = yaml.dump(
        dict(fields),
        Dumper=_FrontMatterDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return f"---\n{yaml_text}---\n\n{body.strip()}\n"


def write_article(
    path: Path, fields: Mapping[str, Any], body: str, *, overwrite: bool = False
) -> None:
    """Write an article file atomically; refuse to replace an existing one unless asked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = format_article(fields, body).encode("utf-8")
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        temporary.write_bytes(data)  # inside: a full disk must not leave a partial copy
        if overwrite:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails with FileExistsError instead of clobbering
    finally:
        temporary.unlink(missing_ok=True)
