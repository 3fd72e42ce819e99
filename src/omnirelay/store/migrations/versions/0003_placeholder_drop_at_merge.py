"""PLACEHOLDER on branch `fallback` only: stands in for the lead's revision 0003 so that 0004
has its parent. Delete this file when merging; it refuses to load next to the real 0003.

Revision ID: 0003
Revises: 0002
"""

from pathlib import Path

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

if [p for p in Path(__file__).parent.glob("0003_*.py") if p.name != Path(__file__).name]:
    raise RuntimeError(f"delete {Path(__file__).name}: the real revision 0003 is here now")


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
