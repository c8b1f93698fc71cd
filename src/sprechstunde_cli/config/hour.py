"""`[hour]`: how the live hour runs (last call, polling, size limits, the media viewer)."""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from sprechstunde_cli.config import read
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _

# What `tag N TOPIC` accepts unless the config lists its own (hour.topics).
DEFAULT_TOPICS = ("Verkehr", "Schule", "Bauen", "Soziales", "Sonstiges")
# How `open` tells the operator that a citizen wrote (hour.notify).
NOTIFY_MODES = ("desktop", "bell", "off")
TOPIC_CHARS = 40


@dataclass(frozen=True)
class HourSettings:
    """The `[hour]` section: how the consultation hour runs (limits, polling, notices, topics)."""

    last_call_minutes: float = 10.0
    poll_seconds: float = 1.0
    max_message_chars: int = 4096
    max_media_mb: float = 25.0
    # Messages the messenger stamped this many minutes before the opening are taken into the
    # hour; older ones waited between hours and get the away text (domain/arrival.py).
    early_minutes: float = 15.0
    # Run to open a photo or voice note; {file} is replaced by the path. Empty: just print it.
    media_command: str = ""
    topics: tuple[str, ...] = DEFAULT_TOPICS
    # desktop: a desktop notification (else the terminal bell); bell: the bell only; off.
    notify: str = "desktop"
    # Whether a notification quotes the citizen's words; never unless set.
    notify_content: bool = False
    # Before the purge removes the closing words from the citizens' side (a deleted room, a
    # revoked message), it waits this long after sending them for each citizen's client to
    # confirm it has them (a read receipt); 0: no wait.
    closing_grace_minutes: float = 10.0

    @property
    def max_media_bytes(self) -> int:
        return int(self.max_media_mb * 1024 * 1024)


def parse_hour(tbl: Mapping[str, Any]) -> HourSettings:
    names = {f.name for f in fields(HourSettings)}
    read.check_keys(tbl, "hour", names)
    values: dict[str, Any] = {
        "topics": _topics(tbl.get("topics", list(DEFAULT_TOPICS))),
        "notify": _notify(tbl),
        "notify_content": read.boolean(tbl, "notify_content", "hour.notify_content", False),
    }
    for f in fields(HourSettings):
        if f.name not in tbl or f.name in values:
            continue
        value = tbl[f.name]
        if f.name == "media_command":
            values[f.name] = _command(tbl, "hour.media_command", f.name)
            continue
        # TOML allows nan and inf; neither is a usable limit or interval.
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise ConfigError(
                _("must be a non-negative number, not {value!r}.").format(value=value),
                _("Write a plain number such as 10."),
                f"hour.{f.name}",
            )
        values[f.name] = float(value)
    chars = tbl.get("max_message_chars", HourSettings.max_message_chars)
    if not isinstance(chars, int) or chars < 1:
        raise ConfigError(
            _("must be a whole number of at least 1, not {chars!r}.").format(chars=chars),
            _("Write e.g. max_message_chars = 4096."),
            "hour.max_message_chars",
        )
    values["max_message_chars"] = chars
    if values.get("poll_seconds", 1.0) <= 0:
        raise ConfigError(_("must be greater than 0."), _("Use e.g. 1.0."), "hour.poll_seconds")
    return HourSettings(**values)


def _command(tbl: Mapping[str, Any], key: str, name: str) -> str:
    # The command is split like a shell would split it (never run through a shell), so an
    # unbalanced quote is caught here rather than when the first photo arrives.
    command = read.string(tbl, name, key)
    try:
        shlex.split(command)
    except ValueError as exc:
        raise ConfigError(
            _("cannot be split into arguments: {exc}.").format(exc=exc),
            _('Balance the quotes, e.g. media_command = "xdg-open {file}".'),
            key,
        ) from None
    return command


def _topics(value: object) -> tuple[str, ...]:
    hint = _('Write a list of short words, e.g. topics = ["Verkehr", "Schule", "Bauen"].')
    if not isinstance(value, list) or not value:
        raise ConfigError(
            _("must be a non-empty list of topics, not {value!r}.").format(value=value),
            hint,
            "hour.topics",
        )
    seen: set[str] = set()
    for topic in value:
        if (
            not isinstance(topic, str)
            or not topic.strip()
            or topic != topic.strip()
            or len(topic) > TOPIC_CHARS
            or not topic.isprintable()
        ):
            raise ConfigError(
                _(
                    "{topic!r} is no topic: one line of 1 to {limit} characters, without "
                    "spaces around it."
                ).format(topic=topic, limit=TOPIC_CHARS),
                hint,
                "hour.topics",
            )
        if topic.casefold() in seen:
            raise ConfigError(
                _("lists {topic!r} twice.").format(topic=topic),
                _("Remove the repeat."),
                "hour.topics",
            )
        seen.add(topic.casefold())
    return tuple(value)


def _notify(tbl: Mapping[str, Any]) -> str:
    mode = read.string(tbl, "notify", "hour.notify", "desktop")
    if mode not in NOTIFY_MODES:
        read.unknown("hour.notify", mode, NOTIFY_MODES, "mode")
    return mode
