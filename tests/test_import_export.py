"""Staff imports: every format and encoding, every kind of bad record, all-or-nothing; exports round-trip."""

import json

import openpyxl
import pytest

from app.geo.china_datum import from_wgs84
from app.merchants.catalogue import MerchantQuery, search
from app.merchants.exporter import export_merchants
from app.merchants.importer import import_into_store, parse_file
from app.merchants.rows import count_merchants

HEADER_ZH = "编号,名称,类别,区,商户类别码,优惠,地址,电话,经度,纬度,有效期起,有效期止"
ROW_OK = "ja-01,江岸测试餐厅,餐饮,江岸区,5812,全场9折,,,114.3000,30.6000,2026-01-01,2026-12-31"
ROW_OK2 = "ja-02,江岸测试书店,购物,,5942,图书95折,,,114.3050,30.6030,,"


def write_csv(path, lines, encoding="utf-8"):
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return path


def only_errors(parsed):
    return [p for p in parsed.problems if p.severity == "error"]


# ---------------------------------------------------------------- formats and encodings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_staff_use(tmp_path, district_index, encoding):
    path = write_csv(tmp_path / "m.csv", [HEADER_ZH, ROW_OK, ROW_OK2], encoding)
    parsed = parse_file(path, district_index)
    assert only_errors(parsed) == []
    first, second = parsed.records
    assert (first.name, first.category, first.district_code, first.mcc) == ("江岸测试餐厅", "餐饮", "420102", "5812")
    assert str(first.valid_from) == "2026-01-01" and str(first.valid_to) == "2026-12-31"
    assert second.district_code == "420102"  # no district given: found from the location


def test_english_headers_and_xlsx(tmp_path, district_index):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "category", "lon", "lat", "mcc", "phone"])
    sheet.append(["洪山测试店", "吃", 114.34, 30.50, 5812, 2787654321])  # Excel keeps numbers as numbers
    book.save(tmp_path / "m.xlsx")
    parsed = parse_file(tmp_path / "m.xlsx", district_index)
    assert only_errors(parsed) == []
    (rec,) = parsed.records
    assert (rec.category, rec.mcc, rec.phone, rec.district_code) == ("餐饮", "5812", "2787654321", "420111")


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_chinese_web_map_coordinates_are_converted_to_wgs84(tmp_path, district_index, datum):
    true_lon, true_lat = 114.3000, 30.6000
    lon, lat = (float(v) for v in from_wgs84(true_lon, true_lat, datum))
    path = write_csv(tmp_path / "m.csv", ["名称,类别,经度,纬度", f"高德点,餐饮,{lon:.7f},{lat:.7f}"])
    (rec,) = parse_file(path, district_index, datum).records
    assert rec.lon == pytest.approx(true_lon, abs=2e-6) and rec.lat == pytest.approx(true_lat, abs=2e-6)
    (unconverted,) = parse_file(path, district_index, "wgs84").records
    assert abs(unconverted.lon - true_lon) > 1e-3  # without --crs the point would be ~500 m off


def test_geojson_import(tmp_path, district_index):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "wc-1", "properties": {"名称": "武昌测试馆", "类别": "娱乐"},
         "geometry": {"type": "Point", "coordinates": [114.31, 30.55]}},
    ]}
    (tmp_path / "m.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    parsed = parse_file(tmp_path / "m.geojson", district_index)
    (rec,) = parsed.records
    assert (rec.id, rec.category, rec.district_code) == ("wc-1", "娱乐", "420106")


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "row, field, words",
    [
        (",餐饮,,114.30,30.60", "名称", "名称不能为空"),
        ("店,宠物,,114.30,30.60", "类别", "未知类别“宠物”"),
        ("店,餐饮,,116.40,39.90", "经度/纬度", "不在武汉市范围内"),
        ("店,餐饮,,30.60,114.30", "经度/纬度", "填反"),
        ("店,餐饮,,abc,30.60", "经度/纬度", "不是数字"),
        ("店,餐饮,,,30.60", "经度/纬度", "缺少经度或纬度"),
        ("店,餐饮,,514.30,30.60", "经度/纬度", "不是有效的经纬度"),
        ("店,餐饮,火星区,114.30,30.60", "区", "未知的区“火星区”"),
        ("店,餐饮,,114.30,30.60,54111", "商户类别码", "4位数字"),
        ("店,餐饮,,114.30,30.60,,明年", "有效期起", "日期无法识别"),
    ],
)
def test_bad_records_name_the_row_and_the_field(tmp_path, district_index, row, field, words):
    path = write_csv(tmp_path / "m.csv", ["名称,类别,区,经度,纬度,商户类别码,有效期起", ROW_GOOD_FOR_ROWS, row])
    parsed = parse_file(path, district_index)
    (problem,) = only_errors(parsed)
    assert problem.record.startswith("第3行")
    assert problem.field == field
    assert words in problem.message
    assert [r.name for r in parsed.records] == ["好店"]


