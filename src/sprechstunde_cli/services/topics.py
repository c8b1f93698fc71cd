"""`tag`: count a thread under a topic of the config's list, for the press release."""

from __future__ import annotations

from sprechstunde_cli.config import Config
from sprechstunde_cli.domain.model import SessionRecord
from sprechstunde_cli.errors import InputError
from sprechstunde_cli.i18n import _
from sprechstunde_cli.store import Store, topics


def tag(
    store: Store, config: Config, session: SessionRecord, number: int, topic: str
) -> tuple[str, bool]:
    """The topic as the config spells it, and whether the thread was newly counted under it.
    InputError for a topic not in hour.topics; NotFoundError for a thread that does not exist."""
    allowed = config.hour.topics
    wanted = topic.strip().casefold()
    found = next((t for t in allowed if t.casefold() == wanted), None)
    if found is None:
        raise InputError(
            _("'{topic}' is not one of the topics (allowed: {allowed}).").format(
                topic=topic.strip(), allowed=", ".join(allowed)
            ),
            _("Pick one of the allowed topics, or add it to hour.topics in the config."),
        )
    store.thread(session.id, number)  # NotFoundError for a thread that does not exist
    return found, topics.tag(store, session.id, number, found)
