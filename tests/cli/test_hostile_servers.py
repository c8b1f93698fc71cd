"""Hostile servers behind every command that speaks HTTP: doctor, open, close --purge, announce.

The WAHA and Mastodon in front of the office echo our credentials back (headers, JSON, errcode,
WAHA's session status, cookies, the reason phrase) wrapped in terminal escapes, claim or stream
half a gigabyte, or go quiet. Whatever they do, each command exits with its documented code and
a plain message; no credential reaches stdout, stderr, the log or any byte of the store
(including the WAL), and no escape, BEL or C1 control reaches the terminal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import Result

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import EXAMPLE_CONFIG, Plugs, Sp, real_time_servers
from tests.support.clocks import FakeClock
from tests.support.fakes.hostile import ByHost, HostileServer, Trick
from tests.support.fakes.mastodon import FakeMastodon
from tests.support.keyring import MemoryKeyring
from tests.support.leaks import controls, found_in_tree
from tests.support.waha_rig import WahaRig, waha_rig

# Looks like an identifier, so a server can hand it back as a Matrix-style `errcode`.
WAHA_KEY = "CanaryWahaKey5f3a9e0b7c"
MASTODON_TOKEN = "CANARY-mastodon-5f3a+9e/0b=7c"
SECRETS = (WAHA_KEY, MASTODON_TOKEN)
MASTODON_HOST = "social.example.org"
ANNOUNCE = f"""
[announce]
handle = "+49 170 0000000"

