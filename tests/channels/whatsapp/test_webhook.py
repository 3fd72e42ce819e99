"""WhatsApp webhooks, table-driven over fixtures/inbound (payloads shaped like Meta's): every
inbound type and status, media ids resolved through the fake Graph API, the GET handshake, and
signatures checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from google.protobuf.json_format import MessageToDict
from omnirelay.v1.common_pb2 import Channel

from omnirelay.channels.base import AdapterContext, ReportSink, WebhookRejected, WebhookRequest, WebhookResult
from omnirelay.channels.meta.webhook import SIGNATURE_HEADER
from omnirelay.channels.signing import signature
from omnirelay.channels.whatsapp import WhatsAppAdapter
from omnirelay.domain import status as st
from omnirelay.domain.clock import now_us
from tests.channels.cases import identity, inbound_names, inbound_payload
from tests.channels.fake_graph import PHONE_NUMBER_ID, TOKEN, FakeGraph

HERE = Path(__file__).parent
APP_SECRET = "app-s3cret"
CUSTOMER = "+16315551234"
WAMID = "wamid.HBgLMTYzMTU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA"
LOOKASIDE = "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid="
FOURTEEN_DAYS_US = 14 * 24 * 3600 * 1_000_000


def _media(kind: str, media_id: str, **extra: Any) -> dict[str, Any]:
    # The fake Graph API resolves every id to a JPEG of 303833 bytes.
    return {"media": {"kind": kind, "url": LOOKASIDE + media_id, "mimeType": "image/jpeg", "sizeBytes": "303833", **extra}}


# fixture -> inbound messages (sender, content as proto JSON without expire_time, provider ids, reply_to)
# and statuses (provider id, status, provider code, failure code)
EXPECTED: dict[str, tuple[list[tuple[str, dict[str, Any], list[str], str]], list[tuple[str, int, str, str]]]] = {
    "text_reply_with_context": ([(CUSTOMER, {"text": {"body": "Yes, Tuesday works"}}, [WAMID + "1"], "wamid.OUT-ORIGINAL")], []),
    "image": ([(CUSTOMER, _media("MEDIA_KIND_IMAGE", "1003383421387256", caption="my receipt"), [WAMID + "2"], "")], []),
    "audio": ([(CUSTOMER, _media("MEDIA_KIND_AUDIO", "2003"), [WAMID + "3"], "")], []),
    "video": ([(CUSTOMER, _media("MEDIA_KIND_VIDEO", "2004"), [WAMID + "4"], "")], []),
    "document": ([(CUSTOMER, _media("MEDIA_KIND_FILE", "2005", caption="signed", filename="contract.pdf"), [WAMID + "5"], "")], []),
    "sticker": ([(CUSTOMER, _media("MEDIA_KIND_IMAGE", "2006"), [WAMID + "6"], "")], []),
    "location": ([(CUSTOMER, {"location": {"latitude": 52.5200066, "longitude": 13.404954, "name": "Alexanderplatz", "address": "10178 Berlin"}}, [WAMID + "7"], "")], []),
    "contacts": ([(CUSTOMER, {"contact": {
        "formattedName": "Ada Lovelace", "firstName": "Ada", "lastName": "Lovelace", "phoneNumbers": ["+1 555 111 2222"],
        "emails": ["ada@example.com"], "organization": "Analytical", "urls": ["https://ada.example.com"],
    }}, [WAMID + "8"], "")], []),
    "template_quick_reply_button": ([(CUSTOMER, {"choiceReply": {"postbackData": "STOP-42", "text": "Stop promotions"}}, [WAMID + "9"], "wamid.OUT-ORIGINAL")], []),
    "interactive_button_reply": ([(CUSTOMER, {"choiceReply": {"postbackData": "YES", "text": "Yes"}}, [WAMID + "10"], "wamid.OUT-ORIGINAL")], []),
    "interactive_list_reply": ([(CUSTOMER, {"choiceReply": {"postbackData": "tue-9", "text": "9:00"}}, [WAMID + "11"], "wamid.OUT-ORIGINAL")], []),
    "reaction_ignored": ([], []),
    "statuses_sent_delivered_read": ([], [("wamid.OUT-1", st.SENT, "sent", ""), ("wamid.OUT-1", st.DELIVERED, "delivered", ""), ("wamid.OUT-1", st.READ, "read", "")]),
    "status_failed_outside_window": ([], [("wamid.OUT-2", st.FAILED, "131047", "OUTSIDE_SESSION_WINDOW")]),
    "status_failed_undeliverable": ([], [("wamid.OUT-3", st.FAILED, "131026", "UNDELIVERABLE")]),
    "other_phone_number_ignored": ([], []),
    "batch_of_messages_and_statuses": (
        [(CUSTOMER, {"text": {"body": "first"}}, [WAMID + "14"], ""), (CUSTOMER, {"text": {"body": "second"}}, [WAMID + "15"], "")],
        [("wamid.OUT-4", st.DELIVERED, "delivered", ""), ("wamid.OUT-5", st.READ, "read", "")],
    ),
}


def test_every_fixture_has_an_expectation() -> None:
    assert inbound_names(HERE) == set(EXPECTED)


@pytest.fixture
def adapter(fake_graph: FakeGraph, http: httpx.AsyncClient) -> WhatsAppAdapter:
    async def unused(report: object) -> None:
        raise AssertionError("webhooks return their reports; nothing is pushed")

    record = identity("whatsapp", Channel.CHANNEL_WHATSAPP, "+15550001234",
                      {"phone_number_id": PHONE_NUMBER_ID, "graph_base_url": fake_graph.url},
                      {"access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": "verify-me"})
    return WhatsAppAdapter(record, AdapterContext(ReportSink(unused, unused, unused), http))


def _post(body: bytes, secret: str = APP_SECRET) -> WebhookRequest:
    return WebhookRequest("POST", "https://hooks.example.com/webhooks/acme/whatsapp", {SIGNATURE_HEADER: signature(secret, body)}, {}, body)


async def _handle(adapter: WhatsAppAdapter, name: str) -> WebhookResult:
    return await adapter.handle_webhook(_post(inbound_payload(HERE, name)))


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_inbound_fixture(adapter: WhatsAppAdapter, name: str) -> None:
    before = now_us()
    result = await _handle(adapter, name)
    inbound = []
    for report in result.inbound:
        content = MessageToDict(report.content)
        if "media" in content:
            expire = report.content.media.expire_time.ToMicroseconds()
            assert before + FOURTEEN_DAYS_US <= expire <= now_us() + FOURTEEN_DAYS_US
            del content["media"]["expireTime"]
        assert (report.account_id, report.identity_id) == ("acme", "whatsapp")
        inbound.append((report.sender, content, report.provider_message_ids, report.reply_to))
    statuses = [(s.provider_message_id, s.status, s.provider_code, s.error.code if s.error else "") for s in result.statuses]
    assert (inbound, statuses) == EXPECTED[name]


async def test_media_ids_are_resolved_with_the_identity_token(adapter: WhatsAppAdapter, fake_graph: FakeGraph) -> None:
    await _handle(adapter, "image")
    [lookup] = fake_graph.requests
    assert (lookup.method, lookup.path, lookup.authorization) == ("GET", "/v21.0/1003383421387256", f"Bearer {TOKEN}")


@pytest.mark.parametrize(("secret", "header"), [
    ("another-secret", None), (APP_SECRET, ""), (APP_SECRET, "sha1=deadbeef"),
], ids=["signed-with-another-secret", "missing", "wrong-scheme"])
async def test_badly_signed_posts_are_refused(adapter: WhatsAppAdapter, secret: str, header: str | None) -> None:
    body = inbound_payload(HERE, "image")
    request = _post(body, secret)
    if header is not None:
        request = WebhookRequest("POST", request.url, {SIGNATURE_HEADER: header} if header else {}, {}, body)
    with pytest.raises(WebhookRejected) as raised:
        await adapter.handle_webhook(request)
    assert raised.value.status == 403


async def test_a_signed_body_that_is_not_whatsapp_is_refused(adapter: WhatsAppAdapter) -> None:
    for body in (b"{not json", b'{"object": "page", "entry": []}', b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": "106540352242922"}, "messages": [{"type": "text"}]}}]}]}'):
        with pytest.raises(WebhookRejected) as raised:
            await adapter.handle_webhook(_post(body))
        assert raised.value.status == 400


@pytest.mark.parametrize(("query", "status", "body"), [
    ({"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}, 200, b"1158201444"),
    ({"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}, 403, b""),
    ({"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}, 403, b""),
], ids=["right-token", "wrong-token", "wrong-mode"])
async def test_handshake(adapter: WhatsAppAdapter, query: dict[str, str], status: int, body: bytes) -> None:
    request = WebhookRequest("GET", "https://hooks.example.com/webhooks/acme/whatsapp", {}, query, b"")
    if status == 200:
        assert (await adapter.handle_webhook(request)).body == body
        return
    with pytest.raises(WebhookRejected) as raised:
        await adapter.handle_webhook(request)
    assert raised.value.status == status
