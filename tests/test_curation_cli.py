"""The staff workspace from the command line: exit statuses, coordinates as published, import choices,
retiring what a source dropped, named lists through to a flyer and a web map."""

from __future__ import annotations

import json

from pypdf import PdfReader

from widgets.launcher import main

CSV_HEADER = "编号,名称,类别,区,经度,纬度,优惠,来源"


def cli(capsys, db, *argv):
    code = main(["--db", db, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_edit_retire_restore_and_revert(capsys, db_url):
    # a 高德 (GCJ-02) coordinate pasted as published
    code, out, _ = cli(capsys, db_url, "merchants", "add", "--name", "老通城豆皮", "--category", "吃", "--at",
                       "114.39,30.63", "--crs", "gcj02", "--offer", "凭工会卡消费享受九折优惠", "--id", "ms-1", "--json")
    assert code == 0
    saved = json.loads(out)
    assert saved["saved"] and saved["changes"]["district_code"][1] == "420107"
    assert abs(saved["changes"]["lon"][1] - 114.3845) < 0.002, "converted from GCJ-02 to WGS84"

    assert cli(capsys, db_url, "merchants", "edit", "ms-1", "--phone", "027-86001234")[0] == 0
    code, _, err = cli(capsys, db_url, "merchants", "edit", "ms-1", "--offer", "8折", "--base-revision", "1")
    assert code == 0, "another field changed since revision 1: merged"
    code, _, err = cli(capsys, db_url, "merchants", "edit", "ms-1", "--offer", "7折", "--base-revision", "2")
    assert code == 1 and "冲突 1/1 · 优惠" in err and "--base-revision 3" in err

    code, out, _ = cli(capsys, db_url, "merchants", "retire", "ms-1", "--reason", "已停业")
    assert code == 0 and "已下架 ms-1" in out
    code, out, _ = cli(capsys, db_url, "merchants", "list", "--text", "豆皮", "--json")
    assert json.loads(out)["count"] == 0
    code, out, _ = cli(capsys, db_url, "merchants", "list", "--text", "豆皮", "--retired", "only", "--json")
    assert json.loads(out)["count"] == 1
    assert cli(capsys, db_url, "merchants", "retire", "ms-1", "--reason", "again")[0] == 1
    assert cli(capsys, db_url, "merchants", "restore", "ms-1")[0] == 0
    code, out, _ = cli(capsys, db_url, "merchants", "revert", "ms-1", "1", "--json")
    assert code == 0 and json.loads(out)["changes"]["offer"] == ["8折", "凭工会卡消费享受九折优惠"]
    code, out, _ = cli(capsys, db_url, "merchants", "history", "ms-1")
    assert [line.split()[6] for line in out.splitlines() if line.startswith("第")] == \
        ["新增", "编辑", "编辑", "下架", "恢复", "回退"]


def test_bad_input_exits_2_and_a_refused_save_exits_1(capsys, db_url):
    code, _, err = cli(capsys, db_url, "merchants", "edit", "nope", "--offer", "9折")
    assert code == 2 and "没有编号为“nope”的商户" in err
    code, _, err = cli(capsys, db_url, "merchants", "add", "--name", "店", "--category", "杂货", "--at", "114.39,30.63")
    assert code == 2 and "类别" in err
    code, _, err = cli(capsys, db_url, "merchants", "add", "--name", "店", "--category", "餐饮", "--at", "30.63,114.39")
    assert code == 2 and "填反" in err
    code, _, err = cli(capsys, db_url, "merchants", "add", "--name", "店", "--category", "餐饮", "--at", "114.39,30.63",
                       "--district", "江岸区")
    assert code == 1 and "位置在青山区" in err
    code, _, err = cli(capsys, db_url, "merchants", "edit", "qs-01", "--valid-from", "2026-05-01", "--valid-to", "2026-04-01")
    assert code == 2 and "早于有效期起" in err
    code, out, _ = cli(capsys, db_url, "merchants", "list", "--json")
    assert json.loads(out)["count"] == 12, "nothing refused was written"


def test_import_asks_about_duplicates_then_retires_what_the_source_dropped(capsys, db_url, tmp_path):
    first = tmp_path / "第二批.csv"
    first.write_text("\n".join([CSV_HEADER, "b-1,户部巷小吃城,餐饮,青山区,114.360,30.620,9折,第二批",
                                "b-2,老字号面馆,餐饮,青山区,114.370,30.610,9折,第二批"]) + "\n", encoding="utf-8")
    assert cli(capsys, db_url, "merchants", "import", str(first))[0] == 0
    second = tmp_path / "第三批.csv"
    second.write_text("\n".join([CSV_HEADER, "b-1,户部巷小吃城,餐饮,青山区,114.360,30.620,8折,第二批",
                                 "b-3,戶部巷小吃城分店,餐饮,青山区,114.3604,30.6203,9折,第二批"]) + "\n",
                      encoding="gb18030")   # as Chinese Excel saves it
    code, _, err = cli(capsys, db_url, "merchants", "import", str(second))
    assert code == 1 and "可能与 户部巷小吃城（b-1）重复" in err and "--duplicates" in err
    code, out, err = cli(capsys, db_url, "merchants", "import", str(second), "--dry-run", "--duplicates", "skip")
    assert code == 0 and "未写入" in out
    code, out, err = cli(capsys, db_url, "merchants", "import", str(second), "--duplicates", "skip", "--json")
    report = json.loads(out)
    assert code == 0 and report["updated_ids"] == ["b-1"] and report["skipped_ids"] == ["b-3"]
    assert report["missing"] == [{"id": "b-2", "name": "老字号面馆"}]
    code, out, _ = cli(capsys, db_url, "merchants", "retire", "--missing-from", str(report["change_set_id"]),
                       "--reason", "已不在合作名单")
    assert code == 0 and "已下架 b-2" in out
    code, out, _ = cli(capsys, db_url, "merchants", "changes", "--action", "import", "--json")
    assert [c["merchant_id"] for c in json.loads(out)["changes"]] == ["b-1"]


def test_a_named_list_makes_a_flyer_in_its_own_order(capsys, db_url, tmp_path):
    name = "2026 金秋助学 合作商户 · 青山"
    assert cli(capsys, db_url, "lists", "create", name)[0] == 0
    assert cli(capsys, db_url, "lists", "create", name)[0] == 2
    assert cli(capsys, db_url, "lists", "add", name, "qs-08", "qs-01", "qs-05", "qs-11")[0] == 0
    assert cli(capsys, db_url, "lists", "add", name, "zz-99")[0] == 2
    assert cli(capsys, db_url, "lists", "move", name, "qs-05", "1")[0] == 0
    assert cli(capsys, db_url, "merchants", "retire", "qs-11", "--reason", "已停业")[0] == 0
    assert cli(capsys, db_url, "merchants", "edit", "qs-01", "--valid-to", "2025-12-31")[0] == 0
    code, out, _ = cli(capsys, db_url, "lists", "show", name, "--json")
    assert json.loads(out)["merchant_ids"] == ["qs-05", "qs-08", "qs-01", "qs-11"]

    pdf = tmp_path / "list.pdf"
    code, out, _ = cli(capsys, db_url, "flyer", "--list", name, "--out", str(pdf))
    assert code == 0 and "已略去 1 家已下架的商户" in out and "已略去 1 家优惠已过期的商户" in out
    page = " ".join(PdfReader(str(pdf)).pages[0].extract_text().split())
    assert name in page
    assert page.index("武商量贩") < page.index("精益眼镜"), "numbered in the list's order"
    assert "湖北中联大药房" not in page and "友缘家政服务" not in page

    code, out, _ = cli(capsys, db_url, "lists", "flyer", name, "--out", str(tmp_path / "all.pdf"), "--include-expired",
                       "--json")
    assert code == 0 and json.loads(out)["merchants"] == 3
    html = tmp_path / "list.html"
    assert cli(capsys, db_url, "export-map", "--list", name, "--out", str(html))[0] == 0
    assert "精益眼镜" in html.read_text(encoding="utf-8")
    code, out, _ = cli(capsys, db_url, "lists", "export", name, str(tmp_path / "list.csv"), "--json")
    assert code == 0 and json.loads(out)["count"] == 2
    assert cli(capsys, db_url, "lists", "rename", name, "青山 合作商户")[0] == 0
    assert cli(capsys, db_url, "lists", "remove", "青山 合作商户", "qs-08")[0] == 0
    code, out, _ = cli(capsys, db_url, "lists", "show", "--json")
    assert [(lst["name"], lst["merchant_ids"]) for lst in json.loads(out)["lists"]] == \
        [("青山 合作商户", ["qs-05", "qs-01", "qs-11"])]


def test_duplicates_merge_and_not_duplicate_from_the_command_line(capsys, db_url):
    cli(capsys, db_url, "merchants", "add", "--name", "精益眼镜（和平大道店）", "--category", "购物", "--at",
        "114.4142,30.6361", "--phone", "027-86860001", "--id", "d-1")
    cli(capsys, db_url, "merchants", "add", "--name", "中百仓储", "--category", "购物", "--at", "114.3862,30.6361",
        "--id", "d-2")
    code, out, _ = cli(capsys, db_url, "merchants", "duplicates", "--json")
    pairs = {(c["first_id"], c["second_id"]) for c in json.loads(out)["candidates"]}
    assert pairs == {("d-1", "qs-08"), ("d-2", "qs-06")}
    assert cli(capsys, db_url, "merchants", "merge", "qs-08", "d-1", "--take", "phone")[0] == 0
    assert cli(capsys, db_url, "merchants", "not-duplicate", "qs-06", "d-2")[0] == 0
    code, out, _ = cli(capsys, db_url, "merchants", "duplicates", "--json")
    assert json.loads(out)["count"] == 0
    code, out, _ = cli(capsys, db_url, "merchants", "list", "--text", "精益", "--json")
    (kept,) = json.loads(out)["merchants"]
    assert kept["id"] == "qs-08" and kept["phone"] == "027-86860001"
