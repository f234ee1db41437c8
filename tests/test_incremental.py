"""The cache may only make builds faster, never different: after every kind of change, an
incremental build must leave output/ byte-identical to a cold build of the same input."""

from __future__ import annotations

import base64
import datetime as dt
import gc
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, cache_file_with, copy_example_site, tree_digest

from generator.build import pages as pages_module
from generator.build import scan
from generator.build.article import Article
from generator.build.cache import BuildCache
from generator.build.pipeline import BuildOptions, BuildResult, build_site
from generator.core.errors import UserError

NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)


def _build(root: Path, **options: object) -> BuildResult:
    return build_site(BuildOptions(root=root, now=NOW, **options))  # type: ignore[arg-type]


def _cold_digest(root: Path, scratch: Path, **options: object) -> dict[str, str]:
    """What a build without any cache writes for the same input."""
    if scratch.exists():
        shutil.rmtree(scratch)
    _build(root, output=scratch, use_cache=False, **options)
    return tree_digest(scratch)


def _article(root: Path, name: str) -> Path:
    return next((root / "content").rglob(name))


def _edit_body(root: Path) -> None:
    path = _article(root, "18-overnight-tram.md")
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")


def _edit_title(root: Path) -> None:
    path = _article(root, "17-walk-in-flu-clinics.md")
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("title:", "title: Updated headline\nold_title:", 1), encoding="utf-8"
    )


def _rename(root: Path) -> None:
    path = _article(root, "21-school-heat-pumps.md")
    path.rename(path.with_name("21-renamed-heat-pumps.md"))


def _delete(root: Path) -> None:
    _article(root, "22-river-levels-storm.md").unlink()


def _add(root: Path) -> None:
    (root / "content" / "new.md").write_text(
        "---\ntitle: A brand new story\ndate: 2026-11-23T10:00:00\ntags: [Transport, Night life]\n---\n\nFresh.\n",
        encoding="utf-8",
    )


def _retag(root: Path) -> None:
    path = _article(root, "16-central-library-late-opening.md")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("tags:", "tags: [Libraries]\nold_tags:", 1), encoding="utf-8")


def _config(root: Path) -> None:
    site = root / "site.yaml"
    site.write_text(
        site.read_text(encoding="utf-8").replace("per_page: 10", "per_page: 4"), encoding="utf-8"
    )


def _template(root: Path) -> None:
    (root / "templates").mkdir()
    base = Path(__file__).parent.parent / "themes/default/templates/base.html"
    text = base.read_text(encoding="utf-8").replace("Skip to content", "Jump to the news")
    (root / "templates" / "base.html").write_text(text, encoding="utf-8")


def _static(root: Path) -> None:
    (root / "static").mkdir(exist_ok=True)
    (root / "static" / "robots-note.txt").write_text("hello\n", encoding="utf-8")


