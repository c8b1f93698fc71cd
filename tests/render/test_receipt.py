"""render/receipt.py and render/receipt_pdf.py: the Löschprotokoll as the data-protection
officer reads it, on screen and on paper."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pypdf

from sprechstunde_cli.domain.receipt import Receipt, StoreResult, Verification
from sprechstunde_cli.render.console import make_console
from sprechstunde_cli.render.receipt import receipt_rows, receipt_view
from sprechstunde_cli.render.receipt_pdf import receipt_pdf

RECEIPT = Receipt(
    session="mittwoch-2026-12-16",
    title="WhatsApp-Sprechstunde der Oberbürgermeisterin",
    provider="local",
    tool="sprechstunde 0.1.0",
    timezone="Europe/Berlin",
    planned_start="2026-12-16T15:00:00+00:00",
    planned_end="2026-12-16T16:00:00+00:00",
    opened="2026-12-16T15:00:03.123456+00:00",
    end="2026-12-16T16:00:00+00:00",
    closed="2026-12-16T16:02:40.5+00:00",
    purge_started="2026-12-16T16:02:41+00:00",
    purge_ended="2026-12-16T16:02:49+00:00",
    counts={"threads": 7, "messages_in": 23, "late_messages_dropped": 2, "media_bytes": 3_500_000},
    stores=(
        StoreResult("media folder", True, {"files": 3, "bytes": 2_621_440}),
        StoreResult("session key", True, {"destroyed": True}),
    ),
    providers=(),
    verification=Verification("clean", 38, 2, 5, 81920),
    residual_retention=("The citizens' phones keep the messages they sent.",),
)


def rows() -> dict[str, str]:
    return dict(receipt_rows(RECEIPT))


def test_times_are_the_session_zone_s_wall_clock_without_microseconds() -> None:
    found = rows()
    assert found["planned"] == "Wed 16.12.2026, 16:00 – 17:00"  # 15:00 UTC is 16:00 in Berlin
    assert found["opened"] == "Wed 16.12.2026, 16:00:03"
    assert found["closed"] == "Wed 16.12.2026, 17:02:40"
    assert found["times in"] == "Europe/Berlin"
    text = "\n".join(f"{k} {v}" for k, v in receipt_rows(RECEIPT))
    assert "+00:00" not in text and "123456" not in text and "T15" not in text


def test_labels_are_words_not_python_values() -> None:
    found = rows()
    assert found["session key"] == "done, destroyed yes"
    assert found["media folder"] == "done, files 3, size 2.5 MB"
    assert found["late messages turned away"] == "2"
    assert found["size of photos and files"] == "3.3 MB"
    text = "\n".join(f"{k} {v}" for k, v in receipt_rows(RECEIPT))
    assert "True" not in text and "False" not in text and "_" not in text


def test_a_receipt_written_before_zones_were_kept_shows_utc_and_says_so() -> None:
    found = dict(receipt_rows(replace(RECEIPT, timezone="")))
    assert found["times in"] == "UTC"
    assert found["planned"] == "Wed 16.12.2026, 15:00 – 16:00"


def test_no_field_is_broken_across_lines_at_any_width() -> None:
    for width in (36, 50, 60, 80, 200):
        out = io.StringIO()
        make_console(file=out, width=width).print(receipt_view(RECEIPT))
        lines = out.getvalue().splitlines()
        assert max(map(len, lines)) <= width
        for label, value in receipt_rows(RECEIPT):
            if len(value) > width - 4:
                continue  # a sentence wider than the line: wrapped between words
            same = [line for line in lines if line.startswith(f"  {label}:")]
            assert len(same) == 1, (width, label)
            at = lines.index(same[0])
            # Whole: beside its label, or on the next line when both do not fit.
            assert same[0].endswith(f" {value}") or lines[at + 1] == f"    {value}", (width, label)


def test_a_pipe_gets_one_line_per_field() -> None:
    out = io.StringIO()
    make_console(file=out).print(receipt_view(RECEIPT))  # not a terminal: no edge
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 + len(receipt_rows(RECEIPT))
    kept = next(line for line in lines if "kept elsewhere" in line)
    assert kept.endswith("The citizens' phones keep the messages they sent.")


def test_the_pdf_holds_the_times_counts_and_results_and_nothing_else() -> None:
    data = receipt_pdf(RECEIPT, datetime(2026, 12, 16, 16, 5, tzinfo=UTC))
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Löschprotokoll" in text and "mittwoch-2026-12-16" in text
    assert "Wed 16.12.2026, 16:00 - 17:00" in text  # the en dash as Helvetica has it
    assert "Wed 16.12.2026, 17:02:40" in text
    assert "late messages turned away 2" in text
    assert "threads (conversations) 7" in text
    assert "destroyed yes" in text
    assert "Oberbürgermeisterin" in text
    assert reader.metadata is not None
    assert reader.metadata.title == "Deletion receipt (Löschprotokoll) mittwoch-2026-12-16"
    assert reader.metadata.creation_date == datetime(2026, 12, 16, 16, 5, tzinfo=UTC)
