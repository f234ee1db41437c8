"""Incremental builds of an archive large enough for the shortcuts to matter (paginated tags
and listings, many editions and months, a split search index) must write what a cold build
writes, after every kind of change, one after another on the same site and caches."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import load_bench_script, tree_digest

from generator.build import pages
from generator.build.pipeline import BuildOptions, BuildResult, build_site

BENCH = Path(__file__).resolve().parent.parent / "bench"
NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
ARTICLES = 150


def _build(root: Path, **options: object) -> BuildResult:
    return build_site(BuildOptions(root=root, now=NOW, **options))  # type: ignore[arg-type]


def _files(root: Path) -> list[Path]:
    return sorted((root / "content").rglob("*.md"))


def _rewrite(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert changed != text, f"{pattern!r} not found in {path}"
    path.write_text(changed, encoding="utf-8")


def _edit_bodies(root: Path) -> None:
    """Bodies only, the commonest edit (a typo fixed): the site keeps its shape, so only the
    pages showing these articles are fingerprinted again (see pages.page_prints). Among
    them the newest story (front page, every feed) and one whose summary is its body's
    first words."""
    files = _files(root)
    for path in (files[-1], files[75], files[0]):
        text = path.read_text(encoding="utf-8")
        front, _, body = text.partition("\n---\n")
        path.write_text(f"{front}\n---\nCorrected first words. {body}", encoding="utf-8")


def _correct_headlines(root: Path) -> None:
    """Headlines corrected in articles with a slug of their own: the site keeps its shape,
    as for a body edit. Among them the newest story, on the front page and in every feed."""
    slugged = [path for path in _files(root) if "\nslug: " in path.read_text(encoding="utf-8")]
    assert len(slugged) >= 3
    for path in (slugged[-1], slugged[len(slugged) // 2], slugged[0]):
        _rewrite(path, r'^title: "(.*)"$', r'title: "\1, corrected"')


def _edit_date_and_tags(root: Path) -> None:
    """An edited body, an article moved to another day, month and year, new tags."""
    files = _files(root)
    with files[10].open("a", encoding="utf-8") as file:
        file.write("\nA late correction to this story.\n")
    _rewrite(files[20], r"^date: .*$", "date: 2024-02-29T08:30:00+00:00")
    _rewrite(files[30], r"^tags:\n(?:  - .*\n)+", 'tags:\n  - "Brand new tag"\n  - "Economy"\n')


def _rename_delete_add(root: Path) -> None:
    files = _files(root)
    files[40].rename(files[40].with_name("renamed-" + files[40].name))
    files[50].unlink()
    files[60].unlink()
    (root / "content" / "added.md").write_text(
        "---\ntitle: A story added later\ndate: 2025-06-15T10:00:00+00:00\n"
        "tags: [Economy, Late additions]\npublisher: Added Press\n---\n\nFresh news.\n",
        encoding="utf-8",
    )


def _configure(root: Path) -> None:
    _rewrite(root / "site.yaml", r"^per_page: 20$", "per_page: 7")
    _rewrite(root / "site.yaml", r"^feed_limit: 20$", "feed_limit: 5")


def _delete_output_files(root: Path) -> None:
    """Files deleted by hand are written again, though no input changed."""
    output = root / "output"
    for path in sorted(output.rglob("*.html"))[::40]:
        path.unlink()


STEPS: tuple[tuple[str, Callable[[Path], None]], ...] = (
    ("bodies only", _edit_bodies),
    ("headlines corrected", _correct_headlines),
    ("edit, date, tags", _edit_date_and_tags),
    ("rename, delete, add", _rename_delete_add),
    ("site.yaml", _configure),
    ("output deleted by hand", _delete_output_files),
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = load_bench_script("make_corpus")
    out = tmp_path_factory.mktemp("archive")
    corpus.make_corpus(ARTICLES, 7, out, ("newsdigest",))
    return out / "newsdigest"


def test_each_change_to_an_archive_builds_what_a_cold_build_does(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _build(archive)
    assert first.pages > ARTICLES + 50  # tag, edition, month and listing pages too
    fingerprinted: list[str] = []  # pages fingerprinted one by one (not in a full pass)
    real_inputs_text = pages.inputs_text

    def counted(view: pages.SiteView, page: pages.Page) -> str:
        fingerprinted.append(page.url)
        return real_inputs_text(view, page)

    monkeypatch.setattr(pages, "inputs_text", counted)
    for name, change in STEPS:
        change(archive)
        fingerprinted.clear()
        result = _build(archive)
        if name in {
            "bodies only",
            "headlines corrected",
        }:  # the shape held: only the edited articles' pages
            assert 3 <= len(fingerprinted) < result.pages // 4, fingerprinted
        assert result.written, f"{name}: nothing was written"
        assert result.rendered < result.pages, f"{name}: every page was rendered again"
        cold = tmp_path / "cold"
        shutil.rmtree(cold, ignore_errors=True)
        _build(archive, output=cold, use_cache=False)
        assert tree_digest(archive / "output") == tree_digest(cold), name
