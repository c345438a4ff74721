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
    q = price(parse_offer(JINGYI), basket("配镜=1000", "太阳镜=400", "隐形产品相关附件=50", "镜框=100", "镜布=10"))
    # A frame is part of 配镜 (item_classes.toml); a lens cloth is an accessory no clause names.
    assert [(i.item_class, str(i.payable), i.excluded) for i in q.items] == [
        ("配镜", "850.00", False), ("太阳镜", "300.00", False), ("隐形产品相关附件", "50.00", True), ("镜框", "85.00", False),
        ("镜布", "10.00", False)]
    assert (str(q.total), str(q.payable), str(q.saving)) == ("1560.00", "1295.00", "265.00")
    assert q.items[0].clause == "配镜8.5折" and q.items[4].clause is None and not q.depends


def test_restaurant_catch_all_with_excluded_seafood_and_rounding_half_up():
    q = price(parse_offer(YANYANGTIAN), basket("123.45", "海鲜=300", "白酒=100"))
    # 123.45 x 0.92 = 113.574 -> 113.57; seafood and liquor (酒) pay in full.
    assert [str(i.payable) for i in q.items] == ["113.57", "300.00", "100.00"]
    assert str(q.payable) == "513.57"
    q = price(parse_offer("9.5折"), basket("0.30"))
    assert str(q.payable) == "0.29"  # 0.285 rounds half up to 0.29


def test_free_items_cost_nothing():
    q = price(parse_offer("免收挂号费，心理测量优惠20%，首次心理咨询免费。"), basket("挂号费=12", "心理测量=200", "首次心理咨询=300", "药费=50"))
    assert [str(i.payable) for i in q.items] == ["0.00", "160.00", "0.00", "50.00"]


# ---------------------------------------------------------------- seed 000 Q17, clause by clause (issue 18)


def test_lihuayuan_excludes_river_and_sea_food_both():
    """丽华园酒店 "河海鲜及特价菜除外其他消费9折": 河海鲜 means 河鲜 and 海鲜; neither is discounted."""
    q = price(parse_offer("河海鲜及特价菜除外其他消费9折"), basket("海鲜=200", "河鲜=100", "特价菜=30", "小炒=100"))
    assert [str(i.payable) for i in q.items] == ["200.00", "100.00", "30.00", "90.00"]
    assert [i.excluded for i in q.items] == [True, True, True, False]


def test_tobacco_and_liquor_means_both_classes():
    q = price(parse_offer("全场商品一律8.5折（烟酒、黄金饰品除外）"), basket("白酒=100", "香烟=50", "零食=100"))
    assert [str(i.payable) for i in q.items] == ["100.00", "50.00", "85.00"]


def test_haoyaoshi_blood_pressure_is_free_not_88_percent():
    """好药师大药房 "全场商品享受8.8折优惠（特价商品除外）免费测量血压"."""
    q = price(parse_offer("全场商品享受8.8折优惠（特价商品除外）免费测量血压，门店其他优惠优先享受。"),
              basket("测量血压=10", "感冒药=50"))
    assert [str(i.payable) for i in q.items] == ["0.00", "44.00"]


def test_wudong_first_consultation_only_is_free_and_a_plain_one_asks():
    """武东医院 "首次心理咨询免费": the first one is free; a 心理咨询 the basket does not call first is
    priced in full and the quote says it would be free if it is the first."""
    offer = parse_offer("免收挂号费，心理测量优惠20%，首次心理咨询免费。")
    q = price(offer, basket("心理咨询=300"))
    assert str(q.payable) == "300.00"
    (d,) = q.depends
    assert (d.item_index, d.question, str(d.payable_if)) == (0, "若是首次心理咨询", "0.00")
    assert price(offer, basket("首次心理咨询=300")).payable == 0 and not price(offer, basket("首次心理咨询=300")).depends
    assert str(price(offer, basket("复诊心理咨询=300")).payable) == "300.00"
    assert not price(offer, basket("复诊心理咨询=300")).depends


def test_zhongbai_full_price_goods_are_the_ordinary_goods():
    """中百仓储 "出示工会卡即可享受正价商品9.8折优惠" (issue 24): 正价 is the ordinary state of goods, so a
    plain bill and an item that says nothing get 9.8折, with a note that promotional goods do not;
    only an item that says it is on promotion pays in full."""
    offer = parse_offer("出示工会卡即可享受正价商品9.8折优惠，盐、烟及中百电器不参加此次活动。")
    q = price(offer, basket("正价商品=100", "促销商品=100", "100", "洗衣液=50", "香烟=30"))
    assert [str(i.payable) for i in q.items] == ["98.00", "100.00", "98.00", "49.00", "30.00"]
    assert not q.depends and not q.uncertain and q.notes == ("特价、促销商品不参加",)


def test_the_class_vocabulary_is_data_with_its_own_words():
    from app.discounts.goods import vocabulary

    words = vocabulary()
    assert words.words_for("河海鲜") == ("河海鲜", "河鲜", "海鲜") and "酒" in words.words_for("烟酒")
    assert {q.word for q in words.qualifiers} == {"正价", "全价", "首次", "新客", "老客"}
    assert words.fit("烫染项目", "烫发") == "yes" and words.fit("客房", "标准间") == "yes"
    assert words.fit("家电清洗", "空调清洗") == "yes" and words.fit("药品", "感冒药") == "yes"
    assert words.fit("剪发", "烫发") == "no" and words.fit("烫染", "美发") == "maybe"
    assert words.fit("菜品", "一种没人认识的东西") == "maybe"


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


@pytest.mark.parametrize("typed, items", [
    ("300", [(None, "300.00")]), ("￥300", [(None, "300.00")]), ("1,000", [(None, "1000.00")]),
    ("１２０", [(None, "120.00")]), ("配镜=1000 镜架=200", [("配镜", "1000.00"), ("镜架", "200.00")]),
    ("配镜：1000", [("配镜", "1000.00")]), ("配镜 1000", [("配镜", "1000.00")]), ("配镜1000", [("配镜", "1000.00")]),
    ("配镜 1000，太阳镜 400", [("配镜", "1000.00"), ("太阳镜", "400.00")]),
    ("配镜=1000,镜架=200", [("配镜", "1000.00"), ("镜架", "200.00")]), ("¥1,000.50", [(None, "1000.50")]),
])
def test_a_basket_is_read_as_people_type_it(typed, items):
    """Issue 15: 算一算 accepts 配镜 1000, 配镜：1000, ￥300, 1,000 and full-width digits."""
    from app.discounts.price_calculator import parse_basket

    assert [(i.item_class, str(i.amount)) for i in parse_basket(typed)] == items


@pytest.mark.parametrize("typed, message", [("配镜", "“配镜”后面缺少金额"), ("配镜 太阳镜 400", "“配镜”后面缺少金额"),
                                            ("配镜=1e3", "“1e3”不是数字")])
def test_a_basket_that_cannot_be_read_says_which_part(typed, message):
    from app.discounts.price_calculator import parse_basket

    with pytest.raises(BasketError, match=message):
        parse_basket(typed)
