"""Merchants carry their parsed rules: stored, re-read when staff edit the offer, and used to filter."""

import json

from app.merchants.catalogue import MerchantQuery, search
from app.merchants.importer import import_into_store
from widgets.launcher import main


def test_stored_rules_and_min_saving_filter(seeded):
    store, districts = seeded
    frame = search(store, districts, MerchantQuery(min_saving=0.2, sort="saving"))
    assert list(frame["name"]) == ["精益眼镜", "武东医院", "友缘家政服务"]
    assert list(frame["max_saving"]) == [0.25, 0.2, 0.2]
    rules = json.loads(frame.iloc[0]["rules_json"])
    assert rules["combinable"] is False and rules["exclusions"] == ["隐形产品相关附件"]
    by_saving = search(store, districts, MerchantQuery(sort="saving"))
    assert by_saving["max_saving"].is_monotonic_decreasing


def test_editing_the_offer_text_reparses_the_rules(seeded, tmp_path):
    store, districts = seeded
    f = tmp_path / "edit.csv"
    f.write_text("编号,名称,类别,区,优惠,经度,纬度\nqs-12,丽康宝贝儿童摄影,生活服务,青山区,正价套系6折,114.414,30.624\n", encoding="utf-8")
    assert import_into_store(store, districts, f).updated == 1
    (row,) = search(store, districts, MerchantQuery(ids=("qs-12",))).itertuples()
    assert row.max_saving == 0.4
    assert json.loads(row.rules_json)["clauses"][0]["multiplier"] == 0.6


def test_discount_cli(capsys, db_url):
    assert main(["--db", db_url, "discount", "parse", "配镜8.5折，太阳镜7.5折", "--json"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    assert [c["multiplier"] for c in parsed["clauses"]] == [0.85, 0.75] and parsed["max_saving"] == 0.25
    assert main(["--db", db_url, "discount", "price", "--merchant", "qs-08", "--item", "配镜=1000", "--item", "太阳镜=400", "--json"]) == 0
    quote = json.loads(capsys.readouterr().out)
    assert (quote["payable"], quote["saving"]) == ("1150.00", "250.00")
    assert [i["payable"] for i in quote["items"]] == ["850.00", "300.00"]
    assert main(["--db", db_url, "discount", "price", "--merchant", "nope", "--item", "100"]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["--db", db_url, "merchants", "list", "--min-saving", "20%", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 3
