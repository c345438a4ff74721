"""The wallet: purse rules, refunds and reversals, balances from the journal, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.discounts.price_calculator import parse_item
from app.money import AmountError, parse_yuan, yuan, yuan_text
from app.wallet import operations as ops
from app.wallet.journal import ECASH_LIMIT_FEN, PURSES, Entry, WalletError, balances, check_rules
from app.wallet.operations import BalanceMismatch
from app.wallet.profile import Profile, ProfileError, mask_card, resident_id_birthday
from app.wallet.service import Wallet

D1, D2, D3 = dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 3)


@pytest.fixture
def wallet(seeded):
    return Wallet(*seeded)


# ---------------------------------------------------------------- money


@pytest.mark.parametrize("typed, fen", [("1,234.56", 123456), ("¥12", 1200), ("12元", 1200), ("0.1", 10)])
def test_amounts_are_parsed_to_fen(typed, fen):
    assert parse_yuan(typed) == fen
    assert yuan(fen) == f"{fen // 100}.{fen % 100:02d}"


@pytest.mark.parametrize("typed, message", [("-5", "负数"), ("1.234", "两位小数"), ("abc", "不是数字"),
                                            ("0", "大于 0"), ("NaN", "不是数字"), ("1000000000000", "不合常理"),
                                            ("1e3", "不是数字"), ("1e30", "不是数字"), ("9" * 400, "不合常理")])
def test_impossible_amounts_are_refused(typed, message):
    with pytest.raises(AmountError, match=message):
        parse_yuan(typed)


def test_money_prints_as_people_read_it():
    assert yuan_text(123456) == "¥1,234.56" and yuan_text(-5) == "-¥0.05" and yuan(-150) == "-1.50"


# ---------------------------------------------------------------- the purse rules, on the store


def test_a_fresh_wallet_is_empty_and_usable(wallet):
    assert wallet.balances() == {"bank": 0, "ecash": 0, "transit": 0}
    assert wallet.profile() == Profile()
    wallet.deposit(10_000, D1)
    assert wallet.balances()["bank"] == 10_000


def test_the_debit_account_never_overdraws(wallet):
    wallet.deposit(10_000, D1)
    with pytest.raises(WalletError, match="不能透支"):
        wallet.withdraw(10_001, D2)
    with pytest.raises(WalletError, match="银行账户余额不足"):
        wallet.pay("qs-08", [parse_item("配镜=200")], "bank", D2)  # pays 170 of 100
    assert len(wallet.entries()) == 1 and wallet.balances()["bank"] == 10_000


def test_ecash_stays_within_its_limit_and_cannot_leave_but_by_spending(wallet):
    wallet.deposit(200_000, D1)
    wallet.load(90_000, D1)
    with pytest.raises(WalletError, match="不能超过 ¥1,000.00"):
        wallet.load(10_001, D2)
    wallet.load(10_000, D2)
    assert wallet.balances()["ecash"] == ECASH_LIMIT_FEN
    # Spending from e-cash works; its refund goes to the debit account, never back out of e-cash.
    purchase = wallet.pay("qs-11", [parse_item("家政钟点工=100")], "ecash", D3)  # 8折: pays 80
    assert wallet.balances()["ecash"] == ECASH_LIMIT_FEN - 8_000
    wallet.refund(purchase.id, None, D3)
    assert wallet.balances() == {"bank": 100_000 + 8_000, "ecash": ECASH_LIMIT_FEN - 8_000, "transit": 0}


def test_the_transit_purse_only_pays_for_rides(wallet):
    wallet.topup_transit(5_000, "cash", D1)
    with pytest.raises(WalletError, match="武汉通只能用于乘车"):
        wallet.pay("qs-06", [parse_item("100")], "transit", D2)
    bus = wallet.ride("bus", 200, D2)    # 2 yuan, 20 % off
    metro = wallet.ride("metro", 350, D2)  # 3.5 yuan, 10 % off: 3.15
    assert (bus.posting("transit"), metro.posting("transit")) == (-160, -315)
    assert wallet.balances() == {"bank": 0, "ecash": 0, "transit": 5_000 - 475}


def test_topping_up_transit_from_the_bank_needs_money_there(wallet):
    with pytest.raises(WalletError, match="银行账户余额不足"):
        wallet.topup_transit(5_000, "bank", D1)
    wallet.deposit(5_000, D1)
    wallet.topup_transit(5_000, "bank", D1)
    assert wallet.balances() == {"bank": 0, "ecash": 0, "transit": 5_000}


def test_a_purchase_records_the_discounted_amount_and_what_points_need(wallet):
    wallet.deposit(200_000, D1)
    e = wallet.pay("qs-08", [parse_item("配镜=1000"), parse_item("隐形产品相关附件=100")], "bank", D2)
    assert (e.amount_fen, e.posting("bank")) == (110_000, -95_000)
    assert (e.merchant_id, e.merchant_name, e.category, e.mcc, e.channel, e.card) == (
        "qs-08", "精益眼镜", "购物", "8043", "pos", "union")   # the union card (汉口银行 debit)
    assert [i["payable"] for i in e.details["items"]] == ["850.00", "100.00"]


def test_refunds_never_exceed_what_is_left(wallet):
    wallet.deposit(100_000, D1)
    p = wallet.pay("qs-06", [parse_item("正价商品=100")], "bank", D1)  # 中百仓储: 9.8折 on 正价商品 -> 98.00
    assert p.posting("bank") == -9_800
    wallet.refund(p.id, 5_000, D2)
    with pytest.raises(WalletError, match="超过消费 .* 尚可退的 ¥48.00"):
        wallet.refund(p.id, 4_801, D2)
    wallet.refund(p.id, None, D2)  # the rest
    with pytest.raises(WalletError, match="已全额退款"):
        wallet.refund(p.id, 1, D3)
    assert wallet.balances()["bank"] == 100_000


def test_corrections_are_reversing_entries(wallet):
    d = wallet.deposit(50_000, D1)
    r = wallet.reverse(d.id, D2)
    assert r.kind == "reversal" and r.refers_to == d.id and r.posting("bank") == -50_000
    assert wallet.balances()["bank"] == 0 and len(wallet.entries()) == 2
    with pytest.raises(WalletError, match="已经冲正过"):
        wallet.reverse(d.id, D2)
    with pytest.raises(WalletError, match="不能冲正"):
        wallet.reverse(r.id, D2)
    # Reversing a deposit that was since spent would overdraw: refused.
    d2 = wallet.deposit(10_000, D1)
    wallet.withdraw(10_000, D2)
    with pytest.raises(WalletError, match="不能透支"):
        wallet.reverse(d2.id, D3)


def test_back_dated_entries_cannot_overdraw_the_past(wallet):
    wallet.deposit(10_000, D2)
    with pytest.raises(WalletError, match="2026-11-01 会透支"):
        wallet.withdraw(5_000, D1)  # before the money arrived


def test_balance_assertions_report_the_difference(wallet):
    wallet.deposit(123_456, D1)
    wallet.withdraw(3_456, D3)
    ok = wallet.assert_balance("bank", 123_456, D2)
    assert ok.matches and ok.actual_fen == 123_456
    with pytest.raises(BalanceMismatch, match="相差 ¥1.00") as off:
        wallet.assert_balance("bank", 120_100, D3)
    assert off.value.difference_fen == 100
    assert [e.kind for e in wallet.entries()].count("assertion") == 1, "a failed 对账 is not recorded"
    assert wallet.balances()["bank"] == 120_000  # assertions move no money


def test_journal_rows_cannot_be_changed_or_deleted(wallet, seeded):
    store, _ = seeded
    wallet.deposit(10_000, D1)
    for statement in ("UPDATE wallet_entries SET bank_fen = 999999", "DELETE FROM wallet_entries"):
        with pytest.raises(DBAPIError, match="immutable"):
            with store.engine.begin() as conn:
                conn.execute(text(statement))
    assert wallet.balances()["bank"] == 10_000


def test_unknown_merchant_and_codes_are_refused(wallet):
    wallet.deposit(10_000, D1)
    with pytest.raises(WalletError, match="没有编号为“nope”的商户"):
        wallet.pay("nope", [parse_item("10")], "bank", D1)
    with pytest.raises(WalletError, match="请填写拨付类别"):
        wallet.disburse(100, "  ", D1)
    with pytest.raises(WalletError, match="未知的乘车方式"):
        wallet.ride("ferry", 150, D1)
    with pytest.raises(WalletError, match="没有编号为 99 的记录"):
        wallet.refund(99, None, D1)
    assert len(wallet.entries()) == 1


def test_disbursements_are_tagged(wallet):
    e = wallet.disburse(80_000, "金秋助学", D1)
    assert (e.reason, e.posting("bank")) == ("金秋助学", 80_000)


def test_disbursement_reasons_beyond_the_three_named(wallet):
    """Seed 000 Q2 帮扶资金: 困难帮扶、金秋助学、医疗互助 "等" — the list is open; a union's own reason is kept."""
    e = wallet.disburse(50_000, " 职工子女 助学 ", D1)
    assert e.reason == "职工子女 助学" and wallet.balances()["bank"] == 50_000
    with pytest.raises(WalletError, match="太长"):
        wallet.disburse(100, "很" * 31, D1)


