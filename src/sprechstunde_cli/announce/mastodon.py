"""Post a status to Mastodon (`POST /api/v1/statuses`) with an Idempotency-Key.

Mastodon keeps an Idempotency-Key for up to an hour: a retry with the same key inside that
window returns the status it already created instead of posting it twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.retry_after import retry_after_seconds
from sprechstunde_cli.sanitize import clean

if TYPE_CHECKING:
    import httpx

    from sprechstunde_cli.secrets import Secret

# Documented: "Idempotency keys are stored for up to 1 hour".
IDEMPOTENCY_WINDOW = timedelta(hours=1)
DEFAULT_RETRY_S = 60.0


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
        client: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        import httpx

        self.instance = instance.rstrip("/")
        self._token = token
        self.visibility = visibility
        self.language = language
        self._client = client or httpx.Client(timeout=timeout)

    def post(self, text: str, *, key: str, subject: str = "") -> str:
        """Post `text` publicly; return the status id. `subject` is unused here."""
        import httpx

        try:
            response = self._client.post(
                f"{self.instance}/api/v1/statuses",
                data={"status": text, "visibility": self.visibility, "language": self.language},
                headers={
                    "Authorization": f"Bearer {self._token.reveal()}",
                    "Idempotency-Key": key,
                },
            )
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"Cannot reach Mastodon at {self.instance} ({type(exc).__name__}).",
                "Check announce.mastodon.instance and the network; the next run retries.",
                retryable=True,
            ) from None
        if response.status_code == 200:
            status_id = _json(response).get("id")
            if not isinstance(status_id, str) or not status_id:
                raise ProviderError(
                    "Mastodon answered without a status id.",
                    "Check that announce.mastodon.instance is a Mastodon server.",
                )
            return status_id
        raise _error(response, self.instance)

    def close(self) -> None:
        self._client.close()


def _error(response: httpx.Response, instance: str) -> ProviderError:
    code = response.status_code
    said = clean(str(_json(response).get("error", "")), single_line=True)[:200]
    detail = f": {said}" if said else ""
    if code == 401:
        return ProviderError(
            f"Mastodon refused the access token ({code}{detail}).",
            "Run: sprechstunde login mastodon (or set SPRECHSTUNDE_MASTODON_TOKEN).",
        )
    if code == 403:
        return ProviderError(
            f"Mastodon did not allow the post ({code}{detail}).",
            "Give the token the write:statuses scope, then: sprechstunde login mastodon",
        )
    if code == 422:
        return ProviderError(
            f"Mastodon rejected the text ({code}{detail}).",
            "Shorten or fix the template in [announce.templates] (500 characters at most).",
        )
    if code == 429:
        return ProviderError(
            "Mastodon's rate limit is reached (429).",
            "Nothing to do: the next run retries after the limit resets.",
            retryable=True,
            retry_after=_retry_after(response),
        )
    return ProviderError(
        f"Mastodon at {instance} answered {code}{detail}.",
        "The next run retries; check the server's status if it persists.",
        retryable=code >= 500 or code == 408,
    )


def _retry_after(response: httpx.Response) -> float:
    """Seconds to wait: Retry-After if given, else X-RateLimit-Reset against the server's Date."""
    if response.headers.get("Retry-After"):
        return retry_after_seconds(
            response.headers.get("Retry-After"), response.headers.get("Date"), DEFAULT_RETRY_S
        )
    reset = response.headers.get("X-RateLimit-Reset", "")
    date = response.headers.get("Date", "")
    try:
        # The server's own clock on both sides: no local time needed.
        until = datetime.fromisoformat(reset.replace("Z", "+00:00"))
        server_now = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        return DEFAULT_RETRY_S
    if server_now is None:
        return DEFAULT_RETRY_S
    wait = (until.astimezone(UTC) - server_now.astimezone(UTC)).total_seconds()
    return max(1.0, wait)


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
