"""Tiny valid media files for the rehearsal and the tests: a solid-colour PNG, Opus silence."""

from __future__ import annotations

import struct
import zlib

from sprechstunde_cli.domain.media.audio import OGG_PAGE, ogg_crc


def make_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """Return a valid truecolour PNG of one solid colour."""
    if width < 1 or height < 1:
        raise ValueError("a PNG needs at least 1x1 pixels")
    row = b"\x00" + bytes(rgb) * width  # filter type 0 (None) before every scanline
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, not interlaced
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(row * height, 9))
        + _png_chunk(b"IEND", b"")
    )


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


_OPUS_PRE_SKIP = 312
_OPUS_FRAME = 960  # 20 ms at 48 kHz
# TOC 0xF8 = CELT fullband 20 ms mono, one frame; 0xFF 0xFE is the widely used silence frame, so
# players decode real silence instead of concealing a lost packet.
_OPUS_SILENCE = b"\xf8\xff\xfe"
_OGG_SERIAL = 0x53505348  # fixed, so the output is byte-for-byte deterministic
_PACKETS_PER_PAGE = 50  # one second per page


def make_ogg_opus(seconds: float) -> bytes:
    """Return a valid Ogg Opus file of silence lasting `seconds` (end-trimmed to the sample)."""
    if not seconds > 0:
        raise ValueError("an Opus file needs a positive duration")
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, _OPUS_PRE_SKIP, 48_000, 0, 0)
    vendor = b"sprechstunde"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    # Granules count decoded samples, pre-skip included; the last page's granule trims the tail.
    final = _OPUS_PRE_SKIP + round(seconds * 48_000)
    count = -(-final // _OPUS_FRAME)
    out = [_ogg_page([head], 0, 0, 0x02), _ogg_page([tags], 0, 1, 0)]
    sequence, done = 2, 0
    while done < count:
        n = min(_PACKETS_PER_PAGE, count - done)
        done += n
        last = done == count
        granule = final if last else done * _OPUS_FRAME
        out.append(_ogg_page([_OPUS_SILENCE] * n, granule, sequence, 0x04 if last else 0))
        sequence += 1
    return b"".join(out)


def _ogg_page(packets: list[bytes], granule: int, sequence: int, flags: int) -> bytes:
    lacing = bytearray()
    for packet in packets:
        # A packet is a run of 255s closed by one value below 255 (0 if the length divides).
        lacing += b"\xff" * (len(packet) // 255) + bytes([len(packet) % 255])
    if len(lacing) > 255:
        raise ValueError("too many segments for one Ogg page")
    header = OGG_PAGE.pack(b"OggS", 0, flags, granule, _OGG_SERIAL, sequence, 0, len(lacing))
    page = bytearray(header + lacing + b"".join(packets))
    page[22:26] = struct.pack("<I", ogg_crc(bytes(page)))
    return bytes(page)
