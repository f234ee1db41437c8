"""Deterministic, seeded corpus of synthetic news articles for benchmarking site builds.

The same articles are emitted for newsdigest, Hugo and Pelican, so that a benchmark compares
the generators and not the inputs. Everything derives from one `random.Random(seed)`: the same
N and seed give byte-identical files on every machine and Python 3.11+ (no clock, no hash
randomisation, no dict-order accidents).

Usage: python bench/make_corpus.py N --seed 1 --out DIR [--flavour newsdigest|hugo|pelican|all]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

FLAVOURS = ("newsdigest", "hugo", "pelican")
PEERS_DIR = Path(__file__).resolve().parent / "peers"
# Written into every flavour folder we create, so a re-run may delete only what it made itself.
MARKER = ".bench-corpus"
# Fixed and in the past, so no article is ever "in the future" and skipped by a generator.
LAST_DAY = dt.date(2025, 12, 31)
ARTICLES_PER_DAY = 30
MEAN_WORDS = 740
MAX_SLUG = 72  # newsdigest's slugify stops at 80; this leaves room for a `-NN` suffix
SITE_YAML = (
    "title: Bench Digest\n"
    "base_url: https://bench.example.org/\n"
    "timezone: UTC\n"
    "per_page: 20\n"
    "feed_limit: 20\n"
)

# Word lists as text blocks, which read better than 300 quoted literals (hence the noqa).
# Common words of news prose; ranked roughly by frequency so a Zipf draw reads plausibly.
_WORDS = """
the of and to in a is that for on said with as was by at it from has have be are an this
will its were which but their not they government year new more after who been would also
people had two first one about last over up than other could percent city state minister
police officials week president country told million time years report since three under
market company before while into council court public national during police new health
plan workers between some local agency water energy prices school election party budget
according month data support news power law since region members announced spokesperson
leaders industry project residents hospital rail bridge harbour coast storm rainfall
farmers exports growth inflation rates bank central policy talks agreement deal vote
parliament committee investigation study researchers scientists climate emissions
wind solar grid transport airport flights border trade tariffs union strike wages
housing rents construction museum festival season league match final club coach
players tournament record highest lowest quarter annual figures survey analysts
investors shares index currency officials ministry statement decision review
proposal funding services community district province county village mayor
university students teachers programme software network security technology
""".split()  # noqa: SIM905

_TOPICS = """
politics economy business markets technology science health climate energy environment
education transport housing crime justice courts elections parliament diplomacy trade
agriculture fisheries weather storms floods wildfires sport football cricket tennis
athletics culture music film theatre books art museums travel tourism aviation rail
shipping ports labour unions wages inflation banking finance startups telecoms space
research medicine vaccines hospitals pensions welfare migration defence security cyber
privacy media broadcasting newspapers religion history archaeology wildlife oceans
forests water drought mining oil gas nuclear solar wind batteries cars cycling roads
bridges cities villages tax budget debt currency stocks bonds property retail food
""".split()  # noqa: SIM905

_REGIONS = """
Europe Asia Africa Americas Oceania Nordics Baltics Balkans Iberia Alps Andes Sahel
Pacific Atlantic Arctic Mediterranean Caribbean Gulf Himalaya Amazon
""".split()  # noqa: SIM905

_PUBLISHERS = """
Herald Chronicle Gazette Courier Observer Tribune Post Times Ledger Sentinel Dispatch
Examiner Record Bulletin Monitor Journal Register Beacon Mercury Standard Express
Guardian Telegraph Review Star Sun Mirror Echo Press Reporter Inquirer Globe Clarion
Messenger Leader Voice Digest Despatch Advertiser Argus
""".split()  # noqa: SIM905


@dataclass(frozen=True)
class Article:
    """One synthetic article, independent of any generator's file format."""

    title: str
    slug: str
    date: dt.datetime
    tags: tuple[str, ...]
    publisher: str
    original_url: str
    body: str

    @property
    def stem(self) -> str:
        """File stem `DD-slug`: the date keeps a day's files together, the slug keeps them apart."""
        return f"{self.date:%d}-{self.slug}"


def zipf_cum_weights(n: int, exponent: float = 1.0) -> list[float]:
    """Cumulative Zipf weights for ranks 1..n, the form `random.choices` draws from fastest."""
    return list(itertools.accumulate(1.0 / rank**exponent for rank in range(1, n + 1)))


