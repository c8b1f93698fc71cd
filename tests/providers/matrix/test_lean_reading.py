"""`show` on Matrix: the read receipt goes out without loading matrix-nio (hundreds of
milliseconds to import), which only the encrypted device needs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# In a fresh interpreter: the provider as the registry builds it (end-to-end encryption on),
# one read receipt through a homeserver that answers as the spec says (POST …/receipt/m.read/
# {eventId} → 200 {}), then what got imported.
SCRIPT = """
import json, sys
import httpx
from sprechstunde_cli.providers.base import ProviderContext
from sprechstunde_cli.providers.matrix.provider import create
from sprechstunde_cli.providers.matrix.settings import parse_settings
from sprechstunde_cli.system.credentials import Secret
from sprechstunde_cli.system.paths import resolve_paths

asked = []

def homeserver(request):
    asked.append((request.method, request.url.raw_path.decode()))
    if request.method == "POST" and "/receipt/m.read/" in request.url.raw_path.decode():
        return httpx.Response(200, json={})
    return httpx.Response(404, json={"errcode": "M_UNRECOGNIZED", "error": "Unrecognized"})

settings = parse_settings(
    {"homeserver": "https://matrix.example.org", "user_id": "@buero:example.org"}
)
context = ProviderContext(
    paths=resolve_paths(),
    token=lambda: Secret("syt_geheim_0000"),
    transport=httpx.MockTransport(homeserver),
)
with create(settings, context) as provider:
    crypto = provider.crypto is not None
    provider.mark_read("!raum:example.org", ["$frage1", "$frage2"])
print(json.dumps({"crypto": crypto, "asked": asked, "modules": sorted(sys.modules)}))
"""

NIO = ("nio", "vodozemac", "peewee", "sprechstunde_cli.providers.matrix.crypto")


def test_a_read_receipt_loads_no_encryption_library(isolated: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.splitlines()[-1])
    assert found["crypto"]  # the provider is built to encrypt, as `create` builds it
    # One receipt, for the newest message (receipts are cumulative).
    assert found["asked"] == [
        ["POST", "/_matrix/client/v3/rooms/%21raum%3Aexample.org/receipt/m.read/%24frage2"]
    ]
    assert [name for name in NIO if name in found["modules"]] == []
