"""Commands keep their promises on bad input (issue 17): bad input exits 2 with a Chinese message
naming what is wrong, a refused operation exits 1, nothing is written, and no traceback appears."""

from __future__ import annotations

import json

import pytest

from widgets.launcher import main


@pytest.fixture
def cli(capsys, sqlite_url):
    def run(*argv, db=sqlite_url):
        try:
            code = main(["--db", db, *argv])
        except SystemExit as exit_:   # argparse refuses the command line itself
            code = exit_.code
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err
    return run


def test_paths_through_a_file_or_a_missing_folder_are_bad_input(cli, tmp_path):
    a_file = tmp_path / "afile"
    a_file.write_text("x", encoding="utf-8")
    for argv in (["merchants", "export", str(a_file / "x.csv")],
                 ["flyer", "--all-districts", "--out-dir", str(a_file)],
                 ["export-map", "--district", "青山区", "--out", str(a_file / "x.html")]):
        code, _, err = cli(*argv)
        assert code == 2 and "是一个文件，不是文件夹" in err, argv
    code, _, err = cli("export-map", "--district", "青山区", "--out", str(tmp_path / "nowhere" / "x.html"))
    assert code == 2 and "目录不存在" in err
    code, _, err = cli("merchants", "export", str(tmp_path))
    assert code == 2 and "是一个文件夹" in err


def test_a_missing_input_file_exits_2_in_chinese(cli, tmp_path):
    code, _, err = cli("merchants", "import", str(tmp_path / "staff.xlsx"))
    assert code == 2 and "找不到文件" in err and "No such file" not in err
    code, _, err = cli("points", "simulate", "--programme", "icbc", "--transactions", str(tmp_path / "tx.csv"))
    assert code == 2 and "找不到文件" in err


@pytest.mark.parametrize("url, message", [("mysql://u@h/db", "不支持“mysql”数据库"), ("nonsense", "无法识别")])
def test_an_unsupported_database_names_the_supported_ones(cli, url, message):
    code, _, err = cli("merchants", "list", db=url)
    assert code == 2 and message in err and "PostgreSQL" in err


@pytest.mark.parametrize("near, message", [("30.63,114.39", "填反了"), ("0,0", "不在武汉市范围内"),
                                           ("nan,nan", "不是有效的数字")])
def test_near_is_checked_like_an_imported_coordinate(cli, near, message):
    code, _, err = cli("merchants", "list", "--near", near, "--radius", "800")
    assert code == 2 and message in err
    assert cli("merchants", "list", "--near", "114.39,30.63", "--radius", "800")[0] == 0


def test_empty_flyers_and_maps_are_refused_unless_asked(cli, tmp_path):
    code, _, err = cli("flyer", "--district", "江岸区", "--out", str(tmp_path / "a.pdf"))
    assert code == 1 and "没有商户" in err and not (tmp_path / "a.pdf").exists()
    code, _, err = cli("export-map", "--district", "江岸区", "--out", str(tmp_path / "a.html"))
    assert code == 1 and not (tmp_path / "a.html").exists()
    assert cli("flyer", "--district", "江岸区", "--out", str(tmp_path / "a.pdf"), "--allow-empty")[0] == 0
    assert (tmp_path / "a.pdf").exists()


@pytest.mark.parametrize("item", ["配镜=1e30", "配镜=99999999999999999999999999", "配镜=-1"])
def test_absurd_item_amounts_are_refused_not_crashed(cli, item):
    code, _, err = cli("discount", "price", "--merchant", "qs-08", "--item", item)
    assert code == 2 and "金额" in err
    cli("wallet", "deposit", "1000")
    code, _, err = cli("wallet", "pay", "--merchant", "qs-08", "--amount", "100", "--from", "bank", "--item", item)
    assert code == 2 and "金额" in err
    code, out, _ = cli("wallet", "history", "--json")
    assert [e["kind"] for e in json.loads(out)["entries"]] == ["deposit"]


