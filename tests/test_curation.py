"""Staff curation on a real SQLite file and a real PostgreSQL database: revisions, merge and conflicts,
retire/restore, history and revert, imports as change sets, duplicates."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.merchants import duplicate_review, history
from app.merchants.catalogue import MerchantQuery, search
from app.merchants.checks import check_merchant, phone_is_valid
from app.merchants.curation import add_merchant, load, move, restore, retire, save_changes
from app.merchants.duplicates import Place, find_candidates, normalise_name
from app.merchants.fields import MerchantRecord
from app.merchants.importer import import_into_store

TODAY = dt.date(2026, 11, 23)
FIELDS = "id,name,category,district,lon,lat,offer,phone,source"


def ids(store, districts, **query):
    return set(search(store, districts, MerchantQuery(**query))["id"])


def write_csv(path, rows):
    path.write_text("\n".join([FIELDS, *rows]) + "\n", encoding="utf-8")
    return path


def test_an_edit_is_a_revision_with_old_and_new_values(seeded):
    store, districts = seeded
    before = load(store, "qs-09")
    result = save_changes(store, districts, "qs-09", before.revision, {"offer": "9折"}, author="张三", comment="新海报")
    assert result.saved and result.revision == before.revision + 1
    last = history.history(store, "qs-09")[-1]
    assert (last.author, last.action, last.comment) == ("张三", "edit", "新海报")
    assert last.changes == {"offer": (before.state["offer"], "9折")}
    # the parsed rules follow the new text, so members' savings filter sees it at once
    assert search(store, districts, MerchantQuery(ids=("qs-09",))).iloc[0]["max_saving"] == pytest.approx(0.1)


def test_other_fields_merge_and_the_same_field_conflicts(seeded):
    store, districts = seeded
    base = load(store, "qs-01").revision
    mine = save_changes(store, districts, "qs-01", base, {"offer": "8.8折"}, author="张三")
    theirs = save_changes(store, districts, "qs-01", base, {"phone": "027-86781234"}, author="李四")
    assert mine.saved and theirs.saved and theirs.merged_with == ("张三",)
    now = load(store, "qs-01")
    assert (now.state["offer"], now.state["phone"]) == ("8.8折", "027-86781234")

    late = save_changes(store, districts, "qs-01", base, {"offer": "7折"}, author="王五")
    assert not late.saved and late.revision == now.revision
    (conflict,) = late.conflicts
    assert (conflict.field, conflict.theirs, conflict.mine, conflict.their_author) == ("offer", "8.8折", "7折", "张三")
    assert conflict.base.startswith("全场药品")
    assert load(store, "qs-01").state["offer"] == "8.8折", "a conflict writes nothing"
    resolved = save_changes(store, districts, "qs-01", late.revision, {"offer": "7折"}, author="王五")
    assert resolved.saved and load(store, "qs-01").state["offer"] == "7折"
    # the same value from both sides is no conflict
    same = save_changes(store, districts, "qs-01", base, {"phone": "027-86781234"}, author="赵六")
    assert not same.saved and not same.conflicts


def test_retired_merchants_leave_members_views_and_come_back(seeded):
    store, districts = seeded
    rev = load(store, "qs-11").revision
    retired = retire(store, districts, "qs-11", rev, reason="已停业", on=TODAY, author="张三")
    assert retired.saved and "qs-11" not in ids(store, districts)
    assert ids(store, districts, retired="only") == {"qs-11"}
    assert "qs-11" in ids(store, districts, retired="include")
    restored = restore(store, districts, "qs-11", retired.revision, author="张三")
    assert restored.saved and "qs-11" in ids(store, districts)
    assert [r.action for r in history.history(store, "qs-11")] == ["add", "retire", "restore"]


def test_revert_makes_a_new_revision_and_brings_a_retired_merchant_back(seeded):
    store, districts = seeded
    original = load(store, "qs-05")
    edited = save_changes(store, districts, "qs-05", original.revision, {"offer": "8折", "phone": "85881234"}, author="张三")
    retired = retire(store, districts, "qs-05", edited.revision, reason="合作到期", on=TODAY, author="李四")
    back = history.revert(store, districts, "qs-05", 1, author="王五")
    assert back.saved and back.revision == retired.revision + 1
    now = load(store, "qs-05")
    assert now.state == original.state
    assert [r.action for r in history.history(store, "qs-05")] == ["add", "edit", "retire", "revert"]
    assert "qs-05" in ids(store, districts)


def test_a_retire_racing_an_edit_keeps_both(seeded):
    store, districts = seeded
    base = load(store, "qs-07").revision
    assert retire(store, districts, "qs-07", base, reason="已停业", on=TODAY, author="李四").saved
    edit = save_changes(store, districts, "qs-07", base, {"phone": "027-86001234"}, author="张三")
    assert edit.saved and edit.merged_with == ("李四",)
    now = load(store, "qs-07")
    assert now.retired and now.state["phone"] == "027-86001234"


def test_an_import_racing_an_edit_loses_nothing(seeded, tmp_path):
    store, districts = seeded
    base = load(store, "qs-10").revision   # staff opened the form at this revision
    f = write_csv(tmp_path / "update.csv", ["qs-10,艳阳天酒店,餐饮,青山区,114.386,30.624,凭工会卡就餐享九折优惠,,第二批"])
    report = import_into_store(store, districts, f, author="李四")
    assert report.written and report.updated_ids == ("qs-10",)
    same_field = save_changes(store, districts, "qs-10", base, {"offer": "8.5折"}, author="张三")
    assert not same_field.saved and same_field.conflicts[0].theirs == "凭工会卡就餐享九折优惠"
    other_field = save_changes(store, districts, "qs-10", base, {"phone": "86860000"}, author="张三")
    assert other_field.saved
    actions = [(r.action, r.author) for r in history.history(store, "qs-10")]
    assert actions == [("add", "system"), ("import", "李四"), ("edit", "张三")]


def test_the_history_table_refuses_rewrites(seeded):
    store, districts = seeded
    save_changes(store, districts, "qs-02", load(store, "qs-02").revision, {"phone": "86861111"}, author="张三")
    for statement in ("UPDATE merchant_revisions SET author = 'someone'", "DELETE FROM merchant_revisions"):
        with pytest.raises(DBAPIError, match="never rewritten"):
            with store.engine.begin() as conn:
                conn.execute(text(statement))


def test_a_new_merchant_is_checked_before_it_is_saved(seeded):
    store, districts = seeded
    outside = MerchantRecord("x-1", "北京烤鸭店", "餐饮", None, 116.40, 39.90)
    refused = add_merchant(store, districts, outside, author="张三")
    assert not refused.saved and refused.errors[0].field == "经度"
    wrong_district = MerchantRecord("x-2", "新店", "餐饮", "420102", 114.39, 30.63)  # 江岸区 stated, 青山区 located
    assert not add_merchant(store, districts, wrong_district, author="张三").saved
    ok = MerchantRecord("x-3", "新店", "餐饮", "420107", 114.39, 30.63, offer="9折")
    saved = add_merchant(store, districts, ok, author="张三")
    assert saved.saved and saved.revision == 1 and "x-3" in ids(store, districts)
    assert history.history(store, "x-3")[0].changes["name"] == (None, "新店")


def test_moving_a_pin_takes_its_district_along(seeded):
    store, districts = seeded
    result = move(store, districts, "qs-12", load(store, "qs-12").revision, 114.30, 30.60, author="张三")
    assert result.saved and result.changes["district_code"] == ("420107", "420102")
    assert result.changes.keys() >= {"lon", "lat"}
    assert history.history(store, "qs-12")[-1].action == "move"


def test_checks_have_the_severities_staff_expect(district_index):
    state = {"name": "店", "category": "餐饮", "district_code": "420107", "lon": 114.39, "lat": 30.63,
             "offer": "9折，周末另有惊喜", "phone": "12", "valid_from": dt.date(2026, 1, 1),
             "valid_to": dt.date(2026, 12, 10), "retired_on": None}
    found = {(p.field, p.severity) for p in check_merchant(state, district_index, today=TODAY)}
    assert found == {("优惠", "warning"), ("有效期止", "warning"), ("电话", "warning")}
    bad = {**state, "valid_to": dt.date(2025, 12, 31), "name": "", "category": "杂货"}
    errors = {p.field for p in check_merchant(bad, district_index, today=TODAY) if p.severity == "error"}
    assert errors == {"名称", "类别", "有效期止"}
    assert phone_is_valid("027-86781234 / 13800138000") and not phone_is_valid("123")
    # a merchant placed roughly is staff's to-do (members see 大致位置 and 约 distances meanwhile)
    rough = [p for p in check_merchant({**state, "location_approximate": True}, district_index, today=TODAY)
             if p.field == "位置为近似"]
    assert [(p.severity, p.message.split("：")[0]) for p in rough] == [("warning", "位置待核实")]
    gone = {**state, "location_approximate": True, "retired_on": dt.date(2026, 11, 1)}
    assert not [p for p in check_merchant(gone, district_index, today=TODAY) if p.field == "位置为近似"]


def test_near_same_names_are_found_whatever_the_script_or_branch():
    assert normalise_name("戶部巷小吃城（江汉路店）") == normalise_name("户部巷 小吃城分店") == "户部巷小吃城"
    places = [Place("a", "户部巷小吃城", 114.3000, 30.5500), Place("b", "户部巷小吃城分店", 114.3010, 30.5500),
              Place("c", "戶部巷小吃城", 114.3000, 30.5510), Place("far", "户部巷小吃城", 114.3100, 30.5500),
              Place("p", "麦当劳", 114.2, 30.5, "027-88886666"), Place("q", "金拱门", 114.4, 30.6, "88886666")]
    pairs = {c.key: c.reason for c in find_candidates(places)}
    # b is 96 m east of a (the grid must not miss east-west neighbours), c 111 m north; far is 960 m away
    assert pairs == {("a", "b"): "name", ("a", "c"): "name", ("b", "c"): "name", ("p", "q"): "phone"}


def test_duplicates_are_shown_before_an_import_writes(seeded, tmp_path):
    store, districts = seeded
    rows = ["n-1,精益眼镜分店,购物,青山区,114.4145,30.6362,9折,,第二批",   # ~50 m from qs-08 精益眼镜
            "n-2,新开的面馆,餐饮,青山区,114.3700,30.6300,9折,,第二批"]
    f = write_csv(tmp_path / "batch.csv", rows)
    asked = import_into_store(store, districts, f, author="张三")
    assert not asked.written and [(d.new_id, d.existing_id) for d in asked.duplicates] == [("n-1", "qs-08")]
    assert "n-2" not in ids(store, districts), "asking writes nothing"
    skipped = import_into_store(store, districts, f, author="张三", duplicates="skip")
    assert skipped.written and skipped.added_ids == ("n-2",) and skipped.skipped_ids == ("n-1",)
    updated = import_into_store(store, districts, f, author="张三", duplicates="update")
    assert updated.written and updated.updated_ids == ("qs-08",) and updated.added == 0
    assert load(store, "qs-08").state["offer"] == "9折" and "n-1" not in ids(store, districts)
    kept = import_into_store(store, districts, f, author="张三", duplicates="keep")
    assert kept.added_ids == ("n-1",)


def test_an_import_is_one_change_set_and_names_what_its_source_no_longer_lists(seeded, tmp_path):
    store, districts = seeded
    first = write_csv(tmp_path / "v1.csv", ["b-1,甲店,餐饮,青山区,114.36,30.62,9折,,第二批",
                                            "b-2,乙店,购物,青山区,114.37,30.61,9折,,第二批"])
    report = import_into_store(store, districts, first, author="张三")
    assert report.added_ids == ("b-1", "b-2") and report.missing == ()
    second = write_csv(tmp_path / "v2.csv", ["b-1,甲店,餐饮,青山区,114.36,30.62,8折,,第二批"])
    again = import_into_store(store, districts, second, author="李四")
    assert again.updated_ids == ("b-1",) and again.missing == (("b-2", "乙店"),)
    log = history.change_log(store, author="李四")
    assert [(r.merchant_id, r.action, r.file_name) for r in log] == [("b-1", "import", "v2.csv")]
    assert "b-2" in ids(store, districts), "missing merchants are reported, not retired behind staff's backs"


def test_merging_a_duplicate_keeps_both_histories(seeded):
    store, districts = seeded
    dup = MerchantRecord("d-1", "精益眼镜（和平大道店）", "购物", "420107", 114.4143, 30.6361, offer="配镜8折",
                         phone="027-86860001")
    assert add_merchant(store, districts, dup, author="张三").saved
    assert ("d-1", "qs-08") in {c.key for c in duplicate_review.candidates(store)}
    merged = duplicate_review.merge(store, districts, "qs-08", "d-1", author="李四", take={"phone": "other"}, on=TODAY)
    assert merged.kept.saved and merged.retired.saved
    assert load(store, "qs-08").state["phone"] == "027-86860001"
    assert load(store, "d-1").retired and "d-1" not in ids(store, districts)
    assert [r.action for r in history.history(store, "d-1")] == ["add", "retire"]
    assert history.history(store, "qs-08")[-1].action == "merge"


def test_not_a_duplicate_never_comes_back(seeded):
    store, districts = seeded
    twin = MerchantRecord("t-1", "中百仓储", "购物", "420107", 114.3865, 30.6362)
    add_merchant(store, districts, twin, author="张三")
    assert ("qs-06", "t-1") in {c.key for c in duplicate_review.candidates(store)}
    duplicate_review.dismiss(store, "t-1", "qs-06", author="张三")
    assert ("qs-06", "t-1") not in {c.key for c in duplicate_review.candidates(store)}
    # nor when it is edited again
    save_changes(store, districts, "t-1", 1, {"phone": "86861234"}, author="张三")
    assert ("qs-06", "t-1") not in {c.key for c in duplicate_review.candidates(store)}


def test_change_log_filters_and_exports_csv(seeded, tmp_path):
    store, districts = seeded
    save_changes(store, districts, "qs-03", 1, {"phone": "86860003"}, author="张三")
    retire(store, districts, "qs-04", 1, reason="已停业", on=TODAY, author="李四")
    assert [r.merchant_id for r in history.change_log(store, action="retire")] == ["qs-04"]
    assert [r.author for r in history.change_log(store, district_code="420107", author="张三")] == ["张三"]
    assert history.change_log(store, since=dt.date.today() + dt.timedelta(days=1)) == []
    out = history.write_change_log_csv(history.change_log(store, author="张三"), districts, tmp_path / "log.csv")
    text_ = out.read_text(encoding="utf-8-sig")
    assert "张三" in text_ and "慈铭健康体检中心" in text_ and "电话：（空） → 86860003" in text_
    assert json.loads(json.dumps(history.change_log(store)[0].to_json()))["merchant_id"] in {"qs-03", "qs-04"}