def _edit_in_place(root: Path) -> None:
    """The same size and modification time as before: only the change time tells."""
    path = _article(root, "18-overnight-tram.md")
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "tram" in text
    path.write_text(text.replace("tram", "TRAM"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


CHANGES: dict[str, Callable[[Path], None]] = {
    "edit body": _edit_body,
    "edit keeping size and mtime": _edit_in_place,
    "edit title": _edit_title,
    "rename file": _rename,
    "delete file": _delete,
    "add file": _add,
    "change tags": _retag,
    "change site.yaml": _config,
    "override a template": _template,
    "add a static file": _static,
}


@pytest.fixture
def stamps_trusted_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files a test has just written count as settled, so the next build takes their
    digests from their stamps instead of reading them (as it would for older files)."""
    monkeypatch.setattr(scan, "SETTLE_NS", 0)


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    read = scan._read_bytes

    def counting(path: str) -> bytes:
        reads.append(path)
        return read(path)

    monkeypatch.setattr(scan, "_read_bytes", counting)
    return reads


def _forget_parsed_articles(root: Path) -> None:
    """Empty the article cache, keeping the file digests: the next build must read files
    that the scan knows by their stamps."""
    for shard in (root / ".newsdigest-cache").glob("articles-v*/*"):
        shard.unlink()


@pytest.mark.parametrize("stamps", ["settled", "fresh"])
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_incremental_build_equals_cold_build(
    tmp_path: Path, change: str, stamps: str, request: pytest.FixtureRequest
) -> None:
    if stamps == "settled":
        request.getfixturevalue("stamps_trusted_at_once")
    root = copy_example_site(tmp_path / "site")
    _build(root)
    CHANGES[change](root)
    result = _build(root)
    assert result.rendered or result.written  # the change was noticed, not skipped as "no change"
    assert tree_digest(root / "output") == _cold_digest(root, tmp_path / "cold")


def test_unchanged_input_renders_and_writes_nothing(tmp_path: Path) -> None:
    root = copy_example_site(tmp_path / "site")
    first = _build(root)
    second = _build(root)
    assert (second.rendered, second.written, second.removed) == (0, 0, 0)
    assert (second.articles, second.tags, second.editions, second.pages) == (
        first.articles,
        first.tags,
        first.editions,
        first.pages,
    )
    assert second.skipped == first.skipped


@pytest.mark.usefixtures("stamps_trusted_at_once")
def test_files_unchanged_since_the_last_build_are_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example_site(tmp_path / "site")
    _build(root)
    reads = _count_reads(monkeypatch)
    assert _build(root).rendered == 0
    assert reads == []
    _edit_body(root)
    assert _build(root).written
    # Only the edited file: hashed by the scan, then read again to be parsed (no bytes are
    # kept from the scan, see scan.Source), here or in the child that parses ahead, whose
    # reads this process does not see (see test_parse_ahead.py).
    assert {Path(path).name for path in reads} == {"18-overnight-tram.md"}
    assert len(reads) in (1, 2)


def _delete_the_published_new_story(root: Path, scratch: Path) -> None:
    """Delete the story `_add` wrote, once its page is published: the next build must
    remove that page, as a cold build of what is left would not have it."""
    assert (root / "output" / "2026" / "11" / "23" / "a-brand-new-story" / "index.html").exists()
    (root / "content" / "new.md").unlink()
    _build(root)
    assert tree_digest(root / "output") == _cold_digest(root, scratch / "cold")


def test_a_build_without_the_cache_leaves_no_record_a_later_build_would_trust(
    tmp_path: Path,
) -> None:
    """`--no-cache` writes output/ without recording it: the next build must not take the
    last record's word for what output/ holds (here, the page of a story deleted since)."""
    root = copy_example_site(tmp_path / "site")
    _build(root)
    _add(root)
    _build(root, use_cache=False)
    _delete_the_published_new_story(root, tmp_path)


def test_a_build_stopped_after_publishing_leaves_no_record_a_later_build_would_trust(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example_site(tmp_path / "site")
    _build(root)
    _add(root)

    def killed(*_args: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(BuildCache, "save_manifest", killed)
        with pytest.raises(KeyboardInterrupt):
            _build(root)
    _delete_the_published_new_story(root, tmp_path)


def test_a_build_that_fails_while_rendering_keeps_the_record_of_the_output(
    tmp_path: Path,
) -> None:
    """The record is dropped only just before publishing: after a broken template is
    mended, the next build is as incremental as before."""
    root = copy_example_site(tmp_path / "site")
    first = _build(root)
    (root / "templates").mkdir()
    (root / "templates" / "tag.html").write_text(
        "{% extends 'base.html' %}{% block content %}{{ tag.no_such_field }}{% endblock %}",
        encoding="utf-8",
    )
    with pytest.raises(UserError):
        _build(root)
    shutil.rmtree(root / "templates")
    mended = _build(root)
    assert mended.rendered == 0 < first.rendered
    assert tree_digest(root / "output") == _cold_digest(root, tmp_path / "cold")


def _claims_checked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the checks that no two planned pages are one file."""
    checked: list[int] = []
    check = pages_module.check_claims

    def counting(site: object, pages: list[object], problems: object) -> None:
        checked.append(len(pages))
        check(site, pages, problems)  # type: ignore[arg-type]

    monkeypatch.setattr(pages_module, "check_claims", counting)
    return checked


def test_a_body_edit_keeps_the_plan_and_does_not_check_its_claims_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example_site(tmp_path / "site")
    _build(root)
    checked = _claims_checked(monkeypatch)
    _edit_body(root)
    assert _build(root).written
    assert checked == []
    _edit_title(root)  # a new shape: its plan is checked
    assert _build(root).written
    assert len(checked) == 1


def test_two_articles_given_one_url_after_a_build_are_still_reported(tmp_path: Path) -> None:
    root = copy_example_site(tmp_path / "site")
    _build(root)
    twin = _article(root, "18-overnight-tram.md")
    (twin.parent / "18-overnight-tram-copy.md").write_bytes(twin.read_bytes())
    with pytest.raises(UserError) as raised:
        _build(root)
    assert "already used by" in str(raised.value)
    assert "18-overnight-tram" in str(raised.value)


def _fingerprints_hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the page fingerprints a build hashes (incremental.Fingerprints.fingerprint)."""
    from generator.build.incremental import Fingerprints

    hashed: list[str] = []
    fingerprint = Fingerprints.fingerprint

    def counting(self: Fingerprints, data_print: bytes, settings: tuple[str, ...]) -> str:
        hashed.append(fingerprint(self, data_print, settings))
        return hashed[-1]

    monkeypatch.setattr(Fingerprints, "fingerprint", counting)
    return hashed


def test_an_edit_hashes_the_fingerprints_of_the_pages_showing_the_article_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages that kept the data print their record was made from are not hashed again;
    without the print index, every page is."""
    root = copy_example_site(tmp_path / "site")
    _build(root)
    hashed = _fingerprints_hashed(monkeypatch)
    _edit_body(root)
    edit = _build(root)
    assert edit.rendered and len(hashed) < edit.pages // 2
    hashed.clear()
    for index in (root / ".newsdigest-cache").glob("prints-*"):
        index.unlink()
    _edit_body(root)
    without_index = _build(root)
    assert len(hashed) >= without_index.pages
    assert tree_digest(root / "output") == _cold_digest(root, tmp_path / "cold")


def test_a_print_index_older_than_the_manifest_vouches_for_no_page(tmp_path: Path) -> None:
    """A build killed between saving its manifest and its print index leaves the index of
    the build before: while the site has that older shape again, the manifest's records
    were not made from its prints, and each is checked."""
    root = copy_example_site(tmp_path / "site")
    _build(root)
    cache = root / ".newsdigest-cache"
    [index] = cache.glob("prints-*")
    older = index.read_bytes()
    extra = root / "content" / "extra.md"
    extra.write_text(
        "---\ntitle: An extra story\ndate: 2026-11-20T09:00:00+00:00\ntags: [Transport]\n"
        "---\n\nIt is listed on the front page.\n",
        encoding="utf-8",
    )
    _build(root)
    index.write_bytes(older)  # as if killed before the print index was saved
    extra.unlink()  # the first build's shape again
    _build(root)
    assert tree_digest(root / "output") == _cold_digest(root, tmp_path / "cold")


def test_a_build_from_another_folder_keeps_the_paths_it_shows_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Articles are cached with the path a build shows them by (relative to where it runs).
    A build run from elsewhere writes them again with its own, once: otherwise every build
    from there would copy every cached article to show another path."""
    root = copy_example_site(tmp_path / "site")
    monkeypatch.chdir(root)
    _build(Path("."))
    monkeypatch.chdir(tmp_path)
    _build(root)
    cached = BuildCache(root, root / "output").load_articles()
    assert cached and {a.source.partition("content")[0] for a in cached.values()} == {"site/"}
    shards = _shards(root)
    _build(root)
    assert _shards(root) == shards  # nothing to write again


def _remembered_digests(root: Path) -> bytes:
    return next((root / ".newsdigest-cache").glob("digests-v*")).read_bytes()


@pytest.mark.usefixtures("stamps_trusted_at_once")
def test_a_few_edited_files_are_hashed_again_rather_than_the_digests_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing the remembered digests is the whole record (16 MB at 100,000 articles): a
    few files they are behind on are cheaper read again, and the output is the same."""
    root = copy_example_site(tmp_path / "site")
    _build(root)
    remembered = _remembered_digests(root)
    _edit_body(root)
    _delete(root)
    assert _build(root).written
    assert _remembered_digests(root) == remembered
    assert tree_digest(root / "output") == _cold_digest(root, tmp_path / "cold")
    reads = _count_reads(monkeypatch)
    assert _build(root).rendered == 0
    assert [Path(path).name for path in reads] == ["18-overnight-tram.md"]


@pytest.mark.usefixtures("stamps_trusted_at_once")
def test_remembered_digests_with_a_stamp_table_cut_short_are_dropped_and_every_file_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digests are kept in columns (paths, digests, one table of stamp numbers); a
    table that does not fit the paths is not half used: the file is dropped with a warning
    and every file is read and hashed again."""
    root = copy_example_site(tmp_path / "site")
    _build(root)
    reads = _count_reads(monkeypatch)
    assert _build(root, output=tmp_path / "second").written
    assert reads == []  # the stamps read back as written: no file was read
    [remembered] = (root / ".newsdigest-cache").glob("digests-v*")
    header, document, _ = remembered.read_bytes().split(b"\n", 2)
    scheme, paths, digests, stamps = json.loads(document)
    numbers = base64.b64decode(stamps)
    cut = base64.b64encode(numbers[:-8]).decode()  # one number short
    remembered.write_bytes(
        cache_file_with(header, json.dumps([scheme, paths, digests, cut]).encode())
    )
    warnings: list[str] = []
    _build(root, output=tmp_path / "third", warn=warnings.append)
    assert len(reads) == len(paths) > 10
    assert [line for line in warnings if "digests" in line and "rebuilt" in line], warnings
    assert tree_digest(tmp_path / "third") == _cold_digest(root, tmp_path / "cold")


def _shards(root: Path) -> dict[str, bytes]:
    return {
        shard.name: shard.read_bytes()
        for shard in (root / ".newsdigest-cache").glob("articles-v*/*")
    }


def test_an_edit_writes_only_the_article_cache_shards_the_article_left_and_joined(
    tmp_path: Path,
) -> None:
    root = copy_example_site(tmp_path / "site")
    _build(root)
    before = _shards(root)
    _edit_body(root)
    _build(root)
    after = _shards(root)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert 1 <= len(changed) <= 2
    assert len(after) > 2  # the example's articles are spread over many shards


@pytest.mark.usefixtures("stamps_trusted_at_once")
def test_digests_behind_on_too_many_files_are_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan, "DIGESTS_BEHIND_AT_MOST", 1)
    root = copy_example_site(tmp_path / "site")
    _build(root)
    remembered = _remembered_digests(root)
    _edit_body(root)
    _delete(root)
    _build(root)
    assert _remembered_digests(root) != remembered
    reads = _count_reads(monkeypatch)
    assert _build(root).rendered == 0
    assert reads == []


def test_recently_written_files_are_read_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file written less than SETTLE_NS before a build could be written again within the
    same tick of a coarse file-system clock, at the same size: its stamp is not trusted."""
    root = copy_example_site(tmp_path / "site")
    _build(root)
    reads = _count_reads(monkeypatch)
    _build(root)
    assert len(reads) == len(list((root / "content").rglob("*.md")))


@pytest.mark.usefixtures("stamps_trusted_at_once")
def test_a_file_known_by_its_stamp_but_missing_from_the_cache_is_read(tmp_path: Path) -> None:
    root = copy_example_site(tmp_path / "site")
    _build(root)
    _forget_parsed_articles(root)
    (root / "output" / "index.html").unlink()  # else the unchanged site is not even loaded
    _build(root)
    assert tree_digest(root / "output") == _cold_digest(root, tmp_path / "cold")


@pytest.mark.usefixtures("stamps_trusted_at_once")
def test_a_file_unreadable_after_the_scan_is_reported_with_the_other_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example_site(tmp_path / "site")
    _build(root)
    _forget_parsed_articles(root)
    broken = _article(root, "17-walk-in-flu-clinics.md")
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("title:", "title: [", 1), encoding="utf-8"
    )
    vanished = _article(root, "18-overnight-tram.md")
    read = scan._read_bytes

    def refusing(path: str) -> bytes:
        if Path(path) == vanished:
            raise PermissionError(13, "Permission denied")
        return read(path)

    monkeypatch.setattr(scan, "_read_bytes", refusing)
    with pytest.raises(UserError) as raised:
        _build(root)
    assert sorted(Path(problem.path).name for problem in raised.value.diagnostics) == [
        "17-walk-in-flu-clinics.md",
        "18-overnight-tram.md",
    ]
    assert "cannot read file: Permission denied" in str(raised.value)


@pytest.mark.usefixtures("stamps_trusted_at_once")
@pytest.mark.parametrize("remembered", [True, False])
def test_a_file_gone_between_listing_and_looking_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, remembered: bool
) -> None:
    """The scan lists content/, then looks at all the files at once: one deleted in between
    is named in the error, whether or not its digest was remembered (a file with neither a
    stamp now nor one remembered must not pass as unchanged), and nothing is published."""
    root = copy_example_site(tmp_path / "site")
    if remembered:
        _build(root)
    before = tree_digest(root / "output") if remembered else {}
    gone = _article(root, "18-overnight-tram.md")
    listed = scan._article_files

    def listing_then_deleting(*arguments: object) -> tuple[list[str], list[str], list[str]]:
        found = listed(*arguments)  # type: ignore[arg-type]
        gone.unlink(missing_ok=True)
        return found

    monkeypatch.setattr(scan, "_article_files", listing_then_deleting)
    with pytest.raises(UserError) as raised:
        _build(root)
    assert [Path(problem.path).name for problem in raised.value.diagnostics] == [gone.name]
    assert "cannot read file: No such file or directory" in str(raised.value)
    assert (tree_digest(root / "output") if remembered else {}) == before


@pytest.mark.usefixtures("stamps_trusted_at_once")
def test_digests_remembered_under_other_settings_are_not_used(tmp_path: Path) -> None:
    """Digests cover the parse settings: a changed time zone re-reads every file."""
    root = copy_example_site(tmp_path / "site")
    _build(root)
    config = root / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("Europe/Berlin", "America/New_York"),
        encoding="utf-8",
    )
    _build(root)
    assert tree_digest(root / "output") == _cold_digest(root, tmp_path / "cold")


def test_a_build_from_another_folder_reuses_the_cache_and_names_files_from_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Caches name files by their place in the project, messages by where the user is."""
    root = copy_example_site(tmp_path / "site")
    monkeypatch.chdir(root)
    _build(root)
    monkeypatch.chdir(tmp_path)
    assert _build(root).rendered == 0
    (root / "content" / "copy.md").write_text(
        '---\ntitle: "Harbor City opens first overnight tram line"\ndate: 2026-11-18T06:45:00\n'
        "---\n\nSame headline, same day.\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError) as raised:
        _build(root)
    [problem] = raised.value.diagnostics
    assert Path(problem.path).parts[0] == "site"  # not `content/...`, as from inside the site
    assert "site/content/2026/11/18-overnight-tram.md" in problem.message + problem.path


def test_caches_of_other_newsdigest_versions_are_removed(tmp_path: Path) -> None:
    """An upgrade cannot read the old cache format; leaving it would keep its space forever."""
    root = copy_example_site(tmp_path / "site")
    _build(root)
    cache = root / ".newsdigest-cache"
    [current] = cache.glob("articles-v[0-9]*")
    stale = [cache / "articles-v1", cache / "pages-0123456789abcdef-v1.pickle"]
    stale[0].mkdir()
    (stale[0] / "00.pickle").write_bytes(b"old")
    stale[1].write_bytes(b"old")
    unrelated = cache / "articles-vnext"  # not a format number: not ours to delete
    unrelated.mkdir()
    _edit_body(root)
    _build(root)
    assert [path for path in stale if path.exists()] == []
    assert current.is_dir() and any(current.iterdir()) and unrelated.exists()


def test_a_deleted_output_file_is_written_again(tmp_path: Path) -> None:
    root = copy_example_site(tmp_path / "site")
    _build(root)
    (root / "output" / "tags" / "index.html").unlink()
    result = _build(root)
    assert result.written == 1
    assert tree_digest(root / "output") == _cold_digest(root, tmp_path / "cold")


def test_output_files_changed_beside_an_edit_are_written_again(tmp_path: Path) -> None:
    """The sizes an edit build checks are measured by a child process beside the scan: a
    page cut short or deleted meanwhile is still found, and those two are all it renders
    besides what the edit changed (a twin site, edited alike and left alone, tells)."""
    root = copy_example_site(tmp_path / "site")
    twin = copy_example_site(tmp_path / "twin")
    _build(root)
    _build(twin)
    cut = root / "output" / "tags" / "index.html"
    cut.write_bytes(cut.read_bytes()[:-10])
    (root / "output" / "sitemap.xml").unlink()
    _edit_body(root)
    _edit_body(twin)
    assert _build(root).rendered == _build(twin).rendered + 2
    assert tree_digest(root / "output") == _cold_digest(root, tmp_path / "cold")


def test_a_future_article_appears_once_its_date_has_come(tmp_path: Path) -> None:
    root = copy_example_site(tmp_path / "site")
    (root / "content" / "later.md").write_text(
        "---\ntitle: Tomorrow's story\ndate: 2026-11-25T08:00:00+00:00\n---\n\nSoon.\n",
        encoding="utf-8",
    )
    _build(root)
    assert not (root / "output/2026/11/25").exists()
    tomorrow = NOW + dt.timedelta(days=1)
    result = build_site(BuildOptions(root=root, now=tomorrow))
    assert result.rendered > 0
    assert (root / "output/2026/11/25/tomorrows-story/index.html").is_file()


def test_parallel_and_serial_builds_are_identical(tmp_path: Path) -> None:
    """Enough articles to make the pool start (see parallel.MIN_ITEMS_PER_WORKER); run as
    real commands, since an in-process build stays serial while other threads are alive."""
    root = copy_example_site(tmp_path / "site")
    for number in range(420):
        day = 1 + number % 28
        (root / "content" / f"bulk-{number:03d}.md").write_text(
            f"---\ntitle: Bulk story {number}\ndate: 2026-10-{day:02d}T{number % 24:02d}:00:00\n"
            f"tags: [Tag {number % 7}]\n---\n\nParagraph {number} with *some* text.\n",
            encoding="utf-8",
        )
    for jobs in ("1", "2"):
        command = [sys.executable, "-m", "generator", "build", "--root", str(root), "--no-cache"]
        command += ["--jobs", jobs, "--output", str(tmp_path / f"jobs-{jobs}")]
        subprocess.run(command, check=True, capture_output=True, cwd=REPO)
    assert tree_digest(tmp_path / "jobs-1") == tree_digest(tmp_path / "jobs-2")


def test_a_pool_gives_results_in_the_order_of_its_input(tmp_path: Path) -> None:
    """The pool's results line up with the input, as parse_articles promises its caller
    (nothing in the site shows a mix-up: it sorts everything). In a fresh interpreter: the
    pool is not started while other threads (pytest's) may be alive."""
    for n in range(450):
        (tmp_path / f"{n}.md").write_text(
            f"---\ntitle: Story {n}\ndate: 2026-10-01\n---\n\nText {n}.\n", encoding="utf-8"
        )
    script = """
import sys
from generator.build.config import load_config
from generator.build.blobs import SpillFile
from generator.build.workers import parse_articles
from pathlib import Path
settings = load_config(Path(".")).parsing
pending = [(f"{sys.argv[1]}/{n}.md", f"content/{n}.md", f"{n}.md") for n in range(450)]
parsed = parse_articles(pending, settings, workers=2, spill=SpillFile(None))
print(",".join(article.title for article in parsed))
"""
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == ",".join(f"Story {n}" for n in range(450))


def test_adding_an_article_renders_only_the_pages_that_show_it(tmp_path: Path) -> None:
    root = copy_example_site(tmp_path / "site")
    first = _build(root)
    _add(root)
    result = _build(root)
    # The new page, its neighbour, the home pages, its tags' pages and feeds, the tag index,
    # its edition and archives, the site feeds, its month's search and sitemap parts, the
    # search manifest, the sitemap of the other pages and the news sitemap; each feed in
    # three formats, and the edition's e-mail (HTML and text): not the other articles' pages.
    assert result.rendered <= 36 < first.pages
    assert tree_digest(root / "output") == _cold_digest(root, tmp_path / "cold")


def _archive(root: Path, count: int) -> Path:
    """`count` articles over one month, each with a tag of its own, ten a listing page."""
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text(
        "title: T\nbase_url: https://t.example.org/\ntimezone: UTC\nper_page: 10\n", "utf-8"
    )
    for n in range(count):
        day, hour = 1 + n % 28, n // 28
        (root / "content" / f"s{n}.md").write_text(
            f"---\ntitle: Story {n}\ndate: 2025-03-{day:02d}T{hour:02d}:00:00Z\n"
            f"tags: [T{n}]\n---\n\nBody {n}.\n",
            "utf-8",
        )
    return root


@pytest.mark.parametrize("count", [40, 120])
def test_adding_an_article_renders_as_many_pages_at_any_archive_size(
    tmp_path: Path, count: int
) -> None:
    """Listing pages are numbered from the oldest, so a new article changes the newest page
    of each listing it is in, not every page of the front page's (counted from the newest,
    all of them shift: 4 pages at 40 articles, 12 at 120)."""
    root = _archive(tmp_path / "site", count)
    _build(root)
    (root / "content" / "new.md").write_text(
        "---\ntitle: Newest\ndate: 2025-03-28T23:30:00Z\ntags: [T0]\n---\n\nNew.\n", "utf-8"
    )
    # Its page and its neighbour's, the front page and the newest listing page, its tag's
    # page and feeds, the tag index, its edition and month and their feeds, the site feeds,
    # the search, sitemap and e-mail files: the same few dozen at any size of archive.
    assert _build(root).rendered == 29
    assert tree_digest(root / "output") == _cold_digest(root, tmp_path / "cold")


def test_a_build_gives_the_cycle_collector_back(tmp_path: Path) -> None:
    """Builds pause Python's cycle collector; `serve` runs many builds in one process, so
    every build, good or failed, must switch it back on."""
    root = copy_example_site(tmp_path / "site")
    assert gc.isenabled()
    _build(root)
    assert gc.isenabled()
    (root / "site.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError):
        _build(root)
    assert gc.isenabled()


def test_a_finished_build_keeps_no_article_alive(tmp_path: Path) -> None:
    """`serve` builds again and again in one process; an in-process (one-worker) build must
    not leave its Site reachable, or memory grows with the archive and exit takes seconds."""
    root = copy_example_site(tmp_path / "site")

    def alive() -> int:
        gc.collect()
        return sum(isinstance(item, Article) for item in gc.get_objects())

    before = alive()  # other tests may hold articles of their own
    _build(root, workers=1)
    assert alive() == before


def test_the_command_line_leaves_what_a_build_made_to_the_end_of_the_process(
    tmp_path: Path,
) -> None:
    """`newsdigest build` ends with os._exit (generator.__main__.run): what the build made
    is handed to it, kept and out of the cycle collector's sight, rather than freed object
    by object or walked by the collector when it is back on."""
    from generator.__main__ import main

    root = copy_example_site(tmp_path / "site")
    left: list[object] = []
    try:
        assert main(["build", "--root", str(root)], left_for_exit=left) == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this process goes on: the other tests' objects are collected as usual
    [made] = left
    assert isinstance(made, dict)
    assert len(made["site"].articles) == 18  # type: ignore[attr-defined]
    assert gc.isenabled()


_STORY = (
    "---\ntitle: {title}\n{slug}date: 2026-10-01T08:00:00+00:00\ntags: [{tags}]\n"
    "publisher: The Press\n---\n\n{body}\n"
)


@pytest.mark.parametrize(
    ("change", "same_shape"),
    [
        ({"body": "Another first sentence. And more."}, True),  # the summary follows the body
        # A headline corrected: shown where the article is, planned from nowhere...
        ({"title": "A corrected headline", "slug": "slug: a-headline\n"}, True),
        # ...unless the slug is made from it (`newsdigest new` and the importer write one).
        ({"title": "A corrected headline"}, False),
        ({"tags": "Economy, Weather"}, False),
        ({"slug": "slug: another-slug\n"}, False),
    ],
)
def test_an_articles_shape_changes_with_its_fields_not_with_its_body(
    tmp_path: Path, change: dict[str, str], same_shape: bool
) -> None:
    """What lets an edit fingerprint only the pages that show the article (page_prints):
    the body and what is made of it, and the title, are outside the shape; every other
    field is in it."""
    from generator.build.article import parse_article
    from generator.build.config import load_config

    (tmp_path / "site.yaml").write_text("title: T\nbase_url: https://example.org/\n")
    settings = load_config(tmp_path).parsing
    values = {
        "title": "A headline",
        "slug": "",
        "tags": "Economy",
        "body": "First sentence. Then more.",
    }
    before = parse_article(_STORY.format(**values).encode(), "a.md", settings)
    after = parse_article(_STORY.format(**{**values, **change}).encode(), "a.md", settings)
    assert isinstance(before, Article) and isinstance(after, Article)
    assert (before.shape == after.shape) is same_shape
    if same_shape:
        assert (before.title, before.summary) != (after.title, after.summary)


def test_pages_rendered_by_pool_after_pool_are_the_same_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Render pools are replaced every PAGES_PER_POOL pages (workers.render_pages); the
    output and the progress told are those of one pool."""
    from generator.build import workers

    whole, parts = tmp_path / "whole", tmp_path / "parts"
    copy_example_site(whole)
    copy_example_site(parts)
    build_site(BuildOptions(root=whole, use_cache=False))
    told: list[tuple[str, int, int]] = []
    monkeypatch.setattr(workers, "PAGES_PER_POOL", 7)
    result = build_site(
        BuildOptions(root=parts, use_cache=False, progress=lambda *step: told.append(step))
    )
    assert result.rendered > 7 * 3
    assert tree_digest(whole / "output") == tree_digest(parts / "output")
    rendering = [(done, total) for stage, done, total in told if stage == "render"]
    assert [done for done, _ in rendering] == sorted(done for done, _ in rendering)
    assert rendering[-1] == (result.rendered, result.rendered)


def test_templates_and_catalogues_are_checked_again_only_when_they_change(
    tmp_path: Path,
) -> None:
    """Reading the catalogues again cost 30-45 ms of every edit build: while the key of
    what every page depends on (templates, catalogues, generator, configuration) holds, the
    last successful build checked them; a broken catalogue after it is still found."""
    root = copy_example_site(tmp_path / "site")
    assert "templates" in dict(_build(root).timings)
    _edit_body(root)
    edit = _build(root)
    assert edit.rendered > 0 and "templates" not in dict(edit.timings)
    # In a language no page of the site is in: only the check reads it.
    (root / "translations").mkdir()
    (root / "translations" / "fr.po").write_text(
        'msgid "Edition of %(day)s"\nmsgstr "Édition du %(jour)s"\n', encoding="utf-8"
    )
    with pytest.raises(UserError) as raised:
        _build(root)
    assert "translations/fr.po:1: the translation of 'Edition of %(day)s'" in str(raised.value)


@pytest.mark.parametrize("rows", [0, 1, 2, 7, 64, 1000])
def test_the_stamps_an_edit_changed_are_found_wherever_they_are(rows: int) -> None:
    """The scan reads again only the files whose stamps differ from the remembered ones,
    found by halving the two tables (scan._rows_differing): every changed row, in order,
    whether it is the first, the last, one of two neighbours or one number of four."""
    from array import array

    width = 4
    remembered = array("q", range(rows * width))
    for picked in ([], [0], [rows - 1], [0, rows - 1], [rows // 2, rows // 2 + 1], [*range(rows)]):
        changed = sorted({row for row in picked if 0 <= row < rows})
        for field in range(width):
            now = array("q", remembered)
            for row in changed:
                now[row * width + field] += 1
            assert scan._rows_differing(now, remembered, width) == changed
