"""The SMTP adapter against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import ipaddress

import pytest

from sprechstunde_cli.adapters.smtp import Mailer, machine_name
from sprechstunde_cli.config.mail import parse_mail_settings
from sprechstunde_cli.errors import ProviderError
from tests.support.handoff_rig import mail_table, running_smtp


def test_greets_with_the_configured_name() -> None:
    with running_smtp() as smtp:
        settings = parse_mail_settings(
            {**mail_table(smtp.port), "helo": "rathaus-pc1.example.org"}, "mail"
        )
        Mailer(settings, None).send(["wohngeld@example.org"], "Frage", "Text")

    [received] = smtp.received
    assert received.helo == "rathaus-pc1.example.org"


def test_greets_with_a_name_a_relay_can_check_by_default() -> None:
    with running_smtp() as smtp:
        Mailer(parse_mail_settings(mail_table(smtp.port), "mail"), None).send(
            ["wohngeld@example.org"], "Frage", "Text"
        )

    [received] = smtp.received
    assert received.helo == machine_name()
    # RFC 5321 4.1.4: a fully qualified name or an address literal, never "localhost".
    if received.helo.startswith("["):
        ipaddress.ip_address(received.helo[1:-1])
    else:
        assert "." in received.helo


def test_a_server_without_starttls_is_named_as_such() -> None:
    with running_smtp() as smtp:
        table = {**mail_table(smtp.port), "security": "starttls"}
        mailer = Mailer(parse_mail_settings(table, "mail"), None)
        with pytest.raises(ProviderError) as raised:
            mailer.send(["wohngeld@example.org"], "Frage", "Text")

    assert "does not offer STARTTLS" in raised.value.message
    assert 'security = "tls"' in raised.value.hint
    assert not raised.value.retryable
    assert smtp.received == []
