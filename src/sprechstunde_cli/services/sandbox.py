"""Act as citizens on the built-in local messenger: send, call, read a phone, read the status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sprechstunde_cli.domain.media import sniff
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.domain.places import parse_location
from sprechstunde_cli.errors import InputError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.local.phone import PhoneEntry
from sprechstunde_cli.providers.local.server import MAX_MEDIA_BYTES, STATUS_CHAT, LocalMessenger
from sprechstunde_cli.system.given import read_given
from sprechstunde_cli.system.paths import Paths


def send(
    paths: Paths,
    sender: str,
    text: str,
    *,
    name: str = "",
    attachment: tuple[Path, MessageKind] | None = None,
    follow_symlinks: bool = False,
    stamp: Callable[[], datetime] | None = None,
) -> str:
    """Send a message to the office as citizen `sender`; return its id. `stamp`: the
    messenger's clock (the application's, which a test sets)."""
    if not text and attachment is None:
        raise InputError(_("Nothing to send."), _("Give a text, or --image/--voice/--file."))
    if attachment is None:
        with LocalMessenger(paths.local_messenger_file, stamp=stamp) as messenger:
            return messenger.citizen_send(sender, text, name=name)
    path, kind = attachment
    # Read before the messenger is opened: a refused file touches nothing.
    data = read_given(
        path,
        MAX_MEDIA_BYTES,
        follow_symlinks=follow_symlinks,
        limit_hint=_("Send a smaller file: the local messenger takes no more."),
    )
    found = sniff(data, None)
    with LocalMessenger(paths.local_messenger_file, stamp=stamp) as messenger:
        return messenger.citizen_send(
            sender,
            text,
            name=name,
            kind=kind,
            media=data,
            mime=found.mime,
            filename=path.name,
            duration=found.duration,
        )


def send_location(
    paths: Paths,
    sender: str,
    given: str,
    *,
    name: str = "",
    stamp: Callable[[], datetime] | None = None,
) -> str:
    """Share a location (`LAT,LON`) with the office as citizen `sender`; return its id."""
    place = parse_location(given)
    with LocalMessenger(paths.local_messenger_file, stamp=stamp) as messenger:
        return messenger.citizen_location(sender, place.latitude, place.longitude, name=name)


def withdraw(paths: Paths, sender: str) -> str:
    """Citizen `sender` deletes their last message for everyone; return its id."""
    with LocalMessenger(paths.local_messenger_file) as messenger:
        return messenger.citizen_withdraw(sender)


def edit(paths: Paths, sender: str, text: str) -> str:
    """Citizen `sender` replaces the text of their last message; return its id."""
    if not text.strip():
        raise InputError(
            _("The new text is empty."), _("Give the new text, or use sandbox delete.")
        )
    with LocalMessenger(paths.local_messenger_file) as messenger:
        return messenger.citizen_edit(sender, text)


def leave(paths: Paths, sender: str) -> str:
    """Citizen `sender` leaves the chat (or blocks the office); return the event's id."""
    with LocalMessenger(paths.local_messenger_file) as messenger:
        return messenger.citizen_leave(sender)


def call(
    paths: Paths,
    sender: str,
    *,
    name: str = "",
    video: bool = False,
    stamp: Callable[[], datetime] | None = None,
) -> str:
    """Call the office as citizen `sender`; return the call's id."""
    with LocalMessenger(paths.local_messenger_file, stamp=stamp) as messenger:
        return messenger.citizen_call(sender, name=name, video=video)


def phone(paths: Paths, handle: str) -> list[PhoneEntry]:
    """What citizen `handle`'s phone shows: their messages, the office's, calls. Like a real
    messenger's app, showing the chat sends read receipts for the office's messages (the purge
    waits for them before it removes the closing words)."""
    with LocalMessenger(paths.local_messenger_file) as messenger:
        entries = messenger.phone(handle)
        messenger.citizen_read(handle)
        return entries


def status(paths: Paths) -> list[PhoneEntry]:
    """The public notices the office posted (the local messenger's status)."""
    return phone(paths, STATUS_CHAT)
