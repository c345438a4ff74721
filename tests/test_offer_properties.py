"""Generated offers (issue 24): for each clause family, random rates, thresholds, goods and the words
merchants put around them (who, how, whole-shop words, punctuation). The quote's price must be the one
the generated rule gives, or the quote must say it is not sure: never a confident wrong price."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.discounts.offer_parser import parse_offer
from app.discounts.price_calculator import Item, price

CN = "零一二三四五六七八九"
WHO = st.sampled_from(["", "凭工会卡", "持卡", "刷卡", "工会会员", "会员", "凭卡", "出示工会卡", "持本卡", "工会会员凭卡"])
WHERE = st.sampled_from(["", "全场", "店内", "所有商品", "全部商品", "店内所有商品一律", "全场商品均"])
ENJOY = st.sampled_from(["", "享", "享受", "可享", "即可享受", "打", "一律"])
TAIL = st.sampled_from(["", "优惠", "。", "！", "，欢迎光临"])
# (what the offer names, what the member types): the item is in the class.
GOODS = st.sampled_from([("烫染项目", "烫发"), ("客房", "标准间"), ("药品", "感冒药"), ("家电清洗", "空调清洗"),
                         ("洗车", "洗车"), ("配镜", "镜架"), ("菜品", "毛肚"), ("门票", "成人票"), ("干洗", "干洗大衣")])


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _rate_text(tenths: int, style: int) -> str:
    """Ways of writing the same rate: 8折, 八折, 80% paid as 优惠20%."""
    if style == 0:
        return f"{tenths}折"
    if style == 1:
        return f"{CN[tenths]}折"
    return f"优惠{100 - tenths * 10}%"


def _flagged(quote) -> bool:
    return bool(quote.uncertain or quote.depends or quote.needs)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(WHO, WHERE, ENJOY, TAIL, st.integers(5, 9), st.integers(0, 2), st.integers(1, 5000))
def test_a_whole_shop_rate_prices_any_bill_or_says_it_is_not_sure(who, where, enjoy, tail, tenths, style, yuan):
    offer = f"{who}{where}{enjoy}{_rate_text(tenths, style)}{tail}"
    quote = price(parse_offer(offer), [Item(None, Decimal(yuan))])
    assert _flagged(quote) or quote.payable == _fen(Decimal(yuan) * tenths / 10), offer


@settings(max_examples=400, deadline=None, derandomize=True)
@given(WHO, ENJOY, GOODS, st.integers(5, 9), st.integers(0, 2), st.integers(1, 3000))
def test_a_rate_on_named_goods_prices_an_item_of_them(who, enjoy, goods, tenths, style, yuan):
    cls, item = goods
    offer = f"{who}{cls}{enjoy}{_rate_text(tenths, style)}"
    quote = price(parse_offer(offer), [Item(item, Decimal(yuan))])
    assert _flagged(quote) or quote.payable == _fen(Decimal(yuan) * tenths / 10), offer


@settings(max_examples=400, deadline=None, derandomize=True)
@given(WHO, WHERE, st.integers(1, 20), st.integers(1, 9), st.booleans(), st.integers(1, 5000))
def test_a_threshold_takes_off_what_the_bill_reaches(who, where, steps, off_tenths, repeat, yuan):
    spend = steps * 50
    off = max(1, spend * off_tenths // 20)
    offer = f"{who}{where}{'每' if repeat else ''}满{spend}元减{off}元"
    quote = price(parse_offer(offer), [Item(None, Decimal(yuan))])
    times = (yuan // spend if repeat else min(1, yuan // spend))
    expected = Decimal(yuan) - min(Decimal(off * times), Decimal(yuan))
    assert _flagged(quote) or quote.payable == _fen(expected), offer


@settings(max_examples=300, deadline=None, derandomize=True)
@given(GOODS, st.integers(20, 400), st.integers(1, 19), st.integers(1, 6), st.booleans())
def test_a_card_price_prices_each_unit(goods, listed, share, units, list_first):
    cls, item = goods
    card = listed * share // 20 or 1
    offer = (f"{cls}原价{listed}元，会员价{card}元" if list_first else f"{cls}凭卡{card}元/次（原价{listed}元）")
    quote = price(parse_offer(offer), [Item(item, Decimal(listed * units), units)])
    assert _flagged(quote) or quote.payable == Decimal(card * units), offer


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(["凭卡", "持卡", "刷卡", "会员", "工会会员"]), st.sampled_from(["购", "用餐", "消费", "入住", "办理"]),
       st.sampled_from(["满50元方可", "折后满100元", "新客首次", "17点后", "周三"]), st.integers(5, 9), st.integers(1, 3000))
def test_conditions_before_a_rate_are_never_a_class_of_goods(who, verb, condition, tenths, yuan):
    """刷卡购药享九五折, 消费满50元方可享受9折: the words before the rate are read, or the quote flags them;
    they never become goods that a typed item fails to match in silence."""
    rules = parse_offer(f"{who}{verb}{condition}享{tenths}折")
    for clause in rules.clauses:   # 首次 is a qualifier: priced as "if it is the first visit"
        goods = (clause.applies_to or "").removeprefix("首次")
        assert not any(w in goods for w in ("满", "后", "首次", "卡", "会员")), clause
