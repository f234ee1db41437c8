"""Issue 18, point 1: the cache holds data, never code. A planted pickle is never loaded; a
tampered, truncated or foreign cache file is ignored with one warning line and rebuilt;
compiled templates never come from the project."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import pickle
import stat
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import Run, cache_file_with, copy_site, tree_digest

from generator.build import article_codec
from generator.build import cache as cache_module
from generator.build.article import Article
from generator.build.blobs import Blob
from generator.core.console import Console
from generator.preview.server import DevServer, ServeOptions

SITES = Path(__file__).parent / "sites"
CACHE = ".newsdigest-cache"
FORMAT = cache_module._FORMAT


class _Plant:
    """Unpickling this creates `marker`: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


@pytest.fixture(autouse=True)
def private_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Compiled templates go to a cache home of this test's own."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture
def built(tmp_path: Path, run_cli: Callable[..., Run]) -> tuple[Path, dict[str, str]]:
    """tests/sites/basic built once with its cache; the tree a clean build gives."""
    root = copy_site(SITES / "basic", tmp_path / "site")
    assert run_cli("build", "--root", root).status == 0
    return root, tree_digest(root / "output")


def _cache_files(root: Path) -> list[Path]:
    return sorted(path for path in (root / CACHE).rglob("*") if path.is_file())


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if "cache file ignored" in line]


def test_a_planted_pickle_is_never_loaded(
    built: tuple[Path, dict[str, str]], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    """Where the pickled format kept its files, and in place of every file of the new one."""
    root, clean = built
    marker = tmp_path / "code-ran"
    payload = pickle.dumps({"x": _Plant(marker)})
    cache = root / CACHE
    (cache / "articles-v3").mkdir()
    for name in ("articles-v3/00.pickle", "digests-v3.pickle", "pages-0123456789abcdef-v3.pickle"):
        (cache / name).write_bytes(payload)
    (cache / "jinja").mkdir()
    (cache / "jinja" / "__jinja2_x.cache").write_bytes(payload)
    for path in _cache_files(root):
        if ".pickle" not in path.name and "jinja" not in str(path):
            path.write_bytes(payload)
    (root / "content" / "a1.md").write_text(
        (root / "content" / "a1.md").read_text().replace("twenty", "thirty")
    )
    for command in (["build"], ["check"], ["build", "--jobs", "2"]):
        result = run_cli(*command, "--root", root)
        assert result.status == 0, result.err
        assert not marker.exists()
    # Old formats are deleted unread, the new files rewritten as data.
    assert not (cache / "articles-v3").exists() and not (cache / "jinja").exists()
    assert not list(cache.glob("*.pickle"))
    assert all(b"newsdigest-cache" in path.read_bytes()[:20] for path in _cache_files(root))


@pytest.mark.parametrize(
    "spoil",
    [
        "pickle",
        "garbage",
        "truncated",
        "wrong-length",
        "wrong-shape",
        "wrong-type",
        "other-format",
        "symlink",
    ],
)
def test_an_unusable_cache_is_ignored_with_one_warning_and_rebuilt(
    spoil: str,
    built: tuple[Path, dict[str, str]],
    run_cli: Callable[..., Run],
    tmp_path: Path,
) -> None:
    root, clean = built
    outside = tmp_path / "outside.txt"
    outside.write_text("not the cache's\n")
    for path in _cache_files(root):
        data = path.read_bytes()
        header, _, rest = data.partition(b"\n")
        document, _, tail = rest.partition(b"\n")
        if spoil == "pickle":
            path.write_bytes(pickle.dumps({"x": 1}))
        elif spoil == "garbage":
            path.write_bytes(os.urandom(300))
        elif spoil == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif spoil == "wrong-length":  # the header says the document ends a byte early
            cut = cache_file_with(header, document, tail)
            path.write_bytes(
                cut.replace(f" {len(document)}\n".encode(), f" {len(document) - 1}\n".encode(), 1)
            )
        elif spoil == "wrong-shape":
            path.write_bytes(cache_file_with(header, b'{"articles": [1, 2, 3]}'))
        elif spoil == "wrong-type":  # the same document, each text that can be a number is one
            spoiled = json.dumps(_numbers_for_texts(json.loads(document))).encode()
            path.write_bytes(cache_file_with(header, spoiled, tail))
        elif spoil == "other-format":
            path.write_bytes(
                header.replace(f" {FORMAT} ".encode(), b" 99 ") + b"\n" + document + b"\n" + tail
            )
        elif spoil == "symlink":
            path.unlink()
            path.symlink_to(outside)
    result = run_cli("build", "--root", root, "--no-cache")  # writes nothing to the cache
    assert _warnings(result.err) == []
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    [line] = _warnings(result.err)
    assert line.startswith(str(root / CACHE)) and "it is rebuilt" in line
    assert "Traceback" not in result.err
    assert tree_digest(root / "output") == clean
    assert outside.read_text() == "not the cache's\n"
    # Rebuilt: the next build is silent and reuses everything.
    again = run_cli("build", "--root", root)
    assert _warnings(again.err) == []
    assert "(0 rendered, 0 files changed, 0 removed)" in again.out
    assert tree_digest(root / "output") == clean


def _numbers_for_texts(value: object) -> object:
    if isinstance(value, list):
        return [_numbers_for_texts(item) for item in value]
    if isinstance(value, str) and len(value) > 30:
        return 12345
    return value


def test_a_linked_cache_folder_is_not_followed(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    root = site_copy("basic")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / CACHE).symlink_to(elsewhere)
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    assert len(_warnings(result.err)) == 1
    assert list(elsewhere.iterdir()) == []


def test_compiled_templates_live_in_a_private_folder_outside_the_project(
    built: tuple[Path, dict[str, str]], private_cache_home: Path
) -> None:
    root, _ = built
    folder = private_cache_home / "newsdigest" / "jinja"
    assert list(folder.iterdir())
    for path in (folder, folder.parent):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
        assert path.stat().st_uid == os.getuid()
    assert not (root / CACHE / "jinja").exists()


def test_a_cache_home_others_can_write_is_not_used(
    site_copy: Callable[[str], Path],
    run_cli: Callable[..., Run],
    private_cache_home: Path,
) -> None:
    shared = private_cache_home / "newsdigest"
    shared.mkdir(parents=True)
    shared.chmod(0o777)
    root = site_copy("basic")
    assert run_cli("build", "--root", root).status == 0
    assert not (shared / "jinja").exists() or not list((shared / "jinja").iterdir())


def test_compiled_templates_are_not_shared_across_base_urls(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run]
) -> None:
    """Jinja folds `"style.css" | url` into the compiled code: a template compiled for one
    base URL must not be reused for another (the folder is shared by all projects)."""
    root = site_copy("basic")
    assert run_cli("build", "--root", root, "--base-url", "https://a.example/").status == 0
    assert 'href="/style.css"' in (root / "output" / "index.html").read_text()
    assert run_cli("build", "--root", root, "--base-url", "https://b.example/sub/").status == 0
    assert 'href="/sub/style.css"' in (root / "output" / "index.html").read_text()


