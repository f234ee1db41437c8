"""Themes: site-level template overrides, parent themes, static files, autoescaping."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, Run, parse_html, text_of


@pytest.fixture
def child_output(site_copy: Callable[[str], Path], run_cli: Callable[..., Run]) -> Path:
    root = site_copy("child_theme")
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    return root / "output"


def test_child_theme_overrides_one_template_and_inherits_the_rest(child_output: Path) -> None:
    lost = parse_html(child_output / "404.html")
    assert text_of(lost.find(".//main/h1")) == "Lost at sea"
    # Everything the child does not have comes from the parent (the default theme).
    index = parse_html(child_output / "index.html")
    assert index.find(".//main/section[@class='edition-lead']") is not None
    assert index.find(".//head/link[@rel='canonical']").get("href") == "https://child.example.org/"


def test_site_templates_override_the_theme(child_output: Path) -> None:
    tags = parse_html(child_output / "tags" / "index.html")
    assert (
        text_of(tags.find(".//main/h1")) == "Topics, by the site"
    )  # not the child's, nor default's


def test_static_files_from_every_layer_are_copied(child_output: Path) -> None:
    assert (child_output / "css" / "child.css").read_text() == ".child { color: teal; }\n"
    assert (child_output / "humans.txt").is_file()
    # The site's static/style.css wins over the default theme's.
    assert (child_output / "style.css").read_text().startswith("/* the site overrides")


def test_default_theme_static_files_are_copied(basic_output: Path) -> None:
    assert (basic_output / "style.css").read_bytes() == (
        REPO / "themes" / "default" / "static" / "style.css"
    ).read_bytes()


def test_autoescape_in_titles_tags_and_lists(child_output: Path) -> None:
    page = next((child_output / "2025" / "05" / "01").glob("*/index.html"))
    raw = page.read_text(encoding="utf-8")
    assert "<b>fight</b>" not in raw and "<i>odd</i>" not in raw
    doc = parse_html(page)
    assert text_of(doc.find(".//main//h1")) == "Tom & Jerry <b>fight</b>"
    assert doc.find(".//main//b") is None and doc.find(".//main//i") is None
    tag_links = [text_of(a) for a in doc.iterfind(".//ul[@class='tags']//a")]
    assert tag_links == ["<i>odd</i> tag"]
    for listing in ("index.html", "tags/index.html", "2025/05/01/index.html"):
        assert "<b>fight</b>" not in (child_output / listing).read_text(encoding="utf-8")
        assert "<i>odd</i>" not in (child_output / listing).read_text(encoding="utf-8")


def test_theme_from_the_site_folder_shadows_a_builtin_one(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("basic")
    theme = root / "themes" / "default"
    (theme / "templates").mkdir(parents=True)
    (theme / "theme.yaml").write_text("parent: null\n", encoding="utf-8")
    result = run_cli("build", "--root", root)
    # A site's own themes/default/ without templates is a theme missing templates.
    assert result.status == 1
    assert "template 'index.html' is missing from theme 'default'" in result.err


def test_parent_loop_is_reported(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    root = site_copy("child_theme")
    (root / "themes" / "child" / "theme.yaml").write_text("parent: child\n", encoding="utf-8")
    result = run_cli("build", "--root", root)
    assert result.status == 1
    assert "theme parents form a loop: child -> child" in result.err
    assert "theme.yaml:1:" in result.err
