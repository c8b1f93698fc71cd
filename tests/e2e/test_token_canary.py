"""Token canaries: a whole session through the command line, and no credential left anywhere.

Every credential the tool uses is a distinctive canary: the WAHA API key, the Mastodon token
and the SMTP password, stored with `login --token-stdin` (in the in-memory keyring of
tests/support/keyring.py, the one place they may be), and the Matrix token from the
environment. A session then runs from `init` to `receipt`, with hostile servers
(tests/support/fakes/hostile.py) echoing the credentials back for part of it, and an SMTP
server that quotes the session back in its refusal. After every command, all its output, every
byte of every file under the test's directory (config, data, state, log, SQLite with -wal and
-shm, exports, temp files: TMPDIR points there) and the argv of every subprocess are searched
for each canary: as it is, URL-encoded, JSON-escaped and base64 (also inside longer base64).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import Result

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import EXAMPLE_CONFIG, Plugs, Sp, real_time_servers
from tests.support.clocks import FakeClock
from tests.support.fakes.hostile import ByHost, HostileServer, Trick
from tests.support.fakes.mastodon import FakeMastodon
from tests.support.fakes.smtp import Sink, smtp_server
from tests.support.handoff_rig import HANDOFF_TOML
from tests.support.keyring import MemoryKeyring
from tests.support.leaks import controls, found_in, found_in_tree
from tests.support.waha_rig import WahaRig, waha_rig

# Each canary holds characters that URL-encoding and JSON-escaping change.
WAHA_KEY = 'CANARY-waha-5f3a9e0b+/=%"k'
MASTODON_TOKEN = 'CANARY-mastodon-7c1d2e+/=%"t'
SMTP_PASSWORD = 'CANARY-smtp-0b7c1d+/=%"p'
MATRIX_TOKEN = "syt_CANARY_matrix_5f3a9e0b7c1d"
CANARIES = (WAHA_KEY, MASTODON_TOKEN, SMTP_PASSWORD, MATRIX_TOKEN)
SMTP_USER = "buergerbuero"
MASTODON_HOST = "social.example.org"
MATRIX_HOST = "matrix.example.org"


def config(waha_url: str, smtp_port: int) -> str:
    return (
        real_time_servers(EXAMPLE_CONFIG).replace('provider = "local"', 'provider = "waha"')
        + HANDOFF_TOML
        + f"""
[providers.waha]
base_url = "{waha_url}"
engine = "WEBJS"

[providers.matrix]
homeserver = "https://{MATRIX_HOST}"
user_id = "@buergermeisterin:example.org"

[mail]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
user = "{SMTP_USER}"
sender = "buergerbuero@example.org"
timeout = 5

[announce]
handle = "+49 170 0000000"

[announce.messenger]

[announce.mastodon]
instance = "https://{MASTODON_HOST}"

