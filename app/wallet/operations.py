"""The wallet's operations: each builds one journal entry, or refuses with the reason in Chinese.

Builders are pure: they look at the entries so far and return the new entry; `append` then checks
the purse rules over the whole journal with it. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from collections.abc import Sequence

from app.money import yuan_text
from app.wallet.journal import (
    DISBURSE_REASON_MAX,
    DISBURSE_REASONS,
    KINDS,
    PURSE_NAMES,
    QUICKPASS_SINGLE_LIMIT_FEN,
    Entry,
    WalletError,
    balances,
    check_rules,
    refunded_fen,
    reversed_ids,
)

FARES_FILE = Path(__file__).resolve().parent / "transit_fares.toml"
TOPUP_SOURCES = {"cash": "现金（武汉通服务点）", "bank": "银行账户（汉口银行自助终端）"}
PAYING_PURSES = ("bank", "ecash")
POINTS_CARD = "card"   # paid with the member's card of the points programme's bank, not the union card
UNION_CARD = "union"          # Entry.card of the union card (older entries say "debit")


@dataclass(frozen=True)
class Fare:
    mode: str
    name: str
    multiplier: Decimal


@lru_cache(maxsize=1)
def fares() -> dict[str, Fare]:
    """The card's ride discounts, from app/wallet/transit_fares.toml."""
    data = tomllib.loads(FARES_FILE.read_text(encoding="utf-8"))
    out = {}
    for mode, row in data.items():
        multiplier = Decimal(str(row["multiplier"]))
        if not Decimal(0) < multiplier <= 1:
            raise ValueError(f"{FARES_FILE}: {mode}.multiplier must be in (0, 1]")
        out[mode] = Fare(mode, row["name"], multiplier)
    return out


def _positive(amount_fen: int) -> int:
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise WalletError("金额必须大于 0")
    return amount_fen


def deposit(amount_fen: int, on: dt.date, note: str | None = None) -> Entry:
    return Entry("deposit", on, {"bank": _positive(amount_fen)}, amount_fen, note=note)


def withdraw(amount_fen: int, on: dt.date, note: str | None = None) -> Entry:
    return Entry("withdraw", on, {"bank": -_positive(amount_fen)}, amount_fen, note=note)


def disburse(amount_fen: int, reason: str, on: dt.date, note: str | None = None) -> Entry:
    """Seed 000 Q2 names 困难帮扶、金秋助学、医疗互助 "等": those three and any other reason the union gives."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise WalletError(f"请填写拨付类别，如：{'、'.join(DISBURSE_REASONS)}")
    if len(reason) > DISBURSE_REASON_MAX:
        raise WalletError(f"拨付类别太长（最多 {DISBURSE_REASON_MAX} 个字）：“{reason[:20]}…”")
    return Entry("disburse", on, {"bank": _positive(amount_fen)}, amount_fen, reason=reason, note=note)


def load(amount_fen: int, on: dt.date, note: str | None = None) -> Entry:
    """圈存: move money from the debit account into the e-cash purse."""
    amount_fen = _positive(amount_fen)
    return Entry("load", on, {"bank": -amount_fen, "ecash": amount_fen}, amount_fen, note=note)


def topup_transit(amount_fen: int, source: str, on: dt.date, note: str | None = None) -> Entry:
    """武汉通 top-up: cash at a service point, or from the debit account at a bank terminal (Q16)."""
    amount_fen = _positive(amount_fen)
    if source not in TOPUP_SOURCES:
        raise WalletError(f"未知的充值方式“{source}”，应为 cash（现金）或 bank（银行账户）")
    postings = {"transit": amount_fen}
    if source == "bank":
        postings["bank"] = -amount_fen
    return Entry("topup", on, postings, amount_fen, reason=source, note=note)


def ride_fare(mode: str, base_fare_fen: int) -> int:
    """What the transit purse pays for a ride: the base fare with the card's discount, to the fen."""
    fare = fares().get(mode)
    if fare is None:
        raise WalletError(f"未知的乘车方式“{mode}”，应为：{'、'.join(f'{m}（{f.name}）' for m, f in fares().items())}")
    charged = (Decimal(_positive(base_fare_fen)) * fare.multiplier).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(charged)


