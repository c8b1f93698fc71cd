"""Hand-offs: consent, detection, the citizen's confirmation, delivery over real SMTP, export."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import stat
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from conftest import EXAMPLE_CONFIG, IN_THE_HOUR, FakeClock, Sp
from sprechstunde_cli.cli import followup as followup_cli
from sprechstunde_cli.config import Config, parse_config
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import (
    ConflictError,
    ExitCode,
    InputError,
    NotFoundError,
    StateError,
)
from sprechstunde_cli.mail import Mailer, parse_mail_settings
from sprechstunde_cli.media import make_png
from sprechstunde_cli.providers.local import LocalMessenger, LocalProvider
from sprechstunde_cli.services import closing, handoff, hour, operator
from sprechstunde_cli.services.handoff import Consent
from sprechstunde_cli.store import Store

HANDOFF_TOML = """
[handoff]
default_mailbox = "buergerbuero@example.org"
departments = { Wohngeldamt = "wohngeld@example.org", Tiefbauamt = "tiefbau@example.org" }
"""
CITIZEN = "+49 000 0000042"  # fictitious
CITIZEN_NAME = "Kanarien Name"
ANNA = "anna.beispiel@example.org"
OFFICE_CANARY = "KANARIE-BUEROANTWORT"
CAPTION_CANARY = "KANARIE-BILDUNTERSCHRIFT"
OTHER_CANARY = "KANARIE-ANDERER-THREAD"


# --- a real SMTP server on loopback ----------------------------------------------------------


@dataclass
class Received:
    rcpt: list[str]
    msg: EmailMessage


@dataclass
class SmtpServer:
    """aiosmtpd on 127.0.0.1: records what it accepts, or answers with scripted replies."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    script: list[str] = field(default_factory=list)  # one-off replies to DATA, in order
    refuse: str | None = None  # a reply to every DATA

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.script:
            return self.script.pop(0)
        if self.refuse:
            return self.refuse
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(port=_free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def mail_table(port: int) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "buergerbuero@example.org",
        "timeout": 5,
    }


def make_config(*, mail_port: int | None = None, default_mailbox: bool = True) -> Config:
    raw = tomllib.loads(EXAMPLE_CONFIG + HANDOFF_TOML)
    if not default_mailbox:
        del raw["handoff"]["default_mailbox"]
    if mail_port is not None:
        raw["mail"] = mail_table(mail_port)
    return parse_config(raw)


# --- a session on the local messenger --------------------------------------------------------


@dataclass
class Rig:
    store: Store
    messenger: LocalMessenger
    provider: LocalProvider
    config: Config
    clock: FakeClock
    media_dir: Path
    export_dir: Path
    sleeps: list[float] = field(default_factory=list)
    hour: hour.Hour | None = None

    def open(self) -> None:
        hour.open_session(self.store, self.config.session("mittwoch"), self.clock.now(), actor="t")
        self.hour = hour.Hour(self.store, self.provider, self.config, "mittwoch", self.media_dir)

    def step(self) -> None:
        assert self.hour is not None
        self.hour.step(self.clock.now(), wait=0.0)

    def says(self, handle: str, text: str, name: str = "") -> None:
        self.messenger.citizen_send(handle, text, name=name)
        self.step()

    @property
    def session(self) -> Any:
        return self.store.require_session("mittwoch")

    def phone(self, handle: str) -> list[str]:
        return [e.text for e in self.messenger.phone(handle) if e.incoming]

    def record(self, number: int, dept: str, address: str, **kw: Any) -> handoff.Handoff:
        return handoff.record(
            self.store,
            self.provider,
            self.config,
            self.session,
            number,
            department=dept,
            email=address,
            note=kw.pop("note", ""),
            consent=kw.pop("consent", Consent.OPERATOR),
            operator="mia",
            now=self.clock.now(),
            **kw,
        )

    def deliver(self, mailer: Mailer | None, **kw: Any) -> handoff.HandoffReport:
        return handoff.deliver_all(
            self.store,
            self.config,
            mailer,
            "mittwoch",
            self.clock.now(),
            export_dir=self.export_dir,
            sleep=self.sleeps.append,
            **kw,
        )


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    store = Store.open(tmp_path / "data" / "store.db")
    messenger = LocalMessenger(tmp_path / "data" / "local-messenger.db")
    media_dir = tmp_path / "data" / "sessions" / "mittwoch" / "media"
    yield Rig(
        store,
        messenger,
        LocalProvider(messenger),
        make_config(),
        FakeClock(IN_THE_HOUR),
        media_dir,
        tmp_path / "exports",
    )
    messenger.close()
    store.close()


