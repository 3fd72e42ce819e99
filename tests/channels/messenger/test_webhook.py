"""Messenger webhooks, table-driven over fixtures/inbound (payloads shaped like Meta's): messages,
attachments, quick replies, postbacks, delivery and read watermarks, echoes ignored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from google.protobuf.json_format import MessageToDict
from omnirelay.v1.common_pb2 import Channel

from omnirelay.channels.base import AdapterContext, ReportSink, WebhookRejected, WebhookRequest
from omnirelay.channels.messenger import MessengerAdapter
from omnirelay.channels.messenger.webhook import WATERMARK_SLACK_US
from omnirelay.channels.meta.webhook import SIGNATURE_HEADER
from omnirelay.channels.signing import signature
from omnirelay.domain import status as st
from tests.channels.cases import identity, inbound_names, inbound_payload

HERE = Path(__file__).parent
APP_SECRET = "page-app-s3cret"
PSID = "6783962451634371"
AT = 1_700_000_000_000_000 + WATERMARK_SLACK_US  # the fixtures' watermark, in microseconds, with the slack

# fixture -> inbound (content as proto JSON, provider ids, reply_to), statuses (mid, status), watermarks (status, up to)
EXPECTED: dict[str, tuple[list[tuple[dict[str, Any], list[str], str]], list[tuple[str, int]], list[tuple[int, int]]]] = {
    "text": ([({"text": {"body": "Hello there"}}, ["m_AAA1"], "")], [], []),
    "text_reply_to": ([({"text": {"body": "This one"}}, ["m_AAA2"], "m_OUT1")], [], []),
    "quick_reply": ([({"choiceReply": {"postbackData": "SIZE_M", "text": "M"}}, ["m_AAA3"], "")], [], []),
    "attachments_image_and_file": ([
        ({"media": {"kind": "MEDIA_KIND_IMAGE", "url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/cat.jpg?_nc_cat=1"}}, ["m_AAA4"], ""),
        ({"media": {"kind": "MEDIA_KIND_FILE", "url": "https://cdn.fbsbx.com/v/t59.2708-21/doc.pdf"}}, ["m_AAA4#1"], ""),
    ], [], []),
    "attachment_audio": ([({"media": {"kind": "MEDIA_KIND_AUDIO", "url": "https://cdn.fbsbx.com/v/audioclip.mp4"}}, ["m_AAA5"], "")], [], []),
    "attachment_video": ([({"media": {"kind": "MEDIA_KIND_VIDEO", "url": "https://video.xx.fbcdn.net/v/clip.mp4"}}, ["m_AAA6"], "")], [], []),
    "attachment_location": ([({"location": {"latitude": 52.52, "longitude": 13.405, "name": "Pinned Location"}}, ["m_AAA7"], "")], [], []),
    "postback": ([({"choiceReply": {"postbackData": "TRACK", "text": "Track order"}}, ["m_PB1"], "")], [], []),
    "delivery_with_mids": ([], [("m_OUT1", st.DELIVERED)], [(st.DELIVERED, AT)]),
    "read_watermark": ([], [], [(st.READ, AT)]),
    "echo_ignored": ([], [], []),
    "other_page_ignored": ([], [], []),
    "batch": (
        [({"text": {"body": "one"}}, ["m_B1"], ""), ({"choiceReply": {"postbackData": "YES", "text": "Yes"}}, [f"postback:{PSID}:1700000000300"], "")],
        [], [(st.READ, AT + 100_000)],
    ),
}


def test_every_fixture_has_an_expectation() -> None:
    assert inbound_names(HERE) == set(EXPECTED)


@pytest.fixture
def adapter(http: httpx.AsyncClient) -> MessengerAdapter:
    async def unused(report: object) -> None:
        raise AssertionError("webhooks return their reports; nothing is pushed")

    record = identity("messenger", Channel.CHANNEL_MESSENGER, "112233445566778", {},
                      {"page_access_token": "EAAG", "app_secret": APP_SECRET, "verify_token": "verify-me"})
    return MessengerAdapter(record, AdapterContext(ReportSink(unused, unused, unused), http))


def _post(body: bytes, secret: str = APP_SECRET) -> WebhookRequest:
    return WebhookRequest("POST", "https://hooks.example.com/webhooks/acme/messenger", {SIGNATURE_HEADER: signature(secret, body)}, {}, body)


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_inbound_fixture(adapter: MessengerAdapter, name: str) -> None:
    result = await adapter.handle_webhook(_post(inbound_payload(HERE, name)))
    assert all(r.sender == PSID for r in result.inbound)
    assert all(w.recipient == PSID for w in result.watermarks)
    inbound = [(MessageToDict(r.content), r.provider_message_ids, r.reply_to) for r in result.inbound]
    statuses = [(s.provider_message_id, s.status) for s in result.statuses]
    watermarks = [(w.status, w.up_to_us) for w in result.watermarks]
    assert (inbound, statuses, watermarks) == EXPECTED[name]


async def test_badly_signed_posts_are_refused(adapter: MessengerAdapter) -> None:
    with pytest.raises(WebhookRejected) as raised:
        await adapter.handle_webhook(_post(inbound_payload(HERE, "text"), "another-secret"))
    assert raised.value.status == 403


async def test_handshake(adapter: MessengerAdapter) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "CHALLENGE_ACCEPTED"}
    result = await adapter.handle_webhook(WebhookRequest("GET", "https://hooks.example.com/x", {}, query, b""))
    assert (result.status, result.body) == (200, b"CHALLENGE_ACCEPTED")
