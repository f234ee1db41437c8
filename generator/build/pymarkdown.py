"""Python-Markdown, the default engine: converters that leave out, for each text, the
processors that cannot match anything in it.

Why: a converter runs every inline pattern over every piece of text and every block test
over every block, whether or not the text holds the characters they look for. Most news
articles use links and emphasis and nothing else; on the bench corpus, leaving out the
rest makes the Markdown call a third cheaper (1.55 -> 1.02 ms an article, in passes taken
in turn), with the same HTML, byte for byte.

Why the HTML stays the same: each processor left out is one of Python-Markdown's own
(found by its registry name, and only if the object there comes from Python-Markdown),
whose regular expression needs a literal string (`[`, a backquote, a pipe, `[^`...) that
the whole source does not contain. The stages before it only take characters away, put
placeholders of letters and digits between STX and ETX, or turn tabs into spaces and CRs
into newlines, so a string the source lacks is in none of the texts a processor is given;
a source holding STX or ETX (which the build strips first anyway) is converted whole.
A third-party processor could put such a string into a text, so with one of them
registered (in any stage but the last) nothing is left out.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections import OrderedDict
from typing import Any

from ..core.urls import URL_ATTRIBUTES, url_attribute_allowed

# (registry, name) -> the strings of which a source must hold one for the processor to
# match. Names of earlier Python-Markdown versions are here too; absent ones are skipped.
_NEEDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("inline", "backtick"): ("`",),
    ("inline", "escape"): ("\\",),
    ("inline", "footnote"): ("[^",),
    ("inline", "reference"): ("[",),
    ("inline", "link"): ("[",),
    ("inline", "short_reference"): ("[",),
    ("inline", "image_link"): ("![",),
    ("inline", "image_reference"): ("![",),
    ("inline", "short_image_ref"): ("![",),
    ("inline", "autolink"): ("<",),
    ("inline", "automail"): ("<",),
    ("inline", "html"): ("<",),
    ("inline", "entity"): ("&",),
    # Two spaces before a newline; tabs become spaces and CRs newlines before it runs.
    ("inline", "linebreak"): ("  \n", "\t", "\r"),
    ("inline", "em_strong"): ("*", "_"),
    ("inline", "em_strong2"): ("_",),
    ("inline", "not_strong"): ("*", "_"),
    ("pre", "fenced_code_block"): ("```", "~~~"),
    ("block", "table"): ("|",),
    ("block", "deflist"): (":",),
    ("block", "footnote"): ("[^",),
    ("block", "abbr"): ("*[",),
    ("block", "quote"): (">",),
    ("tree", "attr_list"): ("{",),
}
_PLACEHOLDER_MARKS = ("\x02", "\x03")  # Python-Markdown's STX and ETX, removed from sources
_VARIANTS_KEPT = 32  # converters kept per extension set (~20 KB each; 4-8 in practice)
_KINDS = ("pre", "block", "inline", "tree")  # the registries processors are left out of
_CONTENT_URLS = "content_urls"  # our tree processor, the last to run
_AMP = "\x02amp\x03"  # Python-Markdown's stand-in for `&` in e-mail links until serialised


def _registry(converter: Any, kind: str) -> Any:
    if kind == "pre":
        return converter.preprocessors
    if kind == "block":
        return converter.parser.blockprocessors
    if kind == "inline":
        return converter.inlinePatterns
    return converter.treeprocessors


def _own(item: object) -> bool:
    """Whether a registered processor comes from Python-Markdown itself."""
    return type(item).__module__.split(".", 1)[0] == "markdown"


class Converters:
    """The converters of one extension set: for each text, the one without the processors
    that text cannot use, made on first use and kept (the most recently used few)."""

    def __init__(self, extensions: tuple[str, ...], *, leave_out: bool = True) -> None:
        """`leave_out=False` gives every text the full converter: the baseline that
        bench/parse_cost.py measures the shortcut against."""
        self._extensions = extensions
        probe = self._new()
        only_own = all(
            _own(processor) or processor is probe.treeprocessors[_CONTENT_URLS]
            for kind in _KINDS
            for processor in _registry(probe, kind)
        )
        self._optional = (
            tuple(
                (kind, name, needs)
                for (kind, name), needs in _NEEDS.items()
                if name in _registry(probe, kind) and _own(_registry(probe, kind)[name])
            )
            if only_own and leave_out
            else ()
        )
        # Each string once, however many processors need it ("[" alone serves four).
        self._strings = tuple(dict.fromkeys(text for *_, needs in self._optional for text in needs))
        # The probe is the full converter, unused: the variant of a text that needs it all.
        self._variants: OrderedDict[frozenset[tuple[str, str]], Any] = OrderedDict(
            [(frozenset(), probe)]
        )

    def for_text(self, text: str) -> Any:
        """A converter, reset, that gives `text` the HTML the full converter gives it."""
        if any(mark in text for mark in _PLACEHOLDER_MARKS):
            unused: frozenset[tuple[str, str]] = frozenset()
        else:
            found = {string for string in self._strings if string in text}
            unused = frozenset(
                (kind, name) for kind, name, needs in self._optional if found.isdisjoint(needs)
            )
        converter = self._variants.get(unused)
        if converter is None:
            converter = self._new()
            for kind, name in unused:
                _registry(converter, kind).deregister(name)
            self._variants[unused] = converter
            if len(self._variants) > _VARIANTS_KEPT:
                self._variants.popitem(last=False)
        else:
            self._variants.move_to_end(unused)
        return converter.reset()

    def forget(self, converter: Any) -> None:
        """Drop a converter stopped halfway: reset() does not clear all of its state, which
        broke links and heading ids of the next article."""
        for key, kept in list(self._variants.items()):
            if kept is converter:
                del self._variants[key]

    def _new(self) -> Any:
        """A full converter whose Markdown-made links and images pass the URL policy."""
        converter = _markdown_class()(extensions=list(self._extensions), output_format="html")
        converter.treeprocessors.register(_content_urls_class()(converter), _CONTENT_URLS, -10)
        return converter


@functools.cache
def _markdown_class() -> Any:
    """Python-Markdown's converter, finding its own extensions ("extra", "toc", and the
    ones "extra" names) in its package; any other name it looks up as it always does.

    Python-Markdown looks every name up among the installed packages' entry points first,
    which reads the metadata of each installed package: 4 ms in a build (Babel has imported
    importlib.metadata by then), 20 ms in a process that has not imported it yet.
    """
    import markdown  # imported on first use: a fully cached build never needs it

    class Markdown(markdown.Markdown):
        def build_extension(self, ext_name: str, configs: Any) -> Any:
            if ext_name.isidentifier():
                module = f"markdown.extensions.{ext_name}"
                if importlib.util.find_spec(module) is not None:
                    return importlib.import_module(module).makeExtension(**dict(configs))
            return super().build_extension(ext_name, configs)

    return Markdown


@functools.cache
def _content_urls_class() -> Any:
    from markdown.treeprocessors import Treeprocessor

    class ContentUrls(Treeprocessor):
        """Drop URL attributes that fail the policy from the elements Markdown made.

        Raw HTML is not in this tree (Python-Markdown keeps it aside), so with
        `trust_html: true` an editor's own HTML stays as written, while Markdown links,
        images and attribute lists (`{: href=...}`) are checked. It runs after the
        unescaping step, which turns `\\:` escapes back into the characters a browser sees.
        """

        def run(self, root: Any) -> None:
            for element in root.iter():
                for name in URL_ATTRIBUTES.intersection(element.keys()):
                    if not url_attribute_allowed(name, element.get(name).replace(_AMP, "&")):
                        del element.attrib[name]

    return ContentUrls
