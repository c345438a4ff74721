"""merchants carry their parsed offer rules and best saving

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("merchants") as batch:
        batch.add_column(sa.Column("rules_json", sa.Text(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("max_saving", sa.Numeric(5, 4), nullable=True))
    op.create_index("ix_merchants_max_saving", "merchants", ["max_saving"])


def downgrade() -> None:
    op.drop_index("ix_merchants_max_saving", "merchants")
    with op.batch_alter_table("merchants") as batch:
        batch.drop_column("max_saving")
        batch.drop_column("rules_json")
