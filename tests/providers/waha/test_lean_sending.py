"""`show` and `reply` on WAHA: a read receipt and a text go out without loading receiving,
deleting, pushed events or the media rules (the provider builds those when first used)."""

from __future__ import annotations

import json
import subprocess
import sys

# In a fresh interpreter: the fake WAHA (checked against WAHA's OpenAPI document), a citizen
# who wrote first, then the office's read receipt and reply through the provider.
SCRIPT = """
import json, sys
from tests.support.waha_rig import waha_rig

with waha_rig("WEBJS") as rig:
    asked = rig.fake.citizen_send("anna", "Guten Tag, wann ist der Wertstoffhof offen?")
    provider = rig.provider()
    before = set(sys.modules)
    provider.mark_read(asked.chat, [asked.id])
    sent = provider.send_text(asked.chat, "Dienstags bis 18 Uhr.", "reply:lean:1")
    loaded = sorted(set(sys.modules) - before)
    read = [item.read for item in rig.fake.citizen("anna").phone if not item.msg.from_me]
    phone = rig.fake.phone_texts("anna")
print(json.dumps({"sent": sent.provider_id, "read": read, "phone": phone, "loaded": loaded}))
"""

RECEIVING = (
    "sprechstunde_cli.providers.waha.receive",
    "sprechstunde_cli.providers.waha.listing",
    "sprechstunde_cli.providers.waha.cursor",
    "sprechstunde_cli.providers.waha.changes",
    "sprechstunde_cli.providers.waha.pushed",
    "sprechstunde_cli.providers.waha.delete",
    "sprechstunde_cli.providers.waha.media",
    "sprechstunde_cli.providers.waha.checks",
    "sprechstunde_cli.providers.base.events",
    "sprechstunde_cli.providers.base.deletion",
    "sprechstunde_cli.providers.base.media",
    "sprechstunde_cli.domain.media",
)


def test_a_read_receipt_and_a_reply_load_nothing_of_receiving() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.splitlines()[-1])
    assert found["read"] == [True]  # the citizen sees blue ticks
    assert found["sent"]  # WAHA named the message it took
    assert "Dienstags bis 18 Uhr." in found["phone"]  # and it reached the citizen's phone
    assert [name for name in RECEIVING if name in found["loaded"]] == []
    # Nor were they loaded before: building the provider does not need them either.
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; import sprechstunde_cli.providers.waha.provider; "
            "print('\\n'.join(sorted(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert [name for name in RECEIVING if name in check.stdout.split()] == []
