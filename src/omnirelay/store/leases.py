"""Connection leases: which replica holds the connection of an identity that an exclusive
adapter serves (an SMPP bind), and until when (dispatch/connections.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, not_, or_, select, tuple_

from omnirelay.store.database import dialect_insert
from omnirelay.store.schema import connection_leases, identities

IdentityKey = tuple[str, str]


def exclusive_identities(conn: Connection, adapters: frozenset[str]) -> list[IdentityKey]:
    found = conn.execute(select(identities.c.account_id, identities.c.id).where(identities.c.adapter.in_(adapters)))
    return [(r.account_id, r.id) for r in found]


@dataclass
class AcquireLeases:
    """Take or renew `owner`'s lease on each identity whose lease is free, expired or already
    its own; drop its leases on identities not in `keys` (deleted, or no longer exclusive).
    Returns the identities `owner` holds now."""

    owner: str
    keys: list[IdentityKey]
    now_us: int
    lease_us: int

    @staticmethod
    def wakes(_held: set[IdentityKey]) -> frozenset[str]:
        return frozenset()

    def __call__(self, conn: Connection) -> set[IdentityKey]:
        held: set[IdentityKey] = set()
        for account_id, identity_id in self.keys:
            stmt = dialect_insert(conn)(connection_leases).values(
                account_id=account_id, identity_id=identity_id, owner=self.owner, expire_time=self.now_us + self.lease_us,
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=[connection_leases.c.account_id, connection_leases.c.identity_id],
                set_={"owner": stmt.excluded.owner, "expire_time": stmt.excluded.expire_time},
                where=or_(connection_leases.c.owner == self.owner, connection_leases.c.expire_time < self.now_us),
            ).returning(connection_leases.c.owner)
            if (conn.execute(stmt)).first() is not None:
                held.add((account_id, identity_id))
        mine = connection_leases.c.owner == self.owner
        if self.keys:
            mine = and_(mine, not_(tuple_(connection_leases.c.account_id, connection_leases.c.identity_id).in_(self.keys)))
        conn.execute(delete(connection_leases).where(mine))
        return held


@dataclass
class ReleaseLeases:
    """On shutdown: let other replicas take `owner`'s connections over at once."""

    owner: str

    @staticmethod
    def wakes(_result: None) -> frozenset[str]:
        return frozenset()

    def __call__(self, conn: Connection) -> None:
        conn.execute(delete(connection_leases).where(connection_leases.c.owner == self.owner))
