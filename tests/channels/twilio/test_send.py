"""The adapter's send against the fake Twilio API on 127.0.0.1: the request it makes, and how
each kind of answer (and no answer) maps onto the dispatcher's error classes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from omnirelay.v1 import content_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel

from omnirelay.channels.base import AdapterContext, ErrorClass, OutboundMessage, ReportSink, SendError
from omnirelay.channels.twilio import TwilioAdapter
from omnirelay.store.directory import IdentityRecord
from tests.channels.twilio.conftest import API_KEY
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, Answer, FakeTwilio, error

WEBHOOK = "https://hooks.example.com/webhooks/acme/sms"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.5)) as client:
        yield client


async def _never_called(report: object) -> None:
    raise AssertionError("send reports nothing")


def adapter(http: httpx.AsyncClient, base_url: str, channel: int = Channel.CHANNEL_SMS, account_sid: str = ACCOUNT_SID, **credentials: str) -> TwilioAdapter:
    identity = IdentityRecord(
        "acme", "sms", channel, "+15551230000", "twilio", {"account_sid": account_sid, "base_url": base_url},
        credentials or {"auth_token": AUTH_TOKEN}, 0, 1,
    )
    context = AdapterContext(ReportSink(_never_called, _never_called, _never_called), http, webhook_url=lambda account, identity_id: WEBHOOK)
    return TwilioAdapter(identity, context)


def outbound(content: content_pb2.Content | None = None) -> OutboundMessage:
    content = content or content_pb2.Content(text=content_pb2.Text(body="Your code is 123456"))
    return OutboundMessage("msg-1", messaging_pb2.Message(recipient="+15557654321", content=content), attempt=1)


async def test_send_posts_the_rendered_form_with_basic_auth_and_the_status_callback(fake: FakeTwilio, http: httpx.AsyncClient) -> None:
    result = await adapter(http, fake.base_url).send(outbound())
    [sid] = result.provider_message_ids
    assert sid.startswith("SM") and list(fake.accepted) == [sid]
    sent = fake.accepted[sid]
    assert (sent.account_sid, sent.username) == (ACCOUNT_SID, ACCOUNT_SID)
    assert sent.form == {"To": ["+15557654321"], "From": ["+15551230000"], "Body": ["Your code is 123456"], "StatusCallback": [WEBHOOK]}


async def test_mms_repeats_media_url(fake: FakeTwilio, http: httpx.AsyncClient) -> None:
    media = [content_pb2.Media(kind=content_pb2.MediaKind.MEDIA_KIND_IMAGE, url=f"https://cdn.example.com/{n}.jpg") for n in (1, 2)]
    message = messaging_pb2.Message(recipient="+15557654321", channel_content=content_pb2.ChannelContent(mms=content_pb2.MmsContent(text="two", media=media)))
    [sid] = (await adapter(http, fake.base_url, Channel.CHANNEL_MMS).send(OutboundMessage("msg-1", message, 1))).provider_message_ids
    assert sid.startswith("MM")
    assert fake.accepted[sid].form["MediaUrl"] == ["https://cdn.example.com/1.jpg", "https://cdn.example.com/2.jpg"]


async def test_an_api_key_replaces_the_auth_token_for_basic_auth(fake: FakeTwilio, http: httpx.AsyncClient) -> None:
    twilio = adapter(http, fake.base_url, auth_token=AUTH_TOKEN, api_key_sid=API_KEY[0], api_key_secret=API_KEY[1])
    [sid] = (await twilio.send(outbound())).provider_message_ids
    assert fake.accepted[sid].username == API_KEY[0]


@pytest.mark.parametrize(
    ("answer", "error_class", "provider_code", "retry_after"),
    [
        (error(429, 20429, "Too Many Requests", **{"Retry-After": "7"}), ErrorClass.THROTTLED, "20429", 7.0),
        (error(429, 20429, "Too Many Requests"), ErrorClass.THROTTLED, "20429", None),
        (error(400, 20429, "Too Many Requests"), ErrorClass.THROTTLED, "20429", None),
        (error(500, 20500, "Internal Server Error"), ErrorClass.TRANSIENT, "20500", None),
        (error(503, 20503, "Service Unavailable", **{"Retry-After": "Thu, 01 Jan 2099 00:00:00 GMT"}), ErrorClass.TRANSIENT, "20503", "future"),
        (Answer(502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"}), ErrorClass.TRANSIENT, "502", None),
        (error(401, 20003, "Authenticate"), ErrorClass.AUTH, "20003", None),
        (error(403, 20003, "Permission Denied"), ErrorClass.AUTH, "20003", None),
        (error(400, 21211, "The 'To' number +1555 is not a valid phone number."), ErrorClass.BAD_RECIPIENT, "21211", None),
        (error(400, 21610, "Attempt to send to unsubscribed recipient"), ErrorClass.BAD_RECIPIENT, "21610", None),
        (error(400, 21614, "'To' number is not a valid mobile number"), ErrorClass.BAD_RECIPIENT, "21614", None),
        (error(400, 21606, "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination."), ErrorClass.PERMANENT, "21606", None),
        (error(400, 21617, "The concatenated message body exceeds the 1600 character limit."), ErrorClass.PERMANENT, "21617", None),
        (Answer(404, b"", {}), ErrorClass.PERMANENT, "404", None),
        (Answer(200, b'{"status": "queued"}', {"Content-Type": "application/json"}), ErrorClass.PERMANENT, "200", None),
    ],
    ids=["429-retry-after-seconds", "429", "20429-in-a-400", "500", "503-retry-after-date", "502-html", "401", "403", "21211", "21610", "21614",
         "21606", "21617", "404-empty", "2xx-without-sid"],
)
async def test_error_mapping(fake: FakeTwilio, http: httpx.AsyncClient, answer: Answer, error_class: ErrorClass, provider_code: str, retry_after: object) -> None:
    fake.fail_next(answer)
    with pytest.raises(SendError) as raised:
        await adapter(http, fake.base_url).send(outbound())
    got = raised.value
    assert (got.error_class, got.provider_code) == (error_class, provider_code)
    if retry_after == "future":
        assert got.retry_after is not None and got.retry_after > 3600
    else:
        assert got.retry_after == retry_after
    assert got.description.startswith("twilio: ") and f"HTTP {answer.status}" in got.description


async def test_the_fakes_own_refusals_are_classified(fake: FakeTwilio, http: httpx.AsyncClient) -> None:
    """Twilio's answers to a wrong auth token (401, 20003) and to another account's path (404, 20404)."""
    with pytest.raises(SendError) as raised:
        await adapter(http, fake.base_url, auth_token="wrong").send(outbound())
    assert (raised.value.error_class, raised.value.provider_code) == (ErrorClass.AUTH, "20003")
    other_account = adapter(http, fake.base_url, account_sid="AC" + "f" * 32, auth_token=AUTH_TOKEN, api_key_sid=API_KEY[0], api_key_secret=API_KEY[1])
    with pytest.raises(SendError) as raised:
        await other_account.send(outbound())
    assert (raised.value.error_class, raised.value.provider_code) == (ErrorClass.PERMANENT, "20404")
    assert fake.accepted == {}


async def test_provider_down_is_transient(http: httpx.AsyncClient, refusing_port: int) -> None:
    with pytest.raises(SendError) as raised:
        await adapter(http, f"http://127.0.0.1:{refusing_port}").send(outbound())
    assert raised.value.error_class is ErrorClass.TRANSIENT and "ConnectError" in raised.value.description


async def test_a_provider_that_never_answers_is_transient(http: httpx.AsyncClient) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # read the request, answer nothing

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(SendError) as raised:
            await adapter(http, f"http://127.0.0.1:{port}").send(outbound())
    finally:
        server.close()
    assert raised.value.error_class is ErrorClass.TRANSIENT and "ReadTimeout" in raised.value.description


async def test_an_unusable_base_url_is_permanent(http: httpx.AsyncClient) -> None:
    with pytest.raises(SendError) as raised:
        await adapter(http, "ftp://api.example.com").send(outbound())
    assert raised.value.error_class is ErrorClass.PERMANENT and "base_url" in raised.value.description
