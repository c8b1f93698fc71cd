"""The provider contract against the WAHA provider and the fake WAHA, for every engine."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from sprechstunde_cli.errors import ProviderError
from sprechstunde_cli.providers.base import DeleteReach
from sprechstunde_cli.providers.base.events import InboundMessage
from tests.support.contract import PNG, ProviderContract, ProviderEnv, collect, first_contact
from tests.support.waha_rig import ENGINES, WahaCitizens, waha_rig


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TestWahaContract(ProviderContract):
    @pytest.fixture
    def env(self, engine: str) -> Iterator[ProviderEnv]:
        with waha_rig(engine) as rig:
            yield ProviderEnv(rig.provider(), WahaCitizens(rig.fake), rig.provider, settle=3.0)

    def test_delete_leaves_what_the_citizen_sent_on_their_phone(self, env: ProviderEnv) -> None:
        """On WhatsApp the office's own replies are revoked (gone on both sides) within the
        revoke window; what the citizen sent stays on their phone — the receipt says so."""
        citizens = env.citizen
        assert isinstance(citizens, WahaCitizens)
        chat, cursor = first_contact(env, "anna")
        citizens.send_text("anna", "Meine Adresse ist Musterweg 1")
        citizens.send_image("anna", PNG, "Foto")
        events, cursor, _ = collect(env.provider, cursor, {chat}, 2, env.settle)
        reply = env.provider.send_text(chat, "Wir kümmern uns.", key="contract-delete-1")
        assert "Wir kümmern uns." in citizens.phone("anna")
        ids = [e.provider_id for e in events] + [reply.provider_id]
        assert env.provider.remaining(chat, ids) == frozenset(ids)
        caps = env.provider.capabilities
        assert (caps.delete_reach, caps.revoke_own) == (DeleteReach.OPERATOR_SIDE, True)

        outcome = env.provider.delete_messages(chat, ids)
        assert (outcome.requested, outcome.confirmed, outcome.failures) == (3, 3, ())
        assert env.provider.remaining(chat, ids) == frozenset()
        image = events[1]
        assert isinstance(image, InboundMessage)
        assert image.media is not None
        with pytest.raises(ProviderError):
            env.provider.download_media(image.media, max_bytes=len(PNG))
        # The reply is revoked on the citizen's phone; what the citizen sent stays there.
        assert "Wir kümmern uns." not in citizens.phone("anna")
        assert citizens.fake.phone_own("anna") == [
            "Guten Tag, hier anna",
            "Meine Adresse ist Musterweg 1",
            "Foto",
        ]
        again = env.provider.delete_messages(chat, ids)
        assert (again.requested, again.confirmed) == (3, 3)
        time.sleep(0.1)
        later = env.provider.receive(cursor, wait=0.2)
        assert [e for e in later.events if e.chat == chat] == []
        # Gone for the office too; WEBJS and NOWEB keep a revoked stub under the reply's id.
        stubs = {
            i for i in citizens.fake.office_ids() & set(ids) if citizens.fake.office[i].revoked
        }
        assert citizens.fake.office_ids() & set(ids) == stubs
        assert len(stubs) == (1 if "revoked.listed" in citizens.fake.quirks else 0)
