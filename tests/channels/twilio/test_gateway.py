"""The Twilio adapter inside a real gateway on loopback: sends through the gRPC API reach the fake
Twilio, whose signed callbacks come back through the webhook ingress."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import grpc
import httpx
import pytest
from omnirelay.v1 import content_pb2, identities_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel

from omnirelay.channels.twilio.webhook import EMPTY_TWIML, SIGNATURE_HEADER
from omnirelay.domain import status as st
from tests.api.test_streams import Reader, events
from tests.conftest import Client, fails, wait_for_status
from tests.fakes.twilio import Answer, FakeTwilio, error

CUSTOMER = "+15557654321"
SMS_NUMBER = "+15551230000"
MMS_NUMBER = "+15551230001"


async def twilio_identity(client: Client, fake: FakeTwilio, channel: int = Channel.CHANNEL_SMS, base_url: str = "") -> identities_pb2.ChannelIdentity:
    identity_id, address = ("sms", SMS_NUMBER) if channel == Channel.CHANNEL_SMS else ("mms", MMS_NUMBER)
    return await client.identities.CreateChannelIdentity(identities_pb2.CreateChannelIdentityRequest(
        channel_identity_id=identity_id,
        channel_identity=identities_pb2.ChannelIdentity(
            channel=channel, address=address, adapter="twilio",
            settings={"account_sid": fake.account_sid, "base_url": base_url or fake.base_url}, credentials={"auth_token": fake.auth_token},
        ),
    ))


async def send_text(client: Client, identity: str = "sms") -> messaging_pb2.Message:
    return await client.messaging.SendMessage(messaging_pb2.SendMessageRequest(
        identity=identity, recipient=CUSTOMER, content=content_pb2.Content(text=content_pb2.Text(body="Your code is 123456")),
    ))


async def stored_inbound(client: Client) -> list[messaging_pb2.Message]:
    listed = await client.messaging.ListMessages(messaging_pb2.ListMessagesRequest(filter='direction = "INBOUND"'))
    return list(listed.messages)


async def test_full_run_send_then_receipts_reach_the_event_stream(client: Client, fake: FakeTwilio) -> None:
    identity = await twilio_identity(client, fake)
    reader = await events(client)
    sent = await send_text(client)
    message = await wait_for_status(client, sent.name, st.SENT)
    [sid] = message.provider_message_ids
    request = fake.accepted[sid]
    assert (request.value("StatusCallback"), request.value("To"), request.value("From")) == (identity.webhook_url, CUSTOMER, SMS_NUMBER)
    for status in ("queued", "sent", "delivered"):
        assert (await fake.report(sid, status)).status_code == 204
    got = await reader.collect(4)
    assert [e.status for e in got] == [st.QUEUED, st.SENDING, st.SENT, st.DELIVERED]
    assert (got[2].provider_message_ids, got[3].provider_code) == ([sid], "delivered")
    reader.call.cancel()


async def test_replayed_and_late_status_callbacks_change_nothing(client: Client, fake: FakeTwilio) -> None:
    await twilio_identity(client, fake)
    reader = await events(client)
    sent = await send_text(client)
    [sid] = (await wait_for_status(client, sent.name, st.SENT)).provider_message_ids
    for status in ("delivered", "delivered", "sent", "failed", "delivered", "read"):  # replays, a regression, a late failure
        assert (await fake.report(sid, status)).status_code == 204
    got = await reader.collect(5)
    # Had any replay been stored, it would sit between DELIVERED and READ.
    assert [e.status for e in got] == [st.QUEUED, st.SENDING, st.SENT, st.DELIVERED, st.READ]
    assert (await wait_for_status(client, sent.name, st.READ)).status == st.READ
    reader.call.cancel()


async def test_undelivered_receipt_carries_the_twilio_error(client: Client, fake: FakeTwilio) -> None:
    await twilio_identity(client, fake)
    sent = await send_text(client)
    [sid] = (await wait_for_status(client, sent.name, st.SENT)).provider_message_ids
    assert (await fake.report(sid, "undelivered", error_code="30006")).status_code == 204
    message = await wait_for_status(client, sent.name, st.UNDELIVERED)
    assert (message.status, message.error.code, message.error.provider_code) == (st.UNDELIVERED, "RECIPIENT_INVALID", "30006")


async def test_signed_inbound_sms_is_stored_once_and_answered_with_empty_twiml(client: Client, fake: FakeTwilio) -> None:
    identity = await twilio_identity(client, fake)
    params = fake.inbound(CUSTOMER, SMS_NUMBER, "STOP")
    for _ in range(2):  # Twilio retries (or someone replays the signed post): stored once
        answer = await fake.post_signed(identity.webhook_url, params)
        assert (answer.status_code, answer.content, answer.headers["content-type"].split(";")[0]) == (200, EMPTY_TWIML, "text/xml")
    [message] = await stored_inbound(client)
    assert (message.sender, message.recipient, message.content.text.body) == (CUSTOMER, SMS_NUMBER, "STOP")
    assert list(message.provider_message_ids) == [params["MessageSid"]]


async def test_inbound_mms_keeps_every_media_with_its_expiry(client: Client, fake: FakeTwilio) -> None:
    identity = await twilio_identity(client, fake, Channel.CHANNEL_MMS)
    stream = Reader(client.messaging.StreamInboundMessages(messaging_pb2.StreamInboundMessagesRequest()), "inbound")
    await stream.started()
    media = (("image/jpeg", "https://api.twilio.com/media/ME1"), ("video/mp4", "https://api.twilio.com/media/ME2"))
    assert (await fake.post_signed(identity.webhook_url, fake.inbound(CUSTOMER, MMS_NUMBER, "look", media))).status_code == 200
    [item] = await stream.collect(1)
    message = item.message
    mms = message.channel_content.mms
    assert (mms.text, [m.url for m in mms.media]) == ("look", [url for _, url in media])
    assert [m.kind for m in mms.media] == [content_pb2.MediaKind.MEDIA_KIND_IMAGE, content_pb2.MediaKind.MEDIA_KIND_VIDEO]
    lifetime = mms.media[0].expire_time.ToDatetime() - message.receive_time.ToDatetime()
    assert timedelta(days=2) - timedelta(seconds=5) < lifetime <= timedelta(days=2)
    stream.call.cancel()


@pytest.mark.parametrize("signing", ["missing", "another-token", "tampered"])
async def test_badly_signed_callbacks_are_refused_and_nothing_is_stored(client: Client, fake: FakeTwilio, signing: str) -> None:
    identity = await twilio_identity(client, fake)
    params = fake.inbound(CUSTOMER, SMS_NUMBER, "hello")
    if signing == "missing":
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(identity.webhook_url, data=params)
    elif signing == "another-token":
        answer = await fake.post_signed(identity.webhook_url, params, token="0" * 32)
    else:
        async with httpx.AsyncClient(timeout=10) as http:
            signed = await fake.post_signed(identity.webhook_url, params)  # the genuine post, stored
            headers = {SIGNATURE_HEADER: signed.request.headers[SIGNATURE_HEADER]}
            answer = await http.post(identity.webhook_url, data={**params, "Body": "tampered", "MessageSid": "SMother"}, headers=headers)
    assert answer.status_code == 403
    assert "Traceback" not in answer.text
    assert [m.content.text.body for m in await stored_inbound(client)] == (["hello"] if signing == "tampered" else [])


async def test_malformed_callback_gets_400_and_nothing_is_stored(client: Client, fake: FakeTwilio) -> None:
    identity = await twilio_identity(client, fake)
    params = fake.inbound(CUSTOMER, SMS_NUMBER, "hello")
    del params["From"]
    answer = await fake.post_signed(identity.webhook_url, params)
    assert (answer.status_code, "Traceback" in answer.text) == (400, False)
    assert await stored_inbound(client) == []


@pytest.mark.settings(max_attempts=3)
async def test_provider_down_is_retried_then_fails_with_a_reason(client: Client, fake: FakeTwilio, refusing_port: int) -> None:
    await twilio_identity(client, fake, base_url=f"http://127.0.0.1:{refusing_port}")
    sent = await send_text(client)
    message = await wait_for_status(client, sent.name, st.FAILED)
    assert (message.status, message.attempts, message.error.code) == (st.FAILED, 3, "RETRIES_EXHAUSTED")
    assert "after 3 attempts" in message.error.description and "ConnectError" in message.error.description


async def test_provider_errors_retried_until_accepted(client: Client, fake: FakeTwilio) -> None:
    await twilio_identity(client, fake)
    fake.fail_next(error(503, 20503, "Service Unavailable"), error(429, 20429, "Too Many Requests", **{"Retry-After": "0"}))
    sent = await send_text(client)
    message = await wait_for_status(client, sent.name, st.SENT)
    assert (message.status, message.attempts, list(message.provider_message_ids)) == (st.SENT, 3, list(fake.accepted))
    assert len(fake.requests) == 3


@pytest.mark.parametrize(
    ("answer", "code", "provider_code"),
    [
        (error(400, 21211, "The 'To' number is not a valid phone number."), "RECIPIENT_INVALID", "21211"),
        (error(401, 20003, "Authenticate"), "PROVIDER_AUTH_FAILED", "20003"),
        (error(400, 21606, "The 'From' phone number provided is not a valid message-capable Twilio phone number."), "PROVIDER_REJECTED", "21606"),
        (Answer(201, b"{}", {"Content-Type": "application/json"}), "PROVIDER_REJECTED", "201"),
    ],
    ids=["bad-recipient", "auth", "permanent", "accepted-without-sid"],
)
async def test_permanent_send_errors_fail_at_once(client: Client, fake: FakeTwilio, answer: Answer, code: str, provider_code: str) -> None:
    await twilio_identity(client, fake)
    fake.fail_next(answer)
    sent = await send_text(client)
    message = await wait_for_status(client, sent.name, st.FAILED)
    assert (message.status, message.attempts, message.error.code, message.error.provider_code) == (st.FAILED, 1, code, provider_code)


async def test_identity_needs_account_sid_and_auth_token_and_serves_sms_and_mms_only(client: Client) -> None:
    def create(channel: int, **fields: object) -> object:
        return client.identities.CreateChannelIdentity(identities_pb2.CreateChannelIdentityRequest(
            channel_identity_id="x", channel_identity=identities_pb2.ChannelIdentity(channel=channel, address=SMS_NUMBER, adapter="twilio", **fields),
        ))

    missing = await fails(create(Channel.CHANNEL_SMS))
    assert missing.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(missing.fields) == {"channel_identity.settings['account_sid']", "channel_identity.credentials['auth_token']"}
    wrong_channel = await fails(create(Channel.CHANNEL_WHATSAPP, settings={"account_sid": "AC1"}, credentials={"auth_token": "t"}))
    assert wrong_channel.fields == ["channel_identity.channel"]


async def test_several_sends_each_get_their_own_sid(client: Client, fake: FakeTwilio) -> None:
    await twilio_identity(client, fake)
    sent = await asyncio.gather(*(send_text(client) for _ in range(5)))
    done = [await wait_for_status(client, s.name, st.SENT) for s in sent]
    assert sorted(sid for m in done for sid in m.provider_message_ids) == sorted(fake.accepted)


async def test_refused_credentials_show_on_the_identity_until_they_are_replaced(client: Client, fake: FakeTwilio) -> None:
    identity = await twilio_identity(client, fake)
    await client.identities.UpdateChannelIdentity(identities_pb2.UpdateChannelIdentityRequest(
        channel_identity=identities_pb2.ChannelIdentity(name=identity.name, credentials={"auth_token": "expired"}),
    ))
    failed = await wait_for_status(client, (await send_text(client)).name, st.FAILED)
    assert (failed.error.code, failed.error.provider_code) == ("PROVIDER_AUTH_FAILED", "20003")
    shown = await client.identities.GetChannelIdentity(identities_pb2.GetChannelIdentityRequest(name=identity.name))
    for _ in range(100):  # recorded just after the message's outcome
        if shown.HasField("auth_error"):
            break
        await asyncio.sleep(0.02)
        shown = await client.identities.GetChannelIdentity(identities_pb2.GetChannelIdentityRequest(name=identity.name))
    assert (shown.auth_error.code, shown.auth_error.provider_code) == ("PROVIDER_AUTH_FAILED", "20003")
    assert shown.auth_error_time.ToMicroseconds() > 0

    fixed = await client.identities.UpdateChannelIdentity(identities_pb2.UpdateChannelIdentityRequest(
        channel_identity=identities_pb2.ChannelIdentity(name=identity.name, credentials={"auth_token": fake.auth_token}),
    ))
    assert not fixed.HasField("auth_error")
    assert (await wait_for_status(client, (await send_text(client)).name, st.SENT)).status == st.SENT


async def test_a_send_that_works_again_clears_the_identitys_auth_error(client: Client, fake: FakeTwilio) -> None:
    identity = await twilio_identity(client, fake)
    fake.fail_next(error(401, 20003, "Authenticate"))  # refused once, as while a token rotates
    await wait_for_status(client, (await send_text(client)).name, st.FAILED)

    async def auth_error() -> str:
        shown = await client.identities.GetChannelIdentity(identities_pb2.GetChannelIdentityRequest(name=identity.name))
        return shown.auth_error.provider_code

    for _ in range(100):
        if await auth_error():
            break
        await asyncio.sleep(0.02)
    assert await auth_error() == "20003"
    await wait_for_status(client, (await send_text(client)).name, st.SENT)
    for _ in range(100):
        if not await auth_error():
            break
        await asyncio.sleep(0.02)
    assert await auth_error() == ""
