"""The points engine: any programme's rules applied to a list of card transactions.

Points live in lots (earned on, usable from, last usable day). Redemption spends the usable
points that expire soonest first; a refund takes back the points of its purchase, from that
purchase's lot while it lasts and as a negative lot after (the balance may go negative when the
points were already spent). Nothing here knows a bank by name: the rules come from Programme.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from collections.abc import Iterable, Sequence

from app.points.programme import Programme, cycle_of

TRANSACTION_KINDS = ("purchase", "refund", "cash_advance", "fee", "transfer", "fund_purchase", "fund_signing",
                     "redeem", "account_close")
CHANNELS = ("pos", "online", "third_party", "counter", "e_banking")
CARDS = ("debit", "credit")


class PointsError(ValueError):
    """A redemption the points cannot cover, or a refund of a purchase that is not there."""


@dataclass(frozen=True)
class Transaction:
    ref: str
    date: dt.date
    amount: Decimal                 # settled CNY, yuan; for `redeem`, points
    kind: str
    posted: dt.date | None = None
    mcc: str | None = None
    channel: str | None = None
    card: str | None = None
    refund_of: str | None = None
    fund_type: str | None = None    # money_market or other, for fund purchases

    @property
    def booked(self) -> dt.date:
        """The day the bank books it (points count from then)."""
        return self.posted or self.date


@dataclass(frozen=True)
class TransactionPoints:
    ref: str
    points: int                     # earned (+), clawed back or redeemed (-)
    usable_from: dt.date | None
    note: str                       # why, in Chinese: 生日双倍, 商户类别 5411 不积分, …


@dataclass
class Lot:
    ref: str
    earned_on: dt.date
    usable_from: dt.date
    last_day: dt.date | None        # None: never expires
    remaining: int
    gone: bool = False              # expired (its remaining points are no longer counted)

    def alive(self, day: dt.date) -> bool:
        return self.last_day is None or day <= self.last_day


@dataclass(frozen=True)
class Event:
    day: dt.date
    kind: str                       # earn (基本积分), bonus (奖励积分), clawback, redeem, expire, cleared
    points: int                     # signed change of the balance


@dataclass
class Ledger:
    programme: Programme
    as_of: dt.date
    transactions: list[TransactionPoints] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def balance(self) -> int:
        return sum(lot.remaining for lot in self.lots if lot.alive(self.as_of))

    @property
    def usable(self) -> int:
        return sum(lot.remaining for lot in self.lots if lot.alive(self.as_of) and lot.usable_from <= self.as_of)

    def expiring(self) -> list[tuple[dt.date, int]]:
        """Points still held that will expire, by their last usable day, soonest first."""
        totals: dict[dt.date, int] = defaultdict(int)
        for lot in self.lots:
            if lot.last_day is not None and lot.alive(self.as_of) and lot.remaining > 0:
                totals[lot.last_day] += lot.remaining
        return sorted(totals.items())


def _whole_yuan(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_FLOOR)) if amount > 0 else 0


def _birthday_multiplier(p: Programme, day: dt.date, birthday: dt.date | None) -> tuple[int, str]:
    if birthday is None or p.birthday_bonus == "none":
        return 1, ""
    if p.birthday_bonus == "day" and (day.month, day.day) == (birthday.month, birthday.day):
        return p.birthday_multiplier, "生日当天双倍"
    if p.birthday_bonus == "month" and day.month == birthday.month:
        return p.birthday_multiplier, "生日当月双倍"
    return 1, ""


def purchase_points(p: Programme, tx: Transaction, birthday: dt.date | None) -> tuple[int, int, str]:
    """(points, multiplier, note) a purchase earns before any cycle cap."""
    if tx.card == "union":
        return 0, 1, f"工会卡是汉口银行借记卡，不在{p.name}内：用{p.bank}的卡付款才积分"
    if tx.card == "other_bank":
        return 0, 1, f"不是{p.bank}的卡，不在本积分计划内"
    if tx.card not in p.cards:
        return 0, 1, f"{'借记卡' if tx.card == 'debit' else '信用卡'}消费不在本积分计划内"
    if tx.channel in p.excluded_channels:
        return 0, 1, {"online": "网上消费不积分", "third_party": "第三方支付不积分"}.get(tx.channel, f"{tx.channel} 渠道不积分")
    allowed = p.channels_by_card.get(tx.card or "")
    if allowed is not None and tx.channel not in allowed:
        return 0, 1, f"{'借记卡' if tx.card == 'debit' else '信用卡'}只在{'、'.join(sorted(allowed))}渠道积分"
    excluded = p.excluded_mcc(tx.mcc)
    if excluded is not None:
        return 0, 1, f"商户类别 {tx.mcc}（{excluded.label}）不积分"
    yuan = _whole_yuan(tx.amount)
    if yuan == 0:
        return 0, 1, "不足 1 元不积分"
    multiplier, note = _birthday_multiplier(p, tx.date, birthday)
    return yuan * p.points_per_yuan * multiplier, multiplier, note or f"每满 1 元 {p.points_per_yuan} 分"


def _fund_points(p: Programme, txs: Sequence[Transaction]) -> dict[str, int]:
    """Points per fund purchase: each full `fund_points_per` yuan bought per day, through the
    programme's channels, money-market funds excluded; a day's points go to the purchases whose
    running total crosses each multiple."""
    out: dict[str, int] = {}
    if not p.fund_points_per:
        return out
    running: dict[dt.date, Decimal] = defaultdict(Decimal)
    for tx in txs:
        if tx.kind != "fund_purchase":
            continue
        if tx.channel not in p.fund_channels or (tx.fund_type or "") in p.excluded_fund_types:
            out[tx.ref] = 0
            continue
        before = running[tx.date]
        running[tx.date] += tx.amount
        out[tx.ref] = int(running[tx.date] // p.fund_points_per) - int(before // p.fund_points_per)
    return out


def run(p: Programme, transactions: Iterable[Transaction], birthday: dt.date | None, as_of: dt.date) -> Ledger:
    """Apply the programme to every transaction booked on or before `as_of`."""
    txs = sorted((t for t in transactions if t.booked <= as_of), key=lambda t: t.booked)  # stable: file order within a day
    ledger = Ledger(p, as_of)
    fund = _fund_points(p, txs)
    by_ref: dict[str, tuple[Transaction, int, int, Lot | None]] = {}  # ref -> tx, points, multiplier, lot
    clawed: dict[str, int] = defaultdict(int)
    cycle_earned: dict[tuple[int, int], int] = defaultdict(int)
    signed = False
    closed_on: dt.date | None = None

    def expire_until(day: dt.date) -> None:
        for lot in ledger.lots:
            if lot.last_day is not None and lot.last_day < day and not lot.gone:
                if lot.remaining > 0:
                    ledger.events.append(Event(lot.last_day + dt.timedelta(days=1), "expire", -lot.remaining))
                lot.gone = True

    def earn(tx: Transaction, points: int, note: str, bonus: int = 0) -> Lot | None:
        """`bonus` of the `points` are 奖励积分 (a birthday's extra), the rest 基本积分 (seed 003 一(一))."""
        counted_from = tx.date if p.usable_counted_from == "transaction" else tx.booked
        usable_from = max(counted_from + dt.timedelta(days=p.usable_after_days), tx.booked)
        ledger.transactions.append(TransactionPoints(tx.ref, points, usable_from if points else None, note))
        if points <= 0:
            return None
        lot = Lot(tx.ref, tx.booked, usable_from, p.expires_on(tx.booked), points)
        ledger.lots.append(lot)
        if points - bonus:
            ledger.events.append(Event(tx.booked, "earn", points - bonus))
        if bonus:
            ledger.events.append(Event(tx.booked, "bonus", bonus))
        return lot

    for tx in txs:
        expire_until(tx.booked)
        if tx.kind == "purchase" and closed_on is not None:
            earn(tx, 0, f"账户已于 {closed_on} 销户")
            by_ref[tx.ref] = (tx, 0, 1, None)
        elif tx.kind == "purchase":
            points, multiplier, note = purchase_points(p, tx, birthday)
            if points and p.cycle_cap:
                cycle = cycle_of(tx.booked, p.cycle_day)
                allowed = max(0, p.cycle_cap - cycle_earned[cycle])
                if points > allowed:
                    points, note = allowed, f"本账期积分已达上限 {p.cycle_cap}"
                cycle_earned[cycle] += points
            lot = earn(tx, points, note, bonus=points - points // multiplier if multiplier > 1 else 0)
            by_ref[tx.ref] = (tx, points, multiplier, lot)
        elif tx.kind == "refund":
            original = by_ref.get(tx.refund_of or "")
            if original is None:
                raise PointsError(f"{tx.ref}：退款对应的交易“{tx.refund_of}”不在此前的交易中")
            orig_tx, orig_points, multiplier, lot = original
            take = 0
            if p.clawback and orig_points:
                wanted = _whole_yuan(tx.amount) * p.points_per_yuan * multiplier
                take = min(wanted, orig_points - clawed[orig_tx.ref])
            clawed[orig_tx.ref] += take
            ledger.transactions.append(TransactionPoints(tx.ref, -take, tx.booked if take else None,
                                                         f"退款扣回 {orig_tx.ref} 的积分" if take else "原交易没有积分"))
            if take:
                from_lot = min(take, lot.remaining) if lot is not None and lot.alive(tx.booked) else 0
                if from_lot:
                    lot.remaining -= from_lot
                if take - from_lot:  # already spent or expired: the balance goes negative
                    ledger.lots.append(Lot(tx.ref, tx.booked, tx.booked, None, -(take - from_lot)))
                ledger.events.append(Event(tx.booked, "clawback", -take))
        elif tx.kind == "redeem":
            wanted = int(tx.amount)
            usable = [lot for lot in ledger.lots
                      if lot.alive(tx.booked) and lot.usable_from <= tx.booked]
            available = sum(lot.remaining for lot in usable)
            if wanted <= 0 or wanted > available:
                raise PointsError(f"{tx.ref}：{tx.booked} 可用积分 {available}，不够兑换 {wanted}")
            left = wanted
            # Soonest-expiring first; points that never expire last; older before newer.
            for lot in sorted((lt for lt in usable if lt.remaining > 0),
                              key=lambda lt: (lt.last_day is None, lt.last_day or dt.date.max, lt.earned_on)):
                spend = min(lot.remaining, left)
                lot.remaining -= spend
                left -= spend
                if not left:
                    break
            ledger.transactions.append(TransactionPoints(tx.ref, -wanted, tx.booked, "积分兑换"))
            ledger.events.append(Event(tx.booked, "redeem", -wanted))
        elif tx.kind == "account_close":
            closed_on = tx.booked
            holding = [lot for lot in ledger.lots if lot.alive(tx.booked) and lot.remaining > 0]
            held = sum(lot.remaining for lot in holding)
            if p.cleared_on_account_close and held:
                for lot in holding:
                    lot.remaining = 0
                ledger.events.append(Event(tx.booked, "cleared", -held))
            note = (f"销户：剩余 {held} 分清除" if p.cleared_on_account_close and held else
                    "销户：没有剩余积分" if p.cleared_on_account_close else "销户：本积分计划未规定清除积分")
            ledger.transactions.append(TransactionPoints(tx.ref, -held if p.cleared_on_account_close else 0,
                                                         tx.booked, note))
        elif tx.kind == "fund_signing":
            points = p.fund_signing_bonus if not signed else 0
            signed = True
            earn(tx, points, "首次代销基金签约奖励" if points else
                 ("只奖励首次签约" if p.fund_signing_bonus else "本积分计划无此奖励"))
        elif tx.kind == "fund_purchase":
            points = fund.get(tx.ref, 0)
            if not p.fund_points_per:
                note = "本积分计划无基金积分"
            elif tx.channel not in p.fund_channels:
                note = "基金须通过电子银行购买才积分"
            elif (tx.fund_type or "") in p.excluded_fund_types:
                note = "货币型基金不积分"
            else:
                note = f"当日基金购买每满 {p.fund_points_per} 元 1 分"
            earn(tx, points, note)
        else:
            names = {"cash_advance": "预借现金", "fee": "手续费、年费、利息", "transfer": "转账、还款"}
            earn(tx, 0, f"{names.get(tx.kind, tx.kind)}不积分")
    expire_until(as_of)
    return ledger
