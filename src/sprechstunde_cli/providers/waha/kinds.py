"""What a listed WAHA message is beyond text and files: a location, a contact, a sticker, a
poll — each a labelled line, never dropped — or a message its sender revoked."""

from __future__ import annotations

from typing import Any

from sprechstunde_cli.domain.places import labelled, location

# The raw types the engines give what is neither text nor a file (WEBJS/WPP `_data.type`).
_RAW_KINDS = {
    "sticker": "sticker",
    "poll_creation": "poll",
    "vcard": "contact",
    "multi_vcard": "contact",
    "event_creation": "event",
}


def other_kind(message: dict[str, Any], body: str) -> tuple[str, bool] | None:
    """(labelled line, cannot be shown) for a location, contact, sticker or poll; else None."""
    place = message.get("location")
    if isinstance(place, dict):
        found = location(place.get("latitude"), place.get("longitude"))
        name = " ".join(str(place[k]) for k in ("name", "address") if isinstance(place.get(k), str))
        return (found.text(name), False) if found else (labelled("location", name), True)
    if isinstance(message.get("vCards"), list) and message["vCards"]:
        # A shared contact is a third person's data: named as what it is, not quoted.
        return labelled("contact"), True
    raw = message.get("_data")
    raw_type = raw.get("type") if isinstance(raw, dict) else None
    if isinstance(raw_type, str) and raw_type in _RAW_KINDS:
        return labelled(_RAW_KINDS[raw_type], body), True
    return None


def is_revoked(message: dict[str, Any]) -> bool:
    """A message WAHA still lists after its sender revoked it ("This message was deleted"):
    WEBJS and WPP keep it with the raw type "revoked"; NOWEB drops a citizen's from the
    listing but keeps the office's own as a stub (`messageStubType` 1, REVOKE)."""
    raw = message.get("_data")
    if not isinstance(raw, dict):
        return False
    return raw.get("type") == "revoked" or raw.get("messageStubType") in (1, "REVOKE")
