"""Photos are checked by their bytes; partners' acknowledgements count once and never go backwards."""

from __future__ import annotations

import hashlib
import struct
import zlib

import pytest

from lifeguard.alerts.acks import AckLedger, AckResult
from lifeguard.alerts.errors import InvalidPhoto, PhotoTooLarge, StaleAcknowledgement, UnknownMessage
from lifeguard.alerts.photos import MAX_PHOTO_BYTES, check_photo


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, *, pixels: bool = True) -> bytes:
    """A real PNG (grey, 8 bit); without ``pixels`` only the header, as a crafted bomb would be."""
    header = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    if not pixels:
        return header
    raw = b"".join(b"\x00" + bytes(width) for _ in range(height))
    return header + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


def jpeg(width: int, height: int, *, sof: int = 0xC0, fill: bool = False) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    exif = b"\xff\xe1" + struct.pack(">H", 2 + 12) + b"Exif\x00\x00\xff\xd9\xff\xc0\x00\x00"  # markers inside data
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + bytes(65)
    frame = bytes([0xFF, sof]) + struct.pack(">HBHHB", 17, 8, height, width, 3) + bytes(9)
    scan = b"\xff\xda" + struct.pack(">H", 12) + bytes(10) + b"\x12\x34" + b"\xff\xd9"
    return b"\xff\xd8" + app0 + exif + dqt + (b"\xff\xff" if fill else b"") + frame + scan


def riff(chunk: bytes, body: bytes) -> bytes:
    payload = b"WEBP" + chunk + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


def webp_lossy(width: int, height: int) -> bytes:
    return riff(b"VP8 ", b"\x9d\x01\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + bytes(20))


def webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    return riff(b"VP8L", b"\x2f" + bits.to_bytes(4, "little") + bytes(20))


def webp_extended(width: int, height: int) -> bytes:
    body = b"\x10" + bytes(3) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return riff(b"VP8X", body + bytes(20))


@pytest.mark.parametrize(
    ("data", "mime", "size"),
    [
        (png(640, 480), "image/png", (640, 480)),
        (jpeg(1024, 768), "image/jpeg", (1024, 768)),
        (jpeg(3000, 4000, sof=0xC2), "image/jpeg", (3000, 4000)),  # progressive
        (jpeg(800, 600, fill=True), "image/jpeg", (800, 600)),  # fill bytes before a marker
        (webp_lossy(1280, 720), "image/webp", (1280, 720)),
        (webp_lossless(512, 1024), "image/webp", (512, 1024)),
        (webp_extended(12_000, 9_000), "image/webp", (12_000, 9_000)),
    ],
)
def test_images_are_recognised_by_their_bytes(data: bytes, mime: str, size: tuple[int, int]) -> None:
    info = check_photo(data)
    assert (info.mime_type, (info.width, info.height), info.size_bytes) == (mime, size, len(data))
    assert info.sha1_hex == hashlib.sha1(data, usedforsecurity=False).hexdigest()
    assert info.sha256_hex == hashlib.sha256(data).hexdigest()


def test_five_megabytes_is_the_limit() -> None:
    at_limit = png(100, 100) + bytes(MAX_PHOTO_BYTES - len(png(100, 100)))
    assert check_photo(at_limit).size_bytes == MAX_PHOTO_BYTES
    with pytest.raises(PhotoTooLarge, match="limit is 5 MB") as caught:
        check_photo(at_limit + b"\x00")
    assert caught.value.status_code == 413


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"GIF89a\x01\x00\x01\x00", "not a PNG, JPEG or WebP"),
        (b"%PDF-1.7\n", "not a PNG, JPEG or WebP"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not a PNG, JPEG or WebP"),
        (b"MZ\x90\x00 this is an executable named photo.jpg", "not a PNG, JPEG or WebP"),
        (b"\x89PNG\r\n\x1a\n", "truncated"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "without a frame header"),
        (b"\xff\xd8\xff\xe0\x00\x01", "impossible length"),
        (b"\xff\xd8\xff\xda\x00\x08", "without a frame header"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "truncated"),
        (riff(b"VP8 ", bytes(30)), "start code"),
        (riff(b"VP8L", bytes(30)), "signature"),
        (riff(b"ALPH", bytes(30)), "unknown first chunk"),
        (png(1, 1), "each side must be"),  # a tracking pixel, not a photo
        (png(30_000, 30_000, pixels=False), "each side must be"),  # a decompression bomb's header
        (jpeg(65_000, 200), "65000x200"),
    ],
)
def test_files_that_are_not_usable_photos_are_refused_clearly(data: bytes, words: str) -> None:
    with pytest.raises(InvalidPhoto, match=words):
        check_photo(data)


def test_a_photo_is_bytes() -> None:
    with pytest.raises(InvalidPhoto, match="bytes"):
        check_photo("photo.jpg")  # type: ignore[arg-type]


# --- acknowledgements ---------------------------------------------------------------------------------------


def _ledger() -> AckLedger:
    ledger = AckLedger()
    for partner in ("maps", "news"):
        ledger.record_sent(partner, "cn.mps.missing.42.1", "42", 1)
        ledger.record_sent(partner, "cn.mps.missing.42.2", "42", 2)
    ledger.record_sent("maps", "cn.mps.missing.43.1", "43", 1)
    return ledger


def test_each_acknowledgement_counts_once() -> None:
    ledger = _ledger()
    assert ledger.acknowledge("maps", "cn.mps.missing.42.1") is AckResult.ACCEPTED
    assert ledger.acknowledge("maps", "cn.mps.missing.42.1") is AckResult.DUPLICATE
    assert ledger.latest_acknowledged("maps", "42") == 1
    assert ledger.acknowledge("maps", "cn.mps.missing.42.2") is AckResult.ACCEPTED
    assert ledger.acknowledge("maps", "cn.mps.missing.42.2") is AckResult.DUPLICATE


def test_a_replayed_old_acknowledgement_is_stale() -> None:
    ledger = _ledger()
    assert ledger.acknowledge("news", "cn.mps.missing.42.2") is AckResult.ACCEPTED
    with pytest.raises(StaleAcknowledgement, match="already acknowledged message 2") as caught:
        ledger.acknowledge("news", "cn.mps.missing.42.1")
    assert caught.value.status_code == 409
    assert ledger.latest_acknowledged("news", "42") == 2
    # Alerts and partners are independent of each other.
    assert ledger.acknowledge("maps", "cn.mps.missing.42.1") is AckResult.ACCEPTED
    assert ledger.acknowledge("maps", "cn.mps.missing.43.1") is AckResult.ACCEPTED


def test_acknowledging_what_was_never_sent_to_you_is_refused() -> None:
    ledger = _ledger()
    with pytest.raises(UnknownMessage, match="never sent to partner 'news'"):
        ledger.acknowledge("news", "cn.mps.missing.43.1")  # sent to maps only
    with pytest.raises(UnknownMessage):
        ledger.acknowledge("bikes", "cn.mps.missing.42.1")


def test_who_has_not_acknowledged_yet() -> None:
    ledger = _ledger()
    ledger.acknowledge("maps", "cn.mps.missing.42.2")
    assert ledger.unacknowledged("42", 2) == ["news"]
    assert ledger.unacknowledged("42", 1) == ["news"]  # maps acknowledged a newer one: it has moved on
