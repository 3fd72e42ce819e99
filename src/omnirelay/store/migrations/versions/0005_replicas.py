"""Several replicas: shared per-identity rate limits and leases on exclusive connections.

Revision ID: 0005
Revises: 0004

Only new tables: replicas still running the previous version never touch them, so this is safe
to apply while they run (README.md, "Running several replicas").
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("account_id", sa.String(63), primary_key=True),
        sa.Column("identity_id", sa.String(63), primary_key=True),
        sa.Column("tat", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "connection_leases",
        sa.Column("account_id", sa.String(63), primary_key=True),
        sa.Column("identity_id", sa.String(63), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("expire_time", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("connection_leases")
    op.drop_table("rate_limits")
