"""the member's own favourites (收藏) and recently viewed merchants (最近浏览)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No foreign key to merchants: a favourite outlives a merchant a release removes, and says so.
    op.create_table(
        "member_favourites",
        sa.Column("merchant_id", sa.String(64), primary_key=True),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "member_recent",
        sa.Column("merchant_id", sa.String(64), primary_key=True),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_member_recent_viewed_at", "member_recent", ["viewed_at"])


def downgrade() -> None:
    op.drop_index("ix_member_recent_viewed_at", "member_recent")
    op.drop_table("member_recent")
    op.drop_table("member_favourites")
