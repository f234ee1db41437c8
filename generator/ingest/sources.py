"""sources.yaml: the feeds `newsdigest fetch` follows, and how politely it fetches them.

    delay: 2                  # seconds between two requests to one host
    timeout: 20               # seconds a host may take to answer
    max_bytes: 5000000        # the largest feed or page read
    allow_private: []         # hosts or networks on private/loopback/link-local addresses
    opml: [subscriptions.opml]  # feed readers' export files, whose feeds are added
    feeds:
      - https://harbour.example/rss
      - {url: https://coast.example/atom.xml, name: Coast Radio, tags: [Coast]}

Every mistake is reported as `path:line`, all at once, before anything is fetched.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from lxml import etree

from ..core.errors import Diagnostic, diagnostic
from ..core.frontmatter import load_yaml_mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Source:
    """One subscription: where its feed is, what to call it, tags for its articles."""

    url: str
    name: str  # shown in every message about it; the feed's URL when not given
    tags: tuple[str, ...] = ()
    publisher: str | None = None  # the name given in sources.yaml wins over the feed's title


@dataclass(frozen=True)
class FetchSettings:
    """How `fetch` behaves towards the hosts it reads."""

    delay: float = 2.0
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    allow_hosts: frozenset[str] = frozenset()
    allow_networks: tuple[Network, ...] = ()


@dataclass(frozen=True)
class Sources:
    settings: FetchSettings
    sources: tuple[Source, ...]


_KEYS = ("delay", "timeout", "max_bytes", "allow_private", "opml", "feeds")


def _is_feed_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def load_sources(path: Path) -> Sources | list[Diagnostic]:
    """Read and check sources.yaml (and the OPML files it names)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [
            diagnostic(
                path,
                None,
                "no sources.yaml: nothing to fetch",
                "create it with `feeds:` and a list of feed URLs (see docs/scheduling.md)",
            )
        ]
    except (OSError, UnicodeDecodeError) as error:
        return [diagnostic(path, None, f"cannot read: {error}")]
    loaded = load_yaml_mapping(text, path)
    if isinstance(loaded, Diagnostic):
        return [loaded]
    data, lines = loaded
    items = _item_lines(text)
    problems: list[Diagnostic] = []
    for name in sorted(set(data) - set(_KEYS)):
        problems.append(
            diagnostic(path, lines.get(name), f"unknown key `{name}`", f"known: {', '.join(_KEYS)}")
        )
    values: dict[str, Any] = {}
    for name, low, kind in (("delay", 0.0, float), ("timeout", 0.1, float), ("max_bytes", 1, int)):
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
            problems.append(
                diagnostic(path, lines.get(name), f"`{name}` must be a number of at least {low}")
            )
        elif kind is int and not isinstance(value, int):
            problems.append(diagnostic(path, lines.get(name), f"`{name}` must be a whole number"))
        else:
            values[name] = kind(value)
    hosts: set[str] = set()
    networks: list[Network] = []
    allowed = data.get("allow_private", [])
    if not isinstance(allowed, list):
        allowed = [allowed]
    for number, entry in enumerate(allowed):
        where = items.get(("allow_private", number), lines.get("allow_private"))
        if not isinstance(entry, str) or not entry.strip():
            problems.append(
                diagnostic(
                    path, where, "allow_private: each entry must be a host name, address or network"
                )
            )
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            hosts.add(entry.strip().casefold())
    settings = FetchSettings(**values, allow_hosts=frozenset(hosts), allow_networks=tuple(networks))
    sources: list[Source] = []
    feeds = data.get("feeds", [])
    if not isinstance(feeds, list):
        problems.append(diagnostic(path, lines.get("feeds"), "`feeds` must be a list of feed URLs"))
        feeds = []
    for number, entry in enumerate(feeds):
        where = items.get(("feeds", number), lines.get("feeds"))
        found = _source(entry)
        if isinstance(found, str):
            problems.append(diagnostic(path, where, f"feeds: {found}"))
        else:
            sources.append(found)
    opml = data.get("opml", [])
    for number, entry in enumerate(opml if isinstance(opml, list) else [opml]):
        where = items.get(("opml", number), lines.get("opml"))
        if not isinstance(entry, str) or not entry.strip():
            problems.append(diagnostic(path, where, "opml: each entry must be a file name"))
            continue
        found_opml = read_opml(path.parent / entry)
        if isinstance(found_opml, Diagnostic):
            problems.append(found_opml)
        else:
            sources.extend(found_opml)
    unique: dict[str, Source] = {}
    for source in sources:
        unique.setdefault(source.url, source)  # a feed listed twice is fetched once
    if problems:
        return problems
    return Sources(settings, tuple(unique.values()))


def _source(entry: Any) -> Source | str:
    if isinstance(entry, str):
        entry = {"url": entry}
    if not isinstance(entry, Mapping):
        return "each entry must be a feed URL or `{url: ..., name: ..., tags: [...]}`"
    unknown = sorted(set(entry) - {"url", "name", "tags"})
    if unknown:
        return f"unknown key `{unknown[0]}` (use url, name, tags)"
    url = entry.get("url")
    if not _is_feed_url(url):
        return f"{url!r} is not an absolute http(s) URL"
    name = entry.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        return "`name` must be text"
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return "`tags` must be a list of tag names"
    shown = name.strip() if isinstance(name, str) else None
    return Source(url, shown or url, tuple(tags), shown)


def read_opml(path: Path) -> list[Source] | Diagnostic:
    """The feeds of an OPML subscription list (any outline with an xmlUrl)."""
    # No entities, no DTDs, no network: an OPML file is only outlines.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        tree = etree.parse(str(path), parser)
    except OSError as error:
        return diagnostic(path, None, f"cannot read OPML file: {error}")
    except etree.XMLSyntaxError as error:
        return diagnostic(path, error.lineno, f"not well-formed OPML: {error.msg}")
    found = []
    for outline in tree.iter("outline"):
        url = outline.get("xmlUrl")
        if url is None:
            continue
        if not _is_feed_url(url):
            return diagnostic(
                path, outline.sourceline, f"xmlUrl {url!r} is not an absolute http(s) URL"
            )
        name = (outline.get("title") or outline.get("text") or "").strip()
        found.append(Source(url, name or url, (), name or None))
    if not found:
        return diagnostic(path, None, "the OPML file lists no feeds (no outline has an xmlUrl)")
    return found


def _item_lines(text: str) -> dict[tuple[str, int], int]:
    """Line of each list item under a top-level key, for messages (nodes only, no objects)."""
    found: dict[tuple[str, int], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return found
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if isinstance(value_node, yaml.SequenceNode):
                for number, item in enumerate(value_node.value):
                    found[(str(key_node.value), number)] = item.start_mark.line + 1
    return found
