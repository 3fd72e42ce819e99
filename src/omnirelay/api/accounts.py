"""omnirelay.v1.AccountService (admin keys only)."""

from __future__ import annotations

from functools import partial

import grpc

from omnirelay.api.deps import Deps
from omnirelay.api.rpc import rpc
from omnirelay.domain import listing, names
from omnirelay.domain.clock import now_us
from omnirelay.store import directory
from omnirelay.store.directory import Principal
from omnirelay.v1 import accounts_pb2, accounts_pb2_grpc


class AccountServicer(accounts_pb2_grpc.AccountServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.auth = deps.auth

    @rpc(admin=True)
    async def CreateAccount(self, request: accounts_pb2.CreateAccountRequest, context: grpc.aio.ServicerContext, principal: Principal) -> accounts_pb2.Account:
        now = now_us()
        account_id = names.check_user_id(request.account_id, "account_id") if request.account_id else "a" + names.new_id(now)
        display_name = request.account.display_name
        return await self.deps.writer.submit(partial(directory.create_account, account_id=account_id, display_name=display_name, now_us=now))

    @rpc(admin=True)
    async def GetAccount(self, request: accounts_pb2.GetAccountRequest, context: grpc.aio.ServicerContext, principal: Principal) -> accounts_pb2.Account:
        account_id = names.parse_account(request.name, "name")
        return await self.deps.db.read(lambda conn: directory.get_account(conn, account_id))

    @rpc(admin=True)
    async def ListAccounts(self, request: accounts_pb2.ListAccountsRequest, context: grpc.aio.ServicerContext, principal: Principal) -> accounts_pb2.ListAccountsResponse:
        size = listing.page_size(request.page_size)
        fingerprint = listing.query_fingerprint("accounts")
        after = listing.decode_page_token(request.page_token, fingerprint)
        page = await self.deps.db.read(lambda conn: directory.list_accounts(conn, after[1] if after else "", size + 1))
        page, token = listing.last_page_token(page, size, listing.by_name, fingerprint)
        return accounts_pb2.ListAccountsResponse(accounts=page, next_page_token=token)

    @rpc(admin=True)
    async def CreateApiKey(self, request: accounts_pb2.CreateApiKeyRequest, context: grpc.aio.ServicerContext, principal: Principal) -> accounts_pb2.CreateApiKeyResponse:
        account_id = names.parse_account(request.parent, "parent")
        display_name = request.api_key.display_name
        api_key, key = await self.deps.writer.submit(partial(
            directory.create_api_key, account_id=account_id, display_name=display_name, now_us=now_us(),
        ))
        return accounts_pb2.CreateApiKeyResponse(api_key=api_key, key=key)

    @rpc(admin=True)
    async def ListApiKeys(self, request: accounts_pb2.ListApiKeysRequest, context: grpc.aio.ServicerContext, principal: Principal) -> accounts_pb2.ListApiKeysResponse:
        account_id = names.parse_account(request.parent, "parent")
        size = listing.page_size(request.page_size)
        fingerprint = listing.query_fingerprint("keys", account_id)
        after = listing.decode_page_token(request.page_token, fingerprint)
        page = await self.deps.db.read(lambda conn: directory.list_api_keys(conn, account_id, after[1] if after else "", size + 1))
        page, token = listing.last_page_token(page, size, listing.by_name, fingerprint)
        return accounts_pb2.ListApiKeysResponse(api_keys=page, next_page_token=token)

    @rpc(admin=True)
    async def RevokeApiKey(self, request: accounts_pb2.RevokeApiKeyRequest, context: grpc.aio.ServicerContext, principal: Principal) -> accounts_pb2.ApiKey:
        account_id, key_id = names.parse(request.name, "apiKeys", "name")
        revoked = await self.deps.writer.submit(partial(directory.revoke_api_key, account_id=account_id, key_id=key_id, now_us=now_us()))
        self.deps.auth.forget(key_id)
        return revoked
