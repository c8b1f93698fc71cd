"""Post a status to Mastodon (`POST /api/v1/statuses`) with an Idempotency-Key.

Mastodon keeps an Idempotency-Key for up to an hour: a retry with the same key inside that
window returns the status it already created instead of posting it twice. Failures are mapped
by providers/http_errors.py like every other HTTP adapter's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers import http

if TYPE_CHECKING:
    import httpx

    from sprechstunde_cli.system.credentials import Secret

# Documented: "Idempotency keys are stored for up to 1 hour".
IDEMPOTENCY_WINDOW = timedelta(hours=1)
SERVICE = http.Service(
    name=_("Mastodon"),
    login_hint=_("Run: sprechstunde login mastodon (or set SPRECHSTUNDE_MASTODON_TOKEN)."),
    network_hint=_("Check announce.mastodon.instance and the network; the next run retries."),
    forbidden_hint=_("Give the token the write:statuses scope, then: sprechstunde login mastodon"),
    refused_hint=_("Shorten or fix the template in [announce.templates] (500 characters at most)."),
    server_hint=_("The next run retries; check the server's status if it persists."),
    rate_hint=_("Nothing to do: the next run retries after the limit resets."),
)


class MastodonClient:
    name = "mastodon"
    dedup_window: timedelta | None = IDEMPOTENCY_WINDOW

    def __init__(
        self,
        instance: str,
        token: Secret,
        *,
        visibility: str = "public",
        language: str = "de",
        transport: httpx.BaseTransport | None = None,
        timeout: float = http.DEFAULT_TIMEOUT,
    ) -> None:
        self.instance = instance.rstrip("/")
        self._token = token
        self.visibility = visibility
        self.language = language
        self._client = http.make_client(self.instance, timeout=timeout, transport=transport)

    def post(self, text: str, *, key: str, subject: str = "") -> str:
        """Post `text` publicly; return the status id. `subject` is unused here."""
        response = http.request(
            self._client,
            "POST",
            "/api/v1/statuses",
            _("posting the announcement"),
            SERVICE,
            data={"status": text, "visibility": self.visibility, "language": self.language},
            headers={"Authorization": f"Bearer {self._token.reveal()}", "Idempotency-Key": key},
        )
        body = http.json_body(response)
        status_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(status_id, str) or not status_id:
            raise ProviderError(
                _("Mastodon answered without a status id."),
                _("Check that announce.mastodon.instance is a Mastodon server."),
            )
        return status_id

    def close(self) -> None:
        self._client.close()
