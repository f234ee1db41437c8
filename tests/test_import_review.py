"""An import an editor can trust: review before publishing, excerpts, tag hygiene (tags.yaml
too), feed files as input, and the build's advice on editor-written tags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run

from generator.core.frontmatter import FrontMatter, parse_front_matter
from generator.core.tags import TagRules, clean_tags, load_tag_rules, tag_warnings

STORY = [
    "The harbour council voted on Tuesday to keep the night ferry running for another three "
    "years, after a long debate about the cost to the town and the needs of shift workers who "
    "cross the water late at night.",
    "Councillors said the subsidy of two hundred thousand a year would come from the parking "
    "budget, which has grown since the new car parks opened near the station last spring.",
    "Opponents argued that the money would be better spent on buses, which carry more "
    "passengers per journey, and asked for a review of the service after twelve months.",
]
JUNK_TAGS = [
    "@post-id:1913719",
    "tc",
    "Kristi Noem, South Dakota, Meth,Kristi Noem,",
    "Beshear, Andrew G (1977- )",
    "https://harbour.example/tag/ferry",
    "12",
    "Uncategorized",
    "Ferries; Harbour",
]


def page(title: str = "Council keeps the night ferry", tags: list[str] = JUNK_TAGS) -> str:
    metas = "".join(f'<meta property="article:tag" content="{tag}">' for tag in tags)
    body = "".join(f"<p>{text}</p>" for text in STORY)
    return (
        f"<!doctype html><html><head><title>{title} - Harbour Times</title>"
        '<meta property="og:site_name" content="Harbour Times">'
        '<meta property="og:url" content="https://harbour.example/ferry">'
        '<meta property="article:published_time" content="2026-11-20T09:00:00+00:00">'
        f"{metas}</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def site(tmp_path: Path, importing: str = "") -> Path:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text(
        f"title: Digest\nbase_url: https://digest.example/\n{importing}", encoding="utf-8"
    )
    return root


def only_article(root: Path) -> tuple[Path, FrontMatter]:
    [path] = sorted((root / "content").rglob("*.md"))
    parsed = parse_front_matter(path.read_text(encoding="utf-8"), path)
    assert isinstance(parsed, FrontMatter)
    return path, parsed


def test_review_setting_writes_drafts_that_wait_and_approve_publishes(
    tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site(tmp_path, "import:\n  publish: review\n")
    (tmp_path / "p.html").write_text(page(), encoding="utf-8")
    result = run_cli("import", tmp_path / "p.html", "--root", root)
    assert result.status == 0, result.err
    assert "draft, waiting for review" in result.out
    assert "drafts needing review 1" in result.out
    path, article = only_article(root)
    assert article.fields["draft"] is True and article.fields["review"] == "imported"
    built = run_cli("build", "--root", root)
    assert built.status == 0, built.err
    assert not (root / "output" / "2026" / "11" / "20" / "council-keeps-the-night-ferry").exists()

    monkeypatch.chdir(root)
    listed = run_cli("review")
    shown = path.relative_to(root)
    assert listed.out.splitlines()[0] == (
        f"{shown}: 'Council keeps the night ferry' from Harbour Times https://harbour.example/ferry"
    )  # nothing doubtful
    assert "1 article waiting for review" in listed.out

    before = path.read_bytes()
    approved = run_cli("review", "--approve", shown)
    assert approved.status == 0, approved.err
    after = path.read_bytes()
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    assert removed == [b"draft: true", b"review: imported"]  # nothing else in the file changed
    assert len(before.splitlines()) - 2 == len(after.splitlines())
    assert run_cli("review").out.strip() == "nothing waiting for review"
    assert run_cli("build").status == 0
    assert (root / "output" / "2026" / "11" / "20" / "council-keeps-the-night-ferry").is_dir()


def test_approve_refuses_paths_outside_content_and_changes_nothing(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = site(tmp_path, "import: {publish: review}\n")
    (tmp_path / "p.html").write_text(page(), encoding="utf-8")
    run_cli("import", tmp_path / "p.html", "--root", root)
    path, _ = only_article(root)
    outside = tmp_path / "outside.md"
    outside.write_bytes(path.read_bytes())
    (root / "content" / "link.md").symlink_to(outside)
    before = path.read_bytes()
    result = run_cli(
        "review", "--root", root, "--approve", path, outside, root / "content" / "link.md"
    )
    assert result.status == 1
    assert f"{outside}: not an article in " in result.err
    assert f"{root / 'content' / 'link.md'}: not an article in " in result.err
    assert "2 problems found; nothing was approved" in result.err
    assert path.read_bytes() == before and b"review: imported" in outside.read_bytes()


def test_review_names_duplicates_and_missing_fields(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = site(tmp_path, "import: {publish: review}\n")
    (tmp_path / "a.html").write_text(page(), encoding="utf-8")
    run_cli("import", tmp_path / "a.html", "--root", root)
    path, article = only_article(root)
    copy = root / "content" / "copy.md"
    copy.write_text(
        "---\ntitle: Council keeps the night ferry\ndate: 2026-11-21\n---\n\n"
        + "\n\n".join(STORY)
        + "\n",
        encoding="utf-8",
    )
    listed = run_cli("review", "--root", root)
    assert f"possible duplicate of {copy}" in listed.out
    assert "no " not in listed.out.split("doubtful:")[1].split(";")[0]  # all fields there
    missing = root / "content" / "undated.md"
    missing.write_text(
        '---\ntitle: Short\ndraft: true\nreview: "missing date: check the source"\n---\n\nText.\n',
        encoding="utf-8",
    )
    listed = run_cli("review", "--root", root)
    line = next(item for item in listed.out.splitlines() if item.startswith(str(missing)))
    assert "missing date" in line and "no date, publisher, original_url" in line
    assert "short body (1 words)" in line
    refused = run_cli("review", "--root", root, "--approve", missing)
    assert refused.status == 1 and f"{missing}:4: still missing date" in refused.err


def test_excerpt_body_keeps_first_paragraphs_and_links_the_original(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = site(tmp_path, "import:\n  body: excerpt\n  excerpt_words: 70\n")
    (tmp_path / "p.html").write_text(page(), encoding="utf-8")
    assert run_cli("import", tmp_path / "p.html", "--root", root).status == 0
    _, article = only_article(root)
    assert "draft" not in article.fields  # an existing site's default: published at once
    paragraphs = article.body.strip().split("\n\n")
    assert paragraphs[:2] == STORY[:2]
    assert STORY[2] not in article.body
    assert paragraphs[-1] == (
        "[Read the whole article at Harbour Times](https://harbour.example/ferry)"
    )
    assert run_cli("build", "--root", root).status == 0


def test_imported_tags_are_cleaned_and_limited(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    root = site(tmp_path, "import: {max_tags: 6}\n")
    (tmp_path / "p.html").write_text(page(), encoding="utf-8")
    run_cli("import", tmp_path / "p.html", "--root", root, "--tags", "Digest")
    _, article = only_article(root)
    assert article.fields["tags"] == [
        "Kristi Noem",
        "South Dakota",
        "Meth",
        "Andrew G Beshear",
        "Ferries",
        "Digest",  # the editor's --tags survive the limit
    ]


def test_tags_yaml_maps_synonyms_and_keeps_only_allowed(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = site(tmp_path)
    (root / "tags.yaml").write_text(
        "synonyms:\n  Ferry: [Ferries, night ferry]\n  South Dakota: [SD]\n"
        "allow: [Ferry, South Dakota, Harbour]\n",
        encoding="utf-8",
    )
    (tmp_path / "p.html").write_text(page(), encoding="utf-8")
    run_cli("import", tmp_path / "p.html", "--root", root)
    _, article = only_article(root)
    assert article.fields["tags"] == ["South Dakota", "Ferry", "Harbour"]


def test_tags_yaml_mistakes_are_path_line_errors_and_nothing_is_imported(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = site(tmp_path)
    tags = root / "tags.yaml"
    tags.write_text(
        "synonyms:\n  Ferry: [Ferries]\n  Boats: [ferries]\n  Climate: [{a: 1}]\n"
        "allow:\n  - Ferry\n  - [nested]\ncolour: blue\n",
        encoding="utf-8",
    )
    (tmp_path / "p.html").write_text(page(), encoding="utf-8")
    result = run_cli("import", tmp_path / "p.html", "--root", root)
    assert result.status == 1
    errors = result.err.splitlines()
    assert (
        f"{tags}:3: 'ferries' is a synonym of both 'Ferry' and 'Boats' (keep it under one of them)"
        in errors
    )
    assert any(
        line.startswith(f"{tags}:3: synonyms: 'Boats' is not in the allow list") for line in errors
    )
    assert any(
        line.startswith(f"{tags}:4: synonyms of 'Climate': each entry must be") for line in errors
    )
    assert any(
        line.startswith(f"{tags}:7: allow: each entry must be a tag name") for line in errors
    )
    assert any(line.startswith(f"{tags}:8: unknown key `colour`") for line in errors)
    assert not list((root / "content").rglob("*.md"))


def test_import_settings_are_checked_by_build_and_import_alike(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = site(tmp_path, "import:\n  publish: later\n  words: 3\n")
    config = root / "site.yaml"
    for command in ("build", "import"):
        args = [command, "--root", root] + ([tmp_path] if command == "import" else [])
        result = run_cli(*args)
        assert result.status == 1
        assert f"{config}:3: `import.publish` must be `review`" in result.err
        assert f"{config}:3: unknown key `import.words`" in result.err


def test_init_sites_review_imports(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    root = tmp_path / "new"
    assert run_cli("init", root).status == 0
    (tmp_path / "p.html").write_text(page(), encoding="utf-8")
    run_cli("import", tmp_path / "p.html", "--root", root)
    imported = [
        parse_front_matter(path.read_text(encoding="utf-8"), path)
        for path in (root / "content").rglob("*.md")
    ]
    assert [item.fields.get("review") for item in imported if "imported_from" in item.fields] == [
        "imported"
    ]


def test_reimport_does_not_unpublish_a_published_article(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = site(tmp_path)  # publish: now
    (tmp_path / "p.html").write_text(page(), encoding="utf-8")
    run_cli("import", tmp_path / "p.html", "--root", root)
    (root / "site.yaml").write_text(
        "title: Digest\nbase_url: https://digest.example/\nimport: {publish: review}\n"
    )
    result = run_cli("import", tmp_path / "p.html", "--root", root)
    assert "unchanged" in result.out, result.out
    _, article = only_article(root)
    assert "draft" not in article.fields


FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Coast Radio</title><id>urn:coast</id>
<updated>2026-11-20T09:00:00Z</updated>
<entry><title>Night ferry stays</title><id>urn:coast:1</id>
<link href="https://coast.example/ferry"/><updated>2026-11-20T09:00:00Z</updated>
<category term="Transport"/><category term="tc"/>
<content type="html">{body}</content></entry>
<entry><title>Library opens late</title><id>urn:coast:2</id>
<link href="https://coast.example/library"/><updated>2026-11-21T10:00:00Z</updated>
<summary>The central library will open until ten at night from next month.</summary></entry>
</feed>"""


