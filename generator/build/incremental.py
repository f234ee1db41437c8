"""Incremental keys: what a build, and each page, was made from.

Keys hash meaning, never layout: the configuration enters as its values (not the YAML's
comments, order or line numbers), so a comment in site.yaml rebuilds nothing.

A page's fingerprint has two parts. Its data print covers the generator, the templates and
translation catalogues, the base URL (every page's links go through it) and the page's
inputs. Its settings part covers the values of just the settings its last render read:
templates and renderers see the configuration through a SettingsReader that notes each
setting read, and the names are kept with the page's record. A render is a pure function of
what it reads, so while those values are unchanged it would read the same settings and make
the same bytes; a changed value (a new `feed_limit`, `author`, `menu`...) re-renders
exactly the pages that read it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .config import SiteConfig
from .scan import Source
from .theme import Theme

# Derived attributes of SiteConfig, by the settings they are made from.
_DERIVED = {
    "absolute_url": ("base_url",),
    "absolute_uri": ("base_url",),
    "base_path": ("base_url",),
    "tzinfo": ("parsing",),
    "timezone": ("parsing",),
    "markdown_extensions": ("parsing",),
    "trust_html": ("parsing",),
    "remote_images": ("parsing",),
    "summary_words": ("parsing",),
    "markdown_engine": ("parsing",),
}
# Not settings: where the project is and where each key sits in site.yaml.
_NOT_MEANING = frozenset({"root", "key_lines"})


def config_meaning(config: SiteConfig) -> str:
    """The configuration's values as text, without where it lives or its YAML layout."""
    return repr(
        sorted(
            (item.name, _value_text(getattr(config, item.name)))
            for item in dataclasses.fields(config)
            if item.name not in _NOT_MEANING
        )
    )


def _value_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return repr(sorted(value.items()))
    return repr(value)


class SettingsReader:
    """A SiteConfig that notes the settings read through it (for one render)."""

    __slots__ = ("_config", "read")

    def __init__(self, config: SiteConfig) -> None:
        self._config = config
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._config, name)
        if not name.startswith("_"):
            self.read.update(_DERIVED.get(name, (name,)))
        return value


class Fingerprints:
    """Page fingerprints under one configuration and one set of templates."""

    def __init__(self, generator: str, config: SiteConfig, theme: Theme) -> None:
        self._config = config
        hasher = hashlib.blake2b(digest_size=20)
        hasher.update(f"{generator}\0{config.base_url}\0".encode())
        # The catalogues are read like templates: a changed translation re-renders its pages.
        # (No file is a link: load_theme refused them.)
        folders = theme.folders
        for number, path in theme.files:
            hasher.update(f"\0{number}\0{path.relative_to(folders[number])}\0".encode())
            hasher.update(path.read_bytes())
        self.templates_key = hasher.hexdigest()
        self._settings_texts: dict[tuple[str, ...], bytes] = {}

    def data_print(self, kind: str, url: str, number: int, inputs_text: str) -> bytes:
        """A hash of what one page shows: its kind, URL, number and inputs, with templates."""
        text = f"{self.templates_key}\0{kind}\0{url}\0{number}\0{inputs_text}"
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()

    def fingerprint(self, data_print: bytes, settings: tuple[str, ...]) -> str:
        """The page's fingerprint, given the settings its render reads."""
        text = self._settings_texts.get(settings)
        if text is None:
            values = [f"{name}={_value_text(getattr(self._config, name))}" for name in settings]
            text = "\0".join(values).encode("utf-8", "surrogatepass")
            self._settings_texts[settings] = text
        return hashlib.blake2b(data_print + text, digest_size=20).hexdigest()


def settings_names(read: Iterable[str]) -> tuple[str, ...]:
    """The settings a render read, in the one order records keep them."""
    return tuple(sorted(read))


def global_key(fingerprints: Fingerprints, config: SiteConfig) -> str:
    """What every page may depend on: generator, templates and configuration values."""
    text = f"{fingerprints.templates_key}\0{config_meaning(config)}"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def build_key(
    key: str,
    include_drafts: bool,
    include_future: bool,
    sources: Sequence[Source],
    static_files: Mapping[str, Path],
) -> str:
    """A hash of every input of a build: if it matches the last build's, so does the output."""
    hasher = hashlib.blake2b(key.encode(), digest_size=20)
    hasher.update(f"{include_drafts}{include_future}".encode())
    for source in sources:
        # The shown path, not the project one: the manifest keeps the skipped articles as
        # shown, and a build from another working directory must name them afresh.
        hasher.update(f"\0{source.shown}\0{source.digest}".encode())
    for path, file in sorted(static_files.items()):
        hasher.update(f"\0{path}\0".encode())
        hasher.update(file.read_bytes())
    return hasher.hexdigest()
