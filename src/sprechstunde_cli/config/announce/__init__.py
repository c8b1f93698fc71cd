"""`[announce]`: when and where sessions are announced (`model.py`), read by `parse.py`;
the targets' own tables (`targets.py`)."""

from sprechstunde_cli.config.announce.model import (
    DEFAULT_OFFSETS,
    DEFAULT_SUBJECT,
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    TARGETS,
    AnnounceSettings,
    Channel,
    Files,
    Offset,
)
from sprechstunde_cli.config.announce.parse import parse_announce

__all__ = [
    "DEFAULT_OFFSETS",
    "DEFAULT_SUBJECT",
    "DEFAULT_TEMPLATES",
    "PLACEHOLDERS",
    "TARGETS",
    "AnnounceSettings",
    "Channel",
    "Files",
    "Offset",
    "parse_announce",
]
