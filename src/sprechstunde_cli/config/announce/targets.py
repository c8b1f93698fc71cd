"""`[announce.messenger]`, `[announce.mastodon]`, `[announce.email]`: where announcements go.

Announcements are public notices. A target that would message citizens one by one (a list of
phone numbers, contacts, chats) is refused: messengers forbid bulk messaging and the office
phone keeps no contacts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sprechstunde_cli.config import read
from sprechstunde_cli.config.announce.model import DEFAULT_SUBJECT, PLACEHOLDERS, Channel
from sprechstunde_cli.errors import ConfigError
from sprechstunde_cli.i18n import _

MAX_EMAIL_RECIPIENTS = 10

# Keys that would turn an announcement into messages to individual citizens.
_BULK_KEYS = {
    "to", "recipients", "numbers", "phone_numbers", "phones", "contacts", "chats", "citizens",
    "subscribers", "broadcast_list",
}  # fmt: skip
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")
_PHONE = re.compile(r"\+?[\d\s()./-]{6,}")


def parse_channel(target: str, tbl: Mapping[str, Any], offsets: tuple[str, ...]) -> Channel | None:
    key = f"announce.{target}"
    if target != "email":
        refuse_bulk(tbl, key)
    extra = {
        "messenger": set(),
        "mastodon": {"instance", "visibility", "language"},
        "email": {"to", "subject"},
    }[target]
    read.check_keys(tbl, key, {"enabled", "offsets"} | extra)
    if not read.boolean(tbl, "enabled", f"{key}.enabled", True):
        return None
    chosen = _offset_list(tbl, key, offsets)
    if target == "mastodon":
        return Channel(
            chosen,
            instance=_instance(tbl, key),
            visibility=_choice(tbl, key, "visibility", ("public", "unlisted"), "public"),
            language=read.string(tbl, "language", f"{key}.language", "de"),
        )
    if target == "email":
        subject = read.string(tbl, "subject", f"{key}.subject", DEFAULT_SUBJECT)
        read.template(subject, f"{key}.subject", PLACEHOLDERS)
        return Channel(chosen, to=_recipients(tbl, key), subject=subject)
    return Channel(chosen)


def _offset_list(tbl: Mapping[str, Any], key: str, offsets: tuple[str, ...]) -> tuple[str, ...]:
    value = tbl.get("offsets", list(offsets))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            _("must be a list of offset names."), _('Write e.g. offsets = ["week", "day"].'), key
        )
    for name in value:
        if name not in offsets:
            read.unknown(f"{key}.offsets", name, offsets, what="offset")
    return tuple(name for name in offsets if name in value)


def _instance(tbl: Mapping[str, Any], key: str) -> str:
    url = read.string(tbl, "instance", f"{key}.instance").strip().rstrip("/")
    match = re.fullmatch(r"(https?)://([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(:\d+)?", url)
    loopback = match is not None and match.group(2) in {"localhost", "127.0.0.1", "[::1]"}
    if match is None or (match.group(1) == "http" and not loopback):
        raise ConfigError(
            _("is not an https address of a Mastodon server: {url!r}.").format(url=url),
            _('Write the server only, e.g. instance = "https://social.example.org".'),
            f"{key}.instance",
        )
    return url


def _choice(
    tbl: Mapping[str, Any], key: str, name: str, options: tuple[str, ...], default: str
) -> str:
    value = read.string(tbl, name, f"{key}.{name}", default)
    if value not in options:
        raise ConfigError(
            _("must be one of {join}.").format(join=", ".join(options)),
            _('Write {name} = "{default}".').format(name=name, default=default),
            f"{key}.{name}",
        )
    return value


def _recipients(tbl: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = tbl.get("to")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            _("is missing."), _('Add to = ["presseverteiler@example.org"].'), f"{key}.to"
        )
    for address in value:
        if _PHONE.fullmatch(address.strip()):
            _bulk(f"{key}.to")
        if not _EMAIL.fullmatch(address.strip()):
            raise ConfigError(
                _("{address!r} is not an e-mail address.").format(address=address),
                _('Write e.g. "presseverteiler@example.org".'),
                f"{key}.to",
            )
    if len(value) > MAX_EMAIL_RECIPIENTS:
        # One message goes to every address; a long list of people is bulk mail in disguise.
        raise ConfigError(
            _(
                "lists {count} addresses; announcements go to a few distribution lists, "
                "never to citizens one by one."
            ).format(count=len(value)),
            _("Send to one distribution-list address (e.g. the press list) instead."),
            f"{key}.to",
        )
    return tuple(a.strip() for a in value)


def refuse_bulk(tbl: Mapping[str, Any], key: str) -> None:
    for name in tbl:
        if name in _BULK_KEYS:
            _bulk(f"{key}.{name}")


def _bulk(key: str) -> None:
    raise ConfigError(
        _(
            "sprechstunde never sends announcements to citizens one by one: the messengers "
            "forbid bulk messaging and the office phone keeps no contacts."
        ),
        _(
            "Announce publicly instead: the messenger's status or channel ([announce.messenger]), "
            "Mastodon, a press e-mail list, or the calendar and website files."
        ),
        key,
    )
