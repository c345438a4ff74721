"""The member's favourites (收藏) and recently viewed merchants (最近浏览): their own data, kept in their
own database beside the catalogue, never part of a release and never touched by an update."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select

from app.store import Store
from app.store.models import MemberFavourite, MemberRecent, Merchant

RECENT_KEPT = 50


@dataclass(frozen=True)
class Unavailable:
    """A favourite members can no longer find on the map, and why."""

    merchant_id: str
    name: str | None
    retired_on: dt.date | None
    reason: str | None

    def __str__(self) -> str:
        if self.name is None:
            return f"{self.merchant_id}（已不在商户目录中）"
        return f"{self.name}（{self.retired_on} 已下架{'：' + self.reason if self.reason else ''}）"


def favourite_ids(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(MemberFavourite.merchant_id).order_by(MemberFavourite.added_at,
                                                                           MemberFavourite.merchant_id)))


def is_favourite(store: Store, merchant_id: str) -> bool:
    with store.session() as s:
        return s.get(MemberFavourite, merchant_id) is not None


def set_favourite(store: Store, merchant_id: str, on: bool) -> None:
    with store.session() as s:
        row = s.get(MemberFavourite, merchant_id)
        if on and row is None:
            s.add(MemberFavourite(merchant_id=merchant_id, added_at=dt.datetime.now(dt.UTC)))
        elif not on and row is not None:
            s.delete(row)


def record_view(store: Store, merchant_id: str, when: dt.datetime | None = None) -> None:
    when = when or dt.datetime.now(dt.UTC)
    with store.session() as s:
        row = s.get(MemberRecent, merchant_id)
        if row is None:
            s.add(MemberRecent(merchant_id=merchant_id, viewed_at=when))
        else:
            row.viewed_at = when
        s.flush()
        keep = select(MemberRecent.merchant_id).order_by(MemberRecent.viewed_at.desc()).limit(RECENT_KEPT)
        s.execute(delete(MemberRecent).where(MemberRecent.merchant_id.not_in(keep.scalar_subquery())))


def recent_ids(store: Store, limit: int = 20) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(MemberRecent.merchant_id).order_by(MemberRecent.viewed_at.desc()).limit(limit)))


def unavailable_favourites(store: Store) -> list[Unavailable]:
    """Favourites that are retired, or gone from the catalogue: the member is told, not left guessing."""
    with store.session() as s:
        rows = s.execute(select(MemberFavourite.merchant_id, Merchant.name, Merchant.retired_on, Merchant.retired_reason)
                         .join(Merchant, Merchant.id == MemberFavourite.merchant_id, isouter=True)
                         .order_by(MemberFavourite.added_at))
        return [Unavailable(mid, name, retired_on, reason) for mid, name, retired_on, reason in rows
                if name is None or retired_on is not None]
