"""A whole session through the CLI with canaries; after `close --purge` no file holds one."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from sprechstunde_cli.services.demo.samples import make_png
from sprechstunde_cli.services.purge.verify import encodings
from tests.support.cli import Sp
from tests.support.clocks import FakeClock


def test_no_canary_survives_anywhere_after_close_purge(
    sp: Sp, config_file: Path, clock: FakeClock, isolated: Path, monkeypatch: object
) -> None:
    tag = secrets.token_hex(8)
    text = f"Kanarie-{tag}: Straßenlaterne defekt"
    caption = f"Foto-{tag}"
    reply = f"Antwort-{tag}: wird repariert"
    photo_bytes = make_png(16, 16, (200, 100, 50)) + secrets.token_bytes(48)
    photo = isolated / f"kanarie-{tag}.png"
    photo.write_bytes(photo_bytes)
    sp("open", "--once")
    sp("sandbox", "send", "--from", "+49 000 0000777", "--name", f"Name-{tag}", text)
    sp("sandbox", "send", "--from", "c2", "--image", str(photo), caption)
    sp("open", "--once")
    sp("reply", "1", reply)
    sp("show", "2")
    sp("media", "2", "1")  # writes a plain copy for a viewer into the session's tmp space
    photo.unlink()  # the citizen's original, outside our reach by definition
    result = sp("close", "--purge")
    assert "verified (clean)" in result.stdout
    needles = {
        form
        for t in (text, caption, reply, f"Name-{tag}", f"kanarie-{tag}")
        for form in encodings(t)
    }
    needles.add(photo_bytes[-48:])
    leftovers = []
    for path in isolated.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            leftovers += [path.relative_to(isolated) for n in needles if n in blob]
    assert leftovers == []
    receipt = json.loads(sp("receipt", "mittwoch", "--json").stdout)
    assert receipt["counts"]["photos"] == 1
    assert tag not in json.dumps(receipt)
    log = (isolated / "data" / "log" / "sprechstunde.log").read_text()
    assert "open -> closing" in log and "verification clean" in log
    figures = json.loads(sp("stats", "mittwoch", "--json").stdout)
    assert (figures["threads"], figures["answered_live"], figures["state"]) == (2, 1, "purged")
    human = sp("stats", "mittwoch").stdout
    assert "answered live:         1" in human  # aligned with "handed to departments:"
    assert "Löschprotokoll" in sp("receipt", "mittwoch").stdout
