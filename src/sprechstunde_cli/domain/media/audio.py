"""Audio headers (Ogg Opus/Vorbis, M4A, AMR, MP3): type and duration, never the samples."""

from __future__ import annotations

import struct
from functools import cache

from sprechstunde_cli.domain.media.sniffed import Sniffed, ints, voice

# capture pattern, version, header type, granule position, serial, sequence, CRC, segment count
OGG_PAGE = struct.Struct("<4sBBqIIIB")
_OGG_TAIL = 256 * 1024  # the last intact page of a sane file lies well inside this
_OGG_CRC_CHECKS = 8  # bounds the work a crafted tail full of fake "OggS" can cause


def ogg(d: bytes) -> Sniffed | None:
    if len(d) < OGG_PAGE.size or not d.startswith(b"OggS"):
        return None
    serial = OGG_PAGE.unpack_from(d, 0)[4]
    first = OGG_PAGE.size + d[26]  # the first packet starts right after the lacing values
    if d[first : first + 8] == b"OpusHead":
        # Opus always counts granules at 48 kHz; pre-skip samples are decoded but never played.
        pre_skip = ints(d, "<H", first + 10)
        seconds = _ogg_seconds(d, serial, pre_skip[0], 48_000) if pre_skip else None
        return voice("audio/ogg", seconds)
    if d[first : first + 7] == b"\x01vorbis":
        rate = ints(d, "<I", first + 12)
        return voice("audio/ogg", _ogg_seconds(d, serial, 0, rate[0]) if rate else None)
    return None


def _ogg_seconds(d: bytes, serial: int, pre_skip: int, rate: int) -> float | None:
    granule = _ogg_last_granule(d, serial)
    if granule is None or granule < pre_skip or rate <= 0:
        return None
    return (granule - pre_skip) / rate


def _ogg_last_granule(d: bytes, serial: int) -> int | None:
    """Granule position of the stream's last intact page, found by scanning back from the end."""
    end, floor, checks = len(d), max(0, len(d) - _OGG_TAIL), _OGG_CRC_CHECKS
    while checks > 0:
        i = d.rfind(b"OggS", floor, end)
        if i < 0:
            return None
        end = i + 3  # next round finds only earlier candidates
        if i + OGG_PAGE.size > len(d):
            continue
        _, version, _, granule, page_serial, _, crc, segments = OGG_PAGE.unpack_from(d, i)
        lacing = i + OGG_PAGE.size
        page_end = lacing + segments + sum(d[lacing : lacing + segments])
        # Granule -1 means no packet ends on this page; a cut-off page cannot be trusted.
        if version != 0 or page_serial != serial or granule < 0 or page_end > len(d):
            continue
        checks -= 1
        page = bytearray(d[i:page_end])
        page[22:26] = bytes(4)
        if ogg_crc(bytes(page)) == crc:
            return int(granule)
    return None


@cache
def _ogg_crc_table() -> tuple[int, ...]:
    table = []
    for n in range(256):
        r = n << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
        table.append(r & 0xFFFFFFFF)
    return tuple(table)


def ogg_crc(data: bytes) -> int:
    # Ogg's CRC-32 is the unreflected one (poly 0x04C11DB7, init 0); zlib.crc32 is reflected.
    table, crc = _ogg_crc_table(), 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
    return crc


def mp3(d: bytes) -> Sniffed | None:
    id3 = d.startswith(b"ID3") and len(d) > 3 and d[3] in (2, 3, 4)
    return voice("audio/mpeg", None) if id3 or _is_mp3_frame(d[:4]) else None


def _is_mp3_frame(h: bytes) -> bool:
    if len(h) < 4 or h[0] != 0xFF or h[1] & 0xE0 != 0xE0:
        return False
    version, layer = (h[1] >> 3) & 3, (h[1] >> 1) & 3
    bitrate, rate = h[2] >> 4, (h[2] >> 2) & 3
    # Version 01 and rate 11 are reserved; bitrate 0 (free) and 15 (bad) are not voice notes.
    return version != 1 and layer == 1 and bitrate not in (0, 15) and rate != 3


_M4A_BRANDS = frozenset({b"M4A ", b"M4B "})  # audio-only brands; mp4/3gp may be video


def m4a(d: bytes) -> Sniffed | None:
    if d[4:8] != b"ftyp" or d[8:12] not in _M4A_BRANDS:
        return None
    return voice("audio/mp4", _mp4_seconds(d))


def _mp4_seconds(d: bytes) -> float | None:
    moov = _mp4_box(d, 0, len(d), b"moov")
    mvhd = None if moov is None else _mp4_box(d, moov[0], moov[1], b"mvhd")
    if mvhd is None:
        return None
    start, end = mvhd
    fmt, offset = (">IQ", start + 20) if d[start] == 1 else (">II", start + 12)
    found = ints(d, fmt, offset, end)
    return found[1] / found[0] if found and found[0] else None


def _mp4_box(d: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    """Payload bounds of the first box of this kind between start and end."""
    i = start
    while i + 8 <= end:
        size, box = struct.unpack_from(">I4s", d, i)
        header = 8
        if size == 1:  # 64-bit size follows the type
            if i + 16 > end:
                return None
            (size,), header = struct.unpack_from(">Q", d, i + 8), 16
        elif size == 0:  # box runs to the end of its parent
            size = end - i
        if size < header:
            return None
        if box == kind:
            return i + header, min(i + size, end)
        i += size
    return None


def amr(d: bytes) -> Sniffed | None:
    if d.startswith(b"#!AMR-WB\n"):
        return voice("audio/amr-wb", None)
    return voice("audio/amr", None) if d.startswith(b"#!AMR\n") else None
