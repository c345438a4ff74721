"""the profile keeps the card number and the mobile masked only, like the resident ID

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for row_id, card, mobile in bind.execute(sa.text("SELECT id, card_number, mobile FROM wallet_profile")).all():
        masked_card = f"{card[:4]} **** **** {card[-4:]}" if card and "*" not in card else card
        digits = mobile.removeprefix("+86") if mobile else None
        masked_mobile = f"{digits[:3]}****{digits[-4:]}" if digits and "*" not in digits else mobile
        bind.execute(sa.text("UPDATE wallet_profile SET card_number = :c, mobile = :m WHERE id = :i"),
                     {"c": masked_card, "m": masked_mobile, "i": row_id})
    # The store opens SQLite with secure_delete on, so the old text is overwritten, not left in free space.


def downgrade() -> None:
    pass   # the full numbers are gone; there is nothing to bring back
