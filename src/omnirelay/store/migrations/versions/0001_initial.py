"""Initial schema: accounts, API keys, identities, messages, provider refs, the event log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(63), primary_key=True),
        sa.Column("display_name", sa.String(256), nullable=False, server_default=""),
        sa.Column("create_time", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(63), nullable=True, index=True),
        sa.Column("admin", sa.Boolean, nullable=False),
        sa.Column("display_name", sa.String(256), nullable=False, server_default=""),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("create_time", sa.BigInteger, nullable=False),
        sa.Column("revoke_time", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "identities",
        sa.Column("account_id", sa.String(63), primary_key=True),
        sa.Column("id", sa.String(63), primary_key=True),
        sa.Column("channel", sa.SmallInteger, nullable=False),
        sa.Column("address", sa.String(4096), nullable=False),
        sa.Column("adapter", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(256), nullable=False, server_default=""),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("credentials", sa.Text, nullable=False),
        sa.Column("number_type", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("create_time", sa.BigInteger, nullable=False),
        sa.Column("update_time", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(63), nullable=False),
        sa.Column("identity_id", sa.String(63), nullable=False),
        sa.Column("channel", sa.SmallInteger, nullable=False),
        sa.Column("direction", sa.SmallInteger, nullable=False),
        sa.Column("sender", sa.String(4096), nullable=False),
        sa.Column("recipient", sa.String(4096), nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("error_description", sa.Text, nullable=True),
        sa.Column("error_permanent", sa.Boolean, nullable=True),
        sa.Column("error_provider_code", sa.String(64), nullable=True),
        sa.Column("provider_message_ids", sa.Text, nullable=True),
        sa.Column("sms_encoding", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("segment_count", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("create_time", sa.BigInteger, nullable=False),
        sa.Column("update_time", sa.BigInteger, nullable=False),
        sa.Column("sent_time", sa.BigInteger, nullable=True),
        sa.Column("delivered_time", sa.BigInteger, nullable=True),
        sa.Column("read_time", sa.BigInteger, nullable=True),
        sa.Column("expire_time", sa.BigInteger, nullable=True),
        sa.Column("receive_time", sa.BigInteger, nullable=True),
        sa.Column("next_attempt_time", sa.BigInteger, nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expire_time", sa.BigInteger, nullable=True),
        sa.UniqueConstraint("account_id", "request_id", name="uq_messages_request_id"),
    )
    op.create_index("ix_messages_account_create", "messages", ["account_id", "create_time", "id"])
    op.create_index(
        "ix_messages_due",
        "messages",
        ["next_attempt_time"],
        sqlite_where=sa.text("next_attempt_time IS NOT NULL"),
        postgresql_where=sa.text("next_attempt_time IS NOT NULL"),
    )
    op.create_table(
        "provider_refs",
        sa.Column("account_id", sa.String(63), primary_key=True),
        sa.Column("identity_id", sa.String(63), primary_key=True),
        sa.Column("provider_message_id", sa.String(128), primary_key=True),
        sa.Column("message_id", sa.String(32), nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(63), nullable=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("event_time", sa.BigInteger, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        # Sequences must never be reused, also after retention empties the table.
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_account_seq", "events", ["account_id", "seq"])
    op.create_index("ix_events_time", "events", ["event_time"])


def downgrade() -> None:
    for table in ("events", "provider_refs", "messages", "identities", "api_keys", "accounts"):
        op.drop_table(table)
