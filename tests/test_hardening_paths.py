"""Issue 6, points 3, 4 and 7: hostile slugs and permalinks, hostile tags, and symbolic links
never write or read outside the project; each is a `path:line:` error or a safe page."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, page_file, parse_html, text_of, tree_digest
from hostile.helpers import (
    SITE_YAML,
    article,
    assert_located_errors,
    html_errors,
    make_site,
    previous_output,
    tree_state,
    written_outside_output,
)


def refused(
    tmp_path: Path, run_cli: Callable[..., Run], root: Path, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Build (from inside the project, so paths are short): exit 1, located errors only,
    the previous output/ byte-identical, and nothing written anywhere else."""
    output = previous_output(root)
    digest = tree_digest(output)
    before = tree_state(tmp_path)
    monkeypatch.chdir(root)
    result = run_cli("build", "--root", ".")
    assert result.status == 1, result.out
    lines = assert_located_errors(result.err)
    assert tree_digest(output) == digest
    changed = written_outside_output(before, tree_state(tmp_path), f"{root.name}/output")
    assert changed == []
    assert not (root / ".output.staging").exists()
    return lines


BAD_SLUGS = [
    ("../../x", "x"),
    ("..%2Fx", "2fx"),
    ("..%2F..%2Fetc", "2f-2fetc"),
    ("/etc/passwd", "etc-passwd"),
    ("a\\\\b", "a-b"),
    ("a/b", "a-b"),
    ("!!!", "my-story"),
    ("con", "my-story"),
    ("NUL", "my-story"),
    (".", "my-story"),
    ("..", "my-story"),
    (".hidden", "hidden"),
    ("Upper-Case", "upper-case"),
]


