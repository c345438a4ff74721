"""Points: each seed's rules pinned by worked examples, one engine, programmes as data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.points.engine import CARDS, CHANNELS, PointsError, Transaction, run
from app.points.programme import programme, programmes
from app.points.transactions_csv import read_transactions
from app.seed import open_seeded_store
from app.wallet.service import Wallet
from widgets.launcher import main

ICBC, HRXJ, HZ = programme("icbc"), programme("hrxj"), programme("hzbank")
D = dt.date


def tx(ref, day, amount, kind="purchase", *, posted=None, mcc="5812", channel="pos", card="debit",
       refund_of=None, fund_type=None):
    return Transaction(ref, day, Decimal(str(amount)), kind, posted, mcc, channel, card, refund_of, fund_type)


def points_of(ledger) -> dict[str, int]:
    return {t.ref: t.points for t in ledger.transactions}


# ---------------------------------------------------------------- the programme files


def test_three_programmes_cite_their_seeds():
    assert set(programmes()) == {"icbc", "hrxj", "hzbank"}
    assert (ICBC.source, HRXJ.source, HZ.source) == ("seed 002", "seed 001", "seed 003")


@pytest.mark.parametrize("listed, code", [("411 大型仓库超市", "5411"), ("062 公立医院", "8062"), ("541 加油站", "5541"),
                                          ("713 房地产代理", "7013"), ("522 药品批发", "5122"), ("400 公共设施", "4900")])
def test_icbc_table_codes_are_reconstructed(listed, code):
    excluded = ICBC.excluded_mcc(code)
    assert excluded is not None and excluded.inferred
    assert listed.split()[1][:2] in excluded.label


def test_icbc_file_says_which_codes_were_inferred():
    assert [ex.label for ex in ICBC.exclusions if not ex.inferred] == ["总承包商-住宅和商业建筑"]
    assert ICBC.excluded_mcc("5812") is None and ICBC.excluded_mcc("8043") is None


# ---------------------------------------------------------------- earning


def test_whole_yuan_only_and_nothing_under_one_yuan():
    ledger = run(ICBC, [tx("a", D(2026, 3, 1), "100.99"), tx("b", D(2026, 3, 1), "0.99")], None, D(2026, 3, 31))
    assert points_of(ledger) == {"a": 100, "b": 0}


def test_icbc_debit_cards_earn_only_at_pos_and_never_online():
    ledger = run(ICBC, [
        tx("pos", D(2026, 3, 1), 100),
        tx("counter", D(2026, 3, 1), 100, channel="counter"),
        tx("credit-counter", D(2026, 3, 1), 100, channel="counter", card="credit"),
        tx("online", D(2026, 3, 1), 100, channel="online", card="credit"),
        tx("third", D(2026, 3, 1), 100, channel="third_party", card="credit"),
    ], None, D(2026, 3, 31))
    assert points_of(ledger) == {"pos": 100, "counter": 0, "credit-counter": 100, "online": 0, "third": 0}


@pytest.mark.parametrize("rules, mcc", [(ICBC, "5411"), (ICBC, "8062"), (ICBC, "5541"), (HRXJ, "6513"), (HRXJ, "8211"),
                                        (HRXJ, "4814"), (HRXJ, "6300"), (HZ, "8062"), (HZ, "8111"), (HZ, "1750")])
def test_excluded_merchant_categories_earn_nothing(rules, mcc):
    card = "debit" if rules is ICBC else "credit"
    ledger = run(rules, [tx("x", D(2026, 3, 1), 500, mcc=mcc, card=card), tx("ok", D(2026, 3, 1), 500, card=card)],
                 None, D(2026, 3, 31))
    assert points_of(ledger) == {"x": 0, "ok": 500}


@pytest.mark.parametrize("kind", ["cash_advance", "fee", "transfer"])
def test_excluded_transaction_kinds(kind):
    for rules in (ICBC, HRXJ, HZ):
        ledger = run(rules, [tx("k", D(2026, 3, 1), 1000, kind, card="credit")], None, D(2026, 3, 31))
        assert points_of(ledger) == {"k": 0}


def test_birthday_day_versus_month():
    born = D(1990, 6, 15)
    days = [tx("on", D(2026, 6, 15), 100, card="credit"), tx("month", D(2026, 6, 2), 100, card="credit"),
            tx("other", D(2026, 7, 15), 100, card="credit")]
    assert points_of(run(HZ, days, born, D(2026, 12, 31))) == {"on": 200, "month": 100, "other": 100}
    assert points_of(run(HRXJ, days, born, D(2026, 12, 31))) == {"on": 200, "month": 200, "other": 100}
    assert points_of(run(ICBC, [dataclasses.replace(t, card="debit") for t in days], born, D(2026, 12, 31))) == {
        "on": 100, "month": 100, "other": 100}


def test_usable_the_day_after_posting_hrxj_and_three_days_hzbank():
    t = tx("a", D(2026, 3, 1), 100, posted=D(2026, 3, 2), card="credit")
    hrxj = run(HRXJ, [t], None, D(2026, 3, 2))
    assert (hrxj.balance, hrxj.usable) == (100, 0)
    assert hrxj.transactions[0].usable_from == D(2026, 3, 3)
    assert run(HRXJ, [t], None, D(2026, 3, 3)).usable == 100
    # 杭州银行 备注2: within 3 days of the 业务发生日 (1 March), not of the posting date (2 March).
    assert run(HZ, [t], None, D(2026, 3, 3)).usable == 0
    assert run(HZ, [t], None, D(2026, 3, 4)).usable == 100
    assert run(HRXJ, [t], None, D(2026, 3, 1)).balance == 0  # not posted yet


def test_icbc_expiry_30_versus_31_december():
    t = tx("a", D(2026, 1, 5), 300)
    assert run(ICBC, [t], None, D(2030, 12, 30)).balance == 300
    assert run(ICBC, [t], None, D(2030, 12, 30)).expiring() == [(D(2030, 12, 30), 300)]
    assert run(ICBC, [t], None, D(2030, 12, 31)).balance == 0
    # Points posted on 31 December belong to that year: same last day.
    late = tx("b", D(2026, 12, 31), 100)
    assert run(ICBC, [late], None, D(2030, 12, 30)).balance == 100
    assert run(ICBC, [late], None, D(2030, 12, 31)).balance == 0
    # 华融湘江 points never expire.
    assert run(HRXJ, [dataclasses.replace(t, card="credit")], None, D(2060, 1, 1)).balance == 300


def test_refund_claws_back_points_even_after_redemption():
    purchase = tx("buy", D(2026, 3, 1), 1000)
    ledger = run(ICBC, [purchase, tx("part", D(2026, 3, 3), "300.50", "refund", refund_of="buy")], None, D(2026, 3, 31))
    assert points_of(ledger) == {"buy": 1000, "part": -300} and ledger.balance == 700
    spent = [purchase, tx("r", D(2026, 3, 2), 800, "redeem"), tx("all", D(2026, 3, 3), 1000, "refund", refund_of="buy")]
    ledger = run(ICBC, spent, None, D(2026, 3, 31))
    assert points_of(ledger)["all"] == -1000
    assert ledger.balance == -800 and ledger.usable == -800  # the points were spent: the balance goes negative
    # Never more than the purchase earned, however many refunds.
    twice = [purchase, tx("r1", D(2026, 3, 2), 700, "refund", refund_of="buy"),
             tx("r2", D(2026, 3, 3), 700, "refund", refund_of="buy")]
    assert points_of(run(ICBC, twice, None, D(2026, 3, 31))) == {"buy": 1000, "r1": -700, "r2": -300}


def test_birthday_points_are_clawed_back_at_the_same_rate():
    ledger = run(HZ, [tx("b", D(2026, 6, 15), 100, card="credit"),
                      tx("r", D(2026, 6, 20), 50, "refund", card="credit", refund_of="b")], D(1990, 6, 15), D(2026, 6, 30))
    assert points_of(ledger) == {"b": 200, "r": -100}


def test_redemption_spends_the_soonest_expiring_points_first():
    old, new = tx("old", D(2026, 2, 1), 100), tx("new", D(2027, 2, 1), 100)
    ledger = run(ICBC, [old, new, tx("r", D(2027, 3, 1), 150, "redeem")], None, D(2030, 12, 31))
    # The 2026 points (gone 31 Dec 2030) went first; 50 of the 2027 points remain.
    assert ledger.balance == 50 and ledger.expiring() == [(D(2031, 12, 30), 50)]
    with pytest.raises(PointsError, match="可用积分 50"):
        run(ICBC, [old, new, tx("r", D(2027, 3, 1), 150, "redeem"), tx("r2", D(2027, 3, 2), 51, "redeem")],
            None, D(2027, 12, 31))


def test_hzbank_fund_points():
    funds = [
        tx("sign", D(2026, 4, 1), 1, "fund_signing", channel="e_banking", card="debit"),
        tx("sign2", D(2026, 4, 2), 1, "fund_signing", channel="e_banking", card="debit"),
        tx("f1", D(2026, 4, 3), 6000, "fund_purchase", channel="e_banking", card="debit"),
        tx("f2", D(2026, 4, 3), 6000, "fund_purchase", channel="e_banking", card="debit"),   # day total 12,000: 1 point
        tx("f3", D(2026, 4, 4), 25000, "fund_purchase", channel="e_banking", card="debit"),  # 2 points
        tx("mm", D(2026, 4, 4), 50000, "fund_purchase", channel="e_banking", card="debit", fund_type="money_market"),
        tx("desk", D(2026, 4, 5), 30000, "fund_purchase", channel="counter", card="debit"),
    ]
    assert points_of(run(HZ, funds, None, D(2026, 4, 30))) == {
        "sign": 50, "sign2": 0, "f1": 0, "f2": 1, "f3": 2, "mm": 0, "desk": 0}
    assert all(p == 0 for p in points_of(run(ICBC, funds, None, D(2026, 4, 30))).values())


def test_per_cycle_cap_is_a_parameter():
    capped = dataclasses.replace(HZ, cycle_cap=150)
    ledger = run(capped, [tx("a", D(2026, 5, 1), 100, card="credit"), tx("b", D(2026, 5, 2), 100, card="credit"),
                          tx("c", D(2026, 6, 1), 100, card="credit")], None, D(2026, 6, 30))
    assert points_of(ledger) == {"a": 100, "b": 50, "c": 100}


def test_hzbank_cap_is_per_statement_cycle_not_calendar_month():
    """Seed 003 一(二)1 每个账期累计积分不能超过本行规定的上限: with 账单日 the 10th, 20 May and 5 June are in
    one 账期 (11 May – 10 June) and share the cap; 11 June starts the next."""
    capped = dataclasses.replace(HZ, cycle_cap=150, cycle_day=10)
    rows = [tx("may20", D(2026, 5, 20), 100, card="credit"), tx("jun05", D(2026, 6, 5), 100, card="credit"),
            tx("jun11", D(2026, 6, 11), 100, card="credit")]
    assert points_of(run(capped, rows, None, D(2026, 6, 30))) == {"may20": 100, "jun05": 50, "jun11": 100}
    by_month = dataclasses.replace(capped, cycle_day=0)   # the calendar month would wrongly reset on 1 June
    assert points_of(run(by_month, rows, None, D(2026, 6, 30))) == {"may20": 100, "jun05": 100, "jun11": 50}


def test_hzbank_statement_keeps_basic_and_bonus_points_apart():
    """Seed 003 一(一): 基本积分 and 奖励积分 are kinds of their own; 一(三)1 a birthday's extra 1x is 奖励积分;
    二.1 the statement runs from the day after the last 账单日."""
    from app.points.statement import statement

    rules = dataclasses.replace(HZ, cycle_day=10)
    rows = [tx("birthday", D(2026, 6, 8), 100, card="credit"), tx("plain", D(2026, 6, 9), 50, card="credit"),
            tx("next", D(2026, 6, 12), 70, card="credit")]
    result = statement(rules, rows, D(1990, 6, 8), "2026-06")
    assert result.period == (D(2026, 5, 11), D(2026, 6, 10))
    assert (result.new_basic, result.new_bonus, result.new) == (150, 100, 250)
    assert result.to_json()["new_bonus"] == 100


def test_hrxj_points_are_cleared_when_the_account_closes():
    """Seed 001 一: 公务卡账户关闭或注销后，剩余积分将被清除，且不可再恢复."""
    rows = [tx("a", D(2026, 3, 1), 300, card="credit"), tx("close", D(2026, 4, 1), 0, "account_close", card="credit"),
            tx("after", D(2026, 4, 2), 100, card="credit")]
    ledger = run(HRXJ, rows, None, D(2026, 4, 30))
    assert points_of(ledger) == {"a": 300, "close": -300, "after": 0}
    assert ledger.balance == 0 and ledger.usable == 0
    assert "销户" in ledger.transactions[1].note
    kept = run(ICBC, [dataclasses.replace(r, card="debit") for r in rows[:2]], None, D(2026, 4, 30))
    assert kept.balance == 300   # 工商银行's rules say nothing of clearing on closing


# ---------------------------------------------------------------- merchant codes, word by word (issue 18)


@pytest.mark.parametrize("rules, mcc, clause", [
    (ICBC, "6211", "二.2(1) 投资"), (ICBC, "6012", "二.2(1) 金融…支付交易"), (ICBC, "8641", "二.2(1) 非营利事业"),
    (ICBC, "6399", "二.2(1) 保险"), (ICBC, "6513", "二.2(1) 房地产"),
])
def test_icbc_excludes_by_its_words_not_only_its_table(rules, mcc, clause):
    excluded = rules.excluded_mcc(mcc)
    assert excluded is not None and excluded.inferred, mcc
    assert f"{excluded.clause} {excluded.words}" == clause


@pytest.mark.parametrize("rules, mcc, why", [
    (HRXJ, "5541", "加油站 is not 汽车销售 (seed 001 四)"), (HRXJ, "5532", "轮胎店 is not 汽车销售 (seed 001 四)"),
    (HRXJ, "8299", "a private school is not a 公立学校 (seed 001 四)"),
    (HRXJ, "8021", "a dentist is not a 公立医院 (seed 001 四)"),
    (HZ, "5541", "加油站 is not 汽车销售 (seed 003 备注4(4)④)"), (HZ, "5532", "轮胎店 is not 汽车销售 (seed 003 备注4(4)④)"),
    (HZ, "8043", "an optician is not a 医疗机构 (seed 003 备注4(4)④)"),
    (HZ, "8021", "a dentist is not a 医疗机构 (seed 003 备注4(4)④)"), (HZ, "0742", "a vet is not 农业服务"),
])
def test_words_map_to_no_more_codes_than_they_say(rules, mcc, why):
    assert rules.excluded_mcc(mcc) is None, why
    ledger = run(rules, [tx("x", D(2026, 3, 1), 500, mcc=mcc, card="credit")], None, D(2026, 3, 31))
    assert points_of(ledger) == {"x": 500}, why


def test_every_mapped_word_cites_its_clause():
    for rules in (HRXJ, HZ):
        for ex in rules.exclusions:
            assert ex.inferred and ex.clause and ex.words, (rules.code, ex.label)
    assert all(ex.clause == "二.2(1)" for ex in ICBC.exclusions if ex.words)


def test_simulate_mixing_the_disputed_codes_gives_the_seed_answer(tmp_path, capsys, sqlite_url):
    """One statement through all three programmes: each code earns exactly where its seed says."""
    path = tmp_path / "tx.csv"
    rows = {"optician": "8043", "dentist": "8021", "petrol": "5541", "tyres": "5532", "securities": "6211",
            "bank": "6012", "ngo": "8641", "hospital": "8062", "private_school": "8299", "restaurant": "5812"}
    path.write_text("ref,date,posted,amount,kind,mcc,channel,card,refund_of\n" + "".join(
        f"{ref},2026-03-02,2026-03-02,100,purchase,{mcc},pos,credit,\n" for ref, mcc in rows.items()), encoding="utf-8")
    earned = {}
    for code in ("icbc", "hrxj", "hzbank"):
        assert main(["--db", sqlite_url, "points", "simulate", "--programme", code, "--transactions", str(path),
                     "--json"]) == 0
        earned[code] = {t["ref"] for t in json.loads(capsys.readouterr().out)["transactions"] if t["points"]}
    assert earned["icbc"] == {"optician", "dentist", "tyres", "private_school", "restaurant"}
    assert earned["hrxj"] == {"optician", "dentist", "petrol", "tyres", "private_school", "restaurant"}
    assert earned["hzbank"] == {"optician", "dentist", "petrol", "tyres", "restaurant"}


# ---------------------------------------------------------------- property


KIND = st.sampled_from(["purchase", "cash_advance", "fee", "transfer", "fund_purchase", "fund_signing"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(KIND, st.integers(1, 40_000), st.integers(0, 2_000), st.sampled_from(CHANNELS),
                          st.sampled_from(CARDS), st.sampled_from(["5812", "5411", "8062", "8043", "6513", None])),
                max_size=25),
       st.sampled_from(["icbc", "hrxj", "hzbank"]))
def test_points_only_come_from_earning_transactions(rows, code):
    rules = programme(code)
    txs = [tx(f"t{i}", D(2026, 1, 1) + dt.timedelta(days=day), amount, kind, mcc=mcc, channel=channel, card=card)
           for i, (kind, amount, day, channel, card, mcc) in enumerate(rows)]
    ledger = run(rules, txs, D(1990, 1, 1), D(2026, 12, 31))
    by_ref = {t.ref: t for t in txs}
    for result in ledger.transactions:
        t = by_ref[result.ref]
        assert result.points >= 0
        if t.kind in ("cash_advance", "fee", "transfer"):
            assert result.points == 0
        if t.kind == "purchase" and result.points:
            assert t.card in rules.cards and rules.excluded_mcc(t.mcc) is None
            assert result.points <= int(t.amount) * rules.points_per_yuan * max(rules.birthday_multiplier, 1)
    assert ledger.balance == sum(r.points for r in ledger.transactions)  # nothing expires within a year


# ---------------------------------------------------------------- the transaction file and the CLI


def test_simulate_command(tmp_path, capsys, sqlite_url):
    path = tmp_path / "tx.csv"
    path.write_text("ref,date,posted,amount,kind,mcc,channel,card,refund_of\n"
                    "a,2026-06-15,2026-06-16,100.5,purchase,5812,pos,credit,\n"
                    "b,2026-06-20,,40,refund,5812,pos,credit,a\n", encoding="utf-8")
    assert main(["--db", sqlite_url, "points", "simulate", "--programme", "hrxj", "--transactions", str(path),
                 "--birthday", "1990-06-01", "--as-of", "2026-06-30", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["transactions"][0] == {"ref": "a", "points": 200, "usable_from": "2026-06-17", "note": "生日当月双倍"}
    assert out["transactions"][1]["points"] == -80
    assert (out["balance"], out["usable"], out["expiring"]) == (120, 120, [])


def test_malformed_rows_are_reported_by_line_and_field(tmp_path, capsys, sqlite_url):
    path = tmp_path / "bad.csv"
    path.write_text("ref,date,posted,amount,kind,mcc,channel,card,refund_of\n"
                    "a,2026-02-30,,100,purchase,5812,pos,debit,\n"
                    "b,2026-03-01,,-5,purchase,581,pos,debit,\n"
                    "c,2026-03-01,,5,gift,5812,mail,debit,\n"
                    "d,2026-03-01,,5,refund,5812,pos,debit,zzz\n", encoding="utf-8")
    transactions, problems = read_transactions(path)
    assert transactions == []
    where = {(p.record, p.field) for p in problems}
    assert {("第2行（a）", "date"), ("第3行（b）", "amount"), ("第3行（b）", "mcc"), ("第4行（c）", "kind"),
            ("第4行（c）", "channel"), ("第5行（d）", "refund_of")} <= where
    assert main(["--db", sqlite_url, "points", "simulate", "--programme", "icbc", "--transactions", str(path)]) == 1
    err = capsys.readouterr().err
    assert "第2行（a） · date" in err and "未计算任何积分" in err


def test_gbk_transaction_file(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("ref,date,posted,amount,kind,mcc,channel,card,refund_of\n消费1,2026-03-01,,10,purchase,5812,pos,debit,\n"
                     .encode("gbk"))
    transactions, problems = read_transactions(path)
    assert problems == [] and transactions[0].ref == "消费1"


# ---------------------------------------------------------------- the wallet's member


def test_the_union_card_earns_no_bank_s_points_and_the_points_card_does(db_url, capsys):
    """Seed 000 Q8: the union card is a 汉口银行 debit card; seeds 001-003 are other banks' programmes, so
    only purchases with the member's card of that bank earn, and the app says which card is which."""
    def run_cli(*args):
        code = main(["--db", db_url, *args])
        return code, capsys.readouterr()

    code, out = run_cli("wallet", "profile", "--programme", "hrxj")
    assert code == 0 and "积分卡：华融湘江银行信用卡" in out.out   # 公务卡 is a credit card: the only kind
    assert "工会卡（汉口银行借记卡）的消费不计入" in out.out
    code, out = run_cli("wallet", "profile", "--points-card", "debit")
    assert code == 2 and "只适用于信用卡" in out.err
    run_cli("wallet", "deposit", "1000", "--date", "2026-04-01")
    run_cli("wallet", "pay", "--merchant", "qs-09", "--amount", "200", "--from", "bank", "--date", "2026-04-10")
    run_cli("wallet", "pay", "--merchant", "qs-09", "--amount", "100", "--from", "card", "--date", "2026-04-10")
    code, out = run_cli("wallet", "show", "--json")
    assert json.loads(out.out)["bank"] == "820.00"   # the points card's 90 did not leave the union card
    store, districts = open_seeded_store(db_url)
    try:
        ledger = Wallet(store, districts).points_now(D(2026, 4, 30))
    finally:
        store.close()
    assert [(t.points, t.note) for t in ledger.transactions] == [
        (0, "工会卡是汉口银行借记卡，不在华融湘江银行 公务卡积分内：用华融湘江银行的卡付款才积分"),
        (90, "每满 1 元 1 分")]
    # Seed 001 一: 账户关闭或注销后，剩余积分将被清除 — the wallet's 销户 of the points card.
    code, out = run_cli("wallet", "close-card", "--date", "2026-04-20")
    assert code == 0 and "积分卡销户" in out.out
    store, districts = open_seeded_store(db_url)
    try:
        closed = Wallet(store, districts).points_now(D(2026, 4, 30))
    finally:
        store.close()
    assert closed.balance == 0 and closed.transactions[-1].note == "销户：剩余 90 分清除"
    assert json.loads(run_cli("wallet", "show", "--json")[1].out)["bank"] == "820.00"


