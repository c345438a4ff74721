"""Reading and appending the wallet journal and profile (the only SQL the wallet needs)."""

from __future__ import annotations

import json

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.store.models import WalletEntry, WalletProfile
from app.wallet.journal import Entry
from app.wallet.profile import Profile

_PROFILE_ID = 1
_FACTS = ("purse", "merchant_id", "merchant_name", "category", "mcc", "channel", "card", "reason",
          "refers_to", "note")


def lock_wallet(session: Session) -> None:
    """Serialise journal writes: bump the profile's revision (a row lock on PostgreSQL, the
    write lock on SQLite) before reading the balances the next entry is checked against."""
    if session.get(WalletProfile, _PROFILE_ID) is None:
        session.add(WalletProfile(id=_PROFILE_ID, revision=0))
        session.flush()
    session.execute(update(WalletProfile).where(WalletProfile.id == _PROFILE_ID)
                    .values(revision=WalletProfile.revision + 1))


def _entry(row: WalletEntry) -> Entry:
    postings = {p: f for p, f in (("bank", row.bank_fen), ("ecash", row.ecash_fen), ("transit", row.transit_fen)) if f}
    return Entry(kind=row.kind, occurred_on=row.occurred_on, postings=postings, amount_fen=row.amount_fen,
                 details=json.loads(row.details_json or "{}"), id=row.id, recorded_at=row.recorded_at,
                 **{k: getattr(row, k) for k in _FACTS})


def load_entries(session: Session) -> list[Entry]:
    rows = session.scalars(select(WalletEntry).order_by(WalletEntry.occurred_on, WalletEntry.id))
    return [_entry(r) for r in rows]


def insert_entry(session: Session, entry: Entry) -> Entry:
    row = WalletEntry(
        occurred_on=entry.occurred_on, kind=entry.kind, amount_fen=entry.amount_fen,
        bank_fen=entry.posting("bank"), ecash_fen=entry.posting("ecash"), transit_fen=entry.posting("transit"),
        details_json=json.dumps(dict(entry.details), ensure_ascii=False, sort_keys=True),
        **{k: getattr(entry, k) for k in _FACTS},
    )
    session.add(row)
    session.flush()
    session.refresh(row)
    return _entry(row)


def load_profile(session: Session) -> Profile:
    row = session.get(WalletProfile, _PROFILE_ID)
    if row is None:
        return Profile()
    return Profile(name=row.name, union_name=row.union_name, card_masked=row.card_number, mobile_masked=row.mobile,
                   birthday=row.birthday, programme=row.programme, id_masked=row.id_masked,
                   points_card=row.points_card)


def save_profile(session: Session, profile: Profile) -> None:
    row = session.get(WalletProfile, _PROFILE_ID)
    if row is None:
        row = WalletProfile(id=_PROFILE_ID, revision=0)
        session.add(row)
    for column, key in (("name", "name"), ("union_name", "union_name"), ("card_number", "card_masked"),
                        ("mobile", "mobile_masked"), ("birthday", "birthday"), ("programme", "programme"),
                        ("id_masked", "id_masked"), ("points_card", "points_card")):
        setattr(row, column, getattr(profile, key))
