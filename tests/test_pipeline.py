"""One pipeline: `check` meets every error `build` meets; the page plan settles every URL;
incremental keys follow the configuration's meaning, not its YAML layout."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SITES, SITES_INVALID, Run, copy_site, tree_digest

from generator.build.output import OUTPUT_MARKER
from generator.build.pages import KINDS, REQUIRED_TEMPLATES
from generator.build.pipeline import BuildOptions, BuildResult, build_site

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
INVALID = sorted(path.name for path in SITES_INVALID.iterdir() if path.is_dir())


def _symlink_in_static(root: Path) -> None:
    (root / "static").mkdir(exist_ok=True)
    (root / "static" / "elsewhere.txt").symlink_to("/etc/hostname")


def _both(
    root: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> tuple[Run, Run]:
    monkeypatch.chdir(root)
    checked = run_cli("check", "--root", ".")
    assert not (root / "output").exists(), "check wrote output/"
    assert not (root / ".newsdigest-cache").exists(), "check wrote a cache"
    built = run_cli("build", "--root", ".")
    return checked, built


@pytest.mark.parametrize("case", [*INVALID, "symlink_in_static"])
def test_check_reports_exactly_what_build_reports(
    case: str, tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    if case == "symlink_in_static":
        root = copy_site(SITES / "basic", tmp_path / "site")
        _symlink_in_static(root)
    else:
        root = copy_site(SITES_INVALID / case, tmp_path / "site")
    checked, built = _both(root, run_cli, monkeypatch)
    assert built.status == 1
    assert checked.status == built.status
    assert "Traceback" not in checked.err
    assert checked.err == built.err  # the same messages, in the same order


def test_check_renders_every_page_and_passes_a_good_site(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_site(SITES / "basic", tmp_path / "site")
    checked, built = _both(root, run_cli, monkeypatch)
    assert checked.status == built.status == 0
    pages = int(built.out.split("Built ", 1)[1].split(" ", 1)[0])
    assert f"{pages} pages and feeds ({pages} rendered to check them)" in checked.out


def test_check_after_a_build_renders_only_what_changed(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page the last successful build rendered from the same inputs rendered without
    error; check need not render it again, but must render an edited article's pages."""
    root = copy_site(SITES / "basic", tmp_path / "site")
    monkeypatch.chdir(root)
    assert run_cli("build", "--root", ".").status == 0
    assert "(0 rendered to check them)" in run_cli("check", "--root", ".").out
    template = root / "templates" / "article.html"
    template.parent.mkdir(exist_ok=True)
    template.write_text('{% extends "base.html" %}{% block content %}{{ nope }}{% endblock %}\n')
    result = run_cli("check", "--root", ".")
    assert result.status == 1
    assert (
        "templates/article.html:1: undefined variable in template: 'nope' is undefined"
        in result.err
    )


def _build(root: Path, **options: object) -> BuildResult:
    return build_site(BuildOptions(root=root, now=NOW, workers=1, **options))  # type: ignore[arg-type]


@pytest.fixture
def built_basic(tmp_path: Path) -> Path:
    root = copy_site(SITES / "basic", tmp_path / "site")
    first = _build(root)
    assert first.rendered == first.pages
    return root


def test_a_comment_or_reordering_in_site_yaml_renders_nothing(built_basic: Path) -> None:
    config = built_basic / "site.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    before = tree_digest(built_basic / "output")
    config.write_text(
        "# A comment on top moves every key down a line\n"
        + "\n".join(reversed(lines[:8]))
        + "\n"
        + "\n".join(lines[8:])
        + "\n",
        encoding="utf-8",
    )
    result = _build(built_basic)
    assert (result.rendered, result.written) == (0, 0)
    assert tree_digest(built_basic / "output") == before


def _feeds(output: Path) -> set[str]:
    return {
        path.relative_to(output).as_posix()
        for path in output.rglob("*.*")
        if path.name in {"atom.xml", "rss.xml", "feed.json"}
    }


def _changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {path for path in after if before.get(path) != after[path]}


def test_a_changed_setting_renders_exactly_the_pages_that_read_it(built_basic: Path) -> None:
    output = built_basic / "output"
    config = built_basic / "site.yaml"
    text = config.read_text(encoding="utf-8")

    # Only feeds list `feed_limit` entries; of those, a tag's feed with fewer articles than
    # either limit shows the same entries, and need not be rendered either.
    config.write_text(text.replace("feed_limit: 3", "feed_limit: 2"), encoding="utf-8")
    before = tree_digest(output)
    result = _build(built_basic)
    changed = _changed(before, tree_digest(output))
    assert {"atom.xml", "rss.xml"} <= changed <= _feeds(output)
    assert result.rendered == len(changed)

    # A new site title is shown by every HTML page and feed, the news sitemap (the
    # publication's name) and the sources' OPML, but not by robots.txt, the other sitemaps
    # or the search index.
    config.write_text(text.replace("Basic Test Digest", "Basic Digest"), encoding="utf-8")
    before = tree_digest(output)
    result = _build(built_basic)
    html = {path for path in before if path.endswith((".html", "email.txt"))}
    assert result.rendered == len(html) + len(_feeds(output)) + 2
    changed = _changed(before, tree_digest(output))
    assert "robots.txt" not in changed and "sitemap.xml" not in changed
    assert changed <= html | _feeds(output) | {"news-sitemap.xml", "sources/opml.xml"}


