"""Several `omnirelay serve` processes on one PostgreSQL database, as behind a load balancer:
events reach subscribers on every replica, a replica killed mid-send loses nothing, an
identity's rate holds across replicas, exclusive connections move when their holder dies, and a
database outage fails sends with UNAVAILABLE, never a false OK.

PostgreSQL only (SQLite is one process). The replicas' event-log readers poll only every 30 s
here, so events that reach a subscriber on time came by LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import grpc
import httpx
import pytest
from omnirelay.v1 import content_pb2, identities_pb2, messaging_pb2
from sqlalchemy.engine import make_url

from omnirelay.channels.sandbox.webhook import SIGNATURE_HEADER
from omnirelay.channels.signing import signature
from omnirelay.domain import status as st
from tests.api.test_rate_limits import max_per_second
from tests.conftest import Client, create_identity, failure
from tests.system.conftest import ServerProcess, create_key

FAST = (
    "--sandbox-delivered-delay-ms", "20", "--sandbox-read-delay-ms", "40",
    "--event-poll-seconds", "30", "--dispatch-poll-seconds", "0.2", "--lease-seconds", "2", "--shutdown-grace-seconds", "1",
)
LIFECYCLE = [st.QUEUED, st.SENDING, st.SENT, st.DELIVERED, st.READ]


@pytest.fixture
def pg_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL database; SQLite serves one process")
    return database_url


@pytest.fixture
def start(pg_url: str, servers: list[ServerProcess], tmp_path: Path) -> Iterator[object]:
    """start(n, *flags, url=...) -> n replicas, logging (debug) to tmp_path/replica-<i>.log."""

    def replicas(n: int, *flags: str, url: str = pg_url) -> list[ServerProcess]:
        started = []
        for _ in range(n):
            log = tmp_path / f"replica-{len(servers)}.log"
            started.append(ServerProcess(url, *FAST, "--log-level", "debug", *flags, log_path=log))
            servers.append(started[-1])
        return started

    yield replicas


async def _query(url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


def _text(body: str) -> content_pb2.Content:
    return content_pb2.Content(text=content_pb2.Text(body=body))


async def _send_spread(clients: list[Client], count: int, prefix: str) -> list[str]:
    """`count` sends round-robin over the replicas, concurrently."""
    requests = [
        clients[i % len(clients)].messaging.SendMessage(messaging_pb2.SendMessageRequest(identity="sms", recipient="+15557654321", content=_text(f"{prefix}-{i}")))
        for i in range(count)
    ]
    return [m.name for m in await asyncio.gather(*requests)]


async def _wait_all(client: Client, names: list[str], done: object, timeout: float = 30.0) -> list[messaging_pb2.Message]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [await client.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=n)) for n in names]
        if all(done(m) for m in found) or asyncio.get_running_loop().time() > deadline:  # type: ignore[operator]
            return found
        await asyncio.sleep(0.2)


class Channels:
    """One gRPC channel and client per replica."""

    def __init__(self, replicas: list[ServerProcess], key: str) -> None:
        self.channels = [grpc.aio.insecure_channel(r.address) for r in replicas]
        self.clients = [Client(c, key) for c in self.channels]

    async def close(self) -> None:
        for channel in self.channels:
            await channel.close()


@pytest.fixture
async def connect() -> AsyncIterator[object]:
    opened: list[Channels] = []

    def channels(replicas: list[ServerProcess], key: str) -> Channels:
        opened.append(Channels(replicas, key))
        return opened[-1]

    yield channels
    for c in opened:
        await c.close()


async def _collect(stream: object, until: object, out: list[object]) -> None:
    async for response in stream:  # type: ignore[attr-defined]
        if response.WhichOneof("item") != "checkpoint":
            out.append(getattr(response, response.WhichOneof("item")))
            if until(out):  # type: ignore[operator]
                return


async def test_subscribers_on_every_replica_see_every_event_once_in_commit_order(pg_url, start, connect) -> None:  # type: ignore[no-untyped-def]
    key = create_key(pg_url, "acme")
    replicas = start(3)
    c = connect(replicas, key)
    await c.clients[0].identities.CreateChannelIdentity(identities_pb2.CreateChannelIdentityRequest(
        channel_identity_id="sms",
        channel_identity=identities_pb2.ChannelIdentity(channel=1, address="+15551230000", adapter="sandbox", credentials={"webhook_secret": "s3cret"}),
    ))
    count, inbound = 30, 3
    events: list[list[messaging_pb2.MessageEvent]] = [[] for _ in replicas]
    received: list[list[messaging_pb2.InboundMessageEvent]] = [[] for _ in replicas]
    reads = lambda out: sum(e.status == st.READ for e in out) == count  # noqa: E731
    watchers = [
        asyncio.create_task(_collect(client.messaging.StreamMessageEvents(messaging_pb2.StreamMessageEventsRequest(start=messaging_pb2.StreamStart(oldest=True))), reads, events[i]))
        for i, client in enumerate(c.clients)
    ] + [
        asyncio.create_task(_collect(client.messaging.StreamInboundMessages(messaging_pb2.StreamInboundMessagesRequest()), lambda out: len(out) == inbound, received[i]))
        for i, client in enumerate(c.clients)
    ]
    await asyncio.sleep(0.5)  # the inbound streams start at "now": let them subscribe first
    names = await _send_spread(c.clients, count, "hello")
    # Customer messages arrive at the second replica's webhook.
    hook = (await c.clients[1].identities.GetChannelIdentity(identities_pb2.GetChannelIdentityRequest(name="accounts/acme/identities/sms"))).webhook_url
    async with httpx.AsyncClient() as http:
        for i in range(inbound):
            body = json.dumps({"inbound": [{"id": f"mo-{i}", "from": "+15557654321", "text": f"reply {i}"}]}).encode()
            answer = await http.post(hook, content=body, headers={SIGNATURE_HEADER: signature("s3cret", body)})
            assert answer.status_code == 200
    await asyncio.wait_for(asyncio.gather(*watchers), 30)

    logged = [r["seq"] for r in await _query(pg_url, "SELECT seq FROM events WHERE kind = 1 ORDER BY seq")]
    for seen in events:
        assert [e.sequence for e in seen] == logged  # every event, once, in commit order
        by_message: dict[str, list[int]] = {}
        for e in seen:
            by_message.setdefault(e.message, []).append(e.status)
        assert by_message == dict.fromkeys(names, LIFECYCLE)
    inbound_logged = [r["seq"] for r in await _query(pg_url, "SELECT seq FROM events WHERE kind = 2 ORDER BY seq")]
    for seen in received:
        assert [e.sequence for e in seen] == inbound_logged
        assert [e.message.content.text.body for e in seen] == [f"reply {i}" for i in range(inbound)]


def _sent_counts(logs: list[Path]) -> Counter[str]:
    """How often each message was handed to the (sandbox) provider, from the replicas' logs:
    the dispatcher logs `sent` once the provider accepted a message."""
    sent: Counter[str] = Counter()
    for path in logs:
        for line in path.read_text().splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("event") == "sent":
                    sent[entry["message_id"]] += 1
    return sent


async def test_a_replica_killed_while_holding_claimed_messages_loses_none(pg_url, start, connect, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = create_key(pg_url, "acme")
    replicas = start(3)
    c = connect(replicas, key)
    # The simulated provider takes 0.5 s per message: claimed messages pile up in flight.
    await create_identity(c.clients[0], send_delay_ms="500")
    names = await _send_spread(c.clients, 60, "survive")
    holding: dict[int, int] = {}
    for _ in range(100):
        rows = await _query(pg_url, "SELECT lease_owner, count(*) AS n FROM messages WHERE status = $1 AND lease_owner IS NOT NULL GROUP BY lease_owner", st.SENDING)
        holding = {int(r["lease_owner"].split(":")[1]): r["n"] for r in rows}
        if holding and max(holding.values()) >= 5:
            break
        await asyncio.sleep(0.05)
    victim = next(r for r in replicas if r.proc.pid == max(holding, key=holding.__getitem__))
    claimed = await _query(pg_url, "SELECT id FROM messages WHERE status = $1 AND lease_owner LIKE $2", st.SENDING, f"%:{victim.proc.pid}:%")
    victim.kill()
    assert len(claimed) >= 5

    survivor = c.clients[next(i for i, r in enumerate(replicas) if r is not victim)]
    done = await _wait_all(survivor, names, lambda m: m.status == st.READ, timeout=40)
    assert [m.status for m in done] == [st.READ] * len(names)  # none lost
    by_id = {m.name.rsplit("/", 1)[-1]: m for m in done}
    assert all(by_id[r["id"]].attempts >= 2 for r in claimed)  # taken over after the lease ran out
    sent = _sent_counts(sorted(tmp_path.glob("replica-*.log")))
    assert set(sent) == set(by_id)
    twice = sorted(m for m, n in sent.items() if n > 1)
    # At-least-once: only a message the victim handed over but had not recorded can go twice.
    assert set(twice) <= {r["id"] for r in claimed}
    print(f"\nkilled a replica holding {len(claimed)} claimed messages: {len(names)} delivered, {len(twice)} sent twice")


async def test_an_identity_rate_holds_across_replicas(pg_url, start, connect, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = create_key(pg_url, "acme")
    replicas = start(3)
    c = connect(replicas, key)
    rate = 5
    await create_identity(c.clients[0], rate_per_second=str(rate))
    names = await _send_spread(c.clients, 25, "paced")
    done = await _wait_all(c.clients[0], names, lambda m: m.HasField("sent_time"), timeout=30)
    assert all(m.HasField("sent_time") for m in done)
    assert max_per_second([m.sent_time.ToMicroseconds() for m in done]) <= rate
    senders = [path for path in sorted(tmp_path.glob("replica-*.log")) if _sent_counts([path])]
    assert len(senders) >= 2  # the limit held while several replicas were sending


async def test_an_exclusive_connection_moves_when_its_holder_dies(pg_url, start, connect) -> None:  # type: ignore[no-untyped-def]
    key = create_key(pg_url, "acme")
    replicas = start(2, "--sandbox-exclusive", "true", "--connection-lease-seconds", "1.5")
    c = connect(replicas, key)
    await create_identity(c.clients[0], send_delay_ms="100")

    async def holder() -> int | None:
        rows = await _query(pg_url, "SELECT owner FROM connection_leases WHERE expire_time > (extract(epoch from now()) * 1e6)::bigint")
        assert len(rows) <= 1
        return int(rows[0]["owner"].split(":")[1]) if rows else None

    async def sent_only_by(pid: int, names: list[str]) -> None:
        """Sample who holds the messages being sent, until all are READ."""
        owners: set[str] = set()
        for _ in range(300):
            rows = await _query(pg_url, "SELECT lease_owner FROM messages WHERE status = $1 AND lease_owner IS NOT NULL", st.SENDING)
            owners.update(r["lease_owner"] for r in rows)
            if not await _query(pg_url, "SELECT 1 FROM messages WHERE id = ANY($1) AND status != $2", [n.rsplit("/", 1)[-1] for n in names], st.READ):
                break
            await asyncio.sleep(0.02)
        assert owners and {int(o.split(":")[1]) for o in owners} == {pid}

    first = None
    for _ in range(100):
        first = await holder()
        if first is not None:
            break
        await asyncio.sleep(0.1)
    assert first in {r.proc.pid for r in replicas}
    await sent_only_by(first, await _send_spread(c.clients, 10, "before"))

    dead = next(r for r in replicas if r.proc.pid == first)
    dead.kill()
    other = next(r for r in replicas if r is not dead)
    second = None
    for _ in range(100):
        second = await holder()
        if second == other.proc.pid:
            break
        await asyncio.sleep(0.1)
    assert second == other.proc.pid
    await sent_only_by(other.proc.pid, await _send_spread([c.clients[replicas.index(other)]], 10, "after"))


class Proxy:
    """A TCP proxy to PostgreSQL on 127.0.0.1, which the test cuts (every connection dropped,
    new ones refused, as while PostgreSQL restarts) and restores. Only these replicas see it."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        self._writers.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.transport.abort()
                self._writers.discard(dst)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_a_database_outage_fails_sends_with_unavailable_and_loses_nothing(pg_url, start, connect) -> None:  # type: ignore[no-untyped-def]
    url = make_url(pg_url)
    proxy = Proxy(url.port or 5432)
    await proxy.open()
    try:
        key = create_key(pg_url, "acme")
        # Started from a thread: the proxy serves them from this event loop meanwhile.
        replicas = await asyncio.to_thread(start, 2, "--auth-cache-seconds", "60", url=url.set(port=proxy.port).render_as_string(hide_password=False))
        c = connect(replicas, key)
        await create_identity(c.clients[0])
        accepted = await _send_spread(c.clients, 10, "before")

        await proxy.cut()
        codes: Counter[str] = Counter()
        for i in range(10):
            request = messaging_pb2.SendMessageRequest(identity="sms", recipient="+15557654321", content=_text(f"during-{i}"), request_id=f"during-{i}")
            try:
                accepted.append((await c.clients[i % 2].messaging.SendMessage(request, timeout=15)).name)
                codes["OK"] += 1
            except grpc.aio.AioRpcError as error:
                codes[f"{error.code().name}:{failure(error).reason}"] += 1
            try:  # a read too (not cached): the same answer
                await c.clients[i % 2].messaging.GetMessage(messaging_pb2.GetMessageRequest(name=accepted[0]), timeout=15)
                codes["read OK"] += 1
            except grpc.aio.AioRpcError as error:
                codes[f"read {error.code().name}:{failure(error).reason}"] += 1
        assert codes == {"UNAVAILABLE:STORE_UNAVAILABLE": 10, "read UNAVAILABLE:STORE_UNAVAILABLE": 10}  # never a false OK, never INTERNAL
        await asyncio.sleep(1.5)
        await proxy.open()

        # Reconnected: the clients retry with the same request_ids, and each replica stores again.
        for i in range(10):
            request = messaging_pb2.SendMessageRequest(identity="sms", recipient="+15557654321", content=_text(f"during-{i}"), request_id=f"during-{i}")
            for _ in range(50):
                try:
                    accepted.append((await c.clients[i % 2].messaging.SendMessage(request, timeout=15)).name)
                    break
                except grpc.aio.AioRpcError as error:
                    assert error.code() == grpc.StatusCode.UNAVAILABLE
                    await asyncio.sleep(0.2)
        accepted += await _send_spread(c.clients, 10, "after")
        assert len(accepted) == 30
        done = await _wait_all(c.clients[1], accepted, lambda m: m.status == st.READ, timeout=30)
        assert [m.status for m in done] == [st.READ] * 30
        stored = await _query(pg_url, "SELECT count(*) AS n FROM messages WHERE request_id LIKE 'during-%'")
        assert stored[0]["n"] == 10
    finally:
        await proxy.cut()