class CorpusMaker:
    """Draws articles from one seeded generator; a sentence pool keeps 10,000 articles fast.

    Drawing every word separately would cost about 7 million draws for 10,000 articles; drawing
    sentences from a pool of pre-made ones costs a fifteenth of that and Markdown does not care.
    """

    def __init__(self, seed: int, pool_size: int = 6000) -> None:
        self.rng = random.Random(seed)
        self._word_weights = zipf_cum_weights(len(_WORDS), 0.8)
        self.tags = self._make_tags(300)
        self._tag_weights = zipf_cum_weights(len(self.tags))
        self.publishers = [
            f"The {name} Daily" if i % 3 == 0 else f"The {name}"
            for i, name in enumerate(_PUBLISHERS)
        ]
        self.sentences = [self._sentence() for _ in range(pool_size)]
        self._used_slugs: dict[str, int] = {}

    def _make_tags(self, count: int) -> list[str]:
        """A few hundred distinct tags in Zipf rank order: broad topics first, as on news sites,
        then narrower region + topic pairs."""
        names = [topic.capitalize() for topic in _TOPICS]
        self.rng.shuffle(names)
        pairs = [f"{region} {topic}" for region in _REGIONS for topic in _TOPICS]
        self.rng.shuffle(pairs)
        return (names + pairs)[:count]

    def _words(self, count: int) -> list[str]:
        return self.rng.choices(_WORDS, cum_weights=self._word_weights, k=count)

    def _sentence(self) -> str:
        """A sentence of 6 to 26 words, sometimes with emphasis, a link, a number or a quote."""
        words = self._words(self.rng.randint(6, 26))
        roll = self.rng.random()
        position = self.rng.randrange(len(words))
        if roll < 0.06:
            words[position] = f"*{words[position]}*"
        elif roll < 0.09:
            words[position] = f"**{words[position]}**"
        elif roll < 0.13:
            words[position] = (
                f"[{words[position]}](https://www.example.org/{words[position]}/{position})"
            )
        elif roll < 0.20:
            words.insert(position, f"{self.rng.randint(2, 98_000):,}")
        text = " ".join(words)
        text = text[0].upper() + text[1:]
        if self.rng.random() < 0.08:
            return f"\u201c{text},\u201d {self.rng.choice(('she', 'he', 'they'))} said."
        return text + "."

    def _paragraph(self) -> str:
        return " ".join(self.rng.choices(self.sentences, k=self.rng.randint(2, 6)))

    def _body(self) -> str:
        """Paragraphs up to a log-normal word count (mean ~740); some `##` headings, lists, quotes."""
        # sigma 0.45 gives lengths from ~250 to ~1,700 words; mu = ln(mean) - sigma²/2 sets the
        # mean, less ~55 words because the loop overshoots by half a paragraph, lists and headings.
        mu = math.log(MEAN_WORDS - 55) - 0.45**2 / 2
        target = min(3000, max(120, int(self.rng.lognormvariate(mu, 0.45))))
        with_headings = self.rng.random() < 0.45
        list_after = self.rng.randint(1, 4) if self.rng.random() < 0.35 else -1
        blocks: list[str] = []
        words = 0
        paragraphs = 0
        while words < target:
            if with_headings and paragraphs and paragraphs % self.rng.randint(3, 5) == 0:
                blocks.append("## " + " ".join(self._words(self.rng.randint(2, 6))).capitalize())
            paragraph = self._paragraph()
            if self.rng.random() < 0.05:
                paragraph = "> " + paragraph
            blocks.append(paragraph)
            words += paragraph.count(" ") + 1
            paragraphs += 1
            if paragraphs == list_after:
                items = self.rng.choices(self.sentences, k=self.rng.randint(3, 6))
                marker = "1." if self.rng.random() < 0.3 else "-"
                blocks.append("\n".join(f"{marker} {item}" for item in items))
        return "\n\n".join(blocks) + "\n"

    def _unique_slug(self, title: str) -> str:
        """Slug from the title; a repeated one gets `-2`, `-3`... so no two articles collide."""
        base = "-".join(title.lower().split())
        if len(base) > MAX_SLUG:  # cut at a hyphen, as slugify does: long slugs make poor URLs
            base = base[: MAX_SLUG + 1].rsplit("-", 1)[0]
        seen = self._used_slugs.get(base, 0) + 1
        self._used_slugs[base] = seen
        slug = base if seen == 1 else f"{base}-{seen}"
        # A suffixed slug could equal another title's plain slug; claim it too.
        self._used_slugs.setdefault(slug, 1)
        return slug

    def _tags(self) -> tuple[str, ...]:
        count = self.rng.choices((1, 2, 3, 4), weights=(20, 35, 30, 15))[0]
        chosen: list[str] = []
        while len(chosen) < count:
            tag = self.rng.choices(self.tags, cum_weights=self._tag_weights)[0]
            if tag not in chosen:
                chosen.append(tag)
        return tuple(chosen)

    def article(self, day: dt.date) -> Article:
        """One article on `day`, at a random time of that day (UTC)."""
        title = " ".join(self._words(self.rng.randint(5, 11))).capitalize()
        slug = self._unique_slug(title)
        moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(
            seconds=self.rng.randrange(86_400)
        )
        publisher = self.rng.choice(self.publishers)
        domain = publisher.removeprefix("The ").replace(" ", "").lower() + ".example.com"
        return Article(
            title=title,
            slug=slug,
            date=moment,
            tags=self._tags(),
            publisher=publisher,
            original_url=f"https://{domain}/{moment:%Y/%m}/{slug}",
            body=self._body(),
        )

    def articles(self, count: int) -> list[Article]:
        """`count` articles spread over about count/30 days ending on LAST_DAY."""
        days = max(1, math.ceil(count / ARTICLES_PER_DAY))
        first = LAST_DAY - dt.timedelta(days=days - 1)
        return [
            self.article(first + dt.timedelta(days=self.rng.randrange(days))) for _ in range(count)
        ]

    def extra_sentence(self) -> str:
        """A sentence to append to an article, for a benchmark's one-article edit."""
        return self.rng.choice(self.sentences)


