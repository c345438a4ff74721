"""The wallet on a store: each operation is one transaction that checks the rules and appends one entry.

A refused operation raises WalletError before anything is written; the transaction then rolls back,
so the journal is exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from collections.abc import Callable, Sequence

from app.discounts.price_calculator import Item, Quote, price
from app.discounts.rules import OfferRules
from app.geo.districts import DistrictIndex
from app.money import decimal_to_fen, yuan
from app.points.engine import run
from app.points.programme import programme
from app.points.statement import Statement, statement
from app.store import Store
from app.wallet import operations as ops
from app.wallet.journal import PURSES, Entry, WalletError, balances, reversed_ids
from app.wallet.points_transactions import wallet_transactions
from app.wallet.profile import Profile, updated
from app.wallet.rows import insert_entry, load_entries, load_profile, lock_wallet, save_profile


@dataclass(frozen=True)
class AssertionResult:
    entry: Entry
    actual_fen: int

    @property
    def difference_fen(self) -> int:
        """Statement minus journal: positive means the journal is missing money."""
        return self.entry.amount_fen - self.actual_fen

    @property
    def matches(self) -> bool:
        return self.difference_fen == 0


@dataclass(frozen=True)
class PurchaseQuote:
    facts: ops.PurchaseFacts
    quote: Quote
    limit_note: str | None = None   # the usage limit already used up, when it took the discount away

    @property
    def total_fen(self) -> int:
        return decimal_to_fen(self.quote.total)

    @property
    def payable_fen(self) -> int:
        return decimal_to_fen(self.quote.payable)


class Wallet:
    def __init__(self, store: Store, districts: DistrictIndex):
        self._store = store
        self._districts = districts

    # ---------------------------------------------------------------- reading

    def entries(self) -> list[Entry]:
        with self._store.session() as s:
            return load_entries(s)

    def balances(self, as_of: dt.date | None = None) -> dict[str, int]:
        return balances(self.entries(), as_of)

    def profile(self) -> Profile:
        with self._store.session() as s:
            return load_profile(s)

    def update_profile(self, **fields) -> Profile:
        """Change profile fields (see profile.updated); ProfileError names a bad field, and nothing changes."""
        with self._store.session() as s:
            profile = updated(load_profile(s), **fields)
            save_profile(s, profile)
            return profile

    # ---------------------------------------------------------------- writing

    def check(self, build: Callable[[list[Entry]], Entry]) -> list[Entry]:
        """The journal as `record(build)` would leave it, its new entry last, without writing it
        (forms validate with this)."""
        journal = self.entries()
        return ops.append(journal, build(journal))

    def record(self, build: Callable[[list[Entry]], Entry]) -> Entry:
        """Build one entry from the journal so far and append it, if every rule holds, atomically."""
        with self._store.session() as s:
            lock_wallet(s)
            journal = load_entries(s)
            entry = build(journal)
            ops.append(journal, entry)  # raises WalletError: the transaction rolls back
            return insert_entry(s, entry)

    def deposit(self, fen: int, on: dt.date, note: str | None = None) -> Entry:
        return self.record(lambda _j: ops.deposit(fen, on, note))

    def withdraw(self, fen: int, on: dt.date, note: str | None = None) -> Entry:
        return self.record(lambda _j: ops.withdraw(fen, on, note))

    def disburse(self, fen: int, reason: str, on: dt.date, note: str | None = None) -> Entry:
        return self.record(lambda _j: ops.disburse(fen, reason, on, note))

    def load(self, fen: int, on: dt.date, note: str | None = None) -> Entry:
        return self.record(lambda _j: ops.load(fen, on, note))

    def topup_transit(self, fen: int, source: str, on: dt.date, note: str | None = None) -> Entry:
        return self.record(lambda _j: ops.topup_transit(fen, source, on, note))

    def ride(self, mode: str, base_fare_fen: int, on: dt.date, note: str | None = None) -> Entry:
        return self.record(lambda _j: ops.ride(mode, base_fare_fen, on, note))

    def quote_purchase(self, merchant_id: str, items: Sequence[Item], on: dt.date | None = None) -> PurchaseQuote:
        """What the member would pay at a merchant for `items` on the day `on`, under its parsed offer (a
        clause that holds only on some days counts only when the day is given and is one of them)."""
        from app.merchants.catalogue import MerchantQuery, search  # geopandas: only when a merchant is named

        frame = search(self._store, self._districts, MerchantQuery(ids=(merchant_id,)))
        if frame.empty:
            raise WalletError(f"没有编号为“{merchant_id}”的商户")
        row = frame.iloc[0]
        if not items:
            raise WalletError("请填写消费金额")
        rules = OfferRules.from_json(json.loads(row["rules_json"]))
        used_up = self._used_up_limit(rules, row["id"], on)
        if used_up is not None:   # 每卡每月限一次, already used: this purchase is at full price
            rules = OfferRules(limits=rules.limits)
        quote = price(rules, list(items), on, (row["valid_from"], row["valid_to"]))
        if quote.total <= 0:
            raise WalletError("消费金额必须大于 0")
        facts = ops.PurchaseFacts(row["id"], row["name"], row["category"], row["mcc"])
        return PurchaseQuote(facts, quote, used_up)

    def _used_up_limit(self, rules: OfferRules, merchant_id: str, on: dt.date | None) -> str | None:
        """The usage limit (每卡每月限一次) the journal shows already used up on `on`, said as a note;
        None if none is. A discounted purchase at the merchant in the period counts, unless reversed."""
        limits = [lim for lim in rules.limits if lim.kind == "uses"]
        if not limits or on is None:
            return None
        entries = self.entries()
        undone = reversed_ids(entries)
        for limit in limits:
            start = limit.period_start(on)
            uses = [e for e in entries if e.kind == "purchase" and e.merchant_id == merchant_id and e.id not in undone
                    and (start is None or start <= e.occurred_on <= on)
                    and int(e.details.get("payable_fen", e.amount_fen)) < e.amount_fen]
            if len(uses) >= limit.times:
                last = max(uses, key=lambda e: e.occurred_on)
                return f"本优惠{limit.text}，已于 {last.occurred_on.isoformat()} 用过，这笔按原价计"
        return None

    def points_card(self) -> ops.PointsCard | None:
        """The member's points card, as purchases record it; None without one."""
        profile = self.profile()
        return ops.PointsCard(profile.programme, profile.points_card) if profile.points_card_text() else None

    def pay(self, merchant_id: str, items: Sequence[Item], purse: str, on: dt.date,
            channel: str = "pos", note: str | None = None) -> Entry:
        """Pay from the union card (`bank`, `ecash`) or with the points card (`card`)."""
        return self.record(self.purchase_of(self.quote_purchase(merchant_id, items, on), purse, on, channel, note))

    def purchase_of(self, quoted: PurchaseQuote, purse: str, on: dt.date, channel: str = "pos",
                    note: str | None = None) -> Callable[[list[Entry]], Entry]:
        """The journal entry a quoted purchase makes, for `record` (or `check` before it)."""
        lines = [i.to_json() for i in quoted.quote.items]
        card = self.points_card() if purse == ops.POINTS_CARD else None
        return lambda _j: ops.purchase(quoted.facts, quoted.total_fen, quoted.payable_fen, purse, on, channel, lines,
                                       note, card)

    def close_card(self, on: dt.date, note: str | None = None) -> Entry:
        """销户 of the points card: its programme may clear the points (seed 001 一)."""
        card = self.points_card()
        return self.record(lambda _j: ops.close_card(card, on, note))

    def refund(self, purchase_id: int, fen: int | None, on: dt.date, note: str | None = None) -> Entry:
        return self.record(lambda journal: ops.refund(journal, purchase_id, fen, on, note))

    def reverse(self, entry_id: int, on: dt.date, note: str | None = None) -> Entry:
        return self.record(lambda journal: ops.reversal(journal, entry_id, on, note))

    def points_statement(self, month: str, entries: Sequence[Entry] | None = None) -> Statement:
        """The member's points statement for a month (YYYY-MM), under the profile's programme.
        `entries` saves reading the journal again when the caller has just read it."""
        profile = self.profile()
        if not profile.programme:
            raise WalletError("请先在会员资料中选择积分规则（--programme）")
        journal = self.entries() if entries is None else entries
        return statement(programme(profile.programme), wallet_transactions(journal, profile.programme), profile.birthday,
                         month)

    def redeem(self, points: int, on: dt.date, note: str | None = None) -> Entry:
        """Spend points on a reward, if that many are usable on `on` (soonest-expiring go first)."""
        return self.record(self.redeem_builder(points, on, note))

    def redeem_builder(self, points: int, on: dt.date, note: str | None = None) -> Callable[[list[Entry]], Entry]:
        profile = self.profile()
        if not profile.programme:
            raise WalletError("请先在会员资料中选择积分规则")
        rules = programme(profile.programme)

        def build(journal: list[Entry]) -> Entry:
            entry = ops.redemption(points, on, note)
            usable = run(rules, wallet_transactions(journal, profile.programme), profile.birthday, on).usable
            if points > usable:
                raise WalletError(f"{on} 可用积分只有 {usable} 分，不够兑换 {points} 分")
            return entry

        return build

    def points_now(self, as_of: dt.date | None = None, entries: Sequence[Entry] | None = None):
        """The member's points ledger as of a day (today by default); None without a programme."""
        profile = self.profile()
        if not profile.programme:
            return None
        journal = self.entries() if entries is None else entries
        return run(programme(profile.programme), wallet_transactions(journal, profile.programme), profile.birthday,
                   as_of or dt.date.today())

    def assert_balance(self, purse: str, fen: int, on: dt.date, note: str | None = None) -> AssertionResult:
        """Record what a statement says a purse held at the end of `on` when the journal agrees;
        ops.BalanceMismatch (nothing written) with the difference when it does not."""
        entry = self.record(lambda journal: ops.checked_assertion(journal, purse, fen, on, note))
        return AssertionResult(entry, fen)


def balances_json(totals: dict[str, int]) -> dict[str, str]:
    return {p: yuan(totals[p]) for p in PURSES}
