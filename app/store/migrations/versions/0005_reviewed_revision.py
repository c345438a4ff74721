"""merchants carry the revision staff last reviewed: only reviewed states go into a catalogue release

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("merchants") as batch:
        batch.add_column(sa.Column("reviewed_revision", sa.Integer(), nullable=True))
    # What was there before reviews existed is the list the union already published.
    op.execute("UPDATE merchants SET reviewed_revision = revision")


def downgrade() -> None:
    with op.batch_alter_table("merchants") as batch:
        batch.drop_column("reviewed_revision")
