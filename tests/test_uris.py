"""Every URL written into XML or JSON is an RFC 3986 URI; HTML keeps the readable IRI.

The example site has a German headline, whose slug keeps its umlaut: written raw into Atom
ids and links, RSS links and guids and sitemap locations, it made four feeds fail the W3C
Feed Validator.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from conftest import page_file

from generator.core.urls import to_uri

BASE = "https://digest.example.org/"
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]*")


def _is_uri(text: str) -> bool:
    return URI.fullmatch(text) is not None and all(
        re.fullmatch(r"[0-9A-Fa-f]{2}", text[i + 1 : i + 3])
        for i in range(len(text))
        if text[i] == "%"
    )


def test_to_uri_encodes_only_what_a_uri_cannot_carry() -> None:
    assert to_uri("https://x.org/über-uns/") == "https://x.org/%C3%BCber-uns/"
    assert to_uri("https://x.org/a%20b/?q=1#f") == "https://x.org/a%20b/?q=1#f"
    assert to_uri("https://x.org/日本/") == "https://x.org/%E6%97%A5%E6%9C%AC/"
    assert unquote(to_uri("https://x.org/Ünïcödé/")) == "https://x.org/Ünïcödé/"


def _xml_urls(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    found = []
    for element in root.iter():
        name = element.tag.rpartition("}")[2]
        if name in {"id", "loc", "guid", "link", "uri"} and element.text and element.text.strip():
            found.append(element.text.strip())
        found += [value for key, value in element.attrib.items() if key in {"href", "url"}]
    return found


def test_every_url_in_xml_is_a_uri_that_names_a_page(example_output: Path) -> None:
    files = sorted(example_output.rglob("*.xml"))
    assert len(files) > 20
    non_ascii_pages = 0
    for path in files:
        for url in _xml_urls(path):
            assert _is_uri(url), (path, url)
            if url.startswith(BASE) and not url.isascii():
                pytest.fail(f"{path}: {url}")
            if url.startswith(BASE) and "%" in url:
                non_ascii_pages += 1
                assert page_file(example_output, unquote(urlsplit(url).path)).exists(), url
    assert non_ascii_pages, "the example site's German headline must be among them"


def test_feed_ids_and_links_parse_as_uris(example_output: Path) -> None:
    for path in [example_output / "atom.xml", example_output / "rss.xml"]:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        for entry in feed.entries:
            for value in (entry.id, entry.link):
                assert _is_uri(value), (path, value)


def test_search_index_urls_are_uris(example_output: Path) -> None:
    for path in (example_output / "search" / "index").glob("*.json"):
        for article in json.loads(path.read_text(encoding="utf-8"))["articles"]:
            assert article["u"].isascii() and " " not in article["u"], article["u"]


def test_json_ld_carries_uris_and_html_keeps_the_readable_iri(example_output: Path) -> None:
    pages = [p for p in example_output.rglob("index.html") if not p.parent.as_posix().isascii()]
    assert pages, "the example site has an article whose URL is not ASCII"
    html = pages[0].read_text(encoding="utf-8")
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["mainEntityOfPage"].isascii()
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html).group(1)
    assert not canonical.isascii() and to_uri(canonical) == data["mainEntityOfPage"]
