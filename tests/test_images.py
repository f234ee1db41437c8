"""Lead images end to end: front matter, the local file's size, the article page's figure,
thumbnails, JSON-LD, Atom/RSS enclosures and Media RSS, JSON Feed, the sitemap image
extension, `remote_images: false`, and what an incremental build re-renders."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from conftest import Run, parse_html
from hostile.helpers import SITE_YAML, article, assert_located_errors, make_site, previous_output
from imagefiles import gif, jpeg, png, webp
from imagefiles import write as write_image
from lxml import etree

from generator.__main__ import main
from generator.build.images import ImageUnreadable, read_image_file

BASE = "https://h.example.org/"
LEAD = (
    "title: Harbour wall repaired\ndate: 2025-03-02T10:00:00Z\n"
    "image: /images/wall.jpg\nimage_alt: Masons at work on the harbour wall\n"
    "image_caption: The wall was closed for a week.\nimage_credit: 'Photo: Ana Ruiz'\n"
    "tags: [Harbour]"
)
REMOTE = (
    "title: Ferry strike ends\ndate: 2025-03-01T10:00:00Z\n"
    "image: https://cdn.example.net/fotos/fähre.webp\nimage_alt: A ferry at the quay\n"
    "tags: [Harbour]"
)


def _image_site(root: Path, site_yaml: str = SITE_YAML, extra: int = 0) -> Path:
    """One article with a local JPEG, one with a remote image, `extra` more with local ones."""
    files = {"lead.md": article(LEAD), "remote.md": article(REMOTE)}
    for number in range(extra):
        files[f"more-{number}.md"] = article(
            f"title: Story number {number}\ndate: 2025-02-{10 + number}T10:00:00Z\n"
            f"image: images/s{number}.png\nimage_alt: Picture {number}\ntags: [Harbour]"
        )
        write_image(root / f"static/images/s{number}.png", png(30, 20))
    make_site(root, files, site_yaml)
    write_image(root / "static/images/wall.jpg", jpeg(1200, 800))
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _image_site(
        tmp_path_factory.mktemp("images") / "site", SITE_YAML + "logo: /logo.png\n", 5
    )
    write_image(root / "static/logo.png", png(60, 60))
    assert main(["build", "--root", str(root)]) == 0
    return root / "output"


# -- the header reader ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "size", "media_type"),
    [
        ("a.png", png(640, 360), (640, 360), "image/png"),
        ("a.gif", gif(33, 17), (33, 17), "image/gif"),
        ("a.jpg", jpeg(1200, 800), (1200, 800), "image/jpeg"),
        ("turned.jpg", jpeg(1200, 800, orientation=6), (800, 1200), "image/jpeg"),
        ("upright.jpg", jpeg(1200, 800, orientation=1), (1200, 800), "image/jpeg"),
        ("a.webp", webp(1920, 1080, "VP8X"), (1920, 1080), "image/webp"),
        ("b.webp", webp(300, 200, "VP8L"), (300, 200), "image/webp"),
        ("c.webp", webp(500, 281, "VP8"), (500, 281), "image/webp"),
        ("named-wrong.png", jpeg(10, 20), (10, 20), "image/jpeg"),  # the bytes decide
        ("vector.SVG", b"<svg xmlns='http://www.w3.org/2000/svg'/>", (0, 0), "image/svg+xml"),
        ("photo.avif", b"\x00\x00\x00\x1cftypavif", (0, 0), "image/avif"),
    ],
)
def test_image_sizes_come_from_the_file_header(
    name: str, data: bytes, size: tuple[int, int], media_type: str, tmp_path: Path
) -> None:
    found = read_image_file(write_image(tmp_path / name, data))
    assert (found.width, found.height) == size
    assert found.media_type == media_type
    assert found.length == len(data)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 20),  # no frame header
        ("fake.png", b"not a png at all"),
        ("notes.txt", b"hello"),
        ("empty.gif", b""),
        ("short.png", png(4, 4)[:14]),
        ("short.gif", gif(4, 4)[:8]),
        ("short.webp", webp(4, 4, "VP8L")[:20]),
        ("short.jpg", jpeg(4, 4)[:25]),
    ],
)
def test_files_that_are_not_the_image_they_claim_are_refused(
    name: str, data: bytes, tmp_path: Path
) -> None:
    with pytest.raises(ImageUnreadable):
        read_image_file(write_image(tmp_path / name, data))


# -- mistakes are located errors ----------------------------------------------------------


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_missing_local_image_is_a_located_error_and_the_old_site_survives(
    command: str, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "a.md": article("title: T\ndate: 2025-01-01\nimage: /images/missing.jpg"),
            "b.md": article("title: U\ndate: 2025-01-02\nimage: /images/fake.png"),
        },
    )
    write_image(root / "static/images/fake.png", b"GIF? no, text")
    before = previous_output(root)
    result = run_cli(command, "--root", root)
    assert result.status == 1
    located = assert_located_errors(result.err)
    assert [line.split(": ", 1)[0].rsplit("/", 2)[-2:] for line in sorted(located)] == [
        ["content", "a.md:4"],
        ["content", "b.md:4"],
    ]
    assert "`image` '/images/missing.jpg' cannot be used: no such file in static/" in result.err
    assert "put the file at static/images/missing.jpg" in result.err
    assert "named like a PNG file but is not one" in result.err
    assert (before / "index.html").read_text() == "<!DOCTYPE html><title>old site</title>\n"


def test_a_draft_left_out_is_not_judged_by_its_image(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    front = "title: T\ndate: 2025-01-01\ndraft: true\nimage: /images/later.jpg"
    root = make_site(tmp_path / "site", {"a.md": article(front)})
    assert run_cli("check", "--root", root).status == 0
    result = run_cli("check", "--drafts", "--root", root)
    assert result.status == 1
    assert "a.md:5: `image` '/images/later.jpg' cannot be used" in result.err


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("image: 'mailto:a@b.example'", "an e-mail address is not an image"),
        ("image: '//cdn.example/x.jpg'", "it needs `https:` and a host"),
        ("image: '/images/a.jpg?v=2'", "no `?` or `#` part"),
        ("image: '/images/../secret.jpg'", "`.` and `..` may not appear"),
        ("image: 5", "`image` must be text"),
        ("image: 'http://[::1/a.jpg'", "it is not a valid URL"),
        ("image_alt: Nothing to describe", "`image_alt` is set but there is no `image`"),
        ("image: https://x.example/a.jpg\nimage_credit: [a, b]", "`image_credit` must be text"),
    ],
)
def test_image_fields_that_cannot_be_used_are_located_errors(
    front: str, message: str, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(tmp_path / "site", {"a.md": article(f"title: T\ndate: 2025-01-01\n{front}")})
    result = run_cli("check", "--root", root)
    assert result.status == 1
    [located] = assert_located_errors(result.err)
    assert message in located
    assert located.split(": ", 1)[0].endswith(f"a.md:{4 + front.count(chr(10))}"), located


def test_a_missing_logo_is_a_located_error_in_site_yaml(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(tmp_path / "site", {}, SITE_YAML + "logo: /brand/logo.png\n")
    result = run_cli("check", "--root", root)
    assert result.status == 1
    [located] = assert_located_errors(result.err)
    assert located.split(": ", 1)[0].endswith("site.yaml:4")
    assert "`logo` '/brand/logo.png' cannot be used" in located
    bad = make_site(tmp_path / "bad", {}, SITE_YAML + "logo: 'javascript:alert(1)'\n")
    assert "`logo` must be a site path" in run_cli("check", "--root", bad).err


def test_an_image_without_alt_text_is_a_warning(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(
        tmp_path / "site", {"a.md": article("title: T\ndate: 2025-01-01\nimage: /a.gif")}
    )
    write_image(root / "static/a.gif", gif(4, 4))
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    assert "a.md:4: `image` has no `image_alt`" in result.err


# -- pages --------------------------------------------------------------------------------


def test_the_article_page_shows_the_lead_image_as_a_figure(built: Path) -> None:
    page = parse_html(built / "2025/03/02/harbour-wall-repaired/index.html")
    [figure] = page.iter("figure")
    [img] = figure.iter("img")
    assert img.get("src") == "/images/wall.jpg"
    assert img.get("alt") == "Masons at work on the harbour wall"
    assert (img.get("width"), img.get("height")) == ("1200", "800")
    assert img.get("loading") is None  # the lead image is above the fold
    [caption] = figure.iter("figcaption")
    text = " ".join("".join(caption.itertext()).split())
    assert text == "The wall was closed for a week. Photo: Ana Ruiz"


def test_a_remote_lead_image_has_no_size_and_loads_from_its_host(built: Path) -> None:
    page = parse_html(built / "2025/03/01/ferry-strike-ends/index.html")
    [img] = (img for img in page.iter("img") if "lead-image" in img.get("class", ""))
    assert img.get("src") == "https://cdn.example.net/fotos/fähre.webp"
    assert img.get("alt") == "A ferry at the quay"
    assert img.get("width") is None


def test_listings_show_thumbnails_lazy_below_the_fold(built: Path) -> None:
    listing = parse_html(built / "tags/harbour/index.html")
    thumbs = [img for img in listing.iter("img") if img.get("class") == "thumb"]
    assert len(thumbs) == 7
    assert all(img.get("alt") == "" and img.get("width") == "120" for img in thumbs)
    assert [img.get("loading") for img in thumbs[:3]] == [None, None, None]
    assert {img.get("loading") for img in thumbs[3:]} == {"lazy"}
    tag_or_edition = parse_html(built / "2025/03/02/index.html")
    assert [img.get("src") for img in tag_or_edition.iter("img")] == ["/images/wall.jpg"]


def test_the_front_page_shows_the_lead_storys_image(built: Path) -> None:
    front = parse_html(built / "index.html")
    [lead] = front.iter("figure")
    [img] = lead.iter("img")
    assert (img.get("src"), img.get("width"), img.get("loading")) == (
        "/images/wall.jpg",
        "1200",
        None,
    )


def test_the_mail_edition_loads_images_by_absolute_url(built: Path) -> None:
    mail = parse_html(built / "2025/03/02/email.html")
    assert [img.get("src") for img in mail.iter("img")] == [f"{BASE}images/wall.jpg"]


def test_json_ld_names_the_image_and_the_publisher_logo(built: Path) -> None:
    page = parse_html(built / "2025/03/02/harbour-wall-repaired/index.html")
    [script] = (s for s in page.iter("script") if s.get("type") == "application/ld+json")
    data = json.loads(script.text or "")
    assert data["image"] == {
        "@type": "ImageObject",
        "url": f"{BASE}images/wall.jpg",
        "width": 1200,
        "height": 800,
        "caption": "The wall was closed for a week.",
        "creditText": "Photo: Ana Ruiz",
    }
    assert data["publisher"]["logo"] == {"@type": "ImageObject", "url": f"{BASE}logo.png"}
    remote = parse_html(built / "2025/03/01/ferry-strike-ends/index.html")
    [script] = (s for s in remote.iter("script") if s.get("type") == "application/ld+json")
    image = json.loads(script.text or "")["image"]
    assert image["url"] == "https://cdn.example.net/fotos/f%C3%A4hre.webp"
    assert "width" not in image


def test_remote_images_off_leaves_pages_loading_nothing_from_other_hosts(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = _image_site(tmp_path / "site", SITE_YAML + "remote_images: false\n")
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    for path in output.rglob("*.html"):
        for element in parse_html(path).iter():
            for name in ("src", "srcset"):
                value = element.get(name) or ""
                other_host = value.startswith(("http:", "https:", "//"))
                assert not other_host or value.startswith(BASE), (path, element.tag, value)
    page = parse_html(output / "2025/03/01/ferry-strike-ends/index.html")
    [link] = (a for a in page.iter("a") if a.get("class") == "lead-image-link")
    assert link.get("href") == "https://cdn.example.net/fotos/fähre.webp"
    assert "A ferry at the quay" in "".join(link.itertext())
    local = parse_html(output / "2025/03/02/harbour-wall-repaired/index.html")
    assert any(img.get("src") == "/images/wall.jpg" for img in local.iter("img"))


# -- feeds and sitemaps ------------------------------------------------------------------


def test_rss_has_an_enclosure_for_a_local_image_and_media_rss_for_a_remote_one(
    built: Path,
) -> None:
    feed = feedparser.parse((built / "rss.xml").read_bytes())
    assert not feed.bozo
    entries = {entry.title: entry for entry in feed.entries}
    [enclosure] = entries["Harbour wall repaired"].enclosures
    size = (built / "images/wall.jpg").stat().st_size
    assert enclosure == {
        "href": f"{BASE}images/wall.jpg",
        "length": str(size),
        "type": "image/jpeg",
    }
    remote = entries["Ferry strike ends"]
    assert remote.enclosures == []
    [media] = remote.media_content
    assert media["url"] == "https://cdn.example.net/fotos/f%C3%A4hre.webp"
    assert media["medium"] == "image"
    assert media["type"] == "image/webp"
    root = etree.fromstring((built / "rss.xml").read_bytes())
    assert root.nsmap["media"] == "http://search.yahoo.com/mrss/"


def test_atom_has_one_alternate_link_and_an_enclosure_per_entry(built: Path) -> None:
    feed = feedparser.parse((built / "atom.xml").read_bytes())
    assert not feed.bozo
    entries = {entry.title: entry for entry in feed.entries}
    [local] = entries["Harbour wall repaired"].enclosures
    assert local["href"] == f"{BASE}images/wall.jpg"
    assert local["type"] == "image/jpeg"
    [remote] = entries["Ferry strike ends"].enclosures
    assert remote["href"] == "https://cdn.example.net/fotos/f%C3%A4hre.webp"
    atom = "{http://www.w3.org/2005/Atom}"
    for entry in ET.parse(built / "atom.xml").getroot().iterfind(f"{atom}entry"):
        rels = [link.get("rel", "alternate") for link in entry.iterfind(f"{atom}link")]
        assert rels.count("alternate") == 1, rels


def test_json_feed_items_carry_the_image_as_a_uri(built: Path) -> None:
    items = {item["title"]: item for item in json.loads((built / "feed.json").read_text())["items"]}
    assert items["Harbour wall repaired"]["image"] == f"{BASE}images/wall.jpg"
    assert items["Ferry strike ends"]["image"] == "https://cdn.example.net/fotos/f%C3%A4hre.webp"


def test_the_article_sitemap_uses_the_image_extension(built: Path) -> None:
    [part] = built.glob("sitemap-articles-2025-03.xml")
    root = etree.parse(str(part)).getroot()
    namespaces = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "image": "http://www.google.com/schemas/sitemap-image/1.1",
    }
    found = {
        url.findtext("s:loc", namespaces=namespaces): url.findtext(
            "image:image/image:loc", namespaces=namespaces
        )
        for url in root.iterfind("s:url", namespaces=namespaces)
    }
    assert found == {
        f"{BASE}2025/03/02/harbour-wall-repaired/": f"{BASE}images/wall.jpg",
        f"{BASE}2025/03/01/ferry-strike-ends/": "https://cdn.example.net/fotos/f%C3%A4hre.webp",
    }


# -- incremental builds -------------------------------------------------------------------


def test_a_new_image_file_or_alt_text_re_renders_the_pages_that_show_it(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = _image_site(tmp_path / "site")
    assert run_cli("build", "--root", root).status == 0
    page = root / "output/2025/03/02/harbour-wall-repaired/index.html"
    write_image(root / "static/images/wall.jpg", jpeg(640, 480))
    assert run_cli("build", "--root", root).status == 0
    [img] = (i for i in parse_html(page).iter("img") if i.get("class") == "lead-image")
    assert (img.get("width"), img.get("height")) == ("640", "480")
    rss = feedparser.parse((root / "output/rss.xml").read_bytes())
    [entry] = (e for e in rss.entries if e.title == "Harbour wall repaired")
    assert entry.enclosures[0]["length"] == str(len(jpeg(640, 480)))
    source = root / "content/lead.md"
    source.write_text(source.read_text().replace("Masons at work", "Two masons"))
    assert run_cli("build", "--root", root).status == 0
    [img] = (i for i in parse_html(page).iter("img") if i.get("class") == "lead-image")
    assert img.get("alt") == "Two masons on the harbour wall"


# -- the importer -------------------------------------------------------------------------

_SOURCE_PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<title>Harbour wall reopens after repairs | Coast Courier</title>
<meta property="og:site_name" content="Coast Courier">
<meta property="og:url" content="https://courier.example/2025/03/02/harbour-wall/">
<meta property="og:image" content="/media/wall.jpg?w=1200">
<meta property="og:image:alt" content="Masons on the harbour wall at low tide">
<script type="application/ld+json">{LD}</script>
</head><body><article>
<h1>Harbour wall reopens after repairs</h1>
<p>{P1}</p><p>{P2}</p><p>{P3}</p>
</article></body></html>
"""
_PARAGRAPHS = [
    "The harbour wall reopened to walkers on Sunday after a week of repairs to the stones "
    "that the January storms had loosened along its seaward side.",
    "Masons from the city's works department replaced about forty blocks and repointed the "
    "joints, working at low tide to reach the lowest courses of the wall.",
    "The works department said the wall would be inspected again after the spring tides, "
    "when the sea is at its highest, and that no further closures were planned.",
]


