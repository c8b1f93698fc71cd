"""Fixtures for the Matrix tests: one real Synapse per test session, fresh accounts per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from sprechstunde_cli.providers.matrix.client import MatrixApi
from sprechstunde_cli.providers.matrix.provider import MatrixProvider
from sprechstunde_cli.providers.matrix.settings import MatrixSettings
from tests.support.synapse import MISSING_REASON, Account, Synapse, synapse_python, unique


def require_synapse() -> Path:
    """The Synapse interpreter; like `needs()`: skipped on a dev box, required in CI."""
    python = synapse_python()
    if python is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING_REASON)
        pytest.skip(MISSING_REASON)
    return python


@pytest.fixture(scope="session")
def synapse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    server = Synapse(tmp_path_factory.mktemp("synapse"), require_synapse()).start()
    yield server
    server.stop()


@pytest.fixture
def office(synapse_server: Synapse) -> Account:
    """A fresh office account that is no server admin."""
    return synapse_server.register(unique("office"), name="Bürgerbüro")


MakeProvider = Callable[..., MatrixProvider]


@pytest.fixture
def make_provider(synapse_server: Synapse) -> Iterator[MakeProvider]:
    """Build providers on the test's Synapse; every one is closed after the test."""
    made: list[MatrixProvider] = []

    def make(
        account: Account,
        *,
        server: Synapse | None = None,
        timeline_limit: int = 50,
        **settings: object,
    ) -> MatrixProvider:
        target = server or synapse_server
        client = httpx.Client(
            base_url=target.url, headers={"Authorization": f"Bearer {account.access_token}"}
        )
        parsed = MatrixSettings(
            homeserver=target.url,
            user_id=account.user_id,
            device_id=account.device_id,
            **settings,  # type: ignore[arg-type]
        )
        provider = MatrixProvider(parsed, MatrixApi(client), timeline_limit=timeline_limit)
        made.append(provider)
        return provider

    yield make
    for provider in made:
        provider.close()
