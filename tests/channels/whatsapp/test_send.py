"""WhatsApp send against the fake Graph API: the request is the rendered one with the identity's
token; media is uploaded first when the identity asks; each Meta error lands in its class."""

from __future__ import annotations

import httpx
import pytest
from google.protobuf.json_format import ParseDict
from omnirelay.v1.common_pb2 import Channel
from omnirelay.v1.messaging_pb2 import Message

from omnirelay.channels.base import AdapterContext, ErrorClass, OutboundMessage, ReportSink, SendError
from omnirelay.channels.whatsapp import WhatsAppAdapter
from omnirelay.channels.whatsapp.render import render
from omnirelay.domain.errors import FailureCode
from omnirelay.store.directory import IdentityRecord
from tests.channels.cases import identity
from tests.channels.fake_graph import FILE_BYTES, PHONE_NUMBER_ID, TOKEN, FakeGraph, graph_error

TEXT = {"recipient": "+16315551234", "content": {"text": {"body": "hello"}}}


def _identity(base_url: str, token: str = TOKEN, **settings: str) -> IdentityRecord:
    return identity("whatsapp", Channel.CHANNEL_WHATSAPP, "+15550001234",
                    {"phone_number_id": PHONE_NUMBER_ID, "graph_base_url": base_url, **settings},
                    {"access_token": token, "app_secret": "x", "verify_token": "y"})


def _adapter(http: httpx.AsyncClient, base_url: str, token: str = TOKEN, **settings: str) -> WhatsAppAdapter:
    async def unused(report: object) -> None:
        raise AssertionError("no reports from send")

    return WhatsAppAdapter(_identity(base_url, token, **settings), AdapterContext(ReportSink(unused, unused, unused), http))


def _outbound(message: dict[str, object]) -> OutboundMessage:
    return OutboundMessage("m1", ParseDict(message, Message()), 1)


async def test_send_posts_the_rendered_request_with_the_token(fake_graph: FakeGraph, http: httpx.AsyncClient) -> None:
    result = await _adapter(http, fake_graph.url).send(_outbound(TEXT))
    [request] = fake_graph.sends
    [rendered] = render(_identity(fake_graph.url), ParseDict(TEXT, Message()))
    assert (request.path, request.authorization, request.json) == (rendered["path"], f"Bearer {TOKEN}", rendered["json"])
    assert result.provider_message_ids == ["wamid.HBgL000001"]


async def test_media_is_uploaded_first_when_the_identity_asks(fake_graph: FakeGraph, http: httpx.AsyncClient) -> None:
    image = {"recipient": "+16315551234", "content": {"media": {"kind": "MEDIA_KIND_IMAGE", "url": f"{fake_graph.url}/files/cat.jpg", "caption": "A cat"}}}
    await _adapter(http, fake_graph.url, upload_media="true").send(_outbound(image))
    upload, send = fake_graph.requests
    assert (upload.path, upload.form, upload.file) == (f"/v21.0/{PHONE_NUMBER_ID}/media", {"messaging_product": "whatsapp", "type": "image/jpeg"}, FILE_BYTES)
    assert send.json["image"] == {"id": "media-up-1", "caption": "A cat"}


THROTTLE_CODES = [4, 80007, 130429, 131048, 131056, 133016]


@pytest.mark.parametrize(("status", "body", "headers", "error_class", "failure_code", "retry_after"), [
    *[(400, graph_error(code, f"(#{code}) Rate limit hit"), {}, ErrorClass.THROTTLED, None, 0.25) for code in THROTTLE_CODES],
    (429, "Too Many Requests", {"Retry-After": "7"}, ErrorClass.THROTTLED, None, 7.0),
    (400, graph_error(131047, "(#131047) Re-engagement message"), {}, ErrorClass.PERMANENT, FailureCode.OUTSIDE_SESSION_WINDOW, None),
    (400, graph_error(131026, "(#131026) Message Undeliverable."), {}, ErrorClass.BAD_RECIPIENT, FailureCode.UNDELIVERABLE, None),
    (401, graph_error(190, "Error validating access token: Session has expired"), {}, ErrorClass.AUTH, None, None),
    (403, graph_error(200, "(#200) Permissions error"), {}, ErrorClass.AUTH, None, None),
    (400, graph_error(100, "(#100) Invalid parameter"), {}, ErrorClass.PERMANENT, None, None),
    (500, graph_error(131000, "Something went wrong"), {}, ErrorClass.TRANSIENT, None, None),
    (503, "Service Unavailable", {}, ErrorClass.TRANSIENT, None, None),
], ids=[*(f"throttled-{c}" for c in THROTTLE_CODES), "http-429", "outside-window-131047", "undeliverable-131026", "token-190", "permission-200", "invalid-100", "5xx-131000", "503-text"])
async def test_meta_errors_are_classified(
    fake_graph: FakeGraph, http: httpx.AsyncClient, status: int, body: object, headers: dict[str, str],
    error_class: ErrorClass, failure_code: FailureCode | None, retry_after: float | None,
) -> None:
    fake_graph.fail_next(status, body, headers)
    with pytest.raises(SendError) as raised:
        await _adapter(http, fake_graph.url, throttle_retry_seconds="0.25").send(_outbound(TEXT))
    error = raised.value
    assert (error.error_class, error.failure_code, error.retry_after) == (error_class, failure_code, retry_after)
    expected_code = str(body["error"]["code"]) if isinstance(body, dict) else str(status)
    assert error.provider_code == expected_code


async def test_a_wrong_token_is_an_auth_error(fake_graph: FakeGraph, http: httpx.AsyncClient) -> None:
    with pytest.raises(SendError) as raised:
        await _adapter(http, fake_graph.url, token="stale").send(_outbound(TEXT))
    assert (raised.value.error_class, raised.value.provider_code) == (ErrorClass.AUTH, "190")


async def test_an_unreachable_graph_api_is_transient(http: httpx.AsyncClient) -> None:
    with pytest.raises(SendError) as raised:
        await _adapter(http, "http://127.0.0.1:9").send(_outbound(TEXT))
    assert raised.value.error_class is ErrorClass.TRANSIENT
