"""Lead images: which local file an article's `image` names, and what that file is.

The pages, feeds and sitemaps show a local image with its width and height (so the page
does not jump as it loads), its media type and its size in bytes (RSS enclosures require
both). These facts are read from the file's header, here, once per build, after the site
is assembled: the article cache holds what an article's own bytes say, and an image file
can change without its article changing.

The header reader covers PNG, JPEG (with its Exif orientation, which browsers apply), GIF
and WebP, the formats news sites publish photos in. Pillow would read them too, but it is
a large compiled dependency for four small, fixed header layouts; SVG and other formats
are published without a size.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO
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
_MAX_JPEG_SEGMENTS = 1000  # a real JPEG reaches its frame header within a few dozen


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
        head = file.read(32)
        sniffed = _sniff(head)
        guessed = _type_of(path.name)
        if sniffed is None:
            if guessed in _SIZED:
                raise ImageUnreadable(f"it is named like a {_label(guessed)} file but is not one")
            if not guessed:
                raise ImageUnreadable(
                    "it is not an image a browser shows (PNG, JPEG, GIF, WebP, SVG or AVIF)"
                )
            return ImageFile(0, 0, length, guessed)
        try:
            width, height = _READERS[sniffed](head, file)
        except (struct.error, IndexError):
            raise ImageUnreadable(f"its {_label(sniffed)} header is cut short") from None
    if width <= 0 or height <= 0:
        raise ImageUnreadable(f"its {_label(sniffed)} header gives no size")
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


def _png_size(head: bytes, file: BinaryIO) -> tuple[int, int]:
    if head[12:16] != b"IHDR":
        raise ImageUnreadable("its PNG header has no IHDR chunk first")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _gif_size(head: bytes, file: BinaryIO) -> tuple[int, int]:
    width, height = struct.unpack("<HH", head[6:10])
    return width, height


def _webp_size(head: bytes, file: BinaryIO) -> tuple[int, int]:
    chunk = head[12:16]
    data = head + file.read(32)
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":  # lossy: a key frame's size
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:  # lossless: 14 bits each, minus one
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":  # extended: 24 bits each, minus one
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    raise ImageUnreadable("its WebP header is not one of VP8, VP8L or VP8X")


# JPEG frame headers (SOF0-SOF15) that carry the size; C4, C8 and CC share the range but
# are other segments.
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(head: bytes, file: BinaryIO) -> tuple[int, int]:
    """The frame header's size, turned as the Exif orientation says (browsers show an
    image shot upright with orientation 6 or 8 as tall, though it is stored wide)."""
    file.seek(2)
    swapped = False
    for _ in range(_MAX_JPEG_SEGMENTS):
        marker = file.read(2)
        while marker[:1] == b"\xff" and marker[1:] == b"\xff":  # fill bytes before a marker
            marker = marker[1:] + file.read(1)
        if len(marker) < 2 or marker[0] != 0xFF:
            break
        kind = marker[1]
        if kind in {0x01, *range(0xD0, 0xD8)}:  # markers without a segment
            continue
        if kind in {0xD9, 0xDA}:  # end of image, or the image data: no frame header came
            break
        size_bytes = file.read(2)
        if len(size_bytes) < 2:
            break
        size = struct.unpack(">H", size_bytes)[0]
        if size < 2:
            break
        if kind in _JPEG_FRAMES:
            frame = file.read(5)
            if len(frame) < 5:
                break
            height, width = struct.unpack(">HH", frame[1:5])
            return (height, width) if swapped else (width, height)
        segment = file.read(size - 2)
        if kind == 0xE1 and segment.startswith(b"Exif\x00\x00"):
            swapped = _exif_orientation(segment[6:]) in {5, 6, 7, 8}
    raise ImageUnreadable("its JPEG data has no frame header with the image's size")


def _exif_orientation(tiff: bytes) -> int:
    """The Orientation tag (0x0112) of an Exif block's first directory, 1 if absent."""
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return 1
    offset = struct.unpack(f"{order}I", tiff[4:8])[0]
    if offset + 2 > len(tiff):
        return 1
    count = struct.unpack(f"{order}H", tiff[offset : offset + 2])[0]
    for number in range(count):
        entry = tiff[offset + 2 + 12 * number : offset + 14 + 12 * number]
        if len(entry) < 12:
            break
        tag, _type, _count = struct.unpack(f"{order}HHI", entry[:8])
        if tag == 0x0112:
            return int(struct.unpack(f"{order}H", entry[8:10])[0])
    return 1


_READERS = {
    "image/png": _png_size,
    "image/gif": _gif_size,
    "image/webp": _webp_size,
    "image/jpeg": _jpeg_size,
}


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
