"""The recording sink the dispatcher processes of these tests send to."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.outbox.worker import Sink


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    server = Sink()
    await server.start()
    yield server
    await server.stop()
