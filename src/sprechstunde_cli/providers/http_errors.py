"""The errors of a failed HTTP exchange, which providers/http.py decides between (and
re-exports: callers write `http.NotFound`). Each message is redacted as it is built."""

from __future__ import annotations

from sprechstunde_cli.errors import ExitCode, ProviderError
from sprechstunde_cli.system.redact import redact


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