def test_a_setting_read_only_on_some_branches_renders_those_pages(built_basic: Path) -> None:
    """`author` is read by the feeds and, in the theme, by articles without authors only."""
    output = built_basic / "output"
    config = built_basic / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("author: Test desk", "author: Night desk"),
        encoding="utf-8",
    )
    before = tree_digest(output)
    result = _build(built_basic)
    changed = _changed(before, tree_digest(output))
    assert changed, "the new author must show somewhere"
    assert result.rendered < result.pages
    for path in changed:
        assert b"Night desk" in (output / path).read_bytes(), path
    # Every page that shows the author was rendered: none still shows the old one.
    assert not [
        path for path in tree_digest(output) if b"Test desk" in (output / path).read_bytes()
    ]


# --- the page plan ------------------------------------------------------------------------


def test_the_registry_names_each_kind_once_and_the_templates_it_needs() -> None:
    names = [kind.name for kind in KINDS]
    assert len(names) == len(set(names))
    assert names[-1] == "article"  # article pages last: the pool's batches rely on it
    assert set(REQUIRED_TEMPLATES) == {
        "index.html",
        "article.html",
        "tags.html",
        "tag.html",
        "edition.html",
        "month.html",
        "year.html",
        "404.html",
    }


SITE = """title: T
base_url: https://example.org/
timezone: UTC
per_page: 1
"""


def _site(root: Path, config: str, articles: dict[str, str]) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text(SITE + config, encoding="utf-8")
    for name, front in articles.items():
        (root / "content" / name).write_text(f"---\n{front}\n---\nBody.\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("config", "tag", "message"),
    [
        # A tag named like a year, with tags at the site root, would be the year archive.
        ('permalinks:\n  tag: "/{slug}/"\n', "2025", "URL /2025/ is also the year archive 2025"),
        # A tag `2` under /page/ would be page 2 of the front page.
        (
            'permalinks:\n  tag: "/page/{slug}/"\n',
            "2",
            "URL /page/2/ is also page 2 of the front page",
        ),
        # A tag named `search` at the root would be the search page.
        ('permalinks:\n  tag: "/{slug}/"\n', "Search", "URL /search/ is also the search page"),
    ],
)
def test_a_tag_cannot_take_the_url_of_another_page(
    config: str,
    tag: str,
    message: str,
    tmp_path: Path,
    run_cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    articles = {
        "a.md": f"title: A\ndate: 2025-01-02\ntags: ['{tag}']",
        "b.md": "title: B\ndate: 2025-01-01",
    }
    root = _site(tmp_path / "site", config, articles)
    checked, built = _both(root, run_cli, monkeypatch)
    assert built.status == checked.status == 1
    assert built.err.splitlines()[0].startswith(f"content/a.md:4: {message}")
    assert "rename the tag" in built.err
    assert checked.err == built.err


def test_a_page_cannot_need_a_folder_where_another_page_is_a_file(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article at `/news` (a file) and editions under `/news/...` (a folder) cannot both
    exist; before the plan checked this, staging failed with an OSError."""
    articles = {"a.md": "title: News\ndate: 2025-01-02"}
    config = 'permalinks:\n  article: "/{slug}"\n  edition: "/news/{year}/{month}/{day}/"\n'
    root = _site(tmp_path / "site", config, articles)
    checked, built = _both(root, run_cli, monkeypatch)
    assert built.status == checked.status == 1
    assert built.err.splitlines() == [
        "content/a.md:2: URL /news/2025/01/02/atom.xml needs a folder where content/a.md is a"
        " file"
        " (/news) (give the article a different `slug:`)",
        "1 problem found; nothing was written",
    ]
    assert checked.err == built.err


def test_every_error_of_the_site_and_the_plan_is_reported_at_once(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = {
        "a.md": "title: A\ndate: 2025-01-02\ntags: ['C#', 'C Sharp']",  # two tags, one slug
        "b.md": "title: Tags\ndate: 2025-01-01",  # takes the tag index
    }
    root = _site(tmp_path / "site", 'permalinks:\n  article: "/{slug}/"\n', articles)
    monkeypatch.chdir(root)
    result = run_cli("build", "--root", ".")
    assert result.status == 1
    assert "would share the URL" in result.err
    assert "URL /tags/ is also the tag index" in result.err
    assert result.err.splitlines()[-1] == "2 problems found; nothing was written"


def test_output_is_byte_identical_serial_parallel_and_after_check(tmp_path: Path) -> None:
    root = copy_site(SITES / "basic", tmp_path / "site")
    _build(root, output=tmp_path / "one")
    build_site(BuildOptions(root=root, now=NOW, workers=2, output=tmp_path / "two"))
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")
    hidden = [name for name in os.listdir(tmp_path / "one") if name.startswith(".")]
    assert hidden == [OUTPUT_MARKER]