@pytest.mark.parametrize(("slug", "suggestion"), BAD_SLUGS)
def test_hostile_slug_is_refused(
    slug: str,
    suggestion: str,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_site(
        tmp_path / "site",
        {"evil.md": article(f'title: Evil\nslug: "{slug}"\ndate: 2025-01-01')},
    )
    [line] = refused(tmp_path, run_cli, root, monkeypatch)
    shown = slug.replace("\\\\", "\\")
    assert line == (
        f"content/evil.md:3: `slug` {shown!r} cannot be used in a URL "
        f"(use lower-case letters, digits and hyphens, e.g. `{suggestion}`)"
    )


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("'!!!'", "the title gives an empty URL slug"),
        ("'...'", "the title gives an empty URL slug"),
        ("CON", "the title gives the URL slug 'con', a name reserved by file systems"),
        ("Aux", "the title gives the URL slug 'aux', a name reserved by file systems"),
    ],
)
def test_title_without_a_usable_slug_is_refused(
    title: str,
    message: str,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_site(tmp_path / "site", {"t.md": article(f"title: {title}\ndate: 2025-01-01")})
    [line] = refused(tmp_path, run_cli, root, monkeypatch)
    assert line.startswith(f"content/t.md:2: {message} (add a `slug:` field")


@pytest.mark.parametrize(
    "pattern",
    [
        "/../{slug}/",
        "/{year}/../../{slug}/",
        "/{year}\\\\{slug}/",
        "{slug}/",
        "https://evil.example/{slug}/",
    ],
)
def test_hostile_permalink_is_refused_in_site_yaml(
    pattern: str,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_site(
        tmp_path / "site",
        {"a.md": article("title: Fine\ndate: 2025-01-01")},
        SITE_YAML + f'permalinks:\n  article: "{pattern}"\n',
    )
    [line] = refused(tmp_path, run_cli, root, monkeypatch)
    assert line.startswith("site.yaml:4: permalink `article` must be a path starting with `/`")


@pytest.mark.parametrize("pattern", ["/%2e%2e/{slug}/", "/{year}/%2F/{slug}/"])
def test_encoded_traversal_in_a_permalink_is_refused(
    pattern: str,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_site(
        tmp_path / "site",
        {"a.md": article("title: Fine\ndate: 2025-01-01")},
        SITE_YAML + f'permalinks:\n  article: "{pattern}"\n',
    )
    [line] = refused(tmp_path, run_cli, root, monkeypatch)
    assert line.startswith("content/a.md:1: permalink ")
    assert "would be written outside output/" in line


@pytest.mark.parametrize(
    ("title", "what"),
    [("Tags", "the tag index"), ("Search", "the search page"), ("'404.html'", None)],
)
def test_article_cannot_take_a_fixed_page(
    title: str,
    what: str | None,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_site(
        tmp_path / "site",
        {"a.md": article(f"title: {title}\ndate: 2025-01-01")},
        SITE_YAML + 'permalinks:\n  article: "/{slug}/"\n',
    )
    if what is None:  # "404.html" slugifies to 404-html: no clash, the build succeeds
        monkeypatch.chdir(root)
        assert run_cli("build", "--root", ".").status == 0
        assert (root / "output/404-html/index.html").is_file()
        return
    [line] = refused(tmp_path, run_cli, root, monkeypatch)
    slug = title.lower()
    assert line.startswith(f"content/a.md:2: URL /{slug}/ is also {what}")


@pytest.mark.parametrize(
    ("title", "what"),
    [
        ("Sitemap Pages 1", "a part of the sitemap"),  # a part this site has
        ("Sitemap Pages 9", "a name reserved for the parts"),  # one a bigger site would have
    ],
)
def test_article_cannot_take_the_name_of_a_sitemap_part(
    title: str,
    what: str,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sitemap parts sit at the site root, so a `/{slug}.xml` permalink could shadow one."""
    root = make_site(
        tmp_path / "site",
        {"a.md": article(f"title: {title}\ndate: 2025-01-01")},
        SITE_YAML + 'permalinks:\n  article: "/{slug}.xml"\n',
    )
    [line] = refused(tmp_path, run_cli, root, monkeypatch)
    slug = title.lower().replace(" ", "-")
    assert line.startswith(f"content/a.md:2: URL /{slug}.xml is also {what}")


# --- tags -----------------------------------------------------------------------------------

TAGS = [
    "C++",
    "C#",
    "c#",
    "C",
    "../x",
    "<b>t</b>",
    "日本語",
    "Ελληνικά",
    "Москва",
    "عربي",
    "हिन्दी",
    "Ünïcödé",
]


@pytest.fixture
def tag_site(tmp_path: Path, run_cli: Callable[..., Run]) -> Path:
    tags = ", ".join(f'"{tag}"' for tag in TAGS)
    root = make_site(
        tmp_path / "site",
        {"tagged.md": article(f"title: Tagged\ndate: 2025-01-01\ntags: [{tags}]")},
    )
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    return root / "output"


def test_tags_are_distinct_where_they_should_be(tag_site: Path) -> None:
    index = parse_html(tag_site / "tags/index.html")
    names = [text_of(a) for a in index.iter("a") if "/tags/" in (a.get("href") or "")]
    names = [name for name in names if name not in {"Tags", "All tags"}]
    # C# and c# are one tag (case is not a difference); C, C++ and C# are three.
    expected = {tag for tag in TAGS if tag != "c#"}
    assert set(names) == expected
    slugs = {a.get("href") for a in index.iter("a") if (a.get("href") or "").startswith("/tags/")}
    assert {"/tags/c/", "/tags/c-plus-plus/", "/tags/c-sharp/", "/tags/x/"} <= slugs
    assert {"/tags/b-t-b/", "/tags/日本語/", "/tags/ελληνικά/", "/tags/москва/"} <= slugs


def test_tag_names_are_escaped_and_links_resolve(tag_site: Path) -> None:
    page = tag_site / "2025/01/01/tagged/index.html"
    doc = parse_html(page)
    assert doc.find(".//main//b") is None
    links = [a for a in doc.iter("a") if a.get("class") == "tag"]
    assert [text_of(a) for a in links] == [tag for tag in TAGS if tag != "c#"]
    for anchor in links:
        target = page_file(tag_site, anchor.get("href"))
        assert target.is_file(), anchor.get("href")
        assert target.resolve().is_relative_to(tag_site.resolve())
        tag_page = parse_html(target)
        assert text_of(tag_page.find(".//main/h1")) == f"Tagged “{text_of(anchor)}”"
        assert (target.parent / "atom.xml").is_file() and (target.parent / "rss.xml").is_file()
    for path in tag_site.rglob("*.html"):
        assert html_errors(path) == [], path
    assert not (tag_site.parent / "x").exists()


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("['   ']", "content/t.md:4: `tags` has an empty entry (remove it)"),
        ("['!!!']", "content/t.md:4: tag '!!!' has no letters or digits to make a URL from"),
        ("[C#, 'C Sharp']", "content/t.md:4: tags 'C Sharp' and 'C#' would share the URL "),
        ("[C++, 'c plus plus']", "content/t.md:4: tags 'c plus plus' and 'C++' would share"),
        ("{a: 1}", "content/t.md:4: `tags` must be a list such as `[Economy, Climate]`"),
        ("[[nested]]", "content/t.md:4: each entry of `tags` must be text, not list"),
    ],
)
def test_bad_and_colliding_tags_are_reported(
    tags: str,
    message: str,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_site(
        tmp_path / "site", {"t.md": article(f"title: Tagged\ndate: 2025-01-01\ntags: {tags}")}
    )
    [line] = refused(tmp_path, run_cli, root, monkeypatch)
    assert line.startswith(message), line


# --- symbolic links -------------------------------------------------------------------------

SECRET = "TOP-SECRET-OUTSIDE-THE-PROJECT"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the project with files a symlink might try to publish."""
    folder = tmp_path / "outside"
    (folder / "templates").mkdir(parents=True)
    (folder / "static").mkdir()
    (folder / "content").mkdir()
    (folder / "secret.md").write_text(article(f"title: {SECRET}\ndate: 2025-01-01"))
    (folder / "secret.txt").write_text(SECRET)
    (folder / "static" / "secret.txt").write_text(SECRET)
    (folder / "content" / "secret.md").write_text(article(f"title: {SECRET}\ndate: 2025-01-01"))
    (folder / "templates" / "base.html").write_text(SECRET)
    return folder


LINKS = [
    ("content/link.md", "secret.md", "content/link.md"),
    ("content/sub", "content", "content/sub"),
    ("content/2025/deep.md", "secret.md", "content/2025/deep.md"),
    ("static/secret.txt", "secret.txt", "static/secret.txt"),
    ("static/assets", "static", "static/assets"),
    ("static", "static", "static"),
    ("templates/base.html", "secret.txt", "templates/base.html"),
    ("templates", "templates", "templates"),
    ("themes/default", "static", "themes/default"),
    ("themes/mine/templates", "templates", "themes/mine/templates"),
    ("themes/mine/static", "static", "themes/mine/static"),
    ("themes/mine/theme.yaml", "secret.txt", "themes/mine/theme.yaml"),
]


@pytest.mark.parametrize(("link", "target", "shown"), LINKS)
def test_symlink_pointing_outside_is_reported_not_followed(
    link: str,
    target: str,
    shown: str,
    outside: Path,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site_yaml = SITE_YAML + ("theme: mine\n" if link.startswith("themes/mine") else "")
    root = make_site(
        tmp_path / "site", {"ok.md": article("title: Fine\ndate: 2025-01-01")}, site_yaml
    )
    if link.startswith("themes/mine"):
        (root / "themes/mine").mkdir(parents=True)
        (root / "themes/mine/theme.yaml").write_text("parent: default\n")
    path = root / link
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file():
        path.unlink()
    os.symlink(outside / target, path)
    lines = refused(tmp_path, run_cli, root, monkeypatch)
    assert any(line.startswith(f"{shown}: symbolic link not followed") for line in lines), lines
    for produced in (root / "output").rglob("*"):
        if produced.is_file():
            assert SECRET.encode() not in produced.read_bytes()


@pytest.mark.parametrize("link", ["templates/base.html", "translations/de.po"])
def test_a_linked_template_or_catalogue_is_refused_even_without_the_templates_check(
    link: str,
    outside: Path,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The templates check is skipped while the manifest (a cache file) says nothing it
    checks has changed: a forged cache must not let a linked file through."""
    from generator.build import pipeline

    root = make_site(
        tmp_path / "site", {"ok.md": article("title: Fine\ndate: 2025-01-01")}, SITE_YAML
    )
    monkeypatch.setattr(pipeline, "check_templates", lambda *arguments: None)
    (root / link).parent.mkdir(parents=True)
    os.symlink(outside / "secret.txt", root / link)
    lines = refused(tmp_path, run_cli, root, monkeypatch)
    assert any(line.startswith(f"{link}: symbolic link not followed") for line in lines), lines


def test_content_folder_that_is_a_symlink_is_refused(
    outside: Path, tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(tmp_path / "site", {})
    (root / "content").rmdir()
    os.symlink(outside / "content", root / "content")
    lines = refused(tmp_path, run_cli, root, monkeypatch)
    assert lines[0].startswith("content: symbolic link not followed")


def test_links_inside_the_project_are_refused_too(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link is refused whatever it points at: the rule is simple and cannot be raced."""
    root = make_site(tmp_path / "site", {"ok.md": article("title: Fine\ndate: 2025-01-01")})
    os.symlink(root / "content" / "ok.md", root / "content" / "again.md")
    [line] = refused(tmp_path, run_cli, root, monkeypatch)
    assert line.startswith("content/again.md: symbolic link not followed")


def test_a_template_replaced_by_a_link_to_the_same_bytes_is_refused_after_a_build(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build whose key matches the last one's skips the template check, so a link must
    change that key even where it points at the very bytes the file held."""
    root = make_site(tmp_path / "site", {"ok.md": article("title: Fine\ndate: 2025-01-01")})
    (root / "templates").mkdir()
    (root / "templates" / "extra.html").write_text("<p>extra</p>\n")
    monkeypatch.chdir(root)  # as `refused` builds, so that only the link differs
    assert run_cli("build", "--root", ".").status == 0
    (root / "templates" / "extra.html").rename(root / "extra.html")
    os.symlink(root / "extra.html", root / "templates" / "extra.html")
    result = run_cli("build", "--root", ".")  # output/ as that build left it
    assert result.status == 1, result.out
    assert "templates/extra.html: symbolic link not followed" in result.err
