"""What citizens do to what they sent, played on the local messenger: withdraw, edit, leave."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import Sp, inbox_texts

CANARY = "Telefon 0170-CANARY-4711"


def rows(sp: Sp) -> dict[int, dict[str, object]]:
    found = [json.loads(x) for x in sp("threads", "--json").stdout.splitlines()]
    return {int(r["thread"]): r for r in found}


def test_a_withdrawn_message_is_gone_from_every_view_and_no_longer_unread(hour_open: Sp) -> None:
    hour_open("sandbox", "send", "--from", "anna", CANARY)
    hour_open("open", "--once")
    assert rows(hour_open)[2]["unread"] == 2
    assert "withdrew" in hour_open("sandbox", "delete", "--from", "anna").stdout
    hour_open("open", "--once")
    thread = rows(hour_open)[2]
    assert thread["unread"] == 1
    assert thread["last_withdrawn"] is True
    assert CANARY not in json.dumps(thread)
    shown = hour_open("show", "2").stdout
    assert "withdrawn by the citizen" in shown
    assert "Guten Tag" in shown  # the other message stays
    assert "CANARY" not in shown
    tailed = hour_open("tail", "--once", "--json").stdout.splitlines()
    withdrawn = [e for e in map(json.loads, tailed) if e["withdrawn"]]
    assert len(withdrawn) == 1 and withdrawn[0]["text"] == ""
    assert "CANARY" not in hour_open("tail", "--once").stdout
    # The citizen's own phone no longer shows it either.
    assert not any("CANARY" in t for t in inbox_texts(hour_open, "anna"))
    figures = json.loads(hour_open("stats", "mittwoch", "--json").stdout)
    assert figures["withdrawn_by_citizens"] == 1 and figures["edited_by_citizens"] == 0
    assert "withdrawn" in hour_open("stats", "mittwoch").stdout


def test_an_edit_replaces_the_text_and_is_marked(hour_open: Sp) -> None:
    hour_open("sandbox", "send", "--from", "anna", "Wann ist der Termin am Montg?")
    hour_open("open", "--once")
    hour_open("sandbox", "edit", "--from", "anna", "Wann ist der Termin am Montag?")
    hour_open("open", "--once")
    shown = hour_open("show", "2").stdout
    assert "Montag?" in shown and "Montg" not in shown
    assert "(edited)" in shown
    assert rows(hour_open)[2]["last"] == "Wann ist der Termin am Montag?"
    line = hour_open("tail", "--once").stdout
    assert "[edited] Wann ist der Termin am Montag?" in line


def test_a_citizen_who_left_is_shown_and_reply_refuses_with_its_own_status(
    hour_open: Sp,
) -> None:
    hour_open("sandbox", "leave", "--from", "anna")
    hour_open("open", "--once")
    assert rows(hour_open)[2]["left"] is True
    assert "left the chat or blocked the office" in hour_open("show", "2").stdout
    result = hour_open("reply", "2", "Noch da?", expect=ExitCode.CITIZEN_GONE)
    assert "cannot reach them" in result.stderr
    assert "Noch da?" not in inbox_texts(hour_open, "anna")
    # Writing again brings them back.
    hour_open("sandbox", "send", "--from", "anna", "Doch noch eine Frage")
    hour_open("open", "--once")
    assert rows(hour_open)[2]["left"] is False
    assert "Sent to thread 2." in hour_open("reply", "2", "Gern!").stdout


def test_a_shared_location_shows_coordinates_and_a_map_link(hour_open: Sp) -> None:
    hour_open("sandbox", "send", "--from", "anna", "--location", "52.5200,13.4050")
    hour_open("open", "--once")
    shown = hour_open("show", "2").stdout
    assert "52.520000, 13.405000" in shown
    assert "https://www.openstreetmap.org/?mlat=52.520000&mlon=13.405000" in shown
    bad = hour_open("sandbox", "send", "--from", "anna", "--location", "95,1", expect=2)
    assert "no location" in bad.stderr


def test_sandbox_delete_without_a_message_explains(hour_open: Sp) -> None:
    result = hour_open("sandbox", "delete", "--from", "nobody", expect=ExitCode.PROVIDER)
    assert "sandbox send" in result.stderr


def test_a_document_is_listed_with_type_and_name_and_opens_as_itself(hour_open: Sp) -> None:
    pdf = Path.home() / "Antrag Wohngeld.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
    hour_open("sandbox", "send", "--from", "anna", "--file", str(pdf), "Mein Antrag")
    hour_open("open", "--once")
    listed = hour_open("media", "2").stdout
    assert "[1] file PDF, 36 B  Antrag Wohngeld.pdf" in listed
    assert "Antrag Wohngeld.pdf" in hour_open("show", "2").stdout
    opened = Path(hour_open("media", "2", "1").stdout.strip())
    assert opened.suffix == ".pdf" and opened.read_bytes() == pdf.read_bytes()


def test_a_reply_with_a_document_reaches_the_phone_with_its_type_and_name(
    hour_open: Sp, tmp_path: Path
) -> None:
    pdf = Path.home() / "antrag.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
    hour_open("reply", "2", "Das Formular", "--attach", str(pdf))
    lines = hour_open("sandbox", "inbox", "--as", "anna", "--json").stdout.splitlines()
    files = [(e["filename"], e["mime"]) for e in map(json.loads, lines) if e["size"]]
    assert files == [("antrag.pdf", "application/pdf")]
    # Sent: the name moved on with the message; the outbox row keeps none of it.
    with sqlite3.connect(tmp_path / "data" / "sprechstunde.db") as db:
        left = db.execute("SELECT COUNT(*) FROM outbox WHERE media_name IS NOT NULL").fetchone()
        kept = db.execute("SELECT COUNT(*) FROM messages WHERE media_name IS NOT NULL").fetchone()
    assert (left[0], kept[0]) == (0, 1)
    assert "antrag.pdf" in hour_open("show", "2").stdout


def test_open_plain_says_what_citizens_changed(hour_open: Sp) -> None:
    hour_open("sandbox", "send", "--from", "anna", "Tippfeler")
    hour_open("open", "--once")
    hour_open("sandbox", "edit", "--from", "anna", "Tippfehler")
    hour_open("sandbox", "delete", "--from", "anna")
    hour_open("sandbox", "leave", "--from", "+49 000 0000042")
    said = hour_open("open", "--once", "--plain").stdout
    assert "1 message(s) edited by the citizen: the new text is shown." in said
    assert "1 message(s) withdrawn by the citizen: deleted here too." in said
    assert "The citizen of thread 1 left the chat: answers cannot reach them." in said
    assert "Tippfe" not in said
