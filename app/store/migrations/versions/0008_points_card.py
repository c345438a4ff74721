"""the profile names the card the member earns points with (its type; the bank is the programme's)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wallet_profile") as batch:
        batch.add_column(sa.Column("points_card", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wallet_profile") as batch:
        batch.drop_column("points_card")
