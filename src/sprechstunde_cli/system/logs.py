"""The operational log: state changes, purge steps, delivery failures — never content.

Citizen text, names and addresses never go to the log (the purge searches it to prove that);
nor do tokens. Messages are built from counts, ids we chose, and our own error texts.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sprechstunde_cli.system.files import private_dir, touch_private

LOGGER = "sprechstunde"


def configure(log_file: Path) -> None:
    """Append to `log_file` (0600 in a 0700 dir); idempotent for the same file."""
    logger = logging.getLogger(LOGGER)
    target = str(log_file.resolve())
    for handler in list(logger.handlers):
        if getattr(handler, "_sprechstunde", None) == target:
            return
        if getattr(handler, "_sprechstunde", None):
            # Another data dir in the same process (tests, the demo): follow it.
            logger.removeHandler(handler)
            handler.close()
    private_dir(log_file.parent)
    touch_private(log_file)  # FileHandler would create it by the umask
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler._sprechstunde = target  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER}.{name}")
