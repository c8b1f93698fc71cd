"""The soak on the remote providers, with faults at their HTTP layer (`FaultyTransport`).

WAHA runs against its fake (MockTransport); Matrix against the real Synapse on loopback, with
the fault layer between the provider's httpx client and the socket. Smaller than the local
soak (the fake WAHA checks every request against the OpenAPI document; Synapse is a real
server), same checks: nothing lost or stored twice, every 429 honoured, and duplicates on
the phones counted — none where the provider has an idempotency key (Matrix txnId), measured
and bounded where it has none (WAHA).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sprechstunde_cli.providers.matrix.client import MatrixApi
from sprechstunde_cli.providers.matrix.provider import MatrixProvider
from sprechstunde_cli.providers.matrix.settings import MatrixSettings
from sprechstunde_cli.providers.waha.provider import build
from sprechstunde_cli.store import Store, outbox
from tests.support import soak
from tests.support.clocks import IN_THE_HOUR, REAL_TIME_SERVERS_EARLY_MINUTES, FakeClock
from tests.support.fault_transport import FaultyTransport
from tests.support.faults import Faults, FaultyProvider, Plan, seed_for_run
from tests.support.matrix_citizens import MatrixCitizens
from tests.support.service_rig import make_config
from tests.support.synapse import Account, Synapse
from tests.support.synapse_fixtures import MakeProvider
from tests.support.waha_rig import WahaCitizens, waha_rig


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "data" / "sprechstunde.db")
    yield opened
    opened.close()


def check(report: soak.Report, faults: Faults, load: soak.Workload) -> None:
    print(report.line())
    print(faults.summary())
    assert report.drained, "the outbox or the intake did not settle within the drain bound"
    assert len(report.sent) == load.messages
    assert report.lost == [] and report.doubled_in_store == []
    assert set(report.outbox) == {outbox.SENT}
    assert report.misdelivered == 0
    assert faults.count() > 5 and faults.early_retries == []


def lost_answers(faults: Faults, method: str = "POST") -> int:
    return sum(1 for i in faults.injected if i.operation.startswith(method) and i.fault.after)


SENDS = frozenset({"send_text", "send_media"})
WAHA_LOAD = soak.Workload(citizens=15, messages=300, image_share=0.05, per_step=6, wait=0.05)


def test_soak_on_waha_with_faults_at_the_seam_and_in_http(store: Store, tmp_path: Path) -> None:
    seed = seed_for_run()
    clock = FakeClock(IN_THE_HOUR)
    now = lambda: clock.now().timestamp()  # noqa: E731
    # 20 % of provider calls fail, and on top 5 % of the HTTP requests under them. (A WAHA poll
    # is 1 + one request per chat, all or nothing: at 20 % per request a 15-chat poll would
    # almost never succeed — see docs/PERFORMANCE.md.)
    seam = Faults(seed, Plan(rate=0.2, retry_after=(1, 5)), now)
    http = Faults(seed + 1, Plan(rate=0.05, retry_after=(1, 5)), now)
    with waha_rig("WEBJS") as rig:
        transport = FaultyTransport(httpx.MockTransport(rig.fake), http)
        inner = build(rig.settings, rig.fake.api_key, transport=transport, pause=rig.sleeps.append)
        rig.providers.append(inner)
        report = soak.run(
            store,
            FaultyProvider(inner, seam),
            WahaCitizens(rig.fake),
            make_config(early_minutes=REAL_TIME_SERVERS_EARLY_MINUTES),
            clock,
            tmp_path / "media",
            seam,
            WAHA_LOAD,
        )
    check(report, seam, WAHA_LOAD)
    print(http.summary())
    # Typing indicators carry only the chat: the next message's typing to the same chat looks
    # to the server like a retry. Delivery holds back only the batch it was sending after a
    # 429, so such a call can come inside the wait (counted here, docs/PERFORMANCE.md).
    typing = [e for e in http.early_retries if "Typing" in e]
    print(f"WAHA typing calls to a chat inside another message's 429 wait: {len(typing)}")
    assert http.count() > 5 and [e for e in http.early_retries if e not in typing] == []
    assert not inner.capabilities.idempotent_send
    lost = sum(1 for i in seam.injected if i.operation in SENDS and i.fault.after)
    lost += lost_answers(http)
    print(
        f"WAHA duplicates on phones (no idempotency key declared): "
        f"{report.duplicates_on_phones}; sends whose answer was lost: {lost}"
    )
    # A copy more than once per lost answer would be a retry without cause.
    assert report.duplicates_on_phones <= lost


MATRIX_LOAD = soak.Workload(
    citizens=6, messages=150, image_share=0.05, per_step=4, wait=0.2, drain_seconds=2.0
)


def test_soak_on_synapse_with_http_faults(
    synapse_server: Synapse, office: Account, store: Store, tmp_path: Path
) -> None:
    seed = seed_for_run()
    clock = FakeClock(IN_THE_HOUR)
    # Biased to lost answers (timeouts, resets after the server did the work): the txnId's test.
    plan = Plan(rate=0.2, retry_after=(1, 3), lost_reply_share=0.8)
    # The provider waits some 429s out itself, on the wall clock (joining a room); the outbox
    # waits on the test's clock. Time for the fault ledger is both added up: a wait in either
    # counts, no wait in either is caught.
    began, start = time.monotonic(), clock.now()
    faults = Faults(
        seed, plan, lambda: time.monotonic() - began + (clock.now() - start).total_seconds()
    )

    def matrix_body(_wait: float) -> dict[str, str]:
        return {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests"}

    transport = FaultyTransport(httpx.HTTPTransport(), faults, body_429=matrix_body, date_share=0.0)
    client = httpx.Client(
        base_url=synapse_server.url,
        headers={"Authorization": f"Bearer {office.access_token}"},
        transport=transport,
    )
    settings = MatrixSettings(
        homeserver=synapse_server.url, user_id=office.user_id, device_id=office.device_id
    )
    provider = MatrixProvider(settings, MatrixApi(client))
    citizens = MatrixCitizens(synapse_server, office.user_id)
    try:
        report = soak.run(
            store,
            provider,
            citizens,
            make_config(early_minutes=REAL_TIME_SERVERS_EARLY_MINUTES),
            clock,
            tmp_path / "media",
            faults,
            MATRIX_LOAD,
        )
    finally:
        citizens.close()
        provider.close()
    # rooms.accept_invites retries a rate-limited join on the next receive, without its wait
    # (docs/PERFORMANCE.md): counted here, every other request must have waited.
    joins = [e for e in faults.early_retries if "/join/" in e]
    print(f"Matrix joins retried inside their 429 wait: {len(joins)}")
    faults.early_retries = [e for e in faults.early_retries if e not in joins]
    check(report, faults, MATRIX_LOAD)
    assert provider.capabilities.idempotent_send
    lost = lost_answers(faults, "PUT")
    print(f"Matrix: {lost} sends whose answer was lost, duplicates on phones: 0 expected")
    assert lost > 0  # sends whose answer was lost, then retried ...
    assert report.duplicates_on_phones == 0  # ... never doubled: the txnId holds
    assert set(report.greetings.values()) == {1}


_ = MakeProvider  # the fixture module is loaded through conftest's pytest_plugins
