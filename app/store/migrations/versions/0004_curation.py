"""staff curation: merchant revisions and change sets, retirement, duplicate dismissals, named lists

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_MESSAGE = "merchant history is never rewritten: record a new revision instead"
# The merchant's fields as they stood when history began (app.merchants.fields.TRACKED_FIELDS then).
_FIELDS = ("name", "category", "district_code", "lon", "lat", "mcc", "offer", "address", "phone",
           "valid_from", "valid_to", "location_approximate", "source")


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def upgrade() -> None:
    with op.batch_alter_table("merchants") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("retired_reason", sa.Text(), nullable=True))
    op.create_index("ix_merchants_retired_on", "merchants", ["retired_on"])
    op.create_index("ix_merchants_phone", "merchants", ["phone"])

    change_sets = op.create_table(
        "change_sets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("comment", sa.Text()),
        sa.Column("file_name", sa.Text()),
        sa.Column("summary_json", sa.Text(), nullable=False, server_default="{}"),
    )
    revisions = op.create_table(
        "merchant_revisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("merchant_id", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("change_set_id", sa.Integer(), sa.ForeignKey("change_sets.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("changes_json", sa.Text(), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("comment", sa.Text()),
        sa.UniqueConstraint("merchant_id", "revision", name="uq_merchant_revisions_merchant_revision"),
    )
    op.create_index("ix_merchant_revisions_created_at", "merchant_revisions", ["created_at"])
    op.create_index("ix_merchant_revisions_author", "merchant_revisions", ["author"])
    op.create_index("ix_merchant_revisions_change_set", "merchant_revisions", ["change_set_id"])
    op.create_table(
        "duplicate_dismissals",
        sa.Column("first_id", sa.String(64), primary_key=True),
        sa.Column("second_id", sa.String(64), primary_key=True),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "merchant_lists",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "merchant_list_items",
        sa.Column("list_id", sa.Integer(), sa.ForeignKey("merchant_lists.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("merchant_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )

    # History starts with what is already there: one baseline revision per merchant, so a revert
    # can always go back to the state before the first staff edit.
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, {', '.join(_FIELDS)} FROM merchants ORDER BY id")).mappings().all()
    if rows:
        set_id = bind.execute(
            change_sets.insert().values(kind="baseline", author="system", comment="启用修订记录前已有的商户")
            .returning(change_sets.c.id)
        ).scalar_one()
        batch = []
        for row in rows:
            changes = {f: [None, _json_value(row[f])] for f in _FIELDS if row[f] is not None}
            batch.append({"merchant_id": row["id"], "revision": 1, "change_set_id": set_id, "action": "add",
                          "changes_json": json.dumps(changes, ensure_ascii=False), "author": "system"})
            if len(batch) == 5000:
                bind.execute(revisions.insert(), batch)
                batch = []
        if batch:
            bind.execute(revisions.insert(), batch)

    if bind.dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION merchant_revisions_immutable() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{_MESSAGE}'; END; $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER merchant_revisions_append_only BEFORE UPDATE OR DELETE ON merchant_revisions
            FOR EACH ROW EXECUTE FUNCTION merchant_revisions_immutable()
        """)
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER merchant_revisions_no_{action.lower()} BEFORE {action} ON merchant_revisions
                BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
            """)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER merchant_revisions_append_only ON merchant_revisions")
        op.execute("DROP FUNCTION merchant_revisions_immutable()")
    for name in ("merchant_list_items", "merchant_lists", "duplicate_dismissals", "merchant_revisions", "change_sets"):
        op.drop_table(name)
    op.drop_index("ix_merchants_phone", "merchants")
    op.drop_index("ix_merchants_retired_on", "merchants")
    with op.batch_alter_table("merchants") as batch:
        batch.drop_column("retired_reason")
        batch.drop_column("retired_on")
        batch.drop_column("revision")
