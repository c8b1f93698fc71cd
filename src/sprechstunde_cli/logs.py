"""The operational log: state changes, purge steps, delivery failures — never content.

Citizen text, names and addresses never go to the log (the purge searches it to prove that);
nor do tokens. Messages are built from counts, ids we chose, and our own error texts.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sprechstunde_cli.paths import private_dir

LOGGER = "sprechstunde"


def configure(log_file: Path) -> None:
    """Append to `log_file` (0600 in a 0700 dir); idempotent per process."""
    logger = logging.getLogger(LOGGER)
    if any(getattr(h, "_sprechstunde", False) for h in logger.handlers):
        return
    private_dir(log_file.parent)
    fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    log_file.chmod(0o600)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler._sprechstunde = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER}.{name}")
