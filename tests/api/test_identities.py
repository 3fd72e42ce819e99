"""ChannelIdentityService: CRUD, paging, write-only credentials, validation, deletion while queued."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from omnirelay.v1 import content_pb2, identities_pb2, messaging_pb2
from omnirelay.v1.common_pb2 import Channel

from omnirelay.domain import status as st
from omnirelay.domain.clock import now_us
from omnirelay.store.messages import SweepParkedReports
from tests.conftest import create_identity, fails, wait_for_status

SMS = "accounts/acme/identities/sms"
SECRET = b"s3cret-value"


def send(identity: str = "sms", **kw: object) -> messaging_pb2.SendMessageRequest:
    return messaging_pb2.SendMessageRequest(identity=identity, recipient="+15557654321", content=content_pb2.Content(text=content_pb2.Text(body="hi")), **kw)


def get(client, name: str = SMS):  # type: ignore[no-untyped-def]
    return client.identities.GetChannelIdentity(identities_pb2.GetChannelIdentityRequest(name=name))


def update(client, paths: list[str] | None = None, **fields: object):  # type: ignore[no-untyped-def]
    identity = identities_pb2.ChannelIdentity(name=SMS, **fields)
    return client.identities.UpdateChannelIdentity(
        identities_pb2.UpdateChannelIdentityRequest(channel_identity=identity, update_mask=FieldMask(paths=paths or []))
    )


async def list_all(client, page_size: int = 0) -> list[identities_pb2.ChannelIdentity]:  # type: ignore[no-untyped-def]
    seen, token = [], ""
    while True:
        page = await client.identities.ListChannelIdentities(identities_pb2.ListChannelIdentitiesRequest(page_size=page_size, page_token=token))
        assert not page_size or len(page.channel_identities) <= page_size
        seen += list(page.channel_identities)
        token = page.next_page_token
        if not token:
            return seen


async def test_create_and_get(client):  # type: ignore[no-untyped-def]
    created = await create_identity(client, region="us")
    assert (created.name, created.channel, created.address, created.adapter) == (SMS, Channel.CHANNEL_SMS, "+15551230000", "sandbox")
    assert dict(created.settings) == {"region": "us"}
    assert created.create_time.ToMicroseconds() > 0
    assert created.update_time == created.create_time
    assert await get(client) == created
    generated = await client.identities.CreateChannelIdentity(
        identities_pb2.CreateChannelIdentityRequest(
            channel_identity=identities_pb2.ChannelIdentity(channel=Channel.CHANNEL_SMS, address="+15551230001", adapter="sandbox")
        )
    )
    assert generated.name.startswith("accounts/acme/identities/i") and generated.name != created.name


async def test_list_pages_in_id_order_exactly_once(client):  # type: ignore[no-untyped-def]
    ids = ["id-d", "id-b", "id-e", "id-a", "id-c"]
    for i, identity_id in enumerate(ids):
        await create_identity(client, identity_id, address=f"+1555123000{i}")
    names = [f"accounts/acme/identities/{i}" for i in sorted(ids)]
    assert [i.name for i in await list_all(client, page_size=2)] == names
    assert [i.name for i in await list_all(client)] == names


async def test_update_mask_changes_only_the_named_fields(client):  # type: ignore[no-untyped-def]
    await client.identities.CreateChannelIdentity(
        identities_pb2.CreateChannelIdentityRequest(
            channel_identity_id="sms",
            channel_identity=identities_pb2.ChannelIdentity(
                channel=Channel.CHANNEL_SMS, address="+15551230000", adapter="sandbox", display_name="Old", settings={"a": "1"}
            ),
        )
    )
    renamed = await update(client, ["display_name"], display_name="New", settings={"b": "2"}, credentials={"token": "t"})
    assert (renamed.display_name, dict(renamed.settings), list(renamed.credential_keys)) == ("New", {"a": "1"}, [])
    assert renamed.update_time.ToMicroseconds() > renamed.create_time.ToMicroseconds()
    assert await get(client) == renamed

    resettled = await update(client, ["settings"], display_name="Ignored", settings={"b": "2"})
    assert (resettled.display_name, dict(resettled.settings)) == ("New", {"b": "2"})
    # No mask: every field that is set.
    unmasked = await update(client, settings={"c": "3"})
    assert (unmasked.display_name, dict(unmasked.settings)) == ("New", {"c": "3"})
    assert await get(client) == unmasked
    assert (unmasked.channel, unmasked.address, unmasked.adapter) == (Channel.CHANNEL_SMS, "+15551230000", "sandbox")


async def test_delete(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    await client.messaging.SendMessage(send())  # the send path has the identity cached now
    await client.identities.DeleteChannelIdentity(identities_pb2.DeleteChannelIdentityRequest(name=SMS))
    for call in (
        get(client),
        client.identities.DeleteChannelIdentity(identities_pb2.DeleteChannelIdentityRequest(name=SMS)),
        update(client, ["display_name"], display_name="x"),
        client.messaging.SendMessage(send()),
    ):
        error = await fails(call)
        assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "IDENTITY_NOT_FOUND")
    assert await list_all(client) == []


async def test_credentials_are_write_only_and_merge(gateway, client):  # type: ignore[no-untyped-def]
    created = await client.identities.CreateChannelIdentity(
        identities_pb2.CreateChannelIdentityRequest(
            channel_identity_id="sms",
            channel_identity=identities_pb2.ChannelIdentity(
                channel=Channel.CHANNEL_SMS, address="+15551230000", adapter="sandbox", credentials={"token": "s3cret-value"}
            ),
        )
    )
    listed = await client.identities.ListChannelIdentities(identities_pb2.ListChannelIdentitiesRequest())
    for shown in (created, await get(client), listed.channel_identities[0]):
        assert SECRET not in shown.SerializeToString()
        assert list(shown.credential_keys) == ["token"]
        assert not shown.credentials
    assert SECRET not in listed.SerializeToString()
    assert (await gateway.identities.get("acme", "sms")).credentials == {"token": "s3cret-value"}

    merged = await update(client, ["credentials"], credentials={"password": "p"})
    assert list(merged.credential_keys) == ["password", "token"]
    assert SECRET not in merged.SerializeToString() and not merged.credentials
    assert list((await get(client)).credential_keys) == ["password", "token"]
    assert (await gateway.identities.get("acme", "sms")).credentials == {"password": "p", "token": "s3cret-value"}

    removed = await update(client, ["credentials"], credentials={"token": ""})
    assert list(removed.credential_keys) == ["password"]
    assert list((await get(client)).credential_keys) == ["password"]
    assert (await gateway.identities.get("acme", "sms")).credentials == {"password": "p"}


@pytest.mark.parametrize(
    ("identity_id", "fields", "reason", "field"),
    [
        ("sms", {"address": "+15551230000", "adapter": "sandbox"}, "INVALID_FIELD", "channel_identity.channel"),
        ("sms", {"channel": Channel.CHANNEL_SMS, "address": "+15551230000"}, "INVALID_FIELD", "channel_identity.adapter"),
        ("sms", {"channel": Channel.CHANNEL_SMS, "address": "+15551230000", "adapter": "nope"}, "UNKNOWN_ADAPTER", "channel_identity.adapter"),
        ("sms", {"channel": Channel.CHANNEL_SMS, "address": "abc", "adapter": "sandbox"}, "INVALID_FIELD", "channel_identity.address"),
        ("Has Space", {"channel": Channel.CHANNEL_SMS, "address": "+15551230000", "adapter": "sandbox"}, "INVALID_FIELD", "channel_identity_id"),
    ],
    ids=["no-channel", "no-adapter", "unknown-adapter", "bad-address", "bad-id"],
)
async def test_invalid_create_names_the_field_and_stores_nothing(client, identity_id, fields, reason, field):  # type: ignore[no-untyped-def]
    request = identities_pb2.CreateChannelIdentityRequest(channel_identity_id=identity_id, channel_identity=identities_pb2.ChannelIdentity(**fields))
    error = await fails(client.identities.CreateChannelIdentity(request))
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, reason)
    assert field in error.fields
    assert await list_all(client) == []


async def test_address_is_normalized_to_e164(client):  # type: ignore[no-untyped-def]
    created = await create_identity(client, address="+1 (555) 123-0000")
    assert created.address == "+15551230000"
    assert (await get(client)).address == "+15551230000"
    assert (await client.messaging.SendMessage(send())).sender == "+15551230000"


async def test_duplicate_id_already_exists(client):  # type: ignore[no-untyped-def]
    first = await create_identity(client)
    error = await fails(create_identity(client, address="+15551239999"))
    assert (error.code, error.reason) == (grpc.StatusCode.ALREADY_EXISTS, "ALREADY_EXISTS")
    assert await get(client) == first


async def test_update_mask_rejects_immutable_fields(client):  # type: ignore[no-untyped-def]
    created = await create_identity(client)
    error = await fails(update(client, ["channel"], channel=Channel.CHANNEL_MMS))
    assert (error.code, error.fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["update_mask"])
    assert await get(client) == created


@pytest.mark.settings(dispatch=False)
async def test_identity_deleted_while_queued_fails_the_message(gateway, client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    sent = await client.messaging.SendMessage(send())
    await client.identities.DeleteChannelIdentity(identities_pb2.DeleteChannelIdentityRequest(name=SMS))
    gateway.dispatcher.start()
    done = await wait_for_status(client, sent.name, st.FAILED)
    assert (done.status, done.error.code, done.error.permanent) == (st.FAILED, "IDENTITY_GONE", True)
    assert not done.provider_message_ids


async def test_send_from_identity_by_full_name(client):  # type: ignore[no-untyped-def]
    await create_identity(client)
    by_id = await client.messaging.SendMessage(send("sms", request_id="r-1"))
    by_name = await client.messaging.SendMessage(send(SMS))
    assert (by_name.identity, by_name.sender, by_name.status) == (by_id.identity, by_id.sender, by_id.status) == (SMS, "+15551230000", st.QUEUED)
    assert (await wait_for_status(client, by_name.name, st.READ)).status == st.READ
    # The same request, naming the identity either way, is the same for request_id.
    assert (await client.messaging.SendMessage(send(SMS, request_id="r-1"))).name == by_id.name


@pytest.mark.settings(dispatch=False)
async def test_update_rerun_after_a_failed_group_commit_applies_once(gateway, client, monkeypatch):  # type: ignore[no-untyped-def]
    """The writer re-runs each operation of a failed batch alone: an update must be re-runnable."""
    await create_identity(client)
    started, release = asyncio.Event(), asyncio.Event()
    transaction = gateway.writer._transaction

    async def held_transaction(operations):  # type: ignore[no-untyped-def]
        # The first transaction waits: the writer is busy and what is submitted queues up.
        monkeypatch.setattr(gateway.writer, "_transaction", transaction)
        started.set()
        await release.wait()
        return await transaction(operations)

    monkeypatch.setattr(gateway.writer, "_transaction", held_transaction)

    async def queued(n: int) -> None:
        while gateway.writer._queue.qsize() < n:
            await asyncio.sleep(0.005)

    # Any operation will do: a sweep that finds nothing.
    held = asyncio.ensure_future(gateway.writer.submit(SweepParkedReports(now_us(), 3600 * 10**6)))
    try:
        await started.wait()
        # The next batch: this update, then a create that fails and rolls the batch back.
        updated = asyncio.ensure_future(update(client, ["settings", "credentials"], settings={"b": "2"}, credentials={"token": "t"}))
        await asyncio.wait_for(queued(1), 5)
        duplicate = asyncio.ensure_future(fails(create_identity(client)))
        await asyncio.wait_for(queued(2), 5)
    finally:
        release.set()
        await held
    assert (await duplicate).reason == "ALREADY_EXISTS"
    result = await updated
    assert (dict(result.settings), list(result.credential_keys)) == ({"b": "2"}, ["token"])
    assert await get(client) == result
    assert (await gateway.identities.get("acme", "sms")).credentials == {"token": "t"}
