"""`standby` from the command line: it answers between hours and leaves nothing on disk that
a citizen wrote, and steps aside for the hour."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sprechstunde_cli.providers.local.server import LocalMessenger
from tests.support.cli import Sp
from tests.support.clocks import IN_THE_HOUR, FakeClock
from tests.support.leaks import found_in_tree
from tests.support.media_samples import make_png

CANARY = "Kanarientext-7f3a über die Müllabfuhr"
CAPTION = "Bildunterschrift-7f3a"
NAME = "Kanarienname-7f3a"


def test_standby_leaves_no_message_content_on_disk(
    sp: Sp, config_file: Path, clock: FakeClock, isolated: Path
) -> None:
    clock.current = IN_THE_HOUR - timedelta(days=2)
    photo = isolated / "home" / "foto.png"
    pixels = make_png(20, 10, (1, 2, 3)) + b"Bildkanarie-7f3a"
    photo.write_bytes(pixels)
    sp("sandbox", "send", "--from", "c1", "--name", NAME, CANARY)
    sp("sandbox", "send", "--from", "c1", "--image", str(photo), CAPTION)
    # The scan below finds what is there: the messenger holds the canary until standby ran.
    assert found_in_tree(isolated / "data", [CANARY])

    out = sp("standby", "--provider", "local", "--once").stdout

    assert "2 message(s) between hours: 1 away text(s) sent, 2 deleted, nothing kept." in out
    photo.unlink()
    # Everything on this machine but the local messenger's own server file: the store, its
    # WAL, the log, the key folder, temp files.
    data = isolated / "data"
    messenger_files = {p for p in data.glob("local-messenger.db*")}
    secrets = [CANARY, CAPTION, NAME, "Bildkanarie-7f3a"]
    hits = {
        path: found
        for path, found in found_in_tree(isolated, secrets).items()
        if isolated / path not in messenger_files
    }
    assert hits == {}
    # The messenger itself holds none of it either: deleted there.
    with LocalMessenger(data / "local-messenger.db") as messenger:
        assert [e for e in messenger.phone("c1") if not e.incoming] == []
    # And nothing of it reaches an operator's view.
    assert "No session is open" in sp("threads", expect=5).stderr


def test_standby_steps_aside_in_the_hour(sp: Sp, config_file: Path, clock: FakeClock) -> None:
    sp("sandbox", "send", "--from", "c1", "In der Stunde")

    out = sp("standby", "--provider", "local", "--once").stdout

    assert "Session 'mittwoch' has the messenger; standby waits." in out
    assert "New thread 1 (greeted)." in sp("open", "--once").stdout


def test_standby_without_a_planned_session_asks_for_the_messenger(
    sp: Sp, config_file: Path, clock: FakeClock
) -> None:
    clock.current = IN_THE_HOUR + timedelta(days=60)  # every session of the example is past

    result = sp("standby", "--once", expect=5)

    assert "which messenger to watch" in result.stderr
    assert "sprechstunde standby --provider" in result.stderr
    assert "between hours" in sp("standby", "--provider", "local", "--once").stdout
