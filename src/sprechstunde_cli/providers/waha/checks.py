"""`sprechstunde doctor` for WAHA: is the session usable, and is the setup one the seeds allow?"""

from __future__ import annotations

import re

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.waha.client import (
    TESTED_VERSION,
    NotFound,
    NotImplementedByEngine,
    ServerFailed,
    WahaApi,
    is_private_url,
    not_working,
    path_part,
)
from sprechstunde_cli.providers.waha.settings import ENGINES, WahaSettings

FREE_MEDIA_SINCE = (2026, 6, 1)  # media sending moved from WAHA Plus into the free image


def run_checks(api: WahaApi, settings: WahaSettings) -> tuple[str, ...]:
    """Raise ProviderError if the session cannot be used; return warnings otherwise."""
    warnings: list[str] = []
    if not is_private_url(settings.base_url):
        warnings.append(
            _(
                "providers.waha.base_url ({base_url}) is not on this machine or a "
                "private network: WAHA must never be reachable from the internet "
                "(docs/waha.md)."
            ).format(base_url=settings.base_url)
        )
    environment = api.request("GET", "/api/server/version", _("read WAHA's version"))
    if isinstance(environment, dict):
        engine = str(environment.get("engine", "")).upper()
        if engine in ENGINES and engine != settings.engine:
            raise ProviderError(
                _("WAHA runs the {engine} engine, but the config says {engine2}.").format(
                    engine=engine, engine2=settings.engine
                ),
                _('Set engine = "{engine}" under [providers.waha] in the config.').format(
                    engine=engine
                ),
            )
        version = _version(environment.get("version"))
        if version is not None and version < FREE_MEDIA_SINCE:
            warnings.append(
                _(
                    "WAHA {join} is older than 2026.6.1: its free image cannot send photos "
                    "or voice notes. Run devlikeapro/waha:{TESTED_VERSION}."
                ).format(join=".".join(map(str, version)), TESTED_VERSION=TESTED_VERSION)
            )
    session = api.lookup(
        f"/api/sessions/{path_part(settings.session)}", _("read the WhatsApp session")
    )
    if not isinstance(session, dict):
        raise ProviderError(
            _("WAHA has no session named '{session}'.").format(session=settings.session),
            _("Create and start it in the WAHA dashboard, or fix providers.waha.session."),
        )
    status = str(session.get("status", "UNKNOWN"))
    if status != "WORKING":
        raise not_working(settings.session, status)
    saved = _saved_contacts(api, settings)
    if saved is None:
        warnings.append(
            _(
                "Could not check the service phone for saved contacts (the engine does not list "
                "them); make sure the phone's address book is empty."
            )
        )
    elif saved:
        warnings.append(
            _(
                "The service phone has {saved} saved contact(s). Keep its address book "
                "empty: citizens' numbers must not end up there, and a status reaches "
                "only contacts."
            ).format(saved=saved)
        )
    return tuple(warnings)


def _saved_contacts(api: WahaApi, settings: WahaSettings) -> int | None:
    try:
        contacts = api.request(
            "GET",
            "/api/contacts/all",
            _("list the phone's contacts"),
            params={"session": settings.session, "limit": 1000},
        )
    except (NotImplementedByEngine, NotFound, ServerFailed):
        return None
    if not isinstance(contacts, list):
        return None
    count = 0
    for contact in contacts:
        if not isinstance(contact, dict) or contact.get("isMe") or contact.get("isGroup"):
            continue
        ident = contact.get("id")
        if isinstance(ident, str) and not ident.endswith(("@c.us", "@lid")):
            continue
        # WEBJS/WPP say isMyContact; NOWEB and GOWS carry a `name` only for saved entries.
        mine = contact.get("isMyContact")
        if mine is True or (mine is None and str(contact.get("name") or "").strip()):
            count += 1
    return count


def _version(value: object) -> tuple[int, ...] | None:
    if not isinstance(value, str):
        return None
    match = re.match(r"(\d+)\.(\d+)\.(\d+)", value)
    return tuple(int(part) for part in match.groups()) if match else None
