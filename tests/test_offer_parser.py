"""The offer parser: each of the twelve seed offers with its full rule JSON written by hand, then the
phrase families real offers use."""

from decimal import Decimal

import pytest

from app.discounts.offer_parser import parse_offer


def P(multiplier, applies_to, text):
    return {"applies_to": applies_to, "kind": "percent", "multiplier": multiplier, "text": text}


def F(applies_to, text):
    return {"applies_to": applies_to, "kind": "free", "text": text}


def rules(clauses, exclusions=(), condition=None, combinable=True, max_saving=None, unparsed=()):
    return {"version": 5, "clauses": clauses, "exclusions": list(exclusions), "condition": condition,
            "combinable": combinable, "max_saving": max_saving, "unparsed": list(unparsed)}


SEED = {
    "全场药品、医疗器械及其他商品9折优惠，少数特别指定商品除外。": rules(
        [P(0.9, None, "全场药品、医疗器械及其他商品9折优惠")], ["少数特别指定商品"], max_saving=0.1),
    "全场商品享受8.8折优惠（特价商品除外）免费测量血压，门店其他优惠优先享受。": rules(
        [P(0.88, None, "全场商品享受8.8折优惠"), F("测量血压", "免费测量血压")],
        ["特价商品"], max_saving=0.12, unparsed=["门店其他优惠优先享受"]),
    "体检套餐享受门市价9.3折，体检单项享受门市价9.5折。": rules(
        [P(0.93, "体检套餐", "体检套餐享受门市价9.3折"), P(0.95, "体检单项", "体检单项享受门市价9.5折")], max_saving=0.07),
    "免收挂号费，心理测量优惠20%，首次心理咨询免费。": rules(
        [F("挂号费", "免收挂号费"), P(0.8, "心理测量", "心理测量优惠20%"), F("首次心理咨询", "首次心理咨询免费")], max_saving=0.2),
    "使用工会卡结账时可享受9.8折优惠（促销商品除外）": rules(
        [P(0.98, None, "使用工会卡结账时可享受9.8折优惠")], ["促销商品"], "pay_with_card", max_saving=0.02),
    "出示工会卡即可享受正价商品9.8折优惠，盐、烟及中百电器不参加此次活动。": rules(
        [P(0.98, "正价商品", "出示工会卡即可享受正价商品9.8折优惠")], ["盐", "烟", "中百电器"], "show_card",
        max_saving=0.02),
    "大家电成交价基础上再享受9.8折优惠（特价机及部分品牌商品除外）": rules(
        [P(0.98, "大家电", "大家电成交价基础上再享受9.8折优惠")], ["特价机", "部分品牌商品"], max_saving=0.02),
    "配镜8.5折，太阳镜7.5折，隐形产品9折，护理液9折，隐形产品相关附件不打折，与其他优惠不能同时使用。": rules(
        [P(0.85, "配镜", "配镜8.5折"), P(0.75, "太阳镜", "太阳镜7.5折"), P(0.9, "隐形产品", "隐形产品9折"), P(0.9, "护理液", "护理液9折")],
        ["隐形产品相关附件"], combinable=False, max_saving=0.25),
    "河海鲜及特价菜除外其他消费9折": rules(
        [P(0.9, None, "河海鲜及特价菜除外其他消费9折")], ["河海鲜", "特价菜"], max_saving=0.1),
    "餐饮消费9.2折（烟、酒、海鲜、特价菜、酒席除外）": rules(
        [P(0.92, None, "餐饮消费9.2折")], ["烟", "酒", "海鲜", "特价菜", "酒席"], max_saving=0.08),
    "免收中介服务费，家政钟点工8折优惠，亚健康调理（肩颈服务、产后体形、催乳按摩）服务8折优惠，免费参加孕妇课堂、保健讲座等。": rules(
        [F("中介服务费", "免收中介服务费"), P(0.8, "家政钟点工", "家政钟点工8折优惠"),
         P(0.8, "亚健康调理(肩颈服务、产后体形、催乳按摩)服务", "亚健康调理(肩颈服务、产后体形、催乳按摩)服务8折优惠"),
         F("参加孕妇课堂、保健讲座", "免费参加孕妇课堂、保健讲座等")], max_saving=0.2),
    "正价套系8.8折": rules([P(0.88, "正价套系", "正价套系8.8折")], max_saving=0.12),
}


@pytest.mark.parametrize("offer", list(SEED))
def test_seed_offer_parses_to_its_hand_written_rules(offer):
    assert parse_offer(offer).to_json() == SEED[offer]


def test_the_seed_file_offers_are_the_ones_tested():
    import json

    from app.bundled import merchants_geojson

    offers = {f["properties"]["offer"] for f in json.loads(merchants_geojson().read_text(encoding="utf-8"))["features"]}
    assert offers == set(SEED)


