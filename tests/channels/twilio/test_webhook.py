"""Twilio callbacks without a server: the signature (Twilio's published vectors), the status
mapping, inbound SMS/MMS, and what is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omnirelay.v1.content_pb2 import MediaKind

from omnirelay.channels.base import WebhookRejected, WebhookRequest
from omnirelay.channels.twilio.webhook import EMPTY_TWIML, MEDIA_LIFETIME_US, SIGNATURE_HEADER, parse, signature, verify
from omnirelay.domain import status as st
from omnirelay.domain.clock import from_timestamp
from omnirelay.store.directory import IdentityRecord

TESTDATA = Path(__file__).parent / "testdata"
TOKEN = "f00dfeedf00dfeedf00dfeedf00dfeed"
URL = "https://hooks.example.com/webhooks/acme/sms"
IDENTITY = IdentityRecord("acme", "sms", 1, "+15551230000", "twilio", {"account_sid": "AC0123456789abcdef0123456789abcdef"}, {"auth_token": TOKEN}, 0, 1)
RECEIVED_US = 1_700_000_000_000_000


def fixture(name: str, **changes: str) -> dict[str, list[str]]:
    params = {**json.loads((TESTDATA / name).read_text()), **changes}
    return {key: [value] for key, value in params.items() if value is not None}


def request(form: dict[str, list[str]], url: str = URL, token: str = TOKEN, method: str = "POST") -> WebhookRequest:
    return WebhookRequest(method, url, {SIGNATURE_HEADER: signature(token, url, form)}, {}, b"(the form)", form)


# Twilio's own validator tests (twilio-python tests/unit/test_request_validator.py).
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {"CallSid": ["CA1234567890ABCDE"], "Digits": ["1234"], "From": ["+14158675309"], "To": ["+18005551212"], "Caller": ["+14158675309"]}


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        (TWILIO_URL, TWILIO_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
        (TWILIO_URL, {"Sid": ["CA123"], "SidAccount": ["AC123"], "Digits": ["5678", "1234"]}, "IK+Dwps556ElfBT0I3Rgjkr1wJU="),
        (TWILIO_URL.replace(".com", ".com:443"), TWILIO_PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w="),
    ],
    ids=["params", "repeated-params", "with-port"],
)
def test_signature_matches_twilios_published_values(url: str, params: dict[str, list[str]], expected: str) -> None:
    assert signature("12345", url, params) == expected


@pytest.mark.parametrize(
    "signed_url",
    [URL, "https://hooks.example.com:443/webhooks/acme/sms"],
    ids=["as-received", "with-default-port"],
)
def test_a_valid_signature_passes(signed_url: str) -> None:
    form = fixture("inbound_sms.json")
    verify(IDENTITY, WebhookRequest("POST", URL, {SIGNATURE_HEADER: signature(TOKEN, signed_url, form)}, {}, b"", form))


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 403),
        ({SIGNATURE_HEADER: "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, 403),
        ({SIGNATURE_HEADER: signature("another-token", URL, fixture("inbound_sms.json"))}, 403),
        ({SIGNATURE_HEADER: signature(TOKEN, URL + "?x=1", fixture("inbound_sms.json"))}, 403),
        ({SIGNATURE_HEADER: signature(TOKEN, URL, fixture("inbound_sms.json", Body="tampered"))}, 403),
    ],
    ids=["missing", "wrong", "another-token", "another-url", "other-params"],
)
def test_a_bad_or_missing_signature_is_refused(headers: dict[str, str], status: int) -> None:
    with pytest.raises(WebhookRejected) as raised:
        verify(IDENTITY, WebhookRequest("POST", URL, headers, {}, b"", fixture("inbound_sms.json")))
    assert raised.value.status == status


def test_an_identity_without_auth_token_refuses_every_callback() -> None:
    without_token = IdentityRecord(IDENTITY.account_id, IDENTITY.id, 1, IDENTITY.address, "twilio", IDENTITY.settings, {}, 0, 2)
    with pytest.raises(WebhookRejected) as raised:
        verify(without_token, request(fixture("inbound_sms.json")))
    assert (raised.value.status, raised.value.reason) == (403, "the identity has no auth_token credential")


def test_only_post() -> None:
    with pytest.raises(WebhookRejected) as raised:
        verify(IDENTITY, request(fixture("inbound_sms.json"), method="GET"))
    assert raised.value.status == 405


@pytest.mark.parametrize(
    ("twilio_status", "error_code", "status", "provider_code", "failure"),
    [
        ("accepted", None, st.SENT, "accepted", ""),
        ("queued", None, st.SENT, "queued", ""),
        ("sending", None, st.SENT, "sending", ""),
        ("sent", None, st.SENT, "sent", ""),
        ("delivered", None, st.DELIVERED, "delivered", ""),
        ("read", None, st.READ, "read", ""),
        ("undelivered", "30003", st.UNDELIVERED, "30003", "UNDELIVERABLE"),
        ("undelivered", "30005", st.UNDELIVERED, "30005", "RECIPIENT_INVALID"),
        ("undelivered", "30006", st.UNDELIVERED, "30006", "RECIPIENT_INVALID"),
        ("undelivered", None, st.UNDELIVERED, "undelivered", "UNDELIVERABLE"),
        ("failed", "30001", st.FAILED, "30001", "PROVIDER_REJECTED"),
        ("failed", "21610", st.FAILED, "21610", "RECIPIENT_INVALID"),
        ("canceled", None, st.FAILED, "canceled", "PROVIDER_REJECTED"),
    ],
)
def test_status_mapping(twilio_status: str, error_code: str | None, status: int, provider_code: str, failure: str) -> None:
    form = fixture("status_callback.json", MessageStatus=twilio_status, SmsStatus=twilio_status, ErrorCode=error_code)
    result = parse(IDENTITY, request(form), RECEIVED_US)
    [report] = result.statuses
    assert (report.provider_message_id, report.status, report.provider_code) == ("SM5f1a0d8a3e9b4c7d8e2f6a1b3c4d5e6f", status, provider_code)
    assert (report.account_id, report.identity_id) == ("acme", "sms")
    assert (report.error.code if report.error else "") == failure
    if report.error:
        assert report.error.permanent and report.error.provider_code == provider_code and twilio_status in report.error.description
    assert (result.status, result.inbound) == (204, [])


def test_a_known_error_code_is_described() -> None:
    form = fixture("status_callback.json", MessageStatus="undelivered", SmsStatus="undelivered", ErrorCode="30007")
    [report] = parse(IDENTITY, request(form), RECEIVED_US).statuses
    assert report.error is not None and report.error.description == "twilio: undelivered (error 30007: filtered by the carrier)"


def test_an_unknown_status_is_acknowledged_and_nothing_stored() -> None:
    result = parse(IDENTITY, request(fixture("status_callback.json", MessageStatus="partially_delivered")), RECEIVED_US)
    assert (result.statuses, result.inbound, result.status) == ([], [], 204)


def test_inbound_sms() -> None:
    result = parse(IDENTITY, request(fixture("inbound_sms.json")), RECEIVED_US)
    [report] = result.inbound
    assert (report.sender, report.content.text.body, report.provider_message_ids) == ("+15557654321", "hello 5", ["SMbe794ce78f6b9fdf853d2acb76c080db"])
    assert (result.status, result.body, result.content_type, result.statuses) == (200, EMPTY_TWIML, "text/xml", [])


def test_inbound_mms_with_one_media_is_media_with_a_caption() -> None:
    form = fixture("inbound_mms.json", NumMedia="1", MediaContentType1=None, MediaUrl1=None)
    [report] = parse(IDENTITY, request(form), RECEIVED_US).inbound
    media = report.content.media
    assert (media.kind, media.mime_type, media.caption) == (MediaKind.MEDIA_KIND_IMAGE, "image/jpeg", "my receipt and my card")
    assert media.url.endswith("/Media/ME11111111111111111111111111111111")
    assert from_timestamp(media.expire_time) == RECEIVED_US + MEDIA_LIFETIME_US


def test_inbound_mms_with_several_media_is_mms_content() -> None:
    [report] = parse(IDENTITY, request(fixture("inbound_mms.json")), RECEIVED_US).inbound
    mms = report.content.mms
    assert mms.text == "my receipt and my card"
    assert [(m.kind, m.mime_type) for m in mms.media] == [(MediaKind.MEDIA_KIND_IMAGE, "image/jpeg"), (MediaKind.MEDIA_KIND_FILE, "text/vcard")]
    assert all(from_timestamp(m.expire_time) == RECEIVED_US + MEDIA_LIFETIME_US for m in mms.media)


@pytest.mark.parametrize(
    "form",
    [
        {},
        fixture("inbound_sms.json", MessageSid=None),
        fixture("inbound_sms.json", From=None),
        fixture("inbound_sms.json", NumMedia="two"),
        fixture("inbound_mms.json", MediaUrl1=None),
        fixture("status_callback.json", MessageSid=None),
    ],
    ids=["not-a-form", "no-sid", "no-sender", "num-media-not-a-number", "media-url-missing", "status-without-sid"],
)
def test_malformed_callbacks_get_400(form: dict[str, list[str]]) -> None:
    with pytest.raises(WebhookRejected) as raised:
        parse(IDENTITY, request(form), RECEIVED_US)
    assert raised.value.status == 400
