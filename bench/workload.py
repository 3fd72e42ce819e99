"""What the load generator sends: method paths, the request payload and call metadata."""

from __future__ import annotations

from dataclasses import dataclass

from omnirelay.v1 import messaging_pb2, sandbox_pb2
from omnirelay.v1.content_pb2 import Content, Text

ACCOUNT_ID = "bench"
IDENTITY_ID = "sms-bench"
SMPP_IDENTITY_ID = "smpp-bench"
IDENTITY_ADDRESS = "+15551234567"
RECIPIENT = "+15557654321"

ECHO_METHOD = "/omnirelay.bench.Echo/Echo"
PUBLISH_METHOD = "/omnirelay.bench.Echo/Publish"
SUBSCRIBE_METHOD = "/omnirelay.bench.Echo/Subscribe"
SEND_METHOD = "/omnirelay.v1.MessagingService/SendMessage"
STREAM_EVENTS_METHOD = "/omnirelay.v1.MessagingService/StreamMessageEvents"
STREAM_INBOUND_METHOD = "/omnirelay.v1.MessagingService/StreamInboundMessages"
INJECT_METHOD = "/omnirelay.v1.SandboxService/InjectInboundMessage"

Metadata = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Target:
    """One unary method on one server, called with the same serialized request every time."""

    address: str
    method: str
    payload: bytes
    metadata: Metadata = ()


def send_message_request(identity: str = IDENTITY_ID) -> bytes:
    """A typical SMS send: one short text, one metadata pair, no request_id."""
    request = messaging_pb2.SendMessageRequest(
        identity=identity,
        recipient=RECIPIENT,
        content=Content(text=Text(body="Your code is 123456")),
        metadata={"order": "42"},
    )
    return request.SerializeToString()


def inject_inbound_request() -> bytes:
    """One short inbound text from a customer to the bench identity: one event in the log."""
    request = sandbox_pb2.InjectInboundMessageRequest(identity=IDENTITY_ID, sender=RECIPIENT, content=Content(text=Text(body="STOP")))
    return request.SerializeToString()


def bearer(api_key: str) -> Metadata:
    return (("authorization", f"Bearer {api_key}"),)


def echo_target(address: str) -> Target:
    return Target(address, ECHO_METHOD, send_message_request())


def send_target(address: str, api_key: str, identity: str = IDENTITY_ID) -> Target:
    return Target(address, SEND_METHOD, send_message_request(identity), bearer(api_key))


def inject_target(address: str, api_key: str) -> Target:
    return Target(address, INJECT_METHOD, inject_inbound_request(), bearer(api_key))


def publish_target(address: str) -> Target:
    return Target(address, PUBLISH_METHOD, b"")
