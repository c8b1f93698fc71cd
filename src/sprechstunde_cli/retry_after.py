"""Read a Retry-After header in both of its forms, for every HTTP client in the project."""

from __future__ import annotations

import email.utils


def retry_after_seconds(value: str | None, date: str | None, default: float) -> float:
    """Seconds to wait from `Retry-After` (delay-seconds or an HTTP-date).

    An HTTP-date is measured against the response's own `Date` header: the server's clock on
    both sides, so the local clock (and its skew) never enters. Without one, `default`.
    """
    text = (value or "").strip()
    if not text:
        return default
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    if not date:
        return default
    try:
        delta = email.utils.parsedate_to_datetime(text) - email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return default
    return max(0.0, delta.total_seconds())
