"""Shared fixtures: every API test runs against a real gateway on loopback, once on SQLite and
once on PostgreSQL (OMNIRELAY_TEST_POSTGRES_URL, a server where the tests may create databases)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from functools import partial

import asyncpg
import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from omnirelay.v1 import (
    accounts_pb2_grpc,
    channels_pb2_grpc,
    identities_pb2,
    identities_pb2_grpc,
    messaging_pb2,
    messaging_pb2_grpc,
    sandbox_pb2_grpc,
    sessions_pb2_grpc,
)
from omnirelay.v1.common_pb2 import Channel
from sqlalchemy.engine import make_url

from omnirelay.app import Gateway
from omnirelay.config import Settings
from omnirelay.domain.clock import now_us
from omnirelay.store import directory

POSTGRES_URL = os.environ.get("OMNIRELAY_TEST_POSTGRES_URL", "")
FAST = Settings(
    listen="127.0.0.1:0",
    webhook_listen="127.0.0.1:0",
    sandbox_delivered_delay_ms=30,
    sandbox_read_delay_ms=60,
    dispatch_poll_seconds=0.05,
    event_poll_seconds=0.05,
    retry_base_seconds=0.05,
    checkpoint_seconds=5,
    shutdown_grace_seconds=2,
    log_level="warning",
    log_format="json",
)


def _postgres_database() -> Iterator[str]:
    """A fresh database per test, dropped afterwards."""
    name = f"omnirelay_test_{uuid.uuid4().hex[:12]}"
    server = make_url(POSTGRES_URL)
    admin_dsn = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)

    async def execute(sql: str) -> None:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/omnirelay.db"
        return
    if not POSTGRES_URL:
        pytest.skip("OMNIRELAY_TEST_POSTGRES_URL is not set (.ci/run sets it to the local PostgreSQL)")
    yield from _postgres_database()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Override per test with `@pytest.mark.settings(field=value, ...)`."""
    return dataclasses.replace(FAST, database_url=database_url)


class MovableClock:
    """Real time plus an offset a test moves forward (session windows close after 24 hours)."""

    def __init__(self) -> None:
        self.offset_us = 0

    def __call__(self) -> int:
        return now_us() + self.offset_us

    def advance(self, seconds: float) -> None:
        self.offset_us += int(seconds * 1_000_000)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def gateway(settings: Settings, clock: MovableClock, request: pytest.FixtureRequest) -> AsyncIterator[Gateway]:
    marker = request.node.get_closest_marker("settings")
    if marker is not None:
        settings = dataclasses.replace(settings, **marker.kwargs)
    gw = Gateway(settings, clock)
    await gw.start()
    try:
        yield gw
    finally:
        await gw.stop()


class Client:
    """Stubs that send one API key with every call."""

    def __init__(self, channel: grpc.aio.Channel, key: str) -> None:
        metadata = (("authorization", f"Bearer {key}"),)
        self.messaging = _Authed(messaging_pb2_grpc.MessagingServiceStub(channel), metadata)
        self.identities = _Authed(identities_pb2_grpc.ChannelIdentityServiceStub(channel), metadata)
        self.accounts = _Authed(accounts_pb2_grpc.AccountServiceStub(channel), metadata)
        self.sandbox = _Authed(sandbox_pb2_grpc.SandboxServiceStub(channel), metadata)
        self.channels = _Authed(channels_pb2_grpc.ChannelServiceStub(channel), metadata)
        self.sessions = _Authed(sessions_pb2_grpc.SessionServiceStub(channel), metadata)


class _Authed:
    def __init__(self, stub: object, metadata: tuple[tuple[str, str], ...]) -> None:
        self._stub, self._metadata = stub, metadata

    def __getattr__(self, name: str) -> object:
        method = getattr(self._stub, name)
        return lambda request, **kw: method(request, metadata=self._metadata, **kw)


@pytest.fixture
async def channel(gateway: Gateway) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{gateway.port}") as ch:
        yield ch


async def new_key(gateway: Gateway, account_id: str | None, admin: bool = False) -> str:
    _, key = await gateway.writer.submit(partial(directory.bootstrap_key, account_id=account_id, display_name="test", now_us=now_us(), admin=admin))
    return key


@pytest.fixture
async def client(gateway: Gateway, channel: grpc.aio.Channel) -> Client:
    """A client of account "acme"."""
    return Client(channel, await new_key(gateway, "acme"))


@pytest.fixture
async def admin(gateway: Gateway, channel: grpc.aio.Channel) -> Client:
    return Client(channel, await new_key(gateway, None, admin=True))


async def create_identity(client: Client, identity_id: str = "sms", channel: int = Channel.CHANNEL_SMS, address: str = "+15551230000", **settings: str) -> identities_pb2.ChannelIdentity:
    return await client.identities.CreateChannelIdentity(
        identities_pb2.CreateChannelIdentityRequest(
            channel_identity_id=identity_id,
            channel_identity=identities_pb2.ChannelIdentity(channel=channel, address=address, adapter="sandbox", settings=settings),
        )
    )


@dataclasses.dataclass
class RpcFailure:
    code: grpc.StatusCode
    message: str
    reason: str
    metadata: dict[str, str]
    fields: list[str]


def failure(error: grpc.aio.AioRpcError) -> RpcFailure:
    """The rich status of a failed call: ErrorInfo reason and BadRequest field names."""
    status = rpc_status.from_call(error)
    reason, metadata, fields = "", {}, []
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason, metadata = info.reason, dict(info.metadata)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields = [v.field for v in bad.field_violations]
    return RpcFailure(error.code(), error.details() or "", reason, metadata, fields)


async def fails(call: object) -> RpcFailure:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call  # type: ignore[misc]
    return failure(raised.value)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "settings(**kw): override gateway Settings for one test")


async def wait_for_status(client: Client, name: str, status: int, timeout: float = 5.0) -> messaging_pb2.Message:
    """Poll GetMessage until the message reaches `status` (bounded)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        message = await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=name))
        if message.status == status or asyncio.get_running_loop().time() > deadline:
            return message
        await asyncio.sleep(0.02)

