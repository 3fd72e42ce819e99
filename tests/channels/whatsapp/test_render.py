"""WhatsApp render, table-driven over fixtures/outbound: every outbound feature as the exact
Cloud API request(s)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import ParseDict
from omnirelay.v1.common_pb2 import Channel
from omnirelay.v1.messaging_pb2 import Message

from omnirelay.channels.base import ErrorClass, SendError
from omnirelay.channels.whatsapp.render import render
from tests.channels.cases import identity, message_of, outbound_cases
from tests.channels.fake_graph import PHONE_NUMBER_ID


def whatsapp_identity(**settings: str) -> Any:
    return identity("whatsapp", Channel.CHANNEL_WHATSAPP, "+15550001234", {"phone_number_id": PHONE_NUMBER_ID, **settings}, {})


@pytest.mark.parametrize("case", outbound_cases(Path(__file__).parent))
def test_render(case: dict[str, Any]) -> None:
    assert render(whatsapp_identity(**case.get("settings", {})), message_of(case)) == case["requests"]


def test_graph_version_comes_from_the_identity() -> None:
    message = ParseDict({"recipient": "+16315551234", "content": {"text": {"body": "hi"}}}, Message())
    [request] = render(whatsapp_identity(graph_version="v23.0"), message)
    assert request["path"] == f"/v23.0/{PHONE_NUMBER_ID}/messages"


@pytest.mark.parametrize("content", [
    {"choice": {"text": "Call us", "actions": [{"text": "Call", "dial": {"phoneNumber": "+15551112222"}}]}},
    {"carousel": {"cards": [{"title": "x", "media": {"kind": "MEDIA_KIND_IMAGE", "url": "https://cdn.example.com/1.jpg"}}]}},
    {"product": {"catalogId": "c", "productIds": ["a", "b"]}},
], ids=["dial-button", "carousel-without-text", "product-list-without-text"])
def test_what_whatsapp_cannot_send_fails_permanently(content: dict[str, Any]) -> None:
    message = ParseDict({"recipient": "+16315551234", "content": content}, Message())
    with pytest.raises(SendError) as raised:
        render(whatsapp_identity(), message)
    assert raised.value.error_class is ErrorClass.PERMANENT
