"""What `show`, `reply` and `followup --list` load of the messenger, delivery and hand-offs.

`show` and `reply` open the session's messenger (a read receipt, a send); neither receives,
deletes or sends a file, so neither creates the classes only those need (docs/ARCHITECTURE.md,
*Startup*).
`followup --list` only reads: it loads nothing of recording or delivering a hand-off.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from sprechstunde_cli.domain.handoffs import Consent
from sprechstunde_cli.store import Store, handoffs
from sprechstunde_cli.system.paths import resolve_paths
from tests.support.startup import loaded, open_session_with_threads, probe

# What every caller of a messenger needs (providers/base/__init__.py), the local messenger's
# settings, and the registry's entries: nothing else of providers/ is worth creating here.
COMMON = {
    "providers.base.Capabilities",
    "providers.base.Sent",
    "providers.base.ProviderContext",
    "providers.local.settings.LocalSettings",
    "providers.registry.ProviderEntry",
}
# Only receiving, deleting, sending a file, the purge or a sandbox citizen's phone need these.
NOT_FOR_ONE_THREAD = (
    "sprechstunde_cli.providers.base.events",
    "sprechstunde_cli.providers.base.media",
    "sprechstunde_cli.providers.base.deletion",
    "sprechstunde_cli.providers.local.events",
    "sprechstunde_cli.providers.local.phone",
    "sprechstunde_cli.domain.places",
    "sprechstunde_cli.services.delivery_progress",
    "sprechstunde_cli.store.outbox_sent",
    # The local messenger asks for no token: the credentials' readers (json, keyring) stay out.
    "sprechstunde_cli.system.credentials",
)
# The sending half of hand-offs and what only it needs (text.py would bring hashlib too).
SENDING_HANDOFFS = (
    "sprechstunde_cli.services.handoff.recording",
    "sprechstunde_cli.services.handoff.deliver",
    "sprechstunde_cli.services.handoff.text",
    "sprechstunde_cli.services.changes",
    "sprechstunde_cli.services.delivery",
    "sprechstunde_cli.store.outbox",
    "sprechstunde_cli.providers.base",
)


def _open_session_with_a_handoff(threads: int) -> None:
    session_id = open_session_with_threads(threads)
    store = Store.open(resolve_paths().store_file)
    try:
        start = store.require_session(session_id).planned_start
        with store.write() as conn:
            handoffs.insert(
                store,
                conn,
                session_id,
                thread=1,
                department="Grünflächenamt",
                email="frieda@example.org",
                question="Frage 0 zur Schaukel im Park",
                note="",
                consent=Consent.OPERATOR,
                operator="test",
                now=start + timedelta(minutes=5),
            )
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "said"),
    [(("show", "2"), "Frage 1 zur Schaukel"), (("reply", "2", "Danke!"), "Sent to thread 2.")],
)
def test_one_thread_creates_only_the_messengers_common_classes(
    tmp_path: Path, config_file: Path, args: tuple[str, ...], said: str
) -> None:
    _open_session_with_a_handoff(3)
    run = probe(tmp_path, *args)  # the probe's stdout is a pipe
    assert run.exit == 0, run.stderr
    assert said in run.stdout
    assert "sprechstunde_cli.providers.local.provider" in run.modules  # it did open the messenger
    made = {name for name in run.dataclasses if name.startswith("providers.")}
    assert "providers.base.Capabilities" in made
    assert made <= COMMON, sorted(made - COMMON)
    assert loaded(run, *NOT_FOR_ONE_THREAD) == []


def test_listing_handoffs_loads_nothing_that_records_or_delivers_them(
    tmp_path: Path, config_file: Path
) -> None:
    _open_session_with_a_handoff(3)
    run = probe(tmp_path, "followup", "--list")
    assert run.exit == 0, run.stderr
    assert "f•••@example.org" in run.stdout  # the listing itself ran, address masked
    assert "1 outstanding" in run.stdout
    assert "sprechstunde_cli.services.handoff" in run.modules
    assert loaded(run, *SENDING_HANDOFFS) == []
