"""Channel rules through a real server: ListChannels, strict and adapt SendMessage, MMS media
sizes (given, or by HEAD against a local HTTPS server), inbound media expiry, TranscodeMessage."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator

import grpc
import httpx
import pytest
import trustme
from aiohttp import web
from google.protobuf.json_format import MessageToDict
from omnirelay.v1 import channels_pb2, identities_pb2, messaging_pb2, sandbox_pb2
from omnirelay.v1 import content_pb2 as c
from omnirelay.v1.channels_pb2 import ContentType
from omnirelay.v1.common_pb2 import Channel, SmsEncoding
from omnirelay.v1.content_pb2 import AdaptationMode
from omnirelay.v1.identities_pb2 import NumberType

from omnirelay.api.media import MediaProbe, MediaSizeUnknown
from omnirelay.domain import status as st
from omnirelay.store.schema import messages
from tests.api.test_messages import count_rows
from tests.conftest import Client, create_identity, fails, wait_for_status

ADAPT = AdaptationMode.ADAPTATION_MODE_ADAPT
IMAGE = c.MediaKind.MEDIA_KIND_IMAGE
LOCATION = c.Content(location=c.Location(latitude=48.8584, longitude=2.2945, name="Eiffel Tower"))
MAPS_TEXT = "Eiffel Tower\nhttps://www.google.com/maps/search/?api=1&query=48.8584,2.2945"
CHOICE = c.Content(choice=c.Choice(text="Delivery slot?", actions=[c.Action(text="Morning", reply=c.Reply()), c.Action(text="Evening", reply=c.Reply())]))
CHOICE_TEXT = "Delivery slot?\n1. Morning\n2. Evening"


async def mms_identity(client: Client, number_type: int = NumberType.NUMBER_TYPE_LONG_CODE) -> None:
    await client.identities.CreateChannelIdentity(identities_pb2.CreateChannelIdentityRequest(
        channel_identity_id="mms",
        channel_identity=identities_pb2.ChannelIdentity(channel=Channel.CHANNEL_MMS, address="+15551230001", adapter="sandbox", number_type=number_type),
    ))


def send(identity: str, content: c.Content, **kw: object) -> messaging_pb2.SendMessageRequest:
    return messaging_pb2.SendMessageRequest(identity=identity, recipient="+15557654321", content=content, **kw)


def image(url: str = "https://media.example.com/a.png", size: int = 0) -> c.Content:
    return c.Content(media=c.Media(kind=IMAGE, url=url, size_bytes=size))


@pytest.mark.settings(sms_max_segments=3)
async def test_list_channels_returns_the_matrix_and_limits(client):  # type: ignore[no-untyped-def]
    listed = {ch.channel: ch for ch in (await client.channels.ListChannels(channels_pb2.ListChannelsRequest())).channels}
    assert set(listed) == set(Channel.values()) - {Channel.CHANNEL_UNSPECIFIED}
    sms, mms, whatsapp, push = (listed[ch] for ch in (Channel.CHANNEL_SMS, Channel.CHANNEL_MMS, Channel.CHANNEL_WHATSAPP, Channel.CHANNEL_PUSH))
    assert list(sms.outbound) == list(sms.inbound) == [ContentType.CONTENT_TYPE_TEXT]
    assert list(mms.outbound) == [ContentType.CONTENT_TYPE_TEXT, ContentType.CONTENT_TYPE_IMAGE]
    assert len(whatsapp.outbound) == 10 and len(whatsapp.inbound) == 7
    assert len(push.outbound) == 6 and not push.inbound
    assert sms.limits.max_segments == 3  # the gateway's --sms-max-segments
    assert (whatsapp.limits.max_buttons, whatsapp.limits.max_action_chars, whatsapp.limits.max_list_rows) == (3, 20, 10)
    assert push.limits.max_payload_bytes == 4096
    sizes = {(s.carrier, s.number_type): s.max_bytes for s in mms.limits.media_size_limits}
    assert len(sizes) == 15 and sizes[("verizon", NumberType.NUMBER_TYPE_LONG_CODE)] == 1_200_000
    assert mms.limits.recommended_media_bytes == 500_000
    assert (mms.inbound_media_retention.seconds, whatsapp.inbound_media_retention.seconds) == (2 * 86400, 14 * 86400)
    assert not sms.HasField("inbound_media_retention")
    assert {"sandbox", "twilio"} <= set(sms.adapters) and "twilio" not in whatsapp.adapters
    assert list(push.adapters) == ["sandbox"]


async def test_strict_send_refuses_what_the_channel_cannot_carry_and_stores_nothing(gateway, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    error = await fails(client.messaging.SendMessage(send("sms", LOCATION)))
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, "CONTENT_NOT_SUPPORTED")
    assert error.fields == ["content.location"]
    assert error.metadata == {"channel": "SMS", "content_type": "LOCATION"}
    assert await count_rows(gateway, messages) == 0


async def test_adapt_send_stores_and_sends_the_adapted_content(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send("sms", CHOICE, adaptation_mode=ADAPT))
    assert sent.content.text.body == CHOICE_TEXT
    assert list(sent.adaptations) == ["content.choice -> numbered text: SMS cannot carry buttons content"]
    assert (sent.sms_encoding, sent.segment_count) == (SmsEncoding.SMS_ENCODING_GSM7, 1)
    done = await wait_for_status(client, sent.name, st.READ)
    assert done.status == st.READ
    assert done.content.text.body == CHOICE_TEXT and list(done.adaptations) == list(sent.adaptations)


@pytest.mark.settings(sms_max_segments=2)
async def test_sms_segment_limit_is_the_setting(gateway, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    ok = await client.messaging.SendMessage(send("sms", c.Content(text=c.Text(body="a" * 306))))
    assert ok.segment_count == 2
    error = await fails(client.messaging.SendMessage(send("sms", c.Content(text=c.Text(body="a" * 307)))))
    assert (error.code, error.reason, error.fields) == (grpc.StatusCode.INVALID_ARGUMENT, "TOO_MANY_SEGMENTS", ["content.text.body"])
    assert await count_rows(gateway, messages) == 1


async def test_mms_size_from_the_request_against_the_identitys_number_type(gateway, client):  # type: ignore[no-untyped-def]
    await mms_identity(client, NumberType.NUMBER_TYPE_TOLL_FREE)
    ok = await client.messaging.SendMessage(send("mms", image(size=525_000)))
    assert list(ok.warnings) == ["MMS media total 525000 bytes is over the 500000 bytes carriers recommend; some handsets may not receive it"]
    quiet = await client.messaging.SendMessage(send("mms", image(size=500_000)))
    assert not quiet.warnings
    error = await fails(client.messaging.SendMessage(send("mms", image(size=525_001))))
    assert (error.code, error.reason, error.fields) == (grpc.StatusCode.INVALID_ARGUMENT, "MEDIA_TOO_LARGE", ["content.media.size_bytes"])
    assert error.metadata == {"limit_bytes": "525000", "size_bytes": "525001"}
    assert await count_rows(gateway, messages) == 2


async def test_mms_carrier_option_picks_its_limit(client):  # type: ignore[no-untyped-def]
    await mms_identity(client)
    verizon = c.ChannelOptions(mms=c.MmsOptions(carrier="verizon"))
    assert (await client.messaging.SendMessage(send("mms", image(size=1_200_000), options=verizon))).warnings
    assert (await fails(client.messaging.SendMessage(send("mms", image(size=1_200_000))))).reason == "MEDIA_TOO_LARGE"


# --- a local HTTPS media host -------------------------------------------------------------

@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def media_host(ca: trustme.CA) -> AsyncIterator[str]:
    """https://127.0.0.1:PORT serving /big.png (600 kB), /small.png (1 kB), /slow.png, /moved.png."""
    def sized(size: int):  # type: ignore[no-untyped-def]
        async def handler(request: web.Request) -> web.Response:
            return web.Response(body=b"\0" * size, content_type="image/png")

        return handler

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.Response(body=b"\0")

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/small.png")

    app = web.Application()
    app.router.add_get("/big.png", sized(600_000))
    app.router.add_get("/small.png", sized(1_000))
    app.router.add_get("/slow.png", slow)
    app.router.add_get("/moved.png", moved)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def trusting_http(ca: trustme.CA) -> AsyncIterator[httpx.AsyncClient]:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    async with httpx.AsyncClient(verify=ctx) as http:
        yield http


