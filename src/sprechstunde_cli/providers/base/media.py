"""A file the office sends, and the one refusal of a citizen's file over the size limit.

Apart from the protocol (`providers/base/__init__.py`): only sending an attachment and
downloading a citizen's file need them, so a text reply does not import the media rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from sprechstunde_cli.domain.media import megabytes
from sprechstunde_cli.domain.model import MessageKind
from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.i18n import _


@dataclass(frozen=True)
class OutboundMedia:
    """A photo, voice note or file the office sends, with the name the citizen's phone shows."""

    kind: MessageKind
    mime: str
    data: bytes
    # The name the citizen's phone shows and saves it under ("" : one made from the type);
    # providers pass it through `domain.media.file_name`, so it is always a plain, safe name.
    filename: str = ""


class MediaTooLarge(ProviderError):
    """A citizen's file over hour.max_media_mb: intake tells the citizen (texts.media_too_large)."""

    def __init__(self, max_bytes: int, size: int | None = None) -> None:
        limit = megabytes(max_bytes)
        super().__init__(
            _("The file ({size}) is larger than the limit of {limit}.").format(
                size=megabytes(size), limit=limit
            )
            if size is not None
            else _("The file is larger than the limit of {limit}.").format(limit=limit),
            _("Raise hour.max_media_mb in the config to accept it."),
        )
        self.size = size


def media_too_large(max_bytes: int, size: int | None = None) -> ProviderError:
    """The one refusal of a photo, voice note or file over the size limit, for every provider;
    `size` when the messenger declared it (sizes in MB, the unit of hour.max_media_mb)."""
    return MediaTooLarge(max_bytes, size)
