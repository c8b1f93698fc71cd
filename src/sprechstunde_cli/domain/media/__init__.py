"""Recognise citizens' media by their bytes, and refuse bombs.

Only headers are read, never pixels or samples: stdlib only, fast, and nothing here decodes
hostile data. The type comes from magic bytes; a citizen's declared mime only names data we do
not recognise, and there is deliberately no file-name parameter.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable

from sprechstunde_cli.domain.media.audio import amr, m4a, mp3, ogg
from sprechstunde_cli.domain.media.documents import office, pdf, text
from sprechstunde_cli.domain.media.images import gif, jpeg, png, webp
from sprechstunde_cli.domain.media.sniffed import (
    _EXTENSIONS,
    OCTET_STREAM,
    Sniffed,
    extension_for,
)
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.i18n import _

__all__ = [
    "MAX_PIXELS",
    "OCTET_STREAM",
    "Sniffed",
    "check_limits",
    "extension_for",
    "file_name",
    "sniff",
]

# What a file name sent to a citizen may hold: letters (any script), digits and a few marks.
_NAME_UNSAFE = re.compile(r"[^\w .()+-]+")
_NAME_CHARS = 80

MAX_PIXELS = 50_000_000
# A declared mime is a short ASCII token pair; anything else is not worth keeping.
_MIME_SYNTAX = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}")


# JPEG before MP3: both begin with 0xFF, and only JPEG's magic is exact. Plain text last: it
# has no magic, only the absence of binary bytes.
_DETECTORS: tuple[Callable[[bytes], Sniffed | None], ...] = (
    png, jpeg, gif, webp, ogg, m4a, amr, mp3, pdf, office, text,
)  # fmt: skip


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
        return _("file is {size}, over the {limit} limit").format(
            size=megabytes(size), limit=megabytes(max_bytes)
        )
    if s.width is not None and s.height is not None and s.width * s.height > MAX_PIXELS:
        # A few KB of PNG can claim a 100k x 100k canvas; whoever opens it would allocate that.
        return _("image is {width}x{height} pixels, over the {limit} megapixel limit").format(
            width=s.width, height=s.height, limit=MAX_PIXELS // 1_000_000
        )
    return None


def megabytes(n: int) -> str:
    """A size in the unit of the config's hour.max_media_mb (MiB, shown as MB, as people say)."""
    value = n / (1024 * 1024)
    return f"{value:.1f} MB" if round(value, 1) >= 0.1 or n == 0 else f"{value:.3f} MB"


def _fallback_mime(declared: str | None) -> str:
    if declared is None:
        return OCTET_STREAM
    mime = declared.split(";", 1)[0].strip().lower()
    # A type we sniff for but did not find in the bytes is a lie, so it is not passed on.
    if not _MIME_SYNTAX.fullmatch(mime) or mime in _EXTENSIONS:
        return OCTET_STREAM
    return mime


# The name a file the office sends gets when it has none of its own, by kind.
_STEMS = {MessageKind.IMAGE: "bild", MessageKind.VOICE: "sprachnachricht"}


def file_name(given: str, mime: str, kind: MessageKind = MessageKind.FILE) -> str:
    """A sensible name for a file the office sends: the given one's last part with anything
    odd replaced, cut short, and ending in the extension its type has (`antrag.pdf`); else
    one by its kind with that extension (`datei.pdf`, `bild.png`). Never a path, never hidden
    (no leading dot)."""
    stem = _STEMS.get(kind, "datei")
    ext = extension_for(mime)
    last = given.replace("\\", "/").rsplit("/", 1)[-1]
    base = _NAME_UNSAFE.sub("_", last).strip(" ._")
    if ext != ".bin" and base.lower().endswith(ext):
        base = base[: -len(ext)]
    elif ext == ".bin" and "." in base:
        base, _, own = base.rpartition(".")
        ext = "." + own[:8] if own.isalnum() else ext
    base = base.strip(" ._")[:_NAME_CHARS] or stem
    return base + ext