async def test_probe_reads_content_length_and_refuses_what_it_must(media_host, trusting_http):  # type: ignore[no-untyped-def]
    probe = MediaProbe(trusting_http, 0.5, allow_private=True)
    assert await probe.size(f"{media_host}/big.png") == 600_000
    for path, why in [("/slow.png", "no answer within 0.5 s"), ("/moved.png", "answered 302"), ("/none.png", "answered 404")]:
        with pytest.raises(MediaSizeUnknown, match=why):
            await probe.size(media_host + path)
    with pytest.raises(MediaSizeUnknown, match="only asks https"):
        await probe.size(media_host.replace("https", "http") + "/big.png")
    guarded = MediaProbe(trusting_http, 0.5)
    with pytest.raises(MediaSizeUnknown, match=r"non-public address \(127.0.0.1\)"):
        await guarded.size(f"{media_host}/big.png")


@pytest.mark.parametrize(
    ("addresses", "why"),
    [(["10.1.2.3"], "non-public address"), (["93.184.215.14", "::ffff:192.168.0.1"], "non-public address"), (["169.254.169.254"], "non-public"), ([], "does not resolve")],
    ids=["private", "one-of-several-mapped", "metadata-endpoint", "nothing"],
)
async def test_probe_refuses_hosts_resolving_to_non_public_addresses(trusting_http, addresses, why):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        assert (host, port) == ("media.example.com", 443)
        return addresses

    with pytest.raises(MediaSizeUnknown, match=why):
        await MediaProbe(trusting_http, 0.5, resolve=resolve).size("https://media.example.com/a.png")


