"""The SMTP adapter against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sprechstunde_cli.adapters import smtp as adapter
from sprechstunde_cli.adapters.smtp import Mailer, greeting_name
from sprechstunde_cli.config.mail import parse_mail_settings
from sprechstunde_cli.errors import ProviderError
from tests.support.fakes.smtp import smtp_server
from tests.support.handoff_rig import mail_table, running_smtp


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Lets a test say what the machine's full name is; the cached lookup forgets it after."""
    adapter.fqdn.cache_clear()
    yield monkeypatch
    adapter.fqdn.cache_clear()


def send_one(table: dict[str, object], password: str | None = None) -> None:
    Mailer(parse_mail_settings(table, "mail"), password).send(
        ["wohngeld@example.org"], "Frage", "Text"
    )


def test_greets_with_the_configured_name() -> None:
    with running_smtp() as smtp:
        send_one({**mail_table(smtp.port), "helo": "rathaus-pc1.example.org"})

    [received] = smtp.received
    assert received.helo == "rathaus-pc1.example.org"


def test_greets_with_the_machines_full_name(machine: pytest.MonkeyPatch) -> None:
    machine.setattr("socket.getfqdn", lambda *a: "rathaus-pc1.example.org")
    with running_smtp() as smtp:
        send_one(mail_table(smtp.port))

    [received] = smtp.received
    assert received.helo == "rathaus-pc1.example.org"


@pytest.mark.parametrize("name", ["localhost.localdomain", "vm", "localhost", "127.0.1.1"])
def test_without_a_full_name_greets_with_its_own_address(
    machine: pytest.MonkeyPatch, name: str
) -> None:
    # Relays refuse "localhost" names and bare host names; the address literal is what RFC 5321
    # asks for, and it must be the address the server sees the client come from.
    machine.setattr("socket.getfqdn", lambda *a: name)
    with running_smtp() as smtp:
        send_one(mail_table(smtp.port))

    [received] = smtp.received
    assert received.helo == f"[{received.peer}]"


def test_an_ipv6_address_literal_is_tagged() -> None:
    assert greeting_name("vm", "fe80::1%eth0") == "[IPv6:fe80::1]"
    assert greeting_name("vm", "2001:db8::7") == "[IPv6:2001:db8::7]"


def test_a_server_without_starttls_is_named_as_such() -> None:
    with running_smtp() as smtp, pytest.raises(ProviderError) as raised:
        send_one({**mail_table(smtp.port), "security": "starttls"})

    assert "does not offer STARTTLS" in raised.value.message
    assert 'security = "tls"' in raised.value.hint
    assert not raised.value.retryable
    assert smtp.received == []


def test_a_server_without_login_is_not_mistaken_for_one_without_starttls() -> None:
    with running_smtp() as smtp, pytest.raises(ProviderError) as raised:
        send_one({**mail_table(smtp.port), "user": "buergerbuero"}, "geheim-0000")

    assert "offers no login, but [mail] user is set" in raised.value.message
    assert "Remove user from [mail]" in raised.value.hint
    assert "STARTTLS" not in raised.value.message
    assert smtp.received == []


def test_logs_in_where_the_server_offers_it() -> None:
    with smtp_server(login=("buergerbuero", "geheim-0000")) as sink:
        send_one({**mail_table(sink.port), "user": "buergerbuero"}, "geheim-0000")

    assert sink.logins == ["buergerbuero"]
    assert len(sink.messages) == 1