def test_quickpass_limit_per_payment_is_its_own_rule(wallet):
    """Seed 000 Q13 闪付 单笔金额不超过1000元 — a limit on one payment, separate from the purse's balance
    ceiling (PBOC e-cash standard), and named as such when it refuses."""
    wallet.deposit(300_000, D1)
    wallet.load(ECASH_LIMIT_FEN, D1)
    with pytest.raises(WalletError, match="单笔不超过 ¥1,000.00"):
        wallet.pay("qs-06", [parse_item("1100")], "ecash", D2)      # 9.8折: 1,078 > 1,000
    wallet.pay("qs-11", [parse_item("家政钟点工=1250")], "ecash", D2)  # 8折: exactly 1,000 is allowed
    assert wallet.balances()["ecash"] == 0
    wallet.pay("qs-06", [parse_item("1100")], "bank", D2)             # the debit account has no such limit


# ---------------------------------------------------------------- profile


def test_profile_validates_and_masks(wallet):
    p = wallet.update_profile(name="张三", union_name="青山区某厂工会", card_number="6222 0212 3456 7894",
                              mobile="138-0013-8000", resident_id="11010519491231002x", programme="icbc")
    assert p.mobile_masked == "138****8000" and p.card_masked == "6222 **** **** 7894"
    assert p.birthday == dt.date(1949, 12, 31)  # from the ID number
    public = p.public()
    assert public["card"] == "6222 **** **** 7894" and public["mobile"] == "138****8000"
    assert public["resident_id"] == "110105********002X"
    assert "11010519491231002X" not in str(public) and "13800138000" not in str(public)
    assert wallet.profile() == p