def ride(mode: str, base_fare_fen: int, on: dt.date, note: str | None = None) -> Entry:
    charged = ride_fare(mode, base_fare_fen)
    rate = fares()[mode].multiplier
    return Entry("ride", on, {"transit": -charged}, base_fare_fen, purse="transit", reason=mode, note=note,
                 details={"multiplier": str(rate), "charged_fen": charged})


@dataclass(frozen=True)
class PurchaseFacts:
    """What the wallet records of a merchant at the moment of a purchase (for points later)."""
    merchant_id: str | None
    merchant_name: str
    category: str | None
    mcc: str | None


@dataclass(frozen=True)
class PointsCard:
    """The member's card of a points programme's bank: its kind goes in Entry.card, the programme in
    the entry's details."""
    programme: str   # hrxj
    kind: str        # debit | credit


def purchase(facts: PurchaseFacts, total_fen: int, payable_fen: int, purse: str, on: dt.date,
             channel: str = "pos", items: Sequence[dict] = (), note: str | None = None,
             card: PointsCard | None = None) -> Entry:
    """A purchase from the union card's bank account or e-cash, or (purse `card`) with the member's
    points card, which moves no union-card purse but earns its points."""
    if purse == "transit":
        raise WalletError("武汉通只能用于乘车，不能在商户消费")
    if purse == POINTS_CARD:
        if card is None:
            raise WalletError("请先在会员资料中设置积分卡（哪家银行的积分计划、借记卡还是信用卡）")
    elif purse not in PAYING_PURSES:
        raise WalletError(f"未知的付款账户“{purse}”，应为 bank（银行账户）、ecash（电子现金）或 card（积分卡）")
    _positive(total_fen)
    if not 0 <= payable_fen <= total_fen:
        raise WalletError("应付金额应在 0 和原价之间")
    if purse == "ecash" and payable_fen > QUICKPASS_SINGLE_LIMIT_FEN:
        raise WalletError(f"电子现金（闪付）单笔不超过 {yuan_text(QUICKPASS_SINGLE_LIMIT_FEN)}，这笔要付 "
                          f"{yuan_text(payable_fen)}：请用银行账户付款")
    with_card = purse == POINTS_CARD   # and so `card` is given (checked above)
    postings = {purse: -payable_fen} if payable_fen and not with_card else {}
    return Entry("purchase", on, postings, total_fen, purse=purse,
                 merchant_id=facts.merchant_id, merchant_name=facts.merchant_name, category=facts.category,
                 mcc=facts.mcc, channel=channel, card=card.kind if with_card else UNION_CARD, note=note,
                 details={"payable_fen": payable_fen, "items": list(items),
                          **({"points_programme": card.programme} if with_card else {})})


def close_card(card: PointsCard | None, on: dt.date, note: str | None = None) -> Entry:
    """销户 of the points card: a programme that says so clears its points then (seed 001 一
    账户关闭或注销后，剩余积分将被清除). The union card's purses are not touched."""
    if card is None:
        raise WalletError("请先在会员资料中设置积分卡，才能记录它的销户")
    return Entry("close", on, {}, 0, card=card.kind, note=note, details={"points_programme": card.programme})


def payable_of(purchase_entry: Entry) -> int:
    if purchase_entry.purse == POINTS_CARD:
        return int(purchase_entry.details.get("payable_fen", 0))
    return -purchase_entry.posting(purchase_entry.purse or "bank")


def _find(entries: Sequence[Entry], entry_id: int) -> Entry:
    for e in entries:
        if e.id == entry_id:
            return e
    raise WalletError(f"没有编号为 {entry_id} 的记录")


