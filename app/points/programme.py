"""Points programmes as data: one TOML file per bank programme in app/points/programmes, read into one shape."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PROGRAMME_DIR = Path(__file__).resolve().parent / "programmes"


@dataclass(frozen=True)
class McExclusion:
    label: str
    codes: frozenset[str]
    ranges: tuple[tuple[int, int], ...]
    inferred: bool
    clause: str = ""                 # where the seed says it (四, 备注4(4)④, 二.2(1))
    words: str = ""                  # the seed's own words the codes were mapped from

    def matches(self, mcc: str) -> bool:
        if mcc in self.codes:
            return True
        if not mcc.isdigit():
            return False
        value = int(mcc)
        return any(lo <= value <= hi for lo, hi in self.ranges)


@dataclass(frozen=True)
class Programme:
    code: str
    name: str
    source: str
    bank: str                                  # the bank whose cards earn (汉口银行's union card is none of them)
    points_per_yuan: int
    cards: frozenset[str]
    excluded_channels: frozenset[str]
    channels_by_card: dict[str, frozenset[str]]
    earning_kinds: frozenset[str]
    usable_after_days: int
    cycle_cap: int | None                      # points per statement cycle (账期); None = no cap
    birthday_bonus: str                        # none | day | month
    birthday_multiplier: int
    expiry_rule: str                           # never | calendar_years
    expiry_years: int = 0
    expiry_last_day: tuple[int, int] = (12, 31)  # month, day: last day points of the final year are usable
    cleared_on_account_close: bool = False
    usable_counted_from: str = "posting"       # posting (记账日) | transaction (业务发生日)
    cycle_day: int = 0                         # statement day closing each 账期 (1-28); 0 = calendar month
    clawback: bool = True
    exclusions: tuple[McExclusion, ...] = ()
    fund_signing_bonus: int = 0
    fund_points_per: int = 0                   # yuan of fund purchases per point, per day; 0 = none
    fund_channels: frozenset[str] = frozenset()
    excluded_fund_types: frozenset[str] = frozenset()
    settings: dict = field(default_factory=dict, compare=False, repr=False)

    def excluded_mcc(self, mcc: str | None) -> McExclusion | None:
        if not mcc:
            return None
        return next((ex for ex in self.exclusions if ex.matches(mcc)), None)

    def expires_on(self, posted: dt.date) -> dt.date | None:
        """The last day points posted on `posted` can be used; None if they never expire."""
        if self.expiry_rule == "never":
            return None
        month, day = self.expiry_last_day
        return dt.date(posted.year + self.expiry_years - 1, month, day)


class ProgrammeError(ValueError):
    """A programme file that does not say what the engine needs."""


def _load(path: Path) -> Programme:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        meta, earn, kinds, expiry = data["programme"], data["earn"], data["kinds"], data["expiry"]
        birthday = earn.get("birthday", {})
        exclusions = []
        for ex in data.get("exclude", []):
            ranges = tuple((int(lo), int(hi)) for lo, hi in ex.get("ranges", []))
            codes = frozenset(ex.get("codes", []))
            if any(len(c) != 4 or not c.isdigit() for c in codes):
                raise ProgrammeError(f"{path.name}: exclude “{ex['label']}” has a code that is not 4 digits")
            exclusions.append(McExclusion(ex["label"], codes, ranges, bool(ex.get("inferred", True)),
                                          ex.get("clause", ""), ex.get("words", "")))
        last_day = tuple(int(x) for x in expiry.get("last_day", "12-31").split("-"))
        funds = data.get("funds", {})
        return Programme(
            code=meta["code"], name=meta["name"], source=meta["source"], bank=meta["bank"],
            points_per_yuan=int(earn["points_per_yuan"]),
            cards=frozenset(earn["cards"]),
            excluded_channels=frozenset(earn.get("excluded_channels", [])),
            channels_by_card={k: frozenset(v) for k, v in earn.get("channels_by_card", {}).items()},
            earning_kinds=frozenset(kinds["earning"]),
            usable_after_days=int(earn.get("usable_after_days", 0)),
            cycle_cap=int(earn.get("cycle_cap", 0)) or None,
            birthday_bonus=birthday.get("bonus", "none"),
            birthday_multiplier=int(birthday.get("multiplier", 1)),
            expiry_rule=expiry["rule"], expiry_years=int(expiry.get("years", 0)),
            expiry_last_day=(last_day[0], last_day[1]),
            cleared_on_account_close=bool(expiry.get("cleared_on_account_close", False)),
            usable_counted_from=earn.get("usable_counted_from", "posting"),
            cycle_day=int(earn.get("cycle_day", 0)),
            clawback=bool(data.get("refunds", {}).get("clawback", True)),
            exclusions=tuple(exclusions),
            fund_signing_bonus=int(funds.get("signing_bonus", 0)),
            fund_points_per=int(funds.get("purchase_points_per", 0)),
            fund_channels=frozenset(funds.get("purchase_channels", [])),
            excluded_fund_types=frozenset(funds.get("excluded_fund_types", [])),
            settings=data,
        )
    except KeyError as exc:
        raise ProgrammeError(f"{path.name}: missing setting {exc}") from None


def _checked(p: Programme, name: str) -> Programme:
    if p.usable_counted_from not in ("posting", "transaction"):
        raise ProgrammeError(f"{name}: usable_counted_from must be posting or transaction")
    if not 0 <= p.cycle_day <= 28:
        raise ProgrammeError(f"{name}: cycle_day must be 0 (calendar month) or a day 1-28")
    return p


def cycle_of(day: dt.date, cycle_day: int) -> tuple[int, int]:
    """The 账期 a day falls in, named by the (year, month) of its statement day. Cycle day 0 is the
    calendar month; with cycle day 5, 6 March to 5 April is the cycle (2026, 4)."""
    if not cycle_day or day.day <= cycle_day:
        return day.year, day.month
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


@cache
def programmes() -> dict[str, Programme]:
    """Every programme file, by code (icbc, hrxj, hzbank)."""
    out = {}
    for path in sorted(PROGRAMME_DIR.glob("*.toml")):
        programme = _checked(_load(path), path.name)
        if programme.code != path.stem:
            raise ProgrammeError(f"{path.name}: code “{programme.code}” does not match the file name")
        out[programme.code] = programme
    return out


def programme(code: str) -> Programme:
    found = programmes().get(code)
    if found is None:
        raise ProgrammeError(f"未知的积分规则“{code}”，应为：{'、'.join(programmes())}")
    return found