EXTRA = (
    ("bytes", b"\x00\xff"),
    ("date", dt.date(2025, 2, 3)),
    ("float", 1.5),
    ("huge", 10**40),
    ("mapping", {1: [None, True], "k": {"nested": (1, 2)}, None: 2.0}),
    ("moment", dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
    ("naive", dt.datetime(2025, 1, 2, 3, 4, 5, 6)),
    ("set", {"a", "b"}),
    ("text", "caf\u00e9 \U0001f600 \ud800"),  # a lone surrogate too
)


def _without_sets(article: Article) -> Article:
    return dataclasses.replace(
        article,
        extra_items=tuple(item for item in article.extra_items if not isinstance(item[1], set)),
    )


@pytest.mark.parametrize(
    "date",
    [
        dt.datetime(2025, 3, 30, 1, 30, tzinfo=dt.UTC),
        dt.datetime(2025, 10, 26, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Berlin")),
        dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-3), "BRT")),
        dt.datetime(2025, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
    ],
)
def test_every_article_field_reads_back_exactly(date: dt.datetime, tmp_path: Path) -> None:
    article = Article(
        source="content/a.md",
        slug="a",
        title="A <title> with \u00e9",
        date=date,
        updated=date + dt.timedelta(days=1),
        tags=("One", "Two"),
        summary_utf8=Blob.held(b"Summary."),
        body_utf8=Blob.held("<p>Body \u00e9</p>".encode()),
        authors=("Ann", "Bo"),
        publisher="P",
        original_url="https://example.org/x",
        draft=True,
        image="/i.png",
        lang="de",
        word_count=7,
        search_words_utf8=Blob.held(b"body"),
        extra_items=EXTRA,
        url="/2025/a/",
        digest="ab" * 20,
        field_lines=(("date", 3), ("title", 2)),
    )
    store = cache_module.BuildCache(tmp_path, tmp_path / "output")
    store.save_articles({article.digest: article})
    [loaded] = cache_module.BuildCache(tmp_path, tmp_path / "output").load_articles().values()
    assert loaded == article
    # Time zone objects and fold included; a set's repr is left out, as its order is the
    # hash seed's and not the cache's.
    assert repr(_without_sets(loaded)) == repr(_without_sets(article))
    assert loaded.date.tzname() == article.date.tzname()


