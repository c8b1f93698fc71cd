"""Hand-off delivery: a real SMTP server on loopback, retries, failures, and the export file."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from sprechstunde_cli.services import handoff
from tests.support.handoff_rig import (
    ANNA,
    CAPTION_CANARY,
    CITIZEN_NAME,
    OFFICE_CANARY,
    OTHER_CANARY,
    Rig,
    SmtpServer,
    ask,
    free_port,
    mailer,
    make_config,
    open_rig,
    running_smtp,
)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig(tmp_path) as made:
        yield made


@pytest.fixture
def asked(rig: Rig) -> Rig:
    return ask(rig)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


# --- delivery over SMTP -----------------------------------------------------------------------


def test_one_mail_per_handoff_with_the_question_and_nothing_else(
    asked: Rig, smtp: SmtpServer
) -> None:
    asked.config = make_config(mail_port=smtp.port)
    asked.record(1, "Wohngeldamt", ANNA, note="Antrag vom Mai")
    asked.record(2, "Bauamt", "bert@example.org")
    report = asked.deliver(mailer(smtp.port))
    assert (report.delivered, report.exported, report.failed) == (2, 0, 0)
    assert report.export_file is None and report.errors == ()
    assert [r.rcpt for r in smtp.received] == [
        ["wohngeld@example.org"],
        ["buergerbuero@example.org"],
    ]
    first = smtp.received[0].msg
    assert first["Subject"] == "Bürgersprechstunde 02.12.2026: Frage an Wohngeldamt (Nr. 1)"
    text = first.get_content()
    assert "Wann wird mein Wohngeld bewilligt?" in text
    assert f"Bitte antworten Sie per E-Mail an: {ANNA}" in text
    assert "Antrag vom Mai" in text
    for canary in (OFFICE_CANARY, CAPTION_CANARY, OTHER_CANARY, "0000042", CITIZEN_NAME, "bert"):
        assert canary not in text
    assert "Wohngeld" not in smtp.received[1].msg.get_content()
    assert handoff.counts(asked.store, "mittwoch") == {
        "delivered": 2,
        "exported": 0,
        "pending": 0,
        "failed": 0,
    }
    # A re-run has nothing left to send.
    assert asked.deliver(mailer(smtp.port)).delivered == 0
    assert len(smtp.received) == 2


def test_a_resend_after_a_crash_carries_the_same_message_id(asked: Rig, smtp: SmtpServer) -> None:
    asked.config = make_config(mail_port=smtp.port)
    asked.record(1, "Wohngeldamt", ANNA)
    asked.deliver(mailer(smtp.port))
    # As if the process died after the server accepted but before the row was updated.
    with asked.store.write() as conn:
        conn.execute("UPDATE handoffs SET state = 'pending'")
    asked.deliver(mailer(smtp.port))
    ids = [r.msg["Message-ID"] for r in smtp.received]
    assert len(ids) == 2 and ids[0] == ids[1] and ids[0].endswith("@example.org>")


def test_a_temporary_refusal_is_retried_with_backoff(asked: Rig, smtp: SmtpServer) -> None:
    asked.config = make_config(mail_port=smtp.port)
    asked.record(1, "Wohngeldamt", ANNA)
    smtp.script = ["451 4.3.0 Bitte später erneut versuchen"]
    report = asked.deliver(mailer(smtp.port))
    assert report.delivered == 1 and report.failed == 0
    assert asked.sleeps == [2.0]
    assert len(smtp.received) == 1
    (done,) = handoff.all_of(asked.store, "mittwoch")
    assert done.state == "delivered" and done.attempts == 2


def test_greylisting_at_rcpt_is_retried_and_replies_go_to_the_citizen(
    asked: Rig, smtp: SmtpServer
) -> None:
    asked.config = make_config(mail_port=smtp.port)
    asked.record(1, "Wohngeldamt", ANNA)
    smtp.rcpt_script = ["450 4.2.0 Greylisted, try again"]
    report = asked.deliver(mailer(smtp.port))
    assert (report.delivered, report.failed) == (1, 0)
    assert asked.sleeps == [2.0]
    (got,) = smtp.received
    assert got.msg["Reply-To"] == ANNA


def test_a_final_refusal_is_reported_and_kept(asked: Rig, smtp: SmtpServer) -> None:
    asked.config = make_config(mail_port=smtp.port)
    asked.record(1, "Wohngeldamt", ANNA)
    smtp.refuse = "550 5.7.1 Nicht angenommen"
    report = asked.deliver(mailer(smtp.port))
    assert (report.delivered, report.failed) == (0, 1)
    assert report.errors == ("Thread 1 → Wohngeldamt: The mail server answered 550.",)
    assert asked.sleeps == []  # a final answer is not retried
    assert handoff.outstanding(asked.store, "mittwoch") == 1
    (kept,) = handoff.pending(asked.store, "mittwoch")
    assert kept.state == "failed" and kept.error == "The mail server answered 550."
    # The next run tries again and, once the server takes it, it is delivered.
    smtp.refuse = None
    assert asked.deliver(mailer(smtp.port)).delivered == 1
    assert handoff.outstanding(asked.store, "mittwoch") == 0


def test_an_unreachable_server_fails_after_bounded_retries(asked: Rig) -> None:
    asked.record(1, "Wohngeldamt", ANNA)
    report = asked.deliver(mailer(free_port()), attempts=3)
    assert report.failed == 1 and "Cannot reach the mail server" in report.errors[0]
    assert asked.sleeps == [2.0, 4.0]
    assert handoff.counts(asked.store, "mittwoch")["failed"] == 1


# --- export without [mail] --------------------------------------------------------------------


def test_without_mail_all_outstanding_go_to_one_private_file(asked: Rig, smtp: SmtpServer) -> None:
    asked.says("c2", "Und die Straße vor meinem Haus? \x1b[2J\u202e")
    asked.record(1, "Wohngeldamt", ANNA, note="Antrag vom Mai")
    asked.record(2, "Tiefbauamt", "bert@example.org")
    # One of them failed by mail before: it is outstanding too.
    asked.config = make_config(mail_port=smtp.port)
    smtp.refuse = "550 nein"
    asked.deliver(mailer(smtp.port))
    asked.config = make_config()
    report = asked.deliver(None)
    assert report.exported == 2 and report.delivered == 0 and report.failed == 0
    path = report.export_file
    assert path is not None and path.parent == asked.export_dir
    assert path.name == "handoffs-mittwoch-20261202-1605.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert f"Antwort an:  {ANNA}" in text and "Antwort an:  bert@example.org" in text
    assert "An:          Wohngeldamt <wohngeld@example.org>" in text
    assert "Wann wird mein Wohngeld bewilligt?" in text and "Antrag vom Mai" in text
    # Citizen text is made inert: the operator may well `cat` this file.
    assert "\x1b" not in text and "\u202e" not in text and "\\x1b[2J" in text
    for canary in (OFFICE_CANARY, CAPTION_CANARY, "0000042", CITIZEN_NAME):
        assert canary not in text
    assert handoff.counts(asked.store, "mittwoch")["exported"] == 2
    assert handoff.outstanding(asked.store, "mittwoch") == 0
    # Nothing left: a re-run writes no second file.
    assert asked.deliver(None).export_file is None
    assert list(asked.export_dir.iterdir()) == [path]


def test_export_on_request_never_overwrites_an_earlier_file(asked: Rig, smtp: SmtpServer) -> None:
    asked.config = make_config(mail_port=smtp.port)
    asked.record(1, "Wohngeldamt", ANNA)
    first = asked.deliver(mailer(smtp.port), export=True).export_file
    asked.record(2, "Tiefbauamt", "bert@example.org")
    second = asked.deliver(mailer(smtp.port), export=True).export_file
    assert smtp.received == []
    assert first is not None and second is not None and first != second
    assert second.name == "handoffs-mittwoch-20261202-1605-2.txt"
    assert ANNA in first.read_text(encoding="utf-8")
    assert ANNA not in second.read_text(encoding="utf-8")
