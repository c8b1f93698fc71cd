"""A config file the full check has passed, remembered by its file's identity.

Every command stops on an invalid config, also the ones that read only the store (`threads`,
`tail`, `followup --list`). Checking it means reading every section, which imports the readers
of each and cost a fifth of such a command's start. So a passed check is remembered, as `git`
remembers an unchanged file: by the file's device, inode, size, and modification and change
times (the change time moves with every write, rename or `touch`), by a checksum of its bytes
(two writes of the same size within one tick of the file system's clock, or a file system
without a real change time, leave the times alone), and by this version of sprechstunde (a
newer one may check more). Any difference, or no record, and the whole file is checked again.

The record is 56 bytes of numbers, no text: it lies in the data dir, which the purge searches
for every text a citizen sent, and no such text can match it.

A command that needs one section only (`show`: its messenger's; `reply --attach`: `[hour]`)
reads that section alone from a file that passed (`checked`, `tables`, `section`), instead of
building the whole `Config`.
"""

from __future__ import annotations

import contextlib
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sprechstunde_cli import __version__
from sprechstunde_cli.errors import SprechstundeError

if TYPE_CHECKING:
    from sprechstunde_cli.config.model import Config

_RECORD = struct.Struct("<7Q")


def _read(path: Path) -> tuple[bytes, bytes]:
    """The record for the file as it is now, and the bytes it was taken of."""
    st = path.stat()  # before the bytes: a write after it changes what the next stat sees
    data = path.read_bytes()
    version = zlib.crc32(__version__.encode("utf-8"))
    identity = _RECORD.pack(
        version, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, zlib.crc32(data)
    )
    return identity, data


def checked(path: Path, record: Path) -> bytes | None:
    """The bytes of the file at `path` if `record` says that, as they are now, they passed the
    full check; None when they have not (the caller loads the whole config)."""
    try:
        identity, data = _read(path)
    except OSError:
        return None
    # The record matches these very bytes (their checksum), so they are what was checked.
    return data if identity == _recorded(record) else None


def passed(path: Path, record: Path) -> bool:
    """Whether `record` says the file at `path`, as it is now, passed the full check."""
    return checked(path, record) is not None


def tables(data: bytes) -> Mapping[str, Any]:
    """The tables of a file's `checked` bytes, as written."""
    import tomllib

    return tomllib.loads(data.decode("utf-8"))  # checked: it decodes and parses


def section(found: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    """The table at `keys` (`"hour"`; `"providers", "waha"`) of a checked file's `tables`, as
    written ({} if it has none)."""
    for key in keys:
        found = found.get(key, {})  # checked: every table on the way is a table
    return found


def _recorded(record: Path) -> bytes:
    try:
        return record.read_bytes()
    except OSError:
        return b""


def load_checked(path: Path, record: Path) -> Config:
    """Load and check the config; remember that it passed, when `record`'s folder exists."""
    from sprechstunde_cli.config.load import load_config

    # Taken before reading: a write during the check gives the file another identity, so the
    # next command checks it again.
    try:
        identity = _read(path)[0]
    except OSError:
        identity = b""  # load_config names what is wrong with the path
    config = load_config(path)
    if identity and identity != _recorded(record) and record.parent.is_dir():
        from sprechstunde_cli.system.files import write_private

        # Only a shortcut: without the record (a full or read-only disk) the next command checks
        # the file again.
        with contextlib.suppress(OSError, SprechstundeError):
            write_private(record, identity)
    return config
