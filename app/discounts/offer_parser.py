"""Reading a merchant's published offer text (9折, 满200减30, X除外, 出示工会卡 ...) into OfferRules.

The text is cut into segments at sentence punctuation; each segment is matched against the phrase
families merchants use. Whatever is not understood goes to `unparsed`, never silently dropped.
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.discounts.rules import Clause, OfferRules

PARSER_VERSION = "3"   # 2: 免费X is a free clause (not a perk); 正价商品 is not "everything". 3: headlines, 满减 savings

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "一二两三四五六七八九"
_NUM = r"\d+(?:\.\d+)?"

# Conditions and non-combinability: recognised anywhere and cut out of the segment.
_CONDITIONS = (
    (re.compile(r"(?:凭|需|须)?出示(?:本人)?(?:武汉)?工会(?:会员服务)?卡"), "show_card"),
    (re.compile(r"(?:凭|需|须)?(?:使用|用|刷)(?:武汉)?工会(?:会员服务)?卡(?:结账|结算|支付|付款|消费)?"), "pay_with_card"),
    (re.compile(r"持(?:武汉)?工会(?:会员服务)?卡消费"), "pay_with_card"),
    (re.compile(r"持卡消费"), "pay_with_card"),
)
_NOT_COMBINABLE = re.compile(
    r"(?:与|和|同)?其他优惠(?:活动)?(?:不能|不可|不得|不)同时(?:使用|享受|参加)"
    r"|不(?:与|和)其他优惠(?:活动)?(?:同享|同时使用|同时享受|叠加)"
    r"|不(?:可|能|予)?叠加(?:使用)?"
    r"|不(?:可)?同享"
)
_EXCLUSION = re.compile(r"^(.*?)(?:均)?(?:除外|不参加|不参与|不打折|不享受(?:此)?优惠|不享受)(.*)$")
_THRESHOLD = re.compile(rf"(每)?满\s*({_NUM})\s*元?\s*(?:即)?(?:立)?减\s*({_NUM})\s*元?")
_AMOUNT_OFF = re.compile(rf"(?:立减|直减|减免|优惠|减)\s*({_NUM})\s*元")
_PERCENT_DIGITS = re.compile(rf"(?:打)?\s*({_NUM})\s*折")
_PERCENT_CN = re.compile(rf"(?:打)?([{_CN}])(?:点([{_CN}])|([{_CN}]))?折")
_PERCENT_OFF = re.compile(rf"(?:优惠|折扣|立减|减|让利)\s*({_NUM})\s*[%％]|({_NUM})\s*[%％]\s*(?:优惠|折扣)")
_HALF = re.compile(r"半价")
_FREE_LEADING = re.compile(r"^(?:免收|免除|免费|免)(.+?)(?:费用)?$")
_FREE_TRAILING = re.compile(r"^(.+?)(?:免费|全免|免单)$")
_PERK = re.compile(r"^(?:赠送|送)(.+)$")

# Words around a discount that say nothing about what it applies to. They are stripped from the
# ends of the item phrase only, never from its middle (催乳按摩 keeps its 按).
_FILLER_EDGE = re.compile(
    r"^(?:可享受|享受|可享|享|即可|可以|可|再|均|一律|门市价|市场价|挂牌价|原价|成交价|基础上|优惠价|优惠|时|的|打|凭卡|持卡|在|按|以)"
    r"|(?:可享受|享受|可享|即可|可以|可|再|均|一律|门市价|市场价|挂牌价|原价|成交价|基础上|优惠价|优惠|时|的|打|按)$"
)
# Applies-to phrases that mean "everything the merchant sells".
_EVERYTHING = {"", "全场", "全场商品", "全部商品", "所有商品", "店内商品", "商品", "消费", "其他消费", "其他商品",
               "餐饮消费", "店内消费", "全单", "总价"}
_TRAILING_NOISE = re.compile(r"^(?:此次|本次|本)?(?:活动|优惠)?$")


def _normalise(text: str) -> str:
    table = str.maketrans({"（": "(", "）": ")", "％": "%", "：": ":", "；": ";", "！": "!", "，": ",", "。": "."})
    out = text.translate(table)
    out = re.sub(r"[０-９]", lambda m: chr(ord(m.group()) - 0xFEE0), out)
    return re.sub(r"\s+", "", out)


def _split(text: str) -> list[str]:
    """Segments at sentence punctuation. A parenthesised exclusion becomes its own segment; other
    parentheses (亚健康调理（肩颈服务、…）服务) stay inside their segment."""

    def lift(m: re.Match) -> str:
        inner = m.group(1)
        return f",{inner}," if _EXCLUSION.match(inner) or _NOT_COMBINABLE.search(inner) else m.group(0)

    text = re.sub(r"\(([^()]*)\)", lift, text)
    # A full stop between digits is a decimal point (8.8折), elsewhere it ends a sentence.
    parts = re.split(r"[,;!?]|(?<!\d)\.|\.(?!\d)", text)
    return [p for p in (s.strip() for s in parts) if p]


def _applies_to(prefix: str) -> str | None:
    core = prefix.strip(" :、")
    while (stripped := _FILLER_EDGE.sub("", core, count=1)) != core:
        core = stripped.strip(" :、")
    if core in _EVERYTHING or core.startswith("全场") or core.startswith("全部"):
        return None
    return core


def _percent_from_digits(number: str) -> Decimal | None:
    value = Decimal(number)
    if Decimal(0) < value < 10:
        return value / 10                      # 9折 -> 0.9, 8.8折 -> 0.88
    if value == value.to_integral_value() and 10 <= value < 100:
        return value / 100                     # 95折 -> 0.95, 85折 -> 0.85
    return None


def _percent_from_chinese(m: re.Match) -> Decimal:
    first = Decimal(_CN_DIGITS[m.group(1)])
    if m.group(2):                             # 八点五折 -> 0.85
        return (first + Decimal(_CN_DIGITS[m.group(2)]) / 10) / 10
    if m.group(3):                             # 八五折 -> 0.85, 九五折 -> 0.95
        return (first * 10 + _CN_DIGITS[m.group(3)]) / Decimal(100)
    return first / 10                          # 九折 -> 0.9


def _discount_clause(segment: str) -> Clause | None:
    """A percent, threshold or amount-off clause in `segment`, or None if it holds none."""
    if m := _THRESHOLD.search(segment):
        return Clause("threshold", segment, _applies_to(segment[: m.start()]), amount=Decimal(m.group(3)),
                      threshold=Decimal(m.group(2)), repeat=bool(m.group(1)))
    if m := _PERCENT_OFF.search(segment):
        pct = Decimal(m.group(1) or m.group(2))
        if Decimal(0) < pct < 100:
            return Clause("percent", segment, _applies_to(segment[: m.start()]), multiplier=1 - pct / 100)
    if m := _PERCENT_DIGITS.search(segment):
        multiplier = _percent_from_digits(m.group(1))
        if multiplier is not None:
            return Clause("percent", segment, _applies_to(segment[: m.start()]), multiplier=multiplier)
    if m := _PERCENT_CN.search(segment):
        return Clause("percent", segment, _applies_to(segment[: m.start()]), multiplier=_percent_from_chinese(m))
    if m := _HALF.search(segment):
        return Clause("percent", segment, _applies_to(segment[: m.start()]), multiplier=Decimal("0.5"))
    if m := _AMOUNT_OFF.search(segment):
        return Clause("amount_off", segment, _applies_to(segment[: m.start()]), amount=Decimal(m.group(1)))
    return None


def _free_or_perk(segment: str) -> Clause | None:
    if m := _PERK.match(segment):
        return Clause("perk", segment, m.group(1).removesuffix("等"))
    if m := _FREE_LEADING.match(segment):
        return Clause("free", segment, m.group(1).removesuffix("等"))
    if m := _FREE_TRAILING.match(segment):
        return Clause("free", segment, m.group(1))
    return None


def _exclusion_items(text: str) -> list[str]:
    items = re.split(r"[、,/]|及|以及|和|与", text)
    return [i.removesuffix("等") for i in (s.strip() for s in items) if i and i.removesuffix("等")]


def parse_offer(text: str) -> OfferRules:
    """Parse published offer text into rules; the raw text is never needed to be re-read by callers."""
    clauses: list[Clause] = []
    exclusions: list[str] = []
    unparsed: list[str] = []
    condition = None
    combinable = True
    for raw in _split(_normalise(text or "")):
        segment = raw
        if _NOT_COMBINABLE.search(segment):
            combinable = False
            segment = _NOT_COMBINABLE.sub("", segment)
        for pattern, kind in _CONDITIONS:
            if pattern.search(segment):
                condition = condition or kind
                segment = pattern.sub("", segment)
        segment = segment.strip()
        if not segment:
            continue
        if m := _EXCLUSION.match(segment):
            exclusions.extend(_exclusion_items(m.group(1)))
            segment = m.group(2).strip()       # 河海鲜及特价菜除外其他消费9折: the rest is a clause
            if not segment or _TRAILING_NOISE.match(segment):
                continue
        clause = _discount_clause(segment) or _free_or_perk(segment)
        if clause is None:
            unparsed.append(raw)
            continue
        # Keep the clause's text as it was published, condition words and all.
        clauses.append(Clause(clause.kind, raw if segment in raw else segment, clause.applies_to,
                              clause.multiplier, clause.amount, clause.threshold, clause.repeat))
    return OfferRules(tuple(clauses), tuple(exclusions), condition, combinable, tuple(unparsed))
