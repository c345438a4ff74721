"""What a member pays at a merchant: a basket of items priced under the merchant's parsed offer.

Amounts are Decimal yuan, rounded to the fen half up. Exclusions win over every clause; a rate for a
time that holds beats the everyday one, and a narrower class the wider; 满减 and 立减 rules apply to the
eligible subtotal, 满减 first. Whether an item is of a class is the vocabulary's (app/discounts/goods.py,
item_classes.toml): yes, no, or maybe. An item that may or may not qualify for a clause (心理咨询 under
首次心理咨询免费, an item the vocabulary cannot place), or may be excluded, is priced without the
benefit, and the quote says what it would cost if it does: the member's favour is never assumed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from app.discounts.goods import GENERIC_SUFFIXES, EVERYTHING, Fit, vocabulary
from app.discounts.rules import Clause, OfferRules
from app.discounts.time_windows import When, holds
from app.money import AmountError, parse_decimal_yuan

FEN = Decimal("0.01")
# Prices a discount can be stacked on (在会员价基础上再享95折): the basket gives them as items (会员价=200).
PRICE_WORDS = ("会员折扣价", "会员价", "折后价", "优惠价", "活动价")


class BasketError(ValueError):
    """An item the member typed that cannot be priced (bad amount, malformed class=amount)."""


@dataclass(frozen=True)
class Item:
    item_class: str | None     # 配镜; None = "just an amount", priced by the catch-all clause
    amount: Decimal            # the whole line: unit price × quantity
    quantity: int | None = None   # 套餐=40x2 -> 2; None when the basket does not say


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
class Dependency:
    """An item whose price depends on what the basket does not say (what it is, the day, the hour): it
    is priced without the clause, and would cost `payable_if` if it qualifies. `item_index` None: the
    whole bill (a 满减 that holds only on some days)."""
    item_index: int | None
    question: str              # 若是首次心理咨询
    payable_if: Decimal
    clause: str
    timed: bool = False        # only when is unknown (a day, an hour, 节假日), not what the item is

    def to_json(self) -> dict:
        return {"item": self.item_index, "question": self.question, "payable_if": str(self.payable_if),
                "clause": self.clause}


@dataclass(frozen=True)
class Quote:
    items: tuple[PricedItem, ...]
    total: Decimal
    payable: Decimal
    reductions: tuple[str, ...]  # threshold / amount-off clauses that took money off the subtotal
    depends: tuple[Dependency, ...] = ()
    uncertain: tuple[str, ...] = ()   # offer wording not understood: the price may not hold
    limits: tuple[str, ...] = ()      # usage limits (每卡每月限一次): the price holds only within them
    needs: tuple[str, ...] = ()       # what the basket must say for a clause to be priced (a quantity)
    capped: Decimal | None = None     # the offer's cap, when it limited this saving
    perks: tuple[str, ...] = ()       # gifts this bill earns (赠送…, 满300元送50元代金券): not money off
    notes: tuple[str, ...] = ()       # what the price assumes, said for the member (特价、促销商品不参加)
    not_valid: str | None = None      # the offer is not valid that day (已过期): every item at full price

    @property
    def saving(self) -> Decimal:
        return self.total - self.payable

    def to_json(self) -> dict:
        return {"total": str(self.total), "payable": str(self.payable), "saving": str(self.saving),
                "items": [i.to_json() for i in self.items], "reductions": list(self.reductions),
                "depends": [d.to_json() for d in self.depends], "uncertain": list(self.uncertain),
                "capped": None if self.capped is None else str(self.capped), "perks": list(self.perks),
                "needs": list(self.needs), "limits": list(self.limits), "notes": list(self.notes),
                "not_valid": self.not_valid}


_QUANTITY = re.compile(r"^(.+?)\s*[x×X*]\s*(\d+)$")
MAX_QUANTITY = 999


def parse_line(text: str) -> tuple[Decimal, int | None]:
    """An item's amount, or its unit price and quantity (40x2, 40×2): (the line's amount, quantity)."""
    if m := _QUANTITY.match(text.strip()):
        quantity = int(m.group(2))
        if not 1 <= quantity <= MAX_QUANTITY:
            raise BasketError(f"数量应在 1 到 {MAX_QUANTITY} 之间：“{text}”")
        return parse_amount(m.group(1)) * quantity, quantity
    return parse_amount(text), None


def parse_amount(text: str) -> Decimal:
    """An item's amount in yuan, read as every other amount is (app.money)."""
    try:
        return parse_decimal_yuan(text)
    except AmountError as exc:
        raise BasketError(str(exc)) from None


# Items are separated by spaces or Chinese punctuation, or by a comma that is not a thousands separator.
_ITEM_SPLIT = re.compile(r"[\s，；;、]+|,(?!\d{3}(?!\d))")
_GLUED = re.compile(r"^([^\d¥=:.,]+?)[=:]?([¥]?\d[\d,]*(?:\.\d+)?元?(?:[x×X*]\d+)?)$")   # 配镜1000, 配镜:1000, 套餐40x2


_NUMBER_LIKE = re.compile(r"^[-+]?¥?[\d,.]*\d[\d,.]*(?:e[-+]?\d+)?元?$", re.IGNORECASE)


def _is_amount(token: str) -> bool:
    """Meant as an amount (12.345 and 1e3 are, and are refused by parse_amount with the reason), with or
    without a quantity (40x2)."""
    m = _QUANTITY.match(token)
    return bool(_NUMBER_LIKE.match(m.group(1) if m else token))


def parse_basket(text: str) -> list[Item]:
    """A basket as people type it in 算一算: `300`, `￥300`, `1,000`, `配镜=1000 镜架=200`, `配镜：1000`,
    `配镜 1000`, `配镜1000`, full-width digits. BasketError names the part that is not understood."""
    tokens = [t for t in _ITEM_SPLIT.split(unicodedata.normalize("NFKC", text or "").strip()) if t]
    items: list[Item] = []
    pending: str | None = None   # a class name waiting for its amount (配镜 1000)
    for token in tokens:
        token = token.replace(":", "=")
        if pending is not None:
            if not _is_amount(token):
                break
            items.append(Item(pending, *parse_line(token)))
            pending = None
        elif "=" in token or _is_amount(token):
            items.append(parse_item(token))
        elif m := _GLUED.match(token):
            items.append(Item(m.group(1), *parse_line(m.group(2))))
        else:
            pending = token
    if pending is not None:
        raise BasketError(f"“{pending}”后面缺少金额，应写成 {pending}=金额，如 {pending}=1000")
    return items


