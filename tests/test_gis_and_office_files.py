"""Staff's files as GIS people and office people have them (issue 28): GeoPackage, Shapefile and KML out,
GeoPackage and Shapefile in, through the GDAL that pyogrio ships; a CSV that GDAL places without options;
workbooks as offices make them (a title row, a two-row merged header, data on the second sheet, .xls
and .ods); an XLSX export staff can work in. Each file is read back with a library or tool we did not
write: pyogrio, python-calamine, openpyxl and, where installed, GDAL's own ogrinfo."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import openpyxl
import pyogrio
import pytest
from python_calamine import CalamineWorkbook

from app.merchants.importer import parse_file, sheet_names
from widgets.launcher import main

HEADER = ["编号", "名称", "类别", "区", "商户类别码", "优惠", "经度", "纬度", "有效期止"]
ROWS = [["ja-01", "江岸测试餐厅", "餐饮", "江岸区", "5812", "全场9折", 114.30, 30.60, dt.date(2026, 12, 31)],
        ["ja-02", "江岸测试农资店", "购物", "", "0763", "农资95折", 114.305, 30.603, None]]


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def catalogue(capsys, sqlite_url, tmp_path):
    """The seed plus a merchant whose MCC starts with a zero (it must stay 0763 in every file)."""
    path = tmp_path / "zero.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join("" if v is None else str(v) for v in ROWS[1]) + "\n",
                    encoding="utf-8")
    assert run(capsys, "--db", sqlite_url, "merchants", "import", str(path))[0] == 0
    return sqlite_url


def ogrinfo(path):
    """GDAL's own reading of a file (Debian's gdal-bin, installed by .ci/run), or None if absent."""
    if shutil.which("ogrinfo") is None:
        return None
    done = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


# ---------------------------------------------------------------- GIS formats out and back in


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".kml"])
def test_gis_exports_are_points_in_wgs84_that_gdal_reads(capsys, catalogue, tmp_path, suffix):
    out = tmp_path / f"商户{suffix}"
    code, said, err = run(capsys, "--db", catalogue, "merchants", "export", str(out))
    assert code == 0, err
    assert "13 家" in said
    frame = pyogrio.read_dataframe(out)
    assert len(frame) == 13 and set(frame.geom_type) == {"Point"} and frame.crs.to_epsg() == 4326
    name_field = "Name" if suffix == ".kml" else "name"
    zero = frame[frame[name_field] == "江岸测试农资店"].iloc[0]
    assert zero["mcc"] == "0763"                         # text, not the number 763
    assert (round(zero.geometry.x, 6), round(zero.geometry.y, 6)) == (114.305, 30.603)
    if suffix == ".kml":
        assert zero["description"] == "农资95折"          # the balloon a KML viewer shows is the offer
    if suffix == ".shp":
        assert {p.suffix for p in tmp_path.glob("商户.*")} == {".shp", ".shx", ".dbf", ".prj", ".cpg"}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    gdal = ogrinfo(out)
    if gdal is not None:
        assert "Feature Count: 13" in gdal and "WGS 84" in gdal
        assert suffix == ".kml" or "Geometry: Point" in gdal       # KML layers declare no geometry type


@pytest.mark.parametrize("suffix", [".gpkg", ".shp"])
def test_a_gis_export_imports_back_unchanged(capsys, catalogue, tmp_path, suffix):
    out = tmp_path / f"m{suffix}"
    assert run(capsys, "--db", catalogue, "merchants", "export", str(out))[0] == 0
    code, said, err = run(capsys, "--db", catalogue, "merchants", "import", str(out), "--json")
    report = json.loads(said)
    assert code == 0, err
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 13)


def test_a_geopackage_in_another_coordinate_system_is_placed_in_wgs84(tmp_path, district_index):
    """GIS offices deliver CGCS2000 / 3-degree Gauss-Kruger metres (EPSG:4547); the import reprojects."""
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame({"名称": ["江岸测试餐厅"], "类别": ["餐饮"], "优惠": ["9折"]},
                             geometry=[shapely.Point(114.30, 30.60)], crs="EPSG:4326").to_crs("EPSG:4547")
    frame.to_file(tmp_path / "gk.gpkg", layer="商户", driver="GPKG")
    parsed = parse_file(tmp_path / "gk.gpkg", district_index)
    assert parsed.ok, parsed.problems
    record = parsed.records[0]
    assert (round(record.lon, 6), round(record.lat, 6), record.district_code) == (114.3, 30.6, "420102")


def test_a_geopackage_with_several_layers_asks_which(capsys, catalogue, tmp_path):
    out = tmp_path / "m.gpkg"
    assert run(capsys, "--db", catalogue, "merchants", "export", str(out))[0] == 0
    pyogrio.write_dataframe(pyogrio.read_dataframe(out).iloc[:2], out, layer="草稿", append=False)
    assert sheet_names(out) == ["merchants", "草稿"]
    code, _, err = run(capsys, "--db", catalogue, "merchants", "import", str(out), "--dry-run")
    assert code == 2 and "2 个图层" in err and "--sheet" in err and "1. merchants、2. 草稿" in err
    code, said, _ = run(capsys, "--db", catalogue, "merchants", "import", str(out), "--dry-run", "--sheet", "2")
    assert code == 0 and "未变 2" in said
    code, _, err = run(capsys, "--db", catalogue, "merchants", "import", str(out), "--sheet", "定稿")
    assert code == 2 and "没有图层“定稿”" in err


def test_a_damaged_geopackage_or_a_line_layer_is_refused_by_name(tmp_path, district_index):
    import geopandas as gpd
    import shapely

    (tmp_path / "bad.gpkg").write_bytes(b"SQLite format 3\0" + b"\x13" * 3000)
    parsed = parse_file(tmp_path / "bad.gpkg", district_index)
    assert not parsed.ok and "不是有效的 GeoPackage 文件" in str(parsed.problems[0])
    lines = gpd.GeoDataFrame({"名称": ["一条路"], "类别": ["餐饮"]},
                             geometry=[shapely.LineString([(114.3, 30.6), (114.31, 30.61)])], crs="EPSG:4326")
    lines.to_file(tmp_path / "roads.gpkg", driver="GPKG")
    parsed = parse_file(tmp_path / "roads.gpkg", district_index)
    assert not parsed.ok
    assert any(p.record.startswith("第1个要素") and "LineString" in p.message for p in parsed.problems)


def test_a_shapefile_export_refuses_text_a_dbase_field_cannot_hold(capsys, sqlite_url, tmp_path):
    long_offer = "凭工会卡全场九折，" + "酒水、特价菜、套餐除外，" * 30
    path = tmp_path / "long.csv"
    path.write_text("名称,类别,优惠,经度,纬度\n长优惠店,餐饮," + long_offer + ",114.30,30.60\n", encoding="utf-8")
    assert run(capsys, "--db", sqlite_url, "merchants", "import", str(path))[0] == 0
    code, _, err = run(capsys, "--db", sqlite_url, "merchants", "export", str(tmp_path / "m.shp"))
    assert code == 2 and "254 字节" in err and "的优惠" in err and "GeoPackage" in err
    assert not list(tmp_path.glob("m.*"))
    assert run(capsys, "--db", sqlite_url, "merchants", "export", str(tmp_path / "m.gpkg"))[0] == 0
    frame = pyogrio.read_dataframe(tmp_path / "m.gpkg")
    assert long_offer.strip() in set(frame["offer"])          # whole in a GeoPackage


def test_the_csv_export_is_placed_by_gdal_without_options(capsys, catalogue, tmp_path):
    out = tmp_path / "m.csv"
    assert run(capsys, "--db", catalogue, "merchants", "export", str(out))[0] == 0
    assert (tmp_path / "m.csvt").exists() and (tmp_path / "m.prj").exists()
    info = pyogrio.read_info(out)
    assert (info["geometry_type"], info["features"]) == ("Point", 13)
    frame = pyogrio.read_dataframe(out)
    assert frame.crs.to_epsg() == 4326
    assert "0763" in set(frame["商户类别码"])
    gdal = ogrinfo(out)
    if gdal is not None:
        assert "Geometry: Point" in gdal and "Feature Count: 13" in gdal


# ---------------------------------------------------------------- workbooks as offices make them


def _office_workbook(path, *, notes_first=True):
    """A title merged across the sheet, a blank line, a header two rows high (坐标 over 经度/纬度, the
    other headings merged down), the data on the second sheet after a 说明 sheet."""
    book = openpyxl.Workbook()
    if notes_first:
        book.active.title = "说明"
        book.active["A1"] = "本表由区总工会整理，请勿改动表头"
        sheet = book.create_sheet("合作商户")
    else:
        sheet = book.active
        sheet.title = "合作商户"
    sheet["A1"] = "2026年江岸区工会会员服务卡合作商户名单"
    sheet.merge_cells("A1:H1")
    heads = ["编号", "名称", "类别", "区", "商户类别码", "优惠"]
    for col, head in enumerate(heads, start=1):
        sheet.cell(3, col, head)
        sheet.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    sheet.cell(3, 7, "坐标")
    sheet.merge_cells("G3:H3")
    sheet.cell(4, 7, "经度")
    sheet.cell(4, 8, "纬度")
    sheet.cell(3, 9, "有效期止")
    sheet.merge_cells("I3:I4")
    for r, row in enumerate(ROWS, start=5):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value)
    sheet.cell(7, 2, "坏坐标店")
    sheet.cell(7, 3, "餐饮")
    sheet.cell(7, 7, 200.0)
    sheet.cell(7, 8, 30.6)
    book.save(path)
    return path


def test_a_workbook_with_a_title_row_a_merged_header_and_a_notes_sheet(tmp_path, district_index):
    path = _office_workbook(tmp_path / "名单.xlsx")
    parsed = parse_file(path, district_index)
    errors = [p for p in parsed.problems if p.severity == "error"]
    # the one bad row is named by the row number Excel shows, and by its field
    assert [(p.record.split("（")[0], p.field) for p in errors] == [("第7行", "经度/纬度")]
    assert any("读取的是工作表“合作商户”" in p.message for p in parsed.problems)
    path = _office_workbook(tmp_path / "好名单.xlsx")
    book = openpyxl.load_workbook(path)
    book["合作商户"].delete_rows(7)
    book.save(path)
    parsed = parse_file(path, district_index)
    assert parsed.ok, parsed.problems
    first, second = parsed.records
    assert (first.name, first.lon, first.lat, first.valid_to) == ("江岸测试餐厅", 114.3, 30.6, dt.date(2026, 12, 31))
    assert (second.mcc, second.district_code) == ("0763", "420102")


def test_two_sheets_of_merchants_ask_which_and_sheet_picks_one(capsys, sqlite_url, tmp_path):
    path = _office_workbook(tmp_path / "两表.xlsx", notes_first=False)
    book = openpyxl.load_workbook(path)
    book["合作商户"].delete_rows(7)
    second = book.copy_worksheet(book["合作商户"])
    second.title = "上月"
    book.save(path)
    code, _, err = run(capsys, "--db", sqlite_url, "merchants", "import", str(path), "--dry-run")
    assert code == 2 and "2 个工作表像商户表" in err and "--sheet" in err
    code, said, err = run(capsys, "--db", sqlite_url, "merchants", "import", str(path), "--dry-run", "--sheet", "上月")
    assert code == 0 and "新增 2" in said, err


def _compact_ods(source, target):
    """GDAL indents its ODS XML (which calamine refuses; the importer then reads it through GDAL);
    LibreOffice writes it without whitespace between cells: the same document, as LibreOffice saves it."""
    import re
    import zipfile

    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".xml"):
                data = re.sub(rb">\s+<", b"><", data)
            out.writestr(info, data)


def test_xls_from_old_excel_and_ods_from_libreoffice_or_gdal(tmp_path, district_index):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("商户")
    for c, head in enumerate(HEADER):
        sheet.write(0, c, head)
    for r, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(r, c, value, xlwt.easyxf(num_format_str="yyyy-mm-dd"))
            elif value is not None:
                sheet.write(r, c, value)
    book.save(str(tmp_path / "old.xls"))
    import geopandas as gpd

    ods = gpd.GeoDataFrame({h: [("" if v is None else str(v)) for v in col] for h, col in zip(HEADER, zip(*ROWS))})
    pyogrio.write_dataframe(ods, tmp_path / "gdal.ods", driver="ODS", layer="商户")   # GDAL writes it, not us
    _compact_ods(tmp_path / "gdal.ods", tmp_path / "lo.ods")
    for name in ("old.xls", "gdal.ods", "lo.ods"):
        parsed = parse_file(tmp_path / name, district_index)
        assert parsed.ok, (name, parsed.problems)
        assert [(r.name, r.mcc, r.valid_to) for r in parsed.records] == [
            ("江岸测试餐厅", "5812", dt.date(2026, 12, 31)), ("江岸测试农资店", "0763", None)], name


def test_a_damaged_workbook_is_refused_by_name(tmp_path, district_index):
    (tmp_path / "bad.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    (tmp_path / "bad.ods").write_bytes(b"PK\x03\x04" + b"\0" * 600)
    assert "不是有效的 XLS 文件" in str(parse_file(tmp_path / "bad.xls", district_index).problems[0])
    assert "不是有效的 ODS 文件" in str(parse_file(tmp_path / "bad.ods", district_index).problems[0])


# ---------------------------------------------------------------- the XLSX export


def test_the_xlsx_export_is_a_sheet_staff_can_work_in(capsys, sqlite_url, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("名称,类别,优惠,经度,纬度,有效期止\n\"=HYPERLINK(\"\"http://x\"\")\",餐饮,9折,114.30,30.60,2026-12-31\n",
                    encoding="utf-8")
    assert run(capsys, "--db", sqlite_url, "merchants", "import", str(path))[0] == 0
    out = tmp_path / "m.xlsx"
    assert run(capsys, "--db", sqlite_url, "merchants", "export", str(out))[0] == 0
    sheet = openpyxl.load_workbook(out)["商户"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.column_dimensions["G"].width > 30                      # 优惠 is wide enough to read
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if str(r[1].value).startswith("=HYPERLINK"))
    name, valid_to = row[header.index("名称")], row[header.index("有效期止")]
    assert name.value == '=HYPERLINK("http://x")' and name.data_type == "s" and name.quotePrefix
    assert valid_to.is_date and valid_to.value.date() == dt.date(2026, 12, 31)
    # what another reader sees: the text as typed (no apostrophe shown as data), a real date
    cells = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("商户").to_python()
    found = next(r for r in cells if str(r[1]).startswith("=HYPERLINK"))
    assert found[1] == '=HYPERLINK("http://x")' and found[header.index("有效期止")] == dt.date(2026, 12, 31)
    code, said, _ = run(capsys, "--db", sqlite_url, "merchants", "import", str(out), "--json")
    assert code == 0 and json.loads(said)["unchanged"] == 13
