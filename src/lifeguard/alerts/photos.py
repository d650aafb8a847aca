"""Checking an uploaded photo before it can go into an alert: is it an image we accept, and how big is it.

We read the type from the bytes (magic numbers) and the dimensions from the file header, never from the file name
or the uploader's Content-Type, and we do not decode pixels: decoding untrusted images is where image libraries
have had their holes, and a header is all we need to refuse a file. Re-encoding (stripping EXIF location, which
can reveal a family's home) belongs to the storage edge.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Final

from lifeguard.alerts.errors import InvalidPhoto, PhotoTooLarge

MAX_PHOTO_BYTES: Final = 5 * 1024 * 1024
# A tiny file may claim a huge canvas (a "decompression bomb"); no phone photo is larger than this on a side.
MAX_SIDE_PX: Final = 12_000
MIN_SIDE_PX: Final = 16  # smaller is an icon or a tracking pixel, not a photo of a person

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers carry the dimensions: SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
_JPEG_SOF: Final = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
# Markers without a length field: TEM, RST0..RST7 (SOI and EOI are handled apart).
_JPEG_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD8)})


@dataclass(frozen=True)
class PhotoInfo:
    mime_type: str
    width: int
    height: int
    size_bytes: int
    sha1_hex: str  # for CAP's <digest>
    sha256_hex: str  # for our own storage key and audit


def _png_size(data: bytes) -> tuple[int, int]:
    # Signature, then the IHDR chunk first: length (13), type, width, height (big-endian).
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise InvalidPhoto("PNG without an IHDR header: truncated or damaged")
    return struct.unpack(">II", data[16:24])


def _jpeg_size(data: bytes) -> tuple[int, int]:
    i = 2  # after SOI (FF D8)
    n = len(data)
    while i < n:
        if data[i] != 0xFF:
            raise InvalidPhoto(f"JPEG: expected a marker at byte {i}: damaged file")
        while i < n and data[i] == 0xFF:  # fill bytes may pad before a marker
            i += 1
        if i >= n:
            break
        marker = data[i]
        i += 1
        if marker in _JPEG_STANDALONE:
            continue
        if marker in (0xD9, 0xDA):  # EOI, or start of scan before any frame header
            break
        if i + 2 > n:
            break
        (length,) = struct.unpack(">H", data[i : i + 2])
        if length < 2:
            raise InvalidPhoto("JPEG: segment with an impossible length: damaged file")
        if marker in _JPEG_SOF:
            if i + 7 > n:
                break
            height, width = struct.unpack(">HH", data[i + 3 : i + 7])
            return width, height
        i += length
    raise InvalidPhoto("JPEG without a frame header (no dimensions): truncated or damaged")


def _webp_size(data: bytes) -> tuple[int, int]:
    if len(data) < 30:
        raise InvalidPhoto("WebP too short to hold a header: truncated")
    chunk = data[12:16]
    body = data[20:]
    if chunk == b"VP8 ":  # lossy: a 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height
        if body[3:6] != b"\x9d\x01\x2a":
            raise InvalidPhoto("WebP (lossy) without its start code: damaged file")
        width, height = struct.unpack("<HH", body[6:10])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":  # lossless: signature 0x2F, then width-1 and height-1 in 14 bits each
        if body[0] != 0x2F:
            raise InvalidPhoto("WebP (lossless) without its signature: damaged file")
        bits = int.from_bytes(body[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":  # extended: flags, 3 reserved bytes, canvas width-1 and height-1 in 24 bits each
        return int.from_bytes(body[4:7], "little") + 1, int.from_bytes(body[7:10], "little") + 1
    raise InvalidPhoto(f"WebP with unknown first chunk {chunk!r}")


def check_photo(data: bytes) -> PhotoInfo:
    """Accept a PNG, JPEG or WebP of at most 5 MB with sane dimensions; otherwise raise a clear error."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidPhoto("a photo is bytes")
    data = bytes(data)
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoTooLarge(
            f"photo is {len(data) / 1_048_576:.1f} MB; the limit is {MAX_PHOTO_BYTES // 1_048_576} MB",
            details={"size_bytes": len(data), "limit_bytes": MAX_PHOTO_BYTES},
        )
    if not data:
        raise InvalidPhoto("the photo is empty")
    if data.startswith(_PNG_SIGNATURE):
        mime, (width, height) = "image/png", _png_size(data)
    elif data.startswith(b"\xff\xd8\xff"):
        mime, (width, height) = "image/jpeg", _jpeg_size(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime, (width, height) = "image/webp", _webp_size(data)
    else:
        raise InvalidPhoto("not a PNG, JPEG or WebP image (checked by content, not by name)")
    if not (MIN_SIDE_PX <= width <= MAX_SIDE_PX and MIN_SIDE_PX <= height <= MAX_SIDE_PX):
        raise InvalidPhoto(
            f"{mime} of {width}x{height} px: each side must be {MIN_SIDE_PX}..{MAX_SIDE_PX} px",
            details={"width": width, "height": height},
        )
    return PhotoInfo(
        mime_type=mime,
        width=width,
        height=height,
        size_bytes=len(data),
        sha1_hex=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        sha256_hex=hashlib.sha256(data).hexdigest(),
    )
