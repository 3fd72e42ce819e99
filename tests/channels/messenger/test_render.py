"""Messenger render, table-driven over fixtures/outbound: every outbound feature as the exact
Send API request(s)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import ParseDict
from omnirelay.v1.common_pb2 import Channel
from omnirelay.v1.messaging_pb2 import Message

from omnirelay.channels.base import ErrorClass, SendError
from omnirelay.channels.messenger.render import render
from tests.channels.cases import identity, message_of, outbound_cases

PAGE = identity("messenger", Channel.CHANNEL_MESSENGER, "112233445566778", {}, {})


@pytest.mark.parametrize("case", outbound_cases(Path(__file__).parent))
def test_render(case: dict[str, Any]) -> None:
    assert render(PAGE, message_of(case)) == case["requests"]


@pytest.mark.parametrize("content", [
    {"template": {"name": "order_update", "language": "en_US"}},
    {"choice": {"text": "Where?", "style": "CHOICE_STYLE_QUICK_REPLIES", "actions": [{"text": "Share", "shareLocation": {}}]}},
    {"card": {"title": "Clip", "media": {"kind": "MEDIA_KIND_VIDEO", "url": "https://cdn.example.com/v.mp4"}}},
], ids=["whatsapp-style-template", "location-quick-reply", "card-with-video"])
def test_what_messenger_cannot_send_fails_permanently(content: dict[str, Any]) -> None:
    with pytest.raises(SendError) as raised:
        render(PAGE, ParseDict({"recipient": "6783962451634371", "content": content}, Message()))
    assert raised.value.error_class is ErrorClass.PERMANENT
