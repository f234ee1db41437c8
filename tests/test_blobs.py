"""Article bodies and search words live in files, not in the build's memory (blobs.py):
read back exactly, written to the cache as they were parsed, and never left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.build.article import BLOB_FIELDS
from generator.build.blobs import Blob, SpillFile
from generator.build.cache import BuildCache
from generator.build.config import load_config
from generator.build.pipeline import _scan, read_articles

SITE = "title: Blobs\nbase_url: https://example.org/\n"


def _project(tmp_path: Path, count: int) -> Path:
    (tmp_path / "site.yaml").write_text(SITE)
    content = tmp_path / "content"
    content.mkdir()
    for number in range(count):
        (content / f"a{number}.md").write_text(
            f"---\ntitle: Story {number}\ndate: 2025-01-{number % 28 + 1:02d}\n---\n"
            f"Body of story {number} with a caf\u00e9 and \U0001f600.\n",
            encoding="utf-8",
        )
    return tmp_path


def _read(root: Path, cache: BuildCache) -> list:
    config = load_config(root, None)
    sources = _scan(root, config, cache, remember=False).sources
    cached = cache.load_articles()
    articles, _, _ = read_articles(
        config,
        sources,
        cached,
        workers=1,
        include_drafts=False,
        spill=SpillFile(cache.spill_folder),
    )
    return articles


def test_parsed_bodies_are_spilled_not_held(tmp_path: Path) -> None:
    root = _project(tmp_path, 5)
    articles = _read(root, BuildCache(root, root / "output"))
    assert len(articles) == 5
    for article in articles:
        assert BLOB_FIELDS == ("summary_utf8", "body_utf8", "search_words_utf8")
        assert not any(getattr(article, name).is_held for name in BLOB_FIELDS)
        assert article.summary.startswith("Body of story")
        number = article.title.split()[-1]
        assert (
            article.body_html == f"<p>Body of story {number} with a caf\u00e9 and \U0001f600.</p>"
        )
        assert "cafe" in article.search_words.split()  # folded


def test_bodies_read_back_from_the_cache_shards(tmp_path: Path) -> None:
    root = _project(tmp_path, 7)
    cache = BuildCache(root, root / "output")
    first = _read(root, cache)
    cache.save_articles({article.digest: article for article in first})
    again = BuildCache(root, root / "output").load_articles()
    assert {a.digest: (a.body_html, a.search_words) for a in again.values()} == {
        a.digest: (a.body_html, a.search_words) for a in first
    }
    # Only the JSON documents were read: the bodies are still in the shard files.
    assert all(article.body_utf8.file is not None for article in again.values())
    # Nothing of the spill file is left in the cache folder (it was never named).
    assert not [name for name in os.listdir(root / ".newsdigest-cache") if "spill" in name]


def test_a_blob_sent_to_another_process_carries_its_bytes(tmp_path: Path) -> None:
    import pickle

    spill = SpillFile(tmp_path)
    stored = spill.put(Blob.held(b"<p>x</p>"))
    assert not stored.is_held
    copy = pickle.loads(pickle.dumps(stored))
    assert copy.is_held and copy.data() == b"<p>x</p>" and copy == stored


def test_a_shard_truncated_during_a_build_is_an_error_not_wrong_bytes(tmp_path: Path) -> None:
    root = _project(tmp_path, 3)
    cache = BuildCache(root, root / "output")
    cache.save_articles({article.digest: article for article in _read(root, cache)})
    loaded = list(BuildCache(root, root / "output").load_articles().values())
    for shard in (root / ".newsdigest-cache").glob("articles-v*/*"):
        os.truncate(shard, 10)
    with pytest.raises(OSError, match="truncated"):
        _ = loaded[0].body_html