def test_serve_never_loads_a_planted_pickle(
    site_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    root = site_copy("basic")
    marker = tmp_path / "code-ran"
    payload = pickle.dumps({"x": _Plant(marker)})
    err = io.StringIO()
    server = DevServer(
        ServeOptions(root=root, port=0, workers=1), Console(out=io.StringIO(), err=err, environ={})
    )
    try:
        assert server.rebuild()
        for path in _cache_files(root):
            if "/serve/" not in str(path):
                path.write_bytes(payload)
        (root / "content" / "a1.md").write_text(
            (root / "content" / "a1.md").read_text().replace("twenty", "thirty")
        )
        assert server.rebuild()
    finally:
        server.httpd.server_close()
    assert not marker.exists()
    assert len(_warnings(err.getvalue())) == 1
    assert (root / CACHE / "serve" / "index.html").is_file()


def test_temporary_files_of_killed_builds_are_cleared(
    built: tuple[Path, dict[str, str]], run_cli: Callable[..., Run]
) -> None:
    root, _ = built
    cache = root / CACHE
    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    left = [
        cache / f"digests-v{FORMAT}.tmp-{dead}",
        cache / f"articles-v{FORMAT}" / f"00.tmp-{dead}",
    ]
    running = cache / f"digests-v{FORMAT}.tmp-{os.getpid()}"
    for path in [*left, running]:
        path.write_bytes(b"half a file")
    (root / "content" / "a1.md").write_text(
        (root / "content" / "a1.md").read_text().replace("twenty", "thirty")
    )
    assert run_cli("build", "--root", root).status == 0
    assert [path.exists() for path in left] == [False, False]
    assert running.exists()  # a build running now may be about to rename it


def _article(**fields: Any) -> Article:
    """An article as a parse makes one, with what a test sets."""
    made: dict[str, Any] = {
        "source": "content/a.md",
        "slug": "a",
        "title": "A",
        "date": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        "updated": None,
        "tags": (),
        "summary_utf8": Blob.held(b""),
        "body_utf8": Blob.held(b""),
        "digest": "cd" * 20,
    }
    return Article(**{**made, **fields})


def _use_parser(monkeypatch: pytest.MonkeyPatch, fast: bool) -> None:
    """orjson (fast; skipped where it is not installed), or the standard library's."""
    if not fast:
        monkeypatch.setattr(cache_module, "_orjson", None)
    elif cache_module._orjson is None:
        pytest.skip("orjson is not installed")


def test_an_article_with_a_value_too_long_for_text_is_built_but_not_cached(
    tmp_path: Path,
) -> None:
    article = _article(extra_items=(("n", 10**4290),))
    cache_module.BuildCache(tmp_path, tmp_path / "output").save_articles({article.digest: article})
    assert cache_module.BuildCache(tmp_path, tmp_path / "output").load_articles() == {}


@pytest.mark.parametrize("fast_parser", [True, False])
@pytest.mark.parametrize(
    "values",
    [
        (("n", 10**30), ("m", [-(2**64), 2**63 - 1, -(2**63)]), ("k", {"x": 2**63})),
        (("f", float("inf")), ("s", "\ud800 and \U0001f600")),
    ],
    ids=["long integers", "refused by orjson"],
)
def test_values_the_fast_parser_would_change_are_read_back_the_same(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fast_parser: bool,
    values: tuple[tuple[str, object], ...],
) -> None:
    """orjson (installed with the test extra) reads the cache where it is installed. It
    reads integers beyond 64 bits as floats, so those are written as text; what it refuses
    and the standard parser reads comes back the same, not as a cache miss."""
    _use_parser(monkeypatch, fast_parser)
    article = _article(
        tags=("Économie",),
        summary_utf8=Blob.held(b"s"),
        body_utf8=Blob.held(b"b"),
        extra_items=values,
    )
    warnings: list[str] = []
    cache_module.BuildCache(tmp_path, tmp_path / "output").save_articles({article.digest: article})
    loaded = cache_module.BuildCache(
        tmp_path, tmp_path / "output", warn=warnings.append
    ).load_articles()
    assert loaded == {article.digest: article} and warnings == []
    assert repr(loaded[article.digest].extra_items) == repr(values)  # 10**30 is no float


@pytest.mark.parametrize("fast_parser", [True, False])
def test_remembered_digests_of_undecodable_file_names_are_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_parser: bool
) -> None:
    """A file name that is not UTF-8 reaches the cache as lone surrogates, which orjson
    will not write: that document is written by the standard library instead."""
    _use_parser(monkeypatch, fast_parser)
    stamps = array(cache_module.STAMP_TYPE, [7, 10, 2**62, 1, 8, 11, 2**62 + 1, 2])
    known = cache_module.KnownDigests(
        "scheme", ["content/caf\udce9.md", "content/café.md"], ["ab" * 20, "cd" * 20], stamps
    )
    cache = cache_module.BuildCache(tmp_path, tmp_path / "output")
    cache.save_known_digests(known)
    warnings: list[str] = []
    again = cache_module.BuildCache(tmp_path, tmp_path / "output", warn=warnings.append)
    assert again.load_known_digests("scheme") == known and warnings == []
    assert known.stamp_rows()[1] == cache_module.FileStamp(8, 11, 2**62 + 1, 2)


