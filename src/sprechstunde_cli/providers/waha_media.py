"""Photos and voice notes from WAHA: fetched fresh, capped in size, never from another host."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import httpx

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import MediaRef
from sprechstunde_cli.providers.waha_http import NotFound, WahaApi, path_part


def download(api: WahaApi, media: MediaRef, max_bytes: int) -> bytes:
    """The file's bytes, or a ProviderError if it is gone, larger than `max_bytes` or missing."""
    if media.size is not None and media.size > max_bytes:
        raise too_big(max_bytes)
    try:
        ref = json.loads(media.ref)
        chat, message_id = str(ref["chat"]), str(ref["id"])
    except (ValueError, TypeError, KeyError):
        raise ProviderError(
            "This file reference does not belong to WAHA.",
            "Finish this session with the provider it was opened with.",
        ) from None
    # Asking for the message again both proves it is still on the office's side and yields a
    # fresh file URL: WAHA deletes its copies after WHATSAPP_FILES_LIFETIME (180 s by default).
    message = api.lookup(
        f"/api/{path_part(api.session)}/chats/{path_part(chat)}/messages/{path_part(message_id)}",
        "fetch a photo or voice note",
        params={"downloadMedia": True},
    )
    if not isinstance(message, dict):
        raise NotFound(
            "The photo or voice note is no longer on the service phone.",
            "It was deleted; ask the citizen to send it again.",
        )
    found = message.get("media")
    url = found.get("url") if isinstance(found, dict) else None
    path = urlsplit(url).path if isinstance(url, str) else ""
    if not path.startswith("/api/files/"):
        raise ProviderError(
            "WAHA did not download this file from WhatsApp.",
            "Set WHATSAPP_DOWNLOAD_MEDIA=true for the WAHA container (docs/waha.md).",
        )
    # Only the path is used: the key goes to the configured WAHA, never to a host in a URL.
    return _fetch(api, path, max_bytes)


def _fetch(api: WahaApi, path: str, max_bytes: int) -> bytes:
    data = bytearray()
    try:
        with api.client.stream("GET", path) as response:
            api.raise_for(response, "download a file")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise too_big(max_bytes)
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise too_big(max_bytes)
    except httpx.TransportError:
        raise ProviderError(
            "The download from WAHA broke off.",
            "sprechstunde retries by itself; check that WAHA is running.",
            retryable=True,
        ) from None
    return bytes(data)


def too_big(max_bytes: int) -> ProviderError:
    return ProviderError(
        f"The file is larger than the limit of {max_bytes} bytes.",
        "Raise hour.max_media_mb in the config to accept it.",
    )
