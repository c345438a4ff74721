"""Reading a merchant's published offer text (9折, 满200减30, X除外, 出示工会卡 ...) into OfferRules.

The text is cut into segments at sentence punctuation; each segment is matched against the phrase
families merchants use. Whatever is not understood goes to `unparsed`, never silently dropped.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from decimal import Decimal

from app.discounts.rules import Clause, Limit, OfferRules
from app.discounts.time_windows import extract_holidays_out, extract_when

PARSER_VERSION = "8"   # 2: 免费X is a free clause (not a perk); 正价商品 is not "everything". 3: headlines, 满减 savings
# 4: 凭卡 + any verb and 会员专享 are conditions; caps; time, quantity, people and limit wording unparsed
# 5: time windows (周一至周五, 每周三, 工作日, 午市 with hours) and 节假日不参加
# 6: gifts with a value, card prices, rates that need a spend, the nth unit (第二份半价, 买一送一)
# 7: full-width forms folded (NFKC), tiers listed with 、, a window in a segment of its own is the offer's
# 8: usage limits (每卡每月限一次, 每人限购两件) and clauses for so many people (持卡人及随行一人免门票)

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "一二两三四五六七八九"
_NUM = r"\d+(?:\.\d+)?"

# Conditions and non-combinability: recognised anywhere and cut out of the segment.
_CONDITIONS = (
    (re.compile(r"(?:凭|需|须)?出示(?:本人)?(?:武汉)?工会(?:会员服务)?卡"), "show_card"),
    (re.compile(r"(?:凭|需|须)?(?:使用|用|刷)(?:武汉)?工会(?:会员服务)?卡(?:结账|结算|支付|付款|消费)?"), "pay_with_card"),
    (re.compile(r"持(?:武汉)?工会(?:会员服务)?卡消费"), "pay_with_card"),
    (re.compile(r"持卡消费"), "pay_with_card"),
    # 凭工会卡消费 / 凭工会卡就餐 / 持工会卡入住: the card is shown; what follows is the discount.
    (re.compile(r"(?:凭|持)(?:武汉)?工会(?:会员服务)?卡(?:消费|就餐|用餐|购物|入住|结账|购票|观影|就诊|体检|洗车|进店)?"),
     "show_card"),
    (re.compile(r"(?:工会)?会员(?:专享|独享|特享)"), "members_only"),
)
_NOT_COMBINABLE = re.compile(
    r"(?:与|和|同)?其他优惠(?:活动)?(?:不能|不可|不得|不)同时(?:使用|享受|参加)"
    r"|不(?:与|和)(?:店内|本店|门店|商场|店铺)?其他优惠(?:活动)?(?:同享|同时使用|同时享受|叠加)"
    r"|不(?:可|能|予)?叠加(?:使用)?"
    r"|不(?:可)?同享"
)
# The most an offer takes off a bill (最多减50元, 最高优惠200元, 封顶100元); 上不封顶 says there is none.
_CAP = re.compile(rf"(?:最多|最高)(?:可)?(?:减|优惠|立减|减免|抵扣|省)\s*({_NUM})\s*元|(?:优惠|减免)?(?:上限|封顶)\s*({_NUM})\s*元")
_NO_CAP = re.compile(r"上不封顶")
# Wording the rule model cannot hold yet: a time window, a quantity, people, a usage limit, a price the
# discount stacks on, a percent that depends on the bill. A segment with any of it is left unparsed, so
# a quote says it may not hold instead of printing a confident wrong price.
_NOT_MODELLED = re.compile(
    r"周[一二三四五六日天末]|星期|每周|每月|每天|每日|会员日|午市|晚市|早市|节假日|节日|假日|法定|工作日"
    r"|\d{1,2}[:：]\d{2}|\d{1,2}点|时段|营业时间|当日|当天"
    r"|第[二三四两2-4][份件个杯位瓶]|买[一二三1-3]送|送[一二三1-3]$|随行|同行|每人|人均|每卡|每位|每桌|限购|限\d次|限[一二两三]次|仅限|首单"
    r"|会员价"
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
# The nth unit at a lower price: 第二份半价, 第二件8折, 第三件免费, 买一送一, 买二送一.
_NTH = re.compile(r"^(.*?)第([二三四两2-4])(?:份|件|个|杯|位|瓶|张)(.*)$")
_BUY_GET = re.compile(r"^(.*?)买([一二三1-3])送([一1])(.*)$")
# A gift for spending enough: 满300元送50元代金券, 单次消费满1000元赠送价值100元礼品.
_GIFT = re.compile(rf"^(?:单次|单笔|一次性)?(?:消费)?(每)?满\s*({_NUM})\s*元?(?:即|可)?(?:赠送|赠|送)(?:价值\s*({_NUM})\s*元的?)?(.+)$")
_GIFT_VALUE = re.compile(rf"({_NUM})\s*元(?:代金券|优惠券|现金券|抵用券|消费券|券)")
# A percent that needs a spend (消费满500元打8折); 不满500元打9折 is then the plain rate below it.
_SPEND_FOR_PERCENT = re.compile(rf"^(?:单次|单笔|一次性)?(?:消费)?满\s*({_NUM})\s*元?(?:以上)?(?:可享受|可享|享受|享|即享|即|打|可)*")
_BELOW_SPEND = re.compile(rf"^(?:消费)?不满\s*({_NUM})\s*元?(?:的)?(?:可享受|可享|享受|享|打|可)*")
# A card price: 门票原价120元，持工会卡60元 / 门票120元，凭卡价60元 (the comma is kept out of the split).
_CARD_PRICE = re.compile(
    rf"([^,;.!?]+?)(?:原价|门市价|挂牌价|票价)?\s*({_NUM})\s*元(?:/[人张次位])?,?(?:凭|持)(?:武汉)?(?:工会)?(?:会员服务)?卡(?:价|优惠价|仅需|只需|只要|即可)?\s*({_NUM})\s*元")

# Words around a discount that say nothing about what it applies to. They are stripped from the
# ends of the item phrase only, never from its middle (催乳按摩 keeps its 按).
_FILLER_EDGE = re.compile(
    r"^(?:可享受|享受|可享|享|即可|可以|可|再|均|一律|门市价|市场价|挂牌价|原价|成交价|基础上|优惠价|优惠|时|的|打|凭卡|持卡|在|按|以)"
    r"|(?:可享受|享受|可享|即享|享|即可|可以|可|再|均|一律|门市价|市场价|挂牌价|原价|成交价|基础上|优惠价|优惠|时|的|打|按)$"
)
# Applies-to phrases that mean "everything the merchant sells".
_EVERYTHING = {"", "全场", "全场商品", "全部商品", "所有商品", "店内商品", "商品", "消费", "其他消费", "其他商品",
               "餐饮消费", "店内消费", "全单", "总价", "其余商品", "其余", "其他", "其它商品", "其余消费", "其它消费",
               "单笔", "单次", "单笔消费", "单次消费", "一次性消费", "全天", "全天候", "店内所有商品", "店内所有",
               "所有", "本店商品", "本店所有商品"}
_TRAILING_NOISE = re.compile(r"^(?:此次|本次|本)?(?:活动|优惠)?$")
# What is left of a segment once its cap is cut out (单笔最高优惠100元 -> 单笔): nothing more to read.
_CAP_LEFTOVER = re.compile(r"^(?:单笔|单次|每单|每次|每笔|每桌)?(?:消费)?$")


_CN_VALUES = {"零": 0, "〇": 0, **_CN_DIGITS}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
# An amount in Chinese numerals: after 满 or 减 (满二百减三十), or before 元 (一百二十元).
_CN_AMOUNT = re.compile(r"(?<=[满减])[零〇一二两三四五六七八九十百千万]+|[零〇一二两三四五六七八九十百千万]+(?=元|块)")


def cn_number(text: str) -> int | None:
    """一百二十 -> 120, 两千五 -> 2500 (a trailing digit is the next unit down, as people say it),
    十五 -> 15, 三万 -> 30000; None if it is not a number."""
    total, section, digit, last_unit = 0, 0, None, 1
    for ch in text:
        if ch in "零〇":                         # 一千零五: a gap; what follows is units
            digit, last_unit = None, 1
        elif ch in _CN_VALUES:
            if digit is not None:
                return None                      # 二三: not a number (八八折 is read as a percent elsewhere)
            digit = _CN_VALUES[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                section = (section + (digit or 0)) * unit
                total, section, digit, last_unit = total + section, 0, None, unit
                continue
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    if digit:
        section += digit * (last_unit // 10 if last_unit >= 100 else 1)
    return total + section


def _normalise(text: str) -> str:
    # NFKC folds full-width forms (８．５, ％, ：, ？) to ASCII; the table then does the Chinese
    # punctuation NFKC keeps (，。、 stay Chinese in NFKC except as mapped here).
    table = str.maketrans({"（": "(", "）": ")", "％": "%", "：": ":", "；": ";", "！": "!", "，": ",", "。": "."})
    out = unicodedata.normalize("NFKC", text).translate(table)
    out = _CN_AMOUNT.sub(lambda m: str(n) if (n := cn_number(m.group())) is not None else m.group(), out)
    return re.sub(r"\s+", "", out)


# A card price as one segment: 门票原价120元，持工会卡60元 -> "门票原价120元卡价60元" (see _split).
_CARD_PRICE_MARK = re.compile(rf"^(.*?)(?:原价|门市价|挂牌价|票价)?({_NUM})元卡价({_NUM})元$")


def _card_price_segment(m: re.Match, originals: dict[str, str]) -> str:
    segment = f"{m.group(1)}{m.group(2)}元卡价{m.group(3)}元"
    originals[segment] = m.group(0)
    return segment


def _split(text: str, originals: dict[str, str]) -> list[str]:
    """Segments at sentence punctuation. A parenthesised exclusion becomes its own segment; other
    parentheses (亚健康调理（肩颈服务、…）服务) stay inside their segment. A card price written across a
    comma (门票原价120元，持工会卡60元) is kept in one segment."""
    text = _CARD_PRICE.sub(lambda m: _card_price_segment(m, originals), text)

    def lift(m: re.Match) -> str:
        inner = m.group(1)
        return f",{inner}," if _EXCLUSION.match(inner) or _NOT_COMBINABLE.search(inner) else m.group(0)

    text = re.sub(r"\(([^()]*)\)", lift, text)
    # A full stop between digits is a decimal point (8.8折), elsewhere it ends a sentence.
    parts = re.split(r"[,;!?]|(?<!\d)\.|\.(?!\d)", text)
    # Tiers listed with 、 (满100元减15元、满300元减50元) are separate clauses.
    parts = [piece for part in parts for piece in re.split(r"、(?=每?满\d)", part)]
    # A segment of punctuation alone (？、) says nothing: not an offer, not something missed.
    return [p for p in (s.strip() for s in parts) if any(ch.isalnum() for ch in p)]


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
    if value == value.to_integral_value() and 20 <= value < 100 and value % 10:
        return value / 100                     # 95折 -> 0.95, 85折 -> 0.85 (11折, 90折 are no such thing)
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
    if m := _CARD_PRICE_MARK.match(segment):
        return Clause("card_price", segment, m.group(1) or None, amount=Decimal(m.group(3)), threshold=Decimal(m.group(2)))
    spend = None
    if (m := _SPEND_FOR_PERCENT.match(segment)) and "减" not in segment and "送" not in segment and "赠" not in segment:
        spend, segment = Decimal(m.group(1)), segment[m.end():]
    elif m := _BELOW_SPEND.match(segment):
        segment = segment[m.end():]
    clause = _plain_discount_clause(segment)
    if clause is not None and spend is not None:
        if clause.kind != "percent":
            return None
        return Clause("percent", clause.text, clause.applies_to, multiplier=clause.multiplier, threshold=spend)
    return clause


def _plain_discount_clause(segment: str) -> Clause | None:
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


_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
# A usage limit: 每卡每月限一次, 每人每天限用1次, 每卡限享一次, 限用一次.
_LIMIT = re.compile(r"^(?:每(卡|张卡|人|位|户))?(?:每(天|日|周|月|年))?(?:仅)?限(?:用|享|享受|使用|参加|参与)?([一二两三四五1-5])次(?:优惠)?$")
_PERIODS = {"天": "day", "日": "day", "周": "week", "月": "month", "年": "year"}
# A purchase limit: 每人限购两件 (kept as a rule; the price is not changed by it).
_BUY_LIMIT = re.compile(r"^(?:每(人|卡|户|位))?限购([一二两三四五1-9])(?:件|份|个|张|瓶|盒)$")
# The people a clause covers: 持卡人及一名随行人员免门票 (2), 持卡人本人免门票 (1).
_PEOPLE = re.compile(r"^(?:持卡人|本人)(?:本人)?((?:及|和|携|带|另加|加)(?:一名|一位|1名|1位)?(?:随行|同行)?"
                     r"(?:人员|家属|亲友|朋友)?(?:一人|1人|一名|1名|一位)?)?")


def _limit(segment: str) -> Limit | None:
    if m := _LIMIT.match(segment):
        times = _SMALL.get(m.group(3)) or int(m.group(3))
        per = "person" if m.group(1) in ("人", "位", "户") else "card"
        return Limit(segment, per, _PERIODS.get(m.group(2) or ""), times)
    return None


def _people_clause(segment: str) -> Clause | None:
    """持卡人及一名随行人员免门票: the free (or percent) clause for at most that many people."""
    m = _PEOPLE.match(segment)
    if not m or m.end() == 0:
        return None
    clause = _discount_clause(segment[m.end():]) or _free_or_perk(segment[m.end():])
    if clause is None or clause.kind not in ("free", "percent"):
        return None
    return dataclasses.replace(clause, text=segment, max_units=2 if m.group(1) else 1)


def _nth_clause(segment: str) -> Clause | None:
    """第二份半价 -> every 2 at 0.5; 买一送一 -> every 2 at 0; 第三件免费 -> every 3 at 0."""
    if m := _BUY_GET.match(segment):
        n = int(_SMALL.get(m.group(2), m.group(2) if m.group(2).isdigit() else 0))
        if n and not m.group(4).strip(" (、"):
            return Clause("nth", segment, _applies_to(m.group(1)), multiplier=Decimal(0), every=n + 1)
        return None
    if m := _NTH.match(segment):
        n = int(_SMALL.get(m.group(2), m.group(2) if m.group(2).isdigit() else 0))
        rest = m.group(3)
        if re.fullmatch(r"(?:享|可享|享受|即享)?(?:半价)", rest):
            multiplier = Decimal("0.5")
        elif re.fullmatch(r"(?:享|可享|享受|即享)?(?:免费|免单|0元)", rest):
            multiplier = Decimal(0)
        elif (p := _PERCENT_DIGITS.fullmatch(rest.removeprefix("享").removeprefix("可享"))) and \
                (value := _percent_from_digits(p.group(1))) is not None:
            multiplier = value
        else:
            return None
        return Clause("nth", segment, _applies_to(m.group(1)), multiplier=multiplier, every=n)
    return None


def _free_or_perk(segment: str) -> Clause | None:
    if m := _GIFT.match(segment):
        gift = m.group(4)
        value = m.group(3) or ((v := _GIFT_VALUE.search(gift)) and v.group(1))
        return Clause("perk", segment, gift, amount=Decimal(value) if value else None, threshold=Decimal(m.group(2)),
                      repeat=True if m.group(1) else None)
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


# What each phrase family is called when `discount parse --explain` says which rule read a segment.
CLAUSE_FAMILY = {"percent": "折扣", "free": "免费", "amount_off": "立减", "threshold": "满减", "perk": "赠品",
                 "card_price": "凭卡价", "nth": "第N份"}


def parse_offer(text: str, trace: list[tuple[str, str]] | None = None) -> OfferRules:
    """Parse published offer text into rules; the raw text is never needed to be re-read by callers.
    With `trace`, each segment is appended with the phrase families that read it (or 未能解析)."""
    clauses: list[Clause] = []
    exclusions: list[str] = []
    unparsed: list[str] = []
    condition = None
    combinable = True
    caps: list[Decimal] = []
    holidays_excluded = False
    offer_when = None
    limits: list[Limit] = []
    originals: dict[str, str] = {}   # a segment the splitter rewrote -> the offer's own words
    for raw in _split(_normalise(text or ""), originals):
        raw_text = originals.get(raw, raw)
        read: list[str] = []          # the families that read this segment, for the trace
        if trace is not None:
            trace.append((raw_text, ""))
        segment = raw
        if _NOT_COMBINABLE.search(segment):
            combinable = False
            segment = _NOT_COMBINABLE.sub("", segment)
            read.append("不可叠加")
        had_cap = bool(_CAP.search(segment))
        for m in _CAP.finditer(segment):
            caps.append(Decimal(m.group(1) or m.group(2)))
        segment = _NO_CAP.sub("", _CAP.sub("", segment))
        if had_cap:
            read.append("上限")
        if had_cap and _CAP_LEFTOVER.match(segment):
            _traced(trace, read)
            continue
        out, segment = extract_holidays_out(segment)
        holidays_excluded = holidays_excluded or out
        if out:
            read.append("节假日")
        when, segment = extract_when(segment)
        if when is not None:
            read.append("时段")
        if when is not None and not segment.strip(" :、"):
            offer_when = when   # 每周二会员日，全场8.5折 (or 全场8.5折，每周二): the window is the offer's
            _traced(trace, read)
            continue
        for pattern, kind in _CONDITIONS:
            if pattern.search(segment):
                condition = condition or kind
                segment = pattern.sub("", segment)
                read.append("条件")
        segment = segment.strip()
        if not segment:
            _traced(trace, read)
            continue
        if m := _EXCLUSION.match(segment):
            if _NOT_MODELLED.search(m.group(1)):   # 节假日不参加: a time window, not a kind of goods
                unparsed.append(raw_text)
                _traced(trace, ["未能解析"])
                continue
            exclusions.extend(_exclusion_items(m.group(1)))
            read.append("不参加")
            segment = m.group(2).strip()       # 河海鲜及特价菜除外其他消费9折: the rest is a clause
            if not segment or _TRAILING_NOISE.match(segment):
                _traced(trace, read)
                continue
        if (limit := _limit(segment)) is not None or (_BUY_LIMIT.match(segment) and (limit := Limit(segment, kind="units"))):
            limits.append(limit)
            read.append("使用限制")
            _traced(trace, read)
            continue
        clause = _people_clause(segment) or _nth_clause(segment) or _discount_clause(segment) or _free_or_perk(segment)
        modelled = clause is not None and (clause.kind == "nth" or clause.max_units is not None)
        if clause is None or (not modelled and _NOT_MODELLED.search(segment)) or _impossible(clause):
            unparsed.append(raw_text)
            _traced(trace, ["未能解析"])
            continue
        read.append(CLAUSE_FAMILY[clause.kind])
        _traced(trace, read)
        if clause.kind == "card_price":
            condition = condition or "show_card"   # 持工会卡60元: the card is shown to get that price
        # Keep the clause's text as it was published, condition words and all.
        clauses.append(Clause(clause.kind, raw_text if segment in raw else segment, clause.applies_to,
                              clause.multiplier, clause.amount, clause.threshold, clause.repeat, when,
                              clause.max_units, clause.every))
    if offer_when is not None:
        clauses = [c if c.when is not None else dataclasses.replace(c, when=offer_when) for c in clauses]
    cap = min(caps) if caps and all(c > 0 for c in caps) else None
    if caps and cap is None:
        unparsed.extend(m.group(0) for m in _CAP.finditer(_normalise(text or "")))
    return OfferRules(tuple(clauses), tuple(exclusions), condition, combinable, tuple(unparsed), cap,
                      holidays_excluded, tuple(limits))


def _traced(trace: list[tuple[str, str]] | None, read: list[str]) -> None:
    """The families that read the segment last appended to the trace."""
    if trace is not None:
        trace[-1] = (trace[-1][0], "、".join(dict.fromkeys(read)) or "（无内容）")


def _impossible(clause: Clause) -> bool:
    """满100减200: a reduction no smaller than what must be spent is a typo, not an offer to price."""
    return clause.kind == "threshold" and (clause.threshold or 0) <= (clause.amount or 0)
