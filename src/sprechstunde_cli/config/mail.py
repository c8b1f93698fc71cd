"""`[mail]`: the SMTP server hand-offs and announcement e-mails go through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sprechstunde_cli.config import read
from sprechstunde_cli.errors import ConfigError

SECURITY = ("starttls", "tls", "none")
_DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str  # starttls | tls | none
    user: str  # empty: no login
    sender: str
    timeout: float = 30.0


def parse_mail_settings(tbl: Mapping[str, Any], key: str) -> MailSettings:
    read.check_keys(tbl, key, {"host", "port", "security", "user", "sender", "timeout"})
    host = tbl.get("host")
    if not isinstance(host, str) or not host.strip():
        raise ConfigError("is missing.", 'Add host = "mail.example.org".', f"{key}.host")
    security = tbl.get("security", "starttls")
    if security not in SECURITY:
        raise ConfigError(
            f"must be one of {', '.join(SECURITY)}.",
            'Use "starttls" (port 587) or "tls" (port 465).',
            f"{key}.security",
        )
    port = tbl.get("port", _DEFAULT_PORTS[security])
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError("must be a port number.", "Use e.g. 587.", f"{key}.port")
    sender = tbl.get("sender")
    if not isinstance(sender, str) or "@" not in sender:
        raise ConfigError(
            "must be an e-mail address.",
            'Add sender = "buergerbuero@example.org".',
            f"{key}.sender",
        )
    user = tbl.get("user", "")
    if not isinstance(user, str):
        raise ConfigError("must be a string.", 'Write user = "name".', f"{key}.user")
    timeout = tbl.get("timeout", 30.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError("must be a positive number of seconds.", "Use e.g. 30.", f"{key}.timeout")
    return MailSettings(host.strip(), port, security, user, sender, float(timeout))
