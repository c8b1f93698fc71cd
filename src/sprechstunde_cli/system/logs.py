"""The operational log: state changes, purge steps, delivery failures — never content.

Citizen text, names and addresses never go to the log (the purge searches it to prove that);
nor do tokens. Messages are built from counts, ids we chose, and our own error texts; since an
error text can quote a server, every line is redacted (system/redact.py) as it is written.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from sprechstunde_cli.system import disk
from sprechstunde_cli.system.files import private_dir, touch_private
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
    with disk.named(log_file.parent):
        private_dir(log_file.parent)
        touch_private(log_file)  # FileHandler would create it by the umask
    handler = LogFile(log_file, encoding="utf-8")
    handler._sprechstunde = target  # type: ignore[attr-defined]
    handler.setFormatter(_Redacting("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


class LogFile(logging.FileHandler):
    def handleError(self, record: logging.LogRecord) -> None:
        # A full disk loses the log line, not the command: the operation that needed the room
        # fails with its own DiskFullError, and logging's traceback on stderr would bury that
        # message (and break the live view of `open`).
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError) and exc.errno in disk.NO_SPACE:
            return
        super().handleError(record)

    def close(self) -> None:
        # Closing flushes what a full disk did not take: lost like the line itself.
        try:
            super().close()
        except OSError as exc:
            if exc.errno not in disk.NO_SPACE:
                raise


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER}.{name}")
