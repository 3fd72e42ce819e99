"""Bring the schema to the newest Alembic revision (`omnirelay migrate`, and on every start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from omnirelay.store.database import ADVISORY_XACT_LOCK, Database

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x6F6D6E6A


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade(db: Database) -> None:
    postgres = db.is_postgres

    def upgrade_locked(connection: Connection) -> None:
        if postgres:
            # Replicas starting together: one migrates, the others wait and then find it done.
            connection.execute(ADVISORY_XACT_LOCK, {"key": MIGRATION_LOCK})
        _upgrade(connection)

    await db.write(upgrade_locked)