def test_a_fund_signing_needs_no_amount(cli, tmp_path):
    tx = tmp_path / "tx.csv"
    tx.write_text("ref,date,posted,amount,kind,mcc,channel,card,refund_of\n"
                  "s1,2026-03-01,,,fund_signing,,e_banking,credit,\n"
                  "s2,2026-03-02,,0,fund_signing,,e_banking,credit,\n", encoding="utf-8")
    code, out, err = cli("points", "simulate", "--programme", "hzbank", "--transactions", str(tx), "--json")
    assert code == 0, err
    assert [t["points"] for t in json.loads(out)["transactions"]] == [50, 0]   # only the first signing earns


def test_argparse_speaks_chinese(cli):
    code, _, err = cli("merchants", "list", "--bogus")
    assert code == 2 and "无法识别的参数" in err and "用法：" in err
    code, _, err = cli("discount", "price", "--text", "9折")
    assert code == 2 and "缺少必需的参数" in err
    code, _, err = cli("merchants", "list", "--sort", "x")
    assert code == 2 and "无效的选项" in err


def test_a_future_date_needs_allow_future(cli):
    import datetime as dt

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    code, _, err = cli("wallet", "deposit", "100", "--date", tomorrow)
    assert code == 2 and "在未来" in err and "--allow-future" in err
    code, out, _ = cli("wallet", "history", "--json")
    assert json.loads(out)["count"] == 0
    assert cli("wallet", "deposit", "100", "--date", tomorrow, "--allow-future")[0] == 0


def _foreign(path):
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER)")


def _newer(path):
    import sqlite3

    assert main(["--db", f"sqlite:///{path}", "merchants", "list", "--json"]) == 0
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"not a database at all\n" * 10), "不是工会卡的数据库"),
    (_foreign, "别的程序的表：photos"),
    (_newer, "较新版本的工会卡创建（版本 0999"),
], ids=["corrupt", "foreign", "newer"])
def test_a_database_we_must_not_touch_is_refused_and_left_as_it_was(cli, tmp_path, make, message, capsys):
    path = tmp_path / "other.sqlite"
    make(path)
    capsys.readouterr()
    before = path.read_bytes()
    code, _, err = cli("merchants", "list", db=f"sqlite:///{path}")
    assert code == 2 and message in err
    assert path.read_bytes() == before


def test_a_read_only_database_reads_and_refuses_writes_clearly(cli, tmp_path, monkeypatch):
    path = tmp_path / "data" / "member.sqlite"
    assert cli("merchants", "list", db=f"sqlite:///{path}")[0] == 0
    before = path.read_bytes()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    code, out, _ = cli("merchants", "list", "--json", db=read_only)
    assert code == 0 and json.loads(out)["count"] == 12
    code, _, err = cli("wallet", "deposit", "5", db=read_only)
    assert code == 2 and "只读" in err
    # "file:" is SQLite's URI scheme, not a folder: nothing is made where the command runs, and the
    # database is not touched
    assert list(work.iterdir()) == [] and path.read_bytes() == before


def test_a_key_name_that_cannot_be_a_file_name_is_bad_input(cli, tmp_path):
    """Found by the fuzz test: a key name is a file name; a NUL or 300 characters crashed keygen."""
    for name in ("a\x00b", "x" * 300, "../elsewhere", ""):
        code, _, err = cli("catalogue", "keygen", "--out", str(tmp_path / "keys"), "--name", name)
        assert code == 2 and "--name" in err, name
    assert not any((tmp_path / "keys").glob("*.key"))
    code, _, err = cli("catalogue", "keygen", "--out", str(tmp_path / "keys"), "--name", "青山区工会")
    assert code == 0 and (tmp_path / "keys" / "青山区工会.key").exists()


def test_a_path_no_file_system_can_hold_is_bad_input(cli, tmp_path):
    for path in ("a\x00b.csv", "x" * 300 + ".csv"):
        code, _, err = cli("merchants", "export", str(tmp_path / path))
        assert code == 2 and "文件路径无效" in err, path
        code, _, err = cli("catalogue", "trust", str(tmp_path / path))
        assert code == 2 and "文件路径无效" in err, path