@pytest.fixture
def asked(rig: Rig) -> Rig:
    """Thread 1: a question, a photo with a caption, an office reply, then the address."""
    rig.open()
    rig.says(CITIZEN, "Wann wird mein Wohngeld bewilligt?", name=CITIZEN_NAME)
    rig.messenger.citizen_send(
        CITIZEN, CAPTION_CANARY, kind=MessageKind.IMAGE, media=make_png(4, 4, (9, 9, 9))
    )
    rig.step()
    operator.reply(
        rig.store,
        rig.provider,
        rig.session,
        1,
        f"Das muss das Fachamt klären. {OFFICE_CANARY}",
        operator="mia",
        now=rig.clock.now(),
        media_dir=rig.media_dir,
        max_media_bytes=10_000_000,
    )
    rig.says(CITIZEN, f"Gern per Mail an {ANNA}, danke.")
    rig.says("c2", f"Ganz andere Frage {OTHER_CANARY} an bert@example.org")
    return rig


def mailer(port: int) -> Mailer:
    return Mailer(parse_mail_settings(mail_table(port), "mail"), None)


# --- detection --------------------------------------------------------------------------------


def test_detection_takes_the_citizens_last_own_address(rig: Rig) -> None:
    rig.open()
    rig.says("c1", "Meine alte Adresse war alt@example.org")
    rig.says("c1", "Schreiben Sie an wohngeld@example.org?")  # the office's own: not theirs
    rig.says("c1", "Bitte an Neu.Name+buerger@example.org.")  # trailing full stop
    rig.says("c1", "noreply@example.org schickt mir nur Werbung")
    rig.says("c1", "Termin am 3.12.2026@16.00 und Datei foto@home.c1")  # no address at all
    assert handoff.detect_email(rig.store, rig.session, 1, config=rig.config) == (
        "Neu.Name+buerger@example.org"
    )
    rig.says("c2", "Ich habe keine E-Mail.")
    assert handoff.detect_email(rig.store, rig.session, 2, config=rig.config) is None


def test_detection_ignores_what_the_office_wrote(asked: Rig) -> None:
    operator.reply(
        asked.store,
        asked.provider,
        asked.session,
        2,
        "Schreiben Sie an buero.intern@example.org",
        operator="mia",
        now=asked.clock.now(),
        media_dir=asked.media_dir,
        max_media_bytes=10_000_000,
    )
    assert handoff.detect_email(asked.store, asked.session, 2) == "bert@example.org"
    assert handoff.detect_email(asked.store, asked.session, 1) == ANNA


@pytest.mark.parametrize("bad", ["anna", "anna@", "anna@example", "a b@example.org", "@x.org"])
def test_a_typed_address_is_checked(bad: str) -> None:
    with pytest.raises(InputError) as err:
        handoff.check_email(bad)
    assert "name@example.org" in err.value.hint


def test_masking_keeps_only_the_first_letter_and_the_domain() -> None:
    assert handoff.mask_email("fritz@example.org") == "f•••@example.org"


# --- recording and consent --------------------------------------------------------------------


def test_without_consent_nothing_is_recorded_and_the_hint_says_how(asked: Rig) -> None:
    before = asked.phone(CITIZEN)
    with pytest.raises(InputError) as err:
        asked.record(1, "Wohngeldamt", ANNA, consent=Consent.NONE)
    assert "chat" in err.value.hint and "--consent" in err.value.hint
    assert handoff.all_of(asked.store, "mittwoch") == []
    assert asked.phone(CITIZEN) == before


def test_consent_confirms_to_the_citizen_with_the_masked_address(asked: Rig) -> None:
    found = asked.record(1, "wohngeldamt", ANNA, note="Antrag vom Mai")
    assert found.department == "Wohngeldamt"  # the configured spelling
    assert found.state == "pending" and found.consent is Consent.OPERATOR
    # Only the citizen's own text messages: no caption, no office reply, no other thread.
    assert (
        found.question == f"Wann wird mein Wohngeld bewilligt?\n\nGern per Mail an {ANNA}, danke."
    )
    last = asked.phone(CITIZEN)[-1]
    assert "Wohngeldamt" in last and "a•••@example.org" in last
    assert ANNA not in last
    assert handoff.confirmation(asked.store, found) == ("sent", None)
    # The confirmation answered the thread: it gets no "we could not answer" at close.
    assert 1 not in [t.number for t in asked.store.unanswered_threads("mittwoch")]


def test_detected_consent_only_for_the_address_the_citizen_wrote(asked: Rig) -> None:
    with pytest.raises(InputError):
        asked.record(1, "Wohngeldamt", "jemand@example.org", consent=Consent.DETECTED)
    found = asked.record(1, "Wohngeldamt", ANNA, consent=Consent.DETECTED)
    assert found.consent is Consent.DETECTED


