"""One `announce` run: build the targets, post what is due (or one by hand), publish the files."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sprechstunde_cli.adapters.smtp import Mailer
from sprechstunde_cli.adapters.targets import TargetFactory
from sprechstunde_cli.config import Config
from sprechstunde_cli.providers.base import Provider
from sprechstunde_cli.services.announce.items import AnnounceReport
from sprechstunde_cli.services.announce.post import run_due, send_now
from sprechstunde_cli.services.plan import FileResult, publish_files
from sprechstunde_cli.store import Store
from sprechstunde_cli.system.credentials import Secret

if TYPE_CHECKING:
    from sprechstunde_cli.providers.base import Transport


def announce(
    store: Store,
    config: Config,
    now: datetime,
    *,
    open_provider: Callable[[str], Provider],
    open_mailer: Callable[[], Mailer | None],
    mastodon_token: Callable[[], Secret],
    transport: Transport | None,
    actor: str,
    by_hand: tuple[str, str, str | None] | None = None,
) -> tuple[AnnounceReport, list[FileResult]]:
    """`--due` (by_hand None), or post (session, offset, only-target) right away; the files
    are rewritten on a `--due` run only."""
    factory = TargetFactory(
        config.announce,
        open_provider=open_provider,
        open_mailer=open_mailer,
        mastodon_token=mastodon_token,
        transport=transport,
    )
    # Who holds a ledger claim: unique per run, even for two runs in one process.
    owner = f"{os.getpid()}-{secrets.token_hex(4)}"
    try:
        if by_hand is not None:
            session, offset, only = by_hand
            report = send_now(
                store, config, session, offset, now, factory, owner=owner, actor=actor, only=only
            )
            return report, []
        report = run_due(store, config, now, factory, owner=owner, actor=actor)
    finally:
        factory.close()
    return report, publish_files(store, config, now)
