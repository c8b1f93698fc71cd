"""Outgoing e-mail over SMTP: hand-offs to departments and announcement lists."""

from __future__ import annotations

import functools
import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sprechstunde_cli.config.mail import MailSettings, is_loopback
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _


class Mailer:
    """Sends one message per call; the caller owns retries and records the outcome."""

    def __init__(self, settings: MailSettings, password: str | None) -> None:
        self.settings = settings
        self._password = password

    def send(
        self,
        to: Sequence[str],
        subject: str,
        body: str,
        *,
        message_id: str | None = None,
        reply_to: str | None = None,
    ) -> None:
        s = self.settings
        msg = EmailMessage()
        msg["From"] = s.sender
        msg["To"] = ", ".join(to)
        msg["Subject"] = subject
        if reply_to:
            # The department's "Reply" then reaches the citizen directly.
            msg["Reply-To"] = reply_to
        msg["Date"] = formatdate(localtime=True)
        # A stable Message-ID lets a receiving system drop a resend after a crash.
        msg["Message-ID"] = message_id or make_msgid(domain=s.sender.rsplit("@", 1)[-1])
        msg.set_content(body)
        try:
            with self._connect() as smtp:
                if s.user:
                    self._login(smtp)
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError:
            raise ProviderError(
                _("The mail server refused the login of '{user}'.").format(user=s.user),
                _("Store the right password with: sprechstunde login smtp"),
            ) from None
        except smtplib.SMTPResponseException as exc:
            # 4xx is "try again later", 5xx is final.
            raise ProviderError(
                _("The mail server answered {smtp_code}.").format(smtp_code=exc.smtp_code),
                _("Check the addresses and the [mail] settings."),
                retryable=400 <= exc.smtp_code < 500,
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            # 4xx for every recipient is greylisting or a full mailbox: worth another try.
            temporary = all(400 <= code < 500 for code, _ in exc.recipients.values())
            raise ProviderError(
                _("The mail server refused the recipient address for now.")
                if temporary
                else _("The mail server refused the recipient address."),
                _("Check the department's address in the config."),
                retryable=temporary,
            ) from None
        except smtplib.SMTPNotSupportedError:
            # send_message: an address needs SMTPUTF8 (addresses are checked when entered, so
            # only one recorded by an older version can get here).
            raise ProviderError(
                _("The mail server cannot take an address with letters beyond A–Z (no SMTPUTF8)."),
                _("Export the hand-offs instead: sprechstunde close SESSION --export-handoffs"),
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ProviderError(
                _("Cannot reach the mail server {host}:{port} ({kind}).").format(
                    host=s.host, port=s.port, kind=type(exc).__name__
                ),
                _("Check [mail] host, port and security, and the network."),
                retryable=True,
            ) from None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.security == "tls":
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(timeout=s.timeout, context=context, local_hostname=_UNSET)
        else:
            smtp = smtplib.SMTP(timeout=s.timeout, local_hostname=_UNSET)
        try:
            smtp.connect(s.host, s.port)
            if smtp.sock is None:
                raise OSError(_("the connection closed at once"))
            # Known only now: the address this machine reaches the server from.
            smtp.local_hostname = s.helo or greeting_name(fqdn(), smtp.sock.getsockname()[0])
            if s.security == "starttls":
                self._starttls(smtp)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _starttls(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.starttls(context=ssl.create_default_context())
        except smtplib.SMTPNotSupportedError:
            s = self.settings
            raise ProviderError(
                _("The mail server {host}:{port} does not offer STARTTLS (encryption).").format(
                    host=s.host, port=s.port
                ),
                _(
                    'Ask IT for the encrypted port: usually security = "tls" with port 465, or '
                    "starttls on port 587."
                ),
            ) from None

    def _login(self, smtp: smtplib.SMTP) -> None:
        smtp.ehlo_or_helo_if_needed()
        if not smtp.has_extn("auth"):
            s = self.settings
            raise ProviderError(
                _("The mail server {host}:{port} offers no login, but [mail] user is set.").format(
                    host=s.host, port=s.port
                ),
                _(
                    "Remove user from [mail] if this server takes mail without a login, or ask IT "
                    "for the port where it does (usually 587 with starttls)."
                ),
            )
        smtp.login(self.settings.user, self._password or "")


# smtplib would look the machine's name up in __init__; it is set after connecting instead.
_UNSET = "unset.invalid"


@functools.cache
def fqdn() -> str:
    """The machine's fully qualified name, looked up once (it may ask DNS)."""
    return socket.getfqdn()


def greeting_name(name: str, local_address: str) -> str:
    """What to say in EHLO (RFC 5321 4.1.4): the machine's full name, or else the address it
    reaches the server from as a literal. Relays refuse loopback names such as
    "localhost.localdomain", and a bare host name is not a domain."""
    if "." in name and not is_loopback(name):
        return name
    address = ipaddress.ip_address(local_address.split("%")[0])
    return f"[IPv6:{address}]" if address.version == 6 else f"[{address}]"
