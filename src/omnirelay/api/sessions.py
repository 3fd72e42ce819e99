"""omnirelay.v1.SessionService: customer service windows of WhatsApp and Messenger identities."""

from __future__ import annotations

import grpc

from omnirelay.api.auth import identity_key
from omnirelay.api.deps import Deps
from omnirelay.api.rpc import rpc
from omnirelay.domain import names, sessions, validation
from omnirelay.domain.clock import to_timestamp
from omnirelay.store.directory import Principal
from omnirelay.store.sessions import last_inbound_times
from omnirelay.v1 import sessions_pb2, sessions_pb2_grpc


class SessionServicer(sessions_pb2_grpc.SessionServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.auth = deps.auth

    @rpc()
    async def GetSessionWindow(self, request: sessions_pb2.GetSessionWindowRequest, context: grpc.aio.ServicerContext, principal: Principal) -> sessions_pb2.SessionWindow:
        account_id, identity_id = identity_key(principal, request.identity)
        identity = await self.deps.identities.get(account_id, identity_id)
        v = validation.Violations()
        contact = validation.normalize_address(identity.channel, request.contact, "contact", v)
        v.raise_if_any()
        key = (account_id, identity.id, contact)
        found = await self.deps.db.read(lambda conn: last_inbound_times(conn, [key]))
        state = sessions.window_state(identity.channel, found.get(key), self.deps.clock(), self.deps.sending.session_window_us)
        window = sessions_pb2.SessionWindow(
            identity=names.identity_name(account_id, identity.id), contact=contact, channel=identity.channel,
            window_applies=state.applies, open=state.open,
        )
        for field, us in (("last_inbound_time", state.last_inbound_us), ("expire_time", state.expire_us)):
            ts = to_timestamp(us)
            if ts is not None:
                getattr(window, field).CopyFrom(ts)
        return window
