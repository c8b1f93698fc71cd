"""Deleting at WAHA, verified by listing again.

WAHA's one delete endpoint does what WhatsApp allows: the office's own messages are revoked for
both sides while the revoke window lasts (about two days; not confirmed by WhatsApp), anything
else is deleted for the office only. The citizen's phone keeps what the citizen sent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base.deletion import DeleteOutcome
from sprechstunde_cli.providers.waha.chats import raw_chat_of
from sprechstunde_cli.providers.waha.client import (
    Forbidden,
    NotFound,
    NotImplementedByEngine,
    SessionNotWorking,
    Unauthorized,
    WahaApi,
    path_part,
)
from sprechstunde_cli.providers.waha.kinds import is_revoked
from sprechstunde_cli.providers.waha.receive import Poller
from sprechstunde_cli.providers.waha.settings import WahaSettings


class Deleter:
    def __init__(self, api: WahaApi, settings: WahaSettings, poller: Poller) -> None:
        self.api = api
        self.settings = settings
        self.poller = poller  # its listing copes with each engine's way of paging
        self.prefix = f"/api/{path_part(settings.session)}"

    def delete_messages(self, chat: str, provider_ids: Sequence[str]) -> DeleteOutcome:
        problems: dict[str, str] = {}
        for pid in provider_ids:
            raw = raw_chat_of(pid)
            if raw is None:
                continue  # a call or another event: WAHA keeps no message under that id
            try:
                self.api.request(
                    "DELETE",
                    f"{self.prefix}/chats/{path_part(raw)}/messages/{path_part(pid)}",
                    _("delete a message"),
                )
            except NotFound:
                pass  # already gone: a re-run of the purge
            except (Unauthorized, Forbidden, SessionNotWorking):
                raise  # every other delete would fail the same way
            except ProviderError as err:
                problems[pid] = err.message
        left = self.remaining(chat, provider_ids)
        failures = tuple(dict.fromkeys(m for pid, m in problems.items() if pid in left))
        return DeleteOutcome(len(provider_ids), len(provider_ids) - len(left), failures)

    def remaining(self, chat: str, provider_ids: Sequence[str]) -> frozenset[str]:
        """Which of these message ids WAHA still lists for the office. An own message the
        engine lists as a revoked stub under its id (WEBJS, NOWEB keep one) is gone from both
        sides; listed any other way it counts as not deleted."""
        wanted = {pid for pid in provider_ids if raw_chat_of(pid)}
        listed: set[str] = set()
        for raw in sorted({raw_chat_of(pid) or chat for pid in wanted}):
            listed |= self.listed_ids(raw)
        return frozenset(wanted & listed)

    def listed_ids(self, raw: str) -> set[str]:
        try:
            listed = self.poller.fetch(raw, None, until_empty=False)
        except NotFound:
            return set()
        return {
            m["id"]
            for m in listed
            if isinstance(m.get("id"), str) and not (m.get("fromMe") is True and is_revoked(m))
        }

    def delete_chat(self, chat: str, aliases: Sequence[tuple[str, str]]) -> DeleteOutcome:
        """Delete the chat under every id the person had; counts chats, not messages."""
        if "delete_chat" not in self.settings.features:
            # Never call an endpoint the engine lacks; say so instead.
            raise NotImplementedByEngine(
                _("The {engine} engine cannot delete chats.").format(engine=self.settings.engine),
                _(
                    "Delete the chats on the service phone by hand, or run WAHA with the WEBJS or "
                    "WPP engine (docs/waha.md)."
                ),
            )
        raws = sorted({chat, *(alias for alias, owner in aliases if owner == chat)})
        before = self._shown(raws)
        for raw in raws:
            if "clear_messages" in self.settings.features:
                self._delete(f"{self.prefix}/chats/{path_part(raw)}/messages", "clear a chat")
            self._delete(f"{self.prefix}/chats/{path_part(raw)}", "delete a chat")
        left = {raw for raw in raws if raw in self._shown(raws) or self.listed_ids(raw)}
        failures = ("WAHA still lists the chat after deleting it.",) if left else ()
        return DeleteOutcome(len(before | left), len(before - left), failures)

    def _shown(self, raws: list[str]) -> set[str]:
        """Which of these chat ids WAHA's chat list shows (unmerged, id by id)."""
        listed = self.api.request(
            "GET",
            f"{self.prefix}/chats/overview",
            _("list chats"),
            params={"ids": raws, "limit": len(raws), "merge": False},
        )
        if not isinstance(listed, list):
            return set()
        return {str(c.get("id")) for c in listed if isinstance(c, dict)} & set(raws)

    def _delete(self, path: str, what: str) -> None:
        with contextlib.suppress(NotFound):
            self.api.request("DELETE", path, what)
