"""GitHub-flavoured Markdown through cmark-gfm (`markdown_engine: cmark`), without its leak,
and with the heading ids Python-Markdown's `toc` gives, so that switching engines keeps every
`#section` link working.

cmarkgfm's `github_flavored_markdown_to_html` (2025.10) never frees the document tree nor
the rendered HTML: about 30 KB per article, 300 MB over a 10,000-article build, gigabytes
at 100,000. Its compiled library does export the functions that free them, so this module
calls the library itself (cffi in ABI mode, the same library file, the same options and
extensions) and frees both. The output is byte-identical to cmarkgfm's (tested).
"""

from __future__ import annotations

import functools
import html
import re
from typing import Any

import cffi
import cmarkgfm
from cmarkgfm import _cmark
from markdown.extensions.toc import slugify, strip_tags, unique

_DECLARATIONS = """
typedef struct cmark_node cmark_node;
typedef struct cmark_parser cmark_parser;
typedef struct cmark_syntax_extension cmark_syntax_extension;
typedef struct _cmark_llist cmark_llist;
typedef struct cmark_mem {
  void *(*calloc)(size_t, size_t);
  void *(*realloc)(void *, size_t);
  void (*free)(void *);
} cmark_mem;
void cmark_gfm_core_extensions_ensure_registered(void);
cmark_syntax_extension *cmark_find_syntax_extension(const char *name);
cmark_parser *cmark_parser_new(int options);
int cmark_parser_attach_syntax_extension(cmark_parser *parser, cmark_syntax_extension *ext);
void cmark_parser_feed(cmark_parser *parser, const char *buffer, size_t len);
cmark_node *cmark_parser_finish(cmark_parser *parser);
cmark_llist *cmark_parser_get_syntax_extensions(cmark_parser *parser);
char *cmark_render_html(cmark_node *root, int options, cmark_llist *extensions);
void cmark_node_free(cmark_node *node);
void cmark_parser_free(cmark_parser *parser);
cmark_mem *cmark_get_default_mem_allocator(void);
"""
# What cmarkgfm.github_flavored_markdown_to_html uses, so the HTML is the same.
_EXTENSIONS = (b"table", b"autolink", b"tagfilter", b"strikethrough", b"tasklist")
# Raw HTML goes through to nh3, which sanitises it (see content.render_markdown).
# Footnotes (`[^1]`) as on GitHub, since the default engine's `extra` has them too.
_OPTIONS = (
    cmarkgfm.Options.CMARK_OPT_UNSAFE
    | cmarkgfm.Options.CMARK_OPT_GITHUB_PRE_LANG
    | cmarkgfm.Options.CMARK_OPT_FOOTNOTES
)
# cmark-gfm writes headings without attributes; raw HTML headings keep theirs and are left be.
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
_FOOTNOTE_REFERENCE = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_ID = re.compile(r'\sid="([^"]*)"')

_ffi = cffi.FFI()
_ffi.cdef(_DECLARATIONS)


@functools.cache
def _load() -> tuple[Any, tuple[Any, ...]]:
    """The library (opened on first use, once per process) and the extensions to attach."""
    library = _ffi.dlopen(_cmark.__file__)
    library.cmark_gfm_core_extensions_ensure_registered()
    return library, tuple(library.cmark_find_syntax_extension(name) for name in _EXTENSIONS)


def gfm_to_html(text: str) -> str:
    """GitHub-flavoured Markdown to HTML (raw HTML kept, for the sanitiser to judge), with
    heading ids."""
    return add_heading_ids(_render(text))


def add_heading_ids(rendered: str) -> str:
    """Give each heading the id Python-Markdown's `toc` extension would give it.

    The same functions make the id from the same text (the heading's, without footnote
    marks), made unique against the ids already in the document the same way, so an anchor
    such as `#budget-talks` means the same heading whichever engine rendered the page.
    """
    if "<h" not in rendered:
        return rendered
    used = {html.unescape(value) for value in _ID.findall(rendered)}

    def with_id(match: re.Match[str]) -> str:
        level, inner = match.groups()
        name = strip_tags(_FOOTNOTE_REFERENCE.sub("", inner))
        ident = unique(slugify(html.unescape(name), "-"), used)
        return f'<h{level} id="{ident}">{inner}</h{level}>'

    return _HEADING.sub(with_id, rendered)


def _render(text: str) -> str:
    """cmark-gfm's HTML for text, exactly as cmarkgfm would give it (and freed)."""
    library, extensions = _load()
    parser = library.cmark_parser_new(_OPTIONS)
    try:
        for extension in extensions:
            library.cmark_parser_attach_syntax_extension(parser, extension)
        encoded = text.encode("utf-8")
        library.cmark_parser_feed(parser, encoded, len(encoded))
        root = library.cmark_parser_finish(parser)
        try:
            attached = library.cmark_parser_get_syntax_extensions(parser)
            rendered = library.cmark_render_html(root, _OPTIONS, attached)
            try:
                return _ffi.string(rendered).decode("utf-8")
            finally:
                library.cmark_get_default_mem_allocator().free(rendered)
        finally:
            library.cmark_node_free(root)
    finally:
        library.cmark_parser_free(parser)