def test_page_records_read_back_as_written(tmp_path: Path) -> None:
    """The manifest keeps its records in columns and makes a record per file only when one
    is asked for: what comes back is what was saved, lookups of other paths included."""
    records = {
        "index.html": cache_module.PageRecord("f1", 120, ("base_url", "title")),
        "a/index.html": cache_module.PageRecord("f2", 80, ("title",)),
        "style.css": cache_module.PageRecord("", 14, ()),  # a static file
        "b/index.html": cache_module.PageRecord("f3", 95, ("base_url", "title")),
    }
    manifest = cache_module.Manifest(
        build_key="k",
        config_key="c",
        valid_until=None,
        summary=(2, 1, 1),
        skipped=(),
        records=cache_module.PageRecords.of(records),
    )
    cache = cache_module.BuildCache(tmp_path, tmp_path / "output")
    cache.save_manifest(manifest)
    loaded = cache_module.BuildCache(tmp_path, tmp_path / "output").load_manifest()
    assert loaded is not None
    assert (list(loaded.records.paths), list(loaded.records.sizes)) == (
        list(records),
        [120, 80, 14, 95],
    )
    assert loaded.records.rendered() == 3
    assert dict(loaded.records) == records and list(loaded.records) == list(records)
    assert loaded.records.get("missing.html") is None and "a/index.html" in loaded.records


def test_page_records_patched_in_place_are_the_records_of_the_new_build() -> None:
    """A build whose pages lead the last build's records, in order, patches the records
    at their positions: what it gets is what the records of that build, made one by one,
    would be, static files after the pages."""
    last = cache_module.PageRecords.of(
        {
            "index.html": cache_module.PageRecord("f1", 120, ("title",)),
            "a/index.html": cache_module.PageRecord("f2", 80, ()),
            "gone/index.html": cache_module.PageRecord("f3", 95, ()),
            "style.css": cache_module.PageRecord("", 14, ()),
        }
    )
    pages = ["index.html", "a/index.html"]
    assert last.lead_with(pages) and last.lead_with([])
    assert not last.lead_with(["a/index.html", "index.html"])
    assert not last.lead_with([*pages, "gone/index.html", "style.css", "more.html"])
    assert last.at(1) == cache_module.PageRecord("f2", 80, ())
    remade = cache_module.PageRecord("f9", 81, ("title",))
    static = cache_module.PageRecord("", 15, ())
    patched = last.patched(len(pages), {1: remade}, {"style.css": static})
    assert dict(patched) == {
        "index.html": cache_module.PageRecord("f1", 120, ("title",)),
        "a/index.html": remade,
        "style.css": static,
    }
    assert list(patched) == ["index.html", "a/index.html", "style.css"]
    assert dict(last)["a/index.html"] == cache_module.PageRecord("f2", 80, ())  # untouched


def _reversed_digests(document: list[Any]) -> None:
    document[0][0], document[1][0] = document[1][0], document[0][0]


def _set_field(name: str, value: object) -> Callable[[list[Any]], None]:
    def spoil(document: list[Any]) -> None:
        document[1][2][article_codec._NAMES.index(name)] = value

    return spoil


def _set_digest(digest: str) -> Callable[[list[Any]], None]:
    def spoil(document: list[Any]) -> None:
        document[1][0] = digest

    return spoil


