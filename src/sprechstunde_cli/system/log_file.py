"""The log's file handler and formatter: imported by system/logs.py with the first line written."""

from __future__ import annotations

import logging
import sys

from sprechstunde_cli.system import disk
from sprechstunde_cli.system.redact import redact


class Redacting(logging.Formatter):
    """Redacts the whole line, arguments and any traceback included, as it is written."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


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
