"""Blocking calls the harness makes to the gateway between phases (never under load)."""

from __future__ import annotations

import time

import grpc
from omnirelay.v1 import identities_pb2, identities_pb2_grpc, messaging_pb2, messaging_pb2_grpc
from omnirelay.v1.common_pb2 import Channel

from bench.workload import IDENTITY_ADDRESS, IDENTITY_ID, SMPP_IDENTITY_ID, bearer

CALL_TIMEOUT_S = 10.0
IDLE_POLL_S = 0.25
# The sandbox ends every message this harness sends at READ.
NOT_FINISHED = 'status != "READ"'


def create_sms_identity(address: str, api_key: str) -> None:
    """The sandbox SMS sender the sandbox phases send from."""
    _create_identity(address, api_key, identities_pb2.ChannelIdentity(channel=Channel.CHANNEL_SMS, address=IDENTITY_ADDRESS, adapter="sandbox"), IDENTITY_ID)


def create_smpp_identity(address: str, api_key: str, smsc_address: str) -> None:
    """The SMPP sender of the smpp phase, bound to the SMSC simulator."""
    host, port = smsc_address.rsplit(":", 1)
    identity = identities_pb2.ChannelIdentity(
        channel=Channel.CHANNEL_SMS, address=IDENTITY_ADDRESS, adapter="smpp",
        settings={"host": host, "port": port, "system_id": "bench", "window": "64"}, credentials={"password": "bench"},
    )
    _create_identity(address, api_key, identity, SMPP_IDENTITY_ID)


def _create_identity(address: str, api_key: str, identity: identities_pb2.ChannelIdentity, identity_id: str) -> None:
    request = identities_pb2.CreateChannelIdentityRequest(channel_identity_id=identity_id, channel_identity=identity)
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