async def test_mms_send_heads_the_media_url_for_its_size(gateway, client, media_host, trusting_http):  # type: ignore[no-untyped-def]
    await mms_identity(client)
    refused = await fails(client.messaging.SendMessage(send("mms", image(f"{media_host}/big.png"))))
    assert (refused.reason, refused.fields) == ("MEDIA_SIZE_UNKNOWN", ["content.media.size_bytes"])
    assert "non-public address" in refused.message
    gateway.deps.media = MediaProbe(trusting_http, 0.5, allow_private=True)
    too_big = await fails(client.messaging.SendMessage(send("mms", image(f"{media_host}/big.png"))))
    assert (too_big.reason, too_big.metadata["size_bytes"]) == ("MEDIA_TOO_LARGE", "600000")
    verizon = c.ChannelOptions(mms=c.MmsOptions(carrier="verizon"))
    warned = await client.messaging.SendMessage(send("mms", image(f"{media_host}/big.png"), options=verizon))
    assert len(warned.warnings) == 1 and "600000 bytes" in warned.warnings[0]
    ok = await client.messaging.SendMessage(send("mms", image(f"{media_host}/small.png")))
    assert not ok.warnings
    assert await count_rows(gateway, messages) == 2


@pytest.mark.settings(media_head_allow_private=True)
async def test_allow_private_setting_lets_the_head_reach_loopback(client, media_host):  # type: ignore[no-untyped-def]
    await mms_identity(client)
    error = await fails(client.messaging.SendMessage(send("mms", image(f"{media_host}/big.png"))))
    # Past the address check; the gateway's client does not trust the test CA.
    assert error.reason == "MEDIA_SIZE_UNKNOWN" and "HEAD of the URL failed: ConnectError" in error.message


@pytest.mark.parametrize(
    ("on", "days"),
    [(Channel.CHANNEL_MMS, 2), (Channel.CHANNEL_WHATSAPP, 14), (Channel.CHANNEL_MESSENGER, 0)],
    ids=["mms-2-days", "whatsapp-14-days", "messenger-unstated"],
)
async def test_inbound_media_expires_with_the_channels_retention(client, on, days):  # type: ignore[no-untyped-def]
    address = "page-1" if on == Channel.CHANNEL_MESSENGER else "+15551230002"
    await create_identity(client, "in", on, address)
    sender = "psid-1" if on == Channel.CHANNEL_MESSENGER else "+15557654321"
    got = await client.sandbox.InjectInboundMessage(sandbox_pb2.InjectInboundMessageRequest(identity="in", sender=sender, content=image()))
    expected = got.receive_time.ToMicroseconds() + days * 86400 * 1_000_000 if days else 0
    assert got.content.media.expire_time.ToMicroseconds() == expected


