"""What an HTTP answer holds besides its status, for providers/http.py: the body, read within
bounds, and the wait a refusal asks for.

A server may claim or stream hundreds of megabytes, or drip one byte at a time, each just
inside httpx's per-read timeout. So a body is read in chunks as they come and never past a
byte limit, and it must be complete within a deadline counted from the moment the headers
arrived: DEADLINE_FACTOR times the request's timeout, or longer for a file that may be large
(at least MIN_BYTES_PER_SECOND). A body that takes longer is treated as a timeout, i.e. as a
server that did not answer in time. This is real time on a socket, like httpx's own timeouts,
which no session clock stands in for.

Every client asks for answers uncompressed (`ACCEPT_ENCODING`, `http.make_client`): a few
hundred kilobytes of gzip can unpack to gigabytes, and httpx would unpack each chunk whole before
any limit is checked. A server that compresses all the same is read from the raw bytes and
unpacked here a bounded piece at a time, so the limit holds for what it unpacks to; gzip and
deflate only, in one layer. Anything else, and a body that does not unpack, is an
`httpx.DecodingError`, which providers/http_errors.py maps like every other failed exchange.
"""

from __future__ import annotations

import email.utils
import time
import zlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

# A 429 without any hint of how long to wait still means "slow down".
DEFAULT_RETRY_AFTER = 5.0
MAX_RETRY_AFTER = 3600.0
ERROR_BODY_BYTES = 64 * 1024  # enough of a failure's body to read an error code
DEADLINE_FACTOR = 4
MIN_BYTES_PER_SECOND = 64 * 1024

ACCEPT_ENCODING = "identity"

_FRAMING = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_INFLATED = frozenset({"gzip", "x-gzip", "deflate"})
# zlib's wbits for "a gzip or a zlib header, whichever it is" (RFC 9110 `deflate` is zlib).
_GZIP_OR_ZLIB = 32 + zlib.MAX_WBITS


def deadline(timeout: float, expected_bytes: int = 0) -> float:
    """Seconds a whole body may take, for a request with this timeout and size limit."""
    return max(DEADLINE_FACTOR * timeout, expected_bytes / MIN_BYTES_PER_SECOND)


def declared(response: httpx.Response) -> int:
    """The body's length as the server declared it, or -1."""
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else -1


def read(response: httpx.Response, max_bytes: int, seconds: float) -> bytes | None:
    """The whole body, or None as soon as it grows past `max_bytes`."""
    data, more = _collect(response, max_bytes, seconds)
    return None if more else bytes(data)


def whole(response: httpx.Response, max_bytes: int, seconds: float) -> httpx.Response | None:
    """The answer with its whole body read, or None if the body grows past `max_bytes`."""
    data = read(response, max_bytes, seconds)
    return None if data is None else _with_body(response, data)


def head(response: httpx.Response, seconds: float) -> httpx.Response:
    """A failed answer with at most ERROR_BODY_BYTES of its body: enough to read an error
    code, never a whole file the server sends instead."""
    import httpx

    try:
        data, _more = _collect(response, ERROR_BODY_BYTES, seconds)
    except httpx.DecodingError:
        # The status alone still says what happened; a body that does not unpack adds nothing.
        data = bytearray()
    return _with_body(response, bytes(data[:ERROR_BODY_BYTES]))


def _collect(response: httpx.Response, limit: int, seconds: float) -> tuple[bytearray, bool]:
    """The (decoded) body as far as it was read, and whether it grew past `limit`: reading
    stops there, a chunk past `limit` at most (never past it when unpacking), and the caller
    cuts or drops it (no copy here, so the memory stays near `limit`)."""
    import httpx

    end = time.monotonic() + seconds
    data = bytearray()
    if response.is_stream_consumed:
        # Already whole in memory, unpacked by httpx: only an in-process transport answers so.
        chunks, inflate = response.iter_bytes(), None
    else:
        chunks, inflate = response.iter_raw(), _inflater(response)
    for raw in chunks:
        if inflate is None:
            data += raw
        else:
            _unpack(inflate, raw, data, limit, response)
        if len(data) > limit:
            return data, True
        if time.monotonic() > end:
            # Mapped like any other timeout: the server did not answer in time.
            raise httpx.ReadTimeout("the body took too long", request=response.request)
    if inflate is not None and not inflate.eof:
        raise httpx.DecodingError("the compressed body ends early", request=response.request)
    return data, False


def _inflater(response: httpx.Response) -> zlib._Decompress | None:
    """A bounded unpacker for the body's encoding, None for a plain body."""
    import httpx

    codings = [
        value.strip().lower()
        for value in response.headers.get_list("Content-Encoding", split_commas=True)
    ]
    codings = [value for value in codings if value not in ("", "identity")]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in _INFLATED:
        return zlib.decompressobj(_GZIP_OR_ZLIB)
    raise httpx.DecodingError("a body in an encoding we did not ask for", request=response.request)


def _unpack(
    inflate: zlib._Decompress,
    raw: bytes,
    data: bytearray,
    limit: int,
    response: httpx.Response,
) -> None:
    """Append what `raw` unpacks to, but never more than one byte past `limit`: `max_length`
    keeps the rest packed (in `unconsumed_tail`), so a bomb never unpacks in memory."""
    import httpx

    pending = raw
    try:
        while pending and len(data) <= limit:
            # At least 1: a max_length of 0 would mean "no limit".
            data += inflate.decompress(pending, limit + 1 - len(data))
            pending = inflate.unconsumed_tail
    except zlib.error:
        raise httpx.DecodingError("the body does not unpack", request=response.request) from None


def _with_body(response: httpx.Response, data: bytes) -> httpx.Response:
    import httpx

    # The body is decoded already; its framing headers no longer describe it.
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _FRAMING]
    return httpx.Response(
        response.status_code, headers=headers, content=data, request=response.request
    )


def retry_after(response: httpx.Response, body: object = None) -> float:
    """Seconds to wait before asking again, bounded, from the first source the server gave:

    1. `retry_after_ms` in a JSON body (Matrix, precise);
    2. `Retry-After`: delay-seconds, or an HTTP-date measured against the response's own `Date`
       (the server's clock on both sides, so local clock skew never enters);
    3. `X-RateLimit-Reset`, an ISO time, against `Date` (Mastodon);
    4. otherwise DEFAULT_RETRY_AFTER.
    """
    millis = body.get("retry_after_ms") if isinstance(body, dict) else None
    if isinstance(millis, int | float) and not isinstance(millis, bool) and millis >= 0:
        return min(MAX_RETRY_AFTER, millis / 1000)
    headers = response.headers
    server_now = _http_date(headers.get("Date"))
    value = (headers.get("Retry-After") or "").strip()
    wait: float | None = None
    if value:
        try:
            wait = float(value)
        except ValueError:
            until = _http_date(value)
            if until is not None and server_now is not None:
                wait = (until - server_now).total_seconds()
    elif headers.get("X-RateLimit-Reset") and server_now is not None:
        try:
            reset = datetime.fromisoformat(headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
            wait = (reset.astimezone(UTC) - server_now).total_seconds()
        except ValueError:
            wait = None
    if wait is None:
        return DEFAULT_RETRY_AFTER
    return min(MAX_RETRY_AFTER, max(0.0, wait))


def _http_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
