"""Rewrite a published file atomically: readers see the old file or the new one, never half."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from sprechstunde_cli.errors import InputError

# Public data for a web server to read; an existing file keeps its own mode.
PUBLIC_MODE = 0o644


def write_atomic(
    path: Path, data: bytes, same: Callable[[bytes, bytes], bool] | None = None
) -> bool:
    """Replace `path` with `data` (temp file + rename); False when it already says the same."""
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise _error(path, exc) from None
    if old is not None and (same(old, data) if same else old == data):
        return False
    try:
        mode = path.stat().st_mode & 0o777 if old is not None else PUBLIC_MODE
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _error(path, exc) from None
        raise
    return True


def _error(path: Path, exc: OSError) -> InputError:
    return InputError(
        f"Cannot write {path}: {exc.strerror or type(exc).__name__}.",
        "Check that the directory exists and is writable (announce.files or the option given).",
    )
