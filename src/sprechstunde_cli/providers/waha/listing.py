"""Listing a WAHA chat's messages page by page, for every engine.

Engines differ in which of `limit`, `offset`, `sortOrder` and `filter.timestamp.gte` they
honour; `Lister.fetch` does each of them itself too, so the poller (`receive.py`) and the
deletion (`delete.py`, through the poller) see every message from a timestamp on, once.
"""

from __future__ import annotations

from typing import Any

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.waha.client import VERSION_HINT, WahaApi, path_part

PAGE = 100
MAX_PAGES = 200  # a bound, not a limit anyone should reach in one hour


class Lister:
    """Paging over one chat's messages; `Poller` builds on it."""

    api: WahaApi

    @property
    def prefix(self) -> str:
        return f"/api/{path_part(self.api.session)}"

    def fetch(self, chat: str, gte: int | None, *, until_empty: bool) -> list[dict[str, Any]]:
        """Every message of `chat` from `gte` on. Some engines (WEBJS, NOWEB) take only
        `limit` and ignore `filter.timestamp.gte`, `offset` and `sortOrder`, so each is also
        done here: older messages are dropped, `poll` sorts, and a second page of repeats
        (the offset ignored) makes `_widen` ask for more at once. No `filter.fromMe` either:
        across chats an engine filters a page after cutting it, and a page of only the
        office's own messages (300 greetings) would come back empty and end the paging before
        a citizen's message behind it; `_take` skips the office's own."""
        messages: list[dict[str, Any]] = []
        ids: set[object] = set()
        full = False
        for offset in range(0, PAGE * MAX_PAGES, PAGE):
            page = self._page(chat, gte, PAGE, offset)
            fresh = _fresh(page, ids)
            messages += [m for m in fresh if _not_before(m, gte)]
            if not fresh:
                if offset and full:  # the same page again: the engine ignored the offset
                    messages = self._widen(chat, gte)
                break
            # With chatId=all a page may come back short before the end: only empty ends it.
            if not until_empty and len(page) < PAGE:
                break
            full = len(page) >= PAGE
        return messages

    def _widen(self, chat: str, gte: int | None) -> list[dict[str, Any]]:
        """For an engine that lists only the last `limit` messages: twice as many each time,
        until the answer is short (all of them) or reaches back before `gte`. The last answer
        holds every earlier one, in the engine's order (which keeps a second's messages in
        the order they came)."""
        limit = 2 * PAGE
        while True:
            page = self._page(chat, gte, limit, 0)
            reached = any(not _not_before(m, gte) for m in page if isinstance(m, dict))
            if len(page) < limit or reached or limit >= PAGE * MAX_PAGES:
                return [m for m in _fresh(page, set()) if _not_before(m, gte)]
            limit *= 2

    def _page(self, chat: str, gte: int | None, limit: int, offset: int) -> list[Any]:
        params: dict[str, str | int | bool] = {
            "limit": limit,
            "offset": offset,
            "sortBy": "timestamp",
            "sortOrder": "asc",
            "downloadMedia": False,  # fetched per new message, not again on every poll
        }
        if gte is not None:
            params["filter.timestamp.gte"] = max(0, gte)
        page = self.api.request(
            "GET",
            f"{self.prefix}/chats/{path_part(chat)}/messages",
            _("list messages"),
            params=params,
        )
        if not isinstance(page, list):
            raise _unreadable("list messages")
        return page


def _fresh(page: list[Any], ids: set[object]) -> list[dict[str, Any]]:
    """The messages of `page` not seen before in this fetch; their ids are noted."""
    fresh = [m for m in page if isinstance(m, dict) and m.get("id") not in ids]
    ids.update(m.get("id") for m in fresh)
    return fresh


def _not_before(message: dict[str, Any], gte: int | None) -> bool:
    ts = message.get("timestamp")
    return gte is None or not isinstance(ts, (int, float)) or ts >= gte


def _unreadable(what: str) -> ProviderError:
    return ProviderError(
        _("WAHA sent an unexpected answer ({what}).").format(what=what),
        VERSION_HINT,
        retryable=True,
    )
