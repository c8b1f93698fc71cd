"""Documents are told by their bytes: PDF, OOXML and OpenDocument (real ZIPs), plain text."""

from __future__ import annotations

import io
import zipfile

import pytest

from sprechstunde_cli.domain.media import OCTET_STREAM, sniff
from sprechstunde_cli.domain.model import MessageKind


def ooxml(folder: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{folder}/document.xml", "<w:document/>")
    return out.getvalue()


def odf(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        # As the OpenDocument standard asks: first, and stored uncompressed.
        z.writestr("mimetype", f"application/vnd.oasis.opendocument.{kind}", zipfile.ZIP_STORED)
        z.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "mime", "ext"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", ".pdf"),
        (
            ooxml("word"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
        (ooxml("xl"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
        (odf("text"), "application/vnd.oasis.opendocument.text", ".odt"),
        (odf("spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet", ".ods"),
        (ooxml("other"), "application/zip", ".zip"),
        ("Sehr geehrte Damen und Herren,\r\n\tÄnderung\n".encode(), "text/plain", ".txt"),
    ],
)
def test_a_document_is_known_by_its_bytes_whatever_was_declared(
    data: bytes, mime: str, ext: str
) -> None:
    found = sniff(data, "application/octet-stream")
    assert (found.mime, found.kind, found.extension) == (mime, MessageKind.FILE, ext)


def test_binary_or_broken_utf8_is_no_text() -> None:
    assert sniff(b"Hallo\x00Welt", None).mime == OCTET_STREAM
    assert sniff(b"Gr\xfc\xdfe", None).mime == OCTET_STREAM  # Latin-1, not UTF-8
    assert sniff(b"", None).mime == OCTET_STREAM


def test_a_long_text_cut_inside_a_character_is_still_text() -> None:
    data = ("x" + "ä" * 40_000).encode()  # the 64 KiB window ends inside a character
    assert sniff(data, None).mime == "text/plain"


@pytest.mark.parametrize("cut", [4, 10, 29, 31, 40])
def test_a_truncated_zip_is_classified_without_raising(cut: int) -> None:
    assert sniff(odf("text")[:cut], None).kind is MessageKind.FILE
