"""Photos and voice notes from WAHA: fetched fresh, capped in size, never from another host."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers.base import foreign_reference
from sprechstunde_cli.providers.base.events import MediaRef
from sprechstunde_cli.providers.base.media import media_too_large
from sprechstunde_cli.providers.waha.client import NotFound, WahaApi, path_part


def download(api: WahaApi, media: MediaRef, max_bytes: int) -> bytes:
    """The file's bytes, or a ProviderError if it is gone, larger than `max_bytes` or missing."""
    if media.size is not None and media.size > max_bytes:
        raise media_too_large(max_bytes, media.size)
    try:
        ref = json.loads(media.ref)
        chat, message_id = str(ref["chat"]), str(ref["id"])
    except (ValueError, TypeError, KeyError):
        raise foreign_reference(_("file reference")) from None
    # Asking for the message again both proves it is still on the office's side and yields a
    # fresh file URL: WAHA deletes its copies after WHATSAPP_FILES_LIFETIME (180 s by default).
    message = api.lookup(
        f"/api/{path_part(api.session)}/chats/{path_part(chat)}/messages/{path_part(message_id)}",
        _("fetch a photo or voice note"),
        params={"downloadMedia": True},
    )
    if not isinstance(message, dict):
        raise NotFound(
            _("The photo or voice note is no longer on the service phone."),
            _("It was deleted; ask the citizen to send it again."),
        )
    found = message.get("media")
    url = found.get("url") if isinstance(found, dict) else None
    path = urlsplit(url).path if isinstance(url, str) else ""
    if not path.startswith("/api/files/"):
        raise ProviderError(
            _("WAHA did not download this file from WhatsApp."),
            _("Set WHATSAPP_DOWNLOAD_MEDIA=true for the WAHA container (docs/waha.md)."),
        )
    # Only the path is used: the key goes to the configured WAHA, never to a host in a URL.
    return api.download(path, _("download a file"), max_bytes)
