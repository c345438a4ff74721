"""Reading a plain transaction file for the points simulator; every bad cell is reported by line and field.

Columns: ref,date,posted,amount,kind,mcc,channel,card,refund_of (posted, mcc and refund_of may be
empty; amount in yuan, settled CNY; for kind `redeem`, points). An optional fund_type column marks
money_market fund purchases.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.points.engine import CARDS, CHANNELS, TRANSACTION_KINDS, Transaction
from app.dates import strict_date
from app.problems import Problem
from app.text_encoding import decode_text

REQUIRED = ("ref", "date", "posted", "amount", "kind", "mcc", "channel", "card", "refund_of")
OPTIONAL = ("fund_type",)


def _date(value: str) -> dt.date:
    return strict_date(value)   # 9999-12-31 would overflow the expiry arithmetic


def read_transactions(path: Path) -> tuple[list[Transaction], list[Problem]]:
    """All transactions, or the problems; a file with any problem yields no transactions."""
    path = Path(path)
    try:
        text, _ = decode_text(path.read_bytes())
    except OSError as exc:
        return [], [Problem(path.name, None, f"无法读取文件：{exc.strerror or exc}")]
    except UnicodeDecodeError:
        return [], [Problem(path.name, None, "文件编码无法识别，请另存为 UTF-8 或 GBK 的 CSV")]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [Problem(path.name, None, f"缺少列：{', '.join(missing)}（应为 {','.join(REQUIRED)}）")]
    problems: list[Problem] = []
    out: list[Transaction] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        where = f"第{line}行" + (f"（{row['ref']}）" if row.get("ref") else "")

        def bad(field: str, message: str, where=where) -> None:
            problems.append(Problem(where, field, message))

        ref = row["ref"]
        if not ref:
            bad("ref", "交易编号不能为空")
        elif ref in seen:
            bad("ref", f"交易编号“{ref}”重复")
        seen.add(ref)
        dates = {}
        for key in ("date", "posted"):
            value = row[key]
            if not value:
                if key == "date":
                    bad(key, "日期不能为空")
                dates[key] = None
                continue
            try:
                dates[key] = _date(value)
            except ValueError:
                bad(key, f"日期“{value}”无效，应写成 YYYY-MM-DD")
                dates[key] = None
        if dates["date"] and dates["posted"] and dates["posted"] < dates["date"]:
            bad("posted", f"记账日 {dates['posted']} 早于交易日 {dates['date']}")
        kind = row["kind"]
        if kind not in TRANSACTION_KINDS:
            bad("kind", f"未知的交易类型“{kind}”，应为 {'、'.join(TRANSACTION_KINDS)}")
        amount = None
        if kind in ("fund_signing", "account_close") and row["amount"] in ("", "0", "0.0", "0.00"):
            amount = Decimal(0)   # a signing or a closed account has no amount: empty or 0 is natural
        else:
            try:
                amount = Decimal(row["amount"])
                if not amount.is_finite() or amount <= 0:
                    raise InvalidOperation
                if kind == "redeem" and amount != amount.to_integral_value():
                    bad("amount", "兑换的积分应为整数")
                elif amount != amount.quantize(Decimal("0.01")):
                    bad("amount", f"金额“{row['amount']}”最多两位小数")
            except InvalidOperation:
                bad("amount", f"金额“{row['amount']}”应为大于 0 的数")
        mcc = row["mcc"] or None
        if mcc is not None and (len(mcc) != 4 or not mcc.isdigit()):
            bad("mcc", f"商户类别码“{mcc}”应为 4 位数字")
        channel = row["channel"] or None
        if channel not in CHANNELS and kind not in ("redeem",):
            bad("channel", f"未知的渠道“{row['channel']}”，应为 {'、'.join(CHANNELS)}")
        card = row["card"] or None
        if card not in CARDS and kind not in ("redeem",):
            bad("card", f"未知的卡类型“{row['card']}”，应为 debit 或 credit")
        refund_of = row["refund_of"] or None
        if kind == "refund" and not refund_of:
            bad("refund_of", "退款必须写明原交易编号")
        elif refund_of and kind != "refund":
            bad("refund_of", "只有退款（refund）才填原交易编号")
        elif refund_of and refund_of not in seen - {ref}:
            bad("refund_of", f"原交易“{refund_of}”不在此行之前")
        fund_type = row.get("fund_type") or None
        if not problems or problems[-1].record != where:
            out.append(Transaction(ref, dates["date"], amount, kind, dates["posted"], mcc, channel, card,
                                   refund_of, fund_type))
    if problems:
        return [], problems
    return out, []
