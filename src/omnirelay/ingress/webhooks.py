"""The webhook ingress: an HTTP server beside the gRPC server, one route per identity for its
provider's callbacks. A callback is verified and parsed by the identity's adapter, stored, and
only then answered 2xx, so a provider retries whatever was not stored."""

from __future__ import annotations

from urllib.parse import parse_qs

import structlog
from aiohttp import web

from omnirelay.channels.base import ReportSink, WebhookReceiver, WebhookRejected, WebhookRequest, WebhookResult
from omnirelay.channels.registry import AdapterRegistry
from omnirelay.domain.errors import GatewayError
from omnirelay.store.directory import IdentityDirectory

log = structlog.get_logger(__name__)

ROUTE = "/webhooks/{account}/{identity}"
FORM = "application/x-www-form-urlencoded"


def webhook_path(account_id: str, identity_id: str) -> str:
    return ROUTE.format(account=account_id, identity=identity_id)


class WebhookServer:
    def __init__(
        self, listen: str, public_url: str, max_body_bytes: int,
        identities: IdentityDirectory, adapters: AdapterRegistry, reports: ReportSink,
    ) -> None:
        self._host, _, port = listen.rpartition(":")
        self._port = int(port)
        self._configured_public_url = public_url.rstrip("/")
        self._identities = identities
        self._adapters = adapters
        self._reports = reports
        app = web.Application(client_max_size=max_body_bytes)
        app.router.add_route("*", ROUTE, self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        self.port = 0

    @property
    def public_url(self) -> str:
        """The base URL providers call (behind a proxy, the configured one)."""
        return self._configured_public_url or f"http://{self._host}:{self.port}"

    def url_for(self, account_id: str, identity_id: str) -> str:
        return self.public_url + webhook_path(account_id, identity_id)

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # the port picked for :0

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        account_id, identity_id = request.match_info["account"], request.match_info["identity"]
        bound = log.bind(account=account_id, identity=identity_id, method=request.method)
        try:
            identity = await self._identities.get(account_id, identity_id)
        except GatewayError:
            return web.Response(status=404, text="no such identity\n")
        if self._adapters.specs[identity.adapter].exclusive:
            # Its connection is held by one replica (an SMPP bind); callbacks come over it.
            return web.Response(status=404, text=f"the {identity.adapter} adapter takes no webhooks\n")
        adapter = await self._adapters.adapter_for(identity)
        if not isinstance(adapter, WebhookReceiver):
            return web.Response(status=404, text=f"the {identity.adapter} adapter takes no webhooks\n")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            bound.warning("webhook_too_large")
            return web.Response(status=413, text="body too large\n")
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if request.content_type == FORM else {}
        hook = WebhookRequest(
            method=request.method,
            url=self.public_url + request.path_qs,
            headers={k.lower(): v for k, v in request.headers.items()},
            query=dict(request.query),
            body=body,
            form=form,
        )
        try:
            result = await adapter.handle_webhook(hook)
        except WebhookRejected as rejected:
            bound.warning("webhook_rejected", status=rejected.status, reason=rejected.reason)
            return web.Response(status=rejected.status, text=rejected.reason + "\n")
        except Exception:  # noqa: BLE001 - a parser bug: log it, tell the provider nothing more
            bound.exception("webhook_parse_failed")
            return web.Response(status=500, text="internal error\n")
        try:
            await self._store(result)
        except Exception:  # noqa: BLE001 - not stored: the provider must retry
            bound.exception("webhook_not_stored")
            return web.Response(status=503, text="not stored, retry later\n")
        bound.debug("webhook_stored", statuses=len(result.statuses), inbound=len(result.inbound), watermarks=len(result.watermarks))
        return web.Response(status=result.status, body=result.body, content_type=result.content_type)

    async def _store(self, result: WebhookResult) -> None:
        for report in result.inbound:
            await self._reports.inbound(report)
        for status in result.statuses:
            await self._reports.status(status)
        for watermark in result.watermarks:
            await self._reports.watermark(watermark)
