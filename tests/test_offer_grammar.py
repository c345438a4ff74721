"""The offer grammar's tokenizer (issue 14): numbers in every form merchants write them, and words
that only look like numbers; then a family is a rule over the tokens."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.discounts.offer_grammar import FAMILIES, cn_number, percent_of, read_clause, tokenize


def nums(text):
    return [(t.text, t.value) for t in tokenize(text) if t.is_num]


@pytest.mark.parametrize("text, expected", [
    ("8.8折", [("8.8", Decimal("8.8"))]),
    ("88折", [("88", Decimal("88"))]),
    ("八八折", [("八八", Decimal("88"))]),
    ("八点八折", [("八点八", Decimal("8.8"))]),
    ("九折", [("九", Decimal("9"))]),
    ("满二百减三十", [("二百", Decimal("200")), ("三十", Decimal("30"))]),
    ("一百二十元", [("一百二十", Decimal("120"))]),
    ("满一千五减两百", [("一千五", Decimal("1500")), ("两百", Decimal("200"))]),
    ("第二份半价", [("二", Decimal("2"))]),
    ("买一送一", [("一", Decimal("1")), ("一", Decimal("1"))]),
    ("每卡每月限一次", [("一", Decimal("1"))]),
    ("全场一律8折", [("8", Decimal("8"))]),            # 一律 is a word
    # 一 before 次 is read as a number; the rules' lit("一次性") still spells the word across tokens
    ("一次性消费满500元", [("一", Decimal("1")), ("500", Decimal("500"))]),
])
def test_numbers_are_tokens_wherever_a_number_belongs(text, expected):
    assert nums(text) == expected


def test_chinese_numerals_with_units():
    assert [cn_number(t) for t in ("十", "十五", "一百二十", "两千五", "一千零五", "一万二", "三万")] == \
        [10, 15, 120, 2500, 1005, 12000, 30000]
    assert cn_number("二三") is None


@pytest.mark.parametrize("text, share", [("9", "0.9"), ("8.8", "0.88"), ("95", "0.95"), ("八五", "0.85"),
                                         ("八点五", "0.85"), ("11", None), ("90", None), ("0", None), ("100", None)])
def test_a_zhe_number_reads_as_tenths_or_hundredths(text, share):
    token = next(t for t in tokenize(text + "折") if t.is_num)
    assert percent_of(token) == (None if share is None else Decimal(share))


@pytest.mark.parametrize("segment, family", [
    ("配镜8.5折", "折扣"), ("心理测量优惠20%", "折扣"), ("满200元减30元", "满减"), ("立减20元", "立减"),
    ("免费测量血压", "免费"), ("门票免费", "免费"), ("赠送矿泉水一瓶", "赠品"), ("满300元送50元代金券", "赠品"),
    ("门票120元卡价60元", "凭卡价"), ("第二份半价", "第N份"), ("买一送一", "第N份"),
])
def test_each_family_is_a_rule_that_reads_its_phrase(segment, family):
    assert read_clause(segment)[1] == family


def test_the_grammar_lists_its_families_in_the_order_they_are_tried():
    names = [f.name for f in FAMILIES]
    assert names.index("满减") < names.index("折扣") < names.index("立减")   # 满200减30 before 减30元
    assert names.index("赠品") < names.index("满减")                         # 满300送… is a gift, not 满减


@pytest.mark.parametrize("text, hours", [
    ("11点半至14点套餐8折", ("11:30", "14:00")),     # the 半 is the start's, not the end's too
    ("11点到14点半套餐8折", ("11:00", "14:30")),
    ("11点30分-14点套餐8折", ("11:30", "14:00")),
    ("11:00-14:00套餐8折", ("11:00", "14:00")),
])
def test_hours_read_each_end_by_itself(text, hours):
    from app.discounts.time_windows import extract_when

    assert extract_when(text)[0].hours == hours
