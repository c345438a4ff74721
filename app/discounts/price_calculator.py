"""What a member pays at a merchant: a basket of items priced under the merchant's parsed offer.

Amounts are Decimal yuan, rounded to the fen half up. Exclusions win over every clause; a class
clause beats the catch-all; threshold and amount-off rules apply to the eligible subtotal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from app.discounts.rules import Clause, OfferRules
from app.money import AmountError, parse_decimal_yuan

FEN = Decimal("0.01")


class BasketError(ValueError):
    """An item the member typed that cannot be priced (bad amount, malformed class=amount)."""


@dataclass(frozen=True)
class Item:
    item_class: str | None     # 配镜; None = "just an amount", priced by the catch-all clause
    amount: Decimal


@dataclass(frozen=True)
class PricedItem:
    item_class: str | None
    amount: Decimal
    payable: Decimal
    clause: str | None         # text of the clause that applied, None if none did
    excluded: bool

    def to_json(self) -> dict:
        return {"class": self.item_class, "amount": str(self.amount), "payable": str(self.payable),
                "saving": str(self.amount - self.payable), "clause": self.clause, "excluded": self.excluded}


@dataclass(frozen=True)
class Quote:
    items: tuple[PricedItem, ...]
    total: Decimal
    payable: Decimal
    reductions: tuple[str, ...]  # threshold / amount-off clauses that took money off the subtotal

    @property
    def saving(self) -> Decimal:
        return self.total - self.payable

    def to_json(self) -> dict:
        return {"total": str(self.total), "payable": str(self.payable), "saving": str(self.saving),
                "items": [i.to_json() for i in self.items], "reductions": list(self.reductions)}


def parse_amount(text: str) -> Decimal:
    """An item's amount in yuan, read as every other amount is (app.money)."""
    try:
        return parse_decimal_yuan(text)
    except AmountError as exc:
        raise BasketError(str(exc)) from None


def parse_item(spec: str) -> Item:
    """`配镜=1000` or a bare `300` (an amount with no class)."""
    if "=" in spec:
        cls, _, amount = spec.partition("=")
        if not cls.strip():
            raise BasketError(f"“{spec}”缺少类别，应写成 类别=金额，如 配镜=1000")
        return Item(cls.strip(), parse_amount(amount))
    return Item(None, parse_amount(spec))


def _is_excluded(item_class: str | None, exclusions: tuple[str, ...]) -> bool:
    # The item is excluded when it is (a kind of) an excluded thing: 香烟 under 烟. An item more
    # general than an exclusion (隐形产品 vs 隐形产品相关附件) is not.
    return item_class is not None and any(ex and ex in item_class for ex in exclusions)


def _matches(clause: Clause, item_class: str | None) -> bool:
    if clause.applies_to is None:
        return True
    if item_class is None:
        return False
    return clause.applies_to in item_class or item_class in clause.applies_to


def _best_clause(rules: OfferRules, item_class: str | None) -> Clause | None:
    candidates = [c for c in rules.clauses if c.kind in ("percent", "free") and _matches(c, item_class)]
    specific = [c for c in candidates if c.applies_to is not None]
    if specific:  # the most specific wording wins (太阳镜 over a catch-all 9折)
        return max(specific, key=lambda c: len(c.applies_to or ""))
    return candidates[0] if candidates else None


def _spread(reduction: Decimal, bases: list[Decimal]) -> list[Decimal]:
    """Share a reduction over items in proportion to their amounts, to the fen, summing exactly.

    Largest-remainder rounding: each item gets its share rounded down, and the fens left over go
    to the items with the largest remainders, so no item's share exceeds its own amount.
    """
    total = sum(bases, Decimal(0))
    if total == 0:
        return [Decimal(0)] * len(bases)
    exact = [reduction * b / total for b in bases]
    shares = [e.quantize(FEN, rounding=ROUND_DOWN) for e in exact]
    left = int((reduction - sum(shares, Decimal(0))) / FEN)
    for i in sorted(range(len(bases)), key=lambda i: exact[i] - shares[i], reverse=True)[:left]:
        shares[i] += FEN
    return shares


def price(rules: OfferRules, basket: list[Item]) -> Quote:
    payable: list[Decimal] = []
    applied: list[str | None] = []
    excluded: list[bool] = []
    for item in basket:
        if _is_excluded(item.item_class, rules.exclusions):
            payable.append(item.amount)
            applied.append(None)
            excluded.append(True)
            continue
        clause = _best_clause(rules, item.item_class)
        if clause is None:
            pay = item.amount
        elif clause.kind == "free":
            pay = Decimal("0.00")
        else:
            pay = (item.amount * (clause.multiplier or Decimal(1))).quantize(FEN, rounding=ROUND_HALF_UP)
        payable.append(pay)
        applied.append(clause.text if clause else None)
        excluded.append(False)

    reductions = []
    for clause in rules.clauses:
        if clause.kind not in ("threshold", "amount_off"):
            continue
        eligible = [i for i, item in enumerate(basket) if not excluded[i] and _matches(clause, item.item_class)]
        subtotal = sum((payable[i] for i in eligible), Decimal(0))
        if clause.kind == "threshold":
            step = clause.threshold or Decimal(0)
            times = 0 if step <= 0 or subtotal < step else (int(subtotal // step) if clause.repeat else 1)
            off = (clause.amount or Decimal(0)) * times
        else:
            off = clause.amount or Decimal(0)
        off = min(off, subtotal)
        if off <= 0:
            continue
        reductions.append(clause.text)
        for i, share in zip(eligible, _spread(off, [payable[i] for i in eligible])):
            payable[i] -= share
            applied[i] = applied[i] or clause.text

    items = tuple(
        PricedItem(item.item_class, item.amount, pay, clause, ex)
        for item, pay, clause, ex in zip(basket, payable, applied, excluded)
    )
    total = sum((i.amount for i in basket), Decimal(0)).quantize(FEN)
    return Quote(items, total, sum(payable, Decimal(0)).quantize(FEN), tuple(reductions))
