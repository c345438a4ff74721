"""What happened to the catalogue: each merchant's revisions, revert, and the catalogue-wide change log."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.geo.districts import DistrictIndex
from app.merchants.curation import (
    ACTIONS,
    CurationError,
    SaveResult,
    load,
    revision_changes,
    save_changes,
)
from app.merchants.exporter import safe_cell
from app.merchants.fields import FIELD_LABELS, FLAG_FIELDS, TRACKED_FIELDS, display_value, encode_value
from app.store import Store
from app.store.models import ChangeSet, Merchant, MerchantRevision
from app.safe_write import replacing


@dataclass(frozen=True)
class Revision:
    merchant_id: str
    revision: int
    action: str
    changes: dict[str, tuple[object, object]]
    author: str
    created_at: dt.datetime
    comment: str | None
    change_set_id: int
    merchant_name: str | None = None
    district_code: str | None = None
    file_name: str | None = None

    @property
    def action_text(self) -> str:
        return ACTIONS.get(self.action, self.action)

    def changes_text(self, district_name=None) -> str:
        """字段：旧 → 新; …, as staff read it."""
        return "；".join(f"{FIELD_LABELS.get(f, f)}：{display_value(f, o, district_name)} → {display_value(f, n, district_name)}"
                        for f, (o, n) in self.changes.items())

    def to_json(self) -> dict:
        return {
            "merchant_id": self.merchant_id, "revision": self.revision, "action": self.action,
            "author": self.author, "created_at": self.created_at.isoformat(timespec="seconds"),
            "comment": self.comment, "change_set_id": self.change_set_id, "merchant_name": self.merchant_name,
            "district_code": self.district_code, "file_name": self.file_name,
            "changes": {f: [encode_value(f, o), encode_value(f, n)] for f, (o, n) in self.changes.items()},
        }


def _revision(rev: MerchantRevision, name=None, district=None, file_name=None) -> Revision:
    return Revision(rev.merchant_id, rev.revision, rev.action, revision_changes(rev), rev.author, rev.created_at,
                    rev.comment, rev.change_set_id, name, district, file_name)


def history(store: Store, merchant_id: str) -> list[Revision]:
    """A merchant's revisions, oldest first."""
    load(store, merchant_id)   # names the merchant that does not exist
    with store.session() as s:
        revs = s.scalars(select(MerchantRevision).where(MerchantRevision.merchant_id == merchant_id)
                         .order_by(MerchantRevision.revision))
        return [_revision(r) for r in revs]


def state_at(store: Store, merchant_id: str, revision: int) -> dict[str, object]:
    """The merchant's fields as they were right after `revision` was saved."""
    revisions = history(store, merchant_id)
    if not any(r.revision == revision for r in revisions):
        raise CurationError(f"商户 {merchant_id} 没有第 {revision} 版")
    state: dict[str, object] = {f: None for f in TRACKED_FIELDS}
    state.update({f: False for f in FLAG_FIELDS})
    for r in revisions:
        if r.revision > revision:
            break
        state.update({f: new for f, (_old, new) in r.changes.items()})
    return state


def revert(store: Store, districts: DistrictIndex, merchant_id: str, to_revision: int, *, author: str,
           comment: str | None = None) -> SaveResult:
    """Make the merchant as it was at `to_revision`, as a new revision (history is never rewritten).
    Reverting to a revision from before a retirement brings the merchant back."""
    target = state_at(store, merchant_id, to_revision)
    current = load(store, merchant_id)
    changes = {f: v for f, v in target.items() if current.state.get(f) != v}
    if not changes:
        raise CurationError(f"商户 {merchant_id} 现在就与第 {to_revision} 版相同")
    return save_changes(store, districts, merchant_id, current.revision, changes, author=author, action="revert",
                        comment=comment or f"回退到第 {to_revision} 版")


def change_log(store: Store, *, author: str | None = None, since: dt.date | None = None,
               until: dt.date | None = None, district_code: str | None = None, action: str | None = None,
               merchant_id: str | None = None, limit: int | None = None) -> list[Revision]:
    """Revisions across the catalogue, newest first, filtered as the 变更记录 view filters them."""
    stmt = (select(MerchantRevision, Merchant.name, Merchant.district_code, ChangeSet.file_name)
            .join(Merchant, Merchant.id == MerchantRevision.merchant_id, isouter=True)
            .join(ChangeSet, ChangeSet.id == MerchantRevision.change_set_id)
            .order_by(MerchantRevision.created_at.desc(), MerchantRevision.id.desc()))
    if author:
        stmt = stmt.where(MerchantRevision.author == author)
    if since:
        stmt = stmt.where(MerchantRevision.created_at >= dt.datetime.combine(since, dt.time.min, dt.UTC))
    if until:
        stmt = stmt.where(MerchantRevision.created_at
                          < dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, dt.UTC))
    if district_code:
        stmt = stmt.where(Merchant.district_code == district_code)
    if action:
        stmt = stmt.where(MerchantRevision.action == action)
    if merchant_id:
        stmt = stmt.where(MerchantRevision.merchant_id == merchant_id)
    if limit:
        stmt = stmt.limit(limit)
    with store.session() as s:
        return [_revision(rev, name, district, file_name) for rev, name, district, file_name in s.execute(stmt)]


def authors(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(MerchantRevision.author).distinct().order_by(MerchantRevision.author)))


CSV_HEADERS = ("时间", "经办人", "操作", "商户编号", "商户名称", "区", "版本", "修改内容", "说明", "导入文件")


def write_change_log_csv(revisions: list[Revision], districts: DistrictIndex, path: Path) -> Path:
    """The change log as a CSV Chinese Excel opens (UTF-8 with BOM)."""
    with replacing(Path(path)) as partial, open(partial, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_HEADERS)
        for r in revisions:
            writer.writerow([safe_cell(v) for v in (
                r.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), r.author, r.action_text, r.merchant_id,
                r.merchant_name or "", districts.name(r.district_code) or "", r.revision,
                r.changes_text(districts.name), r.comment or "", r.file_name or "")])
    return path
