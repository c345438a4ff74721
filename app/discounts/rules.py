"""The structured form of a merchant's published offer: clauses, exclusions, condition, combinability."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from app.discounts.time_windows import When

# The stored JSON's version. 1: clauses, exclusions, condition, combinable, unparsed. 2 (issue 14) adds,
# each only when present: a clause's `when`, `every`, `max_units`; the offer's `cap`, `holidays_excluded`,
# `limits`; kinds card_price and nth. Stored rules are re-read by the parser when its version changes
# (app/seed.py), so a database holds one version at a time.
# 3 (issue 24): a card_price without a list price (threshold null: a unit price); a window's `monthdays`
# and `otherwise` (其他日子).
# 4 (parser 17): a threshold or amount_off clause's own `cap` (书籍每满100减15，最高减45).
# 5 (parser 19): a window's `holidays` (节假日9.5折: only on public holidays).
RULES_VERSION = 5

_REST = re.compile(r"^(?:[^:]*:)?(?:持本卡|凭卡|持卡|工会会员)?(?:其余|其他|其它)")

ClauseKind = Literal["percent", "free", "amount_off", "threshold", "perk", "card_price", "nth"]
Condition = Literal["show_card", "pay_with_card", "members_only"]


@dataclass(frozen=True)
class Limit:
    """A usage limit (每卡每月限一次): how often a card (or a person) may use the offer in a period."""
    text: str
    per: Literal["card", "person"] = "card"
    period: Literal["day", "week", "month", "year"] | None = None   # None: once and for all
    times: int = 1
    kind: Literal["uses", "units", "at_least"] = "uses"   # uses of the offer (限一次), units bought (限购两件),
                                                           # or units needed (须二人以上同行方可享受)

    def to_json(self) -> dict:
        return {"text": self.text, "per": self.per, "period": self.period, "times": self.times, "kind": self.kind}

    @classmethod
    def from_json(cls, data: dict) -> Limit:
        return cls(data["text"], data.get("per", "card"), data.get("period"), int(data.get("times", 1)),
                   data.get("kind", "uses"))

    def period_start(self, on: dt.date) -> dt.date | None:
        """The first day of the period `on` falls in (None: the limit is for all time)."""
        if self.period == "day":
            return on
        if self.period == "week":
            return on - dt.timedelta(days=on.weekday())
        if self.period == "month":
            return on.replace(day=1)
        if self.period == "year":
            return on.replace(month=1, day=1)
        return None


@dataclass(frozen=True)
class Clause:
    kind: ClauseKind
    text: str                              # the span of the offer this clause came from
    applies_to: str | None = None          # item class as written; None = everything
    multiplier: Decimal | None = None      # percent: share of the price paid (8.5折 -> 0.85)
    amount: Decimal | None = None          # amount_off: yuan off; threshold: yuan off per step; perk: the
                                           # gift's stated value; card_price: the price with the card
    threshold: Decimal | None = None       # threshold: spend needed; percent, perk: spend needed for it
                                           # (满500元打8折, 满300元送…); card_price: the list price
    repeat: bool | None = None             # threshold: 每满 repeats
    when: When | None = None               # 周一至周五午市: when the clause holds; None = any time
    max_units: int | None = None           # 持卡人及随行一人免门票: the clause covers this many units only
    per_unit: bool = False                 # amount_off: so much off each unit (每人立减200元, 每桌减300元)
    every: int | None = None               # nth: the group size; its last unit is at `multiplier`
    units: int | None = None               # nth: how many of the group's last units (买十送二: 2); None = 1
    pooled: bool = False                   # nth: the group is formed across lines, the cheapest discounted (价低者半价)
    requires: str | None = None            # the goods the basket must hold beside it (补牙、拔牙免收挂号费)
                                           # (第二份半价: 2, 0.5; 买一送一: 2, 0; 第三件免费: 3, 0)
    cap: Decimal | None = None             # threshold, amount_off: the most this clause takes off (书籍每满100减15，
                                           # 最高减45 beside 饮品第二杯半价: the cap is the 满减's, not the offer's)

    @property
    def for_the_rest(self) -> bool:
        """其余商品每满100元减10元: a clause on everything said as "the rest", for what no other clause covers."""
        return self.applies_to is None and bool(_REST.match(self.text))

    def to_json(self) -> dict:
        out: dict = {"applies_to": self.applies_to, "kind": self.kind}
        if self.kind in ("percent", "nth"):
            out["multiplier"] = _num(self.multiplier)
        if self.kind == "nth":
            out["every"] = self.every
        if self.max_units is not None:
            out["max_units"] = self.max_units
        if self.per_unit:
            out["per_unit"] = True
        if self.units:
            out["units"] = self.units
        if self.pooled:
            out["pooled"] = True
        if self.requires:
            out["requires"] = self.requires
        if self.cap is not None:
            out["cap"] = _num(self.cap)
        if self.kind in ("amount_off", "threshold", "card_price") or (self.kind == "perk" and self.amount is not None):
            out["amount"] = _num(self.amount)
        if self.kind in ("threshold", "card_price") or (self.kind in ("percent", "perk") and self.threshold is not None):
            out["threshold"] = _num(self.threshold)
        if self.kind == "threshold" or (self.kind == "perk" and self.repeat):
            out["repeat"] = bool(self.repeat)
        if self.when is not None:              # absent in rules stored before time windows
            out["when"] = self.when.to_json()
        out["text"] = self.text
        return out

    @classmethod
    def from_json(cls, data: dict) -> Clause:
        def dec(key):
            return Decimal(str(data[key])) if data.get(key) is not None else None

        return cls(
            kind=data["kind"],
            text=data["text"],
            applies_to=data.get("applies_to"),
            multiplier=dec("multiplier"),
            amount=dec("amount"),
            threshold=dec("threshold"),
            repeat=data.get("repeat"),
            when=When.from_json(data["when"]) if data.get("when") else None,
            every=data.get("every"),
            max_units=data.get("max_units"),
            per_unit=bool(data.get("per_unit", False)),
            units=data.get("units"),
            pooled=bool(data.get("pooled", False)),
            requires=data.get("requires"),
            cap=dec("cap"),
        )


@dataclass(frozen=True)
class OfferRules:
    clauses: tuple[Clause, ...] = ()
    exclusions: tuple[str, ...] = ()
    condition: Condition | None = None
    combinable: bool = True
    unparsed: tuple[str, ...] = field(default=())
    cap: Decimal | None = None             # 最多减50元, 最高优惠200元: the most the offer takes off a bill
    holidays_excluded: bool = False        # 节假日不参加: no clause holds on a public holiday
    limits: tuple[Limit, ...] = ()         # 每卡每月限一次, 每人限购两件
    until: dt.date | None = None           # 即日起至2026年12月31日: the last day the text itself gives

    @property
    def multipliers(self) -> list[Decimal]:
        """Each percent clause's share of the price paid (8.5折 -> 0.85)."""
        return [c.multiplier for c in self.clauses if c.kind == "percent" and c.multiplier is not None]

    @property
    def threshold_rates(self) -> list[Decimal]:
        """Each 满减's share of the bill at its threshold (满200减30 -> 0.15)."""
        return [c.amount / c.threshold for c in self.clauses
                if c.kind == "threshold" and c.amount and c.threshold and c.threshold > 0]

    @property
    def card_price_rates(self) -> list[Decimal]:
        """Each card price's share of the list price taken off (原价120元，持卡60元 -> 0.5)."""
        return [1 - c.amount / c.threshold for c in self.clauses
                if c.kind == "card_price" and c.amount is not None and c.threshold and c.threshold > 0]

    @property
    def max_saving(self) -> Decimal | None:
        """Best share of a bill the offer can take off, for filtering and sorting: a percent clause's
        (8.5折 -> 0.15) or a 满减's at its threshold (满200减30 -> 0.15); None without either."""
        savings = [Decimal(1) - m for m in self.multipliers] + self.threshold_rates + self.card_price_rates
        return max(savings).quantize(Decimal("0.0001")) if savings else None

    def to_json(self) -> dict:
        return {
            "version": RULES_VERSION,
            "clauses": [c.to_json() for c in self.clauses],
            "exclusions": list(self.exclusions),
            "condition": self.condition,
            "combinable": self.combinable,
            "max_saving": _num(self.max_saving),
            "unparsed": list(self.unparsed),
            **({"cap": _num(self.cap)} if self.cap is not None else {}),   # absent in rules stored before caps
            **({"holidays_excluded": True} if self.holidays_excluded else {}),
            **({"limits": [lim.to_json() for lim in self.limits]} if self.limits else {}),
            **({"until": self.until.isoformat()} if self.until else {}),
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)

    @classmethod
    def from_json(cls, data: dict) -> OfferRules:
        """Rules as any version stored them: 1 (no "version" key) lacks the keys 2 added, which take
        their defaults; a newer version than this app knows is refused rather than half read."""
        if int(data.get("version", 1)) > RULES_VERSION:
            raise ValueError(f"优惠规则的版本 {data['version']} 比本程序认识的 {RULES_VERSION} 新：请升级工会卡")
        return cls(
            clauses=tuple(Clause.from_json(c) for c in data.get("clauses", [])),
            exclusions=tuple(data.get("exclusions", [])),
            condition=data.get("condition"),
            combinable=bool(data.get("combinable", True)),
            unparsed=tuple(data.get("unparsed", [])),
            cap=Decimal(str(data["cap"])) if data.get("cap") is not None else None,
            holidays_excluded=bool(data.get("holidays_excluded", False)),
            limits=tuple(Limit.from_json(x) for x in data.get("limits", [])),
            until=dt.date.fromisoformat(data["until"]) if data.get("until") else None,
        )


def _num(value: Decimal | None) -> float | None:
    """JSON number for a Decimal that is exact in the rule model (0.85, 200, 20.5)."""
    return None if value is None else float(value)
