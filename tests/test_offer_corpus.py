"""Offers the parser was not written against (issue 14): tests/data/offer_corpus.toml holds each with the
rules it must read and a priced basket. Whatever is not understood is unparsed and the quote says so; no
text makes the parser raise or a price go negative."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.discounts.offer_parser import parse_offer
from app.discounts.price_calculator import Item, parse_basket, price
from app.discounts.rules import OfferRules
from app.discounts.rules_text import describe_rules

CORPUS = tomllib.loads((Path(__file__).parent / "data" / "offer_corpus.toml").read_text(encoding="utf-8"))["offer"]


@pytest.mark.parametrize("case", CORPUS, ids=[f"{c['family']}:{c['text'] or '(empty)'}" for c in CORPUS])
def test_the_corpus_reads_and_prices_as_written(case):
    rules = parse_offer(case["text"])
    assert describe_rules(rules).replace("\n", " | ") == case["rules"]
    on = case.get("on")
    at = None if on is None else (dt.datetime.fromisoformat(on) if " " in on else dt.date.fromisoformat(on))
    quote = price(rules, parse_basket(case["basket"]), at)
    assert quote.payable == Decimal(case["payable"])
    assert OfferRules.from_json(rules.to_json()) == rules   # what the database stores reads back the same
    assert bool(quote.uncertain) == case.get("uncertain", False)
    assert bool(quote.depends) == case.get("depends", False)
    assert list(quote.perks) == case.get("perks", [])
    assert bool(quote.needs) == case.get("needs", False)
    assert list(quote.limits) == case.get("limits", [])


def test_every_phrase_family_has_cases():
    families = {c["family"] for c in CORPUS}
    assert families >= {"condition", "members", "combinable", "percent", "everything", "exclusion", "threshold",
                        "tiers", "cap", "numerals", "free", "perk", "gift", "card_price", "spend_rate", "quantity", "people", "limit", "stacked", "time",
                        "adversarial", "not_modelled"}


OFFER_WORDS = st.sampled_from(["满", "减", "每", "折", "元", "九", "八", "点", "五", "免费", "赠送", "除外", "全场",
                               "凭工会卡", "最多", "，", "（", "）", "%", "0", "1", "2", "5", "9", "10", "100", "200",
                               "上不封顶", "周三", "第二份", "半价", "酒水", "烟酒", "·", " "])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(OFFER_WORDS, max_size=30).map("".join), st.integers(0, 10**7))
def test_no_offer_text_raises_or_prices_below_zero(text, fen):
    rules = parse_offer(text)
    quote = price(rules, [Item(None, Decimal(fen) / 100), Item("白酒", Decimal("99.99"))])
    assert Decimal(0) <= quote.payable <= quote.total
    assert all(Decimal(0) <= i.payable <= i.amount for i in quote.items)


def test_a_thousand_characters_of_offer_is_read_without_trouble():
    rules = parse_offer("全场9折，" * 200)
    assert rules.multipliers and price(rules, [Item(None, Decimal(100))]).payable == Decimal("90.00")


@pytest.mark.parametrize("case", CORPUS, ids=[f"{c['family']}:{c['text'] or '(empty)'}" for c in CORPUS])
def test_explain_names_a_rule_for_every_segment_and_only_unparsed_ones_as_such(case):
    trace: list[tuple[str, str]] = []
    rules = parse_offer(case["text"], trace)
    assert all(read_as for _text, read_as in trace)
    assert [t for t, read_as in trace if read_as == "未能解析"] == list(rules.unparsed)


def test_discount_parse_explain_on_the_command_line(capsys, sqlite_url):
    from widgets.launcher import main

    argv = ["--db", sqlite_url, "discount", "parse", "--explain", "凭工会卡就餐，周三8折，每卡每月限一次，会员积分翻倍"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "“凭工会卡就餐” → 条件" in out and "“周三8折” → 时段、折扣" in out and "“每卡每月限一次” → 使用限制" in out
    assert "“会员积分翻倍” → 未能解析" in out


def test_rules_stored_by_an_older_version_still_read_and_a_newer_one_is_refused():
    from app.discounts.rules import OfferRules

    old = {"clauses": [{"applies_to": None, "kind": "percent", "multiplier": 0.9, "text": "全场9折"}],
           "exclusions": ["烟"], "condition": "show_card", "combinable": True, "max_saving": 0.1, "unparsed": []}
    rules = OfferRules.from_json(old)   # version 1: no "version", no caps, windows or limits
    assert rules.multipliers == [Decimal("0.9")] and rules.cap is None and rules.limits == ()
    assert OfferRules.from_json(rules.to_json()) == rules and rules.to_json()["version"] == 5
    with pytest.raises(ValueError, match="请升级工会卡"):
        OfferRules.from_json({**old, "version": 99})


def test_discount_price_says_what_would_settle_a_dependency(capsys, sqlite_url):
    from widgets.launcher import main

    def price_out(*extra):
        assert main(["--db", sqlite_url, "discount", "price", "--text", "工作日11:00-14:00套餐8折",
                     "--item", "套餐=300", *extra]) == 0
        return capsys.readouterr().out

    assert "用 --on 日期（和 --time 时间）可得确定价格" in price_out()
    assert "用 --time 时间可得确定价格" in price_out("--on", "2026-12-02")
    assert "应付 240.00 元" in price_out("--on", "2026-12-02", "--time", "12:30")
    assert main(["--db", sqlite_url, "discount", "price", "--text", "首次体检9折", "--item", "体检=300"]) == 0
    assert "分项写明可得确定价格" in capsys.readouterr().out


def test_the_calculator_and_discount_price_say_the_same_notes(capsys, sqlite_url):
    """Issue 24: 算一算 and `discount price` render one list of notes, in the same words."""
    import re

    from widgets.launcher import main
    from widgets.merchant_details import quote_html

    offer = "周三配镜8.5折，太阳镜7.5折，每卡每月限一次，赠送眼镜布，满500元减20元，最多优惠200元，会员积分翻倍"
    assert main(["--db", sqlite_url, "discount", "price", "--text", offer, "--item", "1000"]) == 0
    printed = capsys.readouterr().out
    shown = re.sub(r"<[^>]+>", "", quote_html(price(parse_offer(offer), parse_basket("1000"))).replace("<br>", "\n"))
    notes = [n for n in printed.splitlines() if n.startswith(("注意：", "使用限制：", "另"))]
    assert len(notes) >= 3
    for note in notes:
        core = note.removeprefix("注意：")
        assert core in shown, (core, shown)
