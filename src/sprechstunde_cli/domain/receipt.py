"""The deletion receipt (Löschprotokoll) as a typed value, with its one JSON form.

It holds numbers, our own names and times only: never phone numbers, names, message ids,
content, or hashes of any of them. The JSON form is what `receipt --json` prints and what the
store keeps; `from_json` reads back every receipt an earlier version wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sprechstunde_cli.domain.model import SessionState

RECEIPT_VERSION = 1
# Where the verification searched, in words: the data dir, the session's temp space, the log.
# The count of office messages the messenger took without naming an id (not verifiable).
SENT_WITHOUT_ID = "sent_without_id"
SEARCHED_PLACES = ("data dir", "session temp space", "log")

Details = Mapping[str, str | int | bool]


@dataclass(frozen=True)
class MessengerResult:
    """What the purge achieved at one messenger."""

    provider: str
    reach: str  # a DeleteReach value
    requested: int = 0
    confirmed: int = 0
    remaining: int = 0
    chats_removed: int = 0
    failed: tuple[str, ...] = ()  # reasons, free of ids and content
    skipped_by_operator: bool = False

    @property
    def ok(self) -> bool:
        return self.skipped_by_operator or (not self.failed and self.remaining == 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "reach": self.reach,
            "requested": self.requested,
            "confirmed": self.confirmed,
            "remaining": self.remaining,
            "chats_removed": self.chats_removed,
            "failed": list(self.failed),
            "skipped_by_operator": self.skipped_by_operator,
            "ok": self.ok,
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> MessengerResult:
        return cls(
            provider=str(body["provider"]),
            reach=str(body["reach"]),
            requested=int(body.get("requested", 0)),
            confirmed=int(body.get("confirmed", 0)),
            remaining=int(body.get("remaining", 0)),
            chats_removed=int(body.get("chats_removed", 0)),
            failed=tuple(str(f) for f in body.get("failed", ())),
            skipped_by_operator=bool(body.get("skipped_by_operator", False)),
        )


@dataclass(frozen=True)
class StoreResult:
    """What the purge did to one place on this machine (the database, media, temp, the key)."""

    store: str
    ok: bool
    details: Details = field(default_factory=dict)  # e.g. files 3, bytes 48000

    def to_json(self) -> dict[str, Any]:
        return {"store": self.store, **self.details, "ok": self.ok}

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> StoreResult:
        details = {k: v for k, v in body.items() if k not in ("store", "ok")}
        return cls(str(body["store"]), bool(body.get("ok")), details)


@dataclass(frozen=True)
class Verification:
    """The receipt's account of the search after the purge: what it sought and where, in counts."""

    result: str  # "clean" or "remains found"
    searched_for: int  # needles: forms of bodies, captions, names, media slices
    short_texts_not_searched: int
    files_scanned: int
    bytes_scanned: int
    places: tuple[str, ...] = SEARCHED_PLACES

    def to_json(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "searched_for": self.searched_for,
            "short_texts_not_searched": self.short_texts_not_searched,
            "files_scanned": self.files_scanned,
            "bytes_scanned": self.bytes_scanned,
            "places": list(self.places),
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Verification:
        return cls(
            result=str(body["result"]),
            searched_for=int(body.get("searched_for", 0)),
            short_texts_not_searched=int(body.get("short_texts_not_searched", 0)),
            files_scanned=int(body.get("files_scanned", 0)),
            bytes_scanned=int(body.get("bytes_scanned", 0)),
            places=tuple(body.get("places", SEARCHED_PLACES)),
        )


@dataclass(frozen=True)
class PurgeProgress:
    """A purge under way, saved after each step so a killed purge resumes where it stopped."""

    counts: Mapping[str, int] | None = None  # taken before anything was deleted
    short_texts: int = 0  # bodies too short to search for
    verified: bool = False
    providers: tuple[MessengerResult, ...] = ()
    handoff_exports: tuple[str, ...] = ()  # export files the operator must take
    # What was here (media files and bytes, temp files, the key) before the local step
    # deleted it: recorded first, so a re-run after a failure still reports it.
    here: Mapping[str, int] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "short_texts": self.short_texts,
            "verified": self.verified,
            "providers": [p.to_json() for p in self.providers],
            "handoff_exports": list(self.handoff_exports),
        }
        if self.counts is not None:
            body["counts"] = dict(self.counts)
        if self.here is not None:
            body["here"] = dict(self.here)
        return body

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> PurgeProgress:
        counts, here = body.get("counts"), body.get("here")
        return cls(
            counts={str(k): int(v) for k, v in counts.items()} if counts is not None else None,
            short_texts=int(body.get("short_texts", 0)),
            verified=bool(body.get("verified", False)),
            providers=tuple(MessengerResult.from_json(p) for p in body.get("providers", ())),
            handoff_exports=tuple(str(p) for p in body.get("handoff_exports", ())),
            here={str(k): int(v) for k, v in here.items()} if here is not None else None,
        )


