"""`purge` on a full disk: exit 11 at once with the folder and the fix; the same command again,
once there is room, finishes it."""

from __future__ import annotations

import json
from pathlib import Path

from sprechstunde_cli.errors import ExitCode
from tests.support.cli import Plugs, Sp
from tests.support.clocks import FakeClock
from tests.support.disk import FullStores

# Every body is kept, sealed, as something to search for after the deletion: with these the
# purge's own bookkeeping needs new pages.
LONG = "Bitte um Rückruf wegen der Baustelle am Marktplatz. " + "Vielen Dank. " * 280


def test_purge_on_a_full_disk_exits_11_and_the_rerun_completes(
    sp: Sp, config_file: Path, clock: FakeClock, plugs: Plugs, isolated: Path
) -> None:
    sp("open", "--once")
    for n in range(6):
        sp("sandbox", "send", "--from", f"c{n}", f"{n}: {LONG}")
    sp("open", "--once")
    sp("close")
    stores = FullStores()
    plugs.open_store = stores
    result = sp("purge", "mittwoch", expect=ExitCode.NO_SPACE)
    error, hint = result.stderr.splitlines()
    assert error.startswith("Error: ") and f" {isolated / 'data'}" in error
    assert error.endswith("; nothing new could be saved.")
    assert hint.startswith("Hint: ") and "at least 100 MB" in hint
    assert stores.lock_timer.slept == []
    plugs.open_store = None
    assert len(sp("threads", "--session", "mittwoch", "--json").stdout.splitlines()) == 6
    sp("purge", "mittwoch")
    receipt = json.loads(sp("receipt", "mittwoch", "--json").stdout)
    assert receipt["verification"]["result"] == "clean"
    assert receipt["counts"]["messages_in"] == 6
    assert sp("sandbox", "inbox", "--as", "c0", "--json").stdout == ""