# --- TranscodeMessage -------------------------------------------------------------------

ALL_CHANNELS = [Channel.CHANNEL_SMS, Channel.CHANNEL_MMS, Channel.CHANNEL_RCS, Channel.CHANNEL_WHATSAPP, Channel.CHANNEL_APPLE, Channel.CHANNEL_PUSH, Channel.CHANNEL_MESSENGER]
PHONE = {Channel.CHANNEL_SMS, Channel.CHANNEL_MMS, Channel.CHANNEL_RCS, Channel.CHANNEL_WHATSAPP}


def sandbox_payload(channel: int, content: dict) -> dict:  # type: ignore[type-arg]
    phone = channel in PHONE
    return {"from": "+15550100001" if phone else "SENDER", "to": "+15550100000" if phone else "RECIPIENT", "content": content}


async def test_transcode_for_every_channel_strict_and_adapt(gateway, client):  # type: ignore[no-untyped-def]
    adapted = await client.channels.TranscodeMessage(channels_pb2.TranscodeMessageRequest(channels=ALL_CHANNELS, content=CHOICE, adaptation_mode=ADAPT))
    strict = await client.channels.TranscodeMessage(channels_pb2.TranscodeMessageRequest(channels=ALL_CHANNELS, content=CHOICE))
    as_text = {"text": {"body": CHOICE_TEXT}}
    for channel, a, s in zip(ALL_CHANNELS, adapted.results, strict.results, strict=True):
        assert a.channel == s.channel == channel
        text_only = channel in (Channel.CHANNEL_SMS, Channel.CHANNEL_MMS, Channel.CHANNEL_PUSH)
        expected = as_text if text_only else MessageToDict(CHOICE)
        assert (a.adapter, [MessageToDict(p) for p in a.payloads]) == ("sandbox", [sandbox_payload(channel, expected)])
        assert MessageToDict(a.content) == expected and not a.HasField("error")
        if text_only:
            assert list(a.adaptations) == [f"content.choice -> numbered text: {Channel.Name(channel)[8:]} cannot carry buttons content"]
            assert (s.error.reason, [v.field for v in s.error.field_violations]) == ("CONTENT_NOT_SUPPORTED", ["content.choice"])
            assert not s.payloads
        else:
            assert not a.adaptations and MessageToDict(s) == MessageToDict(a)
    assert (adapted.results[0].sms_encoding, adapted.results[0].segment_count) == (SmsEncoding.SMS_ENCODING_GSM7, 1)
    assert await count_rows(gateway, messages) == 0


