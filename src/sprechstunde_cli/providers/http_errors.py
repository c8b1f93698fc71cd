"""What a failed HTTP exchange means, decided here once for every HTTP adapter (WAHA,
Matrix, Mastodon); providers/http.py raises these and re-exports them (`http.NotFound`).

- no answer (refused, reset, timed out): `Unreachable`, retryable;
- an answer that cannot be read (a body that does not unpack): `Garbled`, retryable;
- any other failed exchange (too many redirects), or a redirect (3xx, never followed: it would
  carry our credential elsewhere): `Refused`, not retryable;
- 401: `Unauthorized`, the credential was refused: exit code 6 (AUTH). Retryable, because during
  the hour the operator fixes it with `sprechstunde login …` and queued work then goes out;
- 403: `Forbidden`, the account may not do this; not retryable;
- 404 and 410: `NotFound`, the thing is gone; not retryable;
- 408 and 429 (or a body that says rate-limited): `RateLimited`, retryable after the wait it
  asks for (`http_answer.retry_after`);
- 5xx: `ServerFailed`, retryable;
- any other 4xx: `Refused`; not retryable.

The server's own error text never goes into a message: it may quote a phone number or a room id,
and a misconfigured proxy echoes request headers, i.e. our token. A machine-readable error code
(Matrix `errcode`) is kept when it is a plain identifier that is none of our secrets, and every
message is redacted (system/redact.py) as it is built all the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.errors import ExitCode, ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.http_answer import retry_after
from sprechstunde_cli.system.redact import redact

if TYPE_CHECKING:
    import httpx


class HttpError(ProviderError):
    """A failed HTTP exchange; `status` 0 means the server was never reached."""

    def __init__(
        self,
        message: str,
        hint: str,
        *,
        status: int = 0,
        code: str = "",
        retryable: bool = False,
        retry_after: float = 0.0,
    ) -> None:
        # Redacted here, once for every service: a message may quote the server (an errcode,
        # a state), and a server may quote our credentials back.
        super().__init__(redact(message), hint, retryable=retryable, retry_after=retry_after)
        self.status = status
        self.code = code


class Unreachable(HttpError):
    """No answer: connection refused or reset, a timeout, a broken download."""


class Unauthorized(HttpError):
    """The server refused our credential."""

    exit_code = ExitCode.AUTH


class Forbidden(HttpError):
    """The account is known but may not do this."""


class NotFound(HttpError):
    """There is no such thing (any more)."""


class RateLimited(HttpError):
    """The server asked us to slow down; `retry_after` says for how long."""


class ServerFailed(HttpError):
    """The server answered with a 5xx."""


class Refused(HttpError):
    """Any other 4xx: the server understood and said no."""


class Oversized(HttpError):
    """The answer was larger than any this request should get: a broken or hostile server."""


class Garbled(HttpError):
    """The answer could not be read (a body that does not unpack): a broken or hostile server."""


_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,63}")
_RATE_LIMIT_CODES = frozenset({"M_LIMIT_EXCEEDED"})


@dataclass(frozen=True)
class Service:
    """Who answered, in words for the operator, and the fix for each kind of failure."""

    name: str  # "WAHA", "the Matrix homeserver", "Mastodon"
    login_hint: str  # 401
    network_hint: str  # no answer at all
    forbidden_hint: str  # 403
    refused_hint: str  # any other 4xx
    server_hint: str = _("It is retried by itself; if it persists, check the server's log.")
    rate_hint: str = _("Nothing to do: it is retried after the wait the server asked for.")
    credential: str = _("access token")  # what a 401 refused, in the service's own words


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON answer, or None when there is none or it is not JSON."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def error_code(body: object) -> str:
    """A machine-readable error code from the body (Matrix `errcode`), if it is an identifier
    and not one of our secrets echoed back (a token can look like an identifier)."""
    code = body.get("errcode") if isinstance(body, dict) else None
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return ""
    return code if redact(code) == code else ""


def error_for(response: httpx.Response, what: str, service: Service) -> HttpError:
    """The error for a response that is no success (3xx, 4xx, 5xx); `what` names the request
    ("the sync")."""
    status = response.status_code
    body = json_body(response)
    code = error_code(body)
    label = f"HTTP {status}" + (f" {code}" if code else "")
    keys: dict[str, Any] = {"status": status, "code": code}
    if status in (408, 429) or code in _RATE_LIMIT_CODES:
        wait = retry_after(response, body)
        return RateLimited(
            _("{name} asks us to slow down ({what}: {label}); retry in {wait:.1f} s.").format(
                name=service.name, what=what, label=label, wait=wait
            ),
            service.rate_hint,
            retryable=True,
            retry_after=wait,
            **keys,
        )
    if status == 401:
        return Unauthorized(
            _("{name} refused the {credential} ({what}: {label}).").format(
                name=service.name, credential=service.credential, what=what, label=label
            ),
            service.login_hint,
            retryable=True,
            **keys,
        )
    if status == 403:
        return Forbidden(
            _("{name} forbade {what} ({label}).").format(name=service.name, what=what, label=label),
            service.forbidden_hint,
            **keys,
        )
    if status in (404, 410):
        return NotFound(
            _("{name} has nothing there ({what}: {label}).").format(
                name=service.name, what=what, label=label
            ),
            _("It was deleted or has expired."),
            **keys,
        )
    if status >= 500:
        return ServerFailed(
            _("{name} failed on {what} ({label}).").format(
                name=service.name, what=what, label=label
            ),
            service.server_hint,
            retryable=True,
            **keys,
        )
    if status < 400:
        # make_client follows no redirect: one would carry our credential to another address.
        return Refused(
            _("{name} sent us to another address ({what}: {label}).").format(
                name=service.name, what=what, label=label
            ),
            _(
                "Check the server's address in the config: https:// and the full path, exactly as "
                "the server's administrator gives it."
            ),
            **keys,
        )
    return Refused(
        _("{name} refused {what} ({label}).").format(name=service.name, what=what, label=label),
        service.refused_hint,
        **keys,
    )


def failed_exchange(exc: httpx.RequestError, what: str, service: Service) -> HttpError:
    """The error for an exchange that brought no usable answer; names only the exception's
    type, since its text can quote the URL (with an id, or a key in a query)."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        message = _("{name} did not answer in time ({what}).").format(name=service.name, what=what)
    elif isinstance(exc, httpx.TransportError):
        message = _("Cannot reach {name} ({what}: {kind}).").format(
            name=service.name, what=what, kind=type(exc).__name__
        )
    elif isinstance(exc, httpx.DecodingError):
        return Garbled(
            _("{name} sent an answer that cannot be read ({what}).").format(
                name=service.name, what=what
            ),
            service.server_hint,
            retryable=True,
        )
    else:  # TooManyRedirects, and whatever httpx adds: asking again would end the same way
        return Refused(
            _("{name} did not answer {what} itself ({kind}).").format(
                name=service.name, what=what, kind=type(exc).__name__
            ),
            service.network_hint,
        )
    return Unreachable(message, service.network_hint, retryable=True)
