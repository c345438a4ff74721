"""merchants carry their offer's headline (8.5折, 满减 最高15%, 免费项目), filled when offers are re-read

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Filled by app.seed's re-reading of every offer, which the parser version bump (3) triggers.
    with op.batch_alter_table("merchants") as batch:
        batch.add_column(sa.Column("offer_headline", sa.String(24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("merchants") as batch:
        batch.drop_column("offer_headline")
