"""One exception tree and one exit-code enum; the CLI maps one to the other in one place."""

from __future__ import annotations

from enum import IntEnum

from sprechstunde_cli.i18n import _


class ExitCode(IntEnum):
    """Process exit codes; the README documents each."""

    OK = 0
    ERROR = 1  # unexpected failure (a bug): please report it
    USAGE = 2  # wrong command-line usage (Typer/Click's own code)
    CONFIG = 3  # the config file is missing or invalid
    STATE = 4  # the command is not legal in the session's current state
    NOT_FOUND = 5  # no such session or thread
    AUTH = 6  # no token, the server refused it, or no safe place to keep one
    PROVIDER = 7  # the messenger could not be reached or refused the request
    CONFLICT = 8  # a thread is claimed by another operator
    STORE = 9  # the local store is unusable (locked for too long, damaged, read-only)
    INCOMPLETE = 10  # a purge or delivery finished only partly; re-run to complete
    NO_SPACE = 11  # the disk holding the data dir is full; free space, then re-run
    CITIZEN_GONE = 12  # the citizen left the chat or blocked the office: an answer cannot reach
    INTERRUPTED = 130  # stopped with Ctrl-C; state is kept and the command can be re-run


class SprechstundeError(Exception):
    """An error a user can act on: a message and a hint naming the fix."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(SprechstundeError):
    """The command line asked for something impossible (an empty reply, an unreadable file)."""

    exit_code = ExitCode.USAGE


class ConfigError(SprechstundeError):
    exit_code = ExitCode.CONFIG

    def __init__(self, message: str, hint: str = "", key: str = "") -> None:
        # The key path ("texts.greeting") is part of the message so every caller names it.
        super().__init__(f"{key}: {message}" if key else message, hint)
        self.key = key


class StateError(SprechstundeError):
    exit_code = ExitCode.STATE


class NotFoundError(SprechstundeError):
    exit_code = ExitCode.NOT_FOUND


def unknown_session(session_id: str, known: list[str], where: str) -> NotFoundError:
    """The one error for a session id nobody knows, wherever it was typed: it lists the ids
    `where` ("in the config", "on this machine") knows, so the operator can pick one."""
    listed = ", ".join(known) or _("none")
    return NotFoundError(
        _("No session '{session_id}' {where} (known: {listed}).").format(
            session_id=session_id, where=where, listed=listed
        ),
        _("Type one of the known ids; sprechstunde sessions lists them with their state."),
    )


class AuthError(SprechstundeError):
    exit_code = ExitCode.AUTH


class ProviderError(SprechstundeError):
    """The messenger failed. `retryable` separates "could not reach" from "said no"."""

    exit_code = ExitCode.PROVIDER

    def __init__(
        self, message: str, hint: str = "", *, retryable: bool = False, retry_after: float = 0.0
    ) -> None:
        super().__init__(message, hint)
        self.retryable = retryable
        self.retry_after = retry_after


class ConflictError(SprechstundeError):
    exit_code = ExitCode.CONFLICT


class StoreError(SprechstundeError):
    exit_code = ExitCode.STORE

    def __init__(self, message: str, hint: str = "", *, fix: str = "") -> None:
        super().__init__(message, hint)
        # What to do, for a command that tries again by itself (`open`): the hint says "then
        # run the command again", which there would tell the operator to restart it.
        self.fix = fix or hint


class DiskFullError(StoreError):
    """No room left on the disk (SQLITE_FULL, ENOSPC, EDQUOT): nothing was written."""

    exit_code = ExitCode.NO_SPACE


class ReadOnlyError(StoreError):
    """The store or its folder cannot be written (SQLITE_READONLY, EROFS, EACCES)."""


class IncompleteError(SprechstundeError):
    exit_code = ExitCode.INCOMPLETE


class CitizenGoneError(SprechstundeError):
    """The citizen left the chat or blocked the office: nothing sent there reaches them."""

    exit_code = ExitCode.CITIZEN_GONE
