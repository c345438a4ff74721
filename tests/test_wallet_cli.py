"""`unioncard wallet ...` as scripts use it: JSON out, non-zero exit and nothing written on refusal."""

import json

import pytest

from widgets.launcher import main


@pytest.fixture
def run(db_url, capsys):
    def run(*args):
        code = main(["--db", db_url, "wallet", *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def show(run) -> dict:
    code, out, _ = run("show", "--json")
    assert code == 0
    return json.loads(out)


def test_show_starts_at_zero(run):
    data = show(run)
    assert {k: data[k] for k in ("bank", "ecash", "transit")} == {"bank": "0.00", "ecash": "0.00", "transit": "0.00"}
    assert data["entries"] == 0


def test_a_month_of_card_use(run):
    assert run("deposit", "1,000", "--date", "2026-11-01")[0] == 0
    assert run("disburse", "500", "--reason", "困难帮扶", "--date", "2026-11-01")[0] == 0
    assert run("load", "300", "--date", "2026-11-02")[0] == 0
    assert run("topup-transit", "50", "--from", "bank", "--date", "2026-11-02")[0] == 0
    assert run("ride", "metro", "4", "--date", "2026-11-03")[0] == 0
    code, out, _ = run("pay", "--merchant", "qs-08", "--amount", "1200", "--item", "配镜=1000", "--from", "bank",
                       "--date", "2026-11-04", "--json")
    assert code == 0
    paid = json.loads(out)
    assert paid["entry"]["bank"] == "-1050.00"  # 850 for 配镜 at 8.5折 + 200 with no discount
    assert paid["balances"] == {"bank": "100.00", "ecash": "300.00", "transit": "46.40"}
    code, out, _ = run("refund", str(paid["entry"]["id"]), "50", "--date", "2026-11-05", "--json")
    assert code == 0 and json.loads(out)["balances"]["bank"] == "150.00"
    code, out, _ = run("history", "--json")
    kinds = [e["kind"] for e in json.loads(out)["entries"]]
    assert kinds == ["deposit", "disburse", "load", "topup", "ride", "purchase", "refund"]


@pytest.mark.parametrize("args, message", [
    (["withdraw", "1"], "不能透支"),
    (["load", "1001"], "不能超过 ¥1,000.00"),
    (["ride", "bus", "2"], "武汉通余额不足"),
    (["pay", "--merchant", "qs-06", "--amount", "10", "--from", "transit"], "武汉通只能用于乘车"),
    (["refund", "1"], "没有编号为 1 的记录"),
])
def test_refused_operations_exit_non_zero_and_change_nothing(run, args, message):
    if args[0] == "load":
        assert run("deposit", "2000")[0] == 0
    before = show(run)
    code, _, err = run(*args)
    assert code == 1
    assert message in err
    assert show(run) == before


@pytest.mark.parametrize("args, message", [
    (["deposit", "-5"], "不能是负数"),
    (["deposit", "1.001"], "两位小数"),
    (["deposit", "abc"], "不是数字"),
    (["deposit", "5", "--date", "2026-13-01"], "YYYY-MM-DD"),
    (["pay", "--merchant", "qs-08", "--amount", "100", "--item", "配镜=200", "--from", "bank"], "超过 --amount"),
])
def test_bad_input_is_a_usage_error(run, args, message):
    code, _, err = run(*args)
    assert code == 2 and message in err
    assert show(run)["entries"] == 0


def test_assertions_exit_one_on_a_difference(run):
    run("deposit", "100", "--date", "2026-11-01")
    assert run("assert", "bank", "100", "--date", "2026-11-01")[0] == 0
    code, out, _ = run("assert", "bank", "90", "--date", "2026-11-01", "--json")
    assert code == 1 and json.loads(out)["difference"] == "-10.00" and json.loads(out)["recorded"] is False
    code, out, _ = run("history", "--json")
    assert [e["kind"] for e in json.loads(out)["entries"]].count("assertion") == 1, "a failed 对账 writes nothing"
    code, _, err = run("assert", "bank", "90", "--date", "2026-11-01")
    assert code == 1 and "未记录" in err and "相差 -¥10.00" in err


def test_profile_shows_only_masked_numbers(run):
    code, out, _ = run("profile", "--name", "王五", "--mobile", "13912345678", "--card", "6222021234567894",
                       "--resident-id", "11010519491231002X", "--json")
    assert code == 0
    profile = json.loads(out)
    assert profile["mobile"] == "139****5678" and profile["card"] == "6222 **** **** 7894"
    code, out, _ = run("show", "--json")
    assert "13912345678" not in out and "6222021234567894" not in out and "19491231" not in out
    code, _, err = run("profile", "--mobile", "12345")
    assert code == 2 and "手机号" in err


def test_full_personal_numbers_never_reach_the_database_file(tmp_path, capsys):
    from widgets.launcher import main

    path = tmp_path / "member.sqlite"
    db = f"sqlite:///{path}"
    assert main(["--db", db, "wallet", "profile", "--name", "王五", "--card", "6222021234567894",
                 "--mobile", "13912345678", "--resident-id", "11010519491231002X"]) == 0
    assert main(["--db", db, "wallet", "profile", "--card", "6222 0212 3456 7894", "--mobile", "139-1234-5678"]) == 0
    assert main(["--db", db, "wallet", "show", "--json"]) == 0
    out = capsys.readouterr().out
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for secret in ("6222021234567894", "13912345678", "11010519491231002X", "19491231"):
        assert secret.encode() not in raw and secret not in out
    assert b"6222 **** **** 7894" in raw


def test_a_plain_bill_at_zhongbai_records_its_9_8_discount(run):
    """Issue 24 (seed 000 Q17): 中百仓储 "出示工会卡即可享受正价商品9.8折优惠": 100 yuan at the till is
    98.00 with the discount recorded, not 100.00 as if the shop gave nothing."""
    assert run("deposit", "500")[0] == 0
    code, out, err = run("pay", "--merchant", "qs-06", "--amount", "100", "--from", "bank")
    assert code == 0, err
    assert show(run)["bank"] == "402.00"


def test_an_expired_offer_is_priced_in_full_and_records_no_saving(run, db_url, capsys):
    """Issue 24: after its last day, an offer gives nothing: `discount price` says why and `wallet pay`
    records the full amount with no saving."""
    assert main(["--db", db_url, "merchants", "edit", "qs-06", "--valid-to", "2025-12-31"]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "discount", "price", "--merchant", "qs-06", "--item", "100"]) == 0
    out = capsys.readouterr().out
    assert "应付 100.00 元" in out and "优惠已过期（2025年12月31日结束）" in out
    assert run("deposit", "500")[0] == 0
    code, out, err = run("pay", "--merchant", "qs-06", "--amount", "100", "--from", "bank")
    assert code == 0, err
    assert show(run)["bank"] == "400.00"
