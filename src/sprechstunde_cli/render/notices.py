"""The words of a notification: `New thread 7`; the citizen's words only when configured."""

from __future__ import annotations

from collections.abc import Sequence

from sprechstunde_cli.domain.notify import Arrival
from sprechstunde_cli.i18n import N_, _
from sprechstunde_cli.render.sanitize import clean

PREVIEW_CHARS = 80
TITLE = N_("sprechstunde")  # the program's name (German: Sprechstunde)


def notices(arrivals: Sequence[Arrival], *, content: bool) -> list[tuple[str, str]]:
    """(title, body) per arrival; the body quotes the message only with `content`, cleaned to
    one line (a notification server or a terminal may read control characters)."""
    out: list[tuple[str, str]] = []
    for arrival in arrivals:
        what = (
            _("New thread {thread}") if arrival.new_thread else _("New message in thread {thread}")
        ).format(thread=arrival.thread)
        if content and arrival.preview:
            what += ": " + clean(arrival.preview, single_line=True, limit=PREVIEW_CHARS)
        out.append((_(TITLE), what))
    return out
