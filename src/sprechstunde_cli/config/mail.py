"""`[mail]`: the SMTP server hand-offs and announcement e-mails go through."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sprechstunde_cli.config import read
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _

SECURITY = ("starttls", "tls", "none")
_DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
# RFC 1123 host names, or an address literal in brackets as RFC 5321 allows for EHLO.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\]")


@dataclass(frozen=True)
class MailSettings:
    """The `[mail]` section: the SMTP server hand-offs are sent through, and how to reach it."""

    host: str
    port: int
    security: str  # starttls | tls | none
    user: str  # empty: no login
    sender: str
    timeout: float = 30.0
    helo: str = ""  # empty: the machine's own name, as smtplib finds it
    allow_plaintext: bool = False  # security = "none" towards a host that is not this machine

    @property
    def plaintext_over_network(self) -> bool:
        """Password and mail would cross the network unencrypted."""
        return self.security == "none" and not is_loopback(self.host)


def is_loopback(host: str) -> bool:
    """True for this machine by name or address; a name is not resolved (no DNS at load)."""
    name = host.strip().strip("[]").rstrip(".").lower()
    # "localhost.localdomain": the loopback name Debian and Red Hat give in /etc/hosts.
    if name in ("localhost", "localhost.localdomain") or name.endswith(".localhost"):
        return True
    import ipaddress  # only for a [mail] section: every command loads the config

    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def parse_mail_settings(tbl: Mapping[str, Any], key: str) -> MailSettings:
    read.check_keys(
        tbl,
        key,
        {"host", "port", "security", "user", "sender", "timeout", "helo", "allow_plaintext"},
    )
    host = tbl.get("host")
    if not isinstance(host, str) or not host.strip():
        raise ConfigError(_("is missing."), _('Add host = "mail.example.org".'), f"{key}.host")
    security = tbl.get("security", "starttls")
    if security not in SECURITY:
        raise ConfigError(
            _("must be one of {join}.").format(join=", ".join(SECURITY)),
            _('Use "starttls" (port 587) or "tls" (port 465).'),
            f"{key}.security",
        )
    port = tbl.get("port", _DEFAULT_PORTS[security])
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(_("must be a port number."), _("Use e.g. 587."), f"{key}.port")
    sender = _sender(tbl.get("sender"), f"{key}.sender")
    user = tbl.get("user", "")
    if not isinstance(user, str):
        raise ConfigError(_("must be a string."), _('Write user = "name".'), f"{key}.user")
    timeout = tbl.get("timeout", 30.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(
            _("must be a positive number of seconds."), _("Use e.g. 30."), f"{key}.timeout"
        )
    helo = _helo(tbl.get("helo", ""), f"{key}.helo")
    allow_plaintext = read.boolean(tbl, "allow_plaintext", f"{key}.allow_plaintext", False)
    settings = MailSettings(
        host.strip(), port, security, user, sender, float(timeout), helo, allow_plaintext
    )
    if settings.plaintext_over_network and not allow_plaintext:
        raise ConfigError(
            _(
                'is "none", so the password and every hand-off would cross the network '
                "to {host} unencrypted."
            ).format(host=settings.host),
            _(
                'Use security = "starttls" (port 587) or "tls" (port 465). If the mail server only '
                "speaks plain SMTP inside a trusted network, add allow_plaintext = true to [mail]."
            ),
            f"{key}.security",
        )
    return settings


def _sender(value: object, where: str) -> str:
    hint = _('Write sender = "buergerbuero@example.org".')
    if not isinstance(value, str):
        raise ConfigError(_("must be an e-mail address."), hint, where)
    from sprechstunde_cli.domain.handoffs import email_address

    try:
        return email_address(value)
    except ValueError as exc:
        raise ConfigError(
            _("is not usable as an e-mail address ({exc}).").format(exc=exc), hint, where
        ) from None


def _helo(value: object, where: str) -> str:
    """A name the mail server may check against DNS: letters, digits, dots and hyphens."""
    hint = _(
        'Write the machine\'s full name, e.g. helo = "rathaus-pc1.example.org", or leave it out.'
    )
    if not isinstance(value, str):
        raise ConfigError(_("must be a host name."), hint, where)
    name = value.strip()
    if name and not _HOST_NAME.fullmatch(name):
        raise ConfigError(_("must be a host name (letters, digits, dots, hyphens)."), hint, where)
    return name
