"""Photos, voice notes and files citizens send: fetched before the write lock, checked by their
bytes, stored encrypted under a name we choose (a citizen's file name never becomes a path)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.media import check_limits, megabytes, sniff
from sprechstunde_cli.domain.messages import MediaInfo
from sprechstunde_cli.domain.model import MessageKind, SessionRecord
from sprechstunde_cli.errors import ProviderError, StoreError
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.providers.base.events import InboundMessage, ReceiveBatch
from sprechstunde_cli.providers.base.media import MediaTooLarge
from sprechstunde_cli.render.sanitize import clean
from sprechstunde_cli.store import Store

if TYPE_CHECKING:
    from sprechstunde_cli.services.intake import IntakeReport


@dataclass(frozen=True)
class Fetched:
    """A citizen's file after its download: stored, or refused with a note for the body."""

    media: MediaInfo | None
    kind: MessageKind
    note: str  # appended to the body when a file was refused
    failed: ProviderError | None = None  # the download's error, if it failed
    too_large: bool = False  # over hour.max_media_mb: the citizen is told (texts.media_too_large)


def fetch_all(
    store: Store,
    provider: Provider,
    config: Config,
    session: SessionRecord,
    batch: ReceiveBatch,
    media_dir: Path,
    report: IntakeReport,
    retry_media: Callable[[str], bool],
    fetched: dict[str, Fetched],
) -> None:
    """Download the batch's new files into `fetched` before the write lock is taken; defer
    passing failures. On any error the caller `discard`s what `fetched` holds by then."""
    for event in batch.events:
        if not isinstance(event, InboundMessage) or event.media is None:
            continue
        # A batch may carry the same event twice: fetch (and fail) once.
        if event.provider_id in fetched or event.provider_id in report.deferred:
            continue
        if store.has_message(session.id, event.provider_id):
            continue
        attempt = _fetch(store, session.id, provider, config, event, media_dir, report)
        err = attempt.failed
        if err is not None and err.retryable and retry_media(event.provider_id):
            report.deferred.append(event.provider_id)
            report.retry_after = max(report.retry_after, err.retry_after)
            continue
        if err is not None:
            report.media_refused += 1
            report.problems.append(err.message)
        fetched[event.provider_id] = attempt


def discard(store: Store, session_id: str, fetched: dict[str, Fetched]) -> None:
    """Remove the files of a batch that was not stored: nothing refers to them, and the
    cursor did not move, so the next try fetches them again. A file whose message made it
    into the store after all (Ctrl-C just after the COMMIT) stays, as does any the store
    cannot tell about: an orphan file is better than a message without its photo."""
    for provider_id, got in fetched.items():
        if got.media is None or not got.media.path:
            continue
        try:
            if store.has_message(session_id, provider_id):
                continue
        except StoreError:
            continue
        Path(got.media.path).unlink(missing_ok=True)


def _fetch(
    store: Store,
    session_id: str,
    provider: Provider,
    config: Config,
    event: InboundMessage,
    media_dir: Path,
    report: IntakeReport,
) -> Fetched:
    ref = event.media
    assert ref is not None
    limit = config.hour.max_media_bytes
    if not provider.capabilities.download_media:
        return Fetched(None, event.kind, "[Datei nicht abrufbar]")
    try:
        data = provider.download_media(ref, limit)
    except MediaTooLarge as err:
        return Fetched(None, event.kind, _too_large_note(err.size), failed=err, too_large=True)
    except ProviderError as err:
        return Fetched(None, event.kind, "[Datei nicht übernommen]", failed=err)
    found = sniff(data, ref.mime)
    reason = check_limits(found, len(data), limit)
    if reason:
        report.media_refused += 1
        report.problems.append(reason)
        if len(data) > limit:  # a messenger that did not check the size itself
            return Fetched(None, found.kind, _too_large_note(len(data)), too_large=True)
        return Fetched(None, found.kind, "[Datei nicht übernommen]")
    # Our own random name: a citizen's file name never becomes a path.
    path = media_dir / f"{secrets.token_hex(8)}{found.extension}"
    store.write_media(session_id, path, data)
    duration = found.duration if found.duration is not None else ref.duration
    media = MediaInfo(
        mime=found.mime,
        size=len(data),
        width=found.width,
        height=found.height,
        duration=duration,
        path=str(path),
        name=display_name(ref.filename),
    )
    return Fetched(media, found.kind, "")


def _too_large_note(size: int | None) -> str:
    # Shown to the operator in the thread, in the unit of hour.max_media_mb.
    return f"[Datei zu groß ({megabytes(size)}), nicht übernommen]" if size else "[Datei zu groß]"


def display_name(given: str) -> str:
    """The citizen's file name for display only: its last part, cleaned, at most 120 chars.
    It never becomes a path (the file is stored under our own random name)."""
    last = given.replace("\\", "/").rsplit("/", 1)[-1]
    return clean(last, single_line=True, limit=120)
