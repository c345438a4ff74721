"""The points statement banks print each 账期, from a programme and the card's transactions.

The statement follows 杭州银行's (seed 003 二.1): previous balance, new (基本积分 and 奖励积分 apart, seed
003 一(一)), adjusted (refund claw-backs, expiries, points cleared when the account closes), redeemed,
current balance, and the points expiring soon with their dates. A programme with a cycle day (账单日)
states from the day after the previous statement day to this month's; otherwise the calendar month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from collections.abc import Iterable

from app.points.engine import Ledger, Transaction, run
from app.points.programme import Programme

SOON_DAYS = 90


@dataclass(frozen=True)
class Statement:
    month: str
    previous: int
    new: int
    new_basic: int
    new_bonus: int
    adjusted: int
    redeemed: int
    current: int
    usable: int
    expiring: list[tuple[dt.date, int]]
    expiring_soon: list[tuple[dt.date, int]]
    period: tuple[dt.date, dt.date] | None = None

    def to_json(self) -> dict:
        return {
            "month": self.month, "period": [d.isoformat() for d in self.period] if self.period else None,
            "previous_balance": self.previous, "new": self.new, "new_basic": self.new_basic,
            "new_bonus": self.new_bonus, "adjusted": self.adjusted,
            "redeemed": self.redeemed, "current_balance": self.current, "usable": self.usable,
            "expiring": [{"date": d.isoformat(), "points": p} for d, p in self.expiring],
            "expiring_soon": [{"date": d.isoformat(), "points": p} for d, p in self.expiring_soon],
        }


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    start = dt.date.fromisoformat(f"{month}-01")
    following = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def cycle_bounds(month: str, cycle_day: int) -> tuple[dt.date, dt.date]:
    """The 账期 whose statement day falls in `month`: from the day after last month's statement day."""
    start, end = month_bounds(month)
    if not cycle_day:
        return start, end
    previous = start - dt.timedelta(days=1)
    return previous.replace(day=cycle_day) + dt.timedelta(days=1), start.replace(day=cycle_day)


def statement(p: Programme, transactions: Iterable[Transaction], birthday: dt.date | None, month: str) -> Statement:
    start, end = cycle_bounds(month, p.cycle_day)
    ledger: Ledger = run(p, list(transactions), birthday, end)
    within = [e for e in ledger.events if start <= e.day <= end]
    previous = sum(e.points for e in ledger.events if e.day < start)
    basic = sum(e.points for e in within if e.kind == "earn")
    bonus = sum(e.points for e in within if e.kind == "bonus")
    new = basic + bonus
    adjusted = sum(e.points for e in within if e.kind in ("clawback", "expire", "cleared"))
    redeemed = -sum(e.points for e in within if e.kind == "redeem")
    current = previous + new + adjusted - redeemed
    assert current == ledger.balance, "statement lines must add up to the ledger's balance"
    expiring = ledger.expiring()
    soon = [(d, n) for d, n in expiring if d <= end + dt.timedelta(days=SOON_DAYS)]
    return Statement(month, previous, new, basic, bonus, adjusted, redeemed, current, ledger.usable, expiring, soon,
                     (start, end))