@pytest.mark.parametrize(
    "text, multiplier",
    [("9折", 0.9), ("8.8折", 0.88), ("9.8折", 0.98), ("95折", 0.95), ("85折", 0.85), ("九折", 0.9), ("八八折", 0.88),
     ("八五折", 0.85), ("九五折", 0.95), ("七五折", 0.75), ("八点五折", 0.85), ("半价", 0.5), ("优惠20%", 0.8),
     ("打8折", 0.8), ("8折优惠", 0.8), ("全场８折", 0.8), ("15%优惠", 0.85)],
)
def test_zhe_family(text, multiplier):
    (clause,) = parse_offer(text).clauses
    assert clause.kind == "percent"
    assert float(clause.multiplier) == multiplier and clause.applies_to is None


def test_several_item_classes_in_one_offer():
    r = parse_offer("配镜8.5折，太阳镜7.5折，隐形产品9折")
    assert [(c.applies_to, float(c.multiplier)) for c in r.clauses] == [("配镜", 0.85), ("太阳镜", 0.75), ("隐形产品", 0.9)]


@pytest.mark.parametrize(
    "text, applies_to",
    [("免收停车费", "停车费"), ("停车费免费", "停车费"), ("停车费全免", "停车费"), ("首次洗车免费", "首次洗车")],
)
def test_free_family(text, applies_to):
    (clause,) = parse_offer(text).clauses
    assert (clause.kind, clause.applies_to) == ("free", applies_to)


@pytest.mark.parametrize(
    "text, kind, threshold, amount, repeat",
    [("满200减30", "threshold", 200, 30, False), ("满200元减30元", "threshold", 200, 30, False),
     ("每满100减10", "threshold", 100, 10, True), ("立减20元", "amount_off", None, 20, None)],
)
def test_threshold_and_amount_off(text, kind, threshold, amount, repeat):
    (c,) = parse_offer(text).clauses
    assert c.kind == kind and float(c.amount) == amount
    assert (float(c.threshold) if c.threshold is not None else None) == threshold
    assert c.repeat == repeat
    # Issue 15: a 满减 is compared fairly, by its best share of the bill (30 of 200 is 15 %).
    rules = parse_offer(text)
    assert rules.max_saving == (None if threshold is None else Decimal(amount) / Decimal(threshold))


@pytest.mark.parametrize("text, headline", [
    ("满200减30", "满减 最高15%"), ("每满100减10", "满减 最高10%"), ("门票免费", "免费项目"), ("立减20元", "立减20元"),
    ("赠送精美相框", "赠品"), ("全场8.5折，满200减30", "8.5折"), ("周末另有惊喜", ""),
])
def test_every_offer_has_a_headline_a_member_understands(text, headline):
    from app.discounts.rules_text import headline as headline_of

    assert headline_of(parse_offer(text)) == headline


@pytest.mark.parametrize(
    "text, exclusions",
    [("9折，酒水除外", ["酒水"]), ("9折（酒水除外）", ["酒水"]), ("9折，烟酒不参加", ["烟酒"]), ("9折，套餐不打折", ["套餐"]),
     ("9折，特价商品及促销商品除外", ["特价商品", "促销商品"]), ("9折，烟、酒及海鲜除外", ["烟", "酒", "海鲜"])],
)
def test_exclusion_family(text, exclusions):
    r = parse_offer(text)
    assert list(r.exclusions) == exclusions and r.unparsed == ()


@pytest.mark.parametrize(
    "text, condition",
    [("出示工会卡9折", "show_card"), ("使用工会卡结账9折", "pay_with_card"), ("刷工会卡享9折", "pay_with_card"),
     ("持卡消费9折", "pay_with_card"), ("全场9折", None)],
)
def test_conditions(text, condition):
    r = parse_offer(text)
    assert r.condition == condition
    assert r.clauses[0].applies_to is None and r.unparsed == ()


@pytest.mark.parametrize("text", ["9折，与其他优惠不能同时使用", "9折，不与其他优惠同享", "9折，不可叠加"])
def test_not_combinable(text):
    r = parse_offer(text)
    assert r.combinable is False and r.unparsed == ()


def test_perks_are_clauses_not_noise():
    r = parse_offer("赠送精美相框，送洗车券")
    assert [(c.kind, c.applies_to) for c in r.clauses] == [("perk", "精美相框"), ("perk", "洗车券")]


def test_a_free_service_is_a_free_clause_not_a_perk():
    """Seed 000 Q17 好药师: 免费测量血压 — measuring blood pressure costs nothing there, whatever the 8.8折."""
    r = parse_offer("免费测量血压，免费参加孕妇课堂")
    assert [(c.kind, c.applies_to) for c in r.clauses] == [("free", "测量血压"), ("free", "参加孕妇课堂")]


def test_text_it_cannot_read_is_kept():
    r = parse_offer("9折，周末另有惊喜，详询门店")
    assert list(r.unparsed) == ["周末另有惊喜"]   # 详询门店 says nothing about the price
    assert parse_offer("").to_json() == rules([])
