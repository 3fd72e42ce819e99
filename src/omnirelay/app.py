"""The composition root: builds the store, writer, event hub, adapters, dispatcher and servers."""

from __future__ import annotations

import asyncio
from functools import partial

import grpc
import httpx
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from omnirelay.api.accounts import AccountServicer
from omnirelay.api.auth import Authenticator
from omnirelay.api.channels import ChannelServicer
from omnirelay.api.deps import Deps, SendSettings, StreamSettings
from omnirelay.api.identities import ChannelIdentityServicer
from omnirelay.api.media import MediaProbe
from omnirelay.api.messaging import MessagingServicer
from omnirelay.api.sandbox import SandboxServicer
from omnirelay.api.sessions import SessionServicer
from omnirelay.channels.base import AdapterContext, InboundReport, ReportSink
from omnirelay.channels.catalog import adapter_specs
from omnirelay.channels.registry import AdapterRegistry
from omnirelay.config import Settings
from omnirelay.dispatch.connections import ConnectionOwner
from omnirelay.dispatch.dispatcher import Dispatcher, DispatchSettings
from omnirelay.domain import fallback
from omnirelay.domain.clock import Clock, now_us
from omnirelay.events.hub import EventHub, HubSettings
from omnirelay.events.retention import RetentionSweeper
from omnirelay.ingress.reports import store_inbound, store_status, store_watermark
from omnirelay.ingress.webhooks import WebhookServer
from omnirelay.store import database, migrate, notify
from omnirelay.store.database import PostgresDatabase, SqliteDatabase
from omnirelay.store.directory import IdentityDirectory
from omnirelay.store.maintenance import TableMaintenance
from omnirelay.store.writer import GroupCommitWriter
from omnirelay.store.writer_process import WriterProcess
from omnirelay.v1 import (
    accounts_pb2,
    accounts_pb2_grpc,
    channels_pb2,
    channels_pb2_grpc,
    identities_pb2,
    identities_pb2_grpc,
    messaging_pb2,
    messaging_pb2_grpc,
    sandbox_pb2,
    sandbox_pb2_grpc,
    sessions_pb2,
    sessions_pb2_grpc,
)

log = structlog.get_logger(__name__)

SERVICE_NAMES = (
    messaging_pb2.DESCRIPTOR.services_by_name["MessagingService"].full_name,
    identities_pb2.DESCRIPTOR.services_by_name["ChannelIdentityService"].full_name,
    accounts_pb2.DESCRIPTOR.services_by_name["AccountService"].full_name,
    sandbox_pb2.DESCRIPTOR.services_by_name["SandboxService"].full_name,
    channels_pb2.DESCRIPTOR.services_by_name["ChannelService"].full_name,
    sessions_pb2.DESCRIPTOR.services_by_name["SessionService"].full_name,
)


