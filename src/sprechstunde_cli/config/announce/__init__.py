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


# Loading the config reads [announce] only when the file has it: the reader is imported then.
def __getattr__(name: str) -> object:
    if name == "parse_announce":
        from sprechstunde_cli.config.announce.parse import parse_announce

        return parse_announce
    raise AttributeError(name)


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
