"""Outgoing e-mail over SMTP: hand-offs to departments and announcement lists."""

from __future__ import annotations

import functools
import smtplib
import socket
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sprechstunde_cli.config.mail import MailSettings
from sprechstunde_cli.errors import ProviderError


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
                    smtp.login(s.user, self._password or "")
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError:
            raise ProviderError(
                f"The mail server refused the login of '{s.user}'.",
                "Store the right password with: sprechstunde login smtp",
            ) from None
        except smtplib.SMTPResponseException as exc:
            # 4xx is "try again later", 5xx is final.
            raise ProviderError(
                f"The mail server answered {exc.smtp_code}.",
                "Check the addresses and the [mail] settings.",
                retryable=400 <= exc.smtp_code < 500,
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            # 4xx for every recipient is greylisting or a full mailbox: worth another try.
            temporary = all(400 <= code < 500 for code, _ in exc.recipients.values())
            raise ProviderError(
                "The mail server refused the recipient address"
                + (" for now." if temporary else "."),
                "Check the department's address in the config.",
                retryable=temporary,
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise ProviderError(
                f"The mail server {s.host}:{s.port} does not offer STARTTLS (encryption).",
                'Ask IT for the encrypted port: usually security = "tls" with port 465, or '
                "starttls on port 587.",
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ProviderError(
                f"Cannot reach the mail server {s.host}:{s.port} ({type(exc).__name__}).",
                "Check [mail] host, port and security, and the network.",
                retryable=True,
            ) from None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            return smtplib.SMTP_SSL(
                s.host,
                s.port,
                timeout=s.timeout,
                context=ssl.create_default_context(),
                local_hostname=self._helo(),
            )
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout, local_hostname=self._helo())
        if s.security == "starttls":
            try:
                smtp.starttls(context=ssl.create_default_context())
            except BaseException:
                smtp.close()
                raise
        return smtp

    def _helo(self) -> str:
        # Relays that check the EHLO name refuse "localhost"; the configured name wins.
        return self.settings.helo or machine_name()


@functools.cache
def machine_name() -> str:
    """The name this machine greets a mail server with, found once (it may ask DNS).

    smtplib's own rule (RFC 5321 4.1.4): the fully qualified domain name, or else the address
    literal "[192.0.2.7]", never a bare host name.
    """
    fqdn = socket.getfqdn()
    if "." in fqdn:
        return fqdn
    try:
        return f"[{socket.gethostbyname(socket.gethostname())}]"
    except OSError:
        return "[127.0.0.1]"
