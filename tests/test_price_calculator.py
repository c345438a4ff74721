"""What a member pays: baskets mixing discounted, excluded and unmatched items, and properties that hold
for any basket and any offer."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.discounts.offer_parser import parse_offer
from app.discounts.price_calculator import BasketError, Item, parse_item, price

JINGYI = "配镜8.5折，太阳镜7.5折，隐形产品9折，护理液9折，隐形产品相关附件不打折，与其他优惠不能同时使用。"
YANYANGTIAN = "餐饮消费9.2折（烟、酒、海鲜、特价菜、酒席除外）"


def basket(*specs):
    return [parse_item(s) for s in specs]


def test_optician_basket_mixes_classes_exclusions_and_unmatched():
    q = price(parse_offer(JINGYI), basket("配镜=1000", "太阳镜=400", "隐形产品相关附件=50", "镜框=100"))
    assert [(i.item_class, str(i.payable), i.excluded) for i in q.items] == [
        ("配镜", "850.00", False), ("太阳镜", "300.00", False), ("隐形产品相关附件", "50.00", True), ("镜框", "100.00", False)]
    assert (str(q.total), str(q.payable), str(q.saving)) == ("1550.00", "1300.00", "250.00")
    assert q.items[0].clause == "配镜8.5折" and q.items[3].clause is None


def test_restaurant_catch_all_with_excluded_seafood_and_rounding_half_up():
    q = price(parse_offer(YANYANGTIAN), basket("123.45", "海鲜=300", "白酒=100"))
    # 123.45 x 0.92 = 113.574 -> 113.57; seafood and liquor (酒) pay in full.
    assert [str(i.payable) for i in q.items] == ["113.57", "300.00", "100.00"]
    assert str(q.payable) == "513.57"
    q = price(parse_offer("9.5折"), basket("0.30"))
    assert str(q.payable) == "0.29"  # 0.285 rounds half up to 0.29


def test_free_items_cost_nothing():
    q = price(parse_offer("免收挂号费，心理测量优惠20%，首次心理咨询免费。"), basket("挂号费=12", "心理测量=200", "心理咨询=300", "药费=50"))
    assert [str(i.payable) for i in q.items] == ["0.00", "160.00", "0.00", "50.00"]


def test_thresholds_apply_to_the_eligible_subtotal():
    offer = parse_offer("全场9折，每满100减10（烟除外）")
    q = price(offer, basket("250", "烟=50"))
    # 250 x 0.9 = 225 eligible -> two steps of 100 -> 20 off; the cigarettes pay 50 in full.
    assert str(q.payable) == "255.00" and q.reductions == ("每满100减10",)
    assert str(price(parse_offer("满200减30"), basket("199.99")).payable) == "199.99"
    assert str(price(parse_offer("满200减30"), basket("450")).payable) == "420.00"  # once, not repeated
    assert str(price(parse_offer("立减20元"), basket("15")).payable) == "0.00"    # never below zero


@pytest.mark.parametrize("spec", ["配镜=abc", "配镜=-5", "配镜=1.005", "=100", "NaN", "配镜=1e20"])
def test_impossible_amounts_are_refused(spec):
    with pytest.raises(BasketError):
        parse_item(spec)


OFFER_PARTS = st.sampled_from([
    "9折", "8.5折", "半价", "九五折", "配镜8折", "太阳镜7.5折", "免收挂号费", "首次咨询免费", "满200减30", "每满100减10",
    "立减20元", "烟酒除外", "特价商品除外", "出示工会卡", "不可叠加", "优惠20%", "护理液9折",
])
CLASSES = st.sampled_from([None, "配镜", "太阳镜", "挂号费", "咨询", "烟", "特价商品", "护理液", "镜框"])
AMOUNTS = st.integers(min_value=0, max_value=10_000_000).map(lambda fen: Decimal(fen) / 100)


@settings(max_examples=300, deadline=None)
@given(st.lists(OFFER_PARTS, min_size=0, max_size=5), st.lists(st.tuples(CLASSES, AMOUNTS), min_size=1, max_size=8))
def test_never_more_than_the_undiscounted_total_and_never_below_zero(parts, items):
    quote = price(parse_offer("，".join(parts)), [Item(c, a) for c, a in items])
    assert Decimal(0) <= quote.payable <= quote.total
    for item in quote.items:
        assert Decimal(0) <= item.payable <= item.amount
        assert item.payable == item.payable.quantize(Decimal("0.01"))
    assert quote.payable == sum((i.payable for i in quote.items), Decimal(0))


@pytest.mark.parametrize("typed, fen", [("1,000", 100000), ("¥300", 30000), ("￥１，２００", 120000), ("300元", 30000),
                                        ("１００", 10000), ("12.5", 1250)])
def test_amounts_are_read_the_same_everywhere(typed, fen):
    from app.money import parse_yuan

    assert parse_yuan(typed) == fen
    assert parse_item(f"配镜={typed}").amount * 100 == fen


@pytest.mark.parametrize("typed", ["1e30", "1e3", "9" * 40, "abc", "-1"])
def test_an_impossible_item_amount_is_a_clear_refusal_not_a_crash(typed):
    with pytest.raises(BasketError):
        parse_item(f"配镜={typed}")
