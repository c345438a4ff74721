"""The duplicate review queue: candidate pairs staff have not yet judged, merge, and "not a duplicate"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from collections.abc import Mapping

from sqlalchemy import select

from app.geo.districts import DistrictIndex
from app.merchants.curation import CurationError, SaveResult, load, retire, save_changes
from app.merchants.duplicates import Candidate, Place, find_candidates, pair_key
from app.merchants.fields import TRACKED_FIELDS
from app.store import Store
from app.store.models import DuplicateDismissal, Merchant

MERGEABLE = tuple(f for f in TRACKED_FIELDS if f not in ("retired_on", "retired_reason"))


@dataclass(frozen=True)
class MergeResult:
    kept: SaveResult | None      # None when the kept merchant needed no change
    retired: SaveResult


def candidates(store: Store) -> list[Candidate]:
    """Pairs of active merchants that may be duplicates, minus those judged "not a duplicate"."""
    with store.session() as s:
        places = [Place(*r) for r in s.execute(select(Merchant.id, Merchant.name, Merchant.lon, Merchant.lat,
                                                      Merchant.phone).where(Merchant.retired_on.is_(None)))]
        dismissed = [tuple(r) for r in s.execute(select(DuplicateDismissal.first_id, DuplicateDismissal.second_id))]
    return find_candidates(places, dismissed=dismissed)


def dismiss(store: Store, first_id: str, second_id: str, *, author: str) -> None:
    """Remember that these two are different merchants, so the pair never comes back."""
    a, b = pair_key(first_id, second_id)
    for mid in (a, b):
        load(store, mid)
    with store.session() as s:
        if s.get(DuplicateDismissal, (a, b)) is None:
            s.add(DuplicateDismissal(first_id=a, second_id=b, author=author))


def merge(store: Store, districts: DistrictIndex, keep_id: str, drop_id: str, *, author: str,
          take: Mapping[str, str] | None = None, on: dt.date | None = None) -> MergeResult:
    """Merge `drop_id` into `keep_id`: each field named in `take` with "other" takes the dropped
    merchant's value; the dropped merchant is retired (never deleted), so both histories stay."""
    if keep_id == drop_id:
        raise CurationError("不能把商户与它自己合并")
    keep, drop = load(store, keep_id), load(store, drop_id)
    if drop.retired:
        raise CurationError(f"商户 {drop_id} 已下架，无需合并")
    bad = set(take or {}) - set(MERGEABLE)
    if bad:
        raise CurationError(f"不能合并的字段：{'、'.join(sorted(bad))}")
    changes = {f: drop.state[f] for f, side in (take or {}).items() if side == "other" and drop.state[f] != keep.state[f]}
    kept = None
    if changes:
        kept = save_changes(store, districts, keep_id, keep.revision, changes, author=author, action="merge",
                            comment=f"合并重复商户 {drop_id}")
        if not kept.saved:
            return MergeResult(kept, SaveResult(drop_id, False, drop.revision))
    retired = retire(store, districts, drop_id, drop.revision, reason=f"与 {keep_id} 重复，已合并",
                     on=on or dt.date.today(), author=author, comment=f"合并到 {keep_id}")
    return MergeResult(kept, retired)
