"""The one way this project writes a file: atomically, private unless it is published.

Every write goes to a temp file with a unique name in the target's own directory (two processes
never share one), is fsynced, gets its mode, and then appears under its name complete or not at
all: by rename (replacing what was there) or by link (never replacing anything). A crash leaves
the old file, or no file, and never half of one. A full disk raises `DiskFullError` naming
the folder (`system/disk.py`), and the temp file is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sprechstunde_cli.errors import InputError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.system import disk

PRIVATE_MODE = 0o600
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS})
# Public data for a web server to read: only the ICS feed and the website snippet, which hold the
# office's published schedule (titles, times, the official's public name and place) and never
# anything a citizen sent. Anything holding personal data must go through write_private instead.
PUBLIC_MODE = 0o644
# Flags some platforms lack (0 there).
_NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC: int = getattr(os, "O_CLOEXEC", 0)

# What puts the bytes into the open temp file. The wiring may pass another: a test's full disk.
Sink = Callable[[BinaryIO, bytes], object]


def write_all(handle: BinaryIO, data: bytes) -> None:
    handle.write(data)


def ensure_dir(path: Path) -> Path:
    """Create `path` and any missing parents, each 0700 whatever the umask says; a folder that
    exists is left as it is (it may be the operator's working directory)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=0o700)
            folder.chmod(0o700)
    return path


def private_dir(path: Path) -> Path:
    """`ensure_dir`, and the leaf 0700 even if it existed: our own data, key and log folders."""
    ensure_dir(path).chmod(0o700)
    return path


def write_private(path: Path, data: bytes, *, sink: Sink = write_all) -> None:
    """Replace `path` with `data`, readable by the owner only; creates a missing folder 0700."""
    with disk.named(path.parent, len(data), writable=False):  # no room even for the folder
        ensure_dir(path.parent)
    _place(path, data, PRIVATE_MODE, replace=True, sink=sink)


def write_named(path: Path, data: bytes, hint: str) -> None:
    """`write_private` for a file the operator named (`receipt --pdf FILE`): one that cannot
    be written (a folder, a path through a file) is an InputError naming it, with `hint`."""
    try:
        write_private(path, data)
    except OSError as exc:
        raise _named_error(path, exc, hint) from None


def create_private(path: Path, data: bytes) -> None:
    """Write a new owner-only file; FileExistsError if `path` exists (two racing writers: one
    wins, the other learns it lost). The folder must exist."""
    _place(path, data, PRIVATE_MODE, replace=False)


def create_numbered(directory: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write `stem.suffix`, or `stem-2.suffix` … if taken, owner-only; never replaces a file."""
    for n in range(1, 1000):
        target = directory / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        try:
            create_private(target, data)
        except FileExistsError:
            continue
        return target
    raise FileExistsError(f"{directory / stem}*{suffix}")


def touch_private(path: Path) -> None:
    """Create `path` empty and 0600 (whatever the umask) if it is missing; an existing file keeps
    its content and is made 0600. For files another library then fills (SQLite, the log), so they
    are never readable by others, not even for the moment before a chmod."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(PRIVATE_MODE)
        return
    try:
        os.fchmod(fd, PRIVATE_MODE)
    finally:
        os.close(fd)


def publish(path: Path, data: bytes, same: Callable[[bytes, bytes], bool] | None = None) -> bool:
    """Replace a published file (keeping its mode; new ones get 0644); False when it already
    says the same (`same(old, new)`, or byte equality)."""
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise _publish_error(path, exc) from None
    if old is not None and (same(old, data) if same else old == data):
        return False
    try:
        mode = path.stat().st_mode & 0o777 if old is not None else PUBLIC_MODE
        _place(path, data, mode, replace=True)
    except OSError as exc:
        raise _publish_error(path, exc) from None
    return True


def _place(path: Path, data: bytes, mode: int, *, replace: bool, sink: Sink = write_all) -> None:
    with disk.named(path.parent, len(data), writable=False):
        import tempfile  # with `random` and `shutil`: only for a write, not on every import

        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), mode)  # whatever the umask says
                sink(handle, data)
                handle.flush()
                os.fsync(handle.fileno())
            if replace:
                tmp.replace(path)
            else:
                _link(tmp, path, data, mode)
            _sync_dir(path.parent)
        finally:
            tmp.unlink(missing_ok=True)


def _link(tmp: Path, path: Path, data: bytes, mode: int) -> None:
    """Give `tmp` the name `path` unless `path` exists (FileExistsError then)."""
    try:
        os.link(tmp, path)  # atomic, and never overwrites; EEXIST is raised as it is
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        # FAT, exFAT and some network mounts have no hard links: O_EXCL still never overwrites,
        # though a crash in the middle may leave the new file short.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())


def _sync_dir(directory: Path) -> None:
    # The new name must survive a power cut as well as the content does.
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _publish_error(path: Path, exc: OSError) -> InputError:
    return _named_error(
        path,
        exc,
        _("Check that the directory exists and is writable (announce.files or the option given)."),
    )


def _named_error(path: Path, exc: OSError, hint: str) -> InputError:
    return InputError(
        _("Cannot write {path}: {strerror}.").format(
            path=path, strerror=exc.strerror or type(exc).__name__
        ),
        hint,
    )