def test_unknown_department_lists_the_configured_ones(asked: Rig) -> None:
    asked.config = make_config(default_mailbox=False)
    with pytest.raises(NotFoundError) as err:
        asked.record(1, "Bauamt", ANNA)
    assert "Tiefbauamt, Wohngeldamt" in err.value.message
    assert "[handoff]" in err.value.hint
    # With a default mailbox, a department of its own is fine: it goes there.
    asked.config = make_config()
    assert asked.record(1, "Bauamt", ANNA).department == "Bauamt"


def test_a_rerun_is_harmless_and_a_second_address_conflicts(asked: Rig) -> None:
    first = asked.record(1, "Wohngeldamt", ANNA)
    again = asked.record(1, "Wohngeldamt", ANNA)
    assert again.id == first.id
    confirmations = [t for t in asked.phone(CITIZEN) if "Wohngeldamt" in t]
    assert len(confirmations) == 1
    with pytest.raises(ConflictError):
        asked.record(1, "Wohngeldamt", "anders@example.org")


def test_only_while_the_hour_is_open(asked: Rig) -> None:
    closing.close(
        asked.store, asked.provider, asked.config, "mittwoch", asked.clock.now(), actor="t"
    )
    with pytest.raises(StateError) as err:
        asked.record(1, "Wohngeldamt", ANNA)
    assert "open" in err.value.message


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
    report = asked.deliver(mailer(_free_port()), attempts=3)
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


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli_hour(sp: Sp, config_file: Path, clock: FakeClock) -> Sp:
    config_file.write_text(EXAMPLE_CONFIG + HANDOFF_TOML, encoding="utf-8")
    sp("open", "--once")
    sp("sandbox", "send", "--from", "anna", "Wann kommt mein Wohngeld?")
    sp("sandbox", "send", "--from", "anna", f"Antwort gern an {ANNA}")
    sp("sandbox", "send", "--from", "bert", "Und der Bus?")
    sp("open", "--once")
    return sp


def inbox(sp: Sp, handle: str) -> list[str]:
    lines = sp("sandbox", "inbox", "--as", handle, "--json").stdout.splitlines()
    return [e["text"] for e in map(json.loads, lines) if e["from_office"]]


def test_cli_followup_with_consent_reaches_the_phone(cli_hour: Sp) -> None:
    result = cli_hour("followup", "2", "--email", "bert@example.org", "--dept", "tiefbauamt",
                      "--consent", "--note", "Linie 7")  # fmt: skip
    assert "Thread 2 handed to Tiefbauamt (b•••@example.org)." in result.stdout
    assert "got the confirmation" in result.stdout
    assert any("Tiefbauamt" in t and "b•••@example.org" in t for t in inbox(cli_hour, "bert"))
    listing = cli_hour("followup", "--list").stdout
    assert "Tiefbauamt" in listing and "b•••@example.org" in listing and "pending" in listing
    assert "bert@example.org" not in listing
    rows = [json.loads(x) for x in cli_hour("followup", "--list", "--json").stdout.splitlines()]
    assert rows == [
        {
            "thread": 2,
            "department": "Tiefbauamt",
            "email": "b•••@example.org",
            "state": "pending",
            "attempts": 0,
            "error": None,
        }
    ]


def test_cli_detected_address_needs_consent_when_not_interactive(cli_hour: Sp) -> None:
    result = cli_hour("followup", "1", "--dept", "Wohngeldamt", expect=ExitCode.USAGE)
    assert "No consent" in result.stderr and "--consent" in result.stderr
    assert "No hand-offs" in cli_hour("followup", "--list").stdout
    result = cli_hour("followup", "1", "--dept", "Wohngeldamt", "--consent")
    assert "(a•••@example.org)" in result.stdout
    assert ANNA not in result.stdout


def test_cli_detected_address_is_confirmed_interactively(
    cli_hour: Sp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(followup_cli.context, "is_interactive", lambda: True)
    declined = cli_hour("followup", "1", "--dept", "Wohngeldamt", input="n\n")
    assert ANNA in declined.stdout  # the prompt shows what the operator confirms
    assert "Nothing recorded." in declined.stdout
    accepted = cli_hour("followup", "1", "--dept", "Wohngeldamt", input="y\n")
    assert "Thread 1 handed to Wohngeldamt" in accepted.stdout
    assert any("a•••@example.org" in t for t in inbox(cli_hour, "anna"))


def test_cli_explains_what_is_missing(cli_hour: Sp) -> None:
    result = cli_hour("followup", "2", "--dept", "Tiefbauamt", expect=ExitCode.USAGE)
    assert "holds no e-mail address" in result.stderr and "--email" in result.stderr
    result = cli_hour("followup", "2", "--email", "x@example.org", expect=ExitCode.USAGE)
    assert "--dept" in result.stderr
    result = cli_hour("followup", "--list", "2", expect=ExitCode.USAGE)
    assert "--list takes no thread" in result.stderr
