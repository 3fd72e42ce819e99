"""A full run per channel through a real gateway on loopback and the fake Graph API: send
through gRPC, a signed status webhook arrives, the event stream shows it; an inbound webhook
arrives, StreamInboundMessages shows it with its content."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from omnirelay.v1 import content_pb2, identities_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel

from omnirelay.app import Gateway
from omnirelay.channels.meta.webhook import SIGNATURE_HEADER
from omnirelay.channels.signing import signature
from omnirelay.domain import status as st
from omnirelay.domain.clock import now_us
from omnirelay.store.watermarks import StatusUpTo
from tests.channels.fake_graph import PHONE_NUMBER_ID, TOKEN, FakeGraph, graph_error
from tests.conftest import Client, wait_for_status

APP_SECRET = "app-s3cret"
CUSTOMER = "+16315551234"
PAGE = "112233445566778"
PSID = "6783962451634371"


async def _whatsapp(client: Client, graph: FakeGraph) -> identities_pb2.ChannelIdentity:
    return await client.identities.CreateChannelIdentity(identities_pb2.CreateChannelIdentityRequest(
        channel_identity_id="wa", channel_identity=identities_pb2.ChannelIdentity(
            channel=Channel.CHANNEL_WHATSAPP, address="+15550001234", adapter="whatsapp",
            settings={"phone_number_id": PHONE_NUMBER_ID, "graph_base_url": graph.url, "throttle_retry_seconds": "0.05"},
            credentials={"access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": "verify-me"},
        ),
    ))


async def _messenger(client: Client, graph: FakeGraph) -> identities_pb2.ChannelIdentity:
    return await client.identities.CreateChannelIdentity(identities_pb2.CreateChannelIdentityRequest(
        channel_identity_id="fb", channel_identity=identities_pb2.ChannelIdentity(
            channel=Channel.CHANNEL_MESSENGER, address=PAGE, adapter="messenger", settings={"graph_base_url": graph.url},
            credentials={"page_access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": "verify-me"},
        ),
    ))


async def _send(client: Client, identity: str, recipient: str, text: str) -> messaging_pb2.Message:
    sent = await client.messaging.SendMessage(messaging_pb2.SendMessageRequest(
        identity=identity, recipient=recipient, content=content_pb2.Content(text=content_pb2.Text(body=text)),
    ))
    return await wait_for_status(client, sent.name, st.SENT)


async def _post(http: httpx.AsyncClient, url: str, payload: dict[str, Any]) -> int:
    body = json.dumps(payload).encode()
    answer = await http.post(url, content=body, headers={SIGNATURE_HEADER: signature(APP_SECRET, body), "content-type": "application/json"})
    return answer.status_code


async def _next_item(stream: Any, kind: str) -> Any:
    while True:
        item = await asyncio.wait_for(stream.read(), 5)
        if item.HasField(kind):
            return getattr(item, kind)


async def _status_events(client: Client, name: str, wanted: int) -> list[int]:
    stream = client.messaging.StreamMessageEvents(messaging_pb2.StreamMessageEventsRequest(start=messaging_pb2.StreamStart(oldest=True)))
    seen: list[int] = []
    while wanted not in seen:
        event = await _next_item(stream, "event")
        if event.message == name:
            seen.append(event.status)
    stream.cancel()
    return seen


def _whatsapp_change(value: dict[str, Any]) -> dict[str, Any]:
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550001234", "phone_number_id": PHONE_NUMBER_ID}, **value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}]}


async def _whatsapp_customer_writes(http: httpx.AsyncClient, identity: identities_pb2.ChannelIdentity, message_id: str) -> None:
    """A customer message: it opens the 24 h window for free-form replies."""
    text = {"from": "16315551234", "id": message_id, "timestamp": "1700000000", "type": "text", "text": {"body": "hi"}}
    assert await _post(http, identity.webhook_url, _whatsapp_change({"messages": [text]})) == 200


async def test_whatsapp_full_run(client: Client, fake_graph: FakeGraph, http: httpx.AsyncClient) -> None:
    identity = await _whatsapp(client, fake_graph)
    handshake = await http.get(identity.webhook_url, params={"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"})
    assert (handshake.status_code, handshake.text) == (200, "42")
    await _whatsapp_customer_writes(http, identity, "wamid.IN-0")

    fake_graph.fail_next(400, graph_error(130429, "(#130429) Rate limit hit"))  # slowed down, then sent
    message = await _send(client, "wa", CUSTOMER, "Your table is ready")
    assert message.attempts == 2
    [wamid] = message.provider_message_ids
    assert fake_graph.sends[-1].json["to"] == "16315551234"
    status = {"id": wamid, "status": "delivered", "timestamp": "1700000000", "recipient_id": "16315551234"}
    assert await _post(http, identity.webhook_url, _whatsapp_change({"statuses": [status]})) == 200
    assert await _status_events(client, message.name, st.DELIVERED) == [st.QUEUED, st.SENDING, st.SENT, st.DELIVERED]

    inbound = client.messaging.StreamInboundMessages(messaging_pb2.StreamInboundMessagesRequest())
    await _next_item(inbound, "checkpoint")
    image = {"from": "16315551234", "id": "wamid.IN-1", "timestamp": "1700000001", "type": "image",
             "context": {"from": "15550001234", "id": wamid}, "image": {"caption": "here", "mime_type": "image/jpeg", "sha256": "x", "id": "4444"}}
    assert await _post(http, identity.webhook_url, _whatsapp_change({"messages": [image]})) == 200
    received = (await _next_item(inbound, "inbound")).message
    inbound.cancel()
    assert (received.sender, received.reply_to, received.content.media.caption) == (CUSTOMER, wamid, "here")
    assert received.content.media.url.endswith("?mid=4444")

    # A reply naming the customer's message quotes it (WhatsApp's context) by its provider id.
    reply = await client.messaging.SendMessage(messaging_pb2.SendMessageRequest(
        identity="wa", recipient=CUSTOMER, reply_to=received.name, content=content_pb2.Content(text=content_pb2.Text(body="Thanks!")),
    ))
    await wait_for_status(client, reply.name, st.SENT)
    assert fake_graph.sends[-1].json["context"] == {"message_id": "wamid.IN-1"}


async def test_whatsapp_outside_the_window_fails_with_its_code(client: Client, fake_graph: FakeGraph, http: httpx.AsyncClient) -> None:
    # Open on our side, closed on Meta's (their clock, or a message we never saw): Meta's word wins.
    await _whatsapp_customer_writes(http, await _whatsapp(client, fake_graph), "wamid.IN-0")
    fake_graph.fail_next(400, graph_error(131047, "(#131047) Re-engagement message"))
    sent = await client.messaging.SendMessage(messaging_pb2.SendMessageRequest(
        identity="wa", recipient=CUSTOMER, content=content_pb2.Content(text=content_pb2.Text(body="late")),
    ))
    failed = await wait_for_status(client, sent.name, st.FAILED)
    assert (failed.status, failed.error.code, failed.error.provider_code) == (st.FAILED, "OUTSIDE_SESSION_WINDOW", "131047")


async def test_messenger_full_run_with_watermarks(gateway: Gateway, client: Client, fake_graph: FakeGraph, http: httpx.AsyncClient) -> None:
    identity = await _messenger(client, fake_graph)
    for customer in (PSID, "999"):  # each writes first, opening the 24 h window
        hello = {"object": "page", "entry": [{"id": PAGE, "time": 1, "messaging": [
            {"sender": {"id": customer}, "recipient": {"id": PAGE}, "timestamp": 1, "message": {"mid": f"m_hello_{customer}", "text": "hi"}}]}]}
        assert await _post(http, identity.webhook_url, hello) == 200
    first = await _send(client, "fb", PSID, "one")
    second = await _send(client, "fb", PSID, "two")
    other = await _send(client, "fb", "999", "someone else")

    # Nothing was sent before this: a re-run finds nothing to move.
    before = StatusUpTo(now_us(), "acme", "fb", PSID, st.READ, first.sent_time.ToMicroseconds() - 10_000_000)
    assert await gateway.writer.submit(before) == 0

    def event(body: dict[str, Any]) -> dict[str, Any]:
        entry = {"id": PAGE, "time": 1, "messaging": [{"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1, **body}]}
        return {"object": "page", "entry": [entry]}

    watermark_ms = int(time.time() * 1000)
    assert await _post(http, identity.webhook_url, event({"delivery": {"mids": [first.provider_message_ids[0]], "watermark": watermark_ms}})) == 200
    assert await _post(http, identity.webhook_url, event({"read": {"watermark": watermark_ms}})) == 200
    assert await _status_events(client, second.name, st.READ) == [st.QUEUED, st.SENDING, st.SENT, st.DELIVERED, st.READ]
    assert (await wait_for_status(client, first.name, st.READ)).status == st.READ
    assert (await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=other.name))).status == st.SENT

    inbound = client.messaging.StreamInboundMessages(messaging_pb2.StreamInboundMessagesRequest())
    await _next_item(inbound, "checkpoint")
    assert await _post(http, identity.webhook_url, event({"message": {"mid": "m_IN1", "text": "thanks!", "reply_to": {"mid": second.provider_message_ids[0]}}})) == 200
    received = (await _next_item(inbound, "inbound")).message
    inbound.cancel()
    assert (received.sender, received.content.text.body, received.reply_to) == (PSID, "thanks!", second.provider_message_ids[0])
