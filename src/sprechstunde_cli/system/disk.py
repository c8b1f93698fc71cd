"""A full disk, or a folder that cannot be written: named as what it is, with the fix.

SQLite's SQLITE_FULL and SQLITE_READONLY (`store/db.py`) and the kernel's ENOSPC, EDQUOT, EROFS
and EACCES (`system/files.py`, the store's media) all end here, so the operator reads the same
message whichever layer noticed it first, and never "locked" for a disk that is full.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sprechstunde_cli.errors import DiskFullError, ReadOnlyError, StoreError
from sprechstunde_cli.i18n import _

NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
NOT_WRITABLE = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
# What to ask the operator to free at least: the store's write-ahead log grows by a few MB
# before SQLite folds it back, and one photo may take hour.max_media_mb; a disk freed by less
# than this is full again within the hour.
ROOM_TO_WORK = 100 * 2**20

_MB = 2**20
_GB = 2**30


def free_bytes(folder: Path) -> int | None:
    """What the user may still write on the disk holding `folder` (None: cannot tell)."""
    for place in (folder, *folder.parents):  # the folder itself may not exist yet
        try:
            return shutil.disk_usage(place).free
        except FileNotFoundError:
            continue
        except OSError:
            return None
    return None


def amount(size: int) -> str:
    """Free space the way a file manager shows it: MB below a GB, else GB."""
    if size < _GB:
        return f"{size / _MB:.1f} MB" if size < 10 * _MB else f"{size // _MB} MB"
    return f"{size / _GB:.1f} GB"


def disk_full(folder: Path, needed: int | None = None) -> DiskFullError:
    """The disk holding `folder` has no room; `needed`: what the failed write wanted."""
    return no_room(folder, free_bytes(folder), needed)


def no_room(folder: Path, free: int | None, needed: int | None = None) -> DiskFullError:
    """The words for `disk_full`, given what the disk reports free."""
    want = amount(max(needed or 0, ROOM_TO_WORK))
    if free is not None and free >= ROOM_TO_WORK:
        # The disk has room, yet the write found none: a quota, or a size limit on the file.
        ask = _("Ask whoever runs this computer for at least {want} more room there").format(
            want=want
        )
        return DiskFullError(
            _(
                "There is no room to write in {folder}, though the disk reports {amount} "
                "free (a quota or a size limit?); nothing new could be saved."
            ).format(folder=folder, amount=amount(free)),
            _(
                "{ask}, or move the data dir (SPRECHSTUNDE_DATA_DIR); then run the command again."
            ).format(ask=ask),
            fix=f"{ask}.",  # moving the data dir needs a restart: not while `open` runs
        )
    now = _(": {amount} free").format(amount=amount(free)) if free is not None else ""
    free_some = _("Free at least {want} on that disk (delete or move other files there)").format(
        want=want
    )
    return DiskFullError(
        _("The disk holding {folder} is full{now}; nothing new could be saved.").format(
            folder=folder, now=now
        ),
        _("{make}, then run the command again.").format(make=free_some),
        fix=f"{free_some}.",
    )


def not_writable(folder: Path, why: str = "") -> ReadOnlyError:
    why = why or _("it is read-only")
    make = _(
        "Make {folder} and the files in it writable for the user running sprechstunde "
        "(or mount the disk writable again)"
    ).format(folder=folder)
    return ReadOnlyError(
        _("{folder} cannot be written ({why}); nothing new could be saved.").format(
            folder=folder, why=why
        ),
        _("{make}, then run the command again.").format(make=make),
        fix=f"{make}.",
    )


def explain(exc: OSError, folder: Path, needed: int | None = None) -> StoreError | None:
    """The full-disk or not-writable error an OSError means, or None for any other."""
    if exc.errno in NO_SPACE:
        return disk_full(folder, needed)
    if exc.errno in NOT_WRITABLE:
        why = (
            _("the disk is mounted read-only")
            if exc.errno == errno.EROFS
            else _("permission denied")
        )
        return not_writable(folder, why)
    return None


@contextmanager
def named(folder: Path, needed: int | None = None, *, writable: bool = True) -> Iterator[None]:
    """Turn a full disk (and, with `writable`, a refused write) inside into its error; any other
    OSError passes unchanged. `writable=False` where the caller words a refusal itself."""
    try:
        yield
    except OSError as exc:
        problem = explain(exc, folder, needed)
        if problem is None or (not writable and exc.errno not in NO_SPACE):
            raise
        raise problem from None
