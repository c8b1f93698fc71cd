"""Byte-level samples for the media tests, built independently of the module under test."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from sprechstunde_cli.services.demo.samples import make_ogg_opus, make_png

# --- independent helpers (deliberately not the module's own code) ---------------------------


def ogg_crc_bitwise(data: bytes) -> int:
    """Table-free CRC-32 as Ogg defines it: poly 0x04C11DB7, init 0, no reflection, no xor."""
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else crc << 1
    return crc


def ogg_page(packets: list[bytes], granule: int, seq: int, flags: int, serial: int = 7) -> bytes:
    lacing = b"".join(b"\xff" * (len(p) // 255) + bytes([len(p) % 255]) for p in packets)
    head = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, serial, seq, 0, len(lacing))
    page = bytearray(head + lacing + b"".join(packets))
    page[22:26] = struct.pack("<I", ogg_crc_bitwise(bytes(page)))
    return bytes(page)


@dataclass(frozen=True)
class Page:
    flags: int
    granule: int
    serial: int
    seq: int
    crc_ok: bool
    packets: list[bytes]
    start: int
    end: int


def parse_ogg(data: bytes) -> list[Page]:
    pages, i = [], 0
    while i < len(data):
        capture, version, flags, granule, serial, seq, crc, nseg = struct.unpack_from(
            "<4sBBqIIIB", data, i
        )
        assert (capture, version) == (b"OggS", 0)
        lacing = data[i + 27 : i + 27 + nseg]
        end = i + 27 + nseg + sum(lacing)
        packets, start, size = [], i + 27 + nseg, 0
        for value in lacing:
            size += value
            if value < 255:
                packets.append(data[start : start + size])
                start, size = start + size, 0
        zeroed = data[i : i + 22] + bytes(4) + data[i + 26 : end]
        ok = ogg_crc_bitwise(zeroed) == crc
        pages.append(Page(flags, granule, serial, seq, ok, packets, i, end))
        i = end
    return pages


def jpeg(*segments: bytes) -> bytes:
    return b"\xff\xd8" + b"".join(segments) + b"\xff\xd9"


def seg(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def sof(marker: int, width: int, height: int) -> bytes:
    return seg(marker, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")


def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0"


def riff_webp(chunk: bytes, body: bytes) -> bytes:
    inner = b"WEBP" + chunk + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", len(inner)) + inner


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body) + 8) + kind + body


def m4a(scale: int, duration: int) -> bytes:
    mvhd = box(b"mvhd", struct.pack(">B3xIIII", 0, 0, 0, scale, duration) + bytes(80))
    return box(b"ftyp", b"M4A \0\0\0\0isomM4A ") + box(b"free", b"x" * 10) + box(b"moov", mvhd)


def vorbis(rate: int, last_granule: int) -> bytes:
    ident = b"\x01vorbis" + struct.pack("<IBIiiiBB", 0, 2, rate, 0, 128000, 0, 0xB8, 1)
    return (
        ogg_page([ident], 0, 0, 0x02)
        + ogg_page([b"\x03vorbis" + bytes(20)], 0, 1, 0)
        + ogg_page([b"\x00" * 40], rate, 2, 0)
        + ogg_page([b"\x00" * 40], last_granule, 3, 0x04)
    )


VP8X_BODY = b"\x10\0\0\0" + (799).to_bytes(3, "little") + (599).to_bytes(3, "little")
SAMPLES: dict[str, bytes] = {
    "png": make_png(4, 3, (200, 30, 40)),
    "jpeg": jpeg(seg(0xE0, b"JFIF\0\1\1\0\0\1\0\1\0\0"), sof(0xC0, 640, 480), seg(0xDA, b"\0")),
    "gif": b"GIF89a" + struct.pack("<HH", 320, 200) + b"\x80\0\0" + bytes(6) + b";",
    "webp": riff_webp(b"VP8X", VP8X_BODY),
    "opus": make_ogg_opus(1.5),
    "vorbis": vorbis(44_100, 3 * 44_100),
    "mp3": b"ID3\x04\0\0\0\0\0\0" + b"\xff\xfb\x90\x64" + bytes(40),
    "m4a": m4a(1000, 4500),
    "amr": b"#!AMR\n" + b"\x3c" + bytes(31),
}
