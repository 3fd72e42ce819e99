"""Event retention: the purge watermark.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    state = op.create_table(
        "event_log_state",
        sa.Column("id", sa.SmallInteger, primary_key=True),
        sa.Column("purged_through", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(state, [{"id": 1, "purged_through": 0}])


def downgrade() -> None:
    op.drop_table("event_log_state")
