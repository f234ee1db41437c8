"""Image files for tests, written byte by byte: the headers the build reads sizes from.

PNG and GIF files are complete images a browser shows; the JPEG and WebP ones carry a real
header (what newsdigest reads) and no picture data.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def png(width: int, height: int) -> bytes:
    """A complete grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = (b"\x00" + b"\x80" * width) * height
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def gif(width: int, height: int) -> bytes:
    """A GIF header and logical screen descriptor."""
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def jpeg(width: int, height: int, orientation: int | None = None) -> bytes:
    """SOI, a JFIF segment, an Exif orientation if given, a baseline frame header, EOI."""
    jfif = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    exif = b""
    if orientation is not None:
        tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1)
        tiff += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 0)
        body = b"Exif\x00\x00" + tiff
        exif = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    frame = b"\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00"
    sof = b"\xff\xc0" + struct.pack(">H", len(frame) + 2) + frame
    return b"\xff\xd8" + jfif + exif + sof + b"\xff\xd9"


def webp(width: int, height: int, kind: str = "VP8X") -> bytes:
    """A RIFF WebP header of the given kind (VP8, VP8L or VP8X)."""
    if kind == "VP8":
        data = b"\x00\x00\x00\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 8
    elif kind == "VP8L":
        bits = (width - 1) | ((height - 1) << 14)
        data = b"\x2f" + bits.to_bytes(4, "little") + b"\x00" * 8
    else:
        data = b"\x00" * 4 + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    chunk = kind.encode().ljust(4) + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def write(path: Path, data: bytes) -> Path:
    """Write an image file, making its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
