"""A citizen's messages filed again under their @lid on the fake WAHA, as an engine's store does
once WhatsApp addresses the person by their hidden id.

Every engine names a message `{fromMe}_{chat}_{key}` with the chat as its store files it then
(devlikeapro/waha: GOWS `buildMessageId` from `Info.Chat`, NOWEB `buildMessageId` from
`key.remoteJid`, WEBJS/WPP whatsapp-web.js's `id._serialized`); the key is WhatsApp's own id of
the message, the same under either name. Whether an engine then lists the message only under
the @lid (`moved`) or under both ids (`copied`, a store that keeps one row per chat) is not
documented, so both are modelled; the provider must take the message in once either way.
"""

from __future__ import annotations

import dataclasses

from tests.support.fakes.waha import FakeWaha, Msg

WAYS = ("moved", "copied")


def refile_under_lid(fake: FakeWaha, handle: str, way: str) -> list[Msg]:
    """The citizen's messages (not the office's) now listed under their @lid; WAHA knows that
    @lid belongs to their number (`/lids` answers). Returns the messages as filed now."""
    assert way in WAYS
    with fake.lock:
        who = fake.citizen(handle)
        who.lid_known, who.writes_as = True, "lid"
        refiled = []
        for msg in [m for m in fake.office.values() if m.chat == who.pn and not m.from_me]:
            again = dataclasses.replace(msg, chat=who.lid)
            if way == "moved":
                del fake.office[msg.id]
            fake.office[again.id] = again
            refiled.append(again)
        fake.chats.add(who.lid)
        return refiled
