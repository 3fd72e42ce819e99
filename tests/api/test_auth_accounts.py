"""API keys, health and reflection, AccountService, and isolation between accounts."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from omnirelay.v1 import accounts_pb2, content_pb2, identities_pb2, messaging_pb2, messaging_pb2_grpc

from omnirelay.domain import status as st
from tests.conftest import Client, create_identity, fails, new_key, wait_for_status

OMNIRELAY_SERVICES = {
    "omnirelay.v1.MessagingService",
    "omnirelay.v1.ChannelIdentityService",
    "omnirelay.v1.AccountService",
    "omnirelay.v1.SandboxService",
}


def send(identity: str = "sms") -> messaging_pb2.SendMessageRequest:
    return messaging_pb2.SendMessageRequest(identity=identity, recipient="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body="hi")))


def key_name(account_id: str, key: str) -> str:
    return f"accounts/{account_id}/apiKeys/{key.split('_')[1]}"


async def test_missing_authorization_is_unauthenticated(channel):  # type: ignore[no-untyped-def]
    stub = messaging_pb2_grpc.MessagingServiceStub(channel)
    error = await fails(stub.ListMessages(messaging_pb2.ListMessagesRequest()))
    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED")


@pytest.mark.parametrize(
    "make_key",
    [
        lambda good: "not-a-key",
        lambda good: "ork_0123456789abcdef_" + good.split("_", 2)[2],
        lambda good: good[:-1] + ("B" if good.endswith("A") else "A"),
    ],
    ids=["malformed", "unknown-key-id", "wrong-secret"],
)
async def test_bad_keys_are_unauthenticated(gateway, channel, make_key):  # type: ignore[no-untyped-def]
    good = await new_key(gateway, "acme")
    await Client(channel, good).messaging.ListMessages(messaging_pb2.ListMessagesRequest())  # works, and is cached
    error = await fails(Client(channel, make_key(good)).messaging.ListMessages(messaging_pb2.ListMessagesRequest()))
    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED")


async def test_revoked_key_fails_at_once(gateway, channel, admin):  # type: ignore[no-untyped-def]
    key = await new_key(gateway, "acme")
    user = Client(channel, key)
    await user.messaging.ListMessages(messaging_pb2.ListMessagesRequest())  # cached as valid now
    revoked = await admin.accounts.RevokeApiKey(accounts_pb2.RevokeApiKeyRequest(name=key_name("acme", key)))
    assert revoked.HasField("revoke_time")
    error = await fails(user.messaging.ListMessages(messaging_pb2.ListMessagesRequest()))
    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED")


async def test_health_needs_no_key(channel):  # type: ignore[no-untyped-def]
    stub = health_pb2_grpc.HealthStub(channel)
    for service in ("", "omnirelay.v1.MessagingService"):
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_needs_no_key(channel):  # type: ignore[no-untyped-def]
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    call = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    replies = [reply async for reply in call]
    listed = {s.name for s in replies[0].list_services_response.service}
    assert OMNIRELAY_SERVICES <= listed


async def test_account_key_cannot_use_account_service(client):  # type: ignore[no-untyped-def]
    for call in (
        client.accounts.ListAccounts(accounts_pb2.ListAccountsRequest()),
        client.accounts.CreateApiKey(accounts_pb2.CreateApiKeyRequest(parent="accounts/acme")),
    ):
        error = await fails(call)
        assert (error.code, error.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ADMIN_REQUIRED")


async def test_create_and_get_account(admin):  # type: ignore[no-untyped-def]
    created = await admin.accounts.CreateAccount(accounts_pb2.CreateAccountRequest(account_id="beta", account=accounts_pb2.Account(display_name="Beta Inc")))
    assert (created.name, created.display_name) == ("accounts/beta", "Beta Inc")
    assert created.create_time.ToMicroseconds() > 0
    assert await admin.accounts.GetAccount(accounts_pb2.GetAccountRequest(name="accounts/beta")) == created
    again = await fails(admin.accounts.CreateAccount(accounts_pb2.CreateAccountRequest(account_id="beta")))
    assert (again.code, again.reason) == (grpc.StatusCode.ALREADY_EXISTS, "ALREADY_EXISTS")
    bad = await fails(admin.accounts.CreateAccount(accounts_pb2.CreateAccountRequest(account_id="Bad_ID")))
    assert (bad.code, bad.fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["account_id"])
    missing = await fails(admin.accounts.GetAccount(accounts_pb2.GetAccountRequest(name="accounts/nobody")))
    assert (missing.code, missing.reason) == (grpc.StatusCode.NOT_FOUND, "ACCOUNT_NOT_FOUND")
    generated = await admin.accounts.CreateAccount(accounts_pb2.CreateAccountRequest())
    assert generated.name.startswith("accounts/a") and generated.name != "accounts/a"


async def test_list_accounts_pages_through_all(admin):  # type: ignore[no-untyped-def]
    ids = ["delta", "alpha", "echo", "charlie", "bravo"]
    for account_id in ids:
        await admin.accounts.CreateAccount(accounts_pb2.CreateAccountRequest(account_id=account_id))
    seen, token = [], ""
    while True:
        page = await admin.accounts.ListAccounts(accounts_pb2.ListAccountsRequest(page_size=1, page_token=token))
        assert len(page.accounts) == 1
        seen += [a.name for a in page.accounts]
        token = page.next_page_token
        if not token:
            break
    assert seen == [f"accounts/{i}" for i in sorted(ids)]


async def test_api_keys_create_list_revoke(admin, channel):  # type: ignore[no-untyped-def]
    await admin.accounts.CreateAccount(accounts_pb2.CreateAccountRequest(account_id="beta"))
    created = await admin.accounts.CreateApiKey(accounts_pb2.CreateApiKeyRequest(parent="accounts/beta", api_key=accounts_pb2.ApiKey(display_name="ci")))
    assert created.api_key.name == key_name("beta", created.key)
    assert (created.api_key.display_name, created.api_key.HasField("revoke_time")) == ("ci", False)
    user = Client(channel, created.key)
    assert not (await user.messaging.ListMessages(messaging_pb2.ListMessagesRequest())).messages
    await user.messaging.ListMessages(messaging_pb2.ListMessagesRequest(parent="accounts/beta"))

    listed = await admin.accounts.ListApiKeys(accounts_pb2.ListApiKeysRequest(parent="accounts/beta"))
    assert [k.name for k in listed.api_keys] == [created.api_key.name]
    secret = created.key.split("_", 2)[2]
    assert secret.encode() not in listed.SerializeToString()
    assert created.key.encode() not in listed.SerializeToString()

    revoked = await admin.accounts.RevokeApiKey(accounts_pb2.RevokeApiKeyRequest(name=created.api_key.name))
    assert revoked.revoke_time.ToMicroseconds() >= created.api_key.create_time.ToMicroseconds() > 0
    relisted = await admin.accounts.ListApiKeys(accounts_pb2.ListApiKeysRequest(parent="accounts/beta"))
    assert relisted.api_keys[0].revoke_time == revoked.revoke_time
    error = await fails(user.messaging.ListMessages(messaging_pb2.ListMessagesRequest()))
    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED")
    unknown = await fails(admin.accounts.CreateApiKey(accounts_pb2.CreateApiKeyRequest(parent="accounts/nobody")))
    assert (unknown.code, unknown.reason) == (grpc.StatusCode.NOT_FOUND, "ACCOUNT_NOT_FOUND")


async def test_accounts_are_isolated(gateway, channel, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send())
    await wait_for_status(client, sent.name, st.READ)
    other = Client(channel, await new_key(gateway, "beta"))

    for call in (
        other.messaging.GetMessage(messaging_pb2.GetMessageRequest(name=sent.name)),
        other.messaging.CancelMessage(messaging_pb2.CancelMessageRequest(name=sent.name)),
    ):
        error = await fails(call)
        assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "MESSAGE_NOT_FOUND")
    assert not (await other.messaging.ListMessages(messaging_pb2.ListMessagesRequest())).messages

    acme_sms = "accounts/acme/identities/sms"
    for call in (
        other.identities.GetChannelIdentity(identities_pb2.GetChannelIdentityRequest(name=acme_sms)),
        other.identities.DeleteChannelIdentity(identities_pb2.DeleteChannelIdentityRequest(name=acme_sms)),
    ):
        error = await fails(call)
        assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "IDENTITY_NOT_FOUND")
    error = await fails(other.messaging.SendMessage(send(identity=acme_sms)))
    assert (error.code, error.fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["identity"])
    wrong = await fails(other.messaging.ListMessages(messaging_pb2.ListMessagesRequest(parent="accounts/acme")))
    assert (wrong.code, wrong.reason) == (grpc.StatusCode.PERMISSION_DENIED, "WRONG_ACCOUNT")

    # The same identity id in another account is another identity.
    await create_identity(other, address="+15559990000")
    own = await other.messaging.SendMessage(send())
    assert (own.identity, own.sender) == ("accounts/beta/identities/sms", "+15559990000")
    assert (await client.identities.GetChannelIdentity(identities_pb2.GetChannelIdentityRequest(name=acme_sms))).address == "+15551230000"


@pytest.mark.settings(checkpoint_seconds=0.2)
async def test_streams_never_carry_another_accounts_events(gateway, channel, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send())
    await wait_for_status(client, sent.name, st.READ)
    request = messaging_pb2.StreamMessageEventsRequest(start=messaging_pb2.StreamStart(oldest=True))

    # Control: the owner replays its events from the oldest.
    mine = client.messaging.StreamMessageEvents(request)
    assert (await asyncio.wait_for(mine.read(), 5)).WhichOneof("item") == "checkpoint"
    assert (await asyncio.wait_for(mine.read(), 5)).event.message == sent.name
    mine.cancel()

    other = Client(channel, await new_key(gateway, "beta"))
    theirs = other.messaging.StreamMessageEvents(request)
    responses = [await asyncio.wait_for(theirs.read(), 5) for _ in range(4)]
    theirs.cancel()
    assert [r.WhichOneof("item") for r in responses] == ["checkpoint"] * 4


async def test_admin_key_on_messaging_needs_a_parent(client, admin):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send())
    error = await fails(admin.messaging.ListMessages(messaging_pb2.ListMessagesRequest()))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    page = await admin.messaging.ListMessages(messaging_pb2.ListMessagesRequest(parent="accounts/acme"))
    assert [m.name for m in page.messages] == [sent.name]
