"""Issue 6, point 2: HTML in Markdown bodies goes through nh3; `trust_html: true` lets an
editor's raw HTML through; imported content is always sanitised."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import html5lib
import pytest
from conftest import Run, parse_html
from hostile.helpers import SITE_YAML, article, assert_located_errors, make_site

HOSTILE = Path(__file__).resolve().parent / "hostile"
BODY = """First paragraph with <script>alert(1)</script> a script.

<img src=x onerror="alert(2)"> and <img src="https://img.example/ok.png" onerror="alert(3)" alt="ok">

<iframe src="https://evil.example/frame"></iframe>

<svg onload="alert(4)"><circle r="1"/></svg> <math><mi>x</mi></math>

<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/e">

<form action="https://evil.example/"><input name="password"></form>

<style>p { color: red }</style><div style="background:url(javascript:alert(5))">styled</div>

[markdown js](javascript:alert(6)) [markdown vb](vbscript:msgbox(7))
[markdown data](data:text/html;base64,PHNjcmlwdD5hbGVydCg4KTwvc2NyaXB0Pg==)
[mixed case](JaVaScRiPt:alert(9)) [entity](jav&#x61;script:alert(10))
[tabbed](java&#09;script:alert(11))

![image js](javascript:alert(12)) ![image data](data:image/svg+xml;base64,PHN2Zy8+)

<a href="javascript:alert(13)">raw js</a> <a href="vbscript:msgbox(14)">raw vb</a>
<a href=" data:text/html,<script>alert(15)</script>">raw data</a>
<a href="https://ok.example/" onclick="alert(16)" target="_blank">fine link</a>

<p onmouseover="alert(17)">Last words.</p>
"""
FORBIDDEN_ELEMENTS = {"script", "iframe", "svg", "math", "object", "embed", "form", "input"}
FORBIDDEN_ELEMENTS |= {"style", "link", "meta", "base"}
SAFE_SCHEMES = {"", "http", "https", "mailto", "tel"}


def assert_inert(fragment_root: ET.Element, where: str) -> None:
    """No active element, no event handler, no style, and only web or mail URLs."""
    for element in fragment_root.iter():
        tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        assert tag not in FORBIDDEN_ELEMENTS, (where, tag)
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, tag, name)
            assert name.lower() != "style" or "url(" not in value, (where, tag, value)
            if name.lower() in {"href", "src", "action", "data", "formaction", "xlink:href"}:
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in SAFE_SCHEMES, (where, tag, name, value)


def build(root: Path, run_cli: Callable[..., Run]) -> Path:
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    return root / "output"


@pytest.fixture
def hostile_site(tmp_path: Path) -> Callable[[str], Path]:
    def make(site_yaml: str = SITE_YAML) -> Path:
        return make_site(
            tmp_path / "site",
            {"body.md": article("title: Body test\ndate: 2025-01-01T10:00:00Z", BODY)},
            site_yaml,
        )

    return make


def test_markdown_body_is_inert_on_the_page(
    hostile_site: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    output = build(hostile_site(), run_cli)
    page = output / "2025/01/01/body-test/index.html"
    doc = parse_html(page)
    body = doc.find(".//main//div[@class='body']")
    assert body is not None
    assert_inert(body, "page")
    text = "".join(body.itertext())
    assert "First paragraph" in text and "Last words." in text and "fine link" in text
    assert "raw js" in text and "markdown js" in text  # the words stay, the URLs go
    links = {anchor.text: anchor.get("href") for anchor in body.iter("a")}
    assert links["fine link"] == "https://ok.example/"
    # Images with script or data URLs keep their alt text and lose the URL.
    sources = [img.get("src") for img in body.iter("img")]
    assert sources == ["x", "https://img.example/ok.png", None, None]
    # Nothing outside the body picked anything up either.
    assert_inert(doc.find(".//main"), "main")


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_feed_content_is_inert(
    hostile_site: Callable[[str], Path], run_cli: Callable[..., Run], name: str
) -> None:
    output = build(hostile_site(), run_cli)
    feed = feedparser.parse((output / name).read_bytes())
    assert feed.bozo == 0
    [entry] = feed.entries
    html = entry.content[0].value if "content" in entry else entry.summary
    assert "Last words." in html
    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
    wrapper = ET.Element("div")
    wrapper.append(fragment)
    assert_inert(wrapper, name)


def test_trust_html_lets_editors_raw_html_through(
    hostile_site: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    output = build(hostile_site(SITE_YAML + "trust_html: true\n"), run_cli)
    body = parse_html(output / "2025/01/01/body-test/index.html").find(
        ".//main//div[@class='body']"
    )
    tags = {element.tag for element in body.iter()}
    assert {"iframe", "script", "form"} <= tags
    assert any(p.get("onmouseover") for p in body.iter("p"))


def test_trust_html_must_be_a_boolean(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    root = make_site(tmp_path / "site", {}, SITE_YAML + "trust_html: 'yes please'\n")
    result = run_cli("build", "--root", root)
    assert result.status == 1
    [line] = assert_located_errors(result.err)
    assert line.endswith("site.yaml:4: `trust_html` must be true or false, not 'yes please'")
    assert not (root / "output").exists()


def test_imported_html_is_sanitised_even_on_a_trusting_site(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    """The importer makes scraped pages inert before they reach content/, so an editor
    trusting their own HTML does not trust the open web."""
    root = make_site(tmp_path / "site", {}, SITE_YAML + "trust_html: true\n")
    result = run_cli("import", HOSTILE / "import-hostile.html", "--root", root)
    assert result.status == 0, result.err
    [written] = list((root / "content").rglob("*.md"))
    markdown = written.read_text(encoding="utf-8").casefold()
    for bad in ("<script", "onerror", "onload", "<iframe", "<svg", "<object", "javascript:"):
        assert bad not in markdown, bad
    for bad in ("vbscript:", "data:text", "alert(", "document.write"):
        assert bad not in markdown, bad
    assert "nine days" in markdown and "if the weather holds" in markdown
    output = build(root, run_cli)
    [page] = [p for p in output.rglob("dock-workers*/index.html")]
    doc = parse_html(page)
    assert_inert(doc.find(".//main"), "imported page")
    assert "alert" not in "".join(doc.find(".//main").itertext())
