"""Where a URL's page is written: core/urls.output_path_for, the one gate between a URL
(from a slug, a tag, a permalink pattern) and a file under output/.

Its common case takes a shortcut (the URL itself, when no segment is empty or starts with a
dot); every URL of a small alphabet is checked here against the rule written out in full.
"""

from __future__ import annotations

import itertools
import posixpath

import pytest

from generator.core.urls import all_output_urls, expand_permalink, output_path_for


def served_file(url: str) -> str | None:
    """The rule: a site path's segments, empty ones dropped, `index.html` for a folder;
    nothing for `.` or `..` segments or for characters that a server or a file system
    reads differently (backslash, percent escapes, NUL)."""
    if not url.startswith("/") or any(bad in url for bad in ("\\", "%", "\x00")):
        return None
    segments = [segment for segment in url.split("/") if segment]
    if "." in segments or ".." in segments:
        return None
    if url.endswith("/"):
        segments.append("index.html")
    return "/".join(segments) or None


def test_every_short_url_maps_as_the_rule_says_and_stays_inside() -> None:
    for length in range(1, 6):
        for letters in itertools.product("/.aé%\\", repeat=length):
            url = "".join(letters)
            found = output_path_for(url)
            assert found == served_file(url), url
            if found is not None:
                assert ".." not in posixpath.normpath(found).split("/"), url
                assert not found.startswith("/"), url


def test_urls_checked_together_are_checked_as_each_alone() -> None:
    """all_output_urls (the bulk check of the URLs an article cache gives back) says what
    output_path_for says of every URL, whatever its neighbours: among two URLs of the
    alphabet, with a newline too (the joined text's separator)."""
    short = [
        "".join(letters) for n in range(1, 4) for letters in itertools.product("/.a%\n", repeat=n)
    ]
    fine = ["/2025/01/02/story/", "/tags/x/"]
    assert all_output_urls([]) and all_output_urls(fine)
    for first, second in itertools.product(short, repeat=2):
        urls = [*fine, first, second]
        expected = all(output_path_for(url) is not None for url in urls)
        assert all_output_urls(urls) == expected, urls


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/", "index.html"),
        ("/2026/11/18/slug/", "2026/11/18/slug/index.html"),
        ("/feed.xml", "feed.xml"),
        ("/tags/über/page/2/", "tags/über/page/2/index.html"),
        ("/a//b/", "a/b/index.html"),
        ("/.well-known/x", ".well-known/x"),
        ("/a/../b/", None),
        ("/a/./b", None),
        ("a/b/", None),
        ("/a%2F..%2Fb/", None),
    ],
)
def test_output_paths(url: str, path: str | None) -> None:
    assert output_path_for(url) == path


def test_permalinks_fill_each_placeholder_wherever_it_stands() -> None:
    values = {"year": "2026", "month": "11", "day": "18", "slug": "a-b"}
    assert expand_permalink("/{year}/{month}/{day}/{slug}/", values) == "/2026/11/18/a-b/"
    assert expand_permalink("/news-{slug}.html", values) == "/news-a-b.html"
    assert expand_permalink("/{slug}{year}/", values) == "/a-b2026/"
    assert expand_permalink("/static/", values) == "/static/"