@pytest.mark.parametrize("field, value, message", [
    ("mobile", "12345678901", "手机号"),
    ("card_number", "6222021234567897", "卡号：校验位"),
    ("resident_id", "110105194902301234", "出生日期 19490230 不存在"),
    ("resident_id", "110105194912310021", "校验码不对"),
    ("birthday", "2999-01-01", "还没到"),
    ("programme", "abc", "积分规则"),
])
def test_bad_profile_fields_name_the_field_and_change_nothing(wallet, field, value, message):
    wallet.update_profile(name="李四")
    with pytest.raises(ProfileError, match=message):
        wallet.update_profile(**{field: value})
    assert wallet.profile() == Profile(name="李四")


def test_resident_id_check_digit():
    assert resident_id_birthday("11010519491231002X")[1] == dt.date(1949, 12, 31)
    assert mask_card("6222021234567894") == "6222 **** **** 7894"


# ---------------------------------------------------------------- random sequences (pure core)

AMOUNT = st.integers(min_value=1, max_value=150_000)
DAY = st.integers(min_value=0, max_value=20).map(lambda n: D1 + dt.timedelta(days=n))
FACTS = ops.PurchaseFacts("qs-01", "湖北中联大药房", "医疗", "5912")

OPERATION = st.one_of(
    st.tuples(st.just("deposit"), AMOUNT, DAY),
    st.tuples(st.just("withdraw"), AMOUNT, DAY),
    st.tuples(st.just("disburse"), AMOUNT, DAY),
    st.tuples(st.just("load"), AMOUNT, DAY),
    st.tuples(st.just("topup_cash"), AMOUNT, DAY),
    st.tuples(st.just("topup_bank"), AMOUNT, DAY),
    st.tuples(st.just("ride_bus"), st.integers(1, 1_000), DAY),
    st.tuples(st.just("ride_metro"), st.integers(1, 1_000), DAY),
    st.tuples(st.just("pay_bank"), AMOUNT, DAY),
    st.tuples(st.just("pay_ecash"), AMOUNT, DAY),
    st.tuples(st.just("refund"), st.integers(0, 40), st.one_of(st.none(), AMOUNT), DAY),
    st.tuples(st.just("reverse"), st.integers(0, 40), DAY),
)


