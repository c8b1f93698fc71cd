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
from sprechstunde_cli.domain.media.images import gif, jpeg, png, webp
from sprechstunde_cli.domain.media.sniffed import (
    _EXTENSIONS,
    OCTET_STREAM,
    Sniffed,
    extension_for,
)
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.i18n import _

__all__ = ["MAX_PIXELS", "OCTET_STREAM", "Sniffed", "check_limits", "extension_for", "sniff"]

MAX_PIXELS = 50_000_000
# A declared mime is a short ASCII token pair; anything else is not worth keeping.
_MIME_SYNTAX = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}")


# JPEG before MP3: both begin with 0xFF, and only JPEG's magic is exact.
_DETECTORS: tuple[Callable[[bytes], Sniffed | None], ...] = (
    png, jpeg, gif, webp, ogg, m4a, amr, mp3,
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
            size=_mb(size), limit=_mb(max_bytes)
        )
    if s.width is not None and s.height is not None and s.width * s.height > MAX_PIXELS:
        # A few KB of PNG can claim a 100k x 100k canvas; whoever opens it would allocate that.
        return _("image is {width}x{height} pixels, over the {limit} megapixel limit").format(
            width=s.width, height=s.height, limit=MAX_PIXELS // 1_000_000
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
