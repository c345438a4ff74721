"""Merchant rows for queries: the columns a search returns, the filters SQL answers, derived columns."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import lru_cache
from decimal import Decimal
from collections.abc import Iterable, Sequence

from sqlalchemy import Select, delete, func, or_, select

from app.discounts.offer_parser import parse_offer
from app.discounts.rules_text import headline
from app.merchants.fields import MerchantRecord
from app.merchants.pinyin_index import is_pinyin_query
from app.store.database import Store
from app.store.models import Merchant

RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(MerchantRecord))
# What a query returns: the record, its curation state, then the pinyin sort key.
QUERY_FIELDS = (*RECORD_FIELDS, "max_saving", "offer_headline", "rules_json", "revision", "retired_on", "retired_reason",
                "name_pinyin")
RETIRED_CHOICES = ("exclude", "include", "only")


def rules_columns(offer: str) -> dict:
    """The stored columns read from an offer's text (a new dict each call: callers may add to it)."""
    rules_json, max_saving, offer_headline = _read_offer(offer)
    return {"rules_json": rules_json, "max_saving": max_saving, "offer_headline": offer_headline}


@lru_cache(maxsize=16_384)
def _read_offer(offer: str) -> tuple[str, Decimal | None, str]:
    # A chain's branches publish one text: an import of 100,000 rows parses each distinct offer once.
    # The parser is pure (its version changes only with the code), and the values cached are immutable.
    rules = parse_offer(offer)
    return rules.dumps(), rules.max_saving, headline(rules)


def reparse_all_offers(store: Store) -> int:
    """Re-read every stored offer (after the parser learned new phrases); returns how many changed."""
    changed = 0
    with store.session() as s:
        for row in s.scalars(select(Merchant)):
            values = rules_columns(row.offer)
            if (row.rules_json, row.max_saving, row.offer_headline) != (values["rules_json"], values["max_saving"],
                                                                      values["offer_headline"]):
                row.rules_json, row.max_saving = values["rules_json"], values["max_saving"]
                row.offer_headline = values["offer_headline"]
                changed += 1
    return changed


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def count_merchants(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(Merchant)) or 0


def merchant_query(
    *,
    district_codes: Sequence[str] = (),
    categories: Sequence[str] = (),
    text: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    ids: Sequence[str] = (),
    min_saving: Decimal | None = None,
    retired: str = "exclude",
    valid_on: dt.date | None = None,
) -> Select:
    """SELECT of merchant columns narrowed by the filters that SQL answers well. Retired merchants
    are left out unless staff ask for them (`retired` include or only)."""
    stmt = select(*(getattr(Merchant, f) for f in QUERY_FIELDS))
    if retired == "exclude":
        stmt = stmt.where(Merchant.retired_on.is_(None))
    elif retired == "only":
        stmt = stmt.where(Merchant.retired_on.is_not(None))
    if valid_on is not None:   # offers whose validity has ended are not shown as current
        stmt = stmt.where(or_(Merchant.valid_to.is_(None), Merchant.valid_to >= valid_on))
    if district_codes:
        stmt = stmt.where(Merchant.district_code.in_(list(district_codes)))
    if categories:
        stmt = stmt.where(Merchant.category.in_(list(categories)))
    if ids:
        stmt = stmt.where(Merchant.id.in_(list(ids)))
    if text:
        needle = f"%{_escape_like(text)}%"
        conditions = [Merchant.name.like(needle, escape="\\"), Merchant.offer.like(needle, escape="\\")]
        compact = text.replace(" ", "").lower()
        if is_pinyin_query(compact):
            folded = f"%{_escape_like(compact)}%"
            conditions += [Merchant.name_initials.like(folded, escape="\\"), Merchant.name_pinyin.like(folded, escape="\\")]
        stmt = stmt.where(or_(*conditions))
    if min_saving is not None:
        stmt = stmt.where(Merchant.max_saving >= min_saving)
    if bbox:
        west, south, east, north = bbox
        stmt = stmt.where(Merchant.lon.between(west, east), Merchant.lat.between(south, north))
    return stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fetch_rows(store: Store, stmt: Select) -> list[tuple]:
    with store.session() as s:
        return [tuple(r) for r in s.execute(stmt).all()]


def delete_merchants(store: Store, ids: Sequence[str]) -> int:
    with store.session() as s:
        return s.execute(delete(Merchant).where(Merchant.id.in_(list(ids)))).rowcount or 0