def _set_length(change: int) -> Callable[[list[Any]], None]:
    def spoil(document: list[Any]) -> None:
        document[1][1][0] += change

    return spoil


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_set_field("image_width", True), "whole number expected"),
        (_set_field("draft", 0), "true or false expected"),
        (_set_field("title", 7), "text expected"),
        (_set_field("tags", ["Economy", 3]), "list of texts expected"),
        (_set_field("tags", "Economy"), "list of texts expected"),
        (_set_field("date", "yesterday"), "bad date-time"),
        (_set_field("updated", "tomorrow"), "bad date-time"),
        (_set_field("extra_items", [["n", ["int", "١٢"]]]), "unknown value type 'int'"),
        (_set_field("extra_items", {}), "list of fields expected"),
        (_set_field("field_lines", [["title", 2]]), "text expected"),
        (_set_field("field_lines", '[["title", "2"]]'), "whole number expected"),
        (_set_digest("zz" * 20), "article digest expected"),
        (_set_digest("01" * 20), "article entry expected"),
        (_reversed_digests, "article filed under another digest"),
        (_set_length(1), "article body out of place"),
        (_set_length(-1), "unexpected bytes after the article bodies"),
        (_set_length(-(10**6)), "article body out of place"),
        (_set_field("url", "/../../outside/"), "article URL outside the output folder"),
        (_set_field("url", "2025/01/one/"), "article URL outside the output folder"),
    ],
    ids=[
        "bool",
        "int",
        "number",
        "tags",
        "tags not a list",
        "date",
        "updated",
        "other digits",
        "extras not a list",
        "field lines not a text",
        "field line not a number",
        "digest not hex",
        "digest of another shard",
        "digests",
        "long",
        "short",
        "negative",
        "url leaving the output",
        "url not a site path",
    ],
)
def test_a_shard_with_one_wrong_value_is_ignored_whole_and_named(
    tmp_path: Path, spoil: Callable[[list[Any]], None], reason: str
) -> None:
    """The article cache is checked a column at a time: one wrong value anywhere in a
    shard drops the shard (its articles are parsed again), with the reason."""
    stories = [
        _article(
            source=f"content/{name}.md",
            slug=name,
            title=name.title(),
            date=dt.datetime(2025, 1, day, tzinfo=dt.UTC),
            tags=("Economy",),
            summary_utf8=Blob.held(b"summary " + name.encode()),
            body_utf8=Blob.held(b"body of " + name.encode()),
            digest=digest,
        )
        for name, day, digest in [("one", 1, "cd" * 20), ("two", 2, "abcd" + "ef" * 18)]
    ]
    cache_module.BuildCache(tmp_path, tmp_path / "output").save_articles(
        {story.digest: story for story in stories}
    )
    assert len(cache_module.BuildCache(tmp_path, tmp_path / "output").load_articles()) == 2
    [shard] = (tmp_path / CACHE).glob("articles-v*/*")
    header, _, rest = shard.read_bytes().partition(b"\n")
    document, _, tail = rest.partition(b"\n")
    spoiled = json.loads(document)
    spoil(spoiled)
    shard.write_bytes(cache_file_with(header, json.dumps(spoiled).encode(), tail))
    warnings: list[str] = []
    loaded = cache_module.BuildCache(tmp_path, tmp_path / "output", warn=warnings.append)
    assert loaded.load_articles() == {}
    [warning] = warnings
    assert reason in warning and not shard.exists()


def test_a_manifest_naming_files_outside_the_output_is_ignored(
    built: tuple[Path, dict[str, str]], run_cli: Callable[..., Run]
) -> None:
    """The manifest lists what the last build wrote, which the next one may delete."""
    root, clean = built
    [pages] = (root / CACHE).glob("pages-*")
    header, _, rest = pages.read_bytes().partition(b"\n")
    document = json.loads(rest.partition(b"\n")[0])
    document[5][0] = "../site.yaml"  # the column of output paths
    pages.write_bytes(cache_file_with(header, json.dumps(document).encode()))
    site = (root / "site.yaml").read_bytes()
    (root / "content" / "a1.md").unlink()
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    [line] = _warnings(result.err)
    assert "'../site.yaml' outside the output folder" in line
    assert (root / "site.yaml").read_bytes() == site


def test_compiled_templates_nobody_wrote_for_a_month_are_deleted(
    site_copy: Callable[[str], Path], run_cli: Callable[..., Run], private_cache_home: Path
) -> None:
    folder = private_cache_home / "newsdigest" / "jinja"
    folder.mkdir(parents=True, mode=0o700)
    folder.parent.chmod(0o700)
    old, recent = folder / "newsdigest-old-x.cache", folder / "newsdigest-new-x.cache"
    for path in (old, recent):
        path.write_bytes(b"j2")
    month = 31 * 86400
    os.utime(old, (old.stat().st_atime - month, old.stat().st_mtime - month))
    assert run_cli("build", "--root", site_copy("basic")).status == 0
    assert not old.exists() and recent.exists()
