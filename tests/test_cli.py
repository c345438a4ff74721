"""The `unioncard` command line, as scripts and staff batch jobs use it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from widgets.launcher import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_qingshan_lists_the_twelve_seed_merchants(capsys, db_url):
    code, out, _ = run_cli(capsys, "--db", db_url, "merchants", "list", "--district", "青山区", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["count"] == 12
    names = {m["name"] for m in data["merchants"]}
    assert {"中百仓储", "精益眼镜", "武东医院", "丽康宝贝儿童摄影"} <= names
    assert all(m["district"] == "青山区" and m["location_approximate"] for m in data["merchants"])


def test_districts_list(capsys, sqlite_url):
    code, out, _ = run_cli(capsys, "--db", sqlite_url, "districts", "list", "--json")
    data = json.loads(out)
    assert code == 0 and data["count"] == 13
    counts = {d["name"]: d["merchants"] for d in data["districts"]}
    assert counts["青山区"] == 12 and counts["江岸区"] == 0


def test_near_text_and_category_filters(capsys, sqlite_url):
    code, out, _ = run_cli(capsys, "--db", sqlite_url, "merchants", "list", "--near", "114.39,30.63", "--radius", "1000", "--json")
    data = json.loads(out)
    assert code == 0 and data["count"] == 2
    assert all(m["distance_m"] <= 1000 for m in data["merchants"])
    _, out, _ = run_cli(capsys, "--db", sqlite_url, "merchants", "list", "--text", "zbcc")
    assert "中百仓储" in out and "共 1 家商户" in out
    _, out, _ = run_cli(capsys, "--db", sqlite_url, "merchants", "list", "--category", "生活服务", "--json")
    assert json.loads(out)["count"] == 2


def test_unknown_district_is_a_usage_error(capsys, sqlite_url):
    code, _, err = run_cli(capsys, "--db", sqlite_url, "merchants", "list", "--district", "火星区")
    assert code == 2 and "火星区" in err


def test_bad_import_is_refused_whole_with_record_and_field(capsys, sqlite_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes("名称,类别,经度,纬度\n好店,餐饮,114.30,30.60\n坏店,宠物,114.30,30.60\n".encode("gbk"))
    code, out, err = run_cli(capsys, "--db", sqlite_url, "merchants", "import", str(bad))
    assert code == 2
    assert "第3行（名称 坏店） · 类别" in err and "宠物" in err and "没有任何改动" in err
    _, out, _ = run_cli(capsys, "--db", sqlite_url, "merchants", "list", "--json")
    assert json.loads(out)["count"] == 12


def test_import_then_export(capsys, sqlite_url, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("名称,类别,经度,纬度\n汉阳测试店,购物,114.27,30.55\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "--db", sqlite_url, "merchants", "import", str(good), "--json")
    report = json.loads(out)
    assert code == 0 and report["written"] and report["added"] == 1
    code, out, _ = run_cli(capsys, "--db", sqlite_url, "merchants", "export", str(tmp_path / "hy.geojson"), "--district", "汉阳区")
    assert code == 0
    doc = json.loads((tmp_path / "hy.geojson").read_text(encoding="utf-8"))
    assert [f["properties"]["name"] for f in doc["features"]] == ["汉阳测试店"]


def test_gcj02_import_from_the_command_line(capsys, sqlite_url, tmp_path):
    f = tmp_path / "amap.csv"
    f.write_text("名称,类别,经度,纬度\n高德店,餐饮,114.3054382,30.5975842\n", encoding="utf-8")
    code, _, _ = run_cli(capsys, "--db", sqlite_url, "merchants", "import", str(f), "--crs", "gcj02")
    assert code == 0
    _, out, _ = run_cli(capsys, "--db", sqlite_url, "merchants", "list", "--text", "高德店", "--json")
    (m,) = json.loads(out)["merchants"]
    assert m["lon"] == pytest.approx(114.3, abs=1e-5) and m["lat"] == pytest.approx(30.6, abs=1e-5)


def test_check_reports_district_mismatch(capsys, sqlite_url, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("名称,类别,区,经度,纬度\n错区店,餐饮,青山区,114.30,30.60\n", encoding="utf-8")
    run_cli(capsys, "--db", sqlite_url, "merchants", "import", str(f))
    code, out, _ = run_cli(capsys, "--db", sqlite_url, "merchants", "check", "--json")
    data = json.loads(out)
    assert code == 1 and data["mismatches"] == [
        {"id": data["mismatches"][0]["id"], "name": "错区店", "district": "青山区", "located_district": "江岸区"}
    ]


def test_the_installed_unioncard_command_uses_unioncard_db(tmp_path):
    exe = shutil.which("unioncard", path=str(Path(sys.executable).parent)) or shutil.which("unioncard")
    assert exe, "the unioncard console script is not installed (pip install -e .)"
    env = dict(os.environ, UNIONCARD_DB=f"sqlite:///{tmp_path / 'env.sqlite'}")
    result = subprocess.run([exe, "merchants", "list", "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["count"] == 12
    assert (tmp_path / "env.sqlite").is_file()


def test_merchants_list_leaves_out_expired_offers_unless_asked_and_marks_them(capsys, sqlite_url):
    """Issue 24: as the window does, `merchants list` hides offers that have ended; --expired include
    lists them marked 已过期, --expired only lists just them; --json says which."""
    from widgets.launcher import main

    assert main(["--db", sqlite_url, "merchants", "edit", "qs-06", "--valid-to", "2025-12-31"]) == 0
    capsys.readouterr()

    def listed(*extra):
        assert main(["--db", sqlite_url, "merchants", "list", "--district", "青山区", "--json", *extra]) == 0
        return {m["id"]: m["expired"] for m in json.loads(capsys.readouterr().out)["merchants"]}

    assert "qs-06" not in listed() and listed()
    both = listed("--expired", "include")
    assert both["qs-06"] is True and not any(v for k, v in both.items() if k != "qs-06")
    assert listed("--expired", "only") == {"qs-06": True}
    assert main(["--db", sqlite_url, "merchants", "list", "--district", "青山区", "--expired", "include"]) == 0
    assert "【已过期】出示工会卡即可享受正价商品9.8折" in capsys.readouterr().out