ROW_GOOD_FOR_ROWS = "好店,餐饮,,114.30,30.60,,"


def test_duplicate_ids_and_duplicate_unnamed_merchants(tmp_path, district_index):
    path = write_csv(tmp_path / "m.csv", ["编号,名称,类别,经度,纬度", "a1,甲,餐饮,114.30,30.60", "a1,乙,餐饮,114.31,30.60",
                                          ",丙,餐饮,114.32,30.60", ",丙,餐饮,114.32,30.60"])
    problems = only_errors(parse_file(path, district_index))
    assert [(p.record[:3], p.field) for p in problems] == [("第3行", "编号"), ("第5行", "编号")]
    assert "第2行" in problems[0].message and "第4行" in problems[1].message


@pytest.mark.parametrize(
    "geometry, words",
    [
        ({"type": "LineString", "coordinates": [[114.3, 30.6], [114.4, 30.6]]}, "必须是点"),
        ({"type": "Point", "coordinates": [114.3]}, "点坐标格式错误"),
        ({"type": "Point", "coordinates": ["114.3", "30.6"]}, "点坐标格式错误"),
        (None, "缺少位置"),
    ],
)
def test_malformed_geometry(tmp_path, district_index, geometry, words):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "坏点", "category": "餐饮"}, "geometry": geometry}]}
    (tmp_path / "m.geojson").write_text(json.dumps(doc), encoding="utf-8")
    (problem,) = only_errors(parse_file(tmp_path / "m.geojson", district_index))
    assert problem.record == "第1个要素（名称 坏点）" and problem.field == "位置" and words in problem.message


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("m.geojson", b"{not json", "不是有效的 JSON"),
        ("m.geojson", b'{"type": "Feature"}', "FeatureCollection"),
        ("m.csv", b"\xff\xff\xff\xff,\xff\xff\n", "编码无法识别"),   # neither UTF-8 nor GB18030 (UTF-16 has its BOM)
        ("m.xlsx", b"PK\x03\x04 broken", "不是有效的 XLSX"),
        ("m.dwg", b"", "不支持的文件类型"),
        ("m.csv", "名称,经度,纬度\n店,114.3,30.6\n".encode(), "缺少必需的列“类别”"),
    ],
)
def test_broken_files_are_refused_with_a_reason(tmp_path, district_index, name, content, words):
    (tmp_path / name).write_bytes(content)
    problems = only_errors(parse_file(tmp_path / name, district_index))
    assert problems and words in problems[0].message


def test_stated_district_that_disagrees_with_location_is_reported(tmp_path, district_index):
    path = write_csv(tmp_path / "m.csv", ["名称,类别,区,经度,纬度", "错区店,餐饮,青山区,114.30,30.60"])
    parsed = parse_file(path, district_index)
    assert only_errors(parsed) == []
    (warning,) = [p for p in parsed.problems if p.severity == "warning"]
    assert warning.field == "区" and "青山区" in warning.message and "江岸区" in warning.message


# ---------------------------------------------------------------- into the store (SQLite and PostgreSQL)


def test_an_import_with_any_error_writes_nothing(seeded, tmp_path):
    store, districts = seeded
    path = write_csv(tmp_path / "m.csv", [HEADER_ZH, ROW_OK, ROW_OK2, "ja-03,坏店,宠物,,,,,,114.30,30.60,,"])
    report = import_into_store(store, districts, path)
    assert not report.written and report.added == 0
    assert count_merchants(store) == 12
    assert search(store, districts, MerchantQuery(districts=("江岸区",))).empty


