"""The monthly points statement banks print, from a programme and the card's transactions.

The statement follows 杭州银行's (seed 003 二.1): previous balance, new, adjusted (refund claw-backs
and expiries), redeemed, current balance, and the points expiring soon with their dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from app.points.engine import Ledger, Transaction, run
from app.points.programme import Programme

SOON_DAYS = 90


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


def statement(p: Programme, transactions: Iterable[Transaction], birthday: dt.date | None, month: str) -> Statement:
    start, end = month_bounds(month)
    ledger: Ledger = run(p, list(transactions), birthday, end)
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
