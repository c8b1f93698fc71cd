"""Recognise citizens' media by their bytes, refuse bombs, and make tiny valid files for demos.

Only headers are read, never pixels or samples: stdlib only, fast, and nothing here decodes
hostile data. The type comes from magic bytes; a citizen's declared mime only names data we do
not recognise, and there is deliberately no file-name parameter.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from sprechstunde_cli.domain.model import MessageKind

MAX_PIXELS = 50_000_000
OCTET_STREAM = "application/octet-stream"

_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/pjpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "audio/ogg": ".ogg",
    "audio/opus": ".ogg",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/mp4": ".m4a",
    "audio/m4a": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/amr": ".amr",
    "audio/amr-wb": ".awb",
}
# A declared mime is a short ASCII token pair; anything else is not worth keeping.
_MIME_SYNTAX = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}")


@dataclass(frozen=True)
class Sniffed:
    """What the bytes of a media file say it is."""

    mime: str
    kind: MessageKind
    extension: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds


def extension_for(mime: str) -> str:
    """Return the extension a stored file of this mime gets; `.bin` for anything unknown."""
    return _EXTENSIONS.get(mime.split(";", 1)[0].strip().lower(), ".bin")


def sniff(data: bytes, declared_mime: str | None) -> Sniffed:
    """Classify data by its magic bytes; the declared mime only names data we cannot recognise."""
    for detect in _DETECTORS:
        try:
            found = detect(data)
        except (struct.error, IndexError, ValueError, OverflowError):
            # Every parser checks its bounds; this is the backstop that keeps hostile bytes from
            # ever failing a message. Worst case the file is kept as an opaque attachment.
            found = None
        if found is not None:
            return found
    return Sniffed(_fallback_mime(declared_mime), MessageKind.FILE, ".bin")


def check_limits(s: Sniffed, size: int, max_bytes: int) -> str | None:
    """Return a short reason why the file must be refused, or None if it may be kept."""
    if size > max_bytes:
        return f"file is {_mb(size)}, over the {_mb(max_bytes)} limit"
    if s.width is not None and s.height is not None and s.width * s.height > MAX_PIXELS:
        # A few KB of PNG can claim a 100k x 100k canvas; whoever opens it would allocate that.
        return (
            f"image is {s.width}x{s.height} pixels, over the "
            f"{MAX_PIXELS // 1_000_000} megapixel limit"
        )
    return None


def _mb(n: int) -> str:
    # Same unit as the config's hour.max_media_mb.
    return f"{n / (1024 * 1024):.1f} MB"


def _fallback_mime(declared: str | None) -> str:
    if declared is None:
        return OCTET_STREAM
    mime = declared.split(";", 1)[0].strip().lower()
    # A type we sniff for but did not find in the bytes is a lie, so it is not passed on.
    if not _MIME_SYNTAX.fullmatch(mime) or mime in _EXTENSIONS:
        return OCTET_STREAM
    return mime


def _image(mime: str, size: tuple[int | None, int | None]) -> Sniffed:
    return Sniffed(mime, MessageKind.IMAGE, extension_for(mime), size[0], size[1])


def _voice(mime: str, duration: float | None) -> Sniffed:
    return Sniffed(mime, MessageKind.VOICE, extension_for(mime), duration=duration)


def _ints(data: bytes, fmt: str, offset: int, end: int | None = None) -> tuple[int, ...] | None:
    """Unpack integers at offset, or None if they would run past end (default: the data's end)."""
    if offset + struct.calcsize(fmt) > (len(data) if end is None else end):
        return None
    return tuple(int(v) for v in struct.unpack_from(fmt, data, offset))


def _pair(data: bytes, fmt: str, offset: int) -> tuple[int | None, int | None]:
    found = _ints(data, fmt, offset)
    return (found[0], found[1]) if found else (None, None)


# --- images ---------------------------------------------------------------------------------


def _png(d: bytes) -> Sniffed | None:
    if not d.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    return _image("image/png", _pair(d, ">II", 16) if d[12:16] == b"IHDR" else (None, None))


def _gif(d: bytes) -> Sniffed | None:
    if d[:6] not in (b"GIF87a", b"GIF89a"):
        return None
    return _image("image/gif", _pair(d, "<HH", 6))


_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})  # TEM, RSTn, SOI: no length field
# Every SOFn shares one layout; C4 (DHT), C8 (JPG) and CC (DAC) sit in the range but are not frames.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg(d: bytes) -> Sniffed | None:
    if not d.startswith(b"\xff\xd8\xff"):
        return None
    return _image("image/jpeg", _jpeg_size(d))


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
            height, width = _pair(d, ">HH", i + 5)
            # Height 0 means "defined later by DNL"; treat as unknown rather than as 0 pixels.
            return (width, height) if width and height else (None, None)
        i += 2 + length
    return None, None


def _webp(d: bytes) -> Sniffed | None:
    if d[:4] != b"RIFF" or d[8:12] != b"WEBP":
        return None
    return _image("image/webp", _webp_size(d))


