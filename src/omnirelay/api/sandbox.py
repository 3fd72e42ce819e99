"""omnirelay.v1.SandboxService: inject inbound messages into sandbox identities."""

from __future__ import annotations

import grpc

from omnirelay.api.auth import identity_key
from omnirelay.api.deps import Deps
from omnirelay.api.rpc import rpc
from omnirelay.channels.base import InboundReport
from omnirelay.domain import validation
from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.ingress.reports import store_inbound
from omnirelay.store.directory import Principal
from omnirelay.v1 import messaging_pb2, sandbox_pb2, sandbox_pb2_grpc


class SandboxServicer(sandbox_pb2_grpc.SandboxServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.auth = deps.auth

    @rpc()
    async def InjectInboundMessage(self, request: sandbox_pb2.InjectInboundMessageRequest, context: grpc.aio.ServicerContext, principal: Principal) -> messaging_pb2.Message:
        account_id, identity_id = identity_key(principal, request.identity)
        identity = await self.deps.identities.get(account_id, identity_id)
        if identity.adapter != "sandbox":
            raise GatewayError(Reason.NOT_SANDBOX_IDENTITY, f"identity {identity.id!r} uses the {identity.adapter!r} adapter")
        v = validation.Violations()
        sender = validation.normalize_address(identity.channel, request.sender, "sender", v)
        validation.check_content(request.content, "content", v, inbound=True)
        v.raise_if_any()
        report = InboundReport(account_id, identity.id, sender, request.content, reply_to=request.reply_to)
        return await store_inbound(self.deps.writer, identity, report, self.deps.clock)
