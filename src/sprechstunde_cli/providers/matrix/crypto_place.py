"""Where the office's Matrix device keeps its keys.

Apart from `crypto.py`, which loads matrix-nio (hundreds of milliseconds): every Matrix
provider is built with its place, but only a command that reads or writes an encrypted room
(or starts the device) loads nio; `show`'s read receipt does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CryptoPlace:
    """Where the device's keys live: the store in the data dir, its pickle key beside the
    session keys (`<data dir>-keys/`), so copying the data dir alone copies no readable key."""

    folder: Path
    key_dir: Path
