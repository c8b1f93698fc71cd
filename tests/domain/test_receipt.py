"""domain/receipt.py: the deletion receipt and purge progress, typed, with one JSON form that
reads back what earlier versions stored."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from sprechstunde_cli.domain.receipt import (
    RECEIPT_VERSION,
    SEARCHED_PLACES,
    MessengerResult,
    PurgeProgress,
    Receipt,
    StoreResult,
    Verification,
    is_receipt,
)

# A receipt body exactly as the purge of an earlier version wrote it into the store.
STORED_RECEIPT: dict[str, Any] = {
    "receipt_version": 1,
    "tool": "sprechstunde 0.1.0",
    "session": "mittwoch",
    "title": "WhatsApp-Sprechstunde der Oberbürgermeisterin",
    "provider": "waha",
    "planned": {"start": "2026-12-02T15:00:00+00:00", "end": "2026-12-02T16:00:00+00:00"},
    "actual": {
        "opened": "2026-12-02T15:01:12+00:00",
        "end": "2026-12-02T16:00:00+00:00",
        "closed": "2026-12-02T16:02:40+00:00",
    },
    "purge": {"started": "2026-12-03T08:00:00+00:00", "ended": "2026-12-03T08:00:09+00:00"},
    "counts": {"threads": 4, "messages_in": 11, "photos": 1, "voice_notes": 0},
    "stores": [
        {"store": "local database", "rows": 27, "ok": True},
        {"store": "media folder", "files": 1, "bytes": 3, "ok": True},
        {"store": "temporary files", "files": 0, "ok": True},
        {"store": "session key", "destroyed": True, "ok": True},
    ],
    "providers": [
        {
            "provider": "waha",
            "reach": "operator_side",
            "requested": 15,
            "confirmed": 15,
            "remaining": 0,
            "chats_removed": 4,
            "failed": [],
            "skipped_by_operator": False,
            "ok": True,
        }
    ],
    "verification": {
        "result": "clean",
        "searched_for": 38,
        "short_texts_not_searched": 2,
        "files_scanned": 5,
        "bytes_scanned": 81920,
        "places": ["data dir", "session temp space", "log"],
    },
    "residual_retention": ["The citizens' phones keep the messages they sent."],
    "handoff_exports": [],
}


def waha_result(**changes: Any) -> MessengerResult:
    fields: dict[str, Any] = {
        "provider": "waha",
        "reach": "operator_side",
        "requested": 5,
        "confirmed": 4,
        "remaining": 1,
        "chats_removed": 2,
        "failed": ("revoke window passed",),
    }
    fields.update(changes)
    return MessengerResult(**fields)


def a_receipt() -> Receipt:
    return Receipt(
        session="naechste",
        title="WhatsApp-Sprechstunde der Oberbürgermeisterin",
        provider="matrix",
        tool="sprechstunde 0.2.0",
        planned_start="2026-12-16T15:00:00+00:00",
        planned_end="2026-12-16T16:00:00+00:00",
        opened=None,
        end="2026-12-16T16:00:00+00:00",
        closed="2026-12-16T16:05:00+00:00",
        purge_started="2026-12-17T09:00:00+00:00",
        purge_ended=None,
        counts={"threads": 2, "messages_in": 3},
        stores=(StoreResult("media folder", True, {"files": 2, "bytes": 4096}),),
        providers=(waha_result(), waha_result(provider="matrix", skipped_by_operator=True)),
        verification=Verification("remains found", 9, 1, 3, 1234, ("data dir", "log")),
        residual_retention=("Backups of the homeserver.",),
        handoff_exports=("handoffs/naechste-bauamt.eml",),
    )


# --- round trips ------------------------------------------------------------------------------


def test_a_receipt_survives_its_json_form() -> None:
    receipt = a_receipt()
    body = json.loads(json.dumps(receipt.to_json()))  # as the store keeps it
    assert Receipt.from_json(body) == receipt


def test_purge_progress_survives_its_json_form() -> None:
    progress = PurgeProgress(
        counts={"threads": 3, "messages_in": 8},
        short_texts=2,
        verified=True,
        providers=(waha_result(),),
        handoff_exports=("handoffs/mittwoch.eml",),
    )
    body = json.loads(json.dumps(progress.to_json()))
    assert PurgeProgress.from_json(body) == progress


def test_progress_before_counting_keeps_counts_unset() -> None:
    progress = PurgeProgress()
    body = progress.to_json()
    assert "counts" not in body
    assert PurgeProgress.from_json(body) == progress
    assert PurgeProgress.from_json(body).counts is None


def test_the_json_form_has_the_documented_shape() -> None:
    body = a_receipt().to_json()
    assert body["receipt_version"] == RECEIPT_VERSION == 1
    assert body["planned"] == {
        "start": "2026-12-16T15:00:00+00:00",
        "end": "2026-12-16T16:00:00+00:00",
    }
    assert body["actual"] == {
        "opened": None,
        "end": "2026-12-16T16:00:00+00:00",
        "closed": "2026-12-16T16:05:00+00:00",
    }
    assert body["purge"] == {"started": "2026-12-17T09:00:00+00:00", "ended": None}
    assert body["stores"] == [{"store": "media folder", "files": 2, "bytes": 4096, "ok": True}]
    assert [p["ok"] for p in body["providers"]] == [False, True]


# --- what earlier versions wrote --------------------------------------------------------------


def test_a_receipt_as_an_earlier_version_wrote_it_is_read() -> None:
    receipt = Receipt.from_json(copy.deepcopy(STORED_RECEIPT))
    assert receipt.version == 1
    assert receipt.session == "mittwoch"
    assert receipt.provider == "waha"
    assert receipt.tool == "sprechstunde 0.1.0"
    assert receipt.planned_start == "2026-12-02T15:00:00+00:00"
    assert receipt.opened == "2026-12-02T15:01:12+00:00"
    assert receipt.closed == "2026-12-02T16:02:40+00:00"
    assert receipt.purge_ended == "2026-12-03T08:00:09+00:00"
    assert receipt.counts == {"threads": 4, "messages_in": 11, "photos": 1, "voice_notes": 0}
    media = receipt.stores[1]
    assert (media.store, media.ok, dict(media.details)) == (
        "media folder",
        True,
        {"files": 1, "bytes": 3},
    )
    assert receipt.stores[3].details == {"destroyed": True}
    (waha,) = receipt.providers
    assert (waha.requested, waha.confirmed, waha.chats_removed, waha.ok) == (15, 15, 4, True)
    assert receipt.verification.result == "clean"
    assert receipt.verification.places == SEARCHED_PLACES
    assert receipt.residual_retention == ("The citizens' phones keep the messages they sent.",)


def test_an_earlier_receipt_is_written_back_unchanged() -> None:
    assert Receipt.from_json(copy.deepcopy(STORED_RECEIPT)).to_json() == STORED_RECEIPT


def test_a_receipt_without_optional_parts_is_read() -> None:
    body = copy.deepcopy(STORED_RECEIPT)
    for key in ("receipt_version", "tool", "title", "counts", "handoff_exports"):
        del body[key]
    body["actual"] = {"end": "2026-12-02T16:00:00+00:00"}
    body["purge"] = {}
    receipt = Receipt.from_json(body)
    assert receipt.version == RECEIPT_VERSION
    assert (receipt.opened, receipt.closed, receipt.purge_started) == (None, None, None)
    assert receipt.counts == {}
    assert receipt.handoff_exports == ()


# --- receipt or progress ----------------------------------------------------------------------


def test_is_receipt_separates_a_receipt_from_progress() -> None:
    assert is_receipt(STORED_RECEIPT)
    assert is_receipt(a_receipt().to_json())
    assert not is_receipt(PurgeProgress().to_json())
    assert not is_receipt(PurgeProgress(counts={"threads": 1}, verified=True).to_json())
    assert not is_receipt({"verification": {}})
    assert not is_receipt({"planned": {}})


# --- what counts as done at a messenger -------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "ok"),
    [
        ({"remaining": 0, "failed": ()}, True),
        ({"remaining": 1, "failed": ()}, False),
        ({"remaining": 0, "failed": ("not reachable",)}, False),
        ({"remaining": 3, "failed": ("not reachable",)}, False),
        ({"remaining": 3, "failed": ("not reachable",), "skipped_by_operator": True}, True),
        ({"remaining": 0, "failed": (), "requested": 0, "confirmed": 0}, True),
    ],
)
def test_messenger_result_ok(changes: dict[str, Any], ok: bool) -> None:
    result = waha_result(**changes)
    assert result.ok is ok
    assert result.to_json()["ok"] is ok


def test_a_stored_ok_flag_is_not_trusted_over_the_numbers() -> None:
    body = dict(STORED_RECEIPT["providers"][0], remaining=2, ok=True)
    assert MessengerResult.from_json(body).ok is False