[announce.mastodon]
instance = "https://{MASTODON_HOST}"
"""


@dataclass
class Scene:
    rig: WahaRig
    waha: HostileServer  # in front of the fake WAHA
    mastodon: HostileServer  # in front of the fake Mastodon
    root: Path

    def check(self, result: Result, expect: ExitCode) -> str:
        """The command exited as documented and leaked nothing; return what it printed."""
        output = result.stdout + result.stderr
        assert result.exit_code == expect, output
        assert "Traceback" not in output and "unexpected" not in output
        assert controls(output) == []
        for secret in SECRETS:
            assert secret not in output
        assert found_in_tree(self.root, SECRETS) == {}
        return output


@pytest.fixture
def scene(
    isolated: Path,
    config_file: Path,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    plugs: Plugs,
) -> Iterator[Scene]:
    with waha_rig("WEBJS", api_key=WAHA_KEY) as rig:
        text = real_time_servers(EXAMPLE_CONFIG).replace('provider = "local"', 'provider = "waha"')
        text += f'\n[providers.waha]\nbase_url = "{rig.hub.base_url}"\nengine = "WEBJS"\n'
        config_file.write_text(text + ANNOUNCE, encoding="utf-8")
        monkeypatch.setenv("SPRECHSTUNDE_WAHA_TOKEN", WAHA_KEY)
        monkeypatch.setenv("SPRECHSTUNDE_MASTODON_TOKEN", MASTODON_TOKEN)
        waha = HostileServer(httpx.MockTransport(rig.fake))
        mastodon = HostileServer(httpx.MockTransport(FakeMastodon(token=MASTODON_TOKEN)))
        plugs.transport = ByHost({MASTODON_HOST: mastodon}, waha)
        yield Scene(rig, waha, mastodon, isolated)


# --- doctor -----------------------------------------------------------------------------------


def test_doctor_quotes_a_hostile_session_state_redacted_and_inert(sp: Sp, scene: Scene) -> None:
    scene.waha.on(Trick.ECHO, status=200, path="^/api/sessions/")
    out = scene.check(sp("doctor", expect=None), ExitCode.PROVIDER)
    # The state is shown, as the operator needs it, but with the key and the escapes defused.
    assert "is \\x1b]52;c;[redacted]\\x07, not WORKING" in out


@pytest.mark.parametrize(
    ("status", "expect", "line"),
    [
        (401, ExitCode.AUTH, "Error: WAHA refused the API key (read WAHA's version: HTTP 401)."),
        (403, ExitCode.PROVIDER, "Error: WAHA forbade read WAHA's version (HTTP 403)."),
        # WAHA's own reading of a 422: the session's state, quoted redacted and inert.
        (
            422,
            ExitCode.PROVIDER,
            "Error: The WhatsApp session 'default' is \\x1b]52;c;[redacted]\\x07, not WORKING.",
        ),
    ],
)
def test_doctor_against_an_echoing_server_names_the_status_only(
    sp: Sp, scene: Scene, status: int, expect: ExitCode, line: str
) -> None:
    scene.waha.on(Trick.ECHO, status=status, path="^/api/server/version")
    out = scene.check(sp("doctor", expect=None), expect)
    assert line in out.splitlines()


@pytest.mark.parametrize(
    ("trick", "line"),
    [
        (Trick.BAD_GZIP, "Error: WAHA sent an answer that cannot be read (read WAHA's version)."),
        (
            Trick.GZIP_BOMB,
            "Error: WAHA sent a larger answer than any it should send (read WAHA's version: "
            "over 16 MB).",
        ),
    ],
)
def test_doctor_against_a_broken_compression_says_so(
    sp: Sp, scene: Scene, trick: Trick, line: str
) -> None:
    scene.waha.on(trick, status=200, path="^/api/server/version")
    out = scene.check(sp("doctor", expect=None), ExitCode.PROVIDER)
    assert line in out.splitlines()


@pytest.mark.parametrize("trick", [Trick.HUGE, Trick.ENDLESS])
def test_doctor_against_half_a_gigabyte_reads_a_bounded_part(
    sp: Sp, scene: Scene, trick: Trick
) -> None:
    scene.waha.on(trick, status=200, path="^/api/server/version")
    out = scene.check(sp("doctor", expect=None), ExitCode.PROVIDER)
    assert "sent a larger answer than any it should send" in out
    assert scene.waha.served <= 17 * 1024 * 1024  # of 512 MiB


def test_doctor_against_a_server_that_goes_quiet_says_so(sp: Sp, scene: Scene) -> None:
    scene.waha.on(Trick.STALL, status=200, path="^/api/server/version")
    out = scene.check(sp("doctor", expect=None), ExitCode.PROVIDER)
    assert "WAHA did not answer in time" in out


# --- open, reply, close --purge ------------------------------------------------------------------


def test_an_hour_against_an_echoing_waha_stores_and_logs_no_key(sp: Sp, scene: Scene) -> None:
    scene.rig.fake.citizen_send("anna", "Wann wird die Ampel repariert?")
    scene.waha.on(Trick.ECHO, status=500, method="POST", path="^/api/send")
    out = scene.check(sp("open", "--once", expect=None), ExitCode.OK).splitlines()
    assert out[1:3] == ["New thread 1 (greeted).", "1 new message(s)."]
    assert "Warning: WAHA failed on send a text (HTTP 500)." in out
    # `open --once` tried the greeting until it failed for good, not once.
    assert "Delivered or given up: 1 of 1 message(s)." in out

    scene.waha.on(Trick.ECHO, status=422, method="POST")
    out = scene.check(sp("reply", "1", "Am Freitag.", expect=None), ExitCode.OK)
    assert "Queued for thread 1" in out and "[redacted]" in out

    scene.waha.clear()
    scene.waha.on(Trick.ECHO, status=500, method="DELETE")
    scene.check(sp("close", "--purge", expect=None), ExitCode.INCOMPLETE)
    log = (scene.root / "data" / "log" / "sprechstunde.log").read_text(encoding="utf-8")
    assert "failed" in log  # the failures were logged, redacted

    scene.waha.clear()
    scene.check(sp("purge", "mittwoch", expect=None), ExitCode.OK)
    scene.check(sp("receipt", "mittwoch", expect=None), ExitCode.OK)


def test_a_hostile_session_state_during_the_hour_is_warned_about_inertly(
    sp: Sp, scene: Scene
) -> None:
    scene.waha.on(Trick.ECHO, status=422, method="GET", path="^/api/default/chats")
    out = scene.check(sp("open", "--once", expect=None), ExitCode.OK)
    assert (
        "Warning: The WhatsApp session 'default' is \\x1b]52;c;[redacted]\\x07, not WORKING."
    ) in out


def test_an_answer_that_does_not_unpack_pauses_receiving_but_not_the_hour(
    sp: Sp, scene: Scene
) -> None:
    scene.rig.fake.citizen_send("anna", "Wann wird die Ampel repariert?")
    scene.waha.on(Trick.BAD_GZIP, status=200, method="GET", path="^/api/default/chats")
    out = scene.check(sp("open", "--once", expect=None), ExitCode.OK)
    assert out.splitlines()[1:] == [
        "Warning: WAHA sent an answer that cannot be read (list chats)."
    ]

    scene.waha.clear()  # the server mends: the message waiting is taken in
    out = scene.check(sp("open", "--once", expect=None), ExitCode.OK)
    assert out.splitlines()[1:3] == ["New thread 1 (greeted).", "1 new message(s)."]


# --- announce -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trick", "status"),
    [
        (Trick.ECHO, 401),
        (Trick.ECHO, 422),
        (Trick.ECHO, 200),
        (Trick.HUGE, 500),
        (Trick.STALL, 200),
        (Trick.BAD_GZIP, 200),
        (Trick.GZIP_BOMB, 200),
    ],
)
def test_announce_against_a_hostile_mastodon_records_a_redacted_failure(
    sp: Sp, scene: Scene, trick: Trick, status: int
) -> None:
    scene.mastodon.on(trick, status=status)
    out = scene.check(
        sp(
            "announce", "naechste", "--now", "--offset", "week", "--target", "mastodon", expect=None
        ),
        ExitCode.INCOMPLETE,
    )
    assert "failed: naechste week → mastodon: " in out
    assert scene.mastodon.tricked
    assert scene.mastodon.served <= 1024 * 1024


# --- login --------------------------------------------------------------------------------------


def test_a_password_login_against_an_echoing_homeserver_shows_none_of_it(
    sp: Sp, config_file: Path, plugs: Plugs, memory: MemoryKeyring
) -> None:
    password = "PasswordCanary5f3a9e0b"  # identifier-like: it comes back as the errcode
    config_file.write_text(
        EXAMPLE_CONFIG + '[providers.matrix]\nhomeserver = "https://matrix.example.org"\n'
        'user_id = "@buergermeisterin:example.org"\n',
        encoding="utf-8",
    )
    server = HostileServer().on(Trick.ECHO, status=403)
    plugs.transport = server
    result = sp("login", "matrix", "--password", input=f"\n{password}\n", expect=ExitCode.AUTH)
    output = result.stdout + result.stderr
    assert "Error: The homeserver refused the login (403)." in output
    assert password not in output and controls(output) == []
    assert server.tricked == [(Trick.ECHO, "POST", "/_matrix/client/v3/login")]
    assert memory.passwords == {}