def _import_page(root: Path, run_cli: Callable[..., Run], ld: dict[str, object]) -> dict:
    page = _SOURCE_PAGE.replace("{LD}", json.dumps(ld))
    for number, text in enumerate(_PARAGRAPHS, 1):
        page = page.replace(f"{{P{number}}}", text)
    (root / "content").mkdir(parents=True, exist_ok=True)
    source = write_image(root / "raw/wall.html", page.encode())
    result = run_cli("import", source, "--root", root)
    assert result.status == 0, result.err
    [path] = (root / "content").rglob("*.md")
    from generator.core.frontmatter import parse_front_matter

    front = parse_front_matter(path.read_text(encoding="utf-8"), path)
    return dict(front.fields)  # type: ignore[union-attr]


def test_the_importer_keeps_the_lead_image_and_the_authors(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Harbour wall reopens after repairs",
        "datePublished": "2025-03-02T09:00:00+01:00",
        "author": [{"@type": "Person", "name": "Ana Ruiz"}, {"@type": "Person", "name": "Li Wei"}],
        "image": {
            "@type": "ImageObject",
            "url": "https://cdn.courier.example/wall-1200.jpg",
            "caption": "The wall at low tide.",
            "creditText": "Photo: Tom Berg",
        },
    }
    fields = _import_page(tmp_path / "site", run_cli, ld)
    assert fields["image"] == "https://cdn.courier.example/wall-1200.jpg"  # stays remote
    assert fields["image_alt"] == "Masons on the harbour wall at low tide"
    assert fields["image_caption"] == "The wall at low tide."
    assert fields["image_credit"] == "Photo: Tom Berg"
    assert fields["authors"] == ["Ana Ruiz", "Li Wei"]
    assert "author" not in fields


