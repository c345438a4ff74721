"""districts, merchants and store metadata

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "districts",
        sa.Column("code", sa.String(6), primary_key=True),
        sa.Column("name", sa.String(32), nullable=False, unique=True),
        sa.Column("pinyin", sa.String(64), nullable=False),
        sa.Column("geometry_wkt", sa.Text(), nullable=False),
    )
    op.create_table(
        "merchants",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("district_code", sa.String(6), sa.ForeignKey("districts.code"), nullable=True),
        sa.Column("mcc", sa.String(4), nullable=True),
        sa.Column("offer", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(64), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("location_approximate", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("name_pinyin", sa.String(600), nullable=False),
        sa.Column("name_initials", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_merchants_category", "merchants", ["category"])
    op.create_index("ix_merchants_district_code", "merchants", ["district_code"])
    op.create_index("ix_merchants_lon_lat", "merchants", ["lon", "lat"])
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("store_meta")
    op.drop_index("ix_merchants_lon_lat", "merchants")
    op.drop_index("ix_merchants_district_code", "merchants")
    op.drop_index("ix_merchants_category", "merchants")
    op.drop_table("merchants")
    op.drop_table("districts")
