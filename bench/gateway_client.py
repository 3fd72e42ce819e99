"""Blocking calls the harness makes to the gateway between phases (never under load)."""

from __future__ import annotations

import time

import grpc
from omnirelay.v1 import identities_pb2, identities_pb2_grpc, messaging_pb2, messaging_pb2_grpc
from omnirelay.v1.common_pb2 import Channel

from bench.workload import IDENTITY_ADDRESS, IDENTITY_ID, bearer

CALL_TIMEOUT_S = 10.0
IDLE_POLL_S = 0.25
# The sandbox ends every message this harness sends at READ.
NOT_FINISHED = 'status != "READ"'


def create_sms_identity(address: str, api_key: str) -> None:
    """The sandbox SMS sender every send of the run goes out from."""
    request = identities_pb2.CreateChannelIdentityRequest(
        channel_identity_id=IDENTITY_ID,
        channel_identity=identities_pb2.ChannelIdentity(channel=Channel.CHANNEL_SMS, address=IDENTITY_ADDRESS, adapter="sandbox"),
    )
    with grpc.insecure_channel(address) as channel:
        stub = identities_pb2_grpc.ChannelIdentityServiceStub(channel)
        stub.CreateChannelIdentity(request, metadata=bearer(api_key), timeout=CALL_TIMEOUT_S)


def _has_unfinished(stub: messaging_pb2_grpc.MessagingServiceStub, api_key: str) -> bool:
    request = messaging_pb2.ListMessagesRequest(filter=NOT_FINISHED, page_size=1)
    return bool(stub.ListMessages(request, metadata=bearer(api_key), timeout=CALL_TIMEOUT_S).messages)


def wait_until_idle(address: str, api_key: str, timeout_s: float) -> dict[str, float | bool]:
    """Poll until no message is short of READ, so one phase's dispatch work does not run into
    the next one. Returns how long it took and whether it got there."""
    start = time.monotonic()
    with grpc.insecure_channel(address) as channel:
        stub = messaging_pb2_grpc.MessagingServiceStub(channel)
        idle = not _has_unfinished(stub, api_key)
        while not idle and time.monotonic() - start < timeout_s:
            time.sleep(IDLE_POLL_S)
            idle = not _has_unfinished(stub, api_key)
    return {"seconds": round(time.monotonic() - start, 2), "idle": idle}