def parse_item(spec: str) -> Item:
    """`配镜=1000` or a bare `300` (an amount with no class)."""
    if "=" in spec:
        cls, _, amount = spec.partition("=")
        if not cls.strip():
            raise BasketError(f"“{spec}”缺少类别，应写成 类别=金额，如 配镜=1000")
        return Item(cls.strip(), *parse_line(amount))
    return Item(None, *parse_line(spec))


# Words that mark goods on promotion: an exclusion of 特价菜 or 特价商品 leaves out 特价肥牛 too.
_PROMOTION_WORDS = ("特价", "促销", "特惠", "清仓", "折扣", "秒杀", "活动")
# New-season goods (新款不参加): an item that does not say it is not known to be old stock.
_NEW_WORDS = ("新款", "新品", "当季", "新上市", "新到")
# A tier of seat or room an item must say it is (VIP票, 贵宾厅, 豪华包): a 话剧票 that does not is not one.
_TIER_WORDS = ("VIP", "vip", "贵宾", "至尊", "豪华", "总统",
               "外卖", "团购", "线上", "网购")   # and how it was bought: a 柠檬茶 is not 外卖 unless it says so


# Words that narrow goods by what the member may not say when naming them (进口奶粉, 原装墨盒).
_UNSAID_ORIGINS = frozenset({"进口", "原装", "原厂", "国产", "合资", "境外", "海外", "外国", "品牌", "名牌", "高端"})


def _exclusion(item_class: str | None, rules: OfferRules, others: tuple[str | None, ...] = ()) -> tuple[Fit, str, str]:
    """Is the item left out by the offer's exclusions: yes, no, or maybe, with the question and the
    exclusion. The item is out when it is (a kind of) an excluded thing: 香烟 under 烟, 白酒 under 烟酒,
    海鲜 under 河海鲜; an item more general than an exclusion (隐形产品 vs 隐形产品相关附件) is not. It is
    maybe out when the vocabulary cannot place it beside an exclusion it knows, when an exclusion it does
    not know shares a word with it (参茸贵细, 鹿茸片), or when it is both in a discounted class and in the
    excluded one by another way (维生素 under 药品9折，保健食品不打折)."""
    if item_class is None:
        return "no", "", ""
    words = vocabulary()
    maybe: tuple[Fit, str, str] | None = None
    if _generic(item_class):   # 正价商品, 其他商品: what the exclusions leave
        return "no", "", ""
    for ex in (e for e in rules.exclusions if e):
        # 特价菜, 特价药: goods that say they are on promotion; VIP票, 外卖: a tier or a way of buying the item says
        said = next((group for group in (_PROMOTION_WORDS, _TIER_WORDS) if any(ex.startswith(w) for w in group)), None)
        if said is not None:
            if any(w in item_class for w in said):
                return "yes", "", ex
            continue
        if any(ex.startswith(w) for w in _NEW_WORDS):
            if any(w in item_class for w in _NEW_WORDS):
                return "yes", "", ex
            maybe = maybe or ("maybe", f"若{item_class}不是{ex}", ex)
            continue
        if ex in words.anything:
            # 其他项目七折，产品不打折: beside a shop's services, 产品 are the goods it sells. An item no clause
            # names may be one (精华液) or a service (肩颈按摩): only the member knows.
            if not any(c.applies_to and c.applies_to not in words.anything and words.fit(c.applies_to, item_class) == "yes"
                       for c in rules.clauses):
                maybe = maybe or ("maybe", f"若{item_class}属于{ex}", ex)
            continue
        if re.match(r"(?:其他|其余|其它)(?=\S)", ex) and any(
                c.applies_to and words.fit(c.applies_to, item_class) == "yes" and words.fit(ex[2:], c.applies_to) == "yes"
                for c in rules.clauses):
            continue   # 热干面买二送一，其他面食不参加: the 面食 the clause names are not the "other" ones
        if item_class in words.split(ex):   # 教辅期刊: 教辅 or 期刊
            return "yes", "", ex
        ex_place = words.place(ex)
        if ex.startswith(item_class) and ex != item_class and words.known(item_class) and len(item_class) >= 2 \
                and ex[len(item_class):] not in GENERIC_SUFFIXES:   # 包间 beside 包间费: the same thing
            # 中药 beside 中药饮片除外: the exclusion is a kind of the item (its own head noun after it), which the
            # item may be.
            maybe = maybe or ("maybe", f"若{item_class}不是{ex}", ex)
            continue
        if ex.startswith(item_class) and ex[len(item_class):] in GENERIC_SUFFIXES:
            return "yes", "", ex   # 茶位 beside 茶位费不参与: the same thing
        # (each name the exclusion says: 辅料（水泥、沙子、瓷砖胶） is 辅料 and its examples; 瓷砖 is wider than 瓷砖胶)
        names = [re.sub(r"\([^()]*\)", "", ex), *(p for inner in re.findall(r"\(([^()]*)\)", ex)
                                                   for p in re.split(r"[、,/]|及|和|与", inner) if p)]
        if any(item_class in n and n != item_class for n in names) and item_class not in names \
                and not (ex_place[1] == "exact" and ex_place[0] & words.ancestors(item_class)):
            if ex.endswith(item_class) and any(w in ex[:-len(item_class)] for w in _UNSAID_ORIGINS):
                # 进口奶粉除外 and a 奶粉 (蔡司品牌镜片 and a 镜片): where it comes from, or its brand, is on the
                # tin, not in the name a member types
                maybe = maybe or ("maybe", f"若{item_class}不是{ex}", ex)
            continue   # 剪发 beside 总监剪发不参加 (or 隐形产品 beside 隐形产品相关附件): the narrower kind is out
        fit = words.fit(ex, item_class)
        parts = words.split(item_class)
        if fit != "yes" and parts and words.place(ex)[1] == "exact":
            # 金毛洗澡 beside 大型犬除外 (SUV洗车 beside SUV除外): the words before the service say whom it is for
            said = [words.fit(ex, p) for p in parts[:-1]]
            if "yes" in said:
                return "yes", "", ex
            if "maybe" in said:
                maybe = maybe or ("maybe", f"若{item_class}属于{ex}", ex)
                continue
        if fit == "yes":
            scoped = [c.applies_to for c in rules.clauses if c.applies_to and c.applies_to not in PRICE_WORDS
                      and words.fit(c.applies_to, item_class) == "yes"]
            if any(words.also_outside(item_class, cls, ex) for cls in scoped):
                maybe = maybe or ("maybe", f"若{item_class}不属于{ex}", ex)
                continue
            return "yes", "", ex
        if fit == "maybe":
            # Not for an item wider than the exclusion (餐饮 beside 酒水除外), nor for one placed (even by a
            # guess: 红烧肉 as 菜品) apart from it; for one nothing places, or an exclusion nothing knows
            # that shares a word with it.
            ex_known = words.place(ex)[1] in ("exact", "head")
            item_known = bool(words.place(item_class)[0])
            if words.wider(item_class, ex):
                # 书 beside 教辅不参加 may be one; not when the basket lists the excluded goods apart
                # (餐饮=200 酒水=100: the 餐饮 is the rest).
                if not any(o and o != item_class and words.fit(ex, o) == "yes" for o in others):
                    maybe = maybe or ("maybe", f"若{item_class}不含{ex}", ex)
                continue
            disputed = any(w == item_class or w in words.ancestors(item_class)   # 参茸贵细: 参茸 or 贵细
                           for part in (ex, *words.split(ex)) for w in words.disputed.get(words.canonical(part), ()))
            if (ex_known and not item_known) or (not ex_known and words.shares_a_word(ex, item_class)) \
                    or words.under_guess(item_class, ex) or disputed:
                maybe = maybe or ("maybe", f"若{item_class}不属于{ex}", ex)
    return maybe or ("no", "", "")