def yaml_front_matter(article: Article) -> str:
    """YAML front matter shared by newsdigest and Hugo; JSON strings are valid YAML scalars."""
    tags = "".join(f"  - {json.dumps(tag)}\n" for tag in article.tags)
    return (
        "---\n"
        f"title: {json.dumps(article.title)}\n"
        f"date: {article.date.isoformat()}\n"
        f"tags:\n{tags}"
        f"publisher: {json.dumps(article.publisher)}\n"
        f"original_url: {article.original_url}\n"
        f"slug: {article.slug}\n"
        "---\n\n"
    )


def pelican_metadata(article: Article) -> str:
    """Pelican's Markdown metadata block: `Key: value` lines, then a blank line."""
    return (
        f"Title: {article.title}\n"
        f"Date: {article.date.isoformat()}\n"
        f"Tags: {', '.join(article.tags)}\n"
        f"Slug: {article.slug}\n"
        f"Publisher: {article.publisher}\n"
        f"Original_url: {article.original_url}\n\n"
    )


def article_file(article: Article, flavour: str) -> tuple[str, str]:
    """Path relative to the flavour folder, and file text, of one article."""
    folder = f"{article.date:%Y/%m}"
    if flavour == "newsdigest":
        return f"content/{folder}/{article.stem}.md", yaml_front_matter(article) + article.body
    if flavour == "hugo":
        return f"content/posts/{folder}/{article.stem}.md", yaml_front_matter(
            article
        ) + article.body
    if flavour == "pelican":
        return f"content/{folder}/{article.stem}.md", pelican_metadata(article) + article.body
    raise ValueError(f"unknown flavour {flavour!r}")


def write_articles(root: Path, flavour: str, articles: Iterable[Article]) -> None:
    """Write article files under `root`, creating each folder once."""
    made: set[Path] = set()
    for article in articles:
        relative, text = article_file(article, flavour)
        path = root / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="utf-8", newline="\n")


def prepare_folder(root: Path) -> None:
    """Empty a folder this script made before; refuse to touch one it did not make."""
    if root.exists():
        if not (root / MARKER).exists() and any(root.iterdir()):
            raise SystemExit(f"{root} exists and was not made by make_corpus.py; not touching it")
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / MARKER).write_text("generated by bench/make_corpus.py; deleted on the next run\n")


def emit(out: Path, flavour: str, articles: Sequence[Article]) -> Path:
    """Write one flavour's complete site (configuration, theme, content) under `out/flavour`."""
    root = out / flavour
    prepare_folder(root)
    if flavour == "newsdigest":
        (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    else:
        shutil.copytree(PEERS_DIR / flavour, root, dirs_exist_ok=True)
    write_articles(root, flavour, articles)
    return root


def make_corpus(count: int, seed: int, out: Path, flavours: Sequence[str]) -> list[Article]:
    """Generate `count` articles from `seed` and write them for each of `flavours`."""
    articles = CorpusMaker(seed).articles(count)
    for flavour in flavours:
        emit(out, flavour, articles)
    return articles


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of articles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder for the flavours")
    parser.add_argument("--flavour", choices=(*FLAVOURS, "all"), default="all")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("N must be at least 1")
    flavours = FLAVOURS if args.flavour == "all" else (args.flavour,)
    started = time.perf_counter()
    articles = make_corpus(args.count, args.seed, args.out, flavours)
    words = sum(article.body.count(" ") + 1 for article in articles)
    tag_uses = sum(len(article.tags) for article in articles)
    days = len({article.date.date() for article in articles})
    print(
        f"{len(articles)} articles ({words / len(articles):.0f} words on average, "
        f"{tag_uses / len(articles):.1f} tags each, {days} days) for {', '.join(flavours)} "
        f"in {args.out} in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
