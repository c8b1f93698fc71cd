"""`[mail]`: what is checked when the config is read, before any mail is sent."""

from __future__ import annotations

from typing import Any

import pytest

from sprechstunde_cli.config.mail import is_loopback, parse_mail_settings
from sprechstunde_cli.errors import ConfigError


def table(**changes: Any) -> dict[str, Any]:
    return {"host": "mail.example.org", "sender": "buero@example.org", **changes}


def test_defaults_are_encrypted_and_greet_with_the_machine_name() -> None:
    settings = parse_mail_settings(table(), "mail")

    assert (settings.security, settings.port, settings.helo) == ("starttls", 587, "")
    assert not settings.plaintext_over_network


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "a.localhost"]
)
def test_this_machine_is_loopback(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["mail.example.org", "10.0.0.5", "localhost.example.org", "::2"])
def test_other_machines_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_plaintext_to_another_machine_needs_an_acknowledgement() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_mail_settings(table(security="none"), "mail")
    assert raised.value.key == "mail.security"
    assert "allow_plaintext = true" in raised.value.hint

    settings = parse_mail_settings(table(security="none", allow_plaintext=True), "mail")
    assert settings.plaintext_over_network
    assert settings.port == 25


def test_plaintext_on_this_machine_needs_none() -> None:
    settings = parse_mail_settings(table(host="127.0.0.1", security="none"), "mail")

    assert not settings.plaintext_over_network


def test_helo_is_a_host_name() -> None:
    assert parse_mail_settings(table(helo="rathaus-pc1.example.org"), "mail").helo == (
        "rathaus-pc1.example.org"
    )
    for bad in ["rathaus pc", "x\r\nMAIL FROM:<a@example.org>", "-rathaus", 5]:
        with pytest.raises(ConfigError) as raised:
            parse_mail_settings(table(helo=bad), "mail")
        assert raised.value.key == "mail.helo"


def test_sender_is_checked_and_its_domain_written_in_ascii() -> None:
    settings = parse_mail_settings(table(sender="buero@rathaus-müllheim.example"), "mail")
    # As the independent idna package (IDNA 2008) writes it, too.
    assert settings.sender == "buero@xn--rathaus-mllheim-7vb.example"

    for bad in ["buero", "bü@example.org", "a@b@example.org", "buero@example.org\r\nBcc: x@y.org"]:
        with pytest.raises(ConfigError) as raised:
            parse_mail_settings(table(sender=bad), "mail")
        assert raised.value.key == "mail.sender"


def test_allow_plaintext_is_a_boolean() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_mail_settings(table(allow_plaintext="ja"), "mail")
    assert raised.value.key == "mail.allow_plaintext"
