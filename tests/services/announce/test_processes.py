"""`announce --due` as real OS processes against one store: overlap and a crash mid-run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from sprechstunde_cli.providers.local.server import STATUS_CHAT, LocalMessenger
from sprechstunde_cli.store import Store
from tests.support.fakes.loopback import serve_on_loopback
from tests.support.fakes.mastodon import FakeMastodon
from tests.support.fakes.smtp import Sink, smtp_server

WEEK_DUE = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)

# Runs the CLI with a fixed clock. Optionally waits for a start signal (so two runs overlap)
# and optionally dies right after a Mastodon post, before anything is recorded.
RUNNER = """
import json, os, sys, time
from datetime import datetime
from sprechstunde_cli.cli import main
from sprechstunde_cli.cli.application import Wiring
from sprechstunde_cli.adapters import mastodon

class Clock:
    def now(self):
        return datetime.fromisoformat(os.environ["TEST_NOW"])
    def sleep(self, seconds):
        pass

if os.environ.get("TEST_CRASH_AFTER_MASTODON"):
    post = mastodon.MastodonClient.post
    def post_then_die(self, *args, **kwargs):
        post(self, *args, **kwargs)
        os._exit(9)  # the process dies between posting and recording
    mastodon.MastodonClient.post = post_then_die
go = os.environ.get("TEST_GO")
if go:
    open(go + "." + str(os.getpid()), "w").close()
    while not os.path.exists(go):
        time.sleep(0.005)
started = time.time()
sys.argv = ["sprechstunde", "announce", "--due"]
try:
    main(Wiring(clock=Clock()))
    code = 0
except SystemExit as exc:
    code = exc.code or 0
with open(os.environ["TEST_TIMES"] + "." + str(os.getpid()), "w") as handle:
    json.dump([started, time.time()], handle)
sys.exit(code)
"""

CONFIG = """
[office]
name = "Stadt Musterstadt"

[schedules.mittwoch]
official = "Oberbürgermeisterin Erika Mustermann"
title = "WhatsApp-Sprechstunde"
rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
first = 2026-12-02
start_time = "16:00"
end_time = "17:00"

[mail]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "buergerbuero@example.org"
timeout = 10

[announce]
handle = "+49 000 0000000"

[announce.messenger]

[announce.mastodon]
instance = "{instance}"

[announce.email]
to = ["presseverteiler@example.org"]
offsets = ["week"]
"""


@dataclass
class World:
    tmp: Path
    mastodon: FakeMastodon
    sink: Sink

    def start(
        self, now: datetime, *, go: Path | None = None, crash: bool = False
    ) -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "TEST_NOW": now.isoformat(),
            "TEST_TIMES": str(self.tmp / "times"),
            "SPRECHSTUNDE_MASTODON_TOKEN": "test-token",
            # No real keyring in a child process: the token comes from the environment.
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        }
        if go is not None:
            env["TEST_GO"] = str(go)
        if crash:
            env["TEST_CRASH_AFTER_MASTODON"] = "1"
        return subprocess.Popen(
            [sys.executable, "-c", RUNNER],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def status(self) -> list[str]:
        messenger = LocalMessenger(Path(os.environ["SPRECHSTUNDE_DATA_DIR"]) / "local-messenger.db")
        try:
            return [e.text for e in messenger.phone(STATUS_CHAT)]
        finally:
            messenger.close()


@contextmanager
def world(tmp_path: Path, *, slow: float = 0.0) -> Iterator[World]:
    fake = FakeMastodon()

    def slow_mastodon(request: httpx.Request) -> httpx.Response:
        time.sleep(slow)  # the first run is still talking to Mastodon when the second starts
        return fake(request)

    with (
        smtp_server(delay=slow) as sink,
        serve_on_loopback(httpx.MockTransport(slow_mastodon)) as url,
    ):
        (tmp_path / "config.toml").write_text(
            CONFIG.format(port=sink.port, instance=url), encoding="utf-8"
        )
        # Set up once, as `init` and the first command do: two processes creating a brand-new
        # SQLite file at the same instant can see "database is locked" (reported to the lead).
        data = Path(os.environ["SPRECHSTUNDE_DATA_DIR"])
        Store.open(data / "sprechstunde.db").close()
        LocalMessenger(data / "local-messenger.db").close()
        yield World(tmp_path, fake, sink)


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def test_two_overlapping_runs_post_each_announcement_once(tmp_path: Path) -> None:
    with world(tmp_path, slow=0.5) as w:
        go = tmp_path / "go"
        procs = [w.start(WEEK_DUE, go=go) for _ in range(2)]
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("go.*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()  # both are loaded and waiting: let them run at the same moment
        results = [finish(p) for p in procs]

        assert [code for code, _, _ in results] == [0, 0], results
        sent = sorted(line for _, out, _ in results for line in out.splitlines())
        assert sent == [
            "sent: mittwoch-2026-12-16 week → email",
            "sent: mittwoch-2026-12-16 week → mastodon",
            "sent: mittwoch-2026-12-16 week → messenger",
        ]
        assert len(w.status()) == 1
        assert len(w.mastodon.requests) == 1 and len(w.mastodon.statuses) == 1
        assert len(w.sink.messages) == 1
    # The two runs really overlapped in time.
    (a_start, a_end), (b_start, b_end) = (
        json.loads(p.read_text()) for p in sorted(tmp_path.glob("times.*"))
    )
    assert a_start < b_end and b_start < a_end


@pytest.mark.parametrize("wait", [timedelta(minutes=1), timedelta(minutes=20)])
def test_a_run_killed_after_posting_is_resumed_exactly_with_the_same_key(
    tmp_path: Path, wait: timedelta
) -> None:
    with world(tmp_path) as w:
        code, out, _ = finish(w.start(WEEK_DUE, crash=True))
        assert code == 9
        assert out == "" and len(w.mastodon.statuses) == 1 and len(w.status()) == 1

        code, out, err = finish(w.start(WEEK_DUE + wait))

        assert code == 0, err
        if wait < timedelta(minutes=15):  # the dead run's lease still holds
            assert "busy: mittwoch-2026-12-16 week → mastodon" in err
            assert len(w.mastodon.requests) == 1
        else:
            assert "sent: mittwoch-2026-12-16 week → mastodon (repeated with the same key" in out
            first, again = w.mastodon.requests
            assert first.key == again.key and again.status_code == 200
        assert "sent: mittwoch-2026-12-16 week → email" in out
        assert len(w.mastodon.statuses) == 1  # never a second status
        assert len(w.status()) == 1 and len(w.sink.messages) == 1
