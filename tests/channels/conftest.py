from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.channels.fake_graph import FakeGraph


@pytest.fixture
async def fake_graph() -> AsyncIterator[FakeGraph]:
    graph = FakeGraph()
    await graph.start()
    try:
        yield graph
    finally:
        await graph.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client
