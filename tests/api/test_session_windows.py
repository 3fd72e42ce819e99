"""Customer service windows: opened by inbound messages, closed 24 hours later (moved clock)."""

from __future__ import annotations

import grpc
import pytest
from omnirelay.v1 import content_pb2, messaging_pb2, sandbox_pb2, sessions_pb2
from omnirelay.v1.common_pb2 import Channel

from omnirelay.domain import status as st
from omnirelay.store.schema import messages
from tests.api.test_messages import count_rows
from tests.conftest import create_identity, fails, wait_for_status

CONTACT = "+15557654321"
DAY = 24 * 3600


def text(body: str = "hello") -> content_pb2.Content:
    return content_pb2.Content(text=content_pb2.Text(body=body))


def template() -> content_pb2.Content:
    return content_pb2.Content(template=content_pb2.Template(name="order_update", language="en_US"))


async def whatsapp(client, identity_id: str = "wa", address: str = "+15551230001"):  # type: ignore[no-untyped-def]
    return await create_identity(client, identity_id, Channel.CHANNEL_WHATSAPP, address)


def send(identity: str = "wa", recipient: str = CONTACT, content: content_pb2.Content | None = None, **kw: object) -> messaging_pb2.SendMessageRequest:
    return messaging_pb2.SendMessageRequest(identity=identity, recipient=recipient, content=content or text(), **kw)


async def inbound(client, identity: str = "wa", sender: str = CONTACT) -> messaging_pb2.Message:  # type: ignore[no-untyped-def]
    return await client.sandbox.InjectInboundMessage(sandbox_pb2.InjectInboundMessageRequest(identity=identity, sender=sender, content=text("hi")))


async def window(client, identity: str = "wa", contact: str = CONTACT) -> sessions_pb2.SessionWindow:  # type: ignore[no-untyped-def]
    return await client.sessions.GetSessionWindow(sessions_pb2.GetSessionWindowRequest(identity=identity, contact=contact))


async def test_whatsapp_window_opens_with_an_inbound_message_and_closes_after_24_hours(gateway, client, clock):  # type: ignore[no-untyped-def]
    await whatsapp(client)
    closed = await fails(client.messaging.SendMessage(send()))
    assert (closed.code, closed.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "OUTSIDE_SESSION_WINDOW")
    assert await count_rows(gateway, messages) == 0
    before = await window(client)
    assert (before.window_applies, before.open, before.HasField("last_inbound_time")) == (True, False, False)

    received = await inbound(client)
    opened = await window(client)
    assert (opened.identity, opened.contact, opened.channel) == ("accounts/acme/identities/wa", CONTACT, Channel.CHANNEL_WHATSAPP)
    assert opened.open
    assert opened.last_inbound_time == received.receive_time
    assert opened.expire_time.ToMicroseconds() == received.receive_time.ToMicroseconds() + DAY * 1_000_000
    sent = await client.messaging.SendMessage(send())
    assert (await wait_for_status(client, sent.name, st.READ)).status == st.READ

    clock.advance(DAY - 1)
    assert (await client.messaging.SendMessage(send())).status == st.QUEUED
    clock.advance(2)
    late = await fails(client.messaging.SendMessage(send()))
    assert (late.code, late.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "OUTSIDE_SESSION_WINDOW")
    assert late.metadata["expire_time"] == opened.expire_time.ToJsonString()
    assert not (await window(client)).open
    # A template may always go out; a new inbound message opens the window again.
    assert (await client.messaging.SendMessage(send(content=template()))).status == st.QUEUED
    await inbound(client)
    assert (await window(client)).open
    assert (await client.messaging.SendMessage(send())).status == st.QUEUED


async def test_window_is_per_identity_and_contact(client):  # type: ignore[no-untyped-def]
    await whatsapp(client)
    await whatsapp(client, "wa2", "+15551230002")
    await inbound(client)
    assert (await client.messaging.SendMessage(send())).status == st.QUEUED
    for request in (send(identity="wa2"), send(recipient="+15557650000")):
        error = await fails(client.messaging.SendMessage(request))
        assert error.reason == "OUTSIDE_SESSION_WINDOW"


async def test_messenger_needs_a_tag_outside_the_window(client, clock):  # type: ignore[no-untyped-def]
    await create_identity(client, "fb", Channel.CHANNEL_MESSENGER, "page-1")
    psid = "6543210987654321"
    error = await fails(client.messaging.SendMessage(send("fb", psid)))
    assert (error.code, error.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "OUTSIDE_SESSION_WINDOW")
    tagged = content_pb2.ChannelOptions(messenger=content_pb2.MessengerOptions(tag="ACCOUNT_UPDATE"))
    assert (await client.messaging.SendMessage(send("fb", psid, options=tagged))).status == st.QUEUED
    await inbound(client, "fb", psid)
    assert (await client.messaging.SendMessage(send("fb", psid))).status == st.QUEUED
    clock.advance(DAY + 1)
    assert (await fails(client.messaging.SendMessage(send("fb", psid)))).reason == "OUTSIDE_SESSION_WINDOW"


async def test_channels_without_a_window_are_always_open(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sms = await window(client, "sms")
    assert (sms.window_applies, sms.open) == (False, True)
    assert (await client.messaging.SendMessage(send("sms"))).status == st.QUEUED


@pytest.mark.settings(dispatch=False)
async def test_window_closed_before_hand_over_fails_the_message(gateway, client, clock):  # type: ignore[no-untyped-def]
    await whatsapp(client)
    await inbound(client)
    sent = await client.messaging.SendMessage(send())
    clock.advance(DAY + 1)
    gateway.dispatcher.start()
    done = await wait_for_status(client, sent.name, st.FAILED)
    assert (done.status, done.error.code, done.attempts) == (st.FAILED, "OUTSIDE_SESSION_WINDOW", 1)
    assert not done.provider_message_ids


@pytest.mark.parametrize(
    ("identity", "contact", "code", "field"),
    [
        ("", CONTACT, grpc.StatusCode.INVALID_ARGUMENT, "identity"),
        ("wa", "", grpc.StatusCode.INVALID_ARGUMENT, "contact"),
        ("wa", "not-a-number", grpc.StatusCode.INVALID_ARGUMENT, "contact"),
        ("nope", CONTACT, grpc.StatusCode.NOT_FOUND, None),
    ],
    ids=["no-identity", "no-contact", "bad-contact", "unknown-identity"],
)
async def test_get_session_window_checks_its_input(client, identity, contact, code, field):  # type: ignore[no-untyped-def]
    await whatsapp(client)
    error = await fails(window(client, identity, contact))
    assert error.code == code
    assert error.fields == ([field] if field else [])