def test_feed_files_are_imported_entry_by_entry(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = site(tmp_path)
    body = "".join(f"&lt;p&gt;{text}&lt;/p&gt;" for text in STORY)
    (tmp_path / "coast.atom").write_text(FEED.format(body=body), encoding="utf-8")
    (tmp_path / "feed.json").write_text(
        '{"version": "https://jsonfeed.org/version/1.1", "title": "Bay News", "items": ['
        '{"id": "1", "url": "https://bay.example/seagrass", "title": "Seagrass survey",'
        ' "date_published": "2026-11-22T08:00:00Z", "tags": ["Nature"],'
        ' "content_html": "<p>Divers counted seagrass in the bay for the third year.</p>"}]}',
        encoding="utf-8",
    )
    (tmp_path / "broken.rss").write_text("<rss><channel><title>x</chan", encoding="utf-8")
    result = run_cli(
        "import",
        tmp_path / "coast.atom",
        tmp_path / "feed.json",
        tmp_path / "broken.rss",
        "--root",
        root,
    )
    assert result.status == 1
    assert f"{tmp_path / 'broken.rss'}: not a readable RSS, Atom or JSON feed" in result.err
    found = {
        str(item.fields["original_url"]): item
        for path in (root / "content").rglob("*.md")
        if isinstance(
            item := parse_front_matter(path.read_text(encoding="utf-8"), path), FrontMatter
        )
    }
    assert set(found) == {
        "https://coast.example/ferry",
        "https://coast.example/library",
        "https://bay.example/seagrass",
    }
    ferry = found["https://coast.example/ferry"].fields
    assert ferry["publisher"] == "Coast Radio" and ferry["tags"] == ["Transport"]
    assert ferry["title"] == "Night ferry stays"
    assert found["https://bay.example/seagrass"].fields["tags"] == ["Nature"]
    assert f"(from {tmp_path / 'coast.atom'}#1)" in result.out


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        (["@post-id:1913719", "tc", "EU", "5G", "COVID-19"], ["EU", "5G", "COVID-19"]),
        (["Kristi Noem, South Dakota, Meth,Kristi Noem,"], ["Kristi Noem", "South Dakota", "Meth"]),
        (["Beshear, Andrew G (1977- )"], ["Andrew G Beshear"]),
        (["Merkel, Angela (1954-)", "merkel"], ["Angela Merkel", "merkel"]),
        (["www.example.com", "https://x.example/", "1,234", "(12)"], []),
        (["section_news", "Uncategorized", "a", "#Climate"], ["Climate"]),
        (["Ferry", "ferry", " FERRY "], ["Ferry"]),
    ],
)
def test_tag_rules(raw: list[str], kept: list[str]) -> None:
    assert clean_tags(raw, TagRules())[0] == kept


