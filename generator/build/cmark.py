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
from collections.abc import Callable
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
typedef struct cmark_iter cmark_iter;
cmark_iter *cmark_iter_new(cmark_node *root);
int cmark_iter_next(cmark_iter *iter);
cmark_node *cmark_iter_get_node(cmark_iter *iter);
void cmark_iter_free(cmark_iter *iter);
const char *cmark_node_get_type_string(cmark_node *node);
const char *cmark_node_get_url(cmark_node *node);
int cmark_node_set_url(cmark_node *node, const char *url);
"""
_EVENT_DONE, _EVENT_ENTER = 1, 2  # cmark_event_type
# What a refused link or image URL becomes in the tree; the attribute is then cut from the
# HTML. Anyone may write it as a URL too: that only removes their own link.
_REFUSED_URL = "#newsdigest-refused-url"
_REFUSED_ATTRIBUTE = re.compile(f' (?:href|src)="{_REFUSED_URL}"')
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


def gfm_to_html(text: str, url_allowed: Callable[[str], bool] | None = None) -> str:
    """GitHub-flavoured Markdown to HTML (raw HTML kept, for the sanitiser to judge), with
    heading ids; with `url_allowed`, links and images whose URL it refuses lose the URL."""
    return add_heading_ids(_render(text, url_allowed))


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


def _refuse_urls(library: Any, root: Any, url_allowed: Callable[[str], bool]) -> bool:
    """Mark every link and image whose URL is refused; whether any was."""
    refused = False
    walk = library.cmark_iter_new(root)
    try:
        while (event := library.cmark_iter_next(walk)) != _EVENT_DONE:
            if event != _EVENT_ENTER:
                continue
            node = library.cmark_iter_get_node(walk)
            if _ffi.string(library.cmark_node_get_type_string(node)) not in (b"link", b"image"):
                continue
            url = library.cmark_node_get_url(node)
            if not url_allowed(_ffi.string(url).decode("utf-8") if url else ""):
                library.cmark_node_set_url(node, _REFUSED_URL.encode())
                refused = True
    finally:
        library.cmark_iter_free(walk)
    return refused


def _render(text: str, url_allowed: Callable[[str], bool] | None = None) -> str:
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
            refused = url_allowed is not None and _refuse_urls(library, root, url_allowed)
            attached = library.cmark_parser_get_syntax_extensions(parser)
            rendered = library.cmark_render_html(root, _OPTIONS, attached)
            try:
                html_text = _ffi.string(rendered).decode("utf-8")
                return _REFUSED_ATTRIBUTE.sub("", html_text) if refused else html_text
            finally:
                library.cmark_get_default_mem_allocator().free(rendered)
        finally:
            library.cmark_node_free(root)
    finally:
        library.cmark_parser_free(parser)
