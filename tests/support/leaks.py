"""Looking for secrets where they must never be: output, files, a subprocess's argv.

A secret is looked for as it is, URL-encoded (both ways), JSON-escaped, and base64 (standard
and URL-safe alphabet): as a whole, and inside any longer base64 run (e.g. `Basic` auth of
"user:password"), which is decoded at every offset rather than predicted.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus

# What a terminal must never receive: C0 controls but tab and newline, DEL, C1 controls.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/_-]{12,}={0,2}")


def forms(secret: str) -> dict[str, bytes]:
    """Every spelling of `secret` a file or an output could hold, by name."""
    raw = secret.encode("utf-8")
    spelled = {
        "raw": secret,
        "url": quote(secret, safe=""),
        "url-plus": quote_plus(secret),
        "json": json.dumps(secret)[1:-1],
        "base64": base64.b64encode(raw).decode().rstrip("="),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }
    return {name: text.encode("utf-8") for name, text in spelled.items()}


def _decodings(run: bytes) -> Iterable[bytes]:
    standard = run.rstrip(b"=").replace(b"-", b"+").replace(b"_", b"/")
    for start in range(4):
        part = standard[start:]
        part = part[: len(part) - len(part) % 4]
        try:
            yield base64.b64decode(part, validate=True)
        except (binascii.Error, ValueError):
            continue


def found_in(data: bytes, secrets: Iterable[str]) -> list[str]:
    """Which secrets `data` holds, and in which form ("name/form")."""
    hits = []
    for secret in secrets:
        raw = secret.encode("utf-8")
        hits += [f"{secret}/{name}" for name, form in forms(secret).items() if form in data]
        if any(raw in decoded for run in _BASE64_RUN.findall(data) for decoded in _decodings(run)):
            hits.append(f"{secret}/inside-base64")
    return hits


def found_in_tree(root: Path, secrets: Iterable[str]) -> dict[str, list[str]]:
    """Every file below `root` (SQLite's -wal and -shm, logs, exports, temp files) that holds
    a secret: path → what it holds."""
    wanted = list(secrets)
    hits = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found = found_in(path.read_bytes(), wanted)
            if found:
                hits[str(path.relative_to(root))] = found
    return hits


def controls(text: str) -> list[str]:
    """The control characters `text` would send to a terminal (tab and newline are fine)."""
    return sorted({repr(c) for c in CONTROL.findall(text)})
