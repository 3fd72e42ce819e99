"""Accounts, API keys and channel identities: the low-volume configuration records."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from omnirelay.cache import TtlCache
from omnirelay.domain.clock import to_timestamp
from omnirelay.domain.errors import GatewayError, Reason
from omnirelay.domain.names import account_name, api_key_name, identity_name
from omnirelay.store.database import Database
from omnirelay.store.schema import accounts, api_keys, identities
from omnirelay.v1.accounts_pb2 import Account, ApiKey
from omnirelay.v1.common_pb2 import MessageError
from omnirelay.v1.identities_pb2 import ChannelIdentity

KEY_PREFIX = "ork"


@dataclass(frozen=True)
class Principal:
    """Who is calling: an account's key, or an admin key (account_id None)."""

    key_id: str
    account_id: str | None
    admin: bool


@dataclass(frozen=True)
class IdentityRecord:
    account_id: str
    id: str
    channel: int
    address: str
    adapter: str
    settings: dict[str, str]
    credentials: dict[str, str]
    number_type: int
    update_time: int
    auth_failed: bool = False


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key_secret() -> tuple[str, str, str]:
    """(key id, the full key to show once, the hash to store)."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return key_id, f"{KEY_PREFIX}_{key_id}_{secret}", _hash(secret)


def split_key(key: str) -> tuple[str, str] | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    return parts[1], parts[2]


def lookup_key(conn: Connection, key_id: str) -> tuple[Principal, str] | None:
    """A live key's principal and secret hash, or None when unknown or revoked."""
    row = (conn.execute(select(api_keys).where(api_keys.c.id == key_id))).mappings().first()
    if row is None or row["revoke_time"] is not None:
        return None
    return Principal(key_id, row["account_id"], row["admin"]), row["secret_hash"]


def secret_matches(secret: str, secret_hash: str) -> bool:
    return hmac.compare_digest(secret_hash, _hash(secret))


def to_account(row: Mapping[str, Any]) -> Account:
    return Account(name=account_name(row["id"]), display_name=row["display_name"], create_time=to_timestamp(row["create_time"]))


def to_api_key(row: Mapping[str, Any]) -> ApiKey:
    key = ApiKey(name=api_key_name(row["account_id"] or "-", row["id"]), display_name=row["display_name"], create_time=to_timestamp(row["create_time"]))
    if row["revoke_time"]:
        key.revoke_time.CopyFrom(to_timestamp(row["revoke_time"]))
    return key


def create_account(conn: Connection, account_id: str, display_name: str, now_us: int) -> Account:
    row = {"id": account_id, "display_name": display_name, "create_time": now_us}
    if (conn.execute(select(accounts.c.id).where(accounts.c.id == account_id))).first():
        raise GatewayError(Reason.ALREADY_EXISTS, f"account {account_id!r} exists already")
    conn.execute(insert(accounts), row)
    return to_account(row)


def get_account(conn: Connection, account_id: str) -> Account:
    row = (conn.execute(select(accounts).where(accounts.c.id == account_id))).mappings().first()
    if row is None:
        raise GatewayError(Reason.ACCOUNT_NOT_FOUND, f"no account {account_id!r}")
    return to_account(row)


def list_accounts(conn: Connection, after: str, limit: int) -> list[Account]:
    query = select(accounts).where(accounts.c.id > after).order_by(accounts.c.id).limit(limit)
    return [to_account(r) for r in (conn.execute(query)).mappings()]


def create_api_key(conn: Connection, account_id: str | None, display_name: str, now_us: int, admin: bool = False) -> tuple[ApiKey, str]:
    if account_id is not None:
        get_account(conn, account_id)
    key_id, key, secret_hash = new_key_secret()
    row = {"id": key_id, "account_id": account_id, "admin": admin, "display_name": display_name,
           "secret_hash": secret_hash, "create_time": now_us, "revoke_time": None}
    conn.execute(insert(api_keys), row)
    return to_api_key(row), key


def bootstrap_key(conn: Connection, account_id: str | None, display_name: str, now_us: int, admin: bool = False) -> tuple[ApiKey, str]:
    """A key for `account_id`, whose account is created first if missing (`omnirelay keys
    create`); an admin key has no account."""
    if account_id is not None:
        try:
            get_account(conn, account_id)
        except GatewayError:
            create_account(conn, account_id, account_id, now_us)
    return create_api_key(conn, account_id, display_name, now_us, admin=admin)


def list_api_keys(conn: Connection, account_id: str, after: str, limit: int) -> list[ApiKey]:
    query = (select(api_keys).where(api_keys.c.account_id == account_id, api_keys.c.id > after)
             .order_by(api_keys.c.id).limit(limit))
    return [to_api_key(r) for r in (conn.execute(query)).mappings()]


def revoke_api_key(conn: Connection, account_id: str, key_id: str, now_us: int) -> ApiKey:
    where = (api_keys.c.id == key_id, api_keys.c.account_id == account_id)
    row = (conn.execute(select(api_keys).where(*where))).mappings().first()
    if row is None:
        raise GatewayError(Reason.API_KEY_NOT_FOUND, f"no API key {api_key_name(account_id, key_id)}")
    if row["revoke_time"] is None:
        conn.execute(update(api_keys).where(*where).values(revoke_time=now_us))
        row = {**row, "revoke_time": now_us}
    return to_api_key(row)