def test_tag_limit_and_what_was_dropped() -> None:
    kept, dropped = clean_tags(["A1", "B2", "C3", "tc"], TagRules(), 2)
    assert kept == ["A1", "B2"]
    assert ("tc", "too short to be a topic") in dropped and ("C3", "more than 2 tags") in dropped


def test_missing_tags_yaml_means_no_rules(tmp_path: Path) -> None:
    assert load_tag_rules(tmp_path / "tags.yaml") == TagRules()


def test_editor_tags_get_warnings_only(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    root = site(tmp_path)
    (root / "content" / "story.md").write_text(
        "---\ntitle: Story\ndate: 2026-11-20\ntags: ['@post-id:1913719', 'Beshear, Andrew G "
        "(1977- )', 'Ferry; Harbour', Climate]\n---\n\nText.\n",
        encoding="utf-8",
    )
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    story = root / "content" / "story.md"
    assert f"{story}:4: tag '@post-id:1913719' looks like an identifier, not a topic" in result.err
    assert "is a name in index form; write it as 'Andrew G Beshear'" in result.err
    assert "tag 'Ferry; Harbour' holds several tags" in result.err
    assert "'Climate'" not in result.err
    assert (root / "output" / "tags").is_dir()  # warnings only: the editor's tags are built
    assert tag_warnings(["Climate", "EU"]) == []