[announce.email]
to = ["presseverteiler@example.org"]
"""
    )


@dataclass
class Session:
    sp: Sp
    root: Path
    waha: HostileServer
    mastodon: HostileServer
    matrix: HostileServer
    smtp: Sink
    rig: WahaRig
    argv: list[list[str]]
    commands: list[str] = field(default_factory=list)

    def run(self, *args: str, expect: ExitCode = ExitCode.OK, stdin: str | None = None) -> str:
        result: Result = self.sp(*args, input=stdin, expect=None)
        output = result.stdout + result.stderr
        self.commands.append(" ".join(args))
        assert result.exit_code == expect, f"{args}: {output}"
        assert "Traceback" not in output
        assert found_in(output.encode("utf-8"), CANARIES) == [], args
        assert controls(output) == [], args
        assert found_in_tree(self.root, CANARIES) == {}, args
        for argv in self.argv:
            assert found_in(" ".join(argv).encode("utf-8"), CANARIES) == [], argv
        return output


@pytest.fixture
def session(
    isolated: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    plugs: Plugs,
    sp: Sp,
) -> Iterator[Session]:
    tmp = isolated / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    monkeypatch.setenv("SPRECHSTUNDE_MATRIX_TOKEN", MATRIX_TOKEN)
    for name in ("WAHA", "MASTODON", "SMTP"):
        monkeypatch.delenv(f"SPRECHSTUNDE_{name}_TOKEN", raising=False)
    argv: list[list[str]] = []

    class RecordingPopen(subprocess.Popen):  # type: ignore[type-arg]
        def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
            argv.append([str(a) for a in ([args] if isinstance(args, str | Path) else args)])
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", RecordingPopen)
    with (
        waha_rig("WEBJS", api_key=WAHA_KEY) as rig,
        smtp_server(login=(SMTP_USER, SMTP_PASSWORD)) as smtp,
    ):
        waha = HostileServer(httpx.MockTransport(rig.fake))
        mastodon = HostileServer(httpx.MockTransport(FakeMastodon(token=MASTODON_TOKEN)))
        matrix = HostileServer()  # nothing but hostility
        plugs.transport = ByHost({MASTODON_HOST: mastodon, MATRIX_HOST: matrix}, waha)
        yield Session(sp, isolated, waha, mastodon, matrix, smtp, rig, argv)


def test_no_canary_survives_a_whole_session(
    session: Session, isolated: Path, memory: MemoryKeyring
) -> None:
    s = session
    s.run("init")
    (isolated / "config.toml").write_text(config(s.rig.hub.base_url, s.smtp.port), encoding="utf-8")
    for name, secret in (("waha", WAHA_KEY), ("mastodon", MASTODON_TOKEN), ("smtp", SMTP_PASSWORD)):
        s.run("login", name, "--token-stdin", stdin=secret + "\n")
    # The keyring is the one place a canary may be: and it is there.
    assert set(memory.passwords.values()) == {WAHA_KEY, MASTODON_TOKEN, SMTP_PASSWORD}
    s.run("check")

    # doctor: WAHA echoes the key as the session's state, the homeserver echoes everything.
    s.waha.on(Trick.ECHO, status=200, path="^/api/sessions/")
    assert "[redacted]" in s.run("doctor", expect=ExitCode.PROVIDER)
    s.waha.clear()
    s.run("doctor")
    s.run("doctor", "--provider", "matrix", expect=ExitCode.PROVIDER)
    assert s.matrix.tricked

    # announce: Mastodon echoes the token, the mail server quotes the session back.
    s.mastodon.on(Trick.ECHO, status=401)
    s.smtp.replies.append(f"554 5.7.1 \x1b[2J refused: AUTH PLAIN {SMTP_PASSWORD}")
    announce = ("announce", "naechste", "--now", "--offset", "week")
    out = s.run(*announce, expect=ExitCode.INCOMPLETE)
    assert "→ mastodon" in out and "→ email" in out
    s.mastodon.clear()
    s.run(*announce)
    assert len(s.smtp.messages) == 1 and s.smtp.logins == [SMTP_USER] * 2  # with the password

    # the hour: the first greeting meets an echoing server, the second goes out.
    s.rig.fake.citizen_send("anna", "Mein Wohngeldantrag liegt seit Monaten beim Amt.")
    s.waha.on(Trick.ECHO, status=500, method="POST", path="^/api/send")
    s.run("open", "--once")
    s.waha.clear()
    s.run("open", "--once")
    s.run("reply", "1", "Wir fragen nach.")
    s.run("followup", "1", "--email", "anna@example.org", "--dept", "Wohngeldamt", "--consent")
    s.run("close")
    assert len(s.smtp.messages) == 2  # the hand-off, mailed with the password

    # purge: the first delete meets an echoing server, the second run completes.
    s.waha.on(Trick.ECHO, status=500, method="DELETE")
    s.run("purge", "mittwoch", expect=ExitCode.INCOMPLETE)
    s.waha.clear()
    s.run("purge", "mittwoch")
    assert re.search(r"verification: +clean:", s.run("receipt", "mittwoch"))
    assert s.waha.tricked and s.mastodon.tricked
