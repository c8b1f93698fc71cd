"""Document headers (PDF, office files, plain text): the type by its bytes, never parsed further.

A phone opens an attachment by its type; "application/octet-stream" it may refuse. Office files
are ZIP (OOXML, OpenDocument) whose first entries name what they hold; only the first 64 KiB
are looked at, nothing is unpacked.
"""

from __future__ import annotations

import codecs

from sprechstunde_cli.domain.media.sniffed import Sniffed, extension_for, ints
from sprechstunde_cli.domain.model import MessageKind

_ZIP = b"PK\x03\x04"
_LOOK = 64 * 1024
_OOXML = (
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_ODF_PREFIX = b"application/vnd.oasis.opendocument."
# Text may hold tab, line feed, form feed and carriage return; any other C0 control means binary.
_TEXT_CONTROLS = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}


def document(mime: str) -> Sniffed:
    return Sniffed(mime, MessageKind.FILE, extension_for(mime))


def pdf(d: bytes) -> Sniffed | None:
    return document("application/pdf") if d.startswith(b"%PDF-") else None


def office(d: bytes) -> Sniffed | None:
    if not d.startswith(_ZIP):
        return None
    lengths = ints(d, "<HH", 26)
    if lengths is not None:
        name_len, extra_len = lengths
        name = d[30 : 30 + name_len]
        if name == b"mimetype":
            # OpenDocument: the first entry, stored uncompressed, is the type itself.
            start = 30 + name_len + extra_len
            declared = d[start : start + 80].split(b"PK", 1)[0]
            if declared.startswith(_ODF_PREFIX) and declared.isascii():
                return document(declared.decode().strip())
    head = d[:_LOOK]
    if b"[Content_Types].xml" in head:
        for folder, mime in _OOXML:
            if folder in head:
                return document(mime)
    return document("application/zip")


def text(d: bytes) -> Sniffed | None:
    """Plain text: valid UTF-8 (a BOM allowed) without binary control characters."""
    if not d:
        return None
    head = d[:_LOOK]
    if any(b in _TEXT_CONTROLS for b in head):
        return None
    try:
        # A multi-byte character cut at the window's end is not a reason to call it binary:
        # the incremental decoder keeps it pending unless this is the whole file.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(d) <= _LOOK)
    except UnicodeDecodeError:
        return None
    return document("text/plain")