async def test_transcode_with_an_identity_renders_as_it_would_send(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    result = (await client.channels.TranscodeMessage(channels_pb2.TranscodeMessageRequest(
        identity="sms", recipient="+1 555 765 4321", content=LOCATION, adaptation_mode=ADAPT,
    ))).results[0]
    assert result.channel == Channel.CHANNEL_SMS
    assert [MessageToDict(p) for p in result.payloads] == [{"from": "+15551230000", "to": "+15557654321", "content": {"text": {"body": MAPS_TEXT}}}]
    limit = (await client.channels.TranscodeMessage(channels_pb2.TranscodeMessageRequest(identity="sms", content=c.Content(text=c.Text(body="a" * 1531))))).results[0]
    assert limit.error.reason == "TOO_MANY_SEGMENTS" and not limit.payloads


SECRET = "s3cr3t-never-rendered"
PROVIDER_IDENTITIES = {
    "smpp": identities_pb2.ChannelIdentity(
        channel=Channel.CHANNEL_SMS, address="+15551230000", adapter="smpp",
        settings={"host": "127.0.0.1", "port": "2775", "system_id": "omnirelay"}, credentials={"password": SECRET}),
    "twilio": identities_pb2.ChannelIdentity(
        channel=Channel.CHANNEL_SMS, address="+15551230000", adapter="twilio",
        settings={"account_sid": "AC0123456789abcdef0123456789abcdef"}, credentials={"auth_token": SECRET}),
    "whatsapp": identities_pb2.ChannelIdentity(
        channel=Channel.CHANNEL_WHATSAPP, address="+15550001234", adapter="whatsapp",
        settings={"phone_number_id": "106540352242922"}, credentials={"access_token": SECRET, "app_secret": SECRET, "verify_token": SECRET}),
    "messenger": identities_pb2.ChannelIdentity(
        channel=Channel.CHANNEL_MESSENGER, address="112233445566778", adapter="messenger",
        credentials={"page_access_token": SECRET, "app_secret": SECRET, "verify_token": SECRET}),
}


@pytest.mark.parametrize(
    ("adapter", "recipient", "expected"),
    [
        ("smpp", "+15557654321", {"command": "submit_sm", "source_addr": "15551230000", "destination_addr": "15557654321", "registered_delivery": 1, "data_coding": 0}),
        ("twilio", "+15557654321", {"method": "POST", "path": "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json",
                                    "form": {"From": "+15551230000", "To": "+15557654321", "Body": "Delivery slot?\n1. Morning\n2. Evening"}}),
        ("whatsapp", "+15557654321", {"method": "POST", "path": "/v21.0/106540352242922/messages",
                                      "json": {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "15557654321", "type": "interactive"}}),
        ("messenger", "4242", {"method": "POST", "path": "/v21.0/me/messages", "json": {"recipient": {"id": "4242"}, "messaging_type": "RESPONSE"}}),
    ],
    ids=["smpp", "twilio", "whatsapp", "messenger"],
)
async def test_transcode_renders_the_provider_request_of_the_identitys_adapter(client, adapter, recipient, expected):  # type: ignore[no-untyped-def]
    await client.identities.CreateChannelIdentity(identities_pb2.CreateChannelIdentityRequest(channel_identity_id=adapter, channel_identity=PROVIDER_IDENTITIES[adapter]))
    result = (await client.channels.TranscodeMessage(channels_pb2.TranscodeMessageRequest(
        identity=adapter, recipient=recipient, content=CHOICE, adaptation_mode=ADAPT,
    ))).results[0]
    assert not result.HasField("error") and result.adapter == adapter
    [payload] = [MessageToDict(p) for p in result.payloads]
    for key, value in expected.items():
        assert value.items() <= payload[key].items() if isinstance(value, dict) else payload[key] == value, (key, payload)
    assert SECRET not in str(payload)


async def test_transcode_reports_mms_size_errors_and_warnings(client):  # type: ignore[no-untyped-def]
    request = channels_pb2.TranscodeMessageRequest(channels=[Channel.CHANNEL_MMS], content=image(size=600_000), number_type=NumberType.NUMBER_TYPE_SHORT_CODE,
                                                   options=c.ChannelOptions(mms=c.MmsOptions(carrier="sprint")))
    result = (await client.channels.TranscodeMessage(request)).results[0]
    assert len(result.warnings) == 1 and result.payloads
    request.options.mms.carrier = ""
    assert (await client.channels.TranscodeMessage(request)).results[0].error.reason == "MEDIA_TOO_LARGE"


@pytest.mark.parametrize(
    ("request_", "reason", "fields"),
    [
        (channels_pb2.TranscodeMessageRequest(content=CHOICE), "INVALID_FIELD", ["channels"]),
        (channels_pb2.TranscodeMessageRequest(channels=[Channel.CHANNEL_UNSPECIFIED], content=CHOICE), "INVALID_FIELD", ["channels[0]"]),
        (channels_pb2.TranscodeMessageRequest(identity="sms", channels=[Channel.CHANNEL_WHATSAPP], content=CHOICE), "INVALID_FIELD", ["channels[0]"]),
        (channels_pb2.TranscodeMessageRequest(identity="sms", adapter="sandbox", content=CHOICE), "INVALID_FIELD", ["adapter"]),
        (channels_pb2.TranscodeMessageRequest(channels=[Channel.CHANNEL_SMS], adapter="carrier-pigeon", content=CHOICE), "UNKNOWN_ADAPTER", ["adapter"]),
    ],
    ids=["no-channels", "unspecified-channel", "channel-not-the-identitys", "identity-and-adapter", "unknown-adapter"],
)
async def test_transcode_bad_requests(client, request_, reason, fields):  # type: ignore[no-untyped-def]
    await create_identity(client)
    error = await fails(client.channels.TranscodeMessage(request_))
    assert (error.code, error.reason, error.fields) == (grpc.StatusCode.INVALID_ARGUMENT, reason, fields)
