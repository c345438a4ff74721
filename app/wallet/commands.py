"""`unioncard wallet ...`: the member's wallet from the command line (same database as the app)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from app.command_line import UsageError, parse_date, parse_month, print_json
from app.discounts.price_calculator import BasketError, Item, parse_item
from app.geo.districts import DistrictIndex
from app.money import AmountError, decimal_to_fen, parse_yuan, yuan, yuan_text
from app.points.programme import programmes
from app.store import Store
from app.wallet.entry_text import describe, entry_json
from app.wallet.journal import DISBURSE_REASONS, KINDS, PURSE_NAMES, PURSES, Entry
from app.wallet.operations import TOPUP_SOURCES, BalanceMismatch, fares
from app.wallet.profile import points_card_sentence
from app.wallet.service import Wallet, balances_json

CHANNELS = ("pos", "online", "third_party")


def _date(text: str | None, what: str = "--date", allow_future: bool = False) -> dt.date:
    """The day an entry happened: today by default; a day in the future only when asked for, since
    it is most often a typing slip (2062 for 2026) that would sit in the journal for good."""
    day = parse_date(text, what) or dt.date.today()
    if day > dt.date.today() and not allow_future:
        raise UsageError(f"{what} {day} 在未来：确实要记在未来的日期请加 --allow-future")
    return day


def _balances_line(totals: dict[str, int]) -> str:
    return " · ".join(f"{PURSE_NAMES[p]} {yuan_text(totals[p])}" for p in PURSES)


def _report(args, wallet: Wallet, entry: Entry) -> int:
    totals = wallet.balances()
    if args.json:
        print_json({"entry": entry_json(entry), "balances": balances_json(totals)})
    else:
        print(f"已记录 #{entry.id} {entry.occurred_on} {describe(entry)}")
        print(f"余额：{_balances_line(totals)}")
    return 0


def _show(args, wallet: Wallet) -> int:
    as_of = parse_date(args.as_of, "--as-of")
    totals = wallet.balances(as_of)
    profile = wallet.profile()
    if args.json:
        print_json({**balances_json(totals), "as_of": as_of.isoformat() if as_of else None,
                    "entries": len(wallet.entries()), "profile": profile.public()})
        return 0
    who = profile.public()
    if who["name"] or who["card"]:
        print(" ".join(v for v in (who["name"], who["union"], who["card"]) if v))
    for p in PURSES:
        print(f"{PURSE_NAMES[p]:<6} {yuan_text(totals[p]):>14}")
    return 0


def _profile(args, wallet: Wallet) -> int:
    fields = {"name": args.name, "union_name": args.union, "card_number": args.card, "mobile": args.mobile,
              "birthday": args.birthday, "programme": args.programme, "resident_id": args.resident_id,
              "points_card": args.points_card}
    profile = wallet.update_profile(**fields) if any(v is not None for v in fields.values()) else wallet.profile()
    public = profile.public()
    if args.json:
        print_json(public)
    else:
        labels = {"name": "姓名", "union": "基层工会", "card": "卡号", "mobile": "手机", "birthday": "生日",
                  "programme_name": "积分规则", "points_card_name": "积分卡", "resident_id": "身份证"}
        for key, label in labels.items():
            print(f"{label}：{public[key] or '（未填）'}")
        print(points_card_sentence(profile))
    return 0


def _history(args, wallet: Wallet) -> int:
    entries = wallet.entries()
    if args.kind:
        entries = [e for e in entries if e.kind == args.kind]
    if args.json:
        print_json({"count": len(entries), "entries": [entry_json(e) for e in entries]})
        return 0
    for e in entries:
        moves = " ".join(f"{PURSE_NAMES[p]}{'+' if e.posting(p) > 0 else ''}{yuan(e.posting(p))}"
                         for p in PURSES if e.posting(p))
        print(f"#{e.id:<4} {e.occurred_on}  {describe(e)}  {moves}")
    print(f"共 {len(entries)} 笔")
    return 0


def _items(args) -> list[Item]:
    total = parse_yuan(args.amount, "--amount")
    try:
        items = [parse_item(spec) for spec in args.item or ()]
    except BasketError as exc:
        raise UsageError(str(exc)) from None
    itemised = sum(decimal_to_fen(i.amount) for i in items)
    if itemised > total:
        raise UsageError(f"各项合计 {yuan_text(itemised)} 超过 --amount {yuan_text(total)}")
    if total > itemised:
        items.append(parse_item(yuan(total - itemised)))  # the rest of the bill, priced as a whole
    return items


def _operation(args, wallet: Wallet) -> int:
    on = _date(args.date, allow_future=args.allow_future)
    note = getattr(args, "note", None)
    action = args.action
    if action == "deposit":
        entry = wallet.deposit(parse_yuan(args.amount), on, note)
    elif action == "withdraw":
        entry = wallet.withdraw(parse_yuan(args.amount), on, note)
    elif action == "disburse":
        entry = wallet.disburse(parse_yuan(args.amount), args.reason, on, note)
    elif action == "load":
        entry = wallet.load(parse_yuan(args.amount), on, note)
    elif action == "topup-transit":
        entry = wallet.topup_transit(parse_yuan(args.amount), args.source, on, note)
    elif action == "ride":
        entry = wallet.ride(args.mode, parse_yuan(args.fare, "票价"), on, note)
    elif action == "pay":
        quoted = wallet.quote_purchase(args.merchant, _items(args), on)
        entry = wallet.record(wallet.purchase_of(quoted, args.purse, on, args.channel, note))
        if quoted.limit_note:
            print(f"注意：{quoted.limit_note}", file=sys.stderr)
    elif action == "close-card":
        entry = wallet.close_card(on, note)
    elif action == "refund":
        entry = wallet.refund(args.entry_id, parse_yuan(args.amount, "退款金额") if args.amount else None, on, note)
    elif action == "reverse":
        entry = wallet.reverse(args.entry_id, on, note)
    elif action == "redeem":
        if args.points <= 0:
            raise UsageError("兑换的积分必须大于 0")
        entry = wallet.redeem(args.points, on, note)
    else:
        raise UsageError(f"未知的操作 {action}")
    return _report(args, wallet, entry)


def _assert(args, wallet: Wallet) -> int:
    try:
        result = wallet.assert_balance(args.purse, parse_yuan(args.amount, allow_zero=True), _date(args.date, allow_future=args.allow_future),
                                       args.note)
    except BalanceMismatch as off:   # reported, not recorded: exit 1, the journal unchanged
        if args.json:
            print_json({"entry": None, "recorded": False, "matches": False, "stated": yuan(off.stated_fen),
                        "actual": yuan(off.actual_fen), "difference": yuan(off.difference_fen)})
        else:
            print(f"unioncard: 未记录：{off}", file=sys.stderr)
        return 1
    if args.json:
        print_json({"entry": entry_json(result.entry), "recorded": True, "matches": True,
                    "stated": yuan(result.entry.amount_fen), "actual": yuan(result.actual_fen), "difference": "0.00"})
    else:
        print(f"已记录 #{result.entry.id}：{PURSE_NAMES[args.purse]} {result.entry.occurred_on} 余额 "
              f"{yuan_text(result.actual_fen)}，与对账单一致")
    return 0


def _points_statement(args, store: Store, districts: DistrictIndex) -> int:
    parse_month(args.month)
    result = Wallet(store, districts).points_statement(args.month)
    if args.json:
        print_json(result.to_json())
        return 0
    start, end = result.period
    print(f"{args.month} 积分对账单（{start} 至 {end}）")
    for label, value in (("上期积分余额", result.previous), ("本期新增基本积分", result.new_basic),
                         ("本期新增奖励积分", result.new_bonus), ("本期调整积分", result.adjusted),
                         ("本期兑换积分", result.redeemed), ("本期积分余额", result.current), ("当前可用", result.usable)):
        print(f"  {label}  {value:>8}")
    for d, n in result.expiring_soon:
        print(f"  即将失效：{n} 分，{d} 后失效")
    return 0


def _handler(function):
    def handle(args, store: Store, districts: DistrictIndex) -> int:
        try:
            return function(args, Wallet(store, districts))
        except AmountError as exc:
            raise UsageError(str(exc)) from None
    return handle


def add_commands(wallet: argparse._SubParsersAction) -> None:

    def op(name: str, help_text: str, function=_operation) -> argparse.ArgumentParser:
        p = wallet.add_parser(name, help=help_text)
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=_handler(function))
        return p

    def dated(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--date", metavar="YYYY-MM-DD", help="发生日期（默认今天）")
        p.add_argument("--allow-future", action="store_true", help="允许未来的日期（默认拒绝，以防输错年份）")
        p.add_argument("--note", help="备注")
        return p

    p = op("show", "三个账户的余额", _show)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至某日（含）的余额")
    p = op("profile", "查看或修改会员资料（卡号、手机、身份证只显示遮挡后的形式）", _profile)
    p.add_argument("--name")
    p.add_argument("--union", help="基层工会")
    p.add_argument("--card", help="工会卡卡号")
    p.add_argument("--mobile", help="手机号（中国大陆 11 位）")
    p.add_argument("--birthday", metavar="YYYY-MM-DD")
    p.add_argument("--programme", choices=[*programmes(), ""], help="积分规则")
    p.add_argument("--resident-id", help="身份证号（只保存遮挡后的形式）")
    p.add_argument("--points-card", choices=["debit", "credit", ""],
                   help="积分卡：积分规则所属银行的借记卡（debit）或信用卡（credit）；工会卡本身是汉口银行借记卡，不积这些分")
    p = op("history", "流水", _history)
    p.add_argument("--kind", choices=list(KINDS))

    dated(op("deposit", "存入银行账户")).add_argument("amount", metavar="AMOUNT")
    dated(op("withdraw", "从银行账户取出")).add_argument("amount", metavar="AMOUNT")
    p = dated(op("disburse", "工会拨付到银行账户"))
    p.add_argument("amount", metavar="AMOUNT")
    p.add_argument("--reason", required=True, metavar="REASON",
                   help=f"拨付类别：{'、'.join(DISBURSE_REASONS)}，或工会给出的其他类别")
    dated(op("load", "圈存：从银行账户转入电子现金（电子现金最多 1000 元）")).add_argument("amount", metavar="AMOUNT")
    p = dated(op("topup-transit", "武汉通充值"))
    p.add_argument("amount", metavar="AMOUNT")
    p.add_argument("--from", dest="source", choices=list(TOPUP_SOURCES), default="cash",
                   help="cash：服务点现金充值；bank：汉口银行自助终端从银行账户充值")
    p = dated(op("ride", "乘车：按工会卡折扣从武汉通扣费"))
    p.add_argument("mode", choices=list(fares()))
    p.add_argument("fare", metavar="FARE", help="原票价（元）")
    p = dated(op("pay", "在商户消费：按商户优惠计算应付金额"))
    p.add_argument("--merchant", required=True, metavar="ID")
    p.add_argument("--amount", required=True, metavar="AMOUNT", help="优惠前的消费总额（元）")
    p.add_argument("--from", dest="purse", required=True, choices=["bank", "ecash", "transit", "card"],
                   help="bank：工会卡银行账户；ecash：电子现金；card：会员资料中的积分卡（不动工会卡余额）")
    p.add_argument("--item", action="append", metavar="CLASS=AMOUNT", help="分项，如 配镜=1000（可重复）")
    p.add_argument("--channel", choices=CHANNELS, default="pos", help="pos：刷卡；online：网上；third_party：第三方支付")
    dated(op("close-card", "积分卡销户：华融湘江银行等规定销户后剩余积分清除"))
    p = dated(op("refund", "退款（不超过该笔消费尚可退的金额）"))
    p.add_argument("entry_id", type=int, metavar="ENTRY_ID")
    p.add_argument("amount", nargs="?", metavar="AMOUNT", help="默认退还剩余全部")
    p = dated(op("reverse", "冲正：用一笔相反的记录更正记错的一笔"))
    p.add_argument("entry_id", type=int, metavar="ENTRY_ID")
    p = dated(op("redeem", "积分兑换：用可用积分兑换礼品（先用最早失效的积分）"))
    p.add_argument("points", type=int, metavar="POINTS")
    p = op("assert", "对账：记录对账单上的余额并与记账比较（不符时退出码为 1）", _assert)
    p.add_argument("purse", choices=list(PURSES))
    p.add_argument("amount", metavar="AMOUNT")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--allow-future", action="store_true", help="允许未来的日期")
    p.add_argument("--note", help="备注")


def add_points_commands(points: argparse._SubParsersAction) -> None:
    """`points statement`: the member's points, read from the wallet journal."""
    p = points.add_parser("statement", help="钱包会员某月的积分对账单")
    p.add_argument("--month", required=True, metavar="YYYY-MM")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_points_statement)
