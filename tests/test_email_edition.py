"""Each daily edition ready to mail: HTML with inline styles, no scripts and absolute links,
and a plain-text part, beside the edition's page; `newsdigest edition` prints either."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from conftest import Run, copy_example_site, page_file, parse_html, text_of

BASE = "https://digest.example.org/"


def _editions(output: Path) -> list[Path]:
    return sorted((p.parent for p in output.glob("[0-9]*/[0-9]*/[0-9]*/index.html")), reverse=True)


def test_every_edition_has_a_mail_ready_html_and_text_part(example_output: Path) -> None:
    editions = _editions(example_output)
    assert editions
    for folder in editions:
        html = (folder / "email.html").read_text(encoding="utf-8")
        doc = parse_html(folder / "email.html")
        assert not list(doc.iter("script")) and not list(doc.iter("style"))
        assert not [link for link in doc.iter("link") if link.get("rel") == "stylesheet"]
        assert "class=" not in html  # mail clients drop style sheets: styles are inline
        stories = {
            BASE + p.parent.relative_to(example_output).as_posix() + "/"
            for p in folder.glob("*/index.html")
        }
        hrefs = [a.get("href") for a in doc.iter("a")]
        assert all(urlsplit(href).scheme == "https" for href in hrefs), hrefs
        assert stories <= set(hrefs)
        text = (folder / "email.txt").read_text(encoding="utf-8")
        assert "<" not in text and "&#" not in text
        for story in stories:
            title = text_of(
                parse_html(page_file(example_output, urlsplit(story).path)).find(".//h1")
            )
            assert title in text


def test_the_sitemaps_do_not_list_the_mails(example_output: Path) -> None:
    for part in example_output.glob("sitemap-*.xml"):
        assert "email." not in part.read_text(encoding="utf-8")


def test_the_edition_command_prints_the_newest_or_a_given_day(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = copy_example_site(tmp_path / "site")
    assert run_cli("build", "--root", root).status == 0
    newest = _editions(root / "output")[0]
    day = "-".join(newest.relative_to(root / "output").parts)
    result = run_cli("edition", "--root", root, "--format", "text")
    assert result.status == 0
    assert result.out == (newest / "email.txt").read_text(encoding="utf-8")
    result = run_cli("edition", "--root", root, day, "--format", "html")
    assert result.status == 0
    assert result.out == (newest / "email.html").read_text(encoding="utf-8")
    missing = run_cli("edition", "--root", root, "1999-01-01")
    assert missing.status == 1
    assert "no edition on 1999-01-01" in missing.err
    assert "Traceback" not in missing.err
