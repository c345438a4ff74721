"""Named merchant lists (商户清单): an ordered, hand-picked selection staff share, e.g. for a flyer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.geo.districts import DistrictIndex
from app.merchants.query import MerchantQuery
from app.store import Store
from app.store.models import Merchant, MerchantList, MerchantListItem

if TYPE_CHECKING:
    import geopandas as gpd


class ListError(ValueError):
    """A list request that names nothing or collides (unknown list or merchant, a taken name)."""


@dataclass(frozen=True)
class NamedList:
    id: int
    name: str
    created_by: str
    created_at: dt.datetime
    merchant_ids: tuple[str, ...]

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "created_by": self.created_by,
                "created_at": self.created_at.isoformat(timespec="seconds"), "merchant_ids": list(self.merchant_ids)}


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ListError("清单名称不能为空")
    if len(name) > 200:
        raise ListError(f"清单名称太长（{len(name)} 个字符，最多 200 个）")
    return name


def _find(s, name: str) -> MerchantList:
    found = s.scalar(select(MerchantList).where(MerchantList.name == name))
    if found is None:
        raise ListError(f"没有名为“{name}”的清单")
    return found


def _ids(s, list_id: int) -> tuple[str, ...]:
    return tuple(s.scalars(select(MerchantListItem.merchant_id).where(MerchantListItem.list_id == list_id)
                           .order_by(MerchantListItem.position)))


def all_lists(store: Store) -> list[NamedList]:
    with store.session() as s:
        return [NamedList(m.id, m.name, m.created_by, m.created_at, _ids(s, m.id))
                for m in s.scalars(select(MerchantList).order_by(MerchantList.name))]


def get_list(store: Store, name: str) -> NamedList:
    with store.session() as s:
        m = _find(s, name)
        return NamedList(m.id, m.name, m.created_by, m.created_at, _ids(s, m.id))


def create_list(store: Store, name: str, *, author: str) -> NamedList:
    name = _clean_name(name)
    try:
        with store.session() as s:
            if s.scalar(select(MerchantList.id).where(MerchantList.name == name)) is not None:
                raise ListError(f"已有名为“{name}”的清单")
            m = MerchantList(name=name, created_by=author)
            s.add(m)
            s.flush()
            return NamedList(m.id, m.name, m.created_by, m.created_at or dt.datetime.now(dt.UTC), ())
    except IntegrityError:   # a colleague created the same name a moment ago
        raise ListError(f"已有名为“{name}”的清单") from None


def rename_list(store: Store, name: str, new_name: str) -> None:
    new_name = _clean_name(new_name)
    try:
        with store.session() as s:
            m = _find(s, name)
            if new_name != name and s.scalar(select(MerchantList.id).where(MerchantList.name == new_name)) is not None:
                raise ListError(f"已有名为“{new_name}”的清单")
            m.name, m.updated_at = new_name, func.now()
    except IntegrityError:
        raise ListError(f"已有名为“{new_name}”的清单") from None


def delete_list(store: Store, name: str) -> None:
    with store.session() as s:
        m = _find(s, name)
        s.execute(delete(MerchantListItem).where(MerchantListItem.list_id == m.id))
        s.delete(m)


def add_to_list(store: Store, name: str, merchant_ids: list[str]) -> int:
    """Append merchants not already on the list, in the order given; returns how many were added."""
    with store.session() as s:
        m = s.scalar(select(MerchantList).where(MerchantList.name == name).with_for_update())
        if m is None:
            raise ListError(f"没有名为“{name}”的清单")
        known = set(s.scalars(select(Merchant.id).where(Merchant.id.in_(merchant_ids))))
        unknown = [i for i in merchant_ids if i not in known]
        if unknown:
            raise ListError(f"没有这些编号的商户：{'、'.join(unknown)}")
        present = set(_ids(s, m.id))
        position = s.scalar(select(func.coalesce(func.max(MerchantListItem.position), 0))
                            .where(MerchantListItem.list_id == m.id)) or 0
        added = 0
        for mid in dict.fromkeys(merchant_ids):
            if mid in present:
                continue
            position += 1
            s.add(MerchantListItem(list_id=m.id, merchant_id=mid, position=position))
            added += 1
        m.updated_at = func.now()
        return added


def remove_from_list(store: Store, name: str, merchant_ids: list[str]) -> int:
    with store.session() as s:
        m = _find(s, name)
        removed = s.execute(delete(MerchantListItem).where(MerchantListItem.list_id == m.id,
                                                           MerchantListItem.merchant_id.in_(merchant_ids))).rowcount
        m.updated_at = func.now()
        return removed or 0


def reorder_list(store: Store, name: str, merchant_ids: list[str]) -> None:
    """Put the list in exactly this order (the same merchants, each once)."""
    with store.session() as s:
        m = s.scalar(select(MerchantList).where(MerchantList.name == name).with_for_update())
        if m is None:
            raise ListError(f"没有名为“{name}”的清单")
        current = _ids(s, m.id)
        if sorted(current) != sorted(merchant_ids) or len(set(merchant_ids)) != len(merchant_ids):
            raise ListError("新的顺序必须正好包含清单中的每家商户各一次")
        for position, mid in enumerate(merchant_ids, start=1):
            s.execute(update(MerchantListItem).where(MerchantListItem.list_id == m.id,
                                                     MerchantListItem.merchant_id == mid).values(position=position))
        m.updated_at = func.now()


def move_in_list(store: Store, name: str, merchant_id: str, position: int) -> None:
    """Move one merchant to a 1-based position."""
    ids = list(get_list(store, name).merchant_ids)
    if merchant_id not in ids:
        raise ListError(f"清单“{name}”中没有商户 {merchant_id}")
    if not 1 <= position <= len(ids):
        raise ListError(f"位置应在 1 到 {len(ids)} 之间")
    ids.remove(merchant_id)
    ids.insert(position - 1, merchant_id)
    reorder_list(store, name, ids)


def list_merchants(store: Store, districts: DistrictIndex, name: str) -> tuple[NamedList, gpd.GeoDataFrame, int]:
    """The list's merchants in list order, without retired ones; and how many retired were left out."""
    from app.merchants.catalogue import empty_frame, in_order, search  # pandas: when a list is shown

    named = get_list(store, name)
    if not named.merchant_ids:
        return named, empty_frame(), 0
    frame = in_order(search(store, districts, MerchantQuery(ids=named.merchant_ids)), named.merchant_ids)
    return named, frame, len(named.merchant_ids) - len(frame)
