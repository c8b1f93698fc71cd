"""A config file the full check has passed, remembered by its file's identity.

Every command stops on an invalid config, also the ones that read only the store (`threads`,
`tail`, `followup --list`). Checking it means reading every section, which imports the readers
of each and cost a fifth of such a command's start. So a passed check is remembered, as `git`
remembers an unchanged file: by the file's inode, size, and modification and change times
(the change time moves with every write, rename or `touch`, and cannot be set back), and by
this version of sprechstunde (a newer one may check more). Any difference, or no record, and
the whole file is checked again. The record names the config's path and nothing else.

A command that needs one section only (`show`: its messenger's) reads that section alone from a
file that passed (`provider_section`), instead of building the whole `Config`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sprechstunde_cli import __version__
from sprechstunde_cli.errors import SprechstundeError

if TYPE_CHECKING:
    from sprechstunde_cli.config.model import Config


def _identity(path: Path) -> str:
    st = path.stat()
    return (
        f"{__version__} {st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} "
        f"{path.resolve()}\n"
    )


def passed(path: Path, record: Path) -> bool:
    """Whether `record` says the file at `path`, as it is now, passed the full check."""
    try:
        return _recorded(record) == _identity(path)
    except OSError:
        return False


def provider_section(path: Path, record: Path, name: str) -> Mapping[str, Any] | None:
    """`[providers.<name>]` of a file that passed the full check, as written ({} if it has none);
    None when the file has not passed as it is now (the caller loads the whole config)."""
    if not passed(path, record):
        return None
    import tomllib

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # changed under us: the whole config names what is wrong
    if not passed(path, record):
        return None  # written while we read it: what we read was never checked
    section: Mapping[str, Any] = raw.get("providers", {}).get(name, {})
    return section


def _recorded(record: Path) -> str:
    try:
        return record.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def load_checked(path: Path, record: Path) -> Config:
    """Load and check the config; remember that it passed, when `record`'s folder exists."""
    from sprechstunde_cli.config.load import load_config

    # Taken before reading: a write during the check gives the file another identity, so the
    # next command checks it again.
    try:
        identity = _identity(path)
    except OSError:
        identity = ""  # load_config names what is wrong with the path
    config = load_config(path)
    if identity and identity != _recorded(record) and record.parent.is_dir():
        from sprechstunde_cli.system.files import write_private

        # Only a shortcut: without the record (a full or read-only disk) the next command checks
        # the file again.
        with contextlib.suppress(OSError, SprechstundeError):
            write_private(record, identity.encode("utf-8"))
    return config
