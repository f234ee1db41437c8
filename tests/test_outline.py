"""The site's outline (site.Outline) lets an edit that changes no article's shape skip
assembling: such a build must write exactly what a cold build writes, and any change that
assembling reads (or a clock that crosses an article's date) must assemble again."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import cache_file_with, copy_example_site, tree_digest

from generator.build import site as site_module
from generator.build.cache import BuildCache
from generator.build.cache_values import InvalidCache
from generator.build.outline_codec import FIELDS, decode_outline, encode_outline
from generator.build.pipeline import BuildOptions, BuildResult, build_site

NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
_AT = {name: number for number, name in enumerate(FIELDS)}  # where each field is in the file


def _build(root: Path, **options: Any) -> BuildResult:
    options.setdefault("now", NOW)
    return build_site(BuildOptions(root=root, **options))


def _cold(root: Path, scratch: Path, **options: Any) -> dict[str, str]:
    if scratch.exists():
        shutil.rmtree(scratch)
    _build(root, output=scratch, use_cache=False, **options)
    return tree_digest(scratch)


@pytest.fixture
def assemblies(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the builds that assemble the site rather than reassemble its outline."""
    calls: list[int] = []
    assemble = site_module.assemble_site

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return assemble(*args, **kwargs)

    monkeypatch.setattr(site_module, "assemble_site", counted)
    yield calls


def _article(root: Path, name: str) -> Path:
    return next((root / "content").rglob(name))


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _write_story(root: Path, name: str, front: str, body: str = "Body.") -> Path:
    path = root / "content" / name
    path.write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The example site with a draft and an article dated after NOW, built once."""
    root = copy_example_site(tmp_path / "site")
    _write_story(root, "draft.md", "title: Not yet\ndate: 2026-11-20T09:00:00\ndraft: true")
    _write_story(
        root, "later.md", "title: Tomorrow's news\ndate: 2026-11-25T09:00:00\ntags: [Transport]"
    )
    _write_story(
        root,
        "slugged.md",
        "title: Harbour bridge opens\nslug: harbour-bridge\ndate: 2026-11-21T09:00:00\n"
        "tags: [Transport, City Hall]\npublisher: Harbor City Ledger",
    )
    _build(root)
    return root


def test_body_edits_are_built_from_the_outline_as_a_cold_build_would(
    site: Path, assemblies: list[int], tmp_path: Path
) -> None:
    for number, name in enumerate(["18-overnight-tram.md", "23-ferry-fares-frozen.md"]):
        _append(_article(site, name), f"\nA correction, number {number}.\n")
        result = _build(site)
        assert result.rendered
        assert assemblies == []
        assert tree_digest(site / "output") == _cold(site, tmp_path / "cold")
        assemblies.clear()  # the cold build assembled


def test_a_corrected_headline_is_built_from_the_outline_as_a_cold_build_would(
    site: Path, assemblies: list[int], tmp_path: Path
) -> None:
    """With a slug of its own (`newsdigest new` and the importer write one), a headline is
    shown, never planned from: its correction keeps the site's outline and shape."""
    _replace(
        site / "content" / "slugged.md", "Harbour bridge opens", "Harbour bridge opens at last"
    )
    result = _build(site)
    assert assemblies == []
    assert result.rendered < result.pages
    assert tree_digest(site / "output") == _cold(site, tmp_path / "cold")
    front = (site / "output" / "index.html").read_text(encoding="utf-8")
    assert "Harbour bridge opens at last" in front


def test_a_left_out_article_edited_is_still_listed_as_skipped(
    site: Path, assemblies: list[int], tmp_path: Path
) -> None:
    _append(site / "content" / "draft.md", "\nMore of the draft.\n")
    _append(site / "content" / "later.md", "\nMore of tomorrow.\n")
    result = _build(site)
    assert assemblies == []
    cold = _build(site, output=tmp_path / "cold", use_cache=False)
    assert result.skipped == cold.skipped
    assert {"draft.md", "later.md"} <= {item.source.rpartition("/")[2] for item in result.skipped}


def _retag(root: Path) -> None:
    _replace(
        _article(root, "16-central-library-late-opening.md"),
        "tags:",
        "tags: [Libraries]\nold_tags:",
    )


def _redate(root: Path) -> None:
    _replace(
        _article(root, "18-overnight-tram.md"),
        "date: 2026-11-18T06:45:00",
        "date: 2026-10-02T06:45:00",
    )


def _publish_draft(root: Path) -> None:
    _replace(root / "content" / "draft.md", "draft: true", "draft: false")


def _alias(root: Path) -> None:
    _replace(_article(root, "18-overnight-tram.md"), "tags:", "aliases: [/old/tram/]\ntags:")


def _add(root: Path) -> None:
    _write_story(root, "added.md", "title: Added\ndate: 2026-11-22T10:00:00\ntags: [Brand new]")


def _delete(root: Path) -> None:
    _article(root, "22-river-levels-storm.md").unlink()


def _rename(root: Path) -> None:
    path = _article(root, "21-school-heat-pumps.md")
    path.rename(path.with_name("21-renamed.md"))


def _break_draft(root: Path) -> None:
    """The draft no longer parses: it is left out as broken, not as a draft."""
    _replace(root / "content" / "draft.md", "title: Not yet\n", "")


