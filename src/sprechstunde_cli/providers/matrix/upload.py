"""A file the office sends on Matrix: checked, uploaded (encrypted first in an encrypted
room) and described as the content of an `m.room.message` (`MatrixProvider.send_media`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sprechstunde_cli.domain.media import file_name, sniff
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.providers import http
from sprechstunde_cli.providers.base.media import OutboundMedia
from sprechstunde_cli.providers.matrix import e2e_media, events
from sprechstunde_cli.providers.matrix.client import JSON, MatrixApi
from sprechstunde_cli.providers.matrix.settings import SEND_KINDS

if TYPE_CHECKING:
    # Annotations only: nio loads when the device is started, not with this module.
    from sprechstunde_cli.providers.matrix.crypto import OfficeDevice


def media_content(
    api: MatrixApi,
    media: OutboundMedia,
    caption: str,
    encrypting: Callable[[], OfficeDevice | None],
) -> JSON:
    """The message content for `media`, its file uploaded. `encrypting`: the office's device
    if the room is end-to-end encrypted, else None."""
    if media.kind not in SEND_KINDS:
        raise ProviderError(
            _("Matrix cannot send a {value} here.").format(value=media.kind.value),
            _("Send it as a photo, voice note or file."),
        )
    msgtype = SEND_KINDS[media.kind]
    found = sniff(media.data, media.mime)
    mime = media.mime or found.mime
    filename = file_name(media.filename, mime, media.kind)
    device = encrypting()
    data, sealed = (media.data, None) if device is None else e2e_media.seal(media.data)
    # A crash between upload and send re-uploads on retry; the txn id still sends once.
    upload = api.call(
        "POST",
        "/_matrix/media/v3/upload",
        _("the upload"),
        params={"filename": filename},
        content=data,
        # An encrypted file is opaque bytes to the server; its type travels encrypted.
        headers={"Content-Type": mime if sealed is None else "application/octet-stream"},
        timeout=120.0,
    )
    url = events.text(upload.get("content_uri"))
    if not events.split_mxc(url):
        raise http.ServerFailed(
            _("The Matrix homeserver's upload answer has no content_uri."),
            _("Check the homeserver's media repository; it is retried."),
            retryable=True,
        )
    info: dict[str, Any] = {"mimetype": mime, "size": len(media.data)}
    if found.width and found.height:
        info |= {"w": found.width, "h": found.height}
    content: dict[str, Any] = {
        "msgtype": msgtype,
        "body": caption or filename,
        "filename": filename,
        "info": info,
    }
    if sealed is None:
        content["url"] = url
    else:
        content["file"] = sealed | {"url": url}
    if found.duration is not None:
        info["duration"] = round(found.duration * 1000)
    if media.kind is MessageKind.VOICE:
        # MSC3245: Element and others show this as a voice message, not an audio file.
        content["org.matrix.msc3245.voice"] = {}
        content["org.matrix.msc1767.audio"] = {"duration": info.get("duration", 0)}
    return content
