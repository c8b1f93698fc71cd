"""Image headers (PNG, JPEG, GIF, WebP): type and size, never the pixels."""

from __future__ import annotations

import struct

from sprechstunde_cli.domain.media.sniffed import Sniffed, image, pair


def png(d: bytes) -> Sniffed | None:
    if not d.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    return image("image/png", pair(d, ">II", 16) if d[12:16] == b"IHDR" else (None, None))


def gif(d: bytes) -> Sniffed | None:
    if d[:6] not in (b"GIF87a", b"GIF89a"):
        return None
    return image("image/gif", pair(d, "<HH", 6))


_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})  # TEM, RSTn, SOI: no length field
# Every SOFn shares one layout; C4 (DHT), C8 (JPG) and CC (DAC) sit in the range but are not frames.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def jpeg(d: bytes) -> Sniffed | None:
    if not d.startswith(b"\xff\xd8\xff"):
        return None
    return image("image/jpeg", _jpeg_size(d))


def _jpeg_size(d: bytes) -> tuple[int | None, int | None]:
    i = 2
    while i + 4 <= len(d):
        if d[i] != 0xFF:
            break  # lost marker sync: a broken file, not worth guessing
        marker = d[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker in _JPEG_STANDALONE:
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # EOI, or SOS: the frame header must come before scans
            break
        (length,) = struct.unpack_from(">H", d, i + 2)
        if length < 2:
            break
        if marker in _JPEG_SOF:
            height, width = pair(d, ">HH", i + 5)
            # Height 0 means "defined later by DNL"; treat as unknown rather than as 0 pixels.
            return (width, height) if width and height else (None, None)
        i += 2 + length
    return None, None


def webp(d: bytes) -> Sniffed | None:
    if d[:4] != b"RIFF" or d[8:12] != b"WEBP":
        return None
    return image("image/webp", _webp_size(d))


def _webp_size(d: bytes) -> tuple[int | None, int | None]:
    chunk = d[12:16]
    if chunk == b"VP8 " and d[23:26] == b"\x9d\x01\x2a":  # lossy key frame start code
        w, h = pair(d, "<HH", 26)
        return (w & 0x3FFF, h & 0x3FFF) if w is not None and h is not None else (None, None)
    if chunk == b"VP8L" and len(d) >= 25 and d[20] == 0x2F:  # lossless: 14-bit w-1, h-1
        bits = int.from_bytes(d[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(d) >= 30:  # extended: 24-bit canvas w-1, h-1
        return int.from_bytes(d[24:27], "little") + 1, int.from_bytes(d[27:30], "little") + 1
    return None, None
