"""Fallback: the next identity is tried when an attempt fails or gets no positive status in time
(sandbox scripted recipients: +15005550001 fails, +15005550003 never reports, +15005550004 is
undelivered)."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from omnirelay.v1 import content_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import SMS_ENCODING_GSM7, SMS_ENCODING_UNSPECIFIED, Channel

from omnirelay.domain import status as st
from omnirelay.domain.clock import now_us
from omnirelay.store.messages import StatusUpdate
from omnirelay.store.schema import events, messages
from tests.api.test_messages import count_rows
from tests.api.test_streams import events as event_stream
from tests.conftest import create_identity, fails, wait_for_status

OK = "+15557654321"
FAILS = "+15005550001"
SILENT = "+15005550003"
UNDELIVERED = "+15005550004"


def text(body: str = "hello") -> content_pb2.Content:
    return content_pb2.Content(text=content_pb2.Text(body=body))


def seconds(value: float) -> Duration:
    d = Duration()
    d.FromMicroseconds(int(value * 1e6))
    return d


def send(recipient: str, *fallbacks: messaging_pb2.Fallback, identity: str = "sms", **kw: object) -> messaging_pb2.SendMessageRequest:
    return messaging_pb2.SendMessageRequest(identity=identity, recipient=recipient, content=text(), fallbacks=fallbacks, **kw)


async def identities(client, *extra: tuple[str, int, str]) -> None:  # type: ignore[no-untyped-def]
    await create_identity(client, "sms", Channel.CHANNEL_SMS, "+15551230000")
    await create_identity(client, "sms2", Channel.CHANNEL_SMS, "+15551230002")
    for identity_id, channel, address in extra:
        await create_identity(client, identity_id, channel, address)


async def test_permanent_failure_switches_to_the_fallback_channel(client):  # type: ignore[no-untyped-def]
    await identities(client, ("wa", Channel.CHANNEL_WHATSAPP, "+15551230001"))
    reader = await event_stream(client)
    template = content_pb2.Content(template=content_pb2.Template(name="order_update", language="en_US"))
    sms = messaging_pb2.Fallback(identity="sms", recipient=OK, content=text("Your order shipped"))
    sent = await client.messaging.SendMessage(
        messaging_pb2.SendMessageRequest(identity="wa", recipient=FAILS, content=template, fallbacks=[sms])
    )
    assert sent.fallbacks[0].identity == "accounts/acme/identities/sms"
    assert (sent.fallbacks[0].channel, sent.fallbacks[0].sender) == (Channel.CHANNEL_SMS, "+15551230000")
    done = await wait_for_status(client, sent.name, st.READ)
    assert (done.status, done.identity, done.channel, done.recipient) == (st.READ, "accounts/acme/identities/sms", Channel.CHANNEL_SMS, OK)
    assert done.content == template  # as requested; the fallback's own content is in fallbacks[0]
    assert (sent.sms_encoding, sent.segment_count) == (SMS_ENCODING_UNSPECIFIED, 0)  # WhatsApp: no SMS segments
    assert (done.sms_encoding, done.segment_count) == (SMS_ENCODING_GSM7, 1)  # the SMS fallback's own text
    first, second = done.channel_attempts
    assert (first.identity, first.channel, first.recipient, first.status) == ("accounts/acme/identities/wa", Channel.CHANNEL_WHATSAPP, FAILS, st.FAILED)
    assert (first.error.code, first.error.provider_code, first.attempts) == ("RECIPIENT_INVALID", "21211", 1)
    assert first.end_time == second.start_time
    assert (second.identity, second.status, second.attempts) == ("accounts/acme/identities/sms", st.READ, 1)
    assert list(second.provider_message_ids) == list(done.provider_message_ids)
    assert not second.HasField("end_time")

    got = await reader.collect(8)
    assert [e.status for e in got] == [st.QUEUED, st.SENDING, st.SWITCHING_CHANNEL, st.QUEUED, st.SENDING, st.SENT, st.DELIVERED, st.READ]
    switching = got[2]
    assert (switching.identity, switching.channel_attempt, switching.error.code) == ("accounts/acme/identities/wa", 0, "RECIPIENT_INVALID")
    assert (got[3].identity, got[3].channel_attempt, got[3].recipient) == ("accounts/acme/identities/sms", 1, OK)


@pytest.mark.parametrize(
    "per_message",
    [
        pytest.param(True, marks=pytest.mark.settings(fallback_timeout_seconds=600)),
        pytest.param(False, marks=pytest.mark.settings(fallback_timeout_seconds=0.3)),
    ],
    ids=["message-timeout", "settings-default"],
)
async def test_no_positive_status_in_time_switches(client, per_message):  # type: ignore[no-untyped-def]
    await identities(client)
    timeout = {"fallback_timeout": seconds(0.3)} if per_message else {}
    sent = await client.messaging.SendMessage(send(SILENT, messaging_pb2.Fallback(identity="sms2", recipient=OK), **timeout))
    assert (sent.fallback_success_status, sent.fallback_timeout.ToMicroseconds()) == (st.DELIVERED, 300_000)
    done = await wait_for_status(client, sent.name, st.READ)
    assert (done.status, done.identity) == (st.READ, "accounts/acme/identities/sms2")
    first = done.channel_attempts[0]
    assert (first.status, first.error.code) == (st.SENT, "FALLBACK_TIMEOUT")
    assert first.end_time.ToMicroseconds() - first.start_time.ToMicroseconds() >= 300_000


async def test_reaching_the_success_status_stops_the_timer(client):  # type: ignore[no-untyped-def]
    await identities(client)
    fallback = messaging_pb2.Fallback(identity="sms2", recipient=OK)
    sent = await client.messaging.SendMessage(send(SILENT, fallback, fallback_timeout=seconds(0.2), fallback_success_status=st.SENT))
    await wait_for_status(client, sent.name, st.SENT)
    await asyncio.sleep(0.5)
    done = await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=sent.name))
    assert (done.status, done.identity, len(done.channel_attempts)) == (st.SENT, "accounts/acme/identities/sms", 1)


async def test_undelivered_report_switches(client):  # type: ignore[no-untyped-def]
    await identities(client)
    sent = await client.messaging.SendMessage(send(UNDELIVERED, messaging_pb2.Fallback(identity="sms2", recipient=OK)))
    done = await wait_for_status(client, sent.name, st.READ)
    first = done.channel_attempts[0]
    assert (first.status, first.error.code, first.error.provider_code) == (st.UNDELIVERED, "UNDELIVERABLE", "30003")


async def test_no_channels_left_fails_the_message(client):  # type: ignore[no-untyped-def]
    await identities(client)
    # The fallback inherits the recipient, which fails there too.
    sent = await client.messaging.SendMessage(send(FAILS, messaging_pb2.Fallback(identity="sms2")))
    done = await wait_for_status(client, sent.name, st.FAILED)
    assert (done.status, done.error.code, done.error.permanent) == (st.FAILED, "NO_CHANNELS_LEFT", True)
    assert "RECIPIENT_INVALID" in done.error.description
    assert [(a.identity.rsplit("/", 1)[-1], a.status, a.error.code) for a in done.channel_attempts] == [
        ("sms", st.FAILED, "RECIPIENT_INVALID"), ("sms2", st.FAILED, "RECIPIENT_INVALID"),
    ]


async def test_closed_window_of_a_fallback_moves_on(client):  # type: ignore[no-untyped-def]
    await identities(client, ("wa", Channel.CHANNEL_WHATSAPP, "+15551230001"))
    # Free-form WhatsApp: nobody wrote to "wa", so its window is closed when it is tried.
    fallbacks = (messaging_pb2.Fallback(identity="wa", recipient=OK), messaging_pb2.Fallback(identity="sms2", recipient=OK))
    sent = await client.messaging.SendMessage(send(FAILS, *fallbacks))
    done = await wait_for_status(client, sent.name, st.READ)
    assert [(a.identity.rsplit("/", 1)[-1], a.status, a.error.code) for a in done.channel_attempts] == [
        ("sms", st.FAILED, "RECIPIENT_INVALID"), ("wa", st.FAILED, "OUTSIDE_SESSION_WINDOW"), ("sms2", st.READ, ""),
    ]


async def test_late_report_of_an_earlier_attempt_does_not_move_the_message(client):  # type: ignore[no-untyped-def]
    await identities(client)
    await create_identity(client, "slow", Channel.CHANNEL_SMS, "+15551230003", delivered_delay_ms="500", read_delay_ms="600")
    # "slow" delivers after the timeout; the fallback's recipient never reports (the last attempt has no timeout).
    sent = await client.messaging.SendMessage(send(OK, messaging_pb2.Fallback(identity="sms2", recipient=SILENT), identity="slow", fallback_timeout=seconds(0.2)))
    deadline = asyncio.get_running_loop().time() + 5
    while True:
        done = await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=sent.name))
        if done.channel_attempts[0].status == st.READ or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.05)
    first, second = done.channel_attempts
    assert (first.status, first.HasField("error")) == (st.READ, False)
    assert (done.status, done.identity, second.status) == (st.SENT, "accounts/acme/identities/sms2", st.SENT)


async def test_dispatch_outcome_of_an_earlier_attempt_is_ignored(gateway, client):  # type: ignore[no-untyped-def]
    await identities(client)
    sent = await client.messaging.SendMessage(send(FAILS, messaging_pb2.Fallback(identity="sms2", recipient=SILENT)))
    moved = await wait_for_status(client, sent.name, st.SENT)
    assert len(moved.channel_attempts) == 2
    # E.g. a send of attempt 0 whose lease ran out reports back after the switch.
    stale = StatusUpdate(now_us(), message_id=sent.name.rsplit("/", 1)[-1], channel_attempt=0, status=st.DELIVERED, provider_message_ids=["old"], dispatch="done")
    await gateway.writer.submit(stale)
    after = await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=sent.name))
    assert (after.status, list(after.provider_message_ids)) == (st.SENT, list(moved.provider_message_ids))


@pytest.mark.settings(dispatch=False)
async def test_timer_is_stored_and_runs_out_without_a_dispatcher(gateway, client):  # type: ignore[no-untyped-def]
    await identities(client)
    sent = await client.messaging.SendMessage(send(OK, messaging_pb2.Fallback(identity="sms2"), fallback_timeout=seconds(0.1)))
    await asyncio.sleep(0.3)
    # A dispatcher starting later (a restart) finds the deadline passed: the queued attempt is given up.
    gateway.dispatcher.start()
    done = await wait_for_status(client, sent.name, st.READ)
    assert [(a.identity.rsplit("/", 1)[-1], a.status, a.error.code) for a in done.channel_attempts] == [
        ("sms", st.QUEUED, "FALLBACK_TIMEOUT"), ("sms2", st.READ, ""),
    ]


@pytest.mark.parametrize(
    ("request_kwargs", "field"),
    [
        ({"fallbacks": [messaging_pb2.Fallback(identity="sms2"), messaging_pb2.Fallback(identity="nope")]}, "fallbacks[1].identity"),
        ({"fallbacks": [messaging_pb2.Fallback()]}, "fallbacks[0].identity"),
        ({"fallbacks": [messaging_pb2.Fallback(identity="sms2", recipient="not-a-number")]}, "fallbacks[0].recipient"),
        ({"fallbacks": [messaging_pb2.Fallback(identity="sms2", content=content_pb2.Content())]}, "fallbacks[0].content"),
        ({"fallbacks": [messaging_pb2.Fallback(identity="sms2")] * 11}, "fallbacks"),
        ({"fallbacks": [messaging_pb2.Fallback(identity="sms2")], "fallback_success_status": st.QUEUED}, "fallback_success_status"),
        ({"fallbacks": [messaging_pb2.Fallback(identity="sms2")], "fallback_timeout": seconds(-1)}, "fallback_timeout"),
    ],
    ids=["unknown-identity", "no-identity", "bad-recipient", "empty-content", "too-many", "success-status", "timeout"],
)
async def test_invalid_fallbacks_name_the_field_and_store_nothing(gateway, client, request_kwargs, field):  # type: ignore[no-untyped-def]
    await identities(client)
    request = messaging_pb2.SendMessageRequest(identity="sms", recipient=OK, content=text(), **request_kwargs)
    error = await fails(client.messaging.SendMessage(request))
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_FIELD")
    assert error.fields == [field]
    assert await count_rows(gateway, messages) == 0
    assert await count_rows(gateway, events) == 0


async def test_channel_content_is_for_one_channel_only(client):  # type: ignore[no-untyped-def]
    await identities(client, ("wa", Channel.CHANNEL_WHATSAPP, "+15551230001"))
    reaction = content_pb2.ChannelContent(whatsapp=content_pb2.WhatsAppContent(reaction=content_pb2.Reaction(provider_message_id="wamid.1", emoji="+1")))
    # Not inherited by a fallback on another channel...
    inherited = messaging_pb2.SendMessageRequest(identity="wa", recipient=OK, channel_content=reaction, fallbacks=[messaging_pb2.Fallback(identity="sms2")])
    error = await fails(client.messaging.SendMessage(inherited))
    assert (error.reason, error.fields) == ("INVALID_FIELD", ["fallbacks[0].content"])
    # ...nor accepted as a fallback's own content there.
    own = messaging_pb2.SendMessageRequest(identity="sms", recipient=OK, content=text(), fallbacks=[messaging_pb2.Fallback(identity="sms2", channel_content=reaction)])
    error = await fails(client.messaging.SendMessage(own))
    assert (error.reason, error.fields) == ("CHANNEL_CONTENT_MISMATCH", ["fallbacks[0].channel_content.whatsapp"])
