"""Hand-offs: detection, consent, the citizen's confirmation, and `followup` on the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sprechstunde_cli.cli.threads import followup as followup_cli
from sprechstunde_cli.errors import ConflictError, ExitCode, InputError, NotFoundError, StateError
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import handoff
from sprechstunde_cli.services import reply as operator
from sprechstunde_cli.services.handoff import Consent
from tests.support.cli import EXAMPLE_CONFIG, Sp
from tests.support.clocks import FakeClock
from tests.support.handoff_rig import ANNA, CITIZEN, HANDOFF_TOML, Rig, ask, make_config, open_rig


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    with open_rig(tmp_path) as made:
        yield made


@pytest.fixture
def asked(rig: Rig) -> Rig:
    return ask(rig)


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
    closing.close(asked.store, asked.provider, asked.config, "mittwoch", asked.clock, actor="t")
    with pytest.raises(StateError) as err:
        asked.record(1, "Wohngeldamt", ANNA)
    assert "open" in err.value.message


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
    monkeypatch.setattr(followup_cli, "is_interactive", lambda: True)
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
