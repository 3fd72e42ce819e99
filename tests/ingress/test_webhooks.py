"""The webhook ingress on loopback, through the sandbox adapter's signed JSON callbacks: verify,
parse, store, then answer; refuse what is unsigned, malformed, oversized or unknown."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from omnirelay.v1 import content_pb2, identities_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel

from omnirelay.app import Gateway
from omnirelay.channels.sandbox.webhook import SIGNATURE_HEADER
from omnirelay.channels.signing import signature
from omnirelay.domain import status as st
from tests.conftest import Client, wait_for_status

SECRET = "s3cret"


@pytest.fixture
async def identity(client: Client) -> identities_pb2.ChannelIdentity:
    return await client.identities.CreateChannelIdentity(identities_pb2.CreateChannelIdentityRequest(
        channel_identity_id="sms",
        channel_identity=identities_pb2.ChannelIdentity(
            channel=Channel.CHANNEL_SMS, address="+15551230000", adapter="sandbox",
            credentials={"webhook_secret": SECRET}, settings={"delivered_delay_ms": "600000"},
        ),
    ))


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def _signed(payload: object, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {SIGNATURE_HEADER: signature(secret, body), "content-type": "application/json"}


async def _inbound(client: Client) -> list[messaging_pb2.Message]:
    listed = await client.messaging.ListMessages(messaging_pb2.ListMessagesRequest(filter='direction = "INBOUND"'))
    return list(listed.messages)


async def test_identity_shows_its_webhook_url(gateway: Gateway, identity: identities_pb2.ChannelIdentity) -> None:
    assert identity.webhook_url == f"http://127.0.0.1:{gateway.webhooks.port}/webhooks/acme/sms"


async def test_signed_inbound_is_stored_once_and_streamed(client: Client, identity: identities_pb2.ChannelIdentity, http: httpx.AsyncClient) -> None:
    stream = client.messaging.StreamInboundMessages(messaging_pb2.StreamInboundMessagesRequest(start=messaging_pb2.StreamStart(oldest=True)))
    body, headers = _signed({"inbound": [{"id": "mo-1", "from": "+15557654321", "text": "hello"}]})
    for _ in range(2):  # the provider retries: stored once
        answer = await http.post(identity.webhook_url, content=body, headers=headers)
        assert answer.status_code == 200
    [message] = await _inbound(client)
    assert (message.sender, message.content.text.body, list(message.provider_message_ids)) == ("+15557654321", "hello", ["mo-1"])
    item = await asyncio.wait_for(stream.read(), 5)
    while item.HasField("checkpoint"):
        item = await asyncio.wait_for(stream.read(), 5)
    assert item.inbound.message.name == message.name
    stream.cancel()


async def test_signed_status_moves_the_message(client: Client, identity: identities_pb2.ChannelIdentity, http: httpx.AsyncClient) -> None:
    sent = await client.messaging.SendMessage(messaging_pb2.SendMessageRequest(
        identity="sms", recipient="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body="hi")),
    ))
    message = await wait_for_status(client, sent.name, st.SENT)
    [provider_id] = message.provider_message_ids
    body, headers = _signed({"statuses": [{"id": provider_id, "status": "undelivered", "code": "30003"}]})
    assert (await http.post(identity.webhook_url, content=body, headers=headers)).status_code == 200
    message = await wait_for_status(client, sent.name, st.UNDELIVERED)
    assert (message.status, message.error.provider_code) == (st.UNDELIVERED, "30003")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 403),
        ({SIGNATURE_HEADER: "sha256=" + "0" * 64}, 403),
        ({SIGNATURE_HEADER: signature("another-secret", b"x")}, 403),
    ],
    ids=["missing-signature", "wrong-signature", "signed-with-another-secret"],
)
async def test_badly_signed_callbacks_are_refused_and_nothing_is_stored(
    client: Client, identity: identities_pb2.ChannelIdentity, http: httpx.AsyncClient, headers: dict[str, str], status: int,
) -> None:
    body = json.dumps({"inbound": [{"id": "mo-1", "from": "+15557654321", "text": "hello"}]}).encode()
    answer = await http.post(identity.webhook_url, content=body, headers=headers)
    assert answer.status_code == status
    assert await _inbound(client) == []


async def test_malformed_body_gets_400_without_a_stack_trace(client: Client, identity: identities_pb2.ChannelIdentity, http: httpx.AsyncClient) -> None:
    for payload in (b"{not json", json.dumps({"inbound": [{"text": "no sender"}]}).encode(), json.dumps({"statuses": [{"id": "x", "status": "bogus"}]}).encode()):
        answer = await http.post(identity.webhook_url, content=payload, headers={SIGNATURE_HEADER: signature(SECRET, payload)})
        assert answer.status_code == 400
        assert "Traceback" not in answer.text
    assert await _inbound(client) == []


@pytest.mark.settings(webhook_max_body_bytes=1024)
async def test_oversized_body_gets_413(client: Client, identity: identities_pb2.ChannelIdentity, http: httpx.AsyncClient) -> None:
    body, headers = _signed({"inbound": [{"id": "mo-1", "from": "+15557654321", "text": "x" * 2000}]})
    assert (await http.post(identity.webhook_url, content=body, headers=headers)).status_code == 413
    assert await _inbound(client) == []


async def test_unknown_identity_and_wrong_method(gateway: Gateway, identity: identities_pb2.ChannelIdentity, http: httpx.AsyncClient) -> None:
    base = f"http://127.0.0.1:{gateway.webhooks.port}"
    assert (await http.post(f"{base}/webhooks/acme/nobody", content=b"{}")).status_code == 404
    assert (await http.post(f"{base}/webhooks/other-account/sms", content=b"{}")).status_code == 404
    assert (await http.get(identity.webhook_url)).status_code == 405
