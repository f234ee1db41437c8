"""Lead images: which local file an article's `image` names, and what that file is.

The pages, feeds and sitemaps show a local image with its width and height (so the page
does not jump as it loads), its media type and its size in bytes (RSS enclosures require
both). These facts are read from the file's header, here, once per build, after the site
is assembled: the article cache holds what an article's own bytes say, and an image file
can change without its article changing.

The sizes come from `imagesize`, a small pure-Python library (Sphinx depends on it) that
reads only headers and turns a JPEG's size as its Exif orientation says, as browsers do;
Pillow would decode far more than we need. The four magic numbers here only check that a
PNG, JPEG, GIF or WebP file is what its name says (the media type feeds announce); SVG and
AVIF are published without a size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..core.errors import Diagnostics
from ..core.urls import to_uri
from .article import Article
from .config import SiteConfig
from .site import Site

# Images a page may show, by file name extension; anything else named as `image:` is a
# mistake. A table of our own, not `mimetypes`, which reads the machine's /etc/mime.types
# and so could make two machines build different feeds.
_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".avif": "image/avif",
}
_SIZED = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@dataclass(frozen=True)
class ImageFile:
    """What a local image file is: size in pixels (0 when the format has none we read),
    size in bytes, and media type."""

    width: int
    height: int
    length: int
    media_type: str


class ImageUnreadable(Exception):
    """A file named as an image whose header is not that of the format it claims."""


def is_local_image(url: str) -> bool:
    """A site path (`/images/x.jpg`), not another site's image."""
    return url.startswith("/") and not url.startswith("//")


def static_path(url: str) -> str:
    """The static file (relative path, as collect_static_files keys them) a local image
    names: `/images/caf%C3%A9.jpg` -> `images/café.jpg`."""
    return unquote(urlsplit(url).path).lstrip("/")


def read_image_file(path: Path) -> ImageFile:
    """Width, height, length and type of an image file; raise ImageUnreadable if its
    header does not match its format, OSError if it cannot be read."""
    length = path.stat().st_size
    with path.open("rb") as file:
        sniffed = _sniff(file.read(32))
    guessed = _type_of(path.name)
    if sniffed is None:
        if guessed in _SIZED:
            raise ImageUnreadable(f"it is named like a {_label(guessed)} file but is not one")
        if not guessed:
            raise ImageUnreadable(
                "it is not an image a browser shows (PNG, JPEG, GIF, WebP, SVG or AVIF)"
            )
        return ImageFile(0, 0, length, guessed)
    # imagesize turns the size as a JPEG's Exif orientation says, as browsers show it. It
    # imports urllib.request (and with it http, ssl, email): 20 ms that a site with no
    # local image, or an edit build of one, should not pay.
    import imagesize

    width, height = imagesize.get(path)
    if width <= 0 or height <= 0:
        raise ImageUnreadable(f"its {_label(sniffed)} header gives no size (cut short?)")
    return ImageFile(width, height, length, sniffed)


def _type_of(name: str) -> str:
    """The image media type a file name's extension says, "" if it names none."""
    return _IMAGE_TYPES.get(name[name.rfind(".") :].casefold(), "") if "." in name else ""


def _label(media_type: str) -> str:
    return media_type.rpartition("/")[2].upper()


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in {b"GIF87a", b"GIF89a"}:
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def resolve_images(site: Site, static_files: Mapping[str, Path], problems: Diagnostics) -> Site:
    """The site with each article's local image measured, and every local image (and the
    site's `logo`) that is not among the static files reported at its line."""
    found: dict[str, ImageFile | str] = {}  # by static path: the file, or why it cannot be used

    def measure(url: str) -> ImageFile | str:
        path = static_path(url)
        if path not in found:
            source = static_files.get(path)
            if source is None:
                found[path] = "no such file in static/ (or the theme's static files)"
            else:
                try:
                    found[path] = read_image_file(source)
                except ImageUnreadable as error:
                    found[path] = str(error)
                except OSError as error:
                    found[path] = f"it cannot be read: {error.strerror or error}"
        return found[path]

    config = site.config
    if config.logo and is_local_image(config.logo):
        problem = measure(config.logo)
        if isinstance(problem, str):
            problems.add(
                config.config_path,
                config.line_of("logo"),
                f"`logo` {config.logo!r} cannot be used: {problem}",
                f"put the file at static/{static_path(config.logo)}, or correct the path",
            )
    articles = []
    for article in site.articles:
        if not is_local_image(article.image):
            articles.append(article)
            continue
        measured = measure(article.image)
        if isinstance(measured, str):
            problems.add(
                article.source,
                article.line_of("image"),
                f"`image` {article.image!r} cannot be used: {measured}",
                f"put the file at static/{static_path(article.image)}, or correct the path",
            )
            articles.append(article)
        else:
            articles.append(_measured(article, measured))
    return replace(site, articles=tuple(articles))


def _measured(article: Article, image: ImageFile) -> Article:
    """The article with the facts of its image file (the same object if they are known)."""
    facts = {
        "image_width": image.width,
        "image_height": image.height,
        "image_length": image.length,
        "image_type": image.media_type,
    }
    if all(getattr(article, name) == value for name, value in facts.items()):
        return article
    return replace(article, **facts)


def absolute_image(config: SiteConfig, url: str) -> str:
    """An image's absolute RFC 3986 URI, for feeds, sitemaps and JSON."""
    return config.absolute_uri(url) if is_local_image(url) else to_uri(url)


def guessed_type(url: str) -> str:
    """The media type a remote image's file name suggests ("" if it suggests none)."""
    return _type_of(urlsplit(url).path.rpartition("/")[2])
