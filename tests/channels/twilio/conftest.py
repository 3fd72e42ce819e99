"""Fixtures of the Twilio adapter tests: the fake provider, and a port that refuses connections."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.fakes.twilio import FakeTwilio

API_KEY = ("SK" + "9" * 32, "api-key-secret")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    fake = await FakeTwilio(api_key=API_KEY).start()
    yield fake
    await fake.stop()


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A port nothing listens on (bound, so nobody else takes it meanwhile): connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