def test_an_imported_og_image_is_made_absolute_against_the_page(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    ld = {"@type": "NewsArticle", "author": {"name": "Ana Ruiz"}, "datePublished": "2025-03-02"}
    root = tmp_path / "site"
    fields = _import_page(root, run_cli, ld)
    assert fields["image"] == "https://courier.example/media/wall.jpg?w=1200"
    assert fields["author"] == "Ana Ruiz"
    assert "image_credit" not in fields
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    assert run_cli("build", "--root", root).status == 0  # and the build takes it as it is


@pytest.mark.parametrize(
    ("body", "trusted"),
    [
        ("Text.\n\n![The quay](https://cdn.example.net/quay.jpg)", False),
        ("Text.\n\n<img src='//cdn.example.net/quay.jpg' alt=''>", False),
        ("Text.\n\n<img srcset='/a.jpg 1x, http://cdn.example.net/quay.jpg 2x'>", True),
    ],
)
def test_remote_images_off_refuses_a_body_that_shows_another_sites_image(
    body: str, trusted: bool, tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    settings = SITE_YAML + ("trust_html: true\n" if trusted else "")
    root = make_site(
        tmp_path / "site",
        {"a.md": article("title: T\ndate: 2025-01-01", body)},
        settings + "remote_images: false\n",
    )
    result = run_cli("check", "--root", root)
    assert result.status == 1
    [located] = assert_located_errors(result.err)
    assert located.split(": ", 1)[0].endswith("a.md:8"), located
    assert "from another site, and site.yaml says `remote_images: false`" in located
    (root / "site.yaml").write_text(settings, encoding="utf-8")
    assert run_cli("check", "--root", root).status == 0


def test_a_local_image_named_with_a_space_or_a_non_ascii_letter_is_found(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    front = "title: T\ndate: 2025-01-01\nimage: /fotos/die fähre.png\nimage_alt: Die Fähre"
    root = make_site(tmp_path / "site", {"a.md": article(front)})
    write_image(root / "static/fotos/die fähre.png", png(8, 6))
    assert run_cli("build", "--root", root).status == 0
    page = parse_html(root / "output/2025/01/01/t/index.html")
    [img] = (i for i in page.iter("img") if i.get("class") == "lead-image")
    assert img.get("src") == "/fotos/die%20fähre.png"  # HTML keeps the readable IRI
    assert (img.get("width"), img.get("height")) == ("8", "6")
    items = json.loads((root / "output/feed.json").read_text())["items"]
    assert items[0]["image"] == f"{BASE}fotos/die%20f%C3%A4hre.png"
