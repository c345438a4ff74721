"""merchants say whether their merchant category code is known or assumed; the seed's twelve are assumed

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("merchants") as batch:
        batch.add_column(sa.Column("mcc_assumed", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Seed 000 Q17 names the twelve Qingshan merchants and their offers but no category codes: the
    # codes they were given are assumptions, and they decide which purchases earn points.
    op.execute(sa.text("UPDATE merchants SET mcc_assumed = :yes WHERE id LIKE 'qs-%' AND source LIKE :seed")
               .bindparams(yes=True, seed="武汉工会会员服务卡知识解答%"))


def downgrade() -> None:
    with op.batch_alter_table("merchants") as batch:
        batch.drop_column("mcc_assumed")
