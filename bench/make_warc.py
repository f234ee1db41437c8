"""Generate a deterministic WARC.gz of N news-like HTML pages for the import benchmarks.

    python bench/make_warc.py 20000 -o /tmp/news-20000.warc.gz

Pages come from six made-up sites with different layouts (semantic <article> with JSON-LD,
div soup with Open Graph tags, a <time> element and a breadcrumb, "Related"/"Most read" link
boxes, comment sections, cookie banners, tag lists). About 10% of the pages are republished by
another site (near-duplicates: same story, another layout, sometimes a paragraph less). The
WARC also holds what a crawl holds besides pages: a warcinfo record, a request record before
every response, redirects and 404s, and non-HTML responses; the importer skips and counts them.
The same N and seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import random
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SUBJECTS = [
    "The city council",
    "The regional water board",
    "A coalition of farmers",
    "The transport ministry",
    "Hospital managers",
    "The port authority",
    "Local teachers",
    "A group of residents",
    "The energy regulator",
    "Researchers",
    "The football club",
    "Shop owners",
    "The school board",
    "Fire crews",
    "The national weather service",
    "Union leaders",
    "The museum",
    "Investors",
]
VERBS = [
    "approved",
    "rejected",
    "postponed",
    "questioned",
    "announced",
    "defended",
    "criticised",
    "welcomed",
    "reviewed",
    "extended",
    "cancelled",
    "funded",
]
OBJECTS = [
    "a plan to expand the tram network",
    "new rules for short-term rentals",
    "the budget for the coming year",
    "a proposal to close two libraries",
    "an agreement on nurses' pay",
    "plans for a desalination plant",
    "a ban on cars in the old town",
    "the merger of three hospitals",
    "a scheme to insulate older homes",
    "the sale of the harbour warehouses",
    "a pilot for free school meals",
    "new flood defences along the river",
    "the renovation of the central station",
    "a curfew for delivery drones",
]
CLAUSES = [
    "after a debate that lasted most of the night",
    "despite protests outside the hall",
    "following months of negotiations",
    "in a vote that split the governing parties",
    "citing rising costs",
    "after an independent report was published",
    "to the surprise of many observers",
    "ahead of the elections in the spring",
    "with support from neighbouring towns",
    "after a court ruling last month",
]
DETAILS = [
    "The decision affects about {n} households, officials said.",
    "Critics said the figures presented on {day} did not add up.",
    "A spokesperson said work could begin within {n} weeks.",
    "The opposition called for an inquiry into how the contract was awarded.",
    "Residents will be able to comment on the plans until the end of {month}.",
    "The project is expected to cost around {n} million euros.",
    "Several members said they had received the documents only the day before.",
    "Similar schemes elsewhere have had mixed results, according to the report.",
    "It is the {nth} time the proposal has come before the assembly.",
    "A final decision is expected before the summer recess.",
]
QUOTES = [
    '"We cannot wait another year," said one member of the committee.',
    '"This is a good day for the region," the chair told reporters.',
    '"The numbers simply do not work," said a spokesperson for the opposition.',
    '"We listened to the people who live here," the mayor said in a statement.',
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
TOPICS = [
    "Politics",
    "Transport",
    "Health",
    "Environment",
    "Economy",
    "Education",
    "Housing",
    "Energy",
    "Culture",
    "Sport",
]


@dataclass(frozen=True)
class Story:
    title: str
    paragraphs: tuple[str, ...]
    date: dt.datetime
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Site:
    name: str
    host: str
    layout: int


SITES = [
    Site("Harbour Gazette", "harbourgazette.example", 0),
    Site("Valley Voice", "valleyvoice.example", 1),
    Site("Metro Daily", "metrodaily.example", 2),
    Site("The Northern Post", "northernpost.example", 3),
    Site("Coast Courier", "coastcourier.example", 4),
    Site("City Ledger", "cityledger.example", 5),
]


def make_story(rng: random.Random, number: int) -> Story:
    subject, verb, thing = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
    title = f"{subject} {verb} {thing}"
    if rng.random() < 0.5:
        title += f" ({rng.choice(['update', 'analysis', 'live', 'explainer'])} {number})"
    else:
        title += f", report {number} says"
    paragraphs = [
        f"{subject} {verb} {thing} on {rng.choice(['Monday', 'Tuesday', 'Thursday'])}, "
        f"{rng.choice(CLAUSES)}. Story number {number} in this collection."
    ]
    for _ in range(rng.randint(3, 7)):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            sentences.append(
                rng.choice(DETAILS).format(
                    n=rng.randint(2, 900),
                    day=rng.choice(["Monday", "Friday"]),
                    month=rng.choice(MONTHS),
                    nth=rng.choice(["second", "third", "fourth"]),
                )
            )
        if rng.random() < 0.3:
            sentences.append(rng.choice(QUOTES))
        sentences.append(
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"{rng.choice(CLAUSES)} (item {number}-{rng.randint(1, 10**6)})."
        )
        paragraphs.append(" ".join(sentences))
    date = dt.datetime(2025, 1, 1, 6, 0) + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 300))
    return Story(title, tuple(paragraphs), date, tuple(rng.sample(TOPICS, rng.randint(1, 3))))


def render(site: Site, story: Story, url: str, others: list[str], rng: random.Random) -> str:
    e = html.escape
    body = "\n".join(f"<p>{e(paragraph)}</p>" for paragraph in story.paragraphs)
    related = "\n".join(
        f'<li><a href="/{zlib.crc32(title.encode()) % 10**6}">{e(title)}</a></li>'
        for title in others
    )
    iso = story.date.isoformat() + "+01:00"
    nice = f"{story.date.day} {MONTHS[story.date.month - 1]} {story.date.year}"
    tags = ", ".join(story.tags)
    nav = " | ".join(["Home", "News", "Local", "Sport", "Culture", "Opinion"])
    head_common = f'<meta charset="utf-8"><title>{e(story.title)} | {e(site.name)}</title>'
    layout = site.layout
    if layout == 0:  # semantic article with JSON-LD
        ld = _json(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": story.title,
                "datePublished": iso,
                "keywords": tags,
                "publisher": {"@type": "Organization", "name": site.name},
            }
        )
        return (
            f"<!doctype html><html><head>{head_common}"
            f'<script type="application/ld+json">{ld}</script></head><body>'
            f"<header><nav>{nav}</nav></header><main><article><h1>{e(story.title)}</h1>"
            f'<p class="byline">By Staff Reporter</p>{body}</article>'
            f"<aside><h2>Related</h2><ul>{related}</ul></aside></main>"
            f"<footer><p>© 2025 {e(site.name)}. All rights reserved.</p></footer></body></html>"
        )
    if layout == 1:  # div soup with Open Graph
        return (
            f"<!doctype html><html><head>{head_common}"
            f'<meta property="og:title" content="{e(story.title)}">'
            f'<meta property="og:site_name" content="{e(site.name)}">'
            f'<meta property="article:published_time" content="{iso}">'
            + "".join(f'<meta property="article:tag" content="{e(tag)}">' for tag in story.tags)
            + f'</head><body><div id="top"><div class="menu">{nav}</div>'
            f'<div class="cookie">We use cookies to improve your experience. Accept all</div>'
            f'</div><div class="content"><div class="headline"><h1>{e(story.title)}</h1></div>'
            f'<div class="text">{body}</div><div class="share">Share | Tweet | Email</div>'
            f'<div class="box"><h3>Most read</h3><ul>{related}</ul></div></div>'
            f'<div class="foot">Valley Voice Media Group</div></body></html>'
        )
    if layout == 2:  # <time> element and breadcrumb
        return (
            f"<!doctype html><html><head>{head_common}</head><body>"
            f'<div class="crumbs">Home › News › Local</div><article><h1>{e(story.title)}</h1>'
            f'<time datetime="{iso}">{nice}</time>{body}'
            f"<p>Tags: {e(tags)}</p></article>"
            f'<section class="comments"><h2>Comments (3)</h2><p>Great article!</p>'
            f"<p>I disagree with the council on this one.</p></section></body></html>"
        )
    if layout == 3:  # plain page, date line in text
        return (
            f"<!doctype html><html><head>{head_common}"
            f'<link rel="canonical" href="{e(url)}"></head><body>'
            f'<table><tr><td>{nav}</td></tr></table><div class="story">'
            f"<h1>{e(story.title)}</h1><p>Published: {nice}, "
            f"{story.date:%H:%M}</p>{body}</div>"
            f"<div><h4>Recommended</h4><ul>{related}</ul></div>"
            f"<p>Subscribe to our newsletter for the best stories every morning.</p>"
            f"</body></html>"
        )
    if layout == 4:  # article with subheading and list inside
        middle = len(story.paragraphs) // 2
        first = "\n".join(f"<p>{e(p)}</p>" for p in story.paragraphs[:middle])
        rest = "\n".join(f"<p>{e(p)}</p>" for p in story.paragraphs[middle:])
        return (
            f"<!doctype html><html><head>{head_common}"
            f'<meta property="article:published_time" content="{iso}">'
            f'<meta property="og:site_name" content="{e(site.name)}"></head><body>'
            f"<nav>{nav}</nav><article><h1>{e(story.title)}</h1>{first}"
            f"<h2>What happens next</h2>{rest}</article>"
            f'<div class="rating">Was this helpful? Yes (12) No (3)</div>'
            f"<aside><p>Read more</p><ul>{related}</ul></aside></body></html>"
        )
    return (
        f'<!doctype html><html lang="en"><head>{head_common}'  # layout 5: sections
        f'<meta name="news_keywords" content="{e(tags)}">'
        f'<meta property="article:published_time" content="{iso}"></head><body>'
        f'<div class="wrap"><section class="main"><h1>{e(story.title)}</h1>'
        f'<div class="meta">{nice} · 4 min read</div><div class="body">{body}</div>'
        f'</section><section class="more"><h2>More from {e(site.name)}</h2>'
        f"<ul>{related}</ul></section></div>"
        f"<footer>Contact | Privacy | Terms</footer></body></html>"
    )


def _json(text: object) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


FORCED = {4: 0.0, 10: 0.02, 16: 0.04}  # a 404, a redirect and an image early on


@dataclass(frozen=True)
class Record:
    kind: str  # "page", "404", "redirect", "image"
    url: str
    date: dt.datetime
    html: str = ""


def records(count: int, seed: int = 1) -> Iterator[Record]:
    """`count` pages (status 200, HTML), with duplicates and non-page responses among them."""
    rng = random.Random(seed)
    stories: list[Story] = []
    first_site: dict[str, Site] = {}
    made = emitted = 0
    crawl = dt.datetime(2025, 11, 1, 0, 0)
    while made < count:
        step = crawl + dt.timedelta(seconds=made * 7)
        roll = rng.random()
        emitted += 1
        if emitted in FORCED:  # every crawl, however small, has each kind of other record
            roll = FORCED[emitted]
        if roll < 0.015:
            yield Record("404", f"https://{rng.choice(SITES).host}/missing/{made}", step)
            continue
        if roll < 0.03:
            yield Record("redirect", f"https://{rng.choice(SITES).host}/r/{made}", step)
            continue
        if roll < 0.045:
            yield Record("image", f"https://{rng.choice(SITES).host}/img/{made}.jpg", step)
            continue
        site = SITES[(made * 7 + rng.randint(0, 5)) % len(SITES)]
        if stories and rng.random() < 0.1:  # republished by another site
            story = rng.choice(stories[-200:])
            if rng.random() < 0.5 and len(story.paragraphs) > 4:
                story = Story(story.title, story.paragraphs[:-1], story.date, story.tags)
            taken = first_site[story.title]
            site = SITES[(SITES.index(taken) + rng.randint(1, len(SITES) - 1)) % len(SITES)]
        else:
            story = make_story(rng, len(stories) + 1)
            stories.append(story)
            first_site[story.title] = site
        slug = "-".join(story.title.lower().split()[:6]).strip(",()")
        url = f"https://{site.host}/news/{story.date:%Y/%m/%d}/{slug}-{made}"
        others = [other.title for other in rng.sample(stories, min(4, len(stories)))]
        yield Record("page", url, step, render(site, story, url, others, rng))
        made += 1


def write_warc(path: Path, count: int, seed: int = 1) -> Path:
    """Write the WARC.gz (records individually gzipped, as crawlers write them)."""
    ids = random.Random(seed * 7919)

    def record_id() -> str:
        return f"<urn:uuid:{uuid.UUID(int=ids.getrandbits(128), version=4)}>"

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        info = writer.create_warcinfo_record(
            path.name,
            {"software": "newsdigest bench/make_warc.py", "format": "WARC File Format 1.0"},
        )
        info.rec_headers.replace_header("WARC-Record-ID", record_id())
        info.rec_headers.replace_header("WARC-Date", "2025-11-01T00:00:00Z")
        writer.write_record(info)
        for item in records(count, seed):
            stamp = item.date.strftime("%Y-%m-%dT%H:%M:%SZ")
            request = StatusAndHeaders(
                f"GET {item.url} HTTP/1.1", [("Host", item.url.split("/")[2])], is_http_request=True
            )
            writer.write_record(
                writer.create_warc_record(
                    item.url,
                    "request",
                    http_headers=request,
                    warc_headers_dict={"WARC-Record-ID": record_id(), "WARC-Date": stamp},
                )
            )
            if item.kind == "page":
                status, headers, body = (
                    "200 OK",
                    [("Content-Type", "text/html; charset=utf-8")],
                    item.html.encode("utf-8"),
                )
            elif item.kind == "404":
                status, headers, body = (
                    "404 Not Found",
                    [("Content-Type", "text/html")],
                    b"<html><body><h1>Not found</h1></body></html>",
                )
            elif item.kind == "redirect":
                status, headers, body = (
                    "301 Moved Permanently",
                    [("Location", item.url + "/"), ("Content-Type", "text/html")],
                    b"",
                )
            else:
                status, headers, body = (
                    "200 OK",
                    [("Content-Type", "image/jpeg")],
                    b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4,
                )
            headers = [*headers, ("Content-Length", str(len(body)))]
            writer.write_record(
                writer.create_warc_record(
                    item.url,
                    "response",
                    payload=BytesIO(body),
                    length=len(body),
                    http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
                    warc_headers_dict={"WARC-Record-ID": record_id(), "WARC-Date": stamp},
                )
            )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=int, help="number of HTML pages with status 200")
    parser.add_argument("-o", "--output", type=Path, help="default: news-N.warc.gz")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    output = args.output or Path(f"news-{args.pages}.warc.gz")
    write_warc(output, args.pages, args.seed)
    print(f"wrote {output} ({output.stat().st_size / 1e6:.1f} MB, {args.pages} pages)")


if __name__ == "__main__":
    main()
