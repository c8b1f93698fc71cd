"""close → hand-offs out (mail or export) → purge waits for them → the receipt names the export."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import EXAMPLE_CONFIG, Sp
from tests.support.clocks import FakeClock
from tests.support.handoff_rig import HANDOFF_TOML, SmtpServer, mail_table, running_smtp

QUESTION = "Mein Wohngeldantrag liegt seit Monaten beim Amt, können Sie nachfragen?"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


def write_config(path: Path, export_dir: Path, extra: str = "") -> None:
    path.write_text(
        EXAMPLE_CONFIG
        + HANDOFF_TOML.replace("[handoff]", f'[handoff]\nexport_dir = "{export_dir}"')
        + extra,
        encoding="utf-8",
    )


def start(sp: Sp) -> None:
    sp("open", "--once")
    sp("sandbox", "send", "--from", "frieda", QUESTION)
    sp("sandbox", "send", "--from", "emil", "Gibt es noch Kita-Plätze?")
    sp("open", "--once")
    sp("followup", "1", "--email", "frieda@example.org", "--dept", "Wohngeldamt", "--consent")


def test_without_mail_close_exports_and_the_receipt_names_the_file(
    sp: Sp, isolated: Path, clock: FakeClock
) -> None:
    export_dir = isolated / "uebergaben"
    write_config(isolated / "config.toml", export_dir)
    start(sp)
    closed = sp("close").stdout
    (export,) = export_dir.iterdir()
    assert f"1 hand-off(s) written to {export}" in closed
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    assert QUESTION in export.read_text(encoding="utf-8")
    sp("purge", "mittwoch")
    receipt = json.loads(sp("receipt", "mittwoch", "--json").stdout)
    assert receipt["handoff_exports"] == [str(export)]
    assert receipt["counts"]["handoffs_exported"] == 1
    assert "frieda" not in json.dumps(receipt)
    assert export.exists()  # the operator's to take; the purge does not touch it


def refusing_mail_server(sp: Sp, isolated: Path, smtp: SmtpServer) -> Path:
    """A started hour whose [mail] server refuses every hand-off; returns the export dir."""
    export_dir = isolated / "uebergaben"
    mail = (
        "\n[mail]\n"
        + "\n".join(f"{k} = {json.dumps(v)}" for k, v in mail_table(smtp.port).items())
        + "\n"
    )
    write_config(isolated / "config.toml", export_dir, mail)
    start(sp)
    smtp.refuse = "550 5.7.1 Nicht angenommen"
    return export_dir


def test_a_refused_handoff_is_exported_by_closing_again(
    sp: Sp, isolated: Path, clock: FakeClock, smtp: SmtpServer
) -> None:
    export_dir = refusing_mail_server(sp, isolated, smtp)
    sp("close")

    result = sp("close", "mittwoch", "--export-handoffs")

    (export,) = export_dir.iterdir()
    assert "1 hand-off(s) written to" in result.stdout
    assert "not delivered" not in result.stderr
    assert "frieda" in export.read_text(encoding="utf-8")
    sp("purge", "mittwoch")  # nothing outstanding any more
    sp("close", "mittwoch", expect=ExitCode.STATE)


def test_the_purge_waits_for_undelivered_handoffs(
    sp: Sp, isolated: Path, clock: FakeClock, smtp: SmtpServer
) -> None:
    export_dir = refusing_mail_server(sp, isolated, smtp)
    result = sp("close")
    assert "1 hand-off(s) not delivered yet" in result.stderr
    assert "sprechstunde close mittwoch --export-handoffs" in result.stderr
    # Closed, but not stuck: close again retries the hand-off, still refused.
    result = sp("close", "mittwoch")
    assert result.stdout.startswith("Session 'mittwoch' was already closed; tried its")
    assert "1 hand-off(s) not delivered yet" in result.stderr
    assert smtp.received == []
    result = sp("purge", "mittwoch", expect=ExitCode.INCOMPLETE)
    assert "--export-handoffs" in result.stderr
    assert sp("threads", "--session", "mittwoch").stdout  # nothing was deleted
    sp("purge", "mittwoch", "--export-handoffs")
    (export,) = export_dir.iterdir()
    receipt = json.loads(sp("receipt", "mittwoch", "--json").stdout)
    assert receipt["handoff_exports"] == [str(export)]
    assert smtp.received == []


def test_mail_delivery_at_close_then_a_clean_purge(
    sp: Sp, isolated: Path, clock: FakeClock, smtp: SmtpServer
) -> None:
    mail = (
        "\n[mail]\n"
        + "\n".join(f"{k} = {json.dumps(v)}" for k, v in mail_table(smtp.port).items())
        + "\n"
    )
    write_config(isolated / "config.toml", isolated / "uebergaben", mail)
    start(sp)
    assert "1 hand-off(s) sent by e-mail." in sp("close").stdout
    (got,) = smtp.received
    assert got.rcpt == ["wohngeld@example.org"]
    assert QUESTION in got.msg.get_content()
    sp("purge", "mittwoch")
    receipt = json.loads(sp("receipt", "mittwoch", "--json").stdout)
    assert (receipt["counts"]["handoffs_delivered"], receipt["handoff_exports"]) == (1, [])


def test_the_closing_words_offer_an_email_answer_when_configured(
    sp: Sp, isolated: Path, clock: FakeClock
) -> None:
    write_config(isolated / "config.toml", isolated / "x")
    config = isolated / "config.toml"
    config.write_text(config.read_text().replace("[handoff]", "[handoff]\noffer = true"))
    start(sp)
    sp("close")
    inbox = [
        json.loads(x) for x in sp("sandbox", "inbox", "--as", "emil", "--json").stdout.splitlines()
    ]
    closing = [e["text"] for e in inbox if "Die Sprechstunde ist beendet" in e["text"]]
    assert len(closing) == 1 and "buergerbuero@example.org" in closing[0]
    # Frieda's question was handed off: that counts as answered, no closing words for her.
    frieda = sp("sandbox", "inbox", "--as", "frieda", "--json").stdout
    assert "Die Sprechstunde ist beendet" not in frieda
