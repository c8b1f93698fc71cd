"""The receive cursor for WAHA, as JSON in the store: per chat (or "*" where the engine lists
all chats at once) the highest message timestamp handed out, the messages handed out within the
last `overlap` seconds, and the @lid/@c.us aliases learned so far.

A message is remembered by its own key (`chats.message_key`), not by WAHA's id: the id embeds
the chat as the engine files it, and an engine may list the same message again under the
person's other id (@c.us, then @lid). Cursors stored before held whole ids; `load` reduces
them to keys, so an old cursor still loads and still keeps its messages from coming twice."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import foreign_reference
from sprechstunde_cli.providers.waha.chats import message_key


@dataclass
class Cursor:
    """Where receiving from WAHA goes on: per chat the newest timestamp handed out, recent ids."""

    hw: dict[str, int] = field(default_factory=dict)  # chat key → highest timestamp handed out
    seen: dict[str, dict[str, int]] = field(default_factory=dict)  # chat → {message key: ts}
    alias: dict[str, str] = field(default_factory=dict)  # any id of a person → their chat
    top: int | None = None  # highest timestamp handed out in any chat
    # Batches that carried pushed events (calls, revokes, edits): they exist only in memory, so
    # a cursor that did not move past one tells the provider to hand them out again.
    pushed: int = 0

    @classmethod
    def load(cls, text: str | None) -> Cursor:
        if not text:
            return cls()
        try:
            data = json.loads(text)
            if data.get("v") != 1:
                raise ValueError("version")
            return cls(
                hw={str(k): int(v) for k, v in data["hw"].items()},
                seen={str(k): _keyed(ids) for k, ids in data["seen"].items()},
                alias={str(k): str(v) for k, v in data["alias"].items()},
                top=None if data["top"] is None else int(data["top"]),
                pushed=int(data.get("pushed", 0)),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            raise foreign_reference(_("cursor")) from None

    def dump(self) -> str:
        data = {"v": 1, "hw": self.hw, "seen": self.seen, "alias": self.alias, "top": self.top}
        if self.pushed:
            data["pushed"] = self.pushed
        return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _keyed(ids: dict[str, Any]) -> dict[str, int]:
    """{message key: timestamp} from stored keys, or from the whole ids older cursors hold (two
    ids of one message, @c.us and @lid, become one key)."""
    keyed: dict[str, int] = {}
    for message_id, ts in ids.items():
        key = message_key(str(message_id))
        keyed[key] = max(int(ts), keyed.get(key, int(ts)))
    return keyed
