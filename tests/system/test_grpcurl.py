"""An operator's grpcurl session against a running server, with no .proto files at hand."""

from __future__ import annotations

import json
import subprocess

from tests.system.conftest import BIN, ServerProcess, create_key


def grpcurl(address: str, *after_address: str, data: object = None, key: str = "") -> str:
    """`grpcurl -plaintext [-H auth] [-d data] ADDRESS ...`; fails the test on a non-zero exit."""
    flags = ["-H", f"authorization: Bearer {key}"] if key else []
    if data is not None:
        flags += ["-d", json.dumps(data)]
    out = subprocess.run([str(BIN / "grpcurl"), "-plaintext", *flags, address, *after_address], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_grpcurl_lists_sends_gets_and_streams(database_url, servers):  # type: ignore[no-untyped-def]
    key = create_key(database_url, "demo")
    servers.append(ServerProcess(database_url, "--sandbox-delivered-delay-ms", "50", "--sandbox-read-delay-ms", "100"))
    address = servers[0].address
    services = grpcurl(address, "list").split()
    assert {"omnirelay.v1.MessagingService", "omnirelay.v1.ChannelIdentityService", "omnirelay.v1.AccountService",
            "omnirelay.v1.SandboxService", "omnirelay.v1.ChannelService", "grpc.health.v1.Health"} <= set(services)
    assert "rpc SendMessage" in grpcurl(address, "describe", "omnirelay.v1.MessagingService")
    assert json.loads(grpcurl(address, "grpc.health.v1.Health/Check"))["status"] == "SERVING"
    identity = json.loads(grpcurl(address, "omnirelay.v1.ChannelIdentityService/CreateChannelIdentity", key=key, data={
        "channel_identity_id": "sms-main",
        "channel_identity": {"channel": "CHANNEL_SMS", "address": "+15551234567", "adapter": "sandbox"},
    }))
    assert identity["name"] == "accounts/demo/identities/sms-main"
    sent = json.loads(grpcurl(address, "omnirelay.v1.MessagingService/SendMessage", key=key, data={
        "identity": "sms-main", "recipient": "+15557654321", "content": {"text": {"body": "Hello from grpcurl"}},
    }))
    assert sent["status"] == "MESSAGE_STATUS_QUEUED"
    # The README's channel-rules examples.
    listed = json.loads(grpcurl(address, "omnirelay.v1.ChannelService/ListChannels", key=key))
    sms = next(ch for ch in listed["channels"] if ch["channel"] == "CHANNEL_SMS")
    assert (sms["outbound"], sms["limits"]["max_segments"]) == (["CONTENT_TYPE_TEXT"], 10)
    dry_run = json.loads(grpcurl(address, "omnirelay.v1.ChannelService/TranscodeMessage", key=key, data={
        "channels": ["CHANNEL_SMS", "CHANNEL_WHATSAPP"], "adaptation_mode": "ADAPTATION_MODE_ADAPT",
        "content": {"choice": {"text": "Delivery slot?", "actions": [{"text": "Morning", "reply": {}}, {"text": "Evening", "reply": {}}]}},
    }))
    sms_result, whatsapp_result = dry_run["results"]
    assert sms_result["payloads"][0]["content"] == {"text": {"body": "Delivery slot?\n1. Morning\n2. Evening"}}
    assert "adaptations" not in whatsapp_result and "choice" in whatsapp_result["payloads"][0]["content"]
    adapted = json.loads(grpcurl(address, "omnirelay.v1.MessagingService/SendMessage", key=key, data={
        "identity": "sms-main", "recipient": "+15557654321", "adaptation_mode": "ADAPTATION_MODE_ADAPT",
        "content": {"location": {"latitude": 48.8584, "longitude": 2.2945, "name": "Eiffel Tower"}},
    }))
    assert adapted["adaptations"] == ["content.location -> maps link: SMS cannot carry location content"]
    got = json.loads(grpcurl(address, "omnirelay.v1.MessagingService/GetMessage", key=key, data={"name": sent["name"]}))
    assert got["content"]["text"]["body"] == "Hello from grpcurl"
    # The stream runs until -max-time; grpcurl then exits non-zero, so read its output directly.
    stream = subprocess.run(
        [str(BIN / "grpcurl"), "-plaintext", "-H", f"authorization: Bearer {key}", "-max-time", "3",
         "-d", json.dumps({"start": {"oldest": True}}), address, "omnirelay.v1.MessagingService/StreamMessageEvents"],
        capture_output=True, text=True, timeout=30,
    )
    for status in ("QUEUED", "SENDING", "SENT", "DELIVERED", "READ"):
        assert f"MESSAGE_STATUS_{status}" in stream.stdout
    bad = subprocess.run(
        [str(BIN / "grpcurl"), "-plaintext", "-H", f"authorization: Bearer {key}", "-d", '{"identity": "sms-main"}',
         address, "omnirelay.v1.MessagingService/SendMessage"],
        capture_output=True, text=True, timeout=30,
    )
    assert bad.returncode != 0 and "InvalidArgument" in bad.stderr and '"field":"recipient"' in bad.stderr
