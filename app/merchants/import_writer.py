"""Writing a checked file into the catalogue as one change set: added, updated and unchanged merchants,
duplicates handled as staff chose, and the same source's merchants the file no longer lists.

Everything happens in one transaction that locks the rows it updates (PostgreSQL), so an import racing
a staff edit either comes before it (the edit then merges with the import) or after it (the import then
records the edit's value as the old one): no change is lost and history stays in order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import insert, select

from app.merchants.curation import derived_columns, new_change_set
from app.merchants.duplicates import Place, find_candidates
from app.merchants.fields import TRACKED_FIELDS, MerchantRecord, encode_value, record_state
from app.store import Store
from app.store.database import mark_merchants_written
from app.store.models import DuplicateDismissal, Merchant, MerchantRevision

_RECORD_FIELDS = tuple(f for f in TRACKED_FIELDS if f not in ("retired_on", "retired_reason"))
MATCHES_PER_ROW = 3   # possible duplicates listed for one row of a file, the closest first


@dataclass(frozen=True)
class DuplicateMatch:
    """A merchant of the file that may be one already in the catalogue (or earlier in the file)."""

    new_id: str
    new_name: str
    where: str                 # 第3行 / 第2个要素
    existing_id: str
    existing_name: str
    reason: str                # name | phone
    distance_m: float

    def __str__(self) -> str:
        how = "电话相同" if self.reason == "phone" else f"名称相近，相距 {self.distance_m:.0f} 米"
        return f"{self.where} {self.new_name} 可能与 {self.existing_name}（{self.existing_id}）重复：{how}"

    def to_json(self) -> dict:
        return {"new_id": self.new_id, "new_name": self.new_name, "where": self.where,
                "existing_id": self.existing_id, "existing_name": self.existing_name, "reason": self.reason,
                "distance_m": round(self.distance_m, 1)}


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _encoded(diff: dict[str, tuple[object, object]]) -> str:
    return json.dumps({f: [encode_value(f, o), encode_value(f, n)] for f, (o, n) in diff.items()}, ensure_ascii=False)


def write_records(store: Store, records: Sequence[MerchantRecord], *, author: str, file_name: str,
                  duplicates: str | Mapping[str, str], dry_run: bool, where: dict[str, str]) -> dict:
    """The fields of an ImportReport (all but path and problems). `duplicates` is one choice for all,
    or a choice per new merchant id (staff decided row by row; "ask" for any row not named)."""
    def choice(new_id: str) -> str:
        return duplicates if isinstance(duplicates, str) else duplicates.get(new_id, "ask")

    with store.session() as s:
        existing: dict[str, Merchant] = {}
        for chunk in _chunks([r.id for r in records], 500):
            for m in s.scalars(select(Merchant).where(Merchant.id.in_(chunk)).with_for_update()):
                existing[m.id] = m
        new = [r for r in records if r.id not in existing]
        active = [Place(*row) for row in s.execute(
            select(Merchant.id, Merchant.name, Merchant.lon, Merchant.lat, Merchant.phone)
            .where(Merchant.retired_on.is_(None)))]
        names = {p.id: p.name for p in active} | {r.id: r.name for r in records}
        dismissed = [tuple(r) for r in s.execute(select(DuplicateDismissal.first_id, DuplicateDismissal.second_id))]
        new_places = [Place(r.id, r.name, r.lon, r.lat, r.phone) for r in new]
        order = {r.id: i for i, r in enumerate(records)}
        matches: list[DuplicateMatch] = []
        for c in find_candidates(new_places, active, dismissed=dismissed):
            # The one found later in the file is "the new one"; an existing merchant is never new.
            a, b = c.first_id, c.second_id
            a_new, b_new = a in order and a not in existing, b in order and b not in existing
            new_id, old_id = (b, a) if (a_new and b_new and order[b] > order[a]) or not a_new else (a, b)
            if not (new_id in order and new_id not in existing):
                continue
            matches.append(DuplicateMatch(new_id, names[new_id], where.get(new_id, new_id), old_id, names[old_id],
                                          c.reason, c.distance_m))
        # The closest few for each row (candidates come best first): a file of near-identical names once
        # made 168,140 pairs, no list anyone can choose from; the choice is per row all the same.
        per_row: dict[str, int] = {}
        closest = []
        for m in matches:
            per_row[m.new_id] = per_row.get(m.new_id, 0) + 1
            if per_row[m.new_id] <= MATCHES_PER_ROW:
                closest.append(m)
        matches = closest
        matches.sort(key=lambda m: order[m.new_id])
        if any(choice(m.new_id) == "ask" for m in matches):
            return dict(added=0, updated=0, unchanged=0, written=False, duplicates=tuple(matches), dry_run=dry_run)

        skip: set[str] = set()
        redirect: dict[str, str] = {}
        for m in matches:
            wanted = choice(m.new_id)
            if wanted == "skip" or (wanted == "update" and m.existing_id not in existing and m.existing_id in order):
                skip.add(m.new_id)
            elif wanted == "update" and m.new_id not in redirect:
                redirect[m.new_id] = m.existing_id
        if redirect:  # the rows that update an existing merchant need that merchant locked too
            for m in s.scalars(select(Merchant).where(Merchant.id.in_(list(set(redirect.values())))).with_for_update()):
                existing[m.id] = m

        added_rows, updates, unchanged = [], [], 0
        for rec in records:
            if rec.id in skip:
                continue
            target_id = redirect.get(rec.id, rec.id)
            row = existing.get(target_id)
            state = {f: getattr(rec, f) for f in _RECORD_FIELDS}
            if row is None:
                added_rows.append((rec, record_state(rec)))
                continue
            diff = {f: (getattr(row, f), v) for f, v in state.items() if getattr(row, f) != v}
            if diff:
                updates.append((row, diff))
            else:
                unchanged += 1

        same_sources = {r.source for r in records if r.source}
        listed = {redirect.get(r.id, r.id) for r in records}
        missing: list[tuple[str, str]] = []
        if same_sources:
            for mid, name in s.execute(select(Merchant.id, Merchant.name).where(
                    Merchant.source.in_(sorted(same_sources)), Merchant.retired_on.is_(None)).order_by(Merchant.id)):
                if mid not in listed:
                    missing.append((mid, name))

        result = dict(added=len(added_rows), updated=len(updates), unchanged=unchanged,
                      added_ids=tuple(r.id for r, _ in added_rows), updated_ids=tuple(row.id for row, _ in updates),
                      skipped_ids=tuple(sorted(skip, key=order.get)), duplicates=tuple(matches),
                      missing=tuple(missing), dry_run=dry_run)
        if dry_run:
            s.rollback()
            return dict(result, written=False)
        summary = {"added": len(added_rows), "updated": len(updates), "unchanged": unchanged, "skipped": len(skip),
                   "missing": [mid for mid, _ in missing]}
        set_id = new_change_set(s, "import", author, f"导入 {file_name}", file_name=file_name, summary=summary)
        revisions = []
        if added_rows:
            # Core executemany: one statement for all rows, no ORM bookkeeping per row
            s.execute(insert(Merchant.__table__), [{"id": rec.id, **state, **derived_columns(state), "revision": 1}
                                                   for rec, state in added_rows])
            mark_merchants_written(s)
            revisions += [{"merchant_id": rec.id, "revision": 1, "change_set_id": set_id, "action": "add",
                           "changes_json": _encoded({f: (None, v) for f, v in state.items() if v is not None and v != ""}),
                           "author": author, "comment": f"导入 {file_name}"} for rec, state in added_rows]
        for row, diff in updates:
            new_values = {f: new for f, (_old, new) in diff.items()}
            for k, v in {**new_values, **derived_columns(new_values)}.items():
                setattr(row, k, v)
            row.revision += 1
            revisions.append({"merchant_id": row.id, "revision": row.revision, "change_set_id": set_id,
                              "action": "import", "changes_json": _encoded(diff), "author": author,
                              "comment": f"导入 {file_name}"})
        if revisions:
            s.flush()
            s.execute(insert(MerchantRevision.__table__), revisions)
        return dict(result, written=True, change_set_id=set_id)
