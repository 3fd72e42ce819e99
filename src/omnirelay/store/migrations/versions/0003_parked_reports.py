"""Per-part status on provider ids, and status reports parked until their provider id is known.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Adding a nullable column without a default is instant and safe beside running replicas.
    op.add_column("provider_refs", sa.Column("status", sa.SmallInteger, nullable=True))
    op.create_table(
        "parked_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(63), nullable=False),
        sa.Column("identity_id", sa.String(63), nullable=False),
        sa.Column("provider_message_id", sa.String(128), nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("provider_code", sa.String(64), nullable=False),
        sa.Column("error", sa.LargeBinary, nullable=True),
        sa.Column("receive_time", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_parked_reports_ref", "parked_reports", ["account_id", "identity_id", "provider_message_id"])


def downgrade() -> None:
    op.drop_table("parked_reports")
    op.drop_column("provider_refs", "status")
