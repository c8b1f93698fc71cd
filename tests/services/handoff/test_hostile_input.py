"""Careless or hostile input bound for mail headers and the export file: checked when typed, and
a hand-off that still cannot be sent fails alone while the close goes on."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sprechstunde_cli.config import parse_config
from sprechstunde_cli.domain.handoffs import Consent
from sprechstunde_cli.errors import ConfigError, InputError
from sprechstunde_cli.services import handoff
from sprechstunde_cli.store import handoffs
from tests.support.cli import EXAMPLE_CONFIG
from tests.support.handoff_rig import (
    HANDOFF_TOML,
    Rig,
    SmtpServer,
    ask,
    mailer,
    open_rig,
    running_smtp,
)

FORGED = "Wohngeldamt\r\nBcc: alle@example.org"


@pytest.fixture
def asked(tmp_path: Path) -> Iterator[Rig]:
    with open_rig(tmp_path) as rig:
        yield ask(rig)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


@pytest.mark.parametrize(
    "dept", [FORGED, "Bauamt\nX", "Amt\u202e", "Amt\x1b[2J", "\u3164", "A" * 81, "  "]
)
def test_a_department_typed_with_a_line_break_or_hidden_characters_is_refused(
    asked: Rig, dept: str
) -> None:
    with pytest.raises(InputError) as caught:
        asked.record(1, dept, "anna.beispiel@example.org")
    assert "--dept" in caught.value.hint or "Rename" in caught.value.hint
    assert handoff.all_of(asked.store, "mittwoch") == []


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("anna@müller.example.org", "anna@xn--mller-kva.example.org"),
        (" Anna.Beispiel@Example.org ", "Anna.Beispiel@Example.org"),
    ],
)
def test_an_address_is_kept_the_way_every_mail_server_takes_it(
    asked: Rig, typed: str, kept: str
) -> None:
    assert asked.record(1, "Wohngeldamt", typed).email == kept


@pytest.mark.parametrize(
    "typed", ["müller@example.org", "anna@example.org\r\nBcc: x@example.org", "anna", "a@b"]
)
def test_an_address_a_server_could_not_take_is_refused_with_the_reason(
    asked: Rig, typed: str
) -> None:
    with pytest.raises(InputError) as caught:
        asked.record(1, "Wohngeldamt", typed)
    assert "e-mail address" in caught.value.message
    assert "name@example.org" in caught.value.hint


def test_an_address_the_office_cannot_send_to_is_never_offered_from_the_chat(asked: Rig) -> None:
    asked.says("+49 000 0000042", "Schreiben Sie an jörg@example.org")
    # The umlaut before the @ would need SMTPUTF8: the earlier, sendable address stays the one.
    assert handoff.detect_email(asked.store, asked.session, 1) == "anna.beispiel@example.org"


def test_a_forged_header_recorded_earlier_cannot_reach_the_mail_or_the_export(
    asked: Rig, smtp: SmtpServer, tmp_path: Path
) -> None:
    # A hand-off as a version without these checks recorded it: straight into the store.
    with asked.store.write() as conn:
        handoffs.insert(
            asked.store,
            conn,
            "mittwoch",
            thread=1,
            department=FORGED,
            email="anna.beispiel@example.org",
            question="Wann wird mein Wohngeld bewilligt?",
            note="",
            consent=Consent.OPERATOR,
            operator="mia",
            now=datetime(2026, 12, 2, 15, 10, tzinfo=UTC),
        )
    asked.config = parse_config(_with_mail(smtp.port))
    report = asked.deliver(mailer(smtp.port))
    # Mailed to the default mailbox, with the forged line folded into one visible line.
    assert (report.delivered, report.failed) == (1, 0)
    [received] = smtp.received
    assert received.rcpt == ["buergerbuero@example.org"]
    message = email.message_from_bytes(received.msg.as_bytes(), policy=email.policy.default)
    assert message["Bcc"] is None
    assert "\n" not in str(message["Subject"]) and "Bcc" in str(message["Subject"])
    exported = asked.deliver(None, export=True)
    assert exported.exported == 0  # delivered already: nothing left to export
    # And exported instead of mailed: no line of the file starts with a header of its own.
    with asked.store.write() as conn:
        conn.execute("UPDATE handoffs SET state = 'pending'")
    report = asked.deliver(None, export=True)
    assert report.export_file is not None
    lines = report.export_file.read_text(encoding="utf-8").splitlines()
    assert not any(line.startswith("Bcc:") for line in lines)


def test_a_config_department_with_a_line_break_is_refused_at_load() -> None:
    toml = EXAMPLE_CONFIG + HANDOFF_TOML.replace("Tiefbauamt = ", '"Tief\\nbauamt" = ')
    import tomllib

    with pytest.raises(ConfigError) as caught:
        parse_config(tomllib.loads(toml))
    assert "handoff.departments." in caught.value.message


def _with_mail(port: int) -> dict[str, object]:
    import tomllib

    from tests.support.handoff_rig import mail_table

    raw = tomllib.loads(EXAMPLE_CONFIG + HANDOFF_TOML)
    raw["mail"] = mail_table(port)
    return raw