def _webp_size(d: bytes) -> tuple[int | None, int | None]:
    chunk = d[12:16]
    if chunk == b"VP8 " and d[23:26] == b"\x9d\x01\x2a":  # lossy key frame start code
        w, h = _pair(d, "<HH", 26)
        return (w & 0x3FFF, h & 0x3FFF) if w is not None and h is not None else (None, None)
    if chunk == b"VP8L" and len(d) >= 25 and d[20] == 0x2F:  # lossless: 14-bit w-1, h-1
        bits = int.from_bytes(d[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(d) >= 30:  # extended: 24-bit canvas w-1, h-1
        return int.from_bytes(d[24:27], "little") + 1, int.from_bytes(d[27:30], "little") + 1
    return None, None


# --- audio ----------------------------------------------------------------------------------

# capture pattern, version, header type, granule position, serial, sequence, CRC, segment count
_OGG_PAGE = struct.Struct("<4sBBqIIIB")
_OGG_TAIL = 256 * 1024  # the last intact page of a sane file lies well inside this
_OGG_CRC_CHECKS = 8  # bounds the work a crafted tail full of fake "OggS" can cause


def _ogg(d: bytes) -> Sniffed | None:
    if len(d) < _OGG_PAGE.size or not d.startswith(b"OggS"):
        return None
    serial = _OGG_PAGE.unpack_from(d, 0)[4]
    first = _OGG_PAGE.size + d[26]  # the first packet starts right after the lacing values
    if d[first : first + 8] == b"OpusHead":
        # Opus always counts granules at 48 kHz; pre-skip samples are decoded but never played.
        pre_skip = _ints(d, "<H", first + 10)
        seconds = _ogg_seconds(d, serial, pre_skip[0], 48_000) if pre_skip else None
        return _voice("audio/ogg", seconds)
    if d[first : first + 7] == b"\x01vorbis":
        rate = _ints(d, "<I", first + 12)
        return _voice("audio/ogg", _ogg_seconds(d, serial, 0, rate[0]) if rate else None)
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
        if i + _OGG_PAGE.size > len(d):
            continue
        _, version, _, granule, page_serial, _, crc, segments = _OGG_PAGE.unpack_from(d, i)
        lacing = i + _OGG_PAGE.size
        page_end = lacing + segments + sum(d[lacing : lacing + segments])
        # Granule -1 means no packet ends on this page; a cut-off page cannot be trusted.
        if version != 0 or page_serial != serial or granule < 0 or page_end > len(d):
            continue
        checks -= 1
        page = bytearray(d[i:page_end])
        page[22:26] = bytes(4)
        if _ogg_crc(bytes(page)) == crc:
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


def _ogg_crc(data: bytes) -> int:
    # Ogg's CRC-32 is the unreflected one (poly 0x04C11DB7, init 0); zlib.crc32 is reflected.
    table, crc = _ogg_crc_table(), 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
    return crc


def _mp3(d: bytes) -> Sniffed | None:
    id3 = d.startswith(b"ID3") and len(d) > 3 and d[3] in (2, 3, 4)
    return _voice("audio/mpeg", None) if id3 or _is_mp3_frame(d[:4]) else None


def _is_mp3_frame(h: bytes) -> bool:
    if len(h) < 4 or h[0] != 0xFF or h[1] & 0xE0 != 0xE0:
        return False
    version, layer = (h[1] >> 3) & 3, (h[1] >> 1) & 3
    bitrate, rate = h[2] >> 4, (h[2] >> 2) & 3
    # Version 01 and rate 11 are reserved; bitrate 0 (free) and 15 (bad) are not voice notes.
    return version != 1 and layer == 1 and bitrate not in (0, 15) and rate != 3


_M4A_BRANDS = frozenset({b"M4A ", b"M4B "})  # audio-only brands; mp4/3gp may be video


def _m4a(d: bytes) -> Sniffed | None:
    if d[4:8] != b"ftyp" or d[8:12] not in _M4A_BRANDS:
        return None
    return _voice("audio/mp4", _mp4_seconds(d))


def _mp4_seconds(d: bytes) -> float | None:
    moov = _mp4_box(d, 0, len(d), b"moov")
    mvhd = None if moov is None else _mp4_box(d, moov[0], moov[1], b"mvhd")
    if mvhd is None:
        return None
    start, end = mvhd
    fmt, offset = (">IQ", start + 20) if d[start] == 1 else (">II", start + 12)
    found = _ints(d, fmt, offset, end)
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


def _amr(d: bytes) -> Sniffed | None:
    if d.startswith(b"#!AMR-WB\n"):
        return _voice("audio/amr-wb", None)
    return _voice("audio/amr", None) if d.startswith(b"#!AMR\n") else None


# JPEG before MP3: both begin with 0xFF, and only JPEG's magic is exact.
_DETECTORS: tuple[Callable[[bytes], Sniffed | None], ...] = (
    _png, _jpeg, _gif, _webp, _ogg, _m4a, _amr, _mp3,
)  # fmt: skip


# --- generators for the demo and tests ------------------------------------------------------


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
    header = _OGG_PAGE.pack(b"OggS", 0, flags, granule, _OGG_SERIAL, sequence, 0, len(lacing))
    page = bytearray(header + lacing + b"".join(packets))
    page[22:26] = struct.pack("<I", _ogg_crc(bytes(page)))
    return bytes(page)