def _permalinks(root: Path) -> None:
    _append(root / "site.yaml", "\npermalinks:\n  article: /news/{year}/{slug}/\n")


SHAPE_CHANGES: dict[str, Callable[[Path], None]] = {
    "tags": _retag,
    "date": _redate,
    "draft published": _publish_draft,
    "alias added": _alias,
    "file added": _add,
    "file deleted": _delete,
    "file renamed": _rename,
    "draft broken": _break_draft,
    "site.yaml permalinks": _permalinks,
}


@pytest.mark.parametrize("change", sorted(SHAPE_CHANGES))
def test_a_change_assembling_reads_assembles_again(
    site: Path, assemblies: list[int], tmp_path: Path, change: str
) -> None:
    SHAPE_CHANGES[change](site)
    _build(site)
    assert assemblies == [1]
    assert tree_digest(site / "output") == _cold(site, tmp_path / "cold")


def test_an_article_whose_date_comes_is_put_in_by_assembling(
    site: Path, assemblies: list[int], tmp_path: Path
) -> None:
    _append(_article(site, "18-overnight-tram.md"), "\nA correction.\n")
    later = NOW + dt.timedelta(days=2)
    result = _build(site, now=later)
    assert assemblies == [1]
    assert "later.md" not in {item.source.rpartition("/")[2] for item in result.skipped}
    assert tree_digest(site / "output") == _cold(site, tmp_path / "cold", now=later)


def test_a_clock_set_back_before_the_newest_article_assembles_again(
    site: Path, assemblies: list[int], tmp_path: Path
) -> None:
    """A build with an earlier clock (tests and CI pin it) must leave out what is future then."""
    _append(_article(site, "18-overnight-tram.md"), "\nA correction.\n")
    earlier = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    _build(site, now=earlier)
    assert assemblies == [1]
    assert tree_digest(site / "output") == _cold(site, tmp_path / "cold", now=earlier)


def test_other_options_assemble_again(site: Path, assemblies: list[int], tmp_path: Path) -> None:
    _append(_article(site, "18-overnight-tram.md"), "\nA correction.\n")
    _build(site, include_drafts=True, include_future=True)
    assert assemblies == [1]
    cold = _cold(site, tmp_path / "cold", include_drafts=True, include_future=True)
    assert tree_digest(site / "output") == cold


def _outline_file(root: Path) -> Path:
    [path] = (root / ".newsdigest-cache").glob("site-v*")
    return path


def test_the_outline_reads_back_as_it_was_assembled(site: Path) -> None:
    outline = BuildCache(site, site / "output").load_outline()
    assert outline is not None
    assert outline.tags and outline.editions and outline.months and outline.publishers
    assert len(outline.left_out) == 3  # the example's draft, draft.md and later.md
    assert decode_outline(json.loads(json.dumps(encode_outline(outline)))) == outline


def _spoil_member(document: list[Any]) -> None:
    document[_AT["tags"]][0][3].append(len(document[_AT["kept"]]))  # past the last article


def _spoil_twice(document: list[Any]) -> None:
    document[_AT["kept"]].append(document[_AT["kept"]][0])


def _spoil_edition(document: list[Any]) -> None:
    document[_AT["months"]][0][2].append(len(document[_AT["editions"]]))  # past the last


def _spoil_day(document: list[Any]) -> None:
    document[_AT["editions"]][0][0] = "2026-02-30"


def _spoil_width(document: list[Any]) -> None:
    document[_AT["tags"]][0].pop()


def _spoil_tag_url(document: list[Any]) -> None:
    document[_AT["tags"]][0][2] = "/../../outside/"  # pages are planned at a tag's URL


def _spoil_redirect(document: list[Any]) -> None:
    document[_AT["redirects"]] = [["/old/\n/ /evil 200", 0]]  # a _redirects line of its own


SPOILS: dict[str, tuple[Callable[[list[Any]], None], str]] = {
    "page URL outside the output": (_spoil_tag_url, "outside the output folder"),
    "redirect not a path": (_spoil_redirect, "not a path of the site"),
    "member out of range": (_spoil_member, "group member out of range"),
    "article twice": (_spoil_twice, "an article listed twice"),
    "edition out of range": (_spoil_edition, "group member out of range"),
    "impossible day": (_spoil_day, "date expected"),
    "short row": (_spoil_width, "site outline expected"),
}


@pytest.mark.parametrize("spoil", sorted(SPOILS))
def test_a_spoilt_outline_is_refused_named_and_the_site_assembled(
    site: Path, assemblies: list[int], tmp_path: Path, spoil: str
) -> None:
    path = _outline_file(site)
    header, _, rest = path.read_bytes().partition(b"\n")
    document = json.loads(rest.partition(b"\n")[0])
    change, reason = SPOILS[spoil]
    change(document)
    with pytest.raises(InvalidCache, match=reason):
        decode_outline(document)
    path.write_bytes(cache_file_with(header, json.dumps(document).encode()))
    _append(_article(site, "18-overnight-tram.md"), "\nA correction.\n")
    warnings: list[str] = []
    _build(site, warn=warnings.append)
    assert assemblies == [1]
    assert any("cache file ignored" in line and reason in line for line in warnings)
    assert tree_digest(site / "output") == _cold(site, tmp_path / "cold")
