"""the member's wallet: profile and an immutable journal

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_MESSAGE = "wallet journal entries are immutable: record a reversing entry instead"


def upgrade() -> None:
    op.create_table(
        "wallet_profile",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100)),
        sa.Column("union_name", sa.String(200)),
        sa.Column("card_number", sa.String(19)),
        sa.Column("mobile", sa.String(16)),
        sa.Column("birthday", sa.Date()),
        sa.Column("programme", sa.String(16)),
        sa.Column("id_masked", sa.String(18)),
        sa.Column("revision", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "wallet_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("bank_fen", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("ecash_fen", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("transit_fen", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("purse", sa.String(8)),
        sa.Column("merchant_id", sa.String(64)),
        sa.Column("merchant_name", sa.String(200)),
        sa.Column("category", sa.String(16)),
        sa.Column("mcc", sa.String(4)),
        sa.Column("channel", sa.String(16)),
        sa.Column("card", sa.String(8)),
        sa.Column("reason", sa.String(16)),
        sa.Column("refers_to", sa.Integer(), sa.ForeignKey("wallet_entries.id")),
        sa.Column("note", sa.Text()),
        sa.Column("details_json", sa.Text(), nullable=False, server_default="{}"),
    )
    op.create_index("ix_wallet_entries_occurred_on", "wallet_entries", ["occurred_on"])
    op.create_index("ix_wallet_entries_refers_to", "wallet_entries", ["refers_to"])
    # The journal is append-only in the database itself, whatever program writes to it.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION wallet_entries_immutable() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{_MESSAGE}'; END; $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER wallet_entries_append_only BEFORE UPDATE OR DELETE ON wallet_entries
            FOR EACH ROW EXECUTE FUNCTION wallet_entries_immutable()
        """)
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER wallet_entries_no_{action.lower()} BEFORE {action} ON wallet_entries
                BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
            """)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER wallet_entries_append_only ON wallet_entries")
        op.execute("DROP FUNCTION wallet_entries_immutable()")
    else:
        op.execute("DROP TRIGGER wallet_entries_no_update")
        op.execute("DROP TRIGGER wallet_entries_no_delete")
    op.drop_table("wallet_entries")
    op.drop_table("wallet_profile")
