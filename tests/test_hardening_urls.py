"""Issue 18, item 3: every URL from content passes one policy (http, https, mailto, relative)
before it reaches a page: front-matter URLs that fail are `path:line` errors in `check` and
`build`; body links and images that fail lose their URL, with both Markdown engines.

The oracle here is not newsdigest's own function: it reads each URL the way the WHATWG URL
parser does (drop tabs and newlines, trim controls and spaces, then the scheme), after an
HTML5 parser has decoded the attribute, as a browser would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, parse_html
from hostile.helpers import SITE_YAML, article, assert_located_errors, make_site
from imagefiles import jpeg
from imagefiles import write as write_image

from generator.core.urls import content_url_problem

READER_SAFE = {"", "http", "https", "mailto"}


def browser_scheme(url: str) -> str:
    """The scheme a browser finds in an attribute's (decoded) value; "" if relative."""
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", url)
    return match.group(1).casefold() if match else ""


def urls_of(element_value: str, attribute: str) -> list[str]:
    if attribute != "srcset":
        return [element_value]
    return [part.split()[0] for part in element_value.split(",") if part.strip()]


# Markdown that makes a link or an image: each one's URL must be refused, its text kept.
MARKDOWN_BYPASSES = {
    "M01": "[M01](javascript:alert%281%29 'x')",
    "M02": "> [ref2]: javascript:alert(2)\n>\n> [M02][ref2]",
    "M03": "[M03][ref3]\n\n> [ref3]: javascript:alert(3)",
    "M04": "[M04](jav&#x61;script:alert(4))",
    "M05": "[M05](&#106;avascript:alert(5))",
    "M06": "[M06](JaVaScRiPt:alert(6))",
    "M07": "[M07](java&#09;script:alert(7))",
    "M08": "[M08](<java\tscript:alert(8)>)",
    "M09": "[M09](java&#x0A;script:alert(9))",
    "M10": "[M10](&#x01;javascript:alert(10))",
    "M11": "[M11](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMSk8L3NjcmlwdD4=)",
    "M12": "[M12](vbscript:msgbox(12))",
    "M13": "![M13](javascript:alert(13))",
    "M14": "![M14](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMTQpPg==)",
    "M15": "<javascript:alert(15)>",  # a CommonMark autolink: any scheme
    "M16": "[M16](javascript\\:alert(16))",  # a backslash escape inside the scheme
    "M17": "[M17](javascript&colon;alert(17))",
    "M18": "[M18][ref18]\n\n[ref18]: <javascript:alert(18)> 'title'",
}
# Attribute lists are Python-Markdown's (cmark shows them as text).
ATTRIBUTE_LISTS = {
    "A01": '[A01](https://ok.example/){: href="javascript:alert(31)"}',
    "A02": '![A02](/ok.png){: srcset="javascript:alert(32) 2x"}',
}
# Raw HTML: sanitised unless the site trusts its editors' HTML.
RAW_HTML = {
    "H01": '<a href="javascript:alert(41)">H01</a>',
    "H02": '<img src="javascript:alert(42)" alt="H02">',
    "H03": '<img src="/ok.png" srcset="javascript:alert(43) 2x" alt="H03">',
    "H04": '<a href="jav&#x61;script:alert(44)">H04</a>',
    "H05": '<a href="&#106;avascript:alert(45)">H05</a>',
    "H06": '<a href=" java&#9;scr&#10;ipt:alert(46)">H06</a>',
    "H07": '<a href="data:text/html,&lt;script&gt;alert(47)&lt;/script&gt;">H07</a>',
    "H08": '<a href="VBScript:msgbox(48)">H08</a>',
}
# What must keep its URL, as written.
KEPT = {
    "K01": ("[K01](https://ok.example/a?b=1&c=2)", "https://ok.example/a?b=1&c=2"),
    "K02": ("[K02](mailto:desk@example.org)", "mailto:desk@example.org"),
    "K03": ("[K03](/2025/01/01/other/)", "/2025/01/01/other/"),
    "K04": ("[K04](#section)", "#section"),
    # Protocol-relative: an http(s) link to another host, no worse than `https://host/`.
    "K05": ("[K05](//other.example/x)", "//other.example/x"),
}