def to_identity(row: Mapping[str, Any]) -> ChannelIdentity:
    """The API view: credentials are never returned, only their names."""
    return ChannelIdentity(
        name=identity_name(row["account_id"], row["id"]),
        channel=row["channel"],
        address=row["address"],
        adapter=row["adapter"],
        display_name=row["display_name"],
        settings=json.loads(row["settings"]),
        credential_keys=sorted(json.loads(row["credentials"])),
        number_type=row["number_type"],
        create_time=to_timestamp(row["create_time"]),
        update_time=to_timestamp(row["update_time"]),
        auth_error=MessageError.FromString(row["auth_error"]) if row.get("auth_error") else None,
        auth_error_time=to_timestamp(row.get("auth_error_time")),
    )


def to_record(row: Mapping[str, Any]) -> IdentityRecord:
    return IdentityRecord(
        row["account_id"], row["id"], row["channel"], row["address"], row["adapter"],
        json.loads(row["settings"]), json.loads(row["credentials"]), row["number_type"], row["update_time"],
        auth_failed=row.get("auth_error") is not None,
    )


def create_identity(conn: Connection, account_id: str, identity_id: str, identity: ChannelIdentity, address: str, now_us: int) -> ChannelIdentity:
    get_account(conn, account_id)  # NOT_FOUND for an account that does not exist
    row = {
        "account_id": account_id, "id": identity_id, "channel": identity.channel, "address": address,
        "adapter": identity.adapter, "display_name": identity.display_name,
        "settings": json.dumps(dict(identity.settings), sort_keys=True),
        "credentials": json.dumps(dict(identity.credentials), sort_keys=True),
        "number_type": identity.number_type, "create_time": now_us, "update_time": now_us,
    }
    exists = select(identities.c.id).where(identities.c.account_id == account_id, identities.c.id == identity_id)
    if (conn.execute(exists)).first():
        raise GatewayError(Reason.ALREADY_EXISTS, f"identity {identity_name(account_id, identity_id)} exists already")
    conn.execute(insert(identities), row)
    return to_identity(row)


def identity_row(conn: Connection, account_id: str, identity_id: str) -> Mapping[str, Any]:
    query = select(identities).where(identities.c.account_id == account_id, identities.c.id == identity_id)
    row = (conn.execute(query)).mappings().first()
    if row is None:
        raise GatewayError(Reason.IDENTITY_NOT_FOUND, f"no identity {identity_name(account_id, identity_id)}")
    return row


def list_identities(conn: Connection, account_id: str, after: str, limit: int) -> list[ChannelIdentity]:
    query = (select(identities).where(identities.c.account_id == account_id, identities.c.id > after)
             .order_by(identities.c.id).limit(limit))
    return [to_identity(r) for r in (conn.execute(query)).mappings()]


def update_identity(conn: Connection, account_id: str, identity_id: str, changes: dict[str, Any], now_us: int) -> ChannelIdentity:
    row = dict(identity_row(conn, account_id, identity_id))
    # A new dict: the group-commit writer may run this operation again after a rollback.
    values = {**changes, "update_time": now_us}
    if "settings" in changes:
        values["settings"] = json.dumps(changes["settings"], sort_keys=True)
    if "credentials" in changes:
        # Merge: a credential is replaced by name; an empty value removes it.
        merged = {**json.loads(row["credentials"]), **changes["credentials"]}
        values["credentials"] = json.dumps({k: v for k, v in merged.items() if v}, sort_keys=True)
        values["auth_error"] = values["auth_error_time"] = None  # new credentials: not refused yet
    conn.execute(
        update(identities).where(identities.c.account_id == account_id, identities.c.id == identity_id).values(values)
    )
    return to_identity({**row, **values})


@dataclass
class RecordAuthError:
    """Show the provider's refusal of an identity's credentials on it (error), or clear it (None)."""

    account_id: str
    identity_id: str
    error: MessageError | None
    now_us: int

    @staticmethod
    def wakes(_result: None) -> frozenset[str]:
        return frozenset()  # nothing for stream readers or dispatchers

    def __call__(self, conn: Connection) -> None:
        conn.execute(
            update(identities)
            .where(identities.c.account_id == self.account_id, identities.c.id == self.identity_id)
            .values(
                auth_error=self.error.SerializeToString() if self.error is not None else None,
                auth_error_time=self.now_us if self.error is not None else None,
            )
        )


def delete_identity(conn: Connection, account_id: str, identity_id: str) -> None:
    identity_row(conn, account_id, identity_id)
    conn.execute(delete(identities).where(identities.c.account_id == account_id, identities.c.id == identity_id))


class IdentityDirectory:
    """Identity records for the send and dispatch paths, cached briefly; local updates and
    deletes invalidate at once, other replicas see them within the cache time."""

    def __init__(self, db: Database, cache_seconds: float) -> None:
        self._db = db
        self._cache: TtlCache[tuple[str, str], IdentityRecord] = TtlCache(cache_seconds)

    async def get(self, account_id: str, identity_id: str) -> IdentityRecord:
        key = (account_id, identity_id)
        record = self._cache.get(key)
        if record is None:
            record = to_record(await self._db.read(lambda conn: identity_row(conn, account_id, identity_id)))
            self._cache.put(key, record)
        return record

    def forget(self, account_id: str, identity_id: str) -> None:
        self._cache.forget((account_id, identity_id))