def test_a_valid_import_lands_whole_and_reimport_does_not_duplicate(seeded, tmp_path):
    store, districts = seeded
    path = write_csv(tmp_path / "m.csv", ["名称,类别,经度,纬度", "无编号甲,餐饮,114.30,30.60", "无编号乙,购物,114.31,30.60"])
    first = import_into_store(store, districts, path)
    assert first.written and (first.added, first.updated, first.unchanged) == (2, 0, 0)
    again = import_into_store(store, districts, path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert count_merchants(store) == 14


def test_branches_sharing_an_offer_each_get_its_headline_and_an_edit_changes_one(seeded, tmp_path):
    # An import reads each distinct offer once (a chain's branches publish one text): the rows must not
    # share anything mutable, so a later edit of one branch's offer leaves the others as they were.
    store, districts = seeded
    path = write_csv(tmp_path / "m.csv", ["编号,名称,类别,优惠,经度,纬度", "c-1,连锁一店,餐饮,全场9折,114.30,30.60",
                                          "c-2,连锁二店,餐饮,全场9折,114.31,30.60", "c-3,别家,餐饮,满100减10,114.32,30.60"])
    assert import_into_store(store, districts, path).added == 3
    found = search(store, districts, MerchantQuery(ids=("c-1", "c-2", "c-3"))).set_index("id")
    assert list(found.loc[["c-1", "c-2", "c-3"], "offer_headline"]) == ["9折", "9折", "满减 最高10%"]
    edited = write_csv(tmp_path / "e.csv", ["编号,名称,类别,优惠,经度,纬度", "c-1,连锁一店,餐饮,全场8折,114.30,30.60",
                                            "c-2,连锁二店,餐饮,全场9折,114.31,30.60"])
    import_into_store(store, districts, edited)
    found = search(store, districts, MerchantQuery(ids=("c-1", "c-2"))).set_index("id")
    assert list(found.loc[["c-1", "c-2"], "offer_headline"]) == ["8折", "9折"]


def test_reimport_with_edits_updates_in_place(seeded, tmp_path):
    store, districts = seeded
    import_into_store(store, districts, write_csv(tmp_path / "a.csv", [HEADER_ZH, ROW_OK]))
    edited = ROW_OK.replace("全场9折", "全场8.5折")
    report = import_into_store(store, districts, write_csv(tmp_path / "b.csv", [HEADER_ZH, edited]))
    assert (report.added, report.updated) == (0, 1)
    (offer,) = search(store, districts, MerchantQuery(ids=("ja-01",)))["offer"]
    assert offer == "全场8.5折"


@pytest.mark.parametrize("suffix", [".geojson", ".csv", ".xlsx"])
def test_export_then_import_round_trips(seeded, tmp_path, suffix):
    store, districts = seeded
    before = search(store, districts, MerchantQuery(categories=("医疗",)))
    path = export_merchants(before, tmp_path / f"out{suffix}")
    parsed = parse_file(path, districts)
    assert only_errors(parsed) == []
    assert [r.id for r in parsed.records] == list(before["id"])
    assert [r.offer for r in parsed.records] == list(before["offer"])
    assert all(r.location_approximate for r in parsed.records)
    assert [round(r.lon, 6) for r in parsed.records] == [round(x, 6) for x in before["lon"]]


def test_csv_export_opens_in_chinese_excel(seeded, tmp_path):
    store, districts = seeded
    path = export_merchants(search(store, districts), tmp_path / "all.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert raw.decode("utf-8-sig").splitlines()[0].startswith("编号,名称,类别,区")


def test_unknown_export_format_is_refused(seeded, tmp_path):
    store, districts = seeded
    with pytest.raises(ValueError, match="不支持"):
        export_merchants(search(store, districts), tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_exports_neutralise_formulas_and_still_import_back(tmp_path, suffix, sqlite_url):
    from app.merchants.catalogue import MerchantQuery, search
    from app.merchants.curation import add_merchant
    from app.merchants.exporter import export_merchants
    from app.merchants.fields import MerchantRecord
    from app.merchants.importer import parse_file
    from app.seed import open_seeded_store

    store, districts = open_seeded_store(sqlite_url)
    for mid, name in (("f-1", '=HYPERLINK("http://x","点我")'), ("f-2", "+1 店"), ("f-3", "@SUM(A1)"), ("f-4", "-店")):
        assert add_merchant(store, districts, MerchantRecord(mid, name, "餐饮", "420107", 114.39, 30.63,
                                                             offer="-10元"), author="测试").saved
    frame = search(store, districts, MerchantQuery(ids=("f-1", "f-2", "f-3", "f-4")))
    out = export_merchants(frame, tmp_path / f"x{suffix}")
    if suffix == ".csv":
        cells = out.read_text(encoding="utf-8-sig")
        assert "'=HYPERLINK" in cells and "'+1 店" in cells and "'@SUM" in cells and "'-10元" in cells
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(out).active
        cells = [c for row in sheet.iter_rows() for c in row]
        assert not [c for c in cells if c.data_type == "f"]                # no formula anywhere
        risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))]
        assert len(risky) == 8 and all(c.data_type == "s" and c.quotePrefix for c in risky)   # text, shown as typed
    back = {r.id: (r.name, r.offer) for r in parse_file(out, districts).records}
    assert back["f-1"] == ('=HYPERLINK("http://x","点我")', "-10元") and back["f-4"][0] == "-店"
    store.close()