def refund(entries: Sequence[Entry], purchase_id: int, amount_fen: int | None, on: dt.date,
           note: str | None = None) -> Entry:
    """Money back for (part of) a purchase; never more than is left of it.

    A purchase paid by e-cash is refunded to the debit account, as card issuers do for offline
    e-cash sales; one paid from the debit account goes back there; one paid with the points card
    goes back to that card (no union-card purse moves).
    """
    original = _find(entries, purchase_id)
    if original.kind != "purchase":
        raise WalletError(f"记录 {purchase_id} 是“{KINDS[original.kind]}”，只有消费可以退款")
    if purchase_id in reversed_ids(entries):
        raise WalletError(f"消费 {purchase_id} 已被冲正，不能再退款")
    if on < original.occurred_on:
        raise WalletError(f"退款日期 {on} 早于消费日期 {original.occurred_on}")
    left = payable_of(original) - refunded_fen(entries, purchase_id)
    if left <= 0:
        raise WalletError(f"消费 {purchase_id} 已全额退款")
    amount = left if amount_fen is None else _positive(amount_fen)
    if amount > left:
        raise WalletError(f"退款 {yuan_text(amount)} 超过消费 {purchase_id} 尚可退的 {yuan_text(left)}")
    back = {} if original.purse == POINTS_CARD else {"bank": amount}
    return Entry("refund", on, back, amount, purse=original.purse, refers_to=purchase_id,
                 merchant_id=original.merchant_id, merchant_name=original.merchant_name,
                 category=original.category, mcc=original.mcc, channel=original.channel,
                 card=original.card, note=note)


def reversal(entries: Sequence[Entry], entry_id: int, on: dt.date, note: str | None = None) -> Entry:
    """The correction of a mistaken entry: a new entry with the opposite postings."""
    original = _find(entries, entry_id)
    if original.kind in ("reversal", "assertion", "redeem"):
        raise WalletError(f"记录 {entry_id} 是“{KINDS[original.kind]}”，不能冲正")
    if entry_id in reversed_ids(entries):
        raise WalletError(f"记录 {entry_id} 已经冲正过")
    if original.kind == "purchase" and refunded_fen(entries, entry_id):
        raise WalletError(f"消费 {entry_id} 已有退款，请用退款处理剩余金额，而不是冲正")
    if on < original.occurred_on:
        raise WalletError(f"冲正日期 {on} 早于原记录日期 {original.occurred_on}")
    postings = {purse: -fen for purse, fen in original.postings.items() if fen}
    return Entry("reversal", on, postings, original.amount_fen, purse=original.purse, refers_to=entry_id,
                 merchant_id=original.merchant_id, merchant_name=original.merchant_name,
                 category=original.category, mcc=original.mcc, channel=original.channel, card=original.card,
                 reason=original.reason, note=note)


def assertion(purse: str, amount_fen: int, on: dt.date, note: str | None = None) -> Entry:
    """对账: "the statement says this purse held this much at the end of this day"."""
    if purse not in PURSE_NAMES:
        raise WalletError(f"未知的账户“{purse}”，应为 bank、ecash 或 transit")
    if amount_fen < 0:
        raise WalletError("对账金额不能是负数")
    return Entry("assertion", on, {}, amount_fen, purse=purse, note=note)


class BalanceMismatch(WalletError):
    """A statement's balance that disagrees with the journal: reported, never recorded (a wrong
    assertion in an append-only journal could only be reversed, not fixed)."""

    def __init__(self, purse: str, stated_fen: int, actual_fen: int, on: dt.date):
        self.purse, self.stated_fen, self.actual_fen, self.on = purse, stated_fen, actual_fen, on
        super().__init__(f"{PURSE_NAMES[purse]} {on} 对账单为 {yuan_text(stated_fen)}，记账为 {yuan_text(actual_fen)}，"
                         f"相差 {yuan_text(stated_fen - actual_fen)}；请先找出差额的来源，对账未记录")

    @property
    def difference_fen(self) -> int:
        return self.stated_fen - self.actual_fen


def checked_assertion(journal: Sequence[Entry], purse: str, amount_fen: int, on: dt.date,
                      note: str | None = None) -> Entry:
    """对账 that holds: the journal's balance at the end of `on` is what the statement says."""
    entry = assertion(purse, amount_fen, on, note)
    actual = balances(journal, on)[purse]
    if actual != amount_fen:
        raise BalanceMismatch(purse, amount_fen, actual, on)
    return entry


def redemption(points: int, on: dt.date, note: str | None = None) -> Entry:
    """积分兑换: points spent on a reward; no money moves. Whether the points cover it is the
    points engine's to say (Wallet.redeem)."""
    if not isinstance(points, int) or points <= 0:
        raise WalletError("兑换的积分必须是大于 0 的整数")
    return Entry("redeem", on, {}, 0, note=note, details={"points": points})


def append(entries: Sequence[Entry], entry: Entry) -> list[Entry]:
    """The journal with `entry` added, if every purse rule still holds; else WalletError."""
    journal = [*entries, entry]
    check_rules(journal)
    return journal
