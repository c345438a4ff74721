"""`unioncard discount ...`: read an offer into rules, and price a basket under a merchant's offer."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.command_line import UsageError, parse_date, print_json
from app.discounts.offer_parser import parse_offer
from app.discounts.price_calculator import BasketError, parse_item, price
from app.discounts.quote_notes import quote_notes
from app.discounts.rules_text import describe_rules
from app.store import Store
from app.store.models import Merchant

if TYPE_CHECKING:  # the handlers' common signature only: offers know nothing of places
    from app.geo.districts import DistrictIndex


def _discount_parse(args, store: Store, districts: DistrictIndex) -> int:
    trace: list[tuple[str, str]] = []
    rules = parse_offer(args.text, trace)
    if args.json:
        print_json({**rules.to_json(), "segments": [{"text": t, "read_as": r} for t, r in trace]}
                   if args.explain else rules.to_json())
        return 0
    if args.explain:
        for text, read_as in trace:
            print(f"“{text}” → {read_as}")
        print()
    print(describe_rules(rules))
    return 0


def _merchant_offer(store: Store, merchant_id: str) -> tuple[str, tuple]:
    """The merchant's offer text and its dates (valid_from, valid_to). A few columns of one row: the
    catalogue's query machinery (app.merchants) sits above this package."""
    with store.session() as s:
        row = s.execute(select(Merchant.offer, Merchant.valid_from, Merchant.valid_to)
                        .where(Merchant.id == merchant_id)).first()
    if row is None or row.offer is None:
        raise UsageError(f"没有编号为“{merchant_id}”的商户")
    return row.offer, (row.valid_from, row.valid_to)


def _when(args) -> dt.date | dt.datetime | None:
    """--on DATE [--time HH:MM]: when the member would pay (time windows, 节假日); None if not given."""
    if args.on is None:
        if args.time is not None:
            raise UsageError("--time 需要与 --on 日期一起使用")
        return None
    day = parse_date(args.on, "--on")
    if day is None:
        raise UsageError("--on 应写成 YYYY-MM-DD")
    if args.time is None:
        return day
    try:
        clock = dt.datetime.strptime(args.time.strip(), "%H:%M").time()
    except ValueError:
        raise UsageError(f"--time 应写成 时:分（如 12:30），这里是“{args.time}”") from None
    return dt.datetime.combine(day, clock)


def _discount_price(args, store: Store, districts: DistrictIndex) -> int:
    offer, valid = _merchant_offer(store, args.merchant) if args.merchant else (args.text, None)
    try:
        basket = [parse_item(spec) for spec in args.item]
    except BasketError as exc:
        raise UsageError(str(exc)) from None
    quote = price(parse_offer(offer), basket, _when(args), valid)
    if args.json:
        print_json(quote.to_json())
        return 0
    for item in quote.items:
        how = "不参加优惠" if item.excluded else (item.clause or "无适用优惠")
        print(f"{item.item_class or '消费'}  {item.amount} 元 -> {item.payable} 元（{how}）")
    print(f"合计 {quote.total} 元，应付 {quote.payable} 元，节省 {quote.saving} 元")
    if not args.on:
        settle = "用 --on 日期（和 --time 时间）可得确定价格"
    else:
        settle = "用 --time 时间可得确定价格" if not args.time else "以商户为准"
    for note in quote_notes(quote, settle):
        print(f"注意：{note.text}" if note.warn else note.text)
    return 0


def add_commands(discount: argparse._SubParsersAction) -> None:
    p = discount.add_parser("parse", help="把优惠文字解析为规则")
    p.add_argument("text")
    p.add_argument("--explain", action="store_true", help="逐段列出每一段由哪类规则读出（或未能解析）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_discount_parse)
    p = discount.add_parser("price", help="按商户优惠计算应付金额")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--merchant", metavar="ID", help="商户编号")
    source.add_argument("--text", metavar="TEXT", help="优惠文字")
    p.add_argument("--item", action="append", required=True, metavar="CLASS=AMOUNT", help="如 配镜=1000（可重复）；只写金额表示整单")
    p.add_argument("--on", metavar="YYYY-MM-DD", help="消费日期（分时段、节假日的优惠按这天计算；不写则列出各种情况）")
    p.add_argument("--time", metavar="HH:MM", help="消费时间，如 12:30（与 --on 一起使用）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_discount_price)