def _generic(item_class: str) -> bool:
    """An item named as "the goods" (商品, 正价商品, 其他消费), not as any class."""
    words = vocabulary()
    core = item_class
    for q in words.qualifiers:
        core = core.replace(q.word, "")
    return core in EVERYTHING or core in words.anything


def _matches(clause: Clause, item_class: str | None) -> bool:
    return _fit(clause, item_class)[0] == "yes"


def _fit(clause: Clause, item_class: str | None) -> tuple[Fit, str, bool]:
    """Does the clause hold for the item: yes, no, or maybe (the vocabulary cannot place the item, or a
    qualifier the item does not settle), with the question that would settle it, and whether the item
    is placed in the clause's class (a maybe only for its qualifier, 首次心理咨询 for a 心理咨询)."""
    if clause.applies_to is None:
        return "yes", "", True
    words = vocabulary()
    if clause.applies_to in PRICE_WORDS:   # 在会员价基础上再享95折: only the price typed as such
        return ("yes" if item_class and clause.applies_to in item_class else "no"), "", True
    qualified = words.qualified(clause.applies_to)
    if qualified is None:
        if item_class is None:
            return "maybe", f"若是{clause.applies_to}", False
        fit = words.fit(clause.applies_to, item_class)
        return fit, (f"若{item_class}属于{clause.applies_to}" if fit == "maybe" else ""), fit == "yes"
    q, core = qualified
    everything = core in words.anything or not core
    question = f"若{q.question}{core or ('商品' if q.default else '')}"   # 若是正价商品; 若是首次 (a visit, not goods)
    if item_class is None:
        return ("yes" if everything and q.default else "maybe"), question, everything
    if any(w in item_class for w in q.ruled_out_by):
        return "no", "", True
    fit = "yes" if everything else words.fit(core, item_class)
    if fit == "no":
        return "no", "", False
    if q.said(item_class) or q.default:
        return fit, (question if fit == "maybe" else ""), fit == "yes"
    return "maybe", question, fit == "yes"


def qualifier_notes(rules: OfferRules) -> list[str]:
    """What a qualifier that holds by default leaves out (正价商品9.8折: 特价、促销商品不参加)."""
    words = vocabulary()
    notes = []
    for clause in rules.clauses:
        qualified = words.qualified(clause.applies_to) if clause.applies_to else None
        if qualified and qualified[0].default and qualified[0].note:
            notes.append(qualified[0].note)
    return list(dict.fromkeys(notes))


def _best(clauses: list[Clause], item_class: str | None = None) -> Clause | None:
    """The clause that prices an item when several hold. A clause for a day or an hour that holds now
    (每逢周五、周六入住为85折, 每周二会员日烫染6折) is the rule of that time, over the everyday one; then
    the item's own word (茶位费), then the most specific wording (太阳镜 over a catch-all 9折); among
    catch-alls, a rate the bill had to reach (满500元打8折) is the tier above the plain one."""
    if not clauses:
        return None
    pool = [c for c in clauses if c.when is not None and not c.when.otherwise] or clauses
    specific = [c for c in pool if c.applies_to is not None]
    if specific:
        best = max(specific, key=lambda c: (bool(item_class and _literally(c.applies_to or "", item_class)),
                                            len(c.applies_to or "")))
        for other in specific:   # 美发7折，烫染6.8折: 烫染 is inside 美发, so it is the narrower rule
            if other is not best and vocabulary().fit(best.applies_to or "", other.applies_to or "") == "yes" \
                    and vocabulary().fit(other.applies_to or "", best.applies_to or "") != "yes":
                best = other
        return best
    reached = [c for c in pool if c.threshold is not None]   # 满300元享9折，满600元享85折: the highest tier reached
    return max(reached, key=lambda c: c.threshold or 0) if reached else pool[0]


def _literally(cls: str, item_class: str) -> bool:
    return any(part and part in item_class for part in re.split(r"[、,/]|及|和|与", cls))