@dataclass(frozen=True)
class Receipt:
    """The deletion receipt: what a session held and how the purge removed it; no personal data."""

    session: str
    title: str
    provider: str
    tool: str  # "sprechstunde 0.1.0"
    planned_start: str  # ISO 8601, UTC
    planned_end: str
    opened: str | None
    end: str
    closed: str | None
    purge_started: str | None
    purge_ended: str | None
    counts: Mapping[str, int]
    stores: tuple[StoreResult, ...]
    providers: tuple[MessengerResult, ...]
    verification: Verification
    residual_retention: tuple[str, ...]  # what stays elsewhere, in plain words
    handoff_exports: tuple[str, ...] = ()
    version: int = RECEIPT_VERSION
    # The session's zone, for showing its times as the office lived them; "" in receipts
    # written before it was kept (the session's row still knows it: services/receipt.py).
    timezone: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "receipt_version": self.version,
            "tool": self.tool,
            "session": self.session,
            "title": self.title,
            "provider": self.provider,
            "planned": {"start": self.planned_start, "end": self.planned_end},
            "actual": {"opened": self.opened, "end": self.end, "closed": self.closed},
            "purge": {"started": self.purge_started, "ended": self.purge_ended},
            "counts": dict(self.counts),
            "stores": [s.to_json() for s in self.stores],
            "providers": [p.to_json() for p in self.providers],
            "verification": self.verification.to_json(),
            "residual_retention": list(self.residual_retention),
            "handoff_exports": list(self.handoff_exports),
            # Only when known, so an earlier receipt is written back as it was stored.
            **({"timezone": self.timezone} if self.timezone else {}),
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Receipt:
        return cls(
            version=int(body.get("receipt_version", RECEIPT_VERSION)),
            tool=str(body.get("tool", "")),
            session=str(body["session"]),
            title=str(body.get("title", "")),
            provider=str(body.get("provider", "")),
            timezone=str(body.get("timezone", "")),
            planned_start=str(body["planned"]["start"]),
            planned_end=str(body["planned"]["end"]),
            opened=body["actual"].get("opened"),
            end=str(body["actual"]["end"]),
            closed=body["actual"].get("closed"),
            purge_started=body["purge"].get("started"),
            purge_ended=body["purge"].get("ended"),
            counts={str(k): int(v) for k, v in body.get("counts", {}).items()},
            stores=tuple(StoreResult.from_json(s) for s in body.get("stores", ())),
            providers=tuple(MessengerResult.from_json(p) for p in body.get("providers", ())),
            verification=Verification.from_json(body["verification"]),
            residual_retention=tuple(str(r) for r in body.get("residual_retention", ())),
            handoff_exports=tuple(str(p) for p in body.get("handoff_exports", ())),
        )


@dataclass(frozen=True)
class Statistics:
    """Figures for the next press release; available before and after the purge."""

    session: str
    state: SessionState
    threads: int
    answered_live: int
    handed_off: int
    late_messages: int
    calls_refused: int
    messages_in: int
    photos: int
    voice_notes: int
    median_wait_seconds: float | None
    # Threads per topic (`tag`), counted without any link to a thread.
    topics: Mapping[str, int] = field(default_factory=dict)
    # What citizens did after sending, and kinds shown only as a labelled line; content-free.
    withdrawn: int = 0
    edited: int = 0
    unshowable: int = 0
    # Written in the gap before this session and answered by `standby` (away text, deleted).
    between_hours: int = 0


def is_receipt(body: Mapping[str, Any]) -> bool:
    """A finished receipt, as opposed to the progress of a purge that has not ended."""
    return "verification" in body and "planned" in body
