"""The one reader of a file the operator names (an attachment to `reply`, `sandbox send`).

Whatever the path says, what is read is an ordinary file of bounded size: no device, pipe,
socket or folder (a pipe with no writer would hang, /dev/zero would fill the memory), checked
on the open descriptor so the check and the read concern the same file, and read in pieces up
to the limit + 1 bytes. A link is the one thing a careless click can bring in unnoticed (an
unpacked archive holding a link to /etc/passwd, say): a link set by a user (in the home folder,
or owned by anyone but root) that leads out of the home folder is refused unless the operator
passes --follow-symlinks. Links the system set up (/tmp → /private/tmp on macOS, /home on
another disk) do not count.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from sprechstunde_cli.errors import InputError
from sprechstunde_cli.i18n import _

# Flags some platforms lack (0 there: the checks after opening still hold).
_NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK: int = getattr(os, "O_NONBLOCK", 0)
_NOCTTY: int = getattr(os, "O_NOCTTY", 0)
_CLOEXEC: int = getattr(os, "O_CLOEXEC", 0)
# An operator's file is read in pieces this large, so memory never runs ahead of the limit.
READ_CHUNK = 1024 * 1024
_OPENED = Path("/proc/self/fd")  # Linux: where an open descriptor's real path can be read


def read_given(
    path: Path, limit: int, *, follow_symlinks: bool = False, limit_hint: str = ""
) -> bytes:
    """A file the operator named: an ordinary file of at most `limit` bytes, never holding more
    than `limit` + 1 bytes of it. Every refusal is an InputError that names the file."""
    target = _resolve_given(path, follow_symlinks)
    try:
        # Not even opened if it is plainly no file: opening a device can have effects.
        _check_ordinary(path, target.stat().st_mode)
        # O_NONBLOCK: a pipe (swapped in meanwhile) with nobody writing to it returns at once
        # instead of waiting forever; O_NOFOLLOW: the last name cannot have become a link.
        fd = os.open(target, os.O_RDONLY | _NONBLOCK | _NOFOLLOW | _NOCTTY | _CLOEXEC)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        # A folder on the way swapped for a link after the check above would open another
        # file: where the descriptor really is must still be where the check said.
        if _opened_at(fd) not in (None, target):
            raise InputError(
                _("{path} changed while it was being opened.").format(path=path),
                _("Attach the file again."),
            )
        # The descriptor, not the name: what is checked here is what is read below.
        info = os.fstat(fd)
        _check_ordinary(path, info.st_mode)
        if info.st_size > limit:
            raise _too_large(path, limit, limit_hint, info.st_size)
        os.set_blocking(fd, True)
        return _read_capped(fd, path, limit, limit_hint)
    finally:
        os.close(fd)


def _resolve_given(path: Path, follow_symlinks: bool) -> Path:
    """Where `path` really leads; refused if a user's link on the way leads out of home."""
    try:
        target = Path(os.path.realpath(path, strict=True))
        if follow_symlinks:
            return target
        home = Path(os.path.realpath(Path.home()))
        if target.is_relative_to(home):
            return target
        users = [link for link in _links_on_the_way(path) if _set_by_a_user(link, home)]
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if not users:
        return target
    raise InputError(
        _("{path} leads through the link {users} to {target}, outside your home folder.").format(
            path=path, users=users[0], target=target
        ),
        _(
            "Copy the file into your home folder and attach the copy "
            "(or add --follow-symlinks if you trust the link)."
        ),
    )


def _links_on_the_way(path: Path) -> Iterator[Path]:
    """Every link the system follows for `path`, in order (the kernel's walk, not the letter's:
    "link/.." is the folder above the link's target)."""
    current = Path(os.path.realpath(Path.cwd())) if not path.is_absolute() else Path(path.anchor)
    for part in path.parts[1:] if path.is_absolute() else path.parts:
        if part in ("", "."):
            continue
        if part == "..":
            current = current.parent  # `current` is always real, so its parent is too
            continue
        step = current / part
        if step.is_symlink():
            yield step
            current = Path(os.path.realpath(step))
        else:
            current = step


def _set_by_a_user(link: Path, home: Path) -> bool:
    """A link in the home folder, or one a user owns; not one the system set up."""
    folder = Path(os.path.realpath(link.parent))
    return folder.is_relative_to(home) or link.lstat().st_uid != 0


def _opened_at(fd: int) -> Path | None:
    """The real path of an open descriptor, where the system tells it (Linux); else None."""
    try:
        return (_OPENED / str(fd)).readlink()
    except OSError:
        return None


def _check_ordinary(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise InputError(
            _("{path} is a folder, not a file.").format(path=path),
            _("Attach one file from the folder."),
        )
    if not stat.S_ISREG(mode):
        raise _not_ordinary(path)


def _read_capped(fd: int, path: Path, limit: int, hint: str) -> bytes:
    """Read to the end, but never more than `limit` + 1 bytes: a file that grows while it is
    read, or says it is small and is not (/proc), is refused without filling the memory."""
    parts: list[bytes] = []
    total = 0
    while True:
        try:
            chunk = os.read(fd, min(READ_CHUNK, limit + 1 - total))
        except OSError as exc:
            raise _unreadable(path, exc) from None
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > limit:
            raise _too_large(path, limit, hint, None)
        parts.append(chunk)


def _unreadable(path: Path, exc: OSError) -> InputError:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return InputError(
            _("There is no file {path}.").format(path=path),
            _("Check the file name and its folder."),
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputError(
            _("You may not read {path}.").format(path=path),
            _("Attach a copy that you may open, e.g. in your home folder."),
        )
    if exc.errno == errno.ELOOP:
        # A link where none was a moment ago, or links that lead in a circle.
        return InputError(
            _("{path} is a link that cannot be followed.").format(path=path),
            _("Attach the file itself."),
        )
    if exc.errno in (errno.ENXIO, errno.EOPNOTSUPP):
        return _not_ordinary(path)  # a socket cannot be opened as a file
    return InputError(
        _("Cannot read {path}: {value}.").format(
            path=path, value=exc.strerror or type(exc).__name__
        ),
        _("Check the file, or save it again and attach the copy."),
    )


def _not_ordinary(path: Path) -> InputError:
    return InputError(
        _("{path} is not an ordinary file (it is a device, a pipe or a socket).").format(path=path),
        _("Attach a saved photo, voice note or document instead."),
    )


def _too_large(path: Path, limit: int, hint: str, size: int | None) -> InputError:
    mb = 1024 * 1024  # the unit of hour.max_media_mb
    message = (
        _("{path} is {size:.1f} MB, over the limit of {limit:.1f} MB.")
        if size is not None
        else _("{path} is larger than the limit of {limit:.1f} MB.")
    )
    return InputError(
        message.format(path=path, size=(size or 0) / mb, limit=limit / mb),
        hint or _("Attach a smaller file."),
    )
