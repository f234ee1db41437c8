"""The benchmark corpus is only worth comparing across runs and machines if it is reproducible,
valid input for the build, and shaped like a news archive (a few tags dominate)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import load_bench_script

from generator.core.errors import Diagnostic
from generator.core.frontmatter import parse_front_matter

BENCH = Path(__file__).resolve().parent.parent / "bench"
COUNT = 30
REQUIRED = {
    "title": str,
    "date": str,  # newsdigest's loader keeps dates as text and parses them itself
    "tags": list,
    "publisher": str,
    "original_url": str,
    "slug": str,
}


make_corpus = load_bench_script("make_corpus")


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    assert make_corpus.main([str(COUNT), "--seed", "1", "--out", str(out)]) == 0
    return out


def test_same_seed_gives_byte_identical_files(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    again = tmp_path_factory.mktemp("again")
    make_corpus.make_corpus(COUNT, 1, again, make_corpus.FLAVOURS)
    for flavour in make_corpus.FLAVOURS:
        assert _files(corpus / flavour) == _files(again / flavour), flavour


def test_other_seed_gives_other_articles() -> None:
    first = make_corpus.CorpusMaker(1).articles(COUNT)
    second = make_corpus.CorpusMaker(2).articles(COUNT)
    assert [a.title for a in first] != [a.title for a in second]


def test_every_flavour_has_every_article(corpus: Path) -> None:
    counts = {
        flavour: len(list((corpus / flavour / "content").rglob("*.md")))
        for flavour in make_corpus.FLAVOURS
    }
    assert counts == dict.fromkeys(make_corpus.FLAVOURS, COUNT)
    assert (corpus / "newsdigest" / "site.yaml").is_file()
    assert (corpus / "hugo" / "config.yaml").is_file()
    assert (corpus / "pelican" / "pelicanconf.py").is_file()


def test_newsdigest_front_matter_is_valid_and_complete(corpus: Path) -> None:
    site = yaml.safe_load((corpus / "newsdigest" / "site.yaml").read_text(encoding="utf-8"))
    assert site["base_url"] == "https://bench.example.org/"
    slugs = set()
    for path in sorted((corpus / "newsdigest" / "content").rglob("*.md")):
        parsed = parse_front_matter(path.read_text(encoding="utf-8"), path)
        assert not isinstance(parsed, Diagnostic), parsed
        fields = parsed.fields
        for name, kind in REQUIRED.items():
            assert isinstance(fields.get(name), kind), (path, name)
        date = fields["date"]
        assert dt.datetime.fromisoformat(date).utcoffset() == dt.timedelta(0), (path, date)
        assert path.parent.as_posix().endswith(date[:7].replace("-", "/")), path
        assert path.name == f"{date[8:10]}-{fields['slug']}.md"
        assert 1 <= len(fields["tags"]) <= 4 and len(set(fields["tags"])) == len(fields["tags"])
        assert fields["original_url"].startswith("https://")
        assert ".example.com/" in fields["original_url"]
        assert len(parsed.body.split()) > 100, path
        slugs.add(fields["slug"])
    assert len(slugs) == COUNT


def test_tags_follow_a_skewed_distribution() -> None:
    """Zipf-like: the top tag is far more common than the median tag, as on real news sites."""
    articles = make_corpus.CorpusMaker(1).articles(COUNT)
    counts = Counter(tag for article in articles for tag in article.tags)
    assert counts.most_common(1)[0][1] >= 5 * statistics.median(counts.values())


def test_parse_cost_reports_every_step_with_its_ratio_to_the_cmark_parse(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """bench/parse_cost.py backs the README's account of where a cold build's CPU goes."""
    load_bench_script("make_corpus")
    parse_cost = load_bench_script("parse_cost")
    parse_cost.main(["--articles", "12", "--passes", "3"])
    rows = [line.split("|")[1:-1] for line in capsys.readouterr().out.splitlines()[4:]]
    costs = {name.strip(): float(cost.split()[0]) for name, cost, _, _ in rows}
    # Every step is reported with a positive cost. Which step costs more is what the script
    # measures, not what a test may assert: on a loaded machine any two timings can swap.
    assert len(costs) == 8 and all(cost > 0 for cost in costs.values())