def _pay(clause: Clause | None, amount: Decimal) -> Decimal:
    if clause is None:
        return amount
    if clause.kind == "free":
        return Decimal("0.00")
    if clause.kind == "card_price":
        return min(amount, (amount / clause.threshold * clause.amount)).quantize(FEN, rounding=ROUND_HALF_UP)
    return (amount * (clause.multiplier or Decimal(1))).quantize(FEN, rounding=ROUND_HALF_UP)


def _units(clause: Clause, item: Item) -> int | None:
    """How many units a line is, for a clause that prices units: as typed (40x3), or for a card price
    how many list prices the amount makes (240 at 原价120元), or one when it is under three card prices
    (洗车=35 under 凭卡25元/次; 标准间=596 under 168元/晚 may be several nights); None when it cannot be told."""
    if item.quantity:
        return item.quantity
    if clause.kind == "card_price" and item.amount > 0:
        if clause.threshold:
            ratio = item.amount / clause.threshold
            return int(ratio) if ratio % 1 == 0 and ratio >= 1 else None
        return 1 if clause.amount < item.amount < 3 * clause.amount else None
    return None


def _pay_item(clause: Clause | None, item: Item, unit_cap: int | None = None) -> Decimal:
    """_pay for a line. A clause for so many people (限2人), or an offer limited to so many units a use
    (每卡限购2张, 每桌最多4位, 限持卡人本人), covers only that many of its units; the rest pay in full.
    A card price prices each unit at the card price."""
    if clause is None:
        return item.amount
    caps = [n for n in (clause.max_units, unit_cap) if n is not None]
    units = _units(clause, item)
    if clause.kind == "card_price":
        if units is None:
            return item.amount
        unit = item.amount / units
        covered = min([units, *caps])
        return (min(unit, clause.amount) * covered + unit * (units - covered)).quantize(FEN, rounding=ROUND_HALF_UP)
    if not caps or not item.quantity:
        return _pay(clause, item.amount)
    unit = item.amount / item.quantity
    covered = min([item.quantity, *caps])
    return (_pay(clause, unit * covered) + unit * (item.quantity - covered)).quantize(FEN, rounding=ROUND_HALF_UP)


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


def _timed_fit(clause: Clause, item_class: str | None, rules: OfferRules, at) -> tuple[Fit, str, bool]:
    """_fit, then the clause's time window (and 节假日不参加) at `at`: a window that does not hold rules
    the clause out, one that cannot be known (no date given, 午市 with no hours) makes it a maybe; the
    last value says the time alone is what is not known (a date and hour would settle it)."""
    fit, question, _placed = _fit(clause, item_class)
    if fit == "no":
        return fit, question, False
    timing, why = _holds(clause, rules, at)
    if timing == "no":
        return "no", "", False
    if timing == "unknown":
        if fit == "maybe":
            return "maybe", "，且".join(filter(None, [question, why])), False
        return "maybe", why, True
    return fit, question, False


def _holds(clause: Clause, rules: OfferRules, at) -> tuple[str, str]:
    """holds() for a clause; one for 其他日子 / 平日 holds when none of the offer's other windows does."""
    timing, why = holds(clause.when, rules.holidays_excluded, at)
    if at is None and clause.when is not None and clause.when.otherwise and timing == "unknown" \
            and clause.when == When(clause.when.text, otherwise=True):
        return holds(None, rules.holidays_excluded, at)   # no day given: the everyday rate, the special day a maybe
    if timing != "yes" or clause.when is None or not clause.when.otherwise:
        return timing, why
    others = [holds(c.when, rules.holidays_excluded, at) for c in rules.clauses
              if c.when is not None and not c.when.otherwise]
    if any(t == "yes" for t, _w in others):
        return "no", "其他时段另有优惠"
    if any(t == "unknown" for t, _w in others):
        return "unknown", next(w for t, w in others if t == "unknown")
    return "yes", ""


def _weaker(a: Fit, b: Fit) -> Fit:
    return "no" if "no" in (a, b) else "maybe" if "maybe" in (a, b) else "yes"


def _required(clause: Clause, basket: list[Item], index: int) -> Fit:
    """A clause that holds beside some goods (补牙、拔牙免收挂号费): does the basket hold them?"""
    if not clause.requires:
        return "yes"
    fits = [vocabulary().fit(clause.requires, item.item_class) for i, item in enumerate(basket)
            if i != index and item.item_class]
    return "yes" if "yes" in fits else "maybe" if "maybe" in fits else "no"


def _placed_elsewhere(clause: Clause, item_class: str | None, rules: OfferRules, at=None) -> bool:
    """The vocabulary cannot place the item in this clause's class, but another clause's class names it
    (心理咨询 under 首次心理咨询免费, beside 心理测量优惠20%): it is that clause's, not maybe this one's. Not
    a clause of another time (周二观影半价 on a Thursday: the 2D影片 clause of the other days may be it)."""
    if item_class is None or _fit(clause, item_class)[2]:
        return False
    return any(other is not clause and other.applies_to is not None and _fit(other, item_class)[2]
               and _holds(other, rules, at)[0] != "no" for other in rules.clauses)


Validity = tuple["dt.date | None", "dt.date | None"]


def validity_problem(valid: Validity | None, at: dt.datetime | dt.date | None) -> str | None:
    """Why an offer valid from valid[0] to valid[1] does not hold on the day of `at` (today when None):
    已过期 or 尚未开始, with the date; None when it holds."""
    if valid is None:
        return None
    day = at.date() if isinstance(at, dt.datetime) else at or dt.date.today()
    start, end = valid
    if isinstance(end, dt.date) and day > end:
        return f"优惠已过期（{end.year}年{end.month}月{end.day}日结束），按原价计"
    if isinstance(start, dt.date) and day < start:
        return f"优惠尚未开始（{start.year}年{start.month}月{start.day}日起），按原价计"
    return None


