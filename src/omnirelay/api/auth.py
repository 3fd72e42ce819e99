"""API keys from `authorization: Bearer <key>` metadata, looked up with a short cache."""

from __future__ import annotations

from collections.abc import Sequence

from omnirelay.cache import TtlCache
from omnirelay.domain.errors import GatewayError, Reason, invalid_field
from omnirelay.domain.names import identity_ref, parse, parse_account
from omnirelay.store import directory
from omnirelay.store.database import Database
from omnirelay.store.directory import Principal

# A call's invocation metadata: (key, value) pairs.
Metadata = Sequence[tuple[str, str | bytes]]


class Authenticator:
    def __init__(self, db: Database, cache_seconds: float) -> None:
        self._db = db
        # key id -> (principal, secret hash). Revocation is immediate on this replica (forget)
        # and within cache_seconds on the others.
        self._cache: TtlCache[str, tuple[Principal, str]] = TtlCache(cache_seconds)

    async def principal(self, metadata: Metadata, admin: bool) -> Principal:
        """The caller of a call with this invocation metadata."""
        split = directory.split_key(_bearer(metadata))
        if split is None:
            raise GatewayError(Reason.UNAUTHENTICATED, "malformed API key")
        key_id, secret = split
        found = self._cache.get(key_id)
        if found is None:
            found = await self._db.read(lambda conn: directory.lookup_key(conn, key_id))
            if found is not None:
                self._cache.put(key_id, found)
        if found is None or not directory.secret_matches(secret, found[1]):
            raise GatewayError(Reason.UNAUTHENTICATED, "unknown or revoked API key")
        principal = found[0]
        if admin and not principal.admin:
            raise GatewayError(Reason.ADMIN_REQUIRED, "this call needs an admin key")
        return principal

    def forget(self, key_id: str) -> None:
        self._cache.forget(key_id)


def _bearer(metadata: Metadata) -> str:
    for name, value in metadata:
        if name == "authorization":
            scheme, _, key = str(value).partition(" ")
            if scheme.lower() == "bearer" and key.strip():
                return key.strip()
    raise GatewayError(Reason.UNAUTHENTICATED, "send `authorization: Bearer <api key>` metadata")


def scope(principal: Principal, parent: str, field: str = "parent") -> str:
    """The account a call acts on: the key's own, or for admin keys the one `parent` names."""
    if principal.account_id is None:
        if not parent:
            raise GatewayError(Reason.INVALID_FIELD, f"{field} is required with an admin key")
        return parse_account(parent, field)
    if parent and parse_account(parent, field) != principal.account_id:
        raise GatewayError(Reason.WRONG_ACCOUNT, f"{parent} is not the API key's account")
    return principal.account_id


def identity_key(principal: Principal, value: str, field: str = "identity") -> tuple[str, str]:
    """(account, identity id) of an identity a request names: by id or name in the key's
    account; admin keys must give the full name."""
    if not value:
        raise invalid_field(field, "is required: the identity's name or id")
    if principal.account_id is None:
        return parse(value, "identities", field)
    return principal.account_id, identity_ref(value, principal.account_id, field)


def own(principal: Principal, account_id: str, not_found: Reason, name: str) -> None:
    """A resource named in a request must belong to the key's account (admins see all)."""
    if principal.account_id is not None and principal.account_id != account_id:
        # NOT_FOUND, not PERMISSION_DENIED: one account learns nothing of another's resources.
        raise GatewayError(not_found, f"no {name}")
