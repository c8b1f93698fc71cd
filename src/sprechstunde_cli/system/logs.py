"""The operational log: state changes, purge steps, delivery failures — never content.

Citizen text, names and addresses never go to the log (the purge searches it to prove that);
nor do tokens. Messages are built from counts, ids we chose, and our own error texts; since an
error text can quote a server, every line is redacted (system/redact.py) as it is written.

`logging` (and the redactor's patterns) are imported when the first line is written, not when a
command starts: most commands (`threads`, `show`, `tail`) write none, and the import cost a
tenth of their start. `configure` names the file at once; `get` hands out a logger that sets
the file up on its first line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.system import disk
from sprechstunde_cli.system.files import private_dir, touch_private

if TYPE_CHECKING:
    import logging

LOGGER = "sprechstunde"

# The file `configure` named last, and whether logging has been set up for one yet.
_target: Path | None = None
_installed = False


def configure(log_file: Path) -> None:
    """Append to `log_file` (0600 in a 0700 dir); idempotent for the same file. The file is
    made now; `logging` is set up when the first line is written."""
    global _target
    _target = log_file
    if _installed:
        _install()  # another data dir in the same process (tests, the demo): follow it now
    else:
        _make(log_file)


def _make(log_file: Path) -> None:
    # FileHandler would create it by the umask.
    with disk.named(log_file.parent):
        private_dir(log_file.parent)
        touch_private(log_file)


def _install() -> logging.Logger:
    import logging

    from sprechstunde_cli.system.log_file import LogFile, Redacting

    global _installed
    logger = logging.getLogger(LOGGER)
    if _target is None:
        return logger  # no data dir named yet: lines go where logging's defaults send them
    target = str(_target.resolve())
    for handler in list(logger.handlers):
        if getattr(handler, "_sprechstunde", None) == target:
            return logger
        if getattr(handler, "_sprechstunde", None):
            # Another data dir in the same process (tests, the demo): follow it.
            logger.removeHandler(handler)
            handler.close()
    _make(_target)  # again: it may have gone since `configure` (a long `open`)
    handler = LogFile(_target, encoding="utf-8")
    handler._sprechstunde = target  # type: ignore[attr-defined]
    handler.setFormatter(Redacting("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    _installed = True
    return logger


class Log:
    """A named logger of the operational log, set up on its first line. It has the levels the
    code writes (`info`, `warning`); another is one more method here."""

    def __init__(self, name: str) -> None:
        self.name = f"{LOGGER}.{name}"

    def _logger(self) -> logging.Logger:
        import logging

        _install()
        return logging.getLogger(self.name)

    def info(self, msg: str, *args: Any) -> None:
        self._logger().info(msg, *args)

    def warning(self, msg: str, *args: Any) -> None:
        self._logger().warning(msg, *args)


def get(name: str) -> Log:
    return Log(name)