def _build(journal: list[Entry], op) -> Entry:
    kind, *args = op
    if kind == "refund":
        target, amount, day = args
        return ops.refund(journal, target + 1, amount, day)
    if kind == "reverse":
        target, day = args
        return ops.reversal(journal, target + 1, day)
    amount, day = args
    return {
        "deposit": lambda: ops.deposit(amount, day),
        "withdraw": lambda: ops.withdraw(amount, day),
        "disburse": lambda: ops.disburse(amount, "困难帮扶", day),
        "load": lambda: ops.load(amount, day),
        "topup_cash": lambda: ops.topup_transit(amount, "cash", day),
        "topup_bank": lambda: ops.topup_transit(amount, "bank", day),
        "ride_bus": lambda: ops.ride("bus", amount, day),
        "ride_metro": lambda: ops.ride("metro", amount, day),
        "pay_bank": lambda: ops.purchase(FACTS, amount, amount * 9 // 10, "bank", day),
        "pay_ecash": lambda: ops.purchase(FACTS, amount, amount * 9 // 10, "ecash", day),
    }[kind]()


@settings(max_examples=300, deadline=None)
@given(st.lists(OPERATION, max_size=40))
def test_random_sequences_keep_every_rule(operations):
    journal: list[Entry] = []
    for op in operations:
        before = list(journal)
        try:
            entry = _build(journal, op)
            journal = ops.append(journal, entry.with_id(len(journal) + 1))
        except WalletError:
            assert journal == before  # a refusal leaves the journal as it was
            continue
        check_rules(journal)
        totals = balances(journal)
        assert totals["bank"] >= 0 and totals["transit"] >= 0 and 0 <= totals["ecash"] <= ECASH_LIMIT_FEN
        for purse in PURSES:
            assert totals[purse] == sum(e.posting(purse) for e in journal)
        # No purchase was ever refunded beyond what was paid.
        for e in journal:
            if e.kind == "purchase":
                refunds = sum(r.amount_fen for r in journal if r.kind == "refund" and r.refers_to == e.id
                              and not any(x.kind == "reversal" and x.refers_to == r.id for x in journal))
                assert refunds <= ops.payable_of(e)


# ---------------------------------------------------------------- random sequences (the real store)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATION, min_size=1, max_size=12))
def test_random_sequences_on_the_store_write_nothing_when_refused(wallet, operations):
    for op in operations:
        before = wallet.entries()
        try:
            kind, *args = op
            if kind in ("refund", "reverse"):
                target = before[args[0] % len(before)].id if before else 1
                if kind == "refund":
                    wallet.refund(target, args[1], args[2])
                else:
                    wallet.reverse(target, args[1])
            elif kind.startswith("pay_"):
                wallet.pay("qs-01", [parse_item(yuan(args[0]))], kind.removeprefix("pay_"), args[1])
            elif kind.startswith("ride_"):
                wallet.ride(kind.removeprefix("ride_"), args[0], args[1])
            elif kind.startswith("topup_"):
                wallet.topup_transit(args[0], kind.removeprefix("topup_"), args[1])
            elif kind == "disburse":
                wallet.disburse(args[0], "医疗互助", args[1])
            else:
                getattr(wallet, kind)(args[0], args[1])
        except WalletError:
            assert wallet.entries() == before
        entries = wallet.entries()
        check_rules(entries)
        assert wallet.balances() == {p: sum(e.posting(p) for e in entries) for p in PURSES}


def test_spending_is_net_of_refunds_and_reversals(wallet):
    from app.wallet.spending import spending_by_month

    wallet.deposit(500_000, D1)
    glasses = wallet.pay("qs-08", [parse_item("配镜=1000")], "bank", D1)        # 购物 850
    wallet.pay("qs-10", [parse_item("400")], "bank", D2)                          # 餐饮 368
    wallet.refund(glasses.id, 5_000, dt.date(2026, 12, 2))                        # back 50, counted in November
    meal = wallet.pay("qs-09", [parse_item("100")], "bank", dt.date(2026, 12, 3))  # 餐饮 90
    wallet.reverse(meal.id, dt.date(2026, 12, 4))
    assert spending_by_month(wallet.entries()) == {"2026-11": {"餐饮": 36_800, "购物": 80_000}}


def test_savings_this_month_and_year_by_category(wallet):
    """Issue 15 累计节省: what the discounts took off, by category; a reversed purchase saved nothing."""
    from app.wallet.spending import savings

    wallet.deposit(500_000, dt.date(2026, 1, 2))
    wallet.pay("qs-08", [parse_item("配镜=1000")], "bank", dt.date(2026, 1, 5))       # 150 off, in January
    wallet.pay("qs-09", [parse_item("200")], "bank", dt.date(2026, 3, 3))             # 20 off (丽华园 9折)
    mistake = wallet.pay("qs-11", [parse_item("家政钟点工=100")], "bank", dt.date(2026, 3, 4))
    wallet.reverse(mistake.id, dt.date(2026, 3, 4))
    assert savings(wallet.entries(), dt.date(2026, 3, 31)) == {
        "month": {"餐饮": 2_000}, "year": {"餐饮": 2_000, "购物": 15_000}}
    assert savings(wallet.entries(), dt.date(2027, 1, 1)) == {"month": {}, "year": {}}


def test_a_usage_limit_is_checked_against_the_journal(wallet, seeded, tmp_path):
    """Issue 14: 每卡每月限一次 is kept as a rule the wallet checks: the second discounted purchase at the
    merchant in a month is priced in full and says why; a new month, or reversing the first, frees it."""
    import datetime as dt

    from app.merchants.importer import import_into_store

    path = tmp_path / "limit.csv"
    path.write_text("编号,名称,类别,区,优惠,经度,纬度\nlim-1,限次茶馆,餐饮,青山区,全场9折，每卡每月限一次,114.40,30.63\n",
                    encoding="utf-8")
    assert import_into_store(*seeded, path, duplicates="keep").added == 1
    wallet.deposit(100_000, dt.date(2026, 11, 1))
    first = wallet.pay("lim-1", [parse_item("100")], "bank", dt.date(2026, 11, 3))
    assert first.posting("bank") == -9_000
    again = wallet.quote_purchase("lim-1", [parse_item("100")], dt.date(2026, 11, 20))
    assert again.payable_fen == 10_000 and "2026-11-03 用过" in again.limit_note
    assert wallet.pay("lim-1", [parse_item("100")], "bank", dt.date(2026, 11, 20)).posting("bank") == -10_000
    next_month = wallet.quote_purchase("lim-1", [parse_item("100")], dt.date(2026, 12, 1))
    assert next_month.payable_fen == 9_000 and next_month.limit_note is None
    wallet.reverse(first.id, dt.date(2026, 11, 21))
    assert wallet.quote_purchase("lim-1", [parse_item("100")], dt.date(2026, 11, 25)).payable_fen == 9_000
