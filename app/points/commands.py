"""`unioncard points simulate`: a programme over a transaction file (the member's own statement is
`points statement`, added by app/wallet/commands.py, since it reads the wallet)."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys

from app.command_line import UsageError, input_file, parse_date, print_json
from app.geo.districts import DistrictIndex
from app.points.engine import PointsError, run
from app.points.programme import programme, programmes
from app.points.transactions_csv import read_transactions
from app.store import Store


def _simulate(args, _store: Store, _districts: DistrictIndex) -> int:
    rules = programme(args.programme)
    if args.cycle_day is not None:
        if not args.cycle_day.isdigit() or not 1 <= int(args.cycle_day) <= 28:
            raise UsageError(f"--cycle-day 应是账单日 1–28：“{args.cycle_day}”")
        rules = dataclasses.replace(rules, cycle_day=int(args.cycle_day))
    transactions, problems = read_transactions(input_file(args.transactions))
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"unioncard: {len(problems)} 处错误，未计算任何积分", file=sys.stderr)
        return 1
    as_of = parse_date(args.as_of, "--as-of") or max((t.booked for t in transactions), default=dt.date.today())
    try:
        ledger = run(rules, transactions, parse_date(args.birthday, "--birthday"), as_of)
    except PointsError as exc:
        print(f"unioncard: {exc}", file=sys.stderr)
        return 1
    result = {
        "programme": rules.code, "as_of": as_of.isoformat(),
        "transactions": [{"ref": t.ref, "points": t.points,
                          "usable_from": t.usable_from.isoformat() if t.usable_from else None, "note": t.note}
                         for t in ledger.transactions],
        "balance": ledger.balance, "usable": ledger.usable,
        "expiring": [{"date": d.isoformat(), "points": n} for d, n in ledger.expiring()],
    }
    if args.json:
        print_json(result)
        return 0
    for t in ledger.transactions:
        print(f"{t.ref:<12} {t.points:>8}  {t.note}")
    print(f"{as_of}：积分余额 {ledger.balance}，可用 {ledger.usable}")
    for d, n in ledger.expiring():
        print(f"  {n} 分在 {d} 后失效")
    return 0


def add_commands(points: argparse._SubParsersAction) -> None:
    p = points.add_parser("simulate", help="按某个积分规则计算一个交易文件（CSV）的积分")
    p.add_argument("--programme", required=True, choices=list(programmes()))
    p.add_argument("--transactions", required=True, metavar="tx.csv",
                   help="列：ref,date,posted,amount,kind,mcc,channel,card,refund_of（可选 fund_type）")
    p.add_argument("--birthday", metavar="YYYY-MM-DD")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="截至日期（默认最后一笔交易的记账日）")
    p.add_argument("--cycle-day", metavar="DAY", help="信用卡账单日（1–28）：积分上限按账期计算（默认按自然月）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_simulate)
