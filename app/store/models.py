"""Typed SQLAlchemy 2.x tables: districts, merchants and their history and lists, the wallet, and
the store's own bookkeeping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class District(Base):
    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)      # 420107
    name: Mapped[str] = mapped_column(String(32), unique=True)           # 青山区
    pinyin: Mapped[str] = mapped_column(String(64))                      # Qingshan
    geometry_wkt: Mapped[str] = mapped_column(Text)                      # WGS84 (Multi)Polygon


class Merchant(Base):
    __tablename__ = "merchants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"))
    mcc: Mapped[str | None] = mapped_column(String(4))
    mcc_assumed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # not from the source
    offer: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(64))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    lon: Mapped[float] = mapped_column(Float)   # WGS84 degrees
    lat: Mapped[float] = mapped_column(Float)
    location_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(Text)
    name_pinyin: Mapped[str] = mapped_column(String(600), default="")
    name_initials: Mapped[str] = mapped_column(String(200), default="")
    # The offer parsed by app.discounts.offer_parser (rule JSON) and its best percent saving, for filtering.
    rules_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    max_saving: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    offer_headline: Mapped[str | None] = mapped_column(String(24))   # 8.5折, 满减 最高15%, 免费项目
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    # Optimistic lock: every saved change adds one; a save made against an older number is merged
    # with what happened since, or refused field by field (app.merchants.curation).
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Retired (下架) merchants are hidden from members, flyers and exports, and never deleted.
    retired_on: Mapped[dt.date | None] = mapped_column(Date)
    retired_reason: Mapped[str | None] = mapped_column(Text)
    # The revision staff last reviewed (app.merchants.review); a catalogue release publishes the
    # merchant as it was then, so unreviewed edits never reach members. None: never reviewed.
    reviewed_revision: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_merchants_category", "category"),
        Index("ix_merchants_district_code", "district_code"),
        Index("ix_merchants_lon_lat", "lon", "lat"),
        Index("ix_merchants_max_saving", "max_saving"),
        Index("ix_merchants_retired_on", "retired_on"),
        Index("ix_merchants_phone", "phone"),
    )


class ChangeSet(Base):
    """One act of a staff member: an edit, an import of a file, a revert, a merge, a bulk action."""

    __tablename__ = "change_sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    comment: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(Text)
    summary_json: Mapped[str] = mapped_column(Text, default="{}")


class MerchantRevision(Base):
    """One saved change to one merchant: which fields, old -> new (database triggers refuse UPDATE
    and DELETE, so history is never rewritten)."""

    __tablename__ = "merchant_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(String(64))   # no foreign key: history outlives rows
    revision: Mapped[int] = mapped_column(Integer)
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_sets.id"))
    action: Mapped[str] = mapped_column(String(16))
    changes_json: Mapped[str] = mapped_column(Text)         # {"offer": ["old", "new"], ...}
    author: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("merchant_id", "revision", name="uq_merchant_revisions_merchant_revision"),
        Index("ix_merchant_revisions_created_at", "created_at"),
        Index("ix_merchant_revisions_author", "author"),
        Index("ix_merchant_revisions_change_set", "change_set_id"),
    )


class DuplicateDismissal(Base):
    """A pair of merchants staff said are not duplicates (first_id < second_id), never offered again."""

    __tablename__ = "duplicate_dismissals"

    first_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    second_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    author: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MerchantList(Base):
    """A named, ordered selection of merchants (商户清单) for a flyer or a map, shared by the staff."""

    __tablename__ = "merchant_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MerchantListItem(Base):
    __tablename__ = "merchant_list_items"

    list_id: Mapped[int] = mapped_column(ForeignKey("merchant_lists.id", ondelete="CASCADE"), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class StoreMeta(Base):
    """Small facts about this database, e.g. when it was seeded, so seeding happens once."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class WalletProfile(Base):
    """The one member whose wallet this database holds (row id 1). `revision` is bumped by every
    journal write, which makes it the lock that serialises them."""

    __tablename__ = "wallet_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    union_name: Mapped[str | None] = mapped_column(String(200))
    card_number: Mapped[str | None] = mapped_column(String(19))   # masked only (migration 0007)
    mobile: Mapped[str | None] = mapped_column(String(16))        # masked only
    birthday: Mapped[dt.date | None] = mapped_column(Date)
    programme: Mapped[str | None] = mapped_column(String(16))
    points_card: Mapped[str | None] = mapped_column(String(8))   # debit | credit, of the programme's bank
    id_masked: Mapped[str | None] = mapped_column(String(18))
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class WalletEntry(Base):
    """One immutable journal entry (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "wallet_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    kind: Mapped[str] = mapped_column(String(16))
    bank_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    ecash_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    transit_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    purse: Mapped[str | None] = mapped_column(String(8))
    merchant_id: Mapped[str | None] = mapped_column(String(64))   # no foreign key: merchants come and go
    merchant_name: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(16))
    mcc: Mapped[str | None] = mapped_column(String(4))
    channel: Mapped[str | None] = mapped_column(String(16))
    card: Mapped[str | None] = mapped_column(String(8))   # union, or the points card's kind (its programme in details)
    reason: Mapped[str | None] = mapped_column(String(16))
    refers_to: Mapped[int | None] = mapped_column(ForeignKey("wallet_entries.id"))
    note: Mapped[str | None] = mapped_column(Text)
    details_json: Mapped[str] = mapped_column(Text, default="{}")

    __table_args__ = (
        Index("ix_wallet_entries_occurred_on", "occurred_on"),
        Index("ix_wallet_entries_refers_to", "refers_to"),
    )


class MemberFavourite(Base):
    """A merchant the member starred (收藏): the member's own data, never part of a release."""

    __tablename__ = "member_favourites"

    merchant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MemberRecent(Base):
    """A merchant the member looked at (最近浏览), the latest view kept."""

    __tablename__ = "member_recent"

    merchant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    viewed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_member_recent_viewed_at", "viewed_at"),)
