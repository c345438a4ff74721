"""Staff changes to the catalogue, each one revision of one merchant under an optimistic lock.

A save names the revision the staff member started from. When someone else saved since, their
revisions are read back: changes to other fields merge automatically; a field both changed to
different values is a conflict, returned field by field (base, theirs, mine) and nothing is written
until the caller resolves each and saves again. The UPDATE itself is a compare-and-swap on the
revision number, so two saves racing each other can never both apply to the same revision.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from collections.abc import Mapping

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.geo.districts import DistrictIndex
from app.merchants.checks import check_merchant, new_errors
from app.merchants.duplicates import Place, find_candidates
from app.merchants.fields import FIELD_LABELS, TRACKED_FIELDS, MerchantRecord, decode_value, encode_value, record_state
from app.merchants.pinyin_index import pinyin_keys
from app.merchants.rows import rules_columns
from app.problems import Problem
from app.store import Store
from app.store.models import ChangeSet, DuplicateDismissal, Merchant, MerchantRevision

State = dict[str, object]
ACTIONS = {
    "add": "新增", "edit": "编辑", "move": "移动", "retire": "下架", "restore": "恢复", "revert": "回退",
    "merge": "合并", "import": "导入", "bulk": "批量修改",
}
_RETRIES = 8


class CurationError(ValueError):
    """A request that names nothing or asks nothing (unknown merchant, no change): bad input."""


@dataclass(frozen=True)
class Conflict:
    """One field both people changed, to different values."""

    field: str
    base: object          # what both started from
    theirs: object        # what the other person saved
    mine: object          # what this save wanted
    their_author: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)

    def to_json(self) -> dict:
        return {"field": self.field, "label": self.label, "base": encode_value(self.field, self.base),
                "theirs": encode_value(self.field, self.theirs), "mine": encode_value(self.field, self.mine),
                "their_author": self.their_author}


@dataclass(frozen=True)
class SaveResult:
    merchant_id: str
    saved: bool
    revision: int                                   # the merchant's revision after this call
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)   # field: (old, new)
    merged_with: tuple[str, ...] = ()               # authors whose later changes were merged in
    conflicts: tuple[Conflict, ...] = ()
    problems: tuple[Problem, ...] = ()
    change_set_id: int | None = None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    def to_json(self) -> dict:
        return {
            "merchant_id": self.merchant_id, "saved": self.saved, "revision": self.revision,
            "changes": {f: [encode_value(f, o), encode_value(f, n)] for f, (o, n) in self.changes.items()},
            "merged_with": list(self.merged_with), "conflicts": [c.to_json() for c in self.conflicts],
            "problems": [p.to_json() for p in self.problems], "change_set_id": self.change_set_id,
        }


@dataclass(frozen=True)
class MerchantVersion:
    id: str
    revision: int
    state: State

    @property
    def retired(self) -> bool:
        return self.state.get("retired_on") is not None


def row_state(row: Merchant) -> State:
    return {f: getattr(row, f) for f in TRACKED_FIELDS}


def load(store: Store, merchant_id: str) -> MerchantVersion:
    with store.session() as s:
        row = s.get(Merchant, merchant_id)
        if row is None:
            raise CurationError(f"没有编号为“{merchant_id}”的商户")
        return MerchantVersion(row.id, row.revision, row_state(row))


def action_of(changes: Mapping[str, object]) -> str:
    fields = set(changes)
    if "retired_on" in fields:
        return "retire" if changes["retired_on"] is not None else "restore"
    if fields and fields <= {"lon", "lat", "district_code", "location_approximate"} and fields & {"lon", "lat"}:
        return "move"
    return "edit"


def derived_columns(changes: Mapping[str, object]) -> dict[str, object]:
    """The search columns that follow a changed name (pinyin) or offer (parsed rules)."""
    out: dict[str, object] = {}
    if "name" in changes:
        out["name_pinyin"], out["name_initials"] = pinyin_keys(str(changes["name"]))
    if "offer" in changes:
        out.update(rules_columns(str(changes["offer"] or "")))
    return out


def new_change_set(s: Session, kind: str, author: str, comment: str | None = None, *, file_name: str | None = None,
                   summary: dict | None = None) -> int:
    return s.execute(
        insert(ChangeSet).values(kind=kind, author=author, comment=comment, file_name=file_name,
                                 summary_json=json.dumps(summary or {}, ensure_ascii=False)).returning(ChangeSet.id)
    ).scalar_one()


def add_revision(s: Session, merchant_id: str, revision: int, change_set_id: int, action: str,
                 changes: Mapping[str, tuple[object, object]], author: str, comment: str | None) -> None:
    encoded = {f: [encode_value(f, old), encode_value(f, new)] for f, (old, new) in changes.items()}
    s.execute(insert(MerchantRevision).values(
        merchant_id=merchant_id, revision=revision, change_set_id=change_set_id, action=action,
        changes_json=json.dumps(encoded, ensure_ascii=False), author=author, comment=comment))


def _later_revisions(s: Session, merchant_id: str, after: int) -> list[MerchantRevision]:
    return list(s.scalars(select(MerchantRevision).where(MerchantRevision.merchant_id == merchant_id,
                                                         MerchantRevision.revision > after)
                          .order_by(MerchantRevision.revision)))


def revision_changes(rev: MerchantRevision) -> dict[str, tuple[object, object]]:
    return {f: (decode_value(f, old), decode_value(f, new)) for f, (old, new) in json.loads(rev.changes_json).items()}


def nearby_duplicates(store: Store, merchant_id: str | None, state: Mapping[str, object]) -> tuple[str, ...]:
    """Names of active merchants that may be the same shop as `state` (near-same name within 150 m,
    or the same phone), for the warning staff see before saving; dismissed pairs stay quiet."""
    lon, lat = state.get("lon"), state.get("lat")
    if not isinstance(lon, (int, float)) or not isinstance(lat, (int, float)):
        return ()
    me = Place(merchant_id or "\0new", str(state.get("name") or ""), float(lon), float(lat), state.get("phone"))
    box = 0.003  # ~300 m: more than the 150 m compared
    with store.session() as s:
        stmt = select(Merchant.id, Merchant.name, Merchant.lon, Merchant.lat, Merchant.phone).where(
            Merchant.retired_on.is_(None),
            (Merchant.lon.between(me.lon - box, me.lon + box) & Merchant.lat.between(me.lat - box, me.lat + box))
            | ((Merchant.phone == me.phone) if me.phone else False),
        )
        others = [Place(*row) for row in s.execute(stmt) if row[0] != merchant_id]
        dismissed = [tuple(r) for r in s.execute(select(DuplicateDismissal.first_id, DuplicateDismissal.second_id)
                                                 .where((DuplicateDismissal.first_id == me.id)
                                                        | (DuplicateDismissal.second_id == me.id)))]
    names = {p.id: p.name for p in others}
    found = find_candidates([me], others, dismissed=dismissed)
    return tuple(f"{names[c.second_id if c.first_id == me.id else c.first_id]}"
                 f"（{c.second_id if c.first_id == me.id else c.first_id}，"
                 f"{'同一电话' if c.reason == 'phone' else f'相距 {c.distance_m:.0f} 米'}）" for c in found)


def save_changes(store: Store, districts: DistrictIndex, merchant_id: str, base_revision: int,
                 changes: Mapping[str, object], *, author: str, action: str | None = None,
                 comment: str | None = None, change_set_id: int | None = None,
                 today: dt.date | None = None) -> SaveResult:
    """Apply `changes` (field: new value) made by `author` against `base_revision` of a merchant."""
    unknown = set(changes) - set(TRACKED_FIELDS)
    if unknown:
        raise CurationError(f"不能修改的字段：{'、'.join(sorted(unknown))}")
    for _attempt in range(_RETRIES):
        with store.session() as s:
            row = s.get(Merchant, merchant_id)
            if row is None:
                raise CurationError(f"没有编号为“{merchant_id}”的商户")
            current = row_state(row)
            current_revision = row.revision
            if base_revision > current_revision:
                raise CurationError(f"商户 {merchant_id} 没有第 {base_revision} 版（最新是第 {current_revision} 版）")
            later = [(rev.author, revision_changes(rev)) for rev in _later_revisions(s, merchant_id, base_revision)]
            base, theirs_by = dict(current), {}
            for _author, diff in reversed(later):   # undo the later revisions: the state the editor saw
                base.update({f: old for f, (old, _new) in diff.items()})
            for author_, diff in later:
                theirs_by.update({f: author_ for f in diff})   # the latest author of each field
            theirs_changed = {f for f in TRACKED_FIELDS if base[f] != current[f]}
            mine = {f: v for f, v in changes.items() if v != base[f]}
            conflicts = tuple(Conflict(f, base[f], current[f], v, theirs_by.get(f, ""))
                              for f, v in mine.items() if f in theirs_changed and v != current[f])
            if conflicts:
                return SaveResult(merchant_id, False, current_revision, conflicts=conflicts)
            effective = {f: v for f, v in mine.items() if v != current[f]}
            merged = tuple(sorted({theirs_by[f] for f in theirs_changed if f in theirs_by}))
            if not effective:
                return SaveResult(merchant_id, False, current_revision, merged_with=merged)
            new_state = {**current, **effective}
            before = check_merchant(current, districts, merchant_id=merchant_id, today=today)
            nearby = nearby_duplicates(store, merchant_id, new_state) if {"name", "lon", "lat", "phone"} & set(effective) else ()
            problems = tuple(check_merchant(new_state, districts, merchant_id=merchant_id, today=today, nearby=nearby))
            if new_errors(list(problems), before):
                return SaveResult(merchant_id, False, current_revision, problems=problems)
            done = s.execute(
                update(Merchant).where(Merchant.id == merchant_id, Merchant.revision == current_revision)
                .values(**effective, **derived_columns(effective), revision=current_revision + 1)
            ).rowcount
            if done != 1:   # someone saved between our read and our write: read again and merge again
                s.rollback()
                continue
            kind = action or action_of(effective)
            set_id = change_set_id or new_change_set(s, kind, author, comment)
            diff = {f: (current[f], v) for f, v in effective.items()}
            add_revision(s, merchant_id, current_revision + 1, set_id, kind, diff, author, comment)
            return SaveResult(merchant_id, True, current_revision + 1, diff, merged, problems=problems,
                              change_set_id=set_id)
    raise CurationError(f"商户 {merchant_id} 正被频繁修改，{_RETRIES} 次都未能保存，请稍后再试")


def add_merchant(store: Store, districts: DistrictIndex, record: MerchantRecord, *, author: str,
                 comment: str | None = None, today: dt.date | None = None) -> SaveResult:
    """A new merchant as revision 1 (refused with its problems when a check fails)."""
    state = record_state(record)
    nearby = nearby_duplicates(store, record.id, state)
    problems = tuple(check_merchant(state, districts, merchant_id=record.id, today=today, nearby=nearby))
    if any(p.severity == "error" for p in problems):
        return SaveResult(record.id, False, 0, problems=problems)
    with store.session() as s:
        if s.get(Merchant, record.id) is not None:
            raise CurationError(f"编号“{record.id}”已被另一家商户使用")
        values = {"id": record.id, **state, **derived_columns(state), "revision": 1}
        s.execute(insert(Merchant).values(**values))
        set_id = new_change_set(s, "add", author, comment)
        diff = {f: (None, v) for f, v in state.items() if v is not None and v != ""}
        add_revision(s, record.id, 1, set_id, "add", diff, author, comment)
    return SaveResult(record.id, True, 1, diff, problems=problems, change_set_id=set_id)


def retire(store: Store, districts: DistrictIndex, merchant_id: str, base_revision: int, *, reason: str,
           on: dt.date, author: str, comment: str | None = None) -> SaveResult:
    if not reason.strip():
        raise CurationError("下架需要写明原因")
    return save_changes(store, districts, merchant_id, base_revision,
                        {"retired_on": on, "retired_reason": reason.strip()}, author=author, comment=comment)


def restore(store: Store, districts: DistrictIndex, merchant_id: str, base_revision: int, *, author: str,
            comment: str | None = None) -> SaveResult:
    return save_changes(store, districts, merchant_id, base_revision, {"retired_on": None, "retired_reason": None},
                        author=author, comment=comment)


def move(store: Store, districts: DistrictIndex, merchant_id: str, base_revision: int, lon: float, lat: float, *,
         author: str, comment: str | None = None) -> SaveResult:
    """A new position (WGS84); the district follows the position."""
    located = districts.locate([lon], [lat])[0] if districts.contains_city(lon, lat) else None
    changes: dict[str, object] = {"lon": round(lon, 7), "lat": round(lat, 7)}
    if located:
        changes["district_code"] = located
    return save_changes(store, districts, merchant_id, base_revision, changes, author=author, comment=comment)


def bulk_change(store: Store, districts: DistrictIndex, merchant_ids: list[str], changes: Mapping[str, object], *,
                author: str, comment: str | None = None) -> list[SaveResult]:
    """The same change to several merchants (set category, set validity, retire): one change set,
    one revision per merchant that actually changes. Each merchant is saved on its own, so one
    refused (a check error) does not stop the others; the results say which."""
    with store.session() as s:
        set_id = new_change_set(s, "bulk", author, comment, summary={"merchants": list(merchant_ids),
                                                                      "fields": sorted(changes)})
    results = []
    for merchant_id in merchant_ids:
        current = load(store, merchant_id)
        results.append(save_changes(store, districts, merchant_id, current.revision, changes, author=author,
                                    comment=comment, change_set_id=set_id))
    return results
