"""The purge's local steps: what to search for afterwards, and deleting everything here."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from sprechstunde_cli.domain.receipt import StoreResult
from sprechstunde_cli.services.purge.verify import needles_from
from sprechstunde_cli.store import Store, handoffs, outbox


def needles(store: Store, session_id: str) -> tuple[set[bytes], int]:
    """Every body and caption the session held, the citizens' display names, the office's
    texts never sent, the hand-offs' addresses, questions and notes, and a slice of every photo
    and voice note."""
    messages = store.messages(session_id)
    texts = [m.body for m in messages]
    texts += store.display_names(session_id)
    texts += outbox.queued_texts(store, session_id)  # failed or still queued at the purge
    texts += outbox.queued_file_names(store, session_id)
    for h in handoffs.of_session(store, session_id):
        texts += (h.email, h.question, h.note)
    blobs: list[bytes] = []
    names: list[str] = []
    for m in messages:
        if m.media is not None and m.media.name:
            texts.append(m.media.name)  # a document's name as the citizen (or office) gave it
        if m.media is not None and m.media.path:
            path = Path(m.media.path)
            names.append(path.name)
            try:
                blobs.append(store.read_media(session_id, path))
            except OSError:
                continue  # already gone: nothing to search for
    return needles_from([*texts, *names], blobs)


def figures(store: Store, session_id: str, session_dir: Path) -> dict[str, int]:
    """What is here before the local step deletes it; the caller records it first."""
    media = [Path(p) for p in store.media_paths(session_id)]
    temp = session_dir / "tmp"
    return {
        "media_files": len(media),
        "media_bytes": sum(p.stat().st_size for p in media if p.exists()),
        "temp_files": sum(1 for p in temp.rglob("*") if p.is_file()) if temp.exists() else 0,
        "key": int(store.keys.path(session_id).exists()),
    }


def delete_local(
    store: Store, session_id: str, session_dir: Path, recorded: Mapping[str, int]
) -> list[StoreResult]:
    """Rows, the session's folder (media, temp files), and the WAL; per place, what was done
    to what `recorded` (by `figures`, before the first try) says was there."""
    temp = session_dir / "tmp"
    store.delete_session_content(session_id)
    shutil.rmtree(session_dir, ignore_errors=True)
    store.checkpoint()  # raises on a busy checkpoint: a failure, not a success
    media = {"files": recorded["media_files"], "bytes": recorded["media_bytes"]}
    return [
        StoreResult("local database", True, {"rows": "deleted", "wal": "checkpointed (truncate)"}),
        StoreResult("media folder", not session_dir.exists(), media),
        StoreResult("temporary files", not temp.exists(), {"files": recorded["temp_files"]}),
    ]
