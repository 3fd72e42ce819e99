"""An SMSC simulator per test, and an SMPP identity bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from omnirelay.v1 import content_pb2, identities_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel

from omnirelay.channels.smpp.simulator import SmscScript, SmscSimulator
from tests.conftest import Client

SENDER = "+15551230000"
RECIPIENT = "+15557654321"
RECEIPT_DELAY = 0.5


@pytest.fixture
def script(request: pytest.FixtureRequest) -> SmscScript:
    """Override per test with `@pytest.mark.smsc(field=value, ...)` (SmscScript fields)."""
    marker = request.node.get_closest_marker("smsc")
    # Receipts wait until the dispatcher has surely stored the submit_sm_resp id: only the
    # receipt-before-response test races them (the store parks such reports).
    return SmscScript(**{"receipt_delay": RECEIPT_DELAY, **(marker.kwargs if marker else {})})


@pytest.fixture
async def smsc(script: SmscScript) -> AsyncIterator[SmscSimulator]:
    simulator = await SmscSimulator(script).start()
    try:
        yield simulator
    finally:
        await simulator.stop()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "smsc(**kw): the SmscScript of the test's SMSC simulator")


async def create_smpp_identity(client: Client, smsc: SmscSimulator, identity_id: str = "smpp", password: str = "secret", **settings: str) -> identities_pb2.ChannelIdentity:
    return await client.identities.CreateChannelIdentity(
        identities_pb2.CreateChannelIdentityRequest(
            channel_identity_id=identity_id,
            channel_identity=identities_pb2.ChannelIdentity(
                channel=Channel.CHANNEL_SMS, address=SENDER, adapter="smpp",
                settings={"host": "127.0.0.1", "port": str(smsc.port), "system_id": "omnirelay",
                          "enquire_link_seconds": "5", "response_timeout_seconds": "2", **settings},
                credentials={"password": password},
            ),
        )
    )


def send(body: str = "hello", identity: str = "smpp", recipient: str = RECIPIENT, **kw: object) -> messaging_pb2.SendMessageRequest:
    return messaging_pb2.SendMessageRequest(identity=identity, recipient=recipient, content=content_pb2.Content(text=content_pb2.Text(body=body)), **kw)
