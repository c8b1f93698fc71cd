"""JSON lines for scripts: safe to print even when they carry citizen text."""

from __future__ import annotations

from typing import Any


def dumps(obj: dict[str, Any]) -> str:
    import json

    # ensure_ascii turns every non-ASCII character (bidi overrides, C1 controls) into an
    # escape, and json escapes C0; DEL is ASCII and left alone, so it is escaped here.
    return json.dumps(obj, ensure_ascii=True, sort_keys=True).replace("\x7f", "\\u007f")
