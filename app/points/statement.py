"""The member's points from the wallet journal, and the monthly statement banks print.

The statement follows 杭州银行's (seed 003 二.1): previous balance, new, adjusted (refund claw-backs
and expiries), redeemed, current balance, and the points expiring soon with their dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from app.money import fen_to_decimal
from app.points.engine import Ledger, Transaction, run
from app.points.programme import Programme
from app.wallet.journal import Entry, reversed_ids
from app.wallet.operations import payable_of

SOON_DAYS = 90


def wallet_transactions(entries: Iterable[Entry]) -> list[Transaction]:
    """Card spending in the journal, as the engine reads it (deposits, loads and rides earn nothing).

    A reversed purchase counts as a full refund; a refund that was itself reversed is dropped.
    """
    entries = list(entries)
    by_id = {e.id: e for e in entries}
    undone = reversed_ids(entries)
    out = []
    for e in entries:
        ref = str(e.id)
        if e.kind == "purchase":
            out.append(Transaction(ref, e.occurred_on, fen_to_decimal(payable_of(e)), "purchase", None, e.mcc,
                                   e.channel, e.card))
        elif e.kind == "refund" and e.id not in undone:
            out.append(Transaction(ref, e.occurred_on, fen_to_decimal(e.amount_fen), "refund", None, e.mcc,
                                   e.channel, e.card, str(e.refers_to)))
        elif e.kind == "reversal" and by_id.get(e.refers_to) is not None and by_id[e.refers_to].kind == "purchase":
            paid = payable_of(by_id[e.refers_to])
            if paid:
                out.append(Transaction(ref, e.occurred_on, fen_to_decimal(paid), "refund", None, e.mcc,
                                       e.channel, e.card, str(e.refers_to)))
        elif e.kind == "redeem":
            out.append(Transaction(ref, e.occurred_on, Decimal(int(e.details["points"])), "redeem"))
    return [t for t in out if t.amount > 0]


@dataclass(frozen=True)
class Statement:
    month: str
    previous: int
    new: int
    adjusted: int
    redeemed: int
    current: int
    usable: int
    expiring: list[tuple[dt.date, int]]
    expiring_soon: list[tuple[dt.date, int]]

    def to_json(self) -> dict:
        return {
            "month": self.month, "previous_balance": self.previous, "new": self.new, "adjusted": self.adjusted,
            "redeemed": self.redeemed, "current_balance": self.current, "usable": self.usable,
            "expiring": [{"date": d.isoformat(), "points": p} for d, p in self.expiring],
            "expiring_soon": [{"date": d.isoformat(), "points": p} for d, p in self.expiring_soon],
        }


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    start = dt.date.fromisoformat(f"{month}-01")
    following = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def statement(p: Programme, entries: Iterable[Entry], birthday: dt.date | None, month: str) -> Statement:
    start, end = month_bounds(month)
    ledger: Ledger = run(p, wallet_transactions(entries), birthday, end)
    within = [e for e in ledger.events if start <= e.day <= end]
    previous = sum(e.points for e in ledger.events if e.day < start)
    new = sum(e.points for e in within if e.kind == "earn")
    adjusted = sum(e.points for e in within if e.kind in ("clawback", "expire"))
    redeemed = -sum(e.points for e in within if e.kind == "redeem")
    current = previous + new + adjusted - redeemed
    assert current == ledger.balance, "statement lines must add up to the ledger's balance"
    expiring = ledger.expiring()
    soon = [(d, n) for d, n in expiring if d <= end + dt.timedelta(days=SOON_DAYS)]
    return Statement(month, previous, new, adjusted, redeemed, current, ledger.usable, expiring, soon)
