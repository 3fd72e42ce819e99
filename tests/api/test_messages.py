"""SendMessage, GetMessage, ListMessages, CancelMessage through a real server."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from omnirelay.v1 import content_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel, Direction, SmsEncoding
from sqlalchemy import func, select

from omnirelay.domain import status as st
from omnirelay.domain.clock import now_us
from omnirelay.store.schema import events, messages
from tests.conftest import create_identity, fails, wait_for_status


def text(body: str) -> content_pb2.Content:
    return content_pb2.Content(text=content_pb2.Text(body=body))


def send(recipient: str = "+15557654321", body: str = "hello", **kw: object) -> messaging_pb2.SendMessageRequest:
    return messaging_pb2.SendMessageRequest(identity="sms", recipient=recipient, content=text(body), **kw)


async def count_rows(gateway, table) -> int:  # type: ignore[no-untyped-def]
    return await gateway.db.read(lambda conn: conn.execute(select(func.count()).select_from(table)).scalar_one())


async def test_send_is_stored_before_the_reply_and_reads_back(gateway, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send(body="Grüße € {x}", metadata={"order": "42"}))
    assert sent.name.startswith("accounts/acme/messages/")
    assert sent.status == st.QUEUED
    assert sent.identity == "accounts/acme/identities/sms"
    assert (sent.channel, sent.direction, sent.sender) == (Channel.CHANNEL_SMS, Direction.DIRECTION_OUTBOUND, "+15551230000")
    assert sent.sms_encoding == SmsEncoding.SMS_ENCODING_GSM7
    assert sent.segment_count == 1
    stored = await gateway.db.read(lambda conn: conn.execute(select(messages.c.id).where(messages.c.id == sent.name.rsplit("/", 1)[-1])).scalar())
    assert stored is not None
    got = await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=sent.name))
    assert got.content.text.body == "Grüße € {x}"
    assert dict(got.metadata) == {"order": "42"}


async def test_ucs2_text_reports_encoding_and_segments(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send(body="Привет" * 12))  # 72 UCS-2 units: 2 parts of 67
    assert (sent.sms_encoding, sent.segment_count) == (SmsEncoding.SMS_ENCODING_UCS2, 2)


async def test_sandbox_lifecycle_reaches_read_with_times(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send())
    done = await wait_for_status(client, sent.name, st.READ)
    assert done.status == st.READ
    assert done.attempts == 1
    assert done.provider_message_ids[0].startswith("sbx-")
    assert done.create_time.ToMicroseconds() <= done.sent_time.ToMicroseconds() <= done.delivered_time.ToMicroseconds() <= done.read_time.ToMicroseconds()


@pytest.mark.parametrize(
    ("recipient", "final", "code", "provider_code", "attempts"),
    [
        ("+15005550001", st.FAILED, "RECIPIENT_INVALID", "21211", 1),
        ("+15005550002", st.READ, "", "", 2),
        ("+15005550004", st.UNDELIVERED, "UNDELIVERABLE", "30003", 1),
    ],
    ids=["permanent-failure", "transient-then-sent", "undelivered"],
)
async def test_sandbox_scripted_recipients(client, recipient, final, code, provider_code, attempts):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send(recipient=recipient))
    done = await wait_for_status(client, sent.name, final)
    assert done.status == final
    assert done.error.code == code
    assert done.error.provider_code == provider_code
    assert done.attempts == attempts


async def test_sandbox_silent_recipient_stays_sent(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send(recipient="+15005550003"))
    assert (await wait_for_status(client, sent.name, st.SENT)).status == st.SENT
    await asyncio.sleep(0.3)  # longer than the sandbox's read delay: no report comes
    assert (await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=sent.name))).status == st.SENT


@pytest.mark.settings(dispatch_claim_interval_ms=400)
async def test_claims_are_spaced_by_the_claim_interval(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    first = await wait_for_status(client, (await client.messaging.SendMessage(send())).name, st.READ)
    # Due at once (the first's READ came 60 ms after it was sent), but claimed only 400 ms
    # after the claim that took the first, which began after the first was stored.
    second = await wait_for_status(client, (await client.messaging.SendMessage(send())).name, st.READ)
    gap_us = second.sent_time.ToMicroseconds() - first.create_time.ToMicroseconds()
    assert gap_us >= 400_000, gap_us


@pytest.mark.settings(max_attempts=1)
async def test_transient_errors_past_max_attempts_fail_the_message(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send(recipient="+15005550002"))
    done = await wait_for_status(client, sent.name, st.FAILED)
    assert (done.status, done.error.code, done.error.permanent) == (st.FAILED, "RETRIES_EXHAUSTED", False)


@pytest.mark.settings(dispatch=False)
async def test_expired_message_is_never_sent(gateway, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    expire = Timestamp()
    expire.FromMicroseconds(now_us() + 200_000)
    sent = await client.messaging.SendMessage(send(expire_time=expire))
    await asyncio.sleep(0.3)
    gateway.dispatcher.start()
    done = await wait_for_status(client, sent.name, st.EXPIRED)
    assert (done.status, done.error.code) == (st.EXPIRED, "EXPIRED")
    assert not done.provider_message_ids


async def test_request_id_makes_send_idempotent(gateway, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    first = await client.messaging.SendMessage(send(request_id="r-1"))
    again = await client.messaging.SendMessage(send(request_id="r-1"))
    assert again.name == first.name
    # Concurrent repeats (one group commit) still make one message.
    repeats = await asyncio.gather(*(client.messaging.SendMessage(send(request_id="r-2")) for _ in range(10)))
    assert len({m.name for m in repeats}) == 1
    reused = await fails(client.messaging.SendMessage(send(body="other", request_id="r-1")))
    assert (reused.code, reused.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "REQUEST_ID_REUSED")
    assert reused.metadata["message"] == first.name
    assert await count_rows(gateway, messages) == 2


@pytest.mark.parametrize(
    ("request_kwargs", "field"),
    [
        ({"recipient": "not-a-number"}, "recipient"),
        ({"identity": ""}, "identity"),
        ({"content": content_pb2.Content()}, "content"),
        ({"content": content_pb2.Content(media=content_pb2.Media(kind=content_pb2.MediaKind.MEDIA_KIND_IMAGE, url="ftp://x/y.png"))}, "content.media.url"),
        ({"request_id": "x" * 129}, "request_id"),
    ],
    ids=["recipient", "identity", "empty-content", "media-url", "request-id"],
)
async def test_invalid_send_names_the_field_and_stores_nothing(gateway, client, request_kwargs, field):  # type: ignore[no-untyped-def]
    await create_identity(client)
    request = send()
    for key, value in request_kwargs.items():
        if isinstance(value, str):
            setattr(request, key, value)
        else:
            getattr(request, key).CopyFrom(value)
    error = await fails(client.messaging.SendMessage(request))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "INVALID_FIELD"
    assert field in error.fields
    assert await count_rows(gateway, messages) == 0
    assert await count_rows(gateway, events) == 0


async def test_unknown_identity_is_not_found(client):  # type: ignore[no-untyped-def]
    error = await fails(client.messaging.SendMessage(send()))
    assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "IDENTITY_NOT_FOUND")


@pytest.mark.settings(dispatch=False)
async def test_cancel_only_while_queued(gateway, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send())
    canceled = await client.messaging.CancelMessage(messaging_pb2.CancelMessageRequest(name=sent.name))
    assert canceled.status == st.CANCELED
    again = await fails(client.messaging.CancelMessage(messaging_pb2.CancelMessageRequest(name=sent.name)))
    assert (again.code, again.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "NOT_CANCELABLE")
    gateway.dispatcher.start()
    other = await client.messaging.SendMessage(send())
    await wait_for_status(client, other.name, st.READ)
    late = await fails(client.messaging.CancelMessage(messaging_pb2.CancelMessageRequest(name=other.name)))
    assert late.reason == "NOT_CANCELABLE"
    # The canceled one was never handed over.
    assert (await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=sent.name))).attempts == 0


@pytest.mark.settings(dispatch=False)
async def test_list_pages_newest_first_without_gaps(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    names = [(await client.messaging.SendMessage(send(body=f"m{i}"))).name for i in range(7)]
    seen, token, pages = [], "", 0
    while True:
        page = await client.messaging.ListMessages(messaging_pb2.ListMessagesRequest(page_size=3, page_token=token))
        seen += [m.name for m in page.messages]
        pages += 1
        token = page.next_page_token
        assert page.cursor
        if not token:
            break
    assert pages == 3
    assert seen == list(reversed(names))


async def test_list_filters(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    ok = await client.messaging.SendMessage(send())
    bad = await client.messaging.SendMessage(send(recipient="+15005550001"))
    await wait_for_status(client, bad.name, st.FAILED)
    await client.sandbox.InjectInboundMessage(_inbound())

    async def listed(expr: str) -> set[str]:
        page = await client.messaging.ListMessages(messaging_pb2.ListMessagesRequest(filter=expr))
        return {m.name for m in page.messages}

    assert await listed('status = "FAILED"') == {bad.name}
    assert await listed('direction = OUTBOUND AND recipient = "+15557654321"') == {ok.name}
    assert len(await listed("direction = INBOUND")) == 1
    assert len(await listed('channel = "SMS" AND identity = "sms"')) == 3
    assert await listed('create_time > "2099-01-01T00:00:00Z"') == set()
    error = await fails(client.messaging.ListMessages(messaging_pb2.ListMessagesRequest(filter="colour = red")))
    assert (error.code, error.reason, error.fields) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FILTER", ["filter"])
    page = await client.messaging.ListMessages(messaging_pb2.ListMessagesRequest(page_size=1))
    mixed = await fails(client.messaging.ListMessages(messaging_pb2.ListMessagesRequest(page_size=1, page_token=page.next_page_token, filter="direction = INBOUND")))
    assert mixed.reason == "INVALID_PAGE_TOKEN"


def _inbound():  # type: ignore[no-untyped-def]
    from omnirelay.v1 import sandbox_pb2

    return sandbox_pb2.InjectInboundMessageRequest(identity="sms", sender="+15557654321", content=text("STOP"))


async def test_inject_inbound_message(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    inbound = await client.sandbox.InjectInboundMessage(_inbound())
    assert (inbound.direction, inbound.status) == (Direction.DIRECTION_INBOUND, st.RECEIVED)
    assert (inbound.sender, inbound.recipient) == ("+15557654321", "+15551230000")
    assert inbound.receive_time.ToMicroseconds() > 0
    got = await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=inbound.name))
    assert got.content.text.body == "STOP"


async def test_reply_to_a_stored_message_carries_its_provider_id(gateway, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    first = await wait_for_status(client, (await client.messaging.SendMessage(send())).name, st.SENT)
    reply = send()
    reply.reply_to = first.name
    replied = await client.messaging.SendMessage(reply)
    assert (replied.reply_to, replied.reply_to_provider_message_id) == (first.name, first.provider_message_ids[0])
    for name in ("accounts/acme/messages/nope", "accounts/other/messages/" + first.name.rsplit("/", 1)[1], "accounts/acme/identities/sms"):
        reply.reply_to = name
        error = await fails(client.messaging.SendMessage(reply))
        assert (error.code, error.fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["reply_to"])
    assert await count_rows(gateway, messages) == 2
