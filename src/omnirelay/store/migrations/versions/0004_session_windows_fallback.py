"""Session windows and fallback: the session_windows table, messages.fallback_deadline and
messages.channel_attempts.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_windows",
        sa.Column("account_id", sa.String(63), primary_key=True),
        sa.Column("identity_id", sa.String(63), primary_key=True),
        sa.Column("contact", sa.String(4096), primary_key=True),
        sa.Column("last_inbound_time", sa.BigInteger, nullable=False),
    )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("fallback_deadline", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("channel_attempts", sa.LargeBinary, nullable=True))
    op.create_index(
        "ix_messages_fallback_deadline",
        "messages",
        ["fallback_deadline"],
        sqlite_where=sa.text("fallback_deadline IS NOT NULL"),
        postgresql_where=sa.text("fallback_deadline IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_fallback_deadline", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("channel_attempts")
        batch.drop_column("fallback_deadline")
    op.drop_table("session_windows")
