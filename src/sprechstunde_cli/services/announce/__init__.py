"""Announce sessions publicly (a messenger's status or channel, Mastodon, an e-mail list, files).

`items.py` says what is announced and with which text, `post.py` posts what is due exactly once,
`run.py` wires the targets for one `announce` run.
"""

from sprechstunde_cli.services.announce.items import (
    AnnounceReport,
    Item,
    Outcome,
    Target,
    TargetSource,
    candidates,
    items,
    states,
    text_for,
)
from sprechstunde_cli.services.announce.post import run_due, send_now

__all__ = [
    "AnnounceReport",
    "Item",
    "Outcome",
    "Target",
    "TargetSource",
    "candidates",
    "items",
    "run_due",
    "send_now",
    "states",
    "text_for",
]
