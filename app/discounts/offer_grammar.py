"""The grammar of offer phrases: a tokenizer for numbers in all the forms merchants write them, and
the phrase families as grammar rules over the tokens.

Why a small hand-written PEG rather than lark or pyparsing: offers are short, Chinese has no spaces
to lex words on, and the hard part is the numbers (8.8, 88, 八八, 八点八, ９, 一百二十, 两千五), which
only context tells apart from words (一律, 一次性). A tokenizer that knows that context, and a dozen
lines of combinators that try alternatives in order with backtracking, keep every family a rule of a
few lines and let a new family be added without touching the others. No dependency to learn.

    tokens   = tokenize("满二百减三十")          -> 满 NUM(200) 减 NUM(30)
    THRESHOLD = seq(opt(lit("每")), lit("满"), num("spend"), opt(YUAN), ..., lit("减"), num("off"), opt(YUAN))

A segment is read by the first family (in FAMILIES order) that matches from some token to its end;
the tokens before the match are the goods it applies to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from collections.abc import Callable, Iterator

from app.discounts.goods import NotGoods, read_goods, vocabulary
from app.discounts.rules import Clause, Limit

# ---------------------------------------------------------------- tokens

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万点]+")
_ASCII_NUM = re.compile(r"\d+(?:\.\d+)?")
# A run of Chinese numerals is a number only beside what numbers go with: after 满/减/送/第/买/限…,
# or before 折/元/%/次/件/份/人… . Elsewhere (一律, 一次性的"性"…) it is a word.
_NUM_BEFORE = set("满减送赠第买限购价省抵")
_NUM_AFTER = set("折元块%次件份个杯位瓶张盒人名间台辆晚桌")


@dataclass(frozen=True)
class Tok:
    text: str
    value: Decimal | None = None   # a number's value (一百二十 -> 120, 八八 -> 88, 8.8 -> 8.8); None for a character
    digits: str | None = None      # how its digits read for 折 (八八 -> "88", 八点八 -> "8.8", 九 -> "9")

    @property
    def is_num(self) -> bool:
        return self.value is not None


def cn_number(text: str) -> int | None:
    """一百二十 -> 120, 两千五 -> 2500 (a trailing digit is the next unit down, as people say it),
    十五 -> 15, 三万 -> 30000, 一千零五 -> 1005; None if it is not a number."""
    total, section, digit, last_unit = 0, 0, None, 1
    for ch in text:
        if ch in "零〇":                         # 一千零五: a gap; what follows is units
            digit, last_unit = None, 1
        elif ch in _CN_DIGITS:
            if digit is not None:
                return None                      # 二三: not a number with units
            digit = _CN_DIGITS[ch]
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


def _cn_token(run: str) -> Tok | None:
    if any(u in run for u in "十百千万"):
        value = cn_number(run)
        return None if value is None else Tok(run, Decimal(value))
    whole, _, frac = run.partition("点")
    if not whole or (_ and not frac) or "点" in frac:
        return None
    digits = "".join(str(_CN_DIGITS[c]) for c in whole) + ("." + "".join(str(_CN_DIGITS[c]) for c in frac) if frac else "")
    return Tok(run, Decimal(digits), digits)


def tokenize(text: str) -> list[Tok]:
    """Numbers (ASCII, or Chinese numerals where a number belongs) and single characters."""
    tokens: list[Tok] = []
    i = 0
    while i < len(text):
        if m := _ASCII_NUM.match(text, i):
            # 2百, 1千, 1.5万: digits with a Chinese unit are one number.
            if (unit := text[m.end():m.end() + 1]) in ("百", "千", "万") and "." not in m.group() or unit == "万":
                value = Decimal(m.group()) * _CN_UNITS[unit]
                tokens.append(Tok(m.group() + unit, value, None))
                i = m.end() + 1
                continue
            tokens.append(Tok(m.group(), Decimal(m.group()), m.group()))
            i = m.end()
            continue
        if m := _CN_RUN.match(text, i):
            run = m.group()
            before = text[i - 1] if i else ""
            after = text[m.end()] if m.end() < len(text) else ""
            token = _cn_token(run) if (before in _NUM_BEFORE or after in _NUM_AFTER) else None
            if token is not None:
                tokens.append(token)
                i = m.end()
                continue
        tokens.append(Tok(text[i]))
        i += 1
    return tokens


# ---------------------------------------------------------------- combinators (PEG with backtracking)

Caps = dict[str, object]
Parser = Callable[[list[Tok], int, Caps], Iterator[tuple[int, Caps]]]


@dataclass(frozen=True)
class First:
    """What a parser can begin with: a token whose text starts with one of `chars`, a number token
    (`number`), or nothing at all (`empty`); `chars` None means any token. `_anywhere` tries a parser
    only at tokens it can begin with, so a segment is not read from every position by every family."""

    chars: frozenset[str] | None = frozenset()
    number: bool = False
    empty: bool = False

    def admits(self, tok: Tok) -> bool:
        return self.chars is None or tok.text[:1] in self.chars or (self.number and tok.is_num)

    def __or__(self, other: First) -> First:
        chars = None if self.chars is None or other.chars is None else self.chars | other.chars
        return First(chars, self.number or other.number, self.empty or other.empty)


_ANY = First(None)


def first_of(parser: Parser) -> First:
    return getattr(parser, "first", _ANY)


def _with_first(parser, first: First) -> Parser:
    parser.first = first
    return parser


def lit(*words: str) -> Parser:
    """One of the words, spelled by whole tokens (一次性 may be NUM(一) 次 性)."""
    by_first: dict[str, list[str]] = {}   # only words that begin as the token does can match (same order)
    for word in words:
        by_first.setdefault(word[:1], []).append(word)

    def parse(toks, i, caps):
        if i >= len(toks):
            if "" in by_first:
                yield i, caps
            return
        for word in by_first.get(toks[i].text[:1], ()) if "" not in by_first else words:
            j, text = i, ""
            while j < len(toks) and len(text) < len(word) and word.startswith(text + toks[j].text):
                text += toks[j].text
                j += 1
            if text == word:
                yield j, caps
    return _with_first(parse, First(frozenset(w[:1] for w in words if w), empty="" in words))


def num(name: str) -> Parser:
    def parse(toks, i, caps):
        if i < len(toks) and toks[i].is_num:
            yield i + 1, {**caps, name: toks[i]}
    return _with_first(parse, First(number=True))


def seq(*parts: Parser) -> Parser:
    def parse(toks, i, caps, k=0):
        if k == len(parts):
            yield i, caps
            return
        for j, c in parts[k](toks, i, caps):
            yield from parse(toks, j, c, k + 1)
    first = First(empty=True)
    for part in parts:   # what the parts can begin with, up to the first that cannot be empty
        f = first_of(part)
        first = First(f.chars if first.chars is None or f.chars is None else first.chars | f.chars,
                      first.number or f.number, f.empty)
        if first.chars is None or not f.empty:
            break
    return _with_first(parse, first)


def alt(*parts: Parser) -> Parser:
    def parse(toks, i, caps):
        for part in parts:
            yield from part(toks, i, caps)
    first = First()
    for part in parts:
        first = first | first_of(part)
    return _with_first(parse, first)


def opt(part: Parser) -> Parser:
    def parse(toks, i, caps):
        yield from part(toks, i, caps)
        yield i, caps
    return _with_first(parse, first_of(part) | First(empty=True))


def rest(name: str, min_len: int = 1) -> Parser:
    """The remaining tokens up to some point (shortest first), captured as text."""
    def parse(toks, i, caps):
        for j in range(i + min_len, len(toks) + 1):
            yield j, {**caps, name: "".join(t.text for t in toks[i:j])}
    return _with_first(parse, First(None, empty=min_len == 0))


def mark(name: str) -> Parser:
    """Records that this alternative was taken."""
    def parse(toks, i, caps):
        yield i, {**caps, name: True}
    return _with_first(parse, First(empty=True))


# ---------------------------------------------------------------- the phrases

YUAN = lit("元", "块钱", "块")
UNIT = lit("份", "件", "个", "杯", "位", "瓶", "张", "盒", "双", "只", "套", "节", "碗", "台", "笼", "串", "支", "根", "条", "袋", "包",
           "听", "罐", "扎")
UNITS = lit("人次", "份", "件", "个", "杯", "位", "瓶", "张", "盒", "碗", "人", "名", "间", "晚", "套", "只", "台", "辆", "双", "斤", "克", "升", "度",
            "版", "颗", "次", "笼", "串", "支", "根", "条", "袋", "包", "听", "罐", "扎")
ENJOY = opt(lit("可享受", "享受", "可享", "即享", "即可享受", "享", "可打", "打", "即打", "可", "为", "升级为", "按", "一律"))
TAIL = opt(lit("优惠", "的优惠", "活动"))
SPEND = seq(opt(lit("单次", "单笔", "一次性", "一次", "每单")), opt(lit("消费")), lit("满", "达", "达到", "超过"), num("spend"), opt(YUAN),
            opt(lit("以上", "及以上")), opt(lit("方可", "即可", "就", "可", "才", "的", "方")))

PERCENT = seq(ENJOY, alt(seq(num("rate"), lit("折")), seq(mark("half"), alt(lit("半价"), seq(lit("减半"), opt(lit("收取", "收费")))))),
              TAIL)
PERCENT_OFF = alt(seq(opt(seq(lit("每"), lit("面", "件", "个", "位", "人", "张", "次", "项", "台", "辆"))),   # 每面优惠15%: each is 15% off
                      lit("优惠", "折扣", "立减", "减", "让利"), num("pct"), lit("%")),
                  seq(num("pct"), lit("%"), opt(lit("优惠", "折扣"))))
# 按原价的85%收费, 按门市价85%结算: the share paid, not the share off.
PAY_SHARE = seq(opt(lit("按", "以")), opt(lit("原价", "门市价", "挂牌价", "市场价", "标价", "门诊价", "店内标价")), opt(lit("的")), num("share"), lit("%"),
                lit("收费", "结算", "收取", "计费", "付款", "计算"))
# 折后满300再减30, 在折扣基础上满100再减10: a 满减 on what the rates left, which is how every 满减 is priced.
AFTER_RATE = opt(seq(opt(lit("在")), lit("折后", "打折后", "折扣后", "折扣基础上", "九折基础上", "折上", "此基础上", "折后价基础上",
                                          "折后价", "之后", "后"), opt(lit("再"))))
THRESHOLD = seq(AFTER_RATE, opt(seq(lit("每"), mark("repeat"))), opt(lit("消费")), lit("满"), num("spend"), opt(YUAN),
                opt(lit("即", "可", "就", "再", "还可", "可再")), opt(lit("立")), lit("减"), num("off"), opt(YUAN), TAIL)
AMOUNT_OFF = alt(seq(AFTER_RATE, lit("立减", "直减", "直降", "立省", "减免", "优惠", "再减", "减"), num("off"), YUAN, TAIL),
                 seq(AFTER_RATE, lit("立减", "直减", "直降", "立省", "减"), num("off")))   # C2自动挡立减两百: the yuan unsaid
# 每人立减200元, 每桌减300元, 每颗优惠500元, 每升直降0.3元: so much off each unit.
EACH_OFF = seq(lit("每"), lit("人", "位", "桌", "颗", "升", "克", "件", "张", "间", "晚", "台", "次", "只", "份", "个", "辆",
                           "碗", "杯", "瓶", "盒", "斤", "串"),
               opt(lit("可", "即")), lit("立减", "直减", "直降", "减免", "优惠", "减", "便宜", "让利", "省"), num("off"),
               opt(seq(YUAN, TAIL)))   # 每人减两百: the yuan unsaid (a family reads to the segment's end)
FREE_LEADING = seq(lit("免收", "免除", "免费", "免"), rest("item"))
FREE_AFTER = seq(lit("免收", "免除", "免"), rest("item"))
FREE_TRAILING = seq(rest("item"), lit("免费", "全免", "免单", "免费拍", "免费做", "免费测", "免费查", "免费洗", "免费拍摄"))
GIFT = seq(opt(lit("单次", "单笔", "一次性")), opt(lit("消费")), opt(seq(lit("每"), mark("repeat"))), lit("满"), num("spend"),
           opt(YUAN), opt(lit("即", "可", "另", "再", "还", "就", "加")), lit("赠送", "赠", "送", "免费"), opt(seq(lit("价值"), num("value"), YUAN, opt(lit("的")))),
           rest("item"))
PERK = seq(lit("赠送", "赠", "送"), rest("item"))
CARD_PRICE = alt(seq(opt(lit("原价", "门市价", "挂牌价", "票价")), num("list"), YUAN, lit("卡价"), num("card"), YUAN),
                 seq(lit("卡价"), num("card"), YUAN))
NTH = seq(lit("第"), num("nth"), UNIT, ENJOY,
          alt(seq(mark("half"), lit("半价")), seq(mark("free"), lit("免费", "免单")), seq(num("rate"), lit("折"))))
BUY_GET = seq(opt(lit("每")), lit("买"), num("buy"), opt(UNITS), lit("送", "赠", "赠送"), num("get"), opt(UNITS))
# A discount on a price the member is given (在会员价基础上再享95折): priced on that price, once typed.
STACKED = seq(opt(lit("在")), lit("会员价", "折后价", "优惠价", "活动价", "会员折扣价"), lit("基础上"), opt(lit("再")),
              ENJOY, num("rate"), lit("折"), TAIL)
COMPANIONS = seq(lit("及", "和", "携", "带", "另加", "加"), opt(seq(num("k"), lit("名", "位", "人"))),
                 opt(lit("随行", "同行")), opt(lit("人员", "家属", "亲友", "朋友")), opt(seq(num("k2"), lit("人", "名", "位"))))
PEOPLE = seq(lit("持卡人", "本人"), opt(lit("本人")), opt(seq(mark("companion"), COMPANIONS)))
LIMIT = seq(opt(seq(lit("每"), alt(seq(lit("卡", "张卡", "桌", "单")), seq(mark("person"), lit("人", "位", "户"))))),
            opt(seq(lit("每"), alt(*(seq(mark(f"period_{p}"), lit(*w)) for p, w in
                                      (("day", ("天", "日")), ("week", ("周",)), ("month", ("月",)), ("year", ("年",))))))),
            opt(lit("仅")), lit("限"), opt(lit("用", "享", "享受", "使用", "参加", "参与")), num("times"), lit("次"),
            opt(lit("优惠")))
BUY_LIMIT = seq(opt(seq(lit("每"), lit("场", "次", "天", "日"))),   # 每场每卡限购4张
                opt(seq(lit("每"), alt(seq(mark("person"), lit("人", "位")), lit("卡", "户", "桌", "单", "次", "张卡", "间", "台", "车")))),
                opt(seq(lit("每"), lit("天", "日", "次", "单", "月", "周", "场"))),
                alt(lit("限购", "最多限购", "限", "最多", "最多可享", "限享", "仅限", "每次限", "限用"), seq(lit("最多"), lit("享", "可"))),
                opt(lit("订", "购", "买", "用", "享", "预订", "开", "优惠", "减")), num("units"), UNITS, opt(lit("车", "房")),
                opt(lit("优惠", "享受", "使用", "参加")), opt(lit("会员价", "优惠价", "优惠", "折扣")))   # 每桌限4人享受会员价
# 限持卡人本人, 仅限本人使用, 本人及同行1人: the offer is for so many people.
PEOPLE_LIMIT = seq(opt(lit("每卡", "每张卡")), opt(lit("仅", "只")), opt(lit("限")),
                   lit("持卡人本人", "持卡人", "会员本人", "本人"), opt(seq(mark("companion"), COMPANIONS)),
                   opt(lit("使用", "享受", "享用", "消费", "有效", "报名", "入住")), opt(seq(lit("一"), UNITS)))   # 限本人一张
# 同行家属不享受: only the card holder's own unit is discounted.
ALONE = seq(lit("同行"), opt(lit("家属", "亲友", "人员", "者", "朋友")), opt(lit("均")),
            lit("不享受", "不参加", "不优惠", "按原价", "原价", "不打折"), opt(lit("优惠")))


def _full(parser: Parser, toks: list[Tok], start: int = 0) -> Caps | None:
    """The captures of the first way the parser reads toks[start:] to the end, or None."""
    for end, caps in parser(toks, start, {}):
        if end == len(toks):
            return caps
    return None


def _anywhere(parser: Parser, toks: list[Tok]) -> tuple[str, Caps] | None:
    """The parser read from some token to the end: (the text before it, the captures)."""
    first = first_of(parser)
    for start in range(len(toks) + 1):
        if not first.empty and (start == len(toks) or not first.admits(toks[start])):
            continue
        if (caps := _full(parser, toks, start)) is not None:
            return "".join(t.text for t in toks[:start]), caps
    return None


def percent_of(token: Tok) -> Decimal | None:
    """The share paid for a 折 number: 9 / 8.8 / 八点八 tenths, 95 / 八五 hundredths; 11 and 90 are nothing."""
    value = Decimal(token.digits) if token.digits else token.value
    if value is None:
        return None
    if Decimal(0) < value < 10:
        return value / 10
    if value == value.to_integral_value() and 20 <= value < 100 and value % 10:
        return value / 100
    return None


# ---------------------------------------------------------------- the families

def _percent(segment: str, prefix: str, caps: Caps) -> Clause | None:
    rate = Decimal("0.5") if caps.get("half") else percent_of(caps["rate"])
    return None if rate is None else Clause("percent", segment, read_goods(prefix), multiplier=rate)


def _percent_off(segment: str, prefix: str, caps: Caps) -> Clause | None:
    if re.search(r"(?:收|返现|返|加|服务费|手续费)$", prefix):   # 另收服务费10%, 返现10%: not money off
        return None
    pct = caps["pct"].value
    return Clause("percent", segment, read_goods(prefix), multiplier=1 - pct / 100) if 0 < pct < 100 else None


def _threshold(segment: str, prefix: str, caps: Caps) -> Clause | None:
    return Clause("threshold", segment, read_goods(prefix), amount=caps["off"].value, threshold=caps["spend"].value,
                  repeat=bool(caps.get("repeat")))


def _amount_off(segment: str, prefix: str, caps: Caps) -> Clause | None:
    return Clause("amount_off", segment, read_goods(prefix), amount=caps["off"].value)


def _each_off(segment: str, prefix: str, caps: Caps) -> Clause | None:
    return Clause("amount_off", segment, read_goods(prefix), amount=caps["off"].value, per_unit=True)


def _free(segment: str, prefix: str, caps: Caps) -> Clause | None:
    """免收挂号费, 停车费全免; 月嫂、育儿嫂免收中介服务费 (the words before say for whom: the free thing is
    what follows); 新客首次保养免工时费 (only the first time)."""
    qualifier, requires = "", None
    if prefix:
        context = read_goods(prefix)   # NotGoods for 满200免运费: not a free item
        qualified = vocabulary().qualified(context) if context else None
        qualifier = qualified[0].word if qualified else ""
        requires = (qualified[1] if qualified else context) or None   # 补牙、拔牙免收挂号费: beside those
    item = str(caps["item"]).removesuffix("费用").removesuffix("等")
    if item in ("费", "单", "票") or item.startswith("费"):   # 门票免费 is read the other way round
        return None
    item = read_goods(item) if item else None   # 会员补胎免费: the free thing is 补胎
    return Clause("free", segment, (qualifier + item) if item else (qualifier or None), requires=requires)


def _pay_share(segment: str, prefix: str, caps: Caps) -> Clause | None:
    share = caps["share"].value
    return Clause("percent", segment, read_goods(prefix), multiplier=share / 100) if 0 < share < 100 else None


def _gift(segment: str, prefix: str, caps: Caps) -> Clause | None:
    if prefix:
        read_goods(prefix)   # 凭卡洗衣满一百元送…: goods before it are fine, a condition is not
    item = str(caps["item"])
    value = caps["value"].value if "value" in caps else None
    if value is None and (v := re.search(r"(\d+(?:\.\d+)?)元(?:代金券|优惠券|现金券|抵用券|消费券|券)", item)):
        value = Decimal(v.group(1))
    return Clause("perk", segment, item, amount=value, threshold=caps["spend"].value,
                  repeat=True if caps.get("repeat") else None)


def _perk(segment: str, prefix: str, caps: Caps) -> Clause | None:
    """送饮料一份; 新客到店赠送手部护理一次 (whatever comes first, a gift is never money off)."""
    item = str(caps["item"]).removesuffix("等")
    if (prefix and re.search(r"[满折减元%买]", prefix)) or re.fullmatch(r"[\d一二两三四五六七八九十]+\S?", item):
        return None   # 买二送一 is a quantity rule, not a gift called 一
    return Clause("perk", segment, item)


def _card_price(segment: str, prefix: str, caps: Caps) -> Clause | None:
    """门票原价120元，持卡60元 (threshold: the list price); 洗车凭卡25元/次 (a unit price, no list price)."""
    card = caps["card"].value
    listed = caps["list"].value if "list" in caps else None
    if card <= 0 or (listed is not None and card >= listed):
        return None
    return Clause("card_price", segment, read_goods(prefix), amount=card, threshold=listed)


def _stacked(segment: str, prefix: str, caps: Caps) -> Clause | None:
    rate = percent_of(caps["rate"])
    if prefix or rate is None:
        return None
    price_word = next(w for w in ("会员折扣价", "会员价", "折后价", "优惠价", "活动价") if w in segment)
    return Clause("percent", segment, price_word, multiplier=rate)


def _nth(segment: str, prefix: str, caps: Caps) -> Clause | None:
    n = int(caps["nth"].value)
    if not 2 <= n <= 4:
        return None
    rate = Decimal("0.5") if caps.get("half") else Decimal(0) if caps.get("free") else percent_of(caps["rate"])
    return None if rate is None else Clause("nth", segment, read_goods(prefix), multiplier=rate, every=n)


def _buy_get(segment: str, prefix: str, caps: Caps) -> Clause | None:
    """买一送一, 买三送一, 买十送二: in each group of buy + get units, the last `get` are free."""
    buy, get = int(caps["buy"].value), int(caps["get"].value)
    if not 1 <= get <= 3 or not 1 <= buy <= 12 or get > buy:
        return None
    return Clause("nth", segment, read_goods(prefix), multiplier=Decimal(0), every=buy + get,
                  units=None if get == 1 else get)


@dataclass(frozen=True)
class Family:
    name: str            # what `discount parse --explain` calls it
    grammar: Parser
    build: Callable[[str, str, Caps], Clause | None]
    anywhere: bool = True   # the goods may come first (配镜8.5折); False: the phrase is the segment


# Ordered choice: the first family that reads the segment wins.
FAMILIES: tuple[Family, ...] = (
    Family("叠加折扣", STACKED, _stacked, anywhere=False),
    Family("凭卡价", CARD_PRICE, _card_price),
    Family("第N份", NTH, _nth),
    Family("第N份", BUY_GET, _buy_get),
    Family("赠品", GIFT, _gift),
    Family("满减", THRESHOLD, _threshold),
    Family("折扣", PAY_SHARE, _pay_share),
    Family("折扣", PERCENT_OFF, _percent_off),
    Family("折扣", PERCENT, _percent),
    Family("立减", EACH_OFF, _each_off),
    Family("立减", AMOUNT_OFF, _amount_off),
    Family("赠品", PERK, _perk),
    Family("免费", FREE_LEADING, _free, anywhere=False),
    Family("免费", FREE_AFTER, _free),
    Family("免费", FREE_TRAILING, _free, anywhere=False),
)


def read_spend(segment: str) -> tuple[str | None, Decimal] | None:
    """A spend said on its own (单笔洗护消费达两百元以上): (the goods, the amount), or None."""
    toks = tokenize(segment)
    for start in range(len(toks)):
        if (caps := _full(SPEND, toks, start)) is not None:
            try:
                return read_goods("".join(t.text for t in toks[:start])), caps["spend"].value
            except NotGoods:
                return None
    return None


def read_clause(segment: str) -> tuple[Clause, str] | None:
    """The clause a segment says and the family that read it, or None. A rate that needs a spend
    (消费满500元打8折) or applies below one (不满500元打9折), and a clause for so many people
    (持卡人及一名随行人员免门票), wrap the families above."""
    toks = tokenize(segment)
    for end, caps in PEOPLE(toks, 0, {}):
        if end and end < len(toks):
            inner = read_clause("".join(t.text for t in toks[end:]))
            if inner and inner[0].kind in ("free", "percent"):
                extra = caps.get("k") or caps.get("k2")
                covered = 1 + (int(extra.value) if extra else 1) if caps.get("companion") else 1
                return replace(inner[0], text=segment, max_units=covered), inner[1]
            break
    for start in range(len(toks)):   # 消费满500元打8折; 工会会员堂食满两百元打八八折 (the goods come first)
        for end, caps in SPEND(toks, start, {}):
            inner = _read_family(toks[end:], "".join(t.text for t in toks[end:]))
            if inner and inner[0].kind == "percent" and inner[0].applies_to is None:
                try:
                    goods = read_goods("".join(t.text for t in toks[:start]))
                except NotGoods:
                    continue
                return replace(inner[0], text=segment, threshold=caps["spend"].value, applies_to=goods), inner[1]
    for end, _caps in seq(opt(lit("消费")), lit("不满"), num("below"), opt(YUAN), opt(lit("的")))(toks, 0, {}):
        inner = _read_family(toks[end:], "".join(t.text for t in toks[end:]))
        if inner and inner[0].kind == "percent":
            return replace(inner[0], text=segment), inner[1]
    return _read_family(toks, segment)


def _read_family(toks: list[Tok], segment: str) -> tuple[Clause, str] | None:
    for family in FAMILIES:
        found = _anywhere(family.grammar, toks) if family.anywhere else ("", _full(family.grammar, toks))
        if found is None or found[1] is None:
            continue
        try:
            clause = family.build(segment, *found)
        except NotGoods:   # 折后满100元再减10元 is not goods called 折后满100元
            continue
        if clause is not None:
            return clause, family.name
    return None


CAP = alt(seq(lit("最多", "最高"), opt(lit("可")), lit("减免", "立减", "优惠", "减", "抵扣", "省"), num("cap"), opt(YUAN)),
          seq(opt(lit("优惠", "减免")), lit("上限", "封顶"), opt(lit("减免", "立减", "优惠", "减", "为")), num("cap"), opt(YUAN)))
NO_CAP = lit("上不封顶")


def cut_cap(segment: str) -> tuple[list[Decimal], bool, str]:
    """The caps a segment states (最多减50元, 最高优惠二百元, 封顶100元), whether it says 上不封顶, and the
    segment without them."""
    toks = tokenize(segment)
    caps: list[Decimal] = []
    said = False
    i = 0
    while i < len(toks):
        for parser, is_cap in ((CAP, True), (NO_CAP, False)):
            found = next(parser(toks, i, {}), None)
            if found is not None:
                end, captured = found
                if is_cap:
                    caps.append(captured["cap"].value)
                said = True
                toks = toks[:i] + toks[end:]
                break
        else:
            i += 1
    return caps, said, "".join(t.text for t in toks)


_PERIODS = ("day", "week", "month", "year")


# 须二人（含）以上同行方可享受: the offer needs so many people (units) on the line.
_AT_LEAST = re.compile(r"^(?:须|需|必须)?(\d+|[两二三四五六七八九十])(?:人|位|名|桌|间|台|件|份|张)(?:\(含\)|含)?(?:及)?以上(?:同行|同时|一起|同报)?"
                       r"(?:报名|参团|消费|入住|预订)?(?:方可|才可|才能|可)(?:享受|参加|使用)?(?:此|本)?(?:优惠)?$")
_LOOSE_LIMIT = re.compile(r"^每(卡|人|位|户)(?:每(天|日|周|月|年))?[^\d限]{0,4}?(?:仅)?限(?:用|享)?\S{0,4}?(\d+|[一二两三四五六七八九十])次$")


# 本人及同行亲友最多6人享受 (six in all); 每卡限本人+3位同行亲友 (four in all).
_COMPANIONS_IN_ALL = re.compile(
    r"(?:每卡|每张卡)?(?:仅)?(?:限)?(?:持卡人)?本人(?:及|和|与)(?:同行|随行)(?:亲友|家属|朋友|人员|家人)?(?:最多|共|合计)"
    r"(\d+|[一二两三四五六七八九十])(?:人|位|名)(?:以内)?(?:享受|同享|有效)?")
_COMPANIONS_BESIDE = re.compile(
    r"(?:每卡|每张卡)?(?:仅)?(?:限)?(?:持卡人)?本人\+(\d+|[一二两三四五六七八九十])(?:人|位|名)(?:同行|随行)?"
    r"(?:亲友|家属|朋友|人员|家人)?(?:享受|同享|有效)?")


def read_limit(segment: str) -> Limit | None:
    """每卡每月限一次, 每人每天限用1次 (uses of the offer); 每人限购两件 (units bought)."""
    segment = re.sub(r"^(?:以上|上述)(?:所有)?(?:优惠|活动)?(?:均)?(?=限|仅)", "", segment)   # 以上优惠限持卡人本人
    if m := _AT_LEAST.match(segment):
        n = int(m.group(1)) if m.group(1).isdigit() else cn_number(m.group(1))
        return Limit(segment, "person", None, n or 2, kind="at_least")
    if m := _LOOSE_LIMIT.match(segment):   # 每卡每天限洗车一次: what is limited named inside
        period = {"天": "day", "日": "day", "周": "week", "月": "month", "年": "year"}.get(m.group(2) or "")
        times = int(m.group(3)) if m.group(3).isdigit() else cn_number(m.group(3))
        return Limit(segment, "person" if m.group(1) in "人位" else "card", period, times or 1)
    toks = tokenize(segment)
    if (caps := _full(LIMIT, toks)) is not None:
        period = next((p for p in _PERIODS if caps.get(f"period_{p}")), None)
        return Limit(segment, "person" if caps.get("person") else "card", period, int(caps["times"].value))
    if (caps := _full(BUY_LIMIT, toks)) is not None:
        return Limit(segment, "person" if caps.get("person") else "card", kind="units", times=int(caps["units"].value))
    if _full(ALONE, toks) is not None:
        return Limit(segment, per="person", kind="units", times=1)
    if m := re.fullmatch(r"(?:每次|每卡)?(?:可|可以)?(?:携带|带|携)(\d+|[一二两三])(?:位|名|个)?(?:朋友|亲友|家属|同伴|家人)(?:同享|共享|同样享受|一起享受)", segment):
        extra = int(m.group(1)) if m.group(1).isdigit() else cn_number(m.group(1)) or 1
        return Limit(segment, per="person", kind="units", times=1 + extra)   # 每次可带1位朋友同享: two in all
    for pattern, holder in ((_COMPANIONS_IN_ALL, 0), (_COMPANIONS_BESIDE, 1)):
        if m := pattern.fullmatch(segment):
            n = int(m.group(1)) if m.group(1).isdigit() else cn_number(m.group(1)) or 1
            return Limit(segment, per="person", kind="units", times=n + holder)
    if (caps := _full(PEOPLE_LIMIT, toks)) is not None and ("限" in segment or "仅" in segment or caps.get("companion")):
        extra = caps.get("k") or caps.get("k2")
        return Limit(segment, per="person", kind="units", times=1 + (int(extra.value) if extra else 1) if caps.get("companion") else 1)
    return None
