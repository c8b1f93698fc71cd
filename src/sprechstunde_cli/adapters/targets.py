"""The announcement targets behind one small interface: post(text, key, subject) -> remote id.

Each target says how long a repeat with the same key is harmless (`dedup_window`), which is
what decides whether an interrupted post may be repeated (services/announce/post.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sprechstunde_cli.config.announce import AnnounceSettings
from sprechstunde_cli.domain.spec import SessionSpec
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _

if TYPE_CHECKING:
    import httpx

    from sprechstunde_cli.adapters.mastodon import MastodonClient
    from sprechstunde_cli.adapters.smtp import Mailer
    from sprechstunde_cli.providers.base import Provider
    from sprechstunde_cli.system.credentials import Secret

# An idempotent messenger drops a repeated key; assume no longer than Mastodon keeps one.
MESSENGER_DEDUP = timedelta(hours=1)


class MessengerTarget:
    """The session's own messenger: WhatsApp Status, a channel, a broadcast room."""

    name = "messenger"

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.dedup_window: timedelta | None = (
            MESSENGER_DEDUP if provider.capabilities.idempotent_send else None
        )

    def post(self, text: str, *, key: str, subject: str = "") -> str:
        return self.provider.announce(text, key).provider_id


class EmailTarget:
    """One message to a distribution list; SMTP has no idempotency, so a repeat is never safe."""

    name = "email"
    dedup_window: timedelta | None = None

    def __init__(self, mailer: Mailer, to: tuple[str, ...]) -> None:
        self.mailer = mailer
        self.to = to

    def post(self, text: str, *, key: str, subject: str = "") -> str:
        domain = self.mailer.settings.sender.rsplit("@", 1)[-1]
        # The same Message-ID on a repeat lets a list server or a reader's client spot it.
        message_id = f"<{key}@{domain}>"
        self.mailer.send(self.to, subject, text, message_id=message_id)
        return message_id


class TargetFactory:
    """Builds a target on first use and keeps it for the run; `close` releases them all."""

    def __init__(
        self,
        settings: AnnounceSettings,
        *,
        open_provider: Callable[[str], Provider],
        open_mailer: Callable[[], Mailer | None],
        mastodon_token: Callable[[], Secret],
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._open_provider = open_provider
        self._open_mailer = open_mailer
        self._mastodon_token = mastodon_token
        self._transport = transport
        self._providers: dict[str, Provider] = {}
        self._mastodon: MastodonClient | None = None
        self._email: EmailTarget | None = None

    def __call__(
        self, target: str, spec: SessionSpec
    ) -> MessengerTarget | EmailTarget | MastodonClient | None:
        """The target for this session, or None where it cannot post for it."""
        if target == "messenger":
            if spec.provider not in self._providers:
                self._providers[spec.provider] = self._open_provider(spec.provider)
            provider = self._providers[spec.provider]
            return MessengerTarget(provider) if provider.capabilities.announce else None
        if target == "mastodon":
            return self._mastodon_client()
        if target == "email":
            return self._email_target()
        raise ConfigError(
            _("Unknown announcement target '{target}'.").format(target=target),
            _("Use messenger, mastodon or email in [announce]."),
        )

    def _mastodon_client(self) -> MastodonClient:
        if self._mastodon is None:
            from sprechstunde_cli.adapters.mastodon import MastodonClient

            channel = self.settings.channels["mastodon"]
            self._mastodon = MastodonClient(
                channel.instance,
                self._mastodon_token(),
                visibility=channel.visibility,
                language=channel.language,
                transport=self._transport,
            )
        return self._mastodon

    def _email_target(self) -> EmailTarget:
        if self._email is None:
            mailer = self._open_mailer()
            assert mailer is not None, "config/load.py requires [mail] for the email target"
            self._email = EmailTarget(mailer, self.settings.channels["email"].to)
        return self._email

    def close(self) -> None:
        """Close every target opened, even when closing one of them fails."""
        with contextlib.ExitStack() as stack:
            for provider in self._providers.values():
                stack.callback(provider.close)
            if self._mastodon is not None:
                stack.callback(self._mastodon.close)