class Gateway:
    def __init__(self, settings: Settings, clock: Clock = now_us) -> None:
        self.settings = settings
        # Tests move time (session windows, fallback timeouts) with their own clock.
        self.clock = clock
        self.port = 0

    async def start(self) -> None:
        s = self.settings
        self.db = database.connect(s.database_url)
        await migrate.upgrade(self.db)
        self.writer_process = None
        if isinstance(self.db, SqliteDatabase) and s.sqlite_writer_process:
            self.writer_process = WriterProcess(self.db.url, s.log_level, s.log_format)
            await self.writer_process.start()
        self.writer = GroupCommitWriter(self.db, s.group_commit_max_batch, on_commit=self._wake,
                                        transactions=self.writer_process.run if self.writer_process else None)
        self.hub = EventHub(self.db, HubSettings(s.event_poll_seconds, buffer_size=s.stream_buffer))
        self.identities = IdentityDirectory(self.db, s.auth_cache_seconds)
        reports = ReportSink(
            status=partial(store_status, self.writer, clock=self.clock), inbound=self._store_inbound,
            watermark=partial(store_watermark, self.writer, clock=self.clock),
        )
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(s.provider_timeout_seconds), follow_redirects=False)
        self.adapters = AdapterRegistry(adapter_specs(s), AdapterContext(reports, self.http, self._webhook_url if s.webhook_listen else None))
        self.dispatcher = Dispatcher(
            self.db, self.writer, self.identities, self.adapters,
            DispatchSettings(s.dispatch_batch_size, s.dispatch_max_in_flight, s.lease_seconds, s.max_attempts,
                             s.retry_base_seconds, s.retry_max_seconds, s.dispatch_poll_seconds, s.session_window_hours,
                             s.dispatch_claim_interval_ms / 1000),
            self.clock,
        )
        self.retention = RetentionSweeper(self.writer, self.hub, s.event_retention_seconds, s.retention_sweep_seconds, s.parked_report_seconds)
        # Other replicas' commits wake this one's readers (PostgreSQL; SQLite is one process).
        self.listener = notify.NotificationListener(self.db.url, self._wake) if self.db.is_postgres else None
        self.writer.start()
        await self.hub.start()
        if self.listener is not None:
            self.listener.start()
        self.retention.start()
        self.maintenance = TableMaintenance(self.db) if isinstance(self.db, PostgresDatabase) else None
        if self.maintenance is not None:
            await self.maintenance.start()
        media = MediaProbe(self.http, s.media_head_timeout_seconds, s.media_head_allow_private)
        sending = SendSettings(int(s.session_window_hours * 3600e6), int(s.fallback_timeout_seconds * 1e6),
                               fallback.parse_success_status(s.fallback_success_status))
        self.deps = Deps(self.db, self.writer, self.hub, Authenticator(self.db, s.auth_cache_seconds), self.identities,
                         self.adapters, StreamSettings(s.checkpoint_seconds, s.max_streams_per_account), media, s.sms_max_segments,
                         sending, self.clock)
        self.webhooks = None
        if s.webhook_listen:
            self.webhooks = WebhookServer(s.webhook_listen, s.webhook_public_url, s.webhook_max_body_bytes, self.identities, self.adapters, reports)
            await self.webhooks.start()
            self.deps.webhook_url = self.webhooks.url_for
        self.server = self._grpc_server(self.deps)
        self.port = self.server.add_insecure_port(s.listen)
        await self.server.start()
        # Connections one replica at a time may hold go to dispatching replicas only.
        self.connections = None
        if s.dispatch and self.adapters.exclusive_names:
            self.connections = ConnectionOwner(self.db, self.writer, self.identities, self.adapters, self.dispatcher.owner,
                                               s.connection_lease_seconds, on_acquired=self.dispatcher.notify)
            self.connections.start()
            self.deps.identity_changed = self.connections.notify
        if s.dispatch:
            self.dispatcher.start()
        for name in ("", *SERVICE_NAMES):
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info("serving", listen=s.listen, port=self.port, webhooks=self.webhooks.public_url if self.webhooks else None, database=self.db.dialect, adapters=sorted(self.adapters.names))

    def _grpc_server(self, deps: Deps) -> grpc.aio.Server:
        keepalive_ms = int(self.settings.keepalive_seconds * 1000)
        server = grpc.aio.server(options=[
            ("grpc.keepalive_time_ms", keepalive_ms),
            ("grpc.keepalive_timeout_ms", 10_000),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
            ("grpc.http2.max_pings_without_data", 0),
        ])
        messaging_pb2_grpc.add_MessagingServiceServicer_to_server(MessagingServicer(deps), server)
        identities_pb2_grpc.add_ChannelIdentityServiceServicer_to_server(ChannelIdentityServicer(deps), server)
        accounts_pb2_grpc.add_AccountServiceServicer_to_server(AccountServicer(deps), server)
        sandbox_pb2_grpc.add_SandboxServiceServicer_to_server(SandboxServicer(deps), server)
        channels_pb2_grpc.add_ChannelServiceServicer_to_server(ChannelServicer(deps), server)
        sessions_pb2_grpc.add_SessionServiceServicer_to_server(SessionServicer(deps), server)
        self.health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        reflection.enable_server_reflection((*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server)
        return server

    def _wake(self, channels: frozenset[str]) -> None:
        """A commit here, or a notification of one on another replica."""
        if notify.EVENTS in channels:
            self.hub.notify()
        if notify.DISPATCH in channels:
            self.dispatcher.notify()

    def _webhook_url(self, account_id: str, identity_id: str) -> str:
        # Looked up per call: the ingress is built after the adapters and picks its port on start.
        assert self.webhooks is not None
        return self.webhooks.url_for(account_id, identity_id)

    async def _store_inbound(self, report: InboundReport) -> object:
        identity = await self.identities.get(report.account_id, report.identity_id)
        return await store_inbound(self.writer, identity, report, self.clock)

    async def stop(self) -> None:
        """Health NOT_SERVING, streams end with their resume cursor, in-flight work finishes."""
        grace = self.settings.shutdown_grace_seconds
        await self.health.enter_graceful_shutdown()
        await self.retention.stop()
        if self.maintenance is not None:
            await self.maintenance.stop()
        if self.listener is not None:
            await self.listener.stop()
        await self.hub.close()
        await asyncio.gather(self.server.stop(grace), self.dispatcher.stop(grace))
        if self.connections is not None:
            await self.connections.stop()
        if self.webhooks is not None:
            await self.webhooks.stop()
        await self.writer.stop()
        if self.writer_process is not None:
            await self.writer_process.stop()
        await self.adapters.close()
        await self.http.aclose()
        await self.db.dispose()
        log.info("stopped")
