"""omnirelay.v1.ChannelIdentityService."""

from __future__ import annotations

from functools import partial

import grpc
from google.protobuf.empty_pb2 import Empty

from omnirelay.api.auth import own, scope
from omnirelay.api.deps import Deps
from omnirelay.api.rpc import rpc
from omnirelay.domain import listing, names, validation
from omnirelay.domain.clock import now_us
from omnirelay.domain.errors import Reason, invalid_field
from omnirelay.store import directory
from omnirelay.store.directory import Principal
from omnirelay.v1 import identities_pb2, identities_pb2_grpc

_UPDATABLE = ("display_name", "settings", "credentials", "number_type")


class ChannelIdentityServicer(identities_pb2_grpc.ChannelIdentityServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.auth = deps.auth

    @rpc()
    async def CreateChannelIdentity(self, request: identities_pb2.CreateChannelIdentityRequest, context: grpc.aio.ServicerContext, principal: Principal) -> identities_pb2.ChannelIdentity:
        account_id = scope(principal, request.parent)
        now = now_us()
        identity_id = (
            names.check_user_id(request.channel_identity_id, "channel_identity_id")
            if request.channel_identity_id
            else "i" + names.new_id(now)
        )
        address = validation.check_identity(request.channel_identity, self.deps.adapters.requirements, creating=True)

        created = await self.deps.writer.submit(partial(
            directory.create_identity, account_id=account_id, identity_id=identity_id, identity=request.channel_identity, address=address, now_us=now,
        ))
        self.deps.identity_changed()
        return self._with_webhook(created)

    @rpc()
    async def GetChannelIdentity(self, request: identities_pb2.GetChannelIdentityRequest, context: grpc.aio.ServicerContext, principal: Principal) -> identities_pb2.ChannelIdentity:
        account_id, identity_id = self._name(principal, request.name, "name")
        return self._with_webhook(directory.to_identity(await self.deps.db.read(lambda conn: directory.identity_row(conn, account_id, identity_id))))

    @rpc()
    async def ListChannelIdentities(self, request: identities_pb2.ListChannelIdentitiesRequest, context: grpc.aio.ServicerContext, principal: Principal) -> identities_pb2.ListChannelIdentitiesResponse:
        account_id = scope(principal, request.parent)
        size = listing.page_size(request.page_size)
        fingerprint = listing.query_fingerprint("identities", account_id)
        after = listing.decode_page_token(request.page_token, fingerprint)
        page = await self.deps.db.read(lambda conn: directory.list_identities(conn, account_id, after[1] if after else "", size + 1))
        page, token = listing.last_page_token(page, size, listing.by_name, fingerprint)
        return identities_pb2.ListChannelIdentitiesResponse(channel_identities=[self._with_webhook(i) for i in page], next_page_token=token)

    @rpc()
    async def UpdateChannelIdentity(self, request: identities_pb2.UpdateChannelIdentityRequest, context: grpc.aio.ServicerContext, principal: Principal) -> identities_pb2.ChannelIdentity:
        account_id, identity_id = self._name(principal, request.channel_identity.name, "channel_identity.name")
        validation.check_identity(request.channel_identity, self.deps.adapters.requirements, creating=False)
        paths = list(request.update_mask.paths)
        for path in paths:
            if path not in _UPDATABLE:
                raise invalid_field("update_mask", f"cannot update {path!r}; updatable: {', '.join(_UPDATABLE)}")
        identity = request.channel_identity
        if not paths:
            paths = [p for p in _UPDATABLE if (getattr(identity, p) if p in ("display_name", "number_type") else len(getattr(identity, p)))]
        changes = {p: dict(getattr(identity, p)) if p in ("settings", "credentials") else getattr(identity, p) for p in paths}
        updated = await self.deps.writer.submit(partial(
            directory.update_identity, account_id=account_id, identity_id=identity_id, changes=changes, now_us=now_us(),
        ))
        self.deps.identities.forget(account_id, identity_id)
        self.deps.identity_changed()
        return self._with_webhook(updated)

    @rpc()
    async def DeleteChannelIdentity(self, request: identities_pb2.DeleteChannelIdentityRequest, context: grpc.aio.ServicerContext, principal: Principal) -> Empty:
        account_id, identity_id = self._name(principal, request.name, "name")
        await self.deps.writer.submit(partial(directory.delete_identity, account_id=account_id, identity_id=identity_id))
        self.deps.identities.forget(account_id, identity_id)
        self.deps.identity_changed()
        return Empty()

    def _with_webhook(self, identity: identities_pb2.ChannelIdentity) -> identities_pb2.ChannelIdentity:
        if self.deps.webhook_url is not None:
            account_id, identity_id = names.parse(identity.name, "identities", "name")
            identity.webhook_url = self.deps.webhook_url(account_id, identity_id)
        return identity

    @staticmethod
    def _name(principal: Principal, name: str, field: str) -> tuple[str, str]:
        account_id, identity_id = names.parse(name, "identities", field)
        own(principal, account_id, Reason.IDENTITY_NOT_FOUND, name)
        return account_id, identity_id