def build_body(
    tmp_path: Path, run_cli: Callable[..., Run], body: str, settings: str
) -> tuple[object, str]:
    root = make_site(
        tmp_path / "site",
        {"a.md": article("title: Links\ndate: 2025-01-01T10:00:00Z", body)},
        SITE_YAML + settings,
    )
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    page = root / "output/2025/01/01/links/index.html"
    found = parse_html(page).find(".//main//div[@class='body']")
    assert found is not None
    return found, page.read_text(encoding="utf-8")


def unsafe_urls(body: object) -> list[tuple[str, str, str]]:
    """(element, attribute, value) of every URL in the body a browser would not treat as
    http, https, mailto or relative."""
    bad = []
    for element in body.iter():  # type: ignore[attr-defined]
        for name, value in element.attrib.items():
            if name.lower() in {"href", "src", "srcset", "action", "formaction", "poster"}:
                for url in urls_of(value, name.lower()):
                    if browser_scheme(url) not in READER_SAFE:
                        bad.append((element.tag, name, value))
    return bad


ENGINES = ["python-markdown", "cmark"]


@pytest.mark.parametrize("trust", [False, True])
@pytest.mark.parametrize("engine", ENGINES)
def test_markdown_links_and_images_pass_the_policy_in_every_mode(
    engine: str, trust: bool, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    """With `trust_html: true` too: Markdown links are not raw HTML, and imported Markdown
    reaches trusting sites."""
    cases = {**MARKDOWN_BYPASSES, **(ATTRIBUTE_LISTS if engine == "python-markdown" else {})}
    kept = {name: markdown for name, (markdown, _) in KEPT.items()}
    body = "\n\n".join([*cases.values(), *kept.values()])
    settings = f"markdown_engine: {engine}\ntrust_html: {str(trust).lower()}\n"
    found, page = build_body(tmp_path, run_cli, body, settings)
    assert unsafe_urls(found) == []
    text = " ".join(found.itertext())  # type: ignore[attr-defined]
    alts = {img.get("alt") for img in found.iter("img")}  # type: ignore[attr-defined]
    for name in cases:
        if name != "M15":  # an autolink's text is its URL: the words stay, not a link
            assert name in text or name in alts, name
    links = {anchor.text: anchor.get("href") for anchor in found.iter("a")}  # type: ignore[attr-defined]
    for name, (_, url) in KEPT.items():
        assert links[name] == url, name
    assert "newsdigest-refused-url" not in page


@pytest.mark.parametrize("engine", ENGINES)
def test_raw_html_urls_are_sanitised(
    engine: str, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    body = "\n\n".join(f"<p>{html}</p>" for html in RAW_HTML.values())
    found, _ = build_body(tmp_path, run_cli, body, f"markdown_engine: {engine}\n")
    assert unsafe_urls(found) == []
    text = " ".join(found.itertext())  # type: ignore[attr-defined]
    alts = {img.get("alt") for img in found.iter("img")}  # type: ignore[attr-defined]
    for name in RAW_HTML:
        assert name in text or name in alts, name


@pytest.mark.parametrize("engine", ENGINES)
def test_trust_html_keeps_the_editors_raw_html_as_written(
    engine: str, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    """`trust_html: true` trusts an editor's own HTML entirely (it may hold `<script>`), so
    its URLs are not rewritten: that is what the setting means (see docs/security.md)."""
    body = "\n\n".join(f"<p>{html}</p>" for html in RAW_HTML.values())
    settings = f"markdown_engine: {engine}\ntrust_html: true\n"
    _, page = build_body(tmp_path, run_cli, body, settings)
    assert '<a href="javascript:alert(41)">H01</a>' in page


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JAVASCRIPT:x", " javascript:x", "java\tscript:x", "java\nscript:x"]
    + ["jav&#x61;script:x", "&#106;avascript:x", "javascript&colon;x", "&amp;#106;avascript:x"]
    + ["\x01javascript:x", "data:text/html,x", "vbscript:x", "file:///etc/passwd", "tel:1"]
    + ["&amp;amp;amp;#106;avascript:x", ""],
)
def test_the_policy_refuses(url: str) -> None:
    assert content_url_problem(url) is not None


@pytest.mark.parametrize(
    "url",
    ["https://a.example/x?y=1&amp;z=2", "http://a.example", "mailto:x@y.example", "/a/b/"]
    + ["#top", "photo.jpg", "a/b:c", "//other.example/x", "?page=2"],
)
def test_the_policy_allows(url: str) -> None:
    assert content_url_problem(url) is None


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        (
            "also_reported_by: [{publisher: X, url: 'javascript:alert(1)'}]",
            4,
            "`url` of entry 1 of `also_reported_by` 'javascript:alert(1)' cannot be used: "
            "the scheme `javascript:` is not allowed",
        ),
        (
            "also_reported_by:\n  - publisher: X\n  - {publisher: Y, url: ' jav&#x61;script:x'}",
            4,
            "`url` of entry 2 of `also_reported_by` ' jav&#x61;script:x' cannot be used",
        ),
        ("also_reported_by: 5", 4, "`also_reported_by` must be a list of"),
        ("also_reported_by: [5]", 4, "entry 1 of `also_reported_by` must be a mapping, not int 5"),
        ("also_reported_by: [{url: 5}]", 4, "`url` of entry 1 of `also_reported_by` must be text"),
        ("image: 'data:image/png;base64,AAAA'", 4, "`image` 'data:image/png;base64,AAAA' cannot"),
        ('image: "java\\tscript:alert(1)"', 4, "`image` 'java\\tscript:alert(1)' cannot be used"),
        ("original_url: '/relative/path'", 4, "`original_url` '/relative/path' cannot be used: it"),
        ("original_url: 'mailto:a@b.example'", 4, "`original_url` 'mailto:a@b.example' cannot"),
        ("original_url: '//cdn.example/x'", 4, "`original_url` '//cdn.example/x' cannot be used"),
    ],
)
@pytest.mark.parametrize("command", ["check", "build"])
def test_front_matter_urls_that_fail_are_located_errors(
    front: str, line: int, message: str, command: str, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(tmp_path / "site", {"a.md": article(f"title: T\ndate: 2025-01-01\n{front}")})
    result = run_cli(command, "--root", root)
    assert result.status == 1, result.err
    [located] = assert_located_errors(result.err)
    assert located.split(": ", 1)[0].endswith(f"content/a.md:{line}"), located
    assert message in located, located
    assert not (root / "output").exists()


def test_front_matter_urls_that_pass_are_linked(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    front = (
        "title: T\ndate: 2025-01-01\noriginal_url: https://paper.example/story\n"
        "image: /images/a.jpg\n"
        "also_reported_by: [{publisher: X, url: 'https://x.example/a'}, {publisher: Y}]"
    )
    root = make_site(tmp_path / "site", {"a.md": article(front)})
    write_image(root / "static/images/a.jpg", jpeg(40, 30))
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    page = parse_html(root / "output/2025/01/01/t/index.html")
    hrefs = {anchor.text: anchor.get("href") for anchor in page.iter("a")}
    assert hrefs["X"] == "https://x.example/a"
    assert hrefs["https://paper.example/story"] == "https://paper.example/story"


def test_a_menu_link_that_fails_is_a_located_error(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    """The default theme links menu URLs as written, so they pass the policy too."""
    menu = "menu:\n  - {title: Home, url: /}\n  - {title: Evil, url: 'javascript:alert(1)'}\n"
    root = make_site(tmp_path / "site", {}, SITE_YAML + menu)
    result = run_cli("check", "--root", root)
    assert result.status == 1
    [located] = assert_located_errors(result.err)
    assert located.endswith(
        "site.yaml:4: menu link 'Evil' has the URL 'javascript:alert(1)': the scheme "
        "`javascript:` is not allowed (only http, https, mailto and relative URLs)"
    )
