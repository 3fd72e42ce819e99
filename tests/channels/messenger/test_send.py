"""Messenger send against the fake Graph API: rendered requests with the page token, one
provider id per request, and Messenger's own error codes."""

from __future__ import annotations

import httpx
import pytest
from google.protobuf.json_format import ParseDict
from omnirelay.v1.common_pb2 import Channel
from omnirelay.v1.messaging_pb2 import Message

from omnirelay.channels.base import AdapterContext, ErrorClass, OutboundMessage, ReportSink, SendError
from omnirelay.channels.messenger import MessengerAdapter
from omnirelay.domain.errors import FailureCode
from tests.channels.cases import identity
from tests.channels.fake_graph import TOKEN, FakeGraph, graph_error

CAPTIONED = {"recipient": "6783962451634371", "content": {"media": {"kind": "MEDIA_KIND_IMAGE", "url": "https://cdn.example.com/cat.jpg", "caption": "A cat"}}}


def _adapter(http: httpx.AsyncClient, base_url: str) -> MessengerAdapter:
    async def unused(report: object) -> None:
        raise AssertionError("no reports from send")

    record = identity("messenger", Channel.CHANNEL_MESSENGER, "112233445566778",
                      {"graph_base_url": base_url, "throttle_retry_seconds": "0.5"},
                      {"page_access_token": TOKEN, "app_secret": "x", "verify_token": "y"})
    return MessengerAdapter(record, AdapterContext(ReportSink(unused, unused, unused), http))


async def test_media_with_a_caption_is_two_sends_with_two_ids(fake_graph: FakeGraph, http: httpx.AsyncClient) -> None:
    result = await _adapter(http, fake_graph.url).send(OutboundMessage("m1", ParseDict(CAPTIONED, Message()), 1))
    assert result.provider_message_ids == ["m_000001", "m_000002"]
    assert [(r.path, r.authorization) for r in fake_graph.sends] == [("/v21.0/me/messages", f"Bearer {TOKEN}")] * 2
    assert [r.json["message"] for r in fake_graph.sends] == [
        {"attachment": {"type": "image", "payload": {"url": "https://cdn.example.com/cat.jpg", "is_reusable": True}}}, {"text": "A cat"},
    ]


@pytest.mark.parametrize(("body", "error_class", "failure_code", "retry_after"), [
    (graph_error(10, "(#10) This message is sent outside of allowed window.", 2018278), ErrorClass.PERMANENT, FailureCode.OUTSIDE_SESSION_WINDOW, None),
    (graph_error(551, "This person isn't available right now.", 1545041), ErrorClass.BAD_RECIPIENT, FailureCode.RECIPIENT_INVALID, None),
    (graph_error(100, "(#100) No matching user found", 2018001), ErrorClass.BAD_RECIPIENT, FailureCode.RECIPIENT_INVALID, None),
    (graph_error(613, "(#613) Calls to this api have exceeded the rate limit."), ErrorClass.THROTTLED, None, 0.5),
    (graph_error(190, "Error validating access token"), ErrorClass.AUTH, None, None),
    (graph_error(10, "(#10) Requires pages_messaging permission"), ErrorClass.AUTH, None, None),
], ids=["outside-window", "unavailable-551", "no-matching-user", "rate-613", "token-190", "permission-10"])
async def test_messenger_errors_are_classified(
    fake_graph: FakeGraph, http: httpx.AsyncClient, body: object, error_class: ErrorClass, failure_code: FailureCode | None, retry_after: float | None,
) -> None:
    fake_graph.fail_next(400, body)
    with pytest.raises(SendError) as raised:
        await _adapter(http, fake_graph.url).send(OutboundMessage("m1", ParseDict(CAPTIONED, Message()), 1))
    assert (raised.value.error_class, raised.value.failure_code, raised.value.retry_after) == (error_class, failure_code, retry_after)
