"""The provider contract's part for the end of the hour: closing words at scale, then the purge.

Several hundred citizens wait when the hour ends; the messenger allows only so many requests a
second and answers the rest with 429 (`RateLimitGate` puts the provider under test behind
`RateLimitedServer`'s limit, which the office does not know in advance). `close` must bring the
closing words to every waiting thread — also one the office answered earlier and who wrote
again — before anything is deleted, without ever coming back before a Retry-After; then the
purge deletes as far as the provider reaches.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from sprechstunde_cli.domain.counters import Counter
from sprechstunde_cli.domain.model import SessionState
from sprechstunde_cli.providers.base import DeleteReach
from sprechstunde_cli.services import close as closing
from sprechstunde_cli.services import hour
from sprechstunde_cli.services.purge import Places, purge
from sprechstunde_cli.services.purge.closing import reaches_citizens
from sprechstunde_cli.services.reply import reply
from sprechstunde_cli.store import Store, outbox, purging
from tests.support.clocks import IN_THE_HOUR, REAL_TIME_SERVERS_EARLY_MINUTES, FakeClock
from tests.support.ratelimit_fake import Limit, RateLimitedServer, RateLimitGate
from tests.support.service_rig import make_config

if TYPE_CHECKING:
    from tests.support.contract import ProviderEnv  # which mixes this in

SID = "mittwoch"


class ClosingContract:
    """Mixed into `ProviderContract`; `closing_threads` is how many citizens wait."""

    closing_threads = 300

    def test_closing_words_reach_every_waiting_thread_under_a_rate_limit_then_the_purge(
        self, env: ProviderEnv, tmp_path: Path
    ) -> None:
        n = self.closing_threads
        clock = FakeClock(IN_THE_HOUR)
        server = RateLimitedServer(
            Limit(requests=25, window=1.0, retry_after=2.0),
            lambda: clock.now().timestamp(),
            clock.sleep,
        )
        gate = RateLimitGate(env.provider, server)
        # The citizens' messengers stamp in real time, the hour runs on the test's clock.
        config = make_config(closing_grace_minutes=3, early_minutes=REAL_TIME_SERVERS_EARLY_MINUTES)
        places = Places(tmp_path / "office", tmp_path / "office" / "s", tmp_path / "log", tmp_path)
        store = Store.open(places.data_dir / "store.db")
        try:
            handles = [f"w{i:03d}" for i in range(n)]
            for handle in handles:
                env.citizen.send_text(handle, f"Frage von {handle}")
            hour.open_session(store, config.session(SID), clock.now(), actor="t")
            running = hour.Hour(store, gate, config, SID, places.session_dir / "media")
            _take_in(running, store, clock, env.settle * 20, messages=n)
            assert len(store.thread_rows(SID)) == n
            # The first was answered and wrote again: waiting. The second was answered: not.
            for number in (1, 2):
                reply(
                    store,
                    gate,
                    store.require_session(SID),
                    number,
                    "Antwort",
                    operator="a",
                    now=clock.now(),
                    media_dir=places.session_dir / "media",
                    max_media_bytes=1,
                )
            handle_of = {env.citizen.chat_id(h): h for h in handles}
            again = handle_of[store.thread(SID, 1).chat]
            answered = handle_of[store.thread(SID, 2).chat]
            env.citizen.send_text(again, "Noch eine Frage")
            _take_in(running, store, clock, env.settle * 20, messages=n + 1)

            report = closing.close(store, gate, config, SID, clock, actor="t")

            assert (report.closing_sent, report.undelivered) == (n - 1, 0)
            assert store.counters(SID).get(Counter.SENT_CLOSING) == n - 1
            assert outbox.unfinished(store, SID) == 0
            assert server.rejected > 0  # the limit really bit
            assert server.ignored_waits == 0  # and no call came back before its Retry-After
            words = closing.closing_text(store, config, SID)
            missing = [h for h in handles if h != answered and words not in env.citizen.phone(h)]
            assert missing == []
            assert words not in env.citizen.phone(answered)
            assert store.require_session(SID).state is SessionState.CLOSED

            receipt = purge(store, gate, config, SID, clock, places=places, mailer=None)

            [result] = receipt.providers
            assert result.ok and result.remaining == 0
            assert receipt.counts["closing_words_sent"] == n - 1
            assert receipt.counts["closing_words_failed"] == 0
            caps = env.provider.capabilities
            waited = reaches_citizens(caps)
            assert receipt.counts["closing_grace_seconds"] == (180 if waited else 0)
            if caps.delete_reach is not DeleteReach.NONE and caps.revoke_own:
                # The office's words are gone from the phones now (after the grace).
                assert [h for h in handles[:20] if words in env.citizen.phone(h)] == []
        finally:
            store.close()


def _take_in(
    running: hour.Hour, store: Store, clock: FakeClock, within: float, *, messages: int
) -> None:
    """Run the hour's steps until `messages` citizens' messages are stored, then send
    everything queued (greetings, replies) as `open --once` does."""
    deadline = time.monotonic() + within
    while (
        purging.content_counts(store, SID)["messages_in"] < messages and time.monotonic() < deadline
    ):
        running.step(clock.now(), 0.2)
    running.deliver_everything(clock)
