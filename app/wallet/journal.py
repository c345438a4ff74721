"""The wallet's journal as plain data: entries, the purse rules they must keep, and balances from them.

The card has three separate purses (seed 000 Q15, Q16): the Hankou Bank debit account ("bank"),
the 电子现金 e-cash purse ("ecash") and the 武汉通 transit purse ("transit"). Every operation is
one immutable entry whose postings move integer fen in or out of purses; a balance is the sum of
its purse's postings, never a stored number. A correction is a new, reversing entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from collections.abc import Iterable, Mapping

from app.money import yuan_text

PURSES = ("bank", "ecash", "transit")
PURSE_NAMES = {"bank": "银行账户", "ecash": "电子现金", "transit": "武汉通"}
# Two separate e-cash rules. The purse's balance ceiling of 1,000 yuan is the PBOC 电子现金 standard
# (JR/T 0025), not a sentence of the seed. The seed's own rule (000 Q13) is per payment: 闪付
# 单笔金额不超过1000元, 无需签名和输入密码.
ECASH_LIMIT_FEN = 100_000            # balance ceiling (PBOC e-cash standard)
QUICKPASS_SINGLE_LIMIT_FEN = 100_000  # one 闪付 payment (seed 000 Q13)

KINDS = {
    "deposit": "存入",
    "withdraw": "取出",
    "disburse": "工会拨付",
    "load": "圈存",
    "topup": "武汉通充值",
    "ride": "乘车",
    "purchase": "消费",
    "refund": "退款",
    "reversal": "冲正",
    "assertion": "对账",
    "redeem": "积分兑换",
    "close": "积分卡销户",
}
DISBURSE_REASONS = ("困难帮扶", "金秋助学", "医疗互助")   # seed 000 Q2 names these "等": others are accepted
DISBURSE_REASON_MAX = 30


class WalletError(ValueError):
    """An operation the card's rules refuse; the message says why, in plain Chinese."""


@dataclass(frozen=True)
class Entry:
    kind: str
    occurred_on: dt.date
    postings: Mapping[str, int] = field(default_factory=dict)  # purse -> fen (+ in, - out)
    amount_fen: int = 0                  # the headline amount: before discount, base fare, asserted
    purse: str | None = None             # the purse paid from (purchase) or asserted (assertion)
    merchant_id: str | None = None
    merchant_name: str | None = None
    category: str | None = None
    mcc: str | None = None
    channel: str | None = None           # pos, online, third_party, counter, e_banking
    card: str | None = None              # debit (the union card is a debit card)
    reason: str | None = None            # disbursement tag, top-up source, ride mode
    refers_to: int | None = None         # the purchase a refund returns, the entry a reversal undoes
    note: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)
    id: int | None = None
    recorded_at: dt.datetime | None = None

    def posting(self, purse: str) -> int:
        return int(self.postings.get(purse, 0))

    def with_id(self, entry_id: int, recorded_at: dt.datetime | None = None) -> Entry:
        return replace(self, id=entry_id, recorded_at=recorded_at)


def ordered(entries: Iterable[Entry]) -> list[Entry]:
    """In the order they happened: by date, then as recorded (unsaved entries last)."""
    return sorted(entries, key=lambda e: (e.occurred_on, e.id is None, e.id or 0))


def balances(entries: Iterable[Entry], as_of: dt.date | None = None) -> dict[str, int]:
    """Each purse's balance in fen: the sum of its postings (up to and including `as_of`)."""
    totals = {p: 0 for p in PURSES}
    for e in entries:
        if as_of is None or e.occurred_on <= as_of:
            for purse in PURSES:
                totals[purse] += e.posting(purse)
    return totals


def reversed_ids(entries: Iterable[Entry]) -> set[int]:
    """The ids of entries a reversal (冲正) has undone."""
    return {e.refers_to for e in entries if e.kind == "reversal" and e.refers_to is not None}


def refunded_fen(entries: Iterable[Entry], purchase_id: int) -> int:
    """What has been refunded of a purchase so far (refunds that were reversed do not count)."""
    entries = list(entries)
    undone = reversed_ids(entries)
    return sum(e.amount_fen for e in entries
               if e.kind == "refund" and e.refers_to == purchase_id and e.id not in undone)


def check_rules(entries: Iterable[Entry]) -> None:
    """Raise WalletError if the journal, replayed in date order, ever breaks a purse rule.

    The debit account never goes below zero (seed 000 Q8: no overdraft); e-cash stays within
    0..1,000 yuan; the transit purse never goes below zero. Replaying the whole history, not just
    the end, keeps a back-dated entry from overdrawing a purse in the past.
    """
    running = {p: 0 for p in PURSES}
    for e in ordered(entries):
        for purse in PURSES:
            running[purse] += e.posting(purse)
        day = e.occurred_on.isoformat()
        if running["bank"] < 0:
            raise WalletError(f"银行账户余额不足：{day} 会透支 {yuan_text(-running['bank'])}（工会卡是借记卡，不能透支）")
        if running["ecash"] < 0:
            raise WalletError(f"电子现金余额不足：{day} 会差 {yuan_text(-running['ecash'])}")
        if running["ecash"] > ECASH_LIMIT_FEN:
            raise WalletError(f"电子现金余额不能超过 {yuan_text(ECASH_LIMIT_FEN)}：{day} 会达到 {yuan_text(running['ecash'])}")
        if running["transit"] < 0:
            raise WalletError(f"武汉通余额不足：{day} 会差 {yuan_text(-running['transit'])}")
