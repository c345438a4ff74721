"""Staff review: which merchants changed since their last review, and approving them for release."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from app.merchants.curation import CurationError, new_change_set
from app.store import Store
from app.store.models import Merchant


@dataclass(frozen=True)
class Pending:
    id: str
    name: str
    revision: int
    reviewed_revision: int | None    # None: a new merchant, never released


_UNREVIEWED = (Merchant.reviewed_revision.is_(None)) | (Merchant.reviewed_revision != Merchant.revision)


def pending(store: Store) -> list[Pending]:
    """Merchants whose latest revision has not been reviewed, by id."""
    with store.session() as s:
        rows = s.execute(select(Merchant.id, Merchant.name, Merchant.revision, Merchant.reviewed_revision)
                         .where(_UNREVIEWED).order_by(Merchant.id))
        return [Pending(*r) for r in rows]


def approve(store: Store, merchant_ids: list[str] | None, *, author: str) -> int:
    """Mark the current revision of these merchants (all pending ones with None) as reviewed; one
    change set records who approved what. Returns how many were approved."""
    with store.session() as s:
        if merchant_ids is None:
            targets = list(s.scalars(select(Merchant.id).where(_UNREVIEWED).order_by(Merchant.id)))
        else:
            known = set(s.scalars(select(Merchant.id).where(Merchant.id.in_(merchant_ids))))
            unknown = [m for m in merchant_ids if m not in known]
            if unknown:
                raise CurationError(f"没有这些编号的商户：{'、'.join(unknown)}")
            targets = list(merchant_ids)
        if not targets:
            return 0
        revisions = {}
        for chunk in range(0, len(targets), 500):
            part = targets[chunk:chunk + 500]
            revisions.update(dict(s.execute(select(Merchant.id, Merchant.revision).where(Merchant.id.in_(part))).all()))
            s.execute(update(Merchant).where(Merchant.id.in_(part)).values(reviewed_revision=Merchant.revision))
        new_change_set(s, "review", author, f"审核通过 {len(targets)} 家商户",
                       summary={"approved": {mid: revisions[mid] for mid in targets}})
        return len(targets)