def test_wallet_statement_and_redemption(db_url, capsys):
    def run_cli(*args):
        code = main(["--db", db_url, *args])
        return code, capsys.readouterr()

    assert run_cli("wallet", "profile", "--programme", "icbc", "--points-card", "debit",
                   "--birthday", "1990-05-20")[0] == 0
    run_cli("wallet", "deposit", "3000", "--date", "2026-04-01")
    run_cli("wallet", "pay", "--merchant", "qs-09", "--amount", "500", "--from", "card", "--date", "2026-04-10")  # 450 paid
    run_cli("wallet", "pay", "--merchant", "qs-06", "--amount", "100", "--from", "card", "--date", "2026-04-11")  # 5411: none
    code, out = run_cli("points", "statement", "--month", "2026-04", "--json")
    april = json.loads(out.out)
    assert (april["previous_balance"], april["new"], april["current_balance"]) == (0, 450, 450)
    assert april["expiring"] == [{"date": "2030-12-30", "points": 450}]
    code, out = run_cli("wallet", "redeem", "500", "--date", "2026-05-02")
    assert code == 1 and "可用积分只有 450 分" in out.err
    assert run_cli("wallet", "redeem", "200", "--date", "2026-05-02")[0] == 0
    run_cli("wallet", "refund", "2", "100", "--date", "2026-05-03")  # claws back 100 points
    code, out = run_cli("points", "statement", "--month", "2026-05", "--json")
    may = json.loads(out.out)
    assert (may["previous_balance"], may["new"], may["adjusted"], may["redeemed"], may["current_balance"]) == (
        450, 0, -100, 200, 150)


def test_readme_lists_every_inferred_word_mapping():
    """Issue 18 done-when: README's points section lists every inferred mapping, as the files have them."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for rules in (ICBC, HRXJ, HZ):
        for ex in rules.exclusions:
            if ex.words:
                codes = sorted(ex.codes) + [f"{lo:04d}–{hi:04d}" for lo, hi in ex.ranges]
                assert f"| {ex.clause} | {ex.words} | {', '.join(codes)} |" in readme, (rules.code, ex.words)
