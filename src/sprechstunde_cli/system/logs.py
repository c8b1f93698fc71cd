"""The operational log: state changes, purge steps, delivery failures — never content.

Citizen text, names and addresses never go to the log (the purge searches it to prove that);
nor do tokens. Messages are built from counts, ids we chose, and our own error texts; since an
error text can quote a server, every line is redacted (system/redact.py) as it is written.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sprechstunde_cli.system.files import private_dir
from sprechstunde_cli.system.redact import redact

LOGGER = "sprechstunde"


class _Redacting(logging.Formatter):
    """Redacts the whole line, arguments and any traceback included, as it is written."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


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
    fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    log_file.chmod(0o600)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler._sprechstunde = target  # type: ignore[attr-defined]
    handler.setFormatter(_Redacting("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER}.{name}")