def price(rules: OfferRules, basket: list[Item], at: dt.datetime | dt.date | None = None,
          valid: Validity | None = None) -> Quote:
    """The basket priced under the offer on the day (and at the time) `at`; None: the day is not known,
    and a clause that holds only at some times is priced without, its price given as a dependency. An
    offer valid only from valid[0] to valid[1] (the merchant's dates) prices at full price outside them."""
    if rules.until is not None:   # 即日起至12月31日: the text's own last day, within the merchant's dates
        end = min(filter(None, [valid[1] if valid else None, rules.until]))
        valid = (valid[0] if valid else None, end)
    if (problem := validity_problem(valid, at)) is not None:
        items = tuple(PricedItem(i.item_class, i.amount, i.amount, None, False) for i in basket)
        total = sum((i.amount for i in basket), Decimal(0)).quantize(FEN)
        return Quote(items, total, total, (), not_valid=problem)
    if on_top := _on_top(rules):
        return _then_on_top(on_top, price(dataclasses.replace(rules, clauses=tuple(c for c in rules.clauses
                                                                                   if c is not on_top)), basket, at, valid))
    payable: list[Decimal] = []
    applied: list[str | None] = []
    named = tuple(item.item_class for item in basket)
    exclusion = [_exclusion(item.item_class, rules, named) for item in basket]
    # An item that may be excluded is priced as excluded (the member's favour is never assumed), and
    # the quote says what it would cost if it is not.
    excluded = [state != "no" for state, _q, _ex in exclusion]
    depends: list[Dependency] = []
    needs: list[str] = []
    # 每卡每次限购两张，限持卡人本人使用: the holder may buy two; a count of goods says more than "the holder only".
    unit_limits = [lim for lim in rules.limits if lim.kind == "units"]
    goods_limits = [lim for lim in unit_limits if lim.per == "card"] or unit_limits
    unit_cap = min((lim.times for lim in goods_limits), default=None)
    at_least = max((lim.times for lim in rules.limits if lim.kind == "at_least"), default=None)
    people = sum((item.quantity or 1) for item in basket)
    if at_least and people < at_least:
        # 须二人以上同行方可享受 and one person on the bill (a line with no count is one): the offer does
        # not hold; the quote's limits say why.
        rules = OfferRules(limits=rules.limits, unparsed=rules.unparsed)
    for item in basket:   # 标准间=596 under 168元/晚: how many nights must be typed
        for c in rules.clauses:
            if c.kind == "card_price" and not c.threshold and item.amount >= 3 * (c.amount or 0) \
                    and _units(c, item) is None and _fit(c, item.item_class)[0] != "no":
                needs.append(f"{c.text}：写明数量可得确定价格，如 {item.item_class or '商品'}=单价x数量")
    billed = [e for e in rules.exclusions if not re.search(r"外卖|团购|券|储值|充值|办卡|会员卡|年卡|次卡", e)]
    if billed and any(item.item_class is None for item in basket):
        # A bill typed as one amount may hold what the offer leaves out: the price assumes it does not.
        needs.append(f"整单金额中若含{'、'.join(billed)}（不参加优惠），请分项写明，如 {billed[0]}=金额")
    # What the bill comes to at list price, for rates that need a spend (满500元打8折).
    spend = sum((item.amount for item, out in zip(basket, excluded) if not out), Decimal(0))

    def spent(clause: Clause, sure: bool = False) -> Decimal:
        """What the bill comes to on the clause's goods (烫染满300元8折 counts the 烫染 only): with the items
        that may be of them, or (sure) only those that are."""
        if clause.applies_to is None:
            return spend
        wanted = ("yes",) if sure else ("yes", "maybe")
        return sum((i.amount for i, out in zip(basket, excluded)
                    if not out and _fit(clause, i.item_class)[0] in wanted), Decimal(0))

    whole = sum((item.amount for item in basket), Decimal(0))
    for c in rules.clauses:
        # 消费满200元享95折；刺身拼盘不打折 and 寿司=150 刺身拼盘=90: the bill reaches 200 only if the goods left out
        # count towards it. Shops differ; the quote says what it is if they do.
        if c.kind == "percent" and c.applies_to is None and c.threshold is not None and spend < c.threshold <= whole:
            counted = price(dataclasses.replace(rules, clauses=tuple(dataclasses.replace(o, threshold=None) if o is c else o
                                                                      for o in rules.clauses)), basket, at, valid)
            names = "、".join(dict.fromkeys(i.item_class or "商品" for i, out in zip(basket, excluded) if out))
            if counted.payable < whole:
                depends.append(Dependency(None, f"若{names}也计入满{c.threshold.normalize():f}元", counted.payable, c.text))
    left = unit_cap   # 每卡限购2张: the units the card may still have discounted, across the lines
    # 每卡限2位: so many people, each of whom may have every line (two baths and two back rubs for two)
    per_person = all(re.search(r"[位人名]$", lim.text) for lim in rules.limits if lim.kind == "units")
    for index, item in enumerate(basket):
        if excluded[index]:
            payable.append(item.amount)
            applied.append(None)
            if exclusion[index][0] == "maybe":
                # What the item would cost if it is not excluded, in this bill (a rate may need its spend).
                unexcluded = price(dataclasses.replace(rules, exclusions=()), basket, at)
                own = [d.payable_if for d in unexcluded.depends if d.item_index == index]
                # A 满减 the item may be of says what the whole bill would be: the item's share of it.
                bill = [item.amount - (unexcluded.total - d.payable_if) for d in unexcluded.depends if d.item_index is None]
                best = max(Decimal(0), min([unexcluded.items[index].payable, *own, *bill]))
                if best < item.amount:
                    clause_text = unexcluded.items[index].clause or next(
                        (d.clause for d in unexcluded.depends if d.item_index in (index, None)), "")
                    depends.append(Dependency(index, exclusion[index][1], best, clause_text or exclusion[index][2]))
            continue
        fits = [(c, *_timed_fit(c, item.item_class, rules, at)) for c in rules.clauses
                if (c.kind in ("percent", "free") and (c.threshold is None or spent(c) >= c.threshold))
                or (c.kind == "card_price" and _units(c, item) is not None)]
        # 单笔洗护消费达两百元以上 reached only if items the vocabulary cannot place are 洗护: a maybe.
        fits = [(c, "maybe", q or f"若所购都属于{c.applies_to}（满{c.threshold.normalize():f}元）", t)
                if fit == "yes" and c.threshold is not None and spent(c, sure=True) < c.threshold else (c, fit, q, t)
                for c, fit, q, t in fits]
        for c, fit, _q, _t in fits:   # 持卡人及随行一人免门票: how many tickets the line is must be known
            if c.max_units is not None and item.quantity is None and fit != "no":
                needs.append(f"{c.text}：限{c.max_units}人，写明张数可得确定价格，如 {item.item_class or '门票'}=单价x{c.max_units}")
        fits = [f for f in fits if f[0].max_units is None or item.quantity is not None]
        fits = [f for f in fits if not (f[1] == "maybe" and _placed_elsewhere(f[0], item.item_class, rules, at))]
        fits = [(c, _weaker(fit, _required(c, basket, index)), q or (f"若同时有{c.requires}" if c.requires else ""), t)
                for c, fit, q, t in fits]
        clause = _best([c for c, fit, _q, _t in fits if fit == "yes"], item.item_class)
        pay = _pay_item(clause, item, left)
        if left is not None and clause is not None and pay < item.amount and not per_person:
            left = max(0, left - (_units(clause, item) or item.quantity or 1))
        uses = min((lim.times for lim in rules.limits if lim.kind == "uses"), default=None)
        if clause is not None and uses and item.quantity and item.quantity > uses and unit_cap is None:
            capped = _pay_item(clause, item, uses)
            if clause.kind == "card_price":
                # 洗车凭卡25元/次，每卡每天限1次 and 洗车=40x2: a use of a price per visit is one visit
                pay = max(pay, capped)
            elif capped > pay:
                # 每卡限用一次 and 纹眉=1280x2 (or a limit said for another clause): one use is taken to cover one
                # unit (the member's favour is not assumed); the quote says what it is if one use covers them all.
                depends.append(Dependency(index, f"若一次使用可含{item.quantity}份", pay, clause.text))
                pay = capped
        # Every clause that could cover the item says what it would cost (若是配镜 ¥1,020; 若是太阳镜 ¥900).
        maybes = sorted(((c, q, t) for c, fit, q, t in fits if fit == "maybe" and _pay_item(c, item, left) < pay),
                        key=lambda cqt: _pay_item(cqt[0], item, left))
        seen_questions: set[str] = set()
        for better, question, timed in maybes:
            if question not in seen_questions:
                seen_questions.add(question)
                depends.append(Dependency(index, question, _pay_item(better, item, left), better.text, timed))
        for nth in (c for c in rules.clauses if c.kind == "nth" and not c.pooled):
            fit, question, timed = _timed_fit(nth, item.item_class, rules, at)
            if fit == "no":
                continue
            if item.quantity is None:
                needs.append(f"{nth.text}：写明数量可得确定价格，如 {item.item_class or '商品'}=单价x{nth.every}")
                continue
            # 每单限一次, 每卡每日限一次: a bill is one use of the card, whatever the period
            nth_pay = _pay_nth(nth, item, min((lim.times for lim in rules.limits if lim.kind == "uses"), default=None))
            if fit == "yes" and nth_pay < pay:
                pay, clause = nth_pay, nth
            elif fit == "maybe" and nth_pay < pay:
                depends.append(Dependency(index, question, nth_pay, nth.text, timed))
        payable.append(pay)
        applied.append(clause.text if clause else None)

    for nth in (c for c in rules.clauses if c.kind == "nth" and c.pooled):
        if _holds(nth, rules, at)[0] != "yes":
            continue
        lines = [i for i, item in enumerate(basket) if not excluded[i] and _matches(nth, item.item_class)
                 and payable[i] == item.amount]
        unsure = [i for i, item in enumerate(basket) if not excluded[i] and payable[i] == item.amount
                  and _fit(nth, item.item_class)[0] == "maybe"]
        if unsure:   # 第二杯半价（价低者半价） and a 水果茶 the offer's 奶茶 may or may not mean
            saved = sum(_pooled_nth(nth, basket, lines + unsure).values(), Decimal(0))
            if saved > sum(_pooled_nth(nth, basket, lines).values(), Decimal(0)):
                names = "、".join(basket[i].item_class or "商品" for i in unsure)
                depends.append(Dependency(None, f"若{names}也算{nth.applies_to}",
                                          (sum(payable, Decimal(0)) - saved).quantize(FEN), nth.text))
        for i, off in _pooled_nth(nth, basket, lines).items():
            payable[i] = (payable[i] - off).quantize(FEN, rounding=ROUND_HALF_UP)
            applied[i] = nth.text

    reductions = []
    maybe_reductions: list[tuple[Clause, str]] = []
    for group in _reduction_groups(rules.clauses):
        # Tiers (满200减30，满500减100) are one rule: the best tier the bill reaches, once.
        best: tuple[Decimal, Clause, list[int]] | None = None
        for clause in group:
            timing, why = _holds(clause, rules, at)
            if timing != "yes":
                if timing == "unknown":
                    maybe_reductions.append((clause, why))
                continue
            # 其余商品每满100减10 beside 处方药优惠10%: the lines another clause priced are not the rest
            out = [e or (clause.for_the_rest and applied[i] is not None) for i, e in enumerate(excluded)]
            off, eligible = _reduction_on(clause, basket, payable, out, unit_cap)
            if off > 0 and (best is None or off > best[0]):
                best = (off, clause, eligible)
        _maybe_reduction(group, basket, payable, excluded, rules, at, best, depends)
        _before_the_rate(group, basket, payable, excluded, rules, at, best, depends)
        if best is None:
            continue
        off, clause, eligible = best
        reductions.append(clause.text)
        for i, share in zip(eligible, _spread(off, [payable[i] for i in eligible])):
            payable[i] -= share
            applied[i] = applied[i] or clause.text

    person_limits = [lim for lim in rules.limits if lim.kind == "units" and lim.per == "person"]
    for clause in (c for c in rules.clauses if c.kind == "amount_off" and not c.per_unit and c.text in reductions):
        # 点套餐立减5元（每人限一份） and 套餐=28x2: one 立减 for one diner, two if two came; the bill cannot say.
        units = sum((item.quantity or 1) for item in basket if _matches(clause, item.item_class))
        for lim in person_limits:
            people = -(-units // max(lim.times, 1))
            if people > 1:
                depends.append(Dependency(None, f"若为{people}人（{lim.text}）", (sum(payable, Decimal(0)) - (clause.amount or 0)
                                          * (people - 1)).quantize(FEN), clause.text))
    for clause, why in maybe_reductions:   # 每周三满200减30 on a day not given: what it would take off
        off, _eligible = _reduction_on(clause, basket, payable, excluded)
        if off <= 0:
            # 早市各类面条每碗减2元, no hour given, and a 牛肉面 the vocabulary cannot place: both questions
            unsure = [i for i, item in enumerate(basket) if not excluded[i] and _fit(clause, item.item_class)[0] == "maybe"]
            off, _eligible = _reduction_on(clause, basket, payable, excluded, also=unsure)
            if off > 0:
                names = "、".join(basket[i].item_class or "整单" for i in unsure)
                why = f"{why}且{names}属于{clause.applies_to}"
        if off > 0:
            depends.append(Dependency(None, why, sum(payable, Decimal(0)).quantize(FEN) - off, clause.text, True))

    capped = None
    saved = [item.amount - pay for item, pay in zip(basket, payable)]
    if rules.cap is not None and sum(saved, Decimal(0)) > rules.cap:
        # 最多减50元: the saving beyond the cap is given back, item by item in proportion to each saving.
        back = sum(saved, Decimal(0)) - rules.cap
        for i, share in enumerate(_spread(back, saved)):
            payable[i] += share
        capped = rules.cap

    items = tuple(
        PricedItem(item.item_class, item.amount, pay, clause, ex)
        for item, pay, clause, ex in zip(basket, payable, applied, excluded)
    )
    total = sum((i.amount for i in basket), Decimal(0)).quantize(FEN)
    for clause in rules.clauses:   # 在会员价基础上再享95折: the member price must be typed to be priced
        word = clause.applies_to or ""
        if clause.kind == "percent" and word in PRICE_WORDS and not any(word in (i.item_class or "") for i in basket):
            needs.append(f"{clause.text}：写明{word}可得确定价格，如 {word}=200")
    perks = []
    for clause in rules.clauses:   # a gift is listed, never taken off the price
        if clause.kind != "perk" or _holds(clause, rules, at)[0] != "yes":
            continue
        gift = clause.applies_to or clause.text
        if clause.threshold is None:
            perks.append(gift)
        elif spend >= clause.threshold:
            times = int(spend // clause.threshold) if clause.repeat and clause.threshold > 0 else 1
            perks.append(gift if times == 1 else f"{gift}×{times}")
    return Quote(items, total, sum(payable, Decimal(0)).quantize(FEN), tuple(reductions), tuple(depends),
                 uncertain=rules.unparsed, needs=tuple(dict.fromkeys(needs)), capped=capped, perks=tuple(perks),
                 limits=tuple(limit.text for limit in rules.limits), notes=tuple(qualifier_notes(rules)))


_ON_TOP = re.compile(r"再享|再打|再优惠|另享|另外享|在此基础上|再(?=\d|[一二三四五六七八九])")


def _on_top(rules: OfferRules) -> Clause | None:
    """第二件半价，持卡会员再享95折: a whole-bill rate said to come on top of a 第二件 offer; 彩印每张1元，打印满100
    再打9折: a rate (on some goods, past a spend) on top of card prices. Or None."""
    if any(c.kind == "nth" for c in rules.clauses):
        return next((c for c in rules.clauses if c.kind == "percent" and c.applies_to is None and c.when is None
                     and c.threshold is None and _ON_TOP.search(c.text)), None)
    if any(c.kind == "card_price" for c in rules.clauses):
        return next((c for c in rules.clauses if c.kind == "percent" and c.when is None and c.requires is None
                     and _ON_TOP.search(c.text)), None)
    return None


def _then_on_top(clause: Clause, quote: Quote) -> Quote:
    """The quote with the on-top rate taken off every line not left out that the rate's goods cover (once
    those lines come to its spend), and off every price it depends on. A line the vocabulary cannot place,
    or a spend reached at list prices only, is a question, never assumed."""
    rate = clause.multiplier or Decimal(1)

    def cut(amount: Decimal) -> Decimal:
        return (amount * rate).quantize(FEN, rounding=ROUND_HALF_UP)

    fits = [("no", "", False) if i.excluded else _fit(clause, i.item_class) for i in quote.items]
    covered = [f[0] == "yes" for f in fits]
    if clause.threshold is not None:
        spent = sum((i.payable for i, c in zip(quote.items, covered) if c), Decimal(0))
        listed = sum((i.amount for i, c in zip(quote.items, covered) if c), Decimal(0))
        if spent < clause.threshold:
            extra = ()
            if listed >= clause.threshold:   # 满100 at list prices, not at the card's: which one the shop counts
                off = sum((i.payable - cut(i.payable) for i, c in zip(quote.items, covered) if c), Decimal(0))
                extra = (Dependency(None, f"若按原价计满{clause.threshold}元", (quote.payable - off).quantize(FEN), clause.text),)
            return dataclasses.replace(quote, depends=quote.depends + extra)
    items = tuple(dataclasses.replace(i, payable=cut(i.payable), clause="，".join(filter(None, [i.clause, clause.text])))
                  if c else i for i, c in zip(quote.items, covered))
    payable = sum((i.payable for i in items), Decimal(0)).quantize(FEN)
    # A dependency's price is for its line (or, None, the whole bill) before the rate: cut it the same way.
    depends = tuple(dataclasses.replace(d, payable_if=cut(d.payable_if)) if d.item_index is None or not quote.items[d.item_index].excluded
                    else d for d in quote.depends)
    if maybe := [n for n, f in enumerate(fits) if f[0] == "maybe"]:
        off = sum((items[n].payable - cut(items[n].payable) for n in maybe), Decimal(0))
        names = "、".join(items[n].item_class or "整单" for n in maybe)
        depends += (Dependency(None, f"若{names}属于{clause.applies_to}", (payable - off).quantize(FEN), clause.text),)
    return dataclasses.replace(quote, items=items, payable=payable, depends=depends)


def _pay_nth(clause: Clause, item: Item, uses: int | None = None) -> Decimal:
    """套餐=40x3 under 第二份半价: one pair at 40 + 20, the third at 40; 每单限一次: one pair a bill."""
    quantity = item.quantity or 1
    unit = item.amount / quantity
    groups = quantity // (clause.every or quantity + 1)
    if uses is not None:
        groups = min(groups, uses)
    off = unit * (1 - (clause.multiplier or Decimal(0))) * groups * (clause.units or 1)
    return (item.amount - off).quantize(FEN, rounding=ROUND_HALF_UP)


def _pooled_nth(clause: Clause, basket: list[Item], lines: list[int]) -> dict[int, Decimal]:
    """买二送一，赠送价格最低一杯 / 第二位半价（价低者半价）: the units of every line the clause covers form
    the groups, dearest first, and the cheapest of each group is discounted. What each line saves."""
    units = sorted(((basket[i].amount / (basket[i].quantity or 1), i) for i in lines for _ in range(basket[i].quantity or 1)),
                   key=lambda u: u[0], reverse=True)
    size, count = clause.every or 2, clause.units or 1
    saved: dict[int, Decimal] = {}
    for start in range(0, len(units) - size + 1, size):
        for price_, i in units[start + size - count:start + size]:
            saved[i] = saved.get(i, Decimal(0)) + price_ * (1 - (clause.multiplier or Decimal(0)))
    return saved


def _maybe_reduction(group: list[Clause], basket: list[Item], payable: list[Decimal], excluded: list[bool],
                     rules: OfferRules, at, best, depends: list[Dependency]) -> None:
    """A 满减 on goods some items may or may not be (烤串每满100减15 and a 烤腰子 the vocabulary cannot
    place): what the bill would come to if they are."""
    for clause in group:
        if _holds(clause, rules, at)[0] != "yes":
            continue
        unsure = [i for i, item in enumerate(basket) if not excluded[i] and _fit(clause, item.item_class)[0] == "maybe"
                  and not _placed_elsewhere(clause, item.item_class, rules, at)]
        if not unsure:
            continue
        off, _eligible = _reduction_on(clause, basket, payable, excluded, also=unsure)
        if off > (best[0] if best else Decimal(0)):
            names = "、".join(basket[i].item_class or "整单" for i in unsure)
            depends.append(Dependency(None, f"若{names}属于{clause.applies_to}",
                                      (sum(payable, Decimal(0)) - off).quantize(FEN), clause.text))
            return


_SAID_AFTER_THE_RATE = re.compile(r"折后|打折后|折扣后|折上|基础上|之后|后满|再满|^后|^实付|^实收")


def _before_the_rate(group: list[Clause], basket: list[Item], payable: list[Decimal], excluded: list[bool],
                     rules: OfferRules, at, best, depends: list[Dependency]) -> None:
    """持卡九五折；满5000元再减200 and 地板=5200: 4,940 after the rate, so the 满减 holds only if the shop counts
    the bill before it. Said as 折后满 it is after; otherwise a cashier would have to say which."""
    for clause in group:
        if clause.kind != "threshold" or _SAID_AFTER_THE_RATE.search(clause.text) or _holds(clause, rules, at)[0] != "yes":
            continue
        _off, eligible = _reduction_on(clause, basket, payable, excluded)
        listed = sum((basket[i].amount for i in eligible), Decimal(0))
        discounted = sum((payable[i] for i in eligible), Decimal(0))
        off = min(_reduction(clause, listed), discounted)
        if discounted < listed and off > _reduction(clause, discounted) and off > (best[0] if best else Decimal(0)):
            depends.append(Dependency(None, f"若按折前金额计满{clause.threshold.normalize():f}元",
                                      (sum(payable, Decimal(0)) - off + (best[0] if best else Decimal(0))).quantize(FEN),
                                      clause.text))
            return


def _reduction_groups(clauses: tuple[Clause, ...]) -> list[list[Clause]]:
    """满减 clauses for the same goods form one tiered rule; each 立减 is a rule of its own."""
    groups: dict[object, list[Clause]] = {}
    # A 满减 on everything and one on some goods reach the same items: one rule, the better tier.
    catch_all = any(c.kind == "threshold" and c.applies_to is None for c in clauses)
    for n, clause in enumerate(clauses):
        if clause.kind == "threshold":
            groups.setdefault(("tiers", None if catch_all else clause.applies_to), []).append(clause)
        elif clause.kind == "amount_off":
            groups[("off", n)] = [clause]
    # 满减 before 立减: a 立减 never takes the bill below a threshold it had reached.
    return sorted(groups.values(), key=lambda g: g[0].kind != "threshold")


def _reduction_on(clause: Clause, basket: list[Item], payable: list[Decimal], excluded: list[bool],
                  unit_cap: int | None = None, also: list[int] = ()) -> tuple[Decimal, list[int]]:
    """What a 满减/立减 takes off the items it covers as priced so far (never more than they come to),
    and which items those are; `also`: lines counted as covered (those it may cover, for a dependency)."""
    eligible = [i for i, item in enumerate(basket) if not excluded[i] and (_matches(clause, item.item_class) or i in also)]
    subtotal = sum((payable[i] for i in eligible), Decimal(0))
    if clause.per_unit:   # 每人立减200元: off each unit, never more than a unit costs, for so many units a use
        left = unit_cap
        off = Decimal(0)
        for i in eligible:
            units = basket[i].quantity or 1
            counted = units if left is None else min(units, left)
            left = None if left is None else left - counted
            off += min(clause.amount or Decimal(0), payable[i] / units) * counted
        off = off if clause.cap is None else min(off, clause.cap)
        return min(off, subtotal).quantize(FEN), eligible
    return min(_reduction(clause, subtotal), subtotal), eligible


def _reduction(clause: Clause, subtotal: Decimal) -> Decimal:
    if clause.kind == "threshold":
        step = clause.threshold or Decimal(0)
        times = 0 if step <= 0 or subtotal < step else (int(subtotal // step) if clause.repeat else 1)
        off = (clause.amount or Decimal(0)) * times
    else:
        off = clause.amount or Decimal(0)
    return off if clause.cap is None else min(off, clause.cap)
