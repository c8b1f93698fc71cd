"""What a media file is, by its bytes: the value every detector returns, and small readers."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from sprechstunde_cli.domain.model import MessageKind

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
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
}


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


def image(mime: str, size: tuple[int | None, int | None]) -> Sniffed:
    return Sniffed(mime, MessageKind.IMAGE, extension_for(mime), size[0], size[1])


def voice(mime: str, duration: float | None) -> Sniffed:
    return Sniffed(mime, MessageKind.VOICE, extension_for(mime), duration=duration)


def ints(data: bytes, fmt: str, offset: int, end: int | None = None) -> tuple[int, ...] | None:
    """Unpack integers at offset, or None if they would run past end (default: the data's end)."""
    if offset + struct.calcsize(fmt) > (len(data) if end is None else end):
        return None
    return tuple(int(v) for v in struct.unpack_from(fmt, data, offset))


def pair(data: bytes, fmt: str, offset: int) -> tuple[int | None, int | None]:
    found = ints(data, fmt, offset)
    return (found[0], found[1]) if found else (None, None)
