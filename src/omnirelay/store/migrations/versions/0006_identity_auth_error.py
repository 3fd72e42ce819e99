"""The provider's last refusal of an identity's credentials, shown on the identity.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns without defaults: instant, and invisible to replicas of the version before.
    op.add_column("identities", sa.Column("auth_error", sa.LargeBinary, nullable=True))
    op.add_column("identities", sa.Column("auth_error_time", sa.BigInteger, nullable=True))


def downgrade() -> None:
    op.drop_column("identities", "auth_error_time")
    op.drop_column("identities", "auth_error")
